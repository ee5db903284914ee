package cucm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/testutil"
)

// TestAXLCommands checks that AXL sends exactly the CLI's queries, in the
// CLI's order, under keys of their own.
func TestAXLCommands(t *testing.T) {
	cli, axl := Commands(), AXLCommands()
	if len(cli) != len(axl) {
		t.Fatalf("%d AXL queries, %d CLI queries", len(axl), len(cli))
	}
	for i := range cli {
		if "run sql "+axl[i].CLI != cli[i].CLI {
			t.Errorf("AXL query %d %q is not the CLI's %q", i, axl[i].CLI, cli[i].CLI)
		}
		if !strings.HasPrefix(axl[i].Key, "axl_") || strings.TrimPrefix(axl[i].Key, "axl_") != strings.TrimPrefix(cli[i].Key, "sql_") {
			t.Errorf("AXL key %q does not pair with %q", axl[i].Key, cli[i].Key)
		}
	}
}

// applyTestdata collects a device from testdata/<key>.txt with cmds.
func applyTestdata(t *testing.T, cmds []collectors.Command) *facts.Device {
	t.Helper()
	d := &facts.Device{Name: "cucm-pub", Platform: facts.PlatformCUCM}
	collectors.Apply(d, cmds, func(key string) ([]byte, error) {
		return os.ReadFile(filepath.Join("testdata", key+".txt"))
	})
	if d.Status != facts.StatusOK {
		t.Fatalf("status %s, errors %v, missing %v", d.Status, d.Errors, d.Missing)
	}
	return d
}

// TestAXLSameFactsAsCLI reads the same data as the CLI's tables and as
// AXL's rows (testdata/axl_*.txt hold the rows of testdata/sql_*.txt):
// the facts are the same, and AXL's evidence names the row and its values.
func TestAXLSameFactsAsCLI(t *testing.T) {
	cli := applyTestdata(t, Commands())
	axl := applyTestdata(t, AXLCommands())
	if g, w := testutil.FactsJSON(t, axl.CUCM, "key", "line", "text"), testutil.FactsJSON(t, cli.CUCM, "key", "line", "text"); g != w {
		t.Fatalf("AXL facts differ from the CLI's:\n%s\nCLI:\n%s", g, w)
	}
	p := axl.CUCM.SIPProfiles[2]
	src, ok := p.Sources.Get("keepalive_expires")
	if !ok || src.Key != KeyAXLSIPProfiles || src.Line != 3 || src.Host != "cucm-pub" {
		t.Fatalf("source %+v, want axl_sipprofile row 3", src)
	}
	if !strings.Contains(src.Text, `name="Branch Phones SIP Profile"`) || !strings.Contains(src.Text, "zztimerkeepaliveexpires=300") {
		t.Errorf("evidence %q does not show the row's values", src.Text)
	}
	ph := axl.CUCM.Phones[3]
	if ph.Source.Line != 4 || !strings.Contains(ph.Source.Text, `description=""`) {
		t.Errorf("phone source %+v", ph.Source)
	}
}

