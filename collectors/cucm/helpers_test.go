package cucm

import (
	"errors"
	"github.com/kaudit/kaudit/internal/testutil"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// readTestdata returns testdata/name.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// lineText returns line n (1-based) of data as facts.Lines presents it.
func lineText(data []byte, n int) string {
	var text string
	facts.Lines(data, func(ln facts.Line) bool {
		if ln.N == n {
			text = ln.Text
			return false
		}
		return true
	})
	return text
}

func lineCount(data []byte) int {
	n := 0
	facts.Lines(data, func(facts.Line) bool { n++; return true })
	return n
}

// corpusDir is ../shared/corpus next to the repository root, or "" when
// there is no such directory.
func corpusDir(t testing.TB) string {
	t.Helper()
	c := filepath.Join(testutil.RepoRoot(t), "..", "shared", "corpus")
	if fi, err := os.Stat(c); err != nil || !fi.IsDir() {
		return ""
	}
	return c
}

// wantParseError checks that err is a ParseError for key at line whose
// message contains every one of subs.
func wantParseError(t *testing.T, err error, key string, line int, subs ...string) {
	t.Helper()
	var pe *facts.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *facts.ParseError", err, err)
	}
	if pe.Key != key || pe.Line != line {
		t.Errorf("error at %s:%d, want %s:%d (%v)", pe.Key, pe.Line, key, line, err)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}
