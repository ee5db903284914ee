package cucm

import (
	"strings"
	"unicode/utf8"

	"github.com/kaudit/kaudit/facts"
)

// Table is one `run sql` result as the CUCM admin CLI prints it: a line of
// column names, a line of '=' runs under them, then space-padded rows.
type Table struct {
	Key string
	// Header is the line of column names.
	Header facts.Line
	// Columns are the header names, lower-cased (Informix prints them
	// lower-case already, but aliases typed in upper case come back as
	// typed on some releases).
	Columns []string
	Rows    []Row

	spans []span
	// axl is set for rows an AXL executeSQLQuery returned (AXLTable):
	// there is no header line, and a row's line is its number.
	axl bool
}

// Row is one table row: its line and one value per column, trimmed. A
// blank cell is ""; SQL NULL stays the literal "NULL" (see IsNull).
type Row struct {
	Line   facts.Line
	Values []string
}

// span is one '=' run of the underline, in characters; end is exclusive.
type span struct{ start, end int }

// Index returns the position of the first of names present in the table
// (case-insensitive), or -1. Several names let a parser accept the aliases
// different query versions produce.
func (t *Table) Index(names ...string) int {
	for _, n := range names {
		n = strings.ToLower(n)
		for i, c := range t.Columns {
			if c == n {
				return i
			}
		}
	}
	return -1
}

// Value is the cell of column i, or "" when i is -1 (column absent).
func (r Row) Value(i int) string {
	if i < 0 || i >= len(r.Values) {
		return ""
	}
	return r.Values[i]
}

// IsNull reports whether a cell is SQL NULL or blank: both mean "not set".
func IsNull(v string) bool { return v == "" || v == "NULL" }

// ParseTable reads the output of one `run sql` command. It tolerates the
// echoed command (even when the terminal wrapped it), the trailing
// `admin:` prompt, CRLF and blank lines; it refuses output with no '='
// underline, a header that does not match the underline, and rows whose
// text falls outside the column layout, naming the line.
func ParseTable(key string, data []byte) (*Table, error) {
	if err := facts.CheckText(key, data); err != nil {
		return nil, err
	}
	t := &Table{Key: key}
	var (
		prev, first facts.Line
		inRows      bool
		err         error
	)
	facts.Lines(data, func(ln facts.Line) bool {
		text := ln.Text
		if !inRows {
			if text == "" {
				return true
			}
			if spans := underline(text); spans != nil {
				if prev.N == 0 {
					err = facts.Errorf(key, ln.N, "'=' underline with no column names above it")
					return false
				}
				t.Header, t.spans = prev, spans
				t.Columns, err = headerNames(key, prev, spans)
				inRows = err == nil
				return inRows
			}
			if isPrompt(text) {
				// Prompt lines are never column names.
				prev = facts.Line{}
				return true
			}
			if first.N == 0 {
				first = ln
			}
			prev = ln
			return true
		}
		// A pager that was not turned off leaves its prompt behind, and
		// the erase sequence leaves a bare CR mid-line: keep what the
		// terminal would have shown.
		if i := strings.LastIndexByte(text, '\r'); i >= 0 {
			text = text[i+1:]
		}
		switch {
		case strings.TrimSpace(text) == "", isPager(text):
			return true
		case isPrompt(text):
			return false
		}
		vals, col := cut(text, t.spans)
		if vals == nil {
			err = facts.Errorf(key, ln.N, "row does not fit the column layout of line %d: text outside column %q", t.Header.N, t.colName(col))
			return false
		}
		t.Rows = append(t.Rows, Row{Line: ln, Values: vals})
		return true
	})
	if err != nil {
		return nil, err
	}
	if !inRows {
		if first.N == 0 {
			return nil, facts.Errorf(key, 0, "empty output: no run sql table")
		}
		return nil, facts.Errorf(key, first.N, "not a run sql table (no line of '=' under column names): %q", clip(first.Text))
	}
	return t, nil
}

func (t *Table) colName(i int) string {
	if i >= 0 && i < len(t.Columns) {
		return t.Columns[i]
	}
	return "?"
}

func isPrompt(s string) bool { return strings.HasPrefix(s, "admin:") }

func isPager(s string) bool {
	return strings.HasPrefix(strings.TrimSpace(s), "Press <enter> for 1 line")
}