func TestAXLTableShapes(t *testing.T) {
	env := func(body string) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` + body + `</soapenv:Body></soapenv:Envelope>`)
	}
	resp := func(rows string) []byte {
		return env(`<ns:executeSQLQueryResponse xmlns:ns="http://www.cisco.com/AXL/API/12.5"><return>` + rows + `</return></ns:executeSQLQueryResponse>`)
	}
	t.Run("no rows", func(t *testing.T) {
		d := &facts.Device{Name: "n"}
		if err := fromAXL(KeyAXLPhones, phonesFrom)(resp(""), d); err != nil {
			t.Fatal(err)
		}
		if d.CUCM == nil || len(d.CUCM.Phones) != 0 {
			t.Errorf("facts %+v", d.CUCM)
		}
	})
	t.Run("columns left out, other order, upper case, CDATA, pretty-printed", func(t *testing.T) {
		data := resp("\n  <row><NAME>SEPA</NAME><sipprofile><![CDATA[P & Q]]></sipprofile></row>\n  <row><protocol> SCCP </protocol><name>SEPB</name></row>\n")
		tab, err := AXLTable("axl_phones", data)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(tab.Columns, ",") != "name,sipprofile,protocol" || len(tab.Rows) != 2 {
			t.Fatalf("columns %q, %d rows", tab.Columns, len(tab.Rows))
		}
		if r := tab.Rows[1]; r.Value(tab.Index("name")) != "SEPB" || r.Value(tab.Index("sipprofile")) != "" || r.Value(tab.Index("protocol")) != "SCCP" {
			t.Errorf("row 2 %q", r.Values)
		}
		if r := tab.Rows[0]; r.Value(1) != "P & Q" || r.Line.N != 1 || r.Line.Text != `name=SEPA sipprofile="P & Q"` {
			t.Errorf("row 1 %+v", r)
		}
	})
	bad := []struct {
		name string
		data []byte
		line int
		want string
	}{
		{"empty", nil, 0, "empty answer"},
		{"html", []byte("<html><body>HTTP Status 404</body></html>"), 0, "not a SOAP 1.1 Envelope"},
		{"truncated", resp("<row><name>SEPA</name></row>")[:150], 1, "not a complete SOAP answer"},
		{"fault", env(`<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>Item not valid</faultstring><detail><axlError><axlcode>5007</axlcode><axlmessage>Item not valid: x</axlmessage><request>executeSQLQuery</request></axlError></detail></soapenv:Fault>`), 0, "AXL fault: Item not valid: x (axlcode 5007, request executeSQLQuery)"},
		{"other operation", env(`<ns:getCCMVersionResponse xmlns:ns="http://www.cisco.com/AXL/API/14.0"><return><componentVersion><version>14.0.1</version></componentVersion></return></ns:getCCMVersionResponse>`), 0, "not an executeSQLQuery answer"},
		{"foreign namespace", env(`<x:executeSQLQueryResponse xmlns:x="urn:other"/>`), 0, "not an AXL answer"},
		{"two elements", env(`<a/><b/>`), 0, "holds 2 elements"},
		{"nested column", resp("<row><name>A</name></row><row><name><b>x</b></name></row>"), 2, "row 2: column <name> holds elements"},
		{"column twice", resp("<row><name>A</name><name>B</name></row>"), 1, "column <name> twice"},
		{"binary", []byte("<a>\x00</a>"), 1, "binary data"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := AXLTable("axl_phones", tc.data)
			if err == nil || tab != nil {
				t.Fatalf("no error (table %+v)", tab)
			}
			wantParseError(t, err, "axl_phones", tc.line, tc.want)
		})
	}
	t.Run("row without a name", func(t *testing.T) {
		d := &facts.Device{Name: "cucm-pub"}
		err := fromAXL(KeyAXLPhones, phonesFrom)(resp("<row><name>A</name></row><row><model>Cisco 8841</model></row>"), d)
		wantParseError(t, err, KeyAXLPhones, 2, "cucm-pub/axl_phones.txt:2", "phone without a device name")
		if d.CUCM != nil {
			t.Error("a failed parse changed the device")
		}
	})
	t.Run("required element in no row", func(t *testing.T) {
		err := fromAXL(KeyAXLProcessConfig, processConfigFrom)(resp("<row><paramname>A</paramname></row>"), &facts.Device{Name: "n"})
		wantParseError(t, err, KeyAXLProcessConfig, 0, "no <paramvalue> element in any row")
	})
}

func TestDecodeAXLVersion(t *testing.T) {
	// The shape of getCCMVersionResponse in AXLSoap.xsd (14.0).
	data := []byte(`<?xml version='1.0' encoding='utf-8'?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ns:getCCMVersionResponse xmlns:ns="http://www.cisco.com/AXL/API/14.0"><return><componentVersion><version>14.0.1.13900(155)</version></componentVersion></return></ns:getCCMVersionResponse></soapenv:Body></soapenv:Envelope>`)
	r, err := DecodeAXL("axl", data)
	if err != nil {
		t.Fatal(err)
	}
	if r.Op != "getCCMVersionResponse" || r.Version != "14.0.1.13900(155)" || r.Namespace != AXLNSPrefix+"14.0" || r.Fault != nil {
		t.Errorf("%+v", r)
	}
}
