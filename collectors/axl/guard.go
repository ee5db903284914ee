package axl

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/kaudit/kaudit/collectors/cucm"
	"github.com/kaudit/kaudit/collectors/sshx"
)

// Paths of the two SOAP services kaudit may call: AXL (Cisco's AXL
// developer guide, "AXL HTTP Request Basics": https://HOST:8443/axl/)
// and the Serviceability RisPort70 service (Cisco's RisPort70 API
// reference, developer.cisco.com/docs/sxml/, risport70 endpoint).
const (
	AXLPath     = "/axl/"
	RisPortPath = "/realtimeservice2/services/RISService70"
	// RisPortNS is the namespace of RisPort70's operations.
	RisPortNS = "http://schemas.cisco.com/ast/soap"
)

// maxRequest bounds a request body the guard reads; kaudit's largest
// request (the phones query) is under 1 KiB.
const maxRequest = 64 << 10

// RefusedError is a request the read-only guard kept from leaving
// kaudit. It matches sshx.ErrRefused: the same guard, for HTTP.
type RefusedError struct {
	Op     string // the operation, when the body named one
	Reason string
}

func (e *RefusedError) Error() string {
	if e.Op == "" {
		return fmt.Sprintf("%v: %s", sshx.ErrRefused, e.Reason)
	}
	return fmt.Sprintf("%v: %s: %s", sshx.ErrRefused, e.Op, e.Reason)
}

func (e *RefusedError) Unwrap() error { return sshx.ErrRefused }

func refuse(op, format string, args ...any) error {
	if len(op) > 60 {
		op = op[:57] + "..."
	}
	return &RefusedError{Op: op, Reason: fmt.Sprintf(format, args...)}
}

// readOp is the form of an AXL operation that only reads: get<Object>
// and list<Object> (AXLAPI.wsdl: every get and list operation returns
// data and changes none), plus executeSQLQuery, whose SELECT is checked
// on its own.
var readOp = regexp.MustCompile(`^(get|list)[A-Z][A-Za-z0-9]*$`)

// risPortOp is RisPort70's reading operations: selectCmDevice,
// selectCmDeviceExt, selectCtiItem (the service has nothing else).
var risPortOp = regexp.MustCompile(`^select[A-Z][A-Za-z0-9]*$`)

// soapAction is the SOAPAction header AXL takes: "CUCM:DB ver=14.0
// executeSQLQuery", quoted or not (AXLAPI.wsdl's soap:operation).
var soapAction = regexp.MustCompile(`^"?CUCM:DB ver=([0-9]+\.[0-9]+) ([A-Za-z]+)"?$`)

// Allowed reports whether an HTTP request may leave kaudit: a POST, with
// no query, to AXL or RisPort70 whose SOAP body is one reading operation
// (AXL executeSQLQuery with a single SELECT that the SSH guard's SQL
// rules accept, AXL get*/list*, RisPort70 select*) and whose SOAPAction
// names that operation and schema version. Anything the guard cannot
// read with certainty (a DOCTYPE, comments, processing instructions,
// unknown attributes, text or a second element where the schema has
// none) is refused with the reason. It is the one check every request
// passes (Guard).
func Allowed(method, path, rawQuery, action string, body []byte) error {
	switch {
	case method != http.MethodPost:
		return refuse("", "method %s (only POST carries a SOAP request)", method)
	case rawQuery != "":
		return refuse("", "a query string on %s", path)
	case path != AXLPath && path != RisPortPath:
		return refuse("", "path %q is neither AXL (%s) nor RisPort70 (%s)", path, AXLPath, RisPortPath)
	case len(body) > maxRequest:
		return refuse("", "body of %d bytes, more than %d", len(body), maxRequest)
	}
	op, err := readEnvelope(body)
	if err != nil {
		return err
	}
	name := op.name.Local
	if path == RisPortPath {
		if op.name.Space != RisPortNS || !risPortOp.MatchString(name) {
			return refuse(name, "not a RisPort70 select operation")
		}
		if a := strings.Trim(action, `"`); a != "" && a != name {
			return refuse(name, "SOAPAction %q names another operation", clipAction(action))
		}
		return nil
	}
	ver, ok := strings.CutPrefix(op.name.Space, cucm.AXLNSPrefix)
	if !ok {
		return refuse(name, "namespace %q is not AXL's", op.name.Space)
	}
	m := soapAction.FindStringSubmatch(action)
	switch {
	case m == nil:
		return refuse(name, "SOAPAction %q is not \"CUCM:DB ver=N.N operation\"", clipAction(action))
	case m[2] != name:
		return refuse(name, "SOAPAction names %s, the body %s", m[2], name)
	case m[1] != ver:
		return refuse(name, "SOAPAction version %s, the body's namespace %s", m[1], ver)
	}
	if name == "executeSQLQuery" {
		return allowedQuery(op)
	}
	if !readOp.MatchString(name) {
		return refuse(name, "not a reading AXL operation (allowed: executeSQLQuery with a SELECT, get*, list*)")
	}
	if op.find("sql") {
		return refuse(name, "carries an sql element")
	}
	return nil
}

