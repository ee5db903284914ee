package cucm

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestNotATableQuotesLittle: a file that is not a run sql table (a
// planted copy of a secret file, say) gets only the first few dozen bytes
// of its first line quoted in the error, cut on a character boundary.
func TestNotATableQuotesLittle(t *testing.T) {
	for _, line := range []string{
		"root:$6$0123456789abcdef$" + strings.Repeat("Z", 40) + ":20228:0:99999:7:::",
		strings.Repeat("é", 60),
	} {
		_, err := ParseTable(KeySIPProfiles, []byte(line+"\n"))
		if err == nil {
			t.Fatalf("%q: no error", line)
		}
		msg := err.Error()
		_, quote, ok := strings.Cut(msg, `: "`)
		if !ok {
			t.Fatalf("no quote in %q", msg)
		}
		quote = strings.TrimSuffix(quote, `"`)
		if len(quote) > maxQuote+len("...") || strings.Contains(msg, "20228") || !utf8.ValidString(msg) {
			t.Errorf("quotes too much (%d bytes, at most %d): %s", len(quote), maxQuote, msg)
		}
		if !strings.HasPrefix(line, strings.TrimSuffix(quote, "...")[:10]) {
			t.Errorf("the quote is not the line's start: %s", msg)
		}
	}
}
