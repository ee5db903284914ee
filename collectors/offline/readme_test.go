package offline

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/testutil"
)

// TestReadmeStatesTheOutputLimit: the README's offline layout section
// tells users which files are refused; the size it gives is the one
// ReadOutput enforces.
func TestReadmeStatesTheOutputLimit(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`binary, over (\d+) MiB`).FindAllSubmatch(b, -1)
	if len(m) != 1 {
		t.Fatalf("README.md: %d sentences give the offline file limit (\"binary, over N MiB\"), want 1", len(m))
	}
	n, err := strconv.Atoi(string(m[0][1]))
	if err != nil {
		t.Fatal(err)
	}
	if want := facts.MaxOutputBytes >> 20; n != want || want<<20 != facts.MaxOutputBytes {
		t.Errorf("README.md says offline files over %d MiB are refused; facts.MaxOutputBytes is %d bytes (%d MiB)", n, facts.MaxOutputBytes, want)
	}
}
