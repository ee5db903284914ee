package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// DirState describes every entry of dir (name, mode, size, modification
// time), one a line, so that a test can show an operation left the
// directory exactly as it was: tests run as root here, which ignores
// read-only modes, so "it did not write" has to be seen, not provoked.
func DirState(t testing.TB, dir string) string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range es {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %v %d %s\n", e.Name(), fi.Mode(), fi.Size(), fi.ModTime().Format(time.RFC3339Nano))
	}
	return b.String()
}

// MakeReadOnly makes dir and every file in it read-only (0555, 0444), as
// another user's files or a read-only mount look, and makes dir writable
// again when the test ends so that it can be removed.
func MakeReadOnly(t testing.TB, dir string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if err := os.Chmod(filepath.Join(dir, e.Name()), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
}
