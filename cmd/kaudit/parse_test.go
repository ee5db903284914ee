//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestParseFileIsBounded: kaudit parse reads FILE as offline replay does:
// /dev/zero (which os.ReadFile read until memory ran out) and a file
// larger than a command can print are refused at once, naming the file.
func TestParseFileIsBounded(t *testing.T) {
	big := filepath.Join(t.TempDir(), "show_version.txt")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: the size is there, the disk space is not.
	if err := f.Truncate(1 << 40); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, tc := range []struct{ file, want string }{
		{"/dev/zero", "/dev/zero: not a regular file"},
		{big, big + ": 1099511627776 bytes, more than the"},
	} {
		type result struct {
			code   int
			errOut string
		}
		done := make(chan result, 1)
		go func() {
			code, _, errOut := kaudit(t, "", "parse", "ios", "show_version", tc.file)
			done <- result{code, errOut}
		}()
		select {
		case r := <-done:
			if r.code != 2 || !strings.Contains(r.errOut, tc.want) {
				t.Errorf("kaudit parse ios show_version %s: exit %d %q, want 2 and %q", tc.file, r.code, r.errOut, tc.want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("kaudit parse ios show_version %s still reading after 30s", tc.file)
		}
	}
}
