package axl

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/collectors/cucm"
	"github.com/kaudit/kaudit/collectors/sshx"
)

const (
	envOpen  = `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="http://www.cisco.com/AXL/API/14.0"><SOAP-ENV:Body>`
	envClose = `</SOAP-ENV:Body></SOAP-ENV:Envelope>`
	action14 = `"CUCM:DB ver=14.0 `
)

func TestAllowed(t *testing.T) {
	q := func(sql string) string {
		return envOpen + `<ns:executeSQLQuery><sql>` + sql + `</sql></ns:executeSQLQuery>` + envClose
	}
	op := func(name, inner string) string {
		return envOpen + `<ns:` + name + `>` + inner + `</ns:` + name + `>` + envClose
	}
	ris := `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap="http://schemas.cisco.com/ast/soap"><soapenv:Header/><soapenv:Body><soap:selectCmDeviceExt><soap:StateInfo></soap:StateInfo><soap:CmSelectionCriteria><soap:MaxReturnedDevices>1000</soap:MaxReturnedDevices></soap:CmSelectionCriteria></soap:selectCmDeviceExt></soapenv:Body></soapenv:Envelope>`
	tests := []struct {
		name, method, path, query, action, body string
		why                                     string // "" when allowed
	}{
		{"the SIP profile query", "POST", AXLPath, "", action14 + `executeSQLQuery"`, string(queryRequest("14.0", cucm.SQLSIPProfiles).body), ""},
		{"the keepalive query (quotes, %)", "POST", AXLPath, "", action14 + `executeSQLQuery"`, string(queryRequest("14.0", cucm.SQLProcessConfig).body), ""},
		{"the phones query", "POST", AXLPath, "", action14 + `executeSQLQuery"`, string(queryRequest("14.0", cucm.SQLPhones).body), ""},
		{"getCCMVersion", "POST", AXLPath, "", action14 + `getCCMVersion"`, string(versionRequest("14.0").body), ""},
		{"unquoted action, sequence, CDATA", "POST", AXLPath, "", `CUCM:DB ver=14.0 executeSQLQuery`, envOpen + `<ns:executeSQLQuery sequence="7"><sql><![CDATA[select name from device where name < 'x']]></sql></ns:executeSQLQuery>` + envClose, ""},
		{"listPhone", "POST", AXLPath, "", action14 + `listPhone"`, op("listPhone", `<searchCriteria><name>SEP%</name></searchCriteria><returnedTags><name/></returnedTags>`), ""},
		{"RisPort select", "POST", RisPortPath, "", `"selectCmDeviceExt"`, ris, ""},

		{"GET", "GET", AXLPath, "", "", "", "method GET"},
		{"query string", "POST", AXLPath, "wsdl", action14 + `getCCMVersion"`, string(versionRequest("14.0").body), "query string"},
		{"other path", "POST", "/axl/../cmplatform", "", action14 + `getCCMVersion"`, string(versionRequest("14.0").body), "neither AXL"},
		{"update", "POST", AXLPath, "", action14 + `updatePhone"`, op("updatePhone", `<name>SEP1</name><description>x</description>`), "not a reading AXL operation"},
		{"remove", "POST", AXLPath, "", action14 + `removePhone"`, op("removePhone", `<name>SEP1</name>`), "not a reading AXL operation"},
		{"executeSQLUpdate", "POST", AXLPath, "", action14 + `executeSQLUpdate"`, op("executeSQLUpdate", `<sql>update device set name='x'</sql>`), "not a reading AXL operation"},
		{"doDeviceReset", "POST", AXLPath, "", action14 + `doDeviceReset"`, op("doDeviceReset", `<deviceName>SEP1</deviceName>`), "not a reading AXL operation"},
		{"applyPhone", "POST", AXLPath, "", action14 + `applyPhone"`, op("applyPhone", `<name>SEP1</name>`), "not a reading AXL operation"},
		{"get lookalike", "POST", AXLPath, "", action14 + `getaway"`, op("getaway", ``), "not a reading AXL operation"},
		{"a write in a select", "POST", AXLPath, "", action14 + `executeSQLQuery"`, q(`select name from device; delete from device`), "';'"},
		{"update as sql", "POST", AXLPath, "", action14 + `executeSQLQuery"`, q(`update device set name='x'`), "not a read-only command"},
		{"stored routine", "POST", AXLPath, "", action14 + `executeSQLQuery"`, q(`select sysadmin:task('drop database') from systables`), "SQL \"task\""},
		{"escaped write", "POST", AXLPath, "", action14 + `executeSQLQuery"`, q(`select 1 from x&#59; delete from device`), "';'"},
		{"two sql", "POST", AXLPath, "", action14 + `executeSQLQuery"`, op("executeSQLQuery", `<sql>select 1 from x</sql><sql>delete from x</sql>`), "exactly one"},
		{"sql element in a get", "POST", AXLPath, "", action14 + `getPhone"`, op("getPhone", `<sql>delete from device</sql>`), "sql element"},
		{"action names another op", "POST", AXLPath, "", action14 + `executeSQLUpdate"`, q(`select 1 from x`), "SOAPAction names executeSQLUpdate"},
		{"action of another version", "POST", AXLPath, "", `"CUCM:DB ver=12.5 executeSQLQuery"`, q(`select 1 from x`), "SOAPAction version 12.5"},
		{"no action", "POST", AXLPath, "", "", q(`select 1 from x`), "SOAPAction"},
		{"two operations", "POST", AXLPath, "", action14 + `executeSQLQuery"`, envOpen + `<ns:executeSQLQuery><sql>select 1 from x</sql></ns:executeSQLQuery><ns:removePhone><name>x</name></ns:removePhone>` + envClose, "2 operations"},
		{"doctype", "POST", AXLPath, "", action14 + `executeSQLQuery"`, `<!DOCTYPE x [<!ENTITY e "delete">]>` + q(`select 1 from x`), "DOCTYPE"},
		{"comment", "POST", AXLPath, "", action14 + `executeSQLQuery"`, q(`select 1 from x<!-- -->`), "comment"},
		{"processing instruction", "POST", AXLPath, "", action14 + `executeSQLQuery"`, q(`select 1 from x<?php ?>`), "processing instruction"},
		{"attribute", "POST", AXLPath, "", action14 + `executeSQLQuery"`, envOpen + `<ns:executeSQLQuery mode="update"><sql>select 1 from x</sql></ns:executeSQLQuery>` + envClose, "attribute mode"},
		{"header content", "POST", AXLPath, "", action14 + `executeSQLQuery"`, `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="http://www.cisco.com/AXL/API/14.0"><SOAP-ENV:Header><x/></SOAP-ENV:Header><SOAP-ENV:Body><ns:executeSQLQuery><sql>select 1 from x</sql></ns:executeSQLQuery>` + envClose, "header with content"},
		{"foreign namespace", "POST", AXLPath, "", action14 + `executeSQLQuery"`, `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="urn:x"><SOAP-ENV:Body><ns:executeSQLQuery><sql>select 1 from x</sql></ns:executeSQLQuery>` + envClose, "not AXL's"},
		{"undeclared prefix", "POST", AXLPath, "", action14 + `executeSQLQuery"`, `<S:Envelope><S:Body><ns:executeSQLQuery><sql>select 1 from x</sql></ns:executeSQLQuery></S:Body></S:Envelope>`, "not a SOAP 1.1 Envelope"},
		{"not xml", "POST", AXLPath, "", action14 + `executeSQLQuery"`, `select 1 from x`, "text outside"},
		{"broken xml", "POST", AXLPath, "", action14 + `executeSQLQuery"`, q(`select 1 from x`)[:80], "not well-formed"},
		{"latin-1", "POST", AXLPath, "", action14 + `executeSQLQuery"`, `<?xml version="1.0" encoding="ISO-8859-1"?>` + q(`select 1 from x`), "not well-formed"},
		{"AXL op on RisPort", "POST", RisPortPath, "", action14 + `executeSQLQuery"`, q(`select 1 from x`), "not a RisPort70 select"},
		{"RisPort op on AXL", "POST", AXLPath, "", `"selectCmDeviceExt"`, ris, "not AXL's"},
		{"too deep", "POST", AXLPath, "", action14 + `listPhone"`, op("listPhone", strings.Repeat("<a>", 20)+strings.Repeat("</a>", 20)), "deep"},
		{"too long", "POST", AXLPath, "", action14 + `executeSQLQuery"`, q("select 1 from x where a='" + strings.Repeat("x", maxRequest) + "'"), "more than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Allowed(tc.method, tc.path, tc.query, tc.action, []byte(tc.body))
			if tc.why == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("allowed, want refused for %q", tc.why)
			}
			if !errors.Is(err, sshx.ErrRefused) || !strings.Contains(err.Error(), tc.why) {
				t.Errorf("error %q (%T), want sshx.ErrRefused mentioning %q", err, err, tc.why)
			}
		})
	}
}

