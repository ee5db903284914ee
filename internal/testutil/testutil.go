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

// MissingTool ends a test that cannot run here (no root, a tool not
// installed): a loud skip on a developer's machine, a failure when
// KAUDIT_REQUIRE_TOOLS=1 (set by .ci/run, which installs every tool).
func MissingTool(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("KAUDIT_REQUIRE_TOOLS") == "1" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPING: " + msg)
}
