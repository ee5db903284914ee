package clidump

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// rowBytes is the most bytes one hex row holds on every layout.
const rowBytes = 16

// token is one blank-separated word of a row and where it ends.
type token struct {
	text       string
	start, end int
}

func tokens(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		if j > i {
			out = append(out, token{s[i:j], i, j})
		}
		i = j
	}
	return out
}

// groupWidths says which hex group widths (in digits) a layout prints.
type groupWidths func(digits int) bool

func bytesGroups(d int) bool { return d == 2 }                       // 6c 5e 3b
func shortGroups(d int) bool { return d == 2 || d == 4 }             // a453 0ef3 (ASA)
func wordGroups(d int) bool  { return d >= 2 && d%2 == 0 && d <= 8 } // 00000C07

// decodeRow reads the hex groups of a row body (what follows the offset)
// and tells them from the ASCII column after them. The ASCII column may
// follow after a tab, after several spaces or after a single space (the
// ASA does that), and may itself look like hex ("cafe"), so the split is
// the longest run of groups whose bytes the ASCII column renders; when no
// run matches (a device that renders bytes its own way), a tab or a run
// of spaces ends the groups, else the first word that is no group. max
// is how many bytes the row may hold.
func decodeRow(body string, ok groupWidths, max int) ([]byte, error) {
	toks := tokens(body)
	n, size := 0, 0
	for _, t := range toks {
		if !ok(len(t.text)) || !isHex(t.text) || size+len(t.text)/2 > max {
			break
		}
		// A short group ends the row: only the last group may be short.
		if n > 0 && len(toks[n-1].text) < len(t.text) {
			break
		}
		n++
		size += len(t.text) / 2
	}
	if n == 0 {
		return nil, fmt.Errorf("no hex bytes in %q", clip(body))
	}
	for k := n; k >= 1; k-- {
		rest := strings.TrimSpace(body[toks[k-1].end:])
		if rest == "" {
			continue
		}
		b := groupBytes(toks[:k])
		if asciiMatches(rest, b) {
			return b, nil
		}
	}
	for k := 1; k < n; k++ {
		gap := body[toks[k-1].end:toks[k].start]
		if strings.Contains(gap, "\t") || len(gap) >= 2 {
			return groupBytes(toks[:k]), nil
		}
	}
	// No ASCII column, or one in a rendering of its own after a single
	// space: the groups run to the first word that cannot be one.
	return groupBytes(toks[:n]), nil
}

func groupBytes(toks []token) []byte {
	var b []byte
	for _, t := range toks {
		v, _ := hex.DecodeString(t.text)
		b = append(b, v...)
	}
	return b
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return len(s) > 0
}

// asciiMatches says whether col is the ASCII rendering of b, trimmed as
// a line is: '.' stands for any byte; a printable byte is itself, or
// itself with the high bit cleared (classic IOS prints 0xB0 as '0').
func asciiMatches(col string, b []byte) bool {
	lo, hi := 0, len(b)
	for lo < hi && isSpace(b[lo]) {
		lo++
	}
	for hi > lo && isSpace(b[hi-1]) {
		hi--
	}
	b = b[lo:hi]
	if len(col) != len(b) {
		return false
	}
	for i, c := range []byte(col) {
		if c == '.' || c == b[i] || c == b[i]&0x7f {
			continue
		}
		return false
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == 0xa0 }

// printable renders b as dump ASCII columns do: '.' for what is not
// printable.
func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c >= 0x7f {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