// recorder is a transport that records every request it is handed and
// answers 200 with an empty AXL answer.
type recorder struct{ reqs []recorded }

type recorded struct {
	method, url, action string
	body                []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	r.reqs = append(r.reqs, recorded{req.Method, req.URL.String(), req.Header.Get("SOAPAction"), body})
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: req}, nil
}

// TestGuardKeepsRefusedRequests: what the guard refuses never reaches the
// transport below it, plain HTTP included; what it allows arrives whole.
func TestGuardKeepsRefusedRequests(t *testing.T) {
	rec := &recorder{}
	c := &http.Client{Transport: Guard{Next: rec}}
	send := func(url, action, body string) error {
		req, err := http.NewRequest("POST", url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("SOAPAction", action)
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	bad := []struct{ url, action, body string }{
		{"https://127.0.0.1:8443/axl/", action14 + `removePhone"`, envOpen + `<ns:removePhone><name>SEP1</name></ns:removePhone>` + envClose},
		{"https://127.0.0.1:8443/axl/", action14 + `executeSQLQuery"`, string(queryRequest("14.0", "update device set description='x'").body)},
		{"http://127.0.0.1:8080/axl/", action14 + `executeSQLQuery"`, string(queryRequest("14.0", cucm.SQLPhones).body)},
	}
	for _, b := range bad {
		if err := send(b.url, b.action, b.body); !errors.Is(err, sshx.ErrRefused) {
			t.Errorf("%s %s: error %v, want refused", b.url, b.action, err)
		}
	}
	if len(rec.reqs) != 0 {
		t.Fatalf("refused requests reached the transport: %+v", rec.reqs)
	}
	good := queryRequest("14.0", cucm.SQLPhones)
	if err := send("https://127.0.0.1:8443/axl/", good.action, string(good.body)); err != nil {
		t.Fatal(err)
	}
	if len(rec.reqs) != 1 || !bytes.Equal(rec.reqs[0].body, good.body) || rec.reqs[0].action != good.action {
		t.Fatalf("allowed request arrived as %+v", rec.reqs)
	}
}
