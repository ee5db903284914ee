package cucm

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// SOAP 1.1's envelope namespace and the prefix of AXL's schema namespaces
// (http://www.cisco.com/AXL/API/14.0). The shapes decoded here follow
// Cisco's AXL schema, AXLSoap.xsd of the 14.0 schema (published with
// github.com/CiscoDevNet/axl-python-zeep-samples, schema/AXLSoap.xsd):
// executeSQLQueryResponse/return/row with one element per column,
// getCCMVersionResponse/return/componentVersion/version, and faults whose
// detail is an axlError (axlcode, axlmessage, request), as CUCM 9.1 and
// 10.5 answer them (Cisco community thread "axl errors - it seems the
// format changed", communities.cisco.com/thread/50791).
const (
	SOAPEnvNS   = "http://schemas.xmlsoap.org/soap/envelope/"
	AXLNSPrefix = "http://www.cisco.com/AXL/API/"
)

// AXLResponse is one decoded AXL answer: a fault, or the operation's
// response element with what kaudit reads of it.
type AXLResponse struct {
	// Op is the local name of the body's element, e.g.
	// executeSQLQueryResponse; "Fault" for a fault.
	Op string
	// Namespace is Op's namespace: the schema version the server
	// answered in.
	Namespace string
	Fault     *AXLFault
	// Rows are executeSQLQuery's rows, in order.
	Rows []AXLRow
	// Version is getCCMVersion's componentVersion/version.
	Version string
}

// AXLRow is one row of executeSQLQuery: its column elements in order.
type AXLRow struct {
	Names  []string // lower-cased element names
	Values []string // their text, trimmed
}

// AXLFault is a SOAP fault from AXL.
type AXLFault struct {
	Code    string // faultcode, e.g. soapenv:Server
	String  string // faultstring
	AXLCode string // detail/axlError/axlcode, "" when absent
	Message string // detail/axlError/axlmessage
	Request string // detail/axlError/request: the operation it answers
}

func (f *AXLFault) Error() string {
	msg := f.Message
	if msg == "" {
		msg = f.String
	}
	var extra []string
	if f.AXLCode != "" {
		extra = append(extra, "axlcode "+f.AXLCode)
	}
	if f.Request != "" {
		extra = append(extra, "request "+f.Request)
	}
	if len(extra) == 0 {
		return "AXL fault: " + clip(msg)
	}
	return fmt.Sprintf("AXL fault: %s (%s)", clipN(msg, 200), strings.Join(extra, ", "))
}

