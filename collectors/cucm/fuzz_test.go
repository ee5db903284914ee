package cucm

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// addSeeds adds every testdata file and a few hand-made edge cases.
func addSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no testdata seeds (%v)", err)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "admin:", "a\n=", "a b\n= =\n\n x", "名 b\n== =\n名前 1\n",
		"name siptimert1\n==== ==========\nx    99999999999999999999\n",
		"  a\n  =\nb\n", "a\r\n=\r\nPress <enter> for 1 line\r\n\rz\r\n",
	} {
		f.Add([]byte(s))
	}
}

// checkError asserts err is a ParseError of key with a line inside data.
func checkError(t *testing.T, err error, key string, data []byte) {
	t.Helper()
	var pe *facts.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is %T, not *facts.ParseError", err, err)
	}
	if pe.Key != key || pe.Line < 0 || pe.Line > lineCount(data) {
		t.Fatalf("error %v: key %q line %d outside %d lines", err, pe.Key, pe.Line, lineCount(data))
	}
}

func FuzzParseTable(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ParseTable("sql_fuzz", data)
		if err != nil {
			if tab != nil {
				t.Fatal("table and error")
			}
			checkError(t, err, "sql_fuzz", data)
			return
		}
		if len(tab.Columns) == 0 || tab.Header.N < 1 || tab.Header.Text != lineText(data, tab.Header.N) {
			t.Fatalf("bad header %+v, columns %q", tab.Header, tab.Columns)
		}
		last := tab.Header.N + 1
		for _, r := range tab.Rows {
			if r.Line.N <= last || r.Line.Text != lineText(data, r.Line.N) {
				t.Fatalf("row %+v out of order or not the input's line", r.Line)
			}
			last = r.Line.N
			if len(r.Values) != len(tab.Columns) {
				t.Fatalf("row %d: %d values for %d columns", r.Line.N, len(r.Values), len(tab.Columns))
			}
			for _, v := range r.Values {
				if v != strings.TrimSpace(v) {
					t.Fatalf("row %d: untrimmed value %q", r.Line.N, v)
				}
			}
		}
		for i, c := range tab.Columns {
			if c != strings.ToLower(c) || tab.Index(c) > i || strings.ContainsAny(c, " \t") {
				t.Fatalf("column %d %q", i, c)
			}
		}
	})
}

// fuzzParser checks that parse never panics, fails only with a located
// ParseError and leaves the device untouched then, and on success fills
// only facts whose sources are lines of data.
func fuzzParser(f *testing.F, key string, parse func([]byte, *facts.Device) error, sources func(*facts.CUCM) []facts.Source) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d := seedDevice()
		err := parse(data, d)
		if err != nil {
			checkError(t, err, key, data)
			if !reflect.DeepEqual(d, seedDevice()) {
				t.Fatalf("device changed on error %v", err)
			}
			return
		}
		srcs := sources(d.CUCM)
		if len(srcs) > lineCount(data) {
			t.Fatalf("%d facts from %d lines", len(srcs), lineCount(data))
		}
		for _, s := range srcs {
			if s.Host != d.Name || s.Key != key || s.Text != lineText(data, s.Line) {
				t.Fatalf("source %+v is not a line of the input", s)
			}
		}
	})
}

func FuzzParseSIPProfiles(f *testing.F) {
	fuzzParser(f, KeySIPProfiles, ParseSIPProfiles, func(c *facts.CUCM) []facts.Source {
		var out []facts.Source
		for _, p := range c.SIPProfiles {
			row, ok := p.Sources.Get("row")
			if !ok || p.Name == "" {
				return []facts.Source{{}} // fails the caller's check
			}
			out = append(out, row)
		}
		return out
	})
}

func FuzzParseProcessConfig(f *testing.F) {
	fuzzParser(f, KeyProcessConfig, ParseProcessConfig, func(c *facts.CUCM) []facts.Source {
		var out []facts.Source
		for _, p := range c.ServiceParams {
			out = append(out, p.Source)
		}
		return out
	})
}

func FuzzParsePhones(f *testing.F) {
	fuzzParser(f, KeyPhones, ParsePhones, func(c *facts.CUCM) []facts.Source {
		var out []facts.Source
		for _, p := range c.Phones {
			if p.Name == "" || p.Protocol != "" && p.Protocol != "SIP" && p.Protocol != "SCCP" {
				return []facts.Source{{}}
			}
			out = append(out, p.Source)
		}
		return out
	})
}
