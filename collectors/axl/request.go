package axl

import (
	"bytes"
	"encoding/xml"

	"github.com/kaudit/kaudit/collectors/cucm"
)

// request is one SOAP request: its body and SOAPAction header.
type request struct {
	op     string
	body   []byte
	action string
}

// newRequest builds the envelope of AXL operation op in schema version
// ver around inner (already escaped XML), in the shape Cisco's AXL
// clients send (the request logged in Cisco TAC document 217581, "Troubleshoot
// IM&P Inter-Clustering Issues": SOAP-ENV envelope, empty Header, the
// operation in the ns prefix of http://www.cisco.com/AXL/API/N.N), with
// the SOAPAction AXLAPI.wsdl gives each operation ("CUCM:DB ver=14.0
// executeSQLQuery").
func newRequest(ver, op, inner string) request {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	b.WriteString(`<SOAP-ENV:Envelope xmlns:SOAP-ENV="` + cucm.SOAPEnvNS + `" xmlns:ns="` + cucm.AXLNSPrefix + ver + `">`)
	b.WriteString(`<SOAP-ENV:Header/><SOAP-ENV:Body><ns:` + op + `>`)
	b.WriteString(inner)
	b.WriteString(`</ns:` + op + `></SOAP-ENV:Body></SOAP-ENV:Envelope>`)
	return request{op: op, body: b.Bytes(), action: `"CUCM:DB ver=` + ver + ` ` + op + `"`}
}

// queryRequest is executeSQLQuery of sql.
func queryRequest(ver, sql string) request {
	var s bytes.Buffer
	s.WriteString("<sql>")
	_ = xml.EscapeText(&s, []byte(sql)) // a bytes.Buffer never fails
	s.WriteString("</sql>")
	return newRequest(ver, "executeSQLQuery", s.String())
}

// versionRequest is getCCMVersion, which names the release the node runs.
func versionRequest(ver string) request {
	return newRequest(ver, "getCCMVersion", "")
}
