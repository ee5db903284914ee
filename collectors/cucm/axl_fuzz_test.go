package cucm

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// addAXLSeeds adds the testdata files and hand-made AXL edge cases.
func addAXLSeeds(f *testing.F) {
	addSeeds(f)
	const head = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`
	for _, s := range []string{
		head + `<ns:executeSQLQueryResponse xmlns:ns="http://www.cisco.com/AXL/API/14.0"><return/></ns:executeSQLQueryResponse></soapenv:Body></soapenv:Envelope>`,
		head + `<ns:executeSQLQueryResponse xmlns:ns="http://www.cisco.com/AXL/API/14.0"><return><row><name>a</name><name>b</name></row></return></ns:executeSQLQueryResponse></soapenv:Body></soapenv:Envelope>`,
		head + `<ns:executeSQLQueryResponse xmlns:ns="http://www.cisco.com/AXL/API/14.0"><return><row><paramname>x</paramname><paramvalue>&amp;&#x41;</paramvalue></row><row/></return></ns:executeSQLQueryResponse></soapenv:Body></soapenv:Envelope>`,
		head + `<soapenv:Fault><faultstring>x</faultstring><detail><axlError><axlcode>-1</axlcode></axlError></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
		`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`, `<a:b xmlns:a="">`, "<?xml version='1.0' encoding='latin1'?><a/>",
	} {
		f.Add([]byte(s))
	}
}

// FuzzAXLTable: AXLTable never panics, fails only with a ParseError of
// its key, and gives rows numbered from 1 with unique lower-case columns
// and no more values than columns.
func FuzzAXLTable(f *testing.F) {
	addAXLSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := AXLTable("axl_fuzz", data)
		if err != nil {
			var pe *facts.ParseError
			if tab != nil || !errors.As(err, &pe) || pe.Key != "axl_fuzz" || pe.Line < 0 {
				t.Fatalf("table %v, error %v (%T)", tab, err, err)
			}
			return
		}
		seen := map[string]bool{}
		for _, c := range tab.Columns {
			if seen[c] || c != strings.ToLower(c) {
				t.Fatalf("columns %q", tab.Columns)
			}
			seen[c] = true
		}
		for i, r := range tab.Rows {
			if r.Line.N != i+1 || len(r.Values) > len(tab.Columns) {
				t.Fatalf("row %d: line %d, %d values for %d columns", i+1, r.Line.N, len(r.Values), len(tab.Columns))
			}
		}
	})
}

// FuzzAXLParsers runs the three AXL parsers: never a panic, a failure
// leaves the device as it was, and every fact's source is one of the
// answer's rows.
func FuzzAXLParsers(f *testing.F) {
	addAXLSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range AXLCommands() {
			d := seedDevice()
			err := c.Parse(data, d)
			if err != nil {
				var pe *facts.ParseError
				if !errors.As(err, &pe) || pe.Key != c.Key {
					t.Fatalf("%s: error %v (%T)", c.Key, err, err)
				}
				if !reflect.DeepEqual(d, seedDevice()) {
					t.Fatalf("%s: device changed on error %v", c.Key, err)
				}
				continue
			}
			tab, err := AXLTable(c.Key, data)
			if err != nil {
				t.Fatalf("%s parsed what AXLTable refuses: %v", c.Key, err)
			}
			var srcs []facts.Source
			switch c.Key {
			case KeyAXLPhones:
				for _, p := range d.CUCM.Phones {
					srcs = append(srcs, p.Source)
				}
			case KeyAXLProcessConfig:
				for _, p := range d.CUCM.ServiceParams {
					srcs = append(srcs, p.Source)
				}
			case KeyAXLSIPProfiles:
				for _, p := range d.CUCM.SIPProfiles {
					row, _ := p.Sources.Get("row")
					srcs = append(srcs, row)
				}
			}
			for _, s := range srcs {
				if s.Key != c.Key || s.Line < 1 || s.Line > len(tab.Rows) || s.Text != tab.Rows[s.Line-1].Line.Text {
					t.Fatalf("%s: source %+v is not a row of the answer", c.Key, s)
				}
			}
		}
	})
}
