package devsim

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
)

// axlPost sends one AXL request to host's service, trusting only its
// certificate, and returns the status and body.
func axlPost(t *testing.T, c *http.Client, srv *Server, host, ver, op, inner string, auth bool) (int, string) {
	t.Helper()
	body := `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="http://www.cisco.com/AXL/API/` + ver + `"><SOAP-ENV:Header/><SOAP-ENV:Body><ns:` + op + `>` + inner + `</ns:` + op + `></SOAP-ENV:Body></SOAP-ENV:Envelope>`
	req, err := http.NewRequest("POST", "https://"+srv.AXLAddr(host)+"/axl/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("SOAPAction", `"CUCM:DB ver=`+ver+` `+op+`"`)
	if auth {
		req.SetBasicAuth(user, password)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func axlHTTPClient(t *testing.T, srv *Server, host string) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(srv.AXLCertificate(host))
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}}}
}

func TestAXLService(t *testing.T) {
	srv := startLab(t, Options{}, func(h *Host) {
		if h.Platform == PlatformCUCM {
			h.AXL = &AXL{}
		}
	})
	if srv.AXLAddr("sw1") != "" {
		t.Fatal("a switch serves AXL")
	}
	c := axlHTTPClient(t, srv, "cucm1")
	code, body := axlPost(t, c, srv, "cucm1", "14.0", "getCCMVersion", "", true)
	if code != 200 || !strings.Contains(body, `<ns:getCCMVersionResponse xmlns:ns="http://www.cisco.com/AXL/API/14.0"><return><componentVersion><version>14.0.1.13900-155</version>`) {
		t.Fatalf("getCCMVersion: %d %s", code, body)
	}
	sql := strings.TrimPrefix(processconfigSQL, "run sql ")
	code, body = axlPost(t, c, srv, "cucm1", "14.0", "executeSQLQuery", "<sql>"+xmlText(sql)+"</sql>", false)
	if code != 200 || !strings.HasPrefix(body, `<?xml version='1.0' encoding='utf-8'?><soapenv:Envelope`) ||
		!strings.Contains(body, `<return><row><paramname>StationKeepaliveInterval</paramname><paramvalue>30</paramvalue></row>`) {
		t.Fatalf("executeSQLQuery: %d %s", code, body)
	}
	if n := srv.AXLLogins("cucm1"); n != 1 {
		t.Errorf("%d logins, want 1: the session cookie stands for the credentials", n)
	}
	// A query named by its table alone (no Keys entry) finds sql_<table>.
	code, body = axlPost(t, c, srv, "cucm1", "14.0", "executeSQLQuery", "<sql>select name,siptimerregdelta from sipprofile</sql>", false)
	if code != 200 || !strings.Contains(body, "<row><name>Standard SIP Profile</name><siptimerregdelta>5</siptimerregdelta>") {
		t.Fatalf("sipprofile: %d %s", code, body)
	}
	code, body = axlPost(t, c, srv, "cucm1", "14.0", "executeSQLQuery", "<sql>select name from device</sql>", false)
	if code != 500 || !strings.Contains(body, "<axlmessage>"+axlNoLabOutput) {
		t.Errorf("query without lab output: %d %s", code, body)
	}
	code, body = axlPost(t, c, srv, "cucm1", "15.0", "getCCMVersion", "", false)
	if code != 599 || !strings.Contains(body, "Incorrect axl version. Supported axl versions are 12.0, 12.5 and 14.0") {
		t.Errorf("version 15.0: %d %s", code, body)
	}
	fresh := axlHTTPClient(t, srv, "cucm1")
	if code, _ := axlPost(t, fresh, srv, "cucm1", "14.0", "getCCMVersion", "", false); code != 401 {
		t.Errorf("no credentials: %d", code)
	}
	want := []string{"getCCMVersion", "executeSQLQuery " + sql, "executeSQLQuery select name,siptimerregdelta from sipprofile", "executeSQLQuery select name from device", "getCCMVersion", "login refused"}
	if got := srv.AXLRequests("cucm1"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests %q\nwant %q", got, want)
	}
}

func TestAXLFaults(t *testing.T) {
	srv := startLab(t, Options{}, func(h *Host) {
		if h.Platform == PlatformCUCM {
			h.AXL = &AXL{Faults: AXLFaults{Throttle: 2}}
		}
	})
	c := axlHTTPClient(t, srv, "cucm1")
	for i, want := range []int{503, 503, 200} {
		if code, body := axlPost(t, c, srv, "cucm1", "14.0", "getCCMVersion", "", true); code != want {
			t.Errorf("request %d: %d %s, want %d", i+1, code, body, want)
		}
	}
}

func TestLabTable(t *testing.T) {
	data := "admin:run sql select a,b from t\r\nname       b\r\n========== ==\r\nJörg Weiß  1\r\nx          NULL\r\n\r\nadmin:"
	cols, rows := labTable([]byte(data))
	if strings.Join(cols, ",") != "name,b" || len(rows) != 2 || rows[0][0] != "Jörg Weiß" || rows[0][1] != "1" || rows[1][1] != "NULL" {
		t.Errorf("cols %q rows %q", cols, rows)
	}
	if cols, _ := labTable([]byte("no table")); cols != nil {
		t.Errorf("cols %q from no table", cols)
	}
}