// underline returns the '=' runs of s when s is an underline (only '=' and
// spaces, at least one '='), else nil.
func underline(s string) []span {
	var spans []span
	start := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '=':
			if start < 0 {
				start = i
			}
		case ' ':
			if start >= 0 {
				spans = append(spans, span{start, i})
				start = -1
			}
		default:
			return nil
		}
	}
	if start >= 0 {
		spans = append(spans, span{start, len(s)})
	}
	return spans
}

// headerNames checks that the header has one name per '=' run, each name
// starting inside its run and ending before the next, and returns them.
func headerNames(key string, ln facts.Line, spans []span) ([]string, error) {
	text := []rune(ln.Text)
	var names []string
	for i := 0; i < len(text); {
		if text[i] == ' ' || text[i] == '\t' {
			i++
			continue
		}
		j := i
		for j < len(text) && text[j] != ' ' && text[j] != '\t' {
			j++
		}
		k := len(names)
		if k >= len(spans) {
			return nil, facts.Errorf(key, ln.N, "more column names than '=' runs under them (%d)", len(spans))
		}
		next := len(text)
		if k+1 < len(spans) {
			next = spans[k+1].start
		}
		if i < spans[k].start || i >= spans[k].end || j > next {
			return nil, facts.Errorf(key, ln.N, "column name %q is not above its '=' run (characters %d-%d)", string(text[i:j]), spans[k].start+1, spans[k].end)
		}
		names = append(names, strings.ToLower(string(text[i:j])))
		i = j
	}
	if len(names) != len(spans) {
		return nil, facts.Errorf(key, ln.N, "%d column names over %d '=' runs", len(names), len(spans))
	}
	return names, nil
}

// cut splits a row at the column positions. It returns nil and the column
// whose value spills into a gap (or before the first column) when the row
// does not fit. The CLI is expected to pad by characters, but whether every
// release does is unknown, so a row with non-ASCII text is also cut by
// bytes; when both fit, the cut whose cells contain fewer runs of padding
// (two or more spaces) wins, since a wrong cut drags padding into a cell.
func cut(s string, spans []span) ([]string, int) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	byBytes := func(boundary func(int) bool) ([]string, int) {
		return cutAt(len(s), spans, func(a, b int) string { return s[a:b] }, func(i int) byte { return s[i] }, boundary)
	}
	if ascii {
		return byBytes(nil)
	}
	r := []rune(s)
	runeVals, col := cutAt(len(r), spans, func(a, b int) string { return string(r[a:b]) }, func(i int) byte {
		if r[i] == ' ' {
			return ' '
		}
		return 'x'
	}, nil)
	byteVals, _ := byBytes(func(i int) bool { return i >= len(s) || utf8.RuneStart(s[i]) })
	switch {
	case byteVals != nil && (runeVals == nil || paddingRuns(byteVals) < paddingRuns(runeVals)):
		return byteVals, -1
	case runeVals != nil:
		return runeVals, -1
	}
	return nil, col
}

func paddingRuns(vals []string) int {
	n := 0
	for _, v := range vals {
		n += strings.Count(v, "  ")
	}
	return n
}

// cutAt does the work of cut over an abstract sequence of n units.
// boundary, when set, says whether a cut at position i is allowed.
func cutAt(n int, spans []span, sub func(a, b int) string, at func(i int) byte, boundary func(i int) bool) ([]string, int) {
	for i := 0; i < spans[0].start && i < n; i++ {
		if at(i) != ' ' {
			return nil, 0
		}
	}
	vals := make([]string, len(spans))
	for c, sp := range spans {
		if sp.start >= n {
			break // a short row: the remaining cells are blank
		}
		end := n
		if c+1 < len(spans) {
			next := spans[c+1].start
			for i := sp.end; i < next && i < n; i++ {
				if at(i) != ' ' {
					return nil, c
				}
			}
			end = min(sp.end, n)
		}
		if boundary != nil && (!boundary(sp.start) || !boundary(end)) {
			return nil, c
		}
		vals[c] = strings.TrimSpace(sub(sp.start, end))
	}
	return vals, -1
}

// maxQuote bounds the bytes of output an error quotes: enough to
// recognise the line, too few to copy much of a file that is not a
// device output (a planted link to a secret file).
const maxQuote = 40

// clip shortens s for an error message without splitting a character.
func clip(s string) string { return clipN(s, maxQuote) }

// clipN shortens s to at most n bytes and "..." without splitting a
// character.
func clipN(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
