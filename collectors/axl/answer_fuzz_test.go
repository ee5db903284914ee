package axl

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzAnswer: what the client reads of an answer before the parsers do
// (the operation it names, a 599 page's versions, an error's snippet)
// never panics, and a snippet stays short, valid text.
func FuzzAnswer(f *testing.F) {
	f.Add([]byte(`<?xml version='1.0' encoding='utf-8'?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header/><soapenv:Body><ns:executeSQLQueryResponse xmlns:ns="http://www.cisco.com/AXL/API/14.0"><return/></ns:executeSQLQueryResponse></soapenv:Body></soapenv:Envelope>`))
	f.Add([]byte("<html><body>HTTP Status 599 - Incorrect axl version. Supported axl versions are 12.x, 14.0 and 15.0</body></html>"))
	f.Add([]byte("<a><b>\xff</b>"))
	f.Add([]byte("HTTP Status " + strings.Repeat("\x19", 300))) // control bytes must not grow the snippet
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = responseOp(body)
		e := newVersionError("a", "14.0", body)
		if n := e.Newest(); n != "" && !strings.Contains(n, ".") {
			t.Fatalf("newest version %q", n)
		}
		_ = e.Error()
		s := snippet(body)
		if len(s) > 400 || !utf8.ValidString(s) {
			t.Fatalf("snippet %q", s)
		}
	})
}
