package capture

import (
	"context"
	"github.com/kaudit/kaudit/internal/testutil"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/capture/internal/pcapgen"
)

// repoRoot walks up from the package directory to the directory holding
// go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	return testutil.RepoRoot(t)
}

// corpusPcaps lists every capture under ../shared/corpus/pcap, skipping
// the test loudly when the shared corpus is absent.
func corpusPcaps(t testing.TB) []string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "..", "shared", "corpus", "pcap")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SKIP: shared corpus %s is absent: the tshark comparison on third-party captures did not run", dir)
	}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".pcap") || strings.HasSuffix(p, ".pcapng") || strings.HasSuffix(p, ".cap")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// testdataPcaps lists the generated captures under testdata.
func testdataPcaps(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, s := range pcapgen.Scenarios() {
		files = append(files, filepath.Join("testdata", s.Name))
	}
	return files
}

// needTool skips when an external tool is missing, unless
// KAUDIT_REQUIRE_TOOLS=1 makes that a failure (CI installs them).
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		testutil.MissingTool(t, name+" is not installed (apt-get install tshark): comparison with Wireshark did not run")
	}
	return p
}

func analyzeFile(t testing.TB, path string, opts Options) *FileAnalysis {
	t.Helper()
	fa, err := AnalyzeFile(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return fa
}

func build(t testing.TB, name string) ([]byte, pcapgen.Truth) {
	t.Helper()
	for _, s := range pcapgen.Scenarios() {
		if s.Name == name {
			b, tr, err := s.Build()
			if err != nil {
				t.Fatal(err)
			}
			return b, tr
		}
	}
	t.Fatalf("no scenario %s", name)
	return nil, pcapgen.Truth{}
}
