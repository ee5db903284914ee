package cucm

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// padRow lays values out under widths the way the CLI does, padding by
// characters or, to mimic a byte-counting release, by bytes.
func padRow(widths []int, byBytes bool, vals ...string) string {
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(' ')
		}
		n := utf8.RuneCountInString(v)
		if byBytes {
			n = len(v)
		}
		b.WriteString(v + strings.Repeat(" ", max(widths[i]-n, 0)))
	}
	return b.String()
}

func TestParseTable(t *testing.T) {
	w := []int{15, 22, 10}
	under := "=============== ====================== =========="
	unicodeRows := func(byBytes bool) string {
		return strings.Join([]string{
			"name            description            model",
			under,
			padRow(w, byBytes, "SEP0024142DDF24", "Müller Büro 2.OG", "Cisco 8845"),
			padRow(w, byBytes, "SEP0021D8BA0965", "会议室 A", "Cisco 7942"),
		}, "\n")
	}
	tests := []struct {
		name     string
		data     []byte
		columns  []string
		header   int              // header line number
		lines    []int            // line number of each row
		cells    map[int][]string // row index -> values
		lookup   map[string]int   // column name -> want index
		rowTexts bool             // check Row.Line.Text against the input
	}{
		{
			name:    "sipprofile CRLF echo prompt no final newline",
			data:    readTestdata(t, "sql_sipprofile.txt"),
			columns: []string{"pkid", "name", "siptimerregdelta", "siptimerregexpires", "zztimerkeepaliveexpires", "siptimerinviteexp", "siptimert1", "siptimert2", "sipretryinvite", "sipretrynoninvite"},
			header:  2,
			lines:   []int{4, 5, 6, 7},
			cells: map[int][]string{
				1: {"9c4bb0c5-0e12-4f6c-9e1c-5a41e2b2d7a1", "Standard SIP Profile For Mobile Device", "5", "3600", "120", "180", "500", "4000", "6", "10"},
				2: {"3d2e9b1a-6f0c-4c1e-8b7a-2a9d5e0c4f11", "Branch Phones SIP Profile", "5", "3600", "300", "180", "500", "4000", "6", "10"},
			},
			lookup:   map[string]int{"NAME": 1, "zztimerkeepaliveexpires": 4, "nosuch": -1},
			rowTexts: true,
		},
		{
			name:    "phones wrapped echo, blank cell, NULL kept",
			data:    readTestdata(t, "sql_phones.txt"),
			columns: []string{"name", "description", "model", "protocol", "sipprofile"},
			header:  5,
			lines:   []int{7, 8, 9, 10, 11},
			cells: map[int][]string{
				1: {"SEP0021D8BA0965", "Lobby Phone Bldg 2", "Cisco 7942", "SCCP", "NULL"},
				3: {"SEP00259C8A4F10", "", "Cisco 7965", "SCCP", "NULL"},
			},
			rowTexts: true,
		},
		{
			name:    "empty result",
			data:    readTestdata(t, "sql_phones_empty.txt"),
			columns: []string{"name", "description", "model", "protocol", "sipprofile"},
			header:  2,
		},
		{
			name:    "short row, blank lines, pager remnant, upper-case header",
			data:    []byte("\n\nPARAMNAME                   paramvalue tkservice\n=========================== ========== =========\nStationKeepaliveInterval    30         0\n\nStation2ndKeepaliveInterval\n Press <enter> for 1 line, <space> for one page, or <q> to quit\nSIPStationKeepaliveInterval 120\n"),
			columns: []string{"paramname", "paramvalue", "tkservice"},
			header:  3,
			lines:   []int{5, 7, 9},
			cells: map[int][]string{
				0: {"StationKeepaliveInterval", "30", "0"},
				1: {"Station2ndKeepaliveInterval", "", ""},
				2: {"SIPStationKeepaliveInterval", "120", ""},
			},
		},
		{
			name:    "last column runs to end of line",
			data:    []byte("(count) servicename\n======= ===========\n11      Nurse Call Coverage\n1       cm7corpdir"),
			columns: []string{"(count)", "servicename"},
			header:  1,
			lines:   []int{3, 4},
			cells:   map[int][]string{0: {"11", "Nurse Call Coverage"}, 1: {"1", "cm7corpdir"}},
		},
		{
			name:    "mid-line CR from an erased pager prompt",
			data:    []byte("paramname                paramvalue\n======================== ==========\nPress <enter> for 1 line\r        \rStationKeepaliveInterval 30\n"),
			columns: []string{"paramname", "paramvalue"},
			header:  1,
			lines:   []int{3},
			cells:   map[int][]string{0: {"StationKeepaliveInterval", "30"}},
		},
		{
			name:    "non-ASCII padded by characters",
			data:    []byte(unicodeRows(false)),
			columns: []string{"name", "description", "model"},
			header:  1,
			lines:   []int{3, 4},
			cells:   map[int][]string{0: {"SEP0024142DDF24", "Müller Büro 2.OG", "Cisco 8845"}, 1: {"SEP0021D8BA0965", "会议室 A", "Cisco 7942"}},
		},
		{
			name:    "non-ASCII padded by bytes",
			data:    []byte(unicodeRows(true)),
			columns: []string{"name", "description", "model"},
			header:  1,
			lines:   []int{3, 4},
			cells:   map[int][]string{0: {"SEP0024142DDF24", "Müller Büro 2.OG", "Cisco 8845"}, 1: {"SEP0021D8BA0965", "会议室 A", "Cisco 7942"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := ParseTable("k", tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(tab.Columns, ",") != strings.Join(tt.columns, ",") {
				t.Errorf("columns %q, want %q", tab.Columns, tt.columns)
			}
			if tab.Header.N != tt.header {
				t.Errorf("header at line %d, want %d", tab.Header.N, tt.header)
			}
			if len(tab.Rows) != len(tt.lines) {
				t.Fatalf("%d rows, want %d", len(tab.Rows), len(tt.lines))
			}
			for i, r := range tab.Rows {
				if r.Line.N != tt.lines[i] {
					t.Errorf("row %d at line %d, want %d", i, r.Line.N, tt.lines[i])
				}
				if len(r.Values) != len(tab.Columns) {
					t.Errorf("row %d has %d values for %d columns", i, len(r.Values), len(tab.Columns))
				}
				if tt.rowTexts && r.Line.Text != lineText(tt.data, r.Line.N) {
					t.Errorf("row %d text %q, want line %d of the input", i, r.Line.Text, r.Line.N)
				}
			}
			for i, want := range tt.cells {
				if got := tab.Rows[i].Values; strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("row %d = %q, want %q", i, got, want)
				}
			}
			for name, want := range tt.lookup {
				if got := tab.Index(name); got != want {
					t.Errorf("Index(%q) = %d, want %d", name, got, want)
				}
			}
		})
	}
}

func TestParseTableErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		line int
		subs []string
	}{
		{"CUCM error instead of a table", readTestdata(t, "bad_no_underline.txt"), 2, []string{"not a run sql table", "-217"}},
		{"value overruns its column", readTestdata(t, "bad_overrun.txt"), 5, []string{"does not fit", `"description"`, "line 2"}},
		{"more names than runs", readTestdata(t, "bad_header_mismatch.txt"), 2, []string{"more column names"}},
		{"fewer names than runs", []byte("name\n==== ====\na    b\n"), 1, []string{"1 column names over 2"}},
		{"name not above its run", []byte("     name\n==== ====\na    b\n"), 1, []string{`"name" is not above`}},
		{"underline first", []byte("==== ====\na    b\n"), 1, []string{"no column names"}},
		{"underline after prompt", []byte("admin:\n==== ====\n"), 2, []string{"no column names"}},
		{"text left of the first column", []byte("  name value\n  ==== =====\nx a    b\n"), 3, []string{"does not fit"}},
		{"empty", nil, 0, []string{"empty output"}},
		{"prompt only", []byte("admin:\r\nadmin:"), 0, []string{"empty output"}},
		{"NUL bytes", []byte("name value\n==== =====\n\x00\x01\x02\x03"), 3, []string{"binary"}},
		{"not UTF-8", []byte{0xff, 0xfe, 0xfa, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1}, 0, []string{"binary"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := ParseTable("sql_x", tt.data)
			if err == nil {
				t.Fatalf("no error; table %+v", tab)
			}
			if tab != nil {
				t.Error("a table returned with an error")
			}
			wantParseError(t, err, "sql_x", tt.line, tt.subs...)
		})
	}
}