// allowedQuery checks executeSQLQuery: exactly one sql element of text,
// a SELECT the SSH guard would type as run sql.
func allowedQuery(op *node) error {
	if len(op.kids) != 1 || op.kids[0].name.Local != "sql" || op.kids[0].name.Space != "" {
		return refuse(op.name.Local, "want exactly one unqualified <sql> element")
	}
	s := op.kids[0]
	if len(s.kids) > 0 {
		return refuse(op.name.Local, "<sql> holds elements")
	}
	sql := s.text.String()
	if err := sshx.Allowed("run sql " + sql); err != nil {
		var re *sshx.RefusedError
		if errors.As(err, &re) {
			return refuse(op.name.Local, "%s", re.Reason)
		}
		return refuse(op.name.Local, "%v", err)
	}
	return nil
}

func clipAction(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// node is one element of a request body.
type node struct {
	name xml.Name
	text strings.Builder
	kids []*node
}

func (n *node) find(local string) bool {
	for _, k := range n.kids {
		if k.name.Local == local || k.find(local) {
			return true
		}
	}
	return false
}

// maxDepth bounds the nesting of a request; AXL's list requests nest
// searchCriteria and returnedTags three or four deep.
const maxDepth = 12

// readEnvelope reads a SOAP 1.1 envelope: an optional empty Header, a
// Body with exactly one element, which it returns. Names are compared as
// the server resolves them (namespace URLs, not prefixes). Text outside
// the leaves must be blanks.
func readEnvelope(body []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	var (
		stack []*node
		root  *node
		first = true
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, refuse("", "body is not well-formed XML: %v", err)
		}
		switch tk := tok.(type) {
		case xml.ProcInst:
			if !first || tk.Target != "xml" {
				return nil, refuse("", "processing instruction <?%s?>", tk.Target)
			}
		case xml.Directive:
			return nil, refuse("", "a DOCTYPE or other directive (it could define entities)")
		case xml.Comment:
			return nil, refuse("", "a comment")
		case xml.CharData:
			if len(stack) == 0 || len(stack[len(stack)-1].kids) > 0 {
				if len(bytes.TrimSpace(tk)) > 0 {
					return nil, refuse("", "text outside an element's value")
				}
				continue
			}
			stack[len(stack)-1].text.Write(tk)
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, refuse("", "a second top-level element")
			}
			if len(stack) >= maxDepth {
				return nil, refuse("", "nested more than %d deep", maxDepth)
			}
			n := &node{name: tk.Name}
			for _, a := range tk.Attr {
				isNS := a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns"
				if !isNS && !(len(stack) == 2 && a.Name.Space == "" && a.Name.Local == "sequence") {
					return nil, refuse("", "attribute %s on <%s>", a.Name.Local, tk.Name.Local)
				}
			}
			if len(stack) == 0 {
				root = n
			} else {
				p := stack[len(stack)-1]
				if strings.TrimSpace(p.text.String()) != "" {
					return nil, refuse("", "<%s> mixes text and elements", p.name.Local)
				}
				p.kids = append(p.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
		first = false
	}
	return envelopeOp(root)
}

// envelopeOp checks the envelope's shape and returns the operation.
func envelopeOp(root *node) (*node, error) {
	soap := func(n *node, local string) bool {
		return n.name.Space == cucm.SOAPEnvNS && n.name.Local == local
	}
	if root == nil || !soap(root, "Envelope") {
		return nil, refuse("", "not a SOAP 1.1 Envelope")
	}
	kids := root.kids
	if len(kids) > 0 && soap(kids[0], "Header") {
		if len(kids[0].kids) > 0 || strings.TrimSpace(kids[0].text.String()) != "" {
			return nil, refuse("", "a SOAP header with content")
		}
		kids = kids[1:]
	}
	if len(kids) != 1 || !soap(kids[0], "Body") {
		return nil, refuse("", "the envelope holds other than an optional empty Header and one Body")
	}
	if len(kids[0].kids) != 1 {
		return nil, refuse("", "the body holds %d operations, want one", len(kids[0].kids))
	}
	return kids[0].kids[0], nil
}

// Guard is the http.RoundTripper every request of a Client passes: it
// reads the request, lets Allowed decide, and hands Next only what it
// allows, over HTTPS only (basic authentication in clear text would give
// the password away). Nothing of a refused request reaches Next.
type Guard struct {
	Next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (g Guard) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(io.LimitReader(req.Body, maxRequest+1))
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("reading the request: %w", err)
		}
		body = b
	}
	if req.URL.Scheme != "https" {
		return nil, refuse("", "scheme %q: AXL is spoken over HTTPS only", req.URL.Scheme)
	}
	if err := Allowed(req.Method, req.URL.Path, req.URL.RawQuery, req.Header.Get("SOAPAction"), body); err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return g.Next.RoundTrip(out)
}
