// Package testutil holds what many packages' tests need: the repository
// root, the shared corpus beside it, and the rule for external tools.
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot walks up from the test's working directory to the directory
// holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// ToolsRequired reports whether tests must fail instead of skipping when
// a tool they need is missing (KAUDIT_REQUIRE_TOOLS=1, set by .ci/run).
func ToolsRequired() bool { return os.Getenv("KAUDIT_REQUIRE_TOOLS") == "1" }