// The XML the decoder reads. Child elements are unqualified in AXL's
// schema (elementFormDefault="unqualified"), so only the envelope's own
// elements name a namespace.
type (
	xmlEnvelope struct {
		XMLName xml.Name
		Body    *struct {
			Content []xmlOp `xml:",any"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
	}
	xmlOp struct {
		XMLName     xml.Name
		FaultCode   string `xml:"faultcode"`
		FaultString string `xml:"faultstring"`
		AXLError    *struct {
			Code    string `xml:"axlcode"`
			Message string `xml:"axlmessage"`
			Request string `xml:"request"`
		} `xml:"detail>axlError"`
		Return *struct {
			Rows    []xmlRow `xml:"row"`
			Version string   `xml:"componentVersion>version"`
		} `xml:"return"`
	}
	xmlRow struct {
		Cols []xmlCol `xml:",any"`
	}
	xmlCol struct {
		XMLName xml.Name
		Text    string `xml:",chardata"`
		Inner   []struct {
			XMLName xml.Name
		} `xml:",any"`
	}
)

// DecodeAXL reads an AXL answer (the HTTP body). It refuses what is not a
// SOAP envelope with one element in its body, naming what it found; a
// fault is returned in the response, not as an error. key names the
// output in errors, which are *facts.ParseError (an XML syntax error at
// its line).
func DecodeAXL(key string, data []byte) (*AXLResponse, error) {
	if err := facts.CheckText(key, data); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, facts.Errorf(key, 0, "empty answer: no SOAP envelope")
	}
	var env xmlEnvelope
	dec := xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&env); err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, facts.Errorf(key, se.Line, "not a complete SOAP answer: %s", clipN(se.Msg, 120))
		}
		return nil, facts.Errorf(key, 0, "not a SOAP answer: %s", clipN(err.Error(), 120))
	}
	if env.XMLName.Space != SOAPEnvNS || env.XMLName.Local != "Envelope" {
		return nil, facts.Errorf(key, 0, "not a SOAP answer: the document is <%s>, not a SOAP 1.1 Envelope", clip(env.XMLName.Local))
	}
	if env.Body == nil || len(env.Body.Content) != 1 {
		n := 0
		if env.Body != nil {
			n = len(env.Body.Content)
		}
		return nil, facts.Errorf(key, 0, "SOAP body holds %d elements, want one", n)
	}
	op := env.Body.Content[0]
	r := &AXLResponse{Op: op.XMLName.Local, Namespace: op.XMLName.Space}
	if op.XMLName.Space == SOAPEnvNS && op.XMLName.Local == "Fault" {
		r.Fault = &AXLFault{Code: strings.TrimSpace(op.FaultCode), String: strings.TrimSpace(op.FaultString)}
		if e := op.AXLError; e != nil {
			r.Fault.AXLCode = strings.TrimSpace(e.Code)
			r.Fault.Message = strings.TrimSpace(e.Message)
			r.Fault.Request = strings.TrimSpace(e.Request)
		}
		return r, nil
	}
	if !strings.HasPrefix(op.XMLName.Space, AXLNSPrefix) {
		return nil, facts.Errorf(key, 0, "not an AXL answer: <%s> in namespace %q", clip(op.XMLName.Local), clip(op.XMLName.Space))
	}
	if op.Return == nil {
		return r, nil
	}
	r.Version = strings.TrimSpace(op.Return.Version)
	for i, xr := range op.Return.Rows {
		row := AXLRow{Names: make([]string, len(xr.Cols)), Values: make([]string, len(xr.Cols))}
		for j, c := range xr.Cols {
			if len(c.Inner) > 0 {
				return nil, facts.Errorf(key, i+1, "row %d: column <%s> holds elements, not a value", i+1, clip(c.XMLName.Local))
			}
			row.Names[j] = strings.ToLower(c.XMLName.Local)
			row.Values[j] = strings.TrimSpace(c.Text)
		}
		r.Rows = append(r.Rows, row)
	}
	return r, nil
}

// AXLTable reads an executeSQLQuery answer as a table: the columns are
// the element names in the order rows first show them, a column a row
// leaves out is blank there (not set, as NULL is), and each row's line is
// its number (1 for the first row) with its columns as name=value text,
// so that a fact's evidence names the row and its values.
func AXLTable(key string, data []byte) (*Table, error) {
	r, err := DecodeAXL(key, data)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Fault != nil:
		return nil, facts.Errorf(key, 0, "%v", r.Fault)
	case r.Op != "executeSQLQueryResponse":
		return nil, facts.Errorf(key, 0, "not an executeSQLQuery answer: <%s>", clip(r.Op))
	}
	t := &Table{Key: key, axl: true}
	col := map[string]int{}
	for i, ar := range r.Rows {
		vals := make([]string, len(t.Columns), len(t.Columns)+len(ar.Names))
		seen := make(map[string]bool, len(ar.Names))
		for j, name := range ar.Names {
			if seen[name] {
				return nil, facts.Errorf(key, i+1, "row %d: column <%s> twice", i+1, clip(name))
			}
			seen[name] = true
			c, ok := col[name]
			if !ok {
				c = len(t.Columns)
				col[name] = c
				t.Columns = append(t.Columns, name)
				vals = append(vals, "")
			}
			vals[c] = ar.Values[j]
		}
		t.Rows = append(t.Rows, Row{Line: facts.Line{N: i + 1, Text: rowText(ar)}, Values: vals})
	}
	return t, nil
}

// rowText renders a row as name=value pairs; a value that is empty or
// holds a blank, quote or '=' is quoted.
func rowText(r AXLRow) string {
	var b strings.Builder
	for i, n := range r.Names {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(n)
		b.WriteByte('=')
		v := r.Values[i]
		if v == "" || strings.ContainsAny(v, " \t\"=") || !strconv.CanBackquote(v) {
			v = strconv.Quote(v)
		}
		b.WriteString(v)
	}
	return b.String()
}

// fromAXL is a parser of an AXL executeSQLQuery answer that fills d
// through fill.
func fromAXL(key string, fill func(d *facts.Device, t *Table) error) func([]byte, *facts.Device) error {
	return func(data []byte, d *facts.Device) error {
		if d == nil {
			return facts.Errorf(key, 0, "no device to fill")
		}
		t, err := AXLTable(key, data)
		if err != nil {
			return onDevice(d, err)
		}
		return fill(d, t)
	}
}
