package app

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

// lab50 builds the issue 15 scale lab: case2's CUCM nodes and fifty
// copies of its access switch, each under its own name.
func lab50(t *testing.T) string {
	t.Helper()
	src := filepath.Join(labsDir, "case2-port-security-aging")
	dir := t.TempDir()
	inv := "defaults:\n  username: audit\n  password: {env: KAUDIT_PASSWORD}\nhosts:\n" +
		"  cucm-pub:\n    platform: cucm\n    address: 10.10.10.202\n    roles: [cucm-primary]\n    data: {ip: 10.10.10.202}\n" +
		"  cucm-sub:\n    platform: cucm\n    address: 10.10.10.203\n    roles: [cucm-backup]\n    data: {ip: 10.10.10.203}\n"
	copyDir := func(from, to string, rename func([]byte) []byte) {
		ents, err := os.ReadDir(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(to, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(from, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(to, e.Name()), rename(b), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	same := func(b []byte) []byte { return b }
	copyDir(filepath.Join(src, "cucm-pub"), filepath.Join(dir, "cucm-pub"), same)
	copyDir(filepath.Join(src, "cucm-sub"), filepath.Join(dir, "cucm-sub"), same)
	for i := 1; i <= 50; i++ {
		name := fmt.Sprintf("sw-%02d", i)
		copyDir(filepath.Join(src, "sw-floor1"), filepath.Join(dir, name), func(b []byte) []byte {
			return bytes.ReplaceAll(b, []byte("sw-floor1"), []byte(name))
		})
		inv += fmt.Sprintf("  %s:\n    platform: ios\n    address: 10.20.1.%d\n", name, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "inventory.yaml"), []byte(inv), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestReportScale50 renders the 50-switch lab (400 findings): grouped, the
// table report stays under 600 lines (it was 7,197 lines with one entry
// per finding).
func TestReportScale50(t *testing.T) {
	dir := lab50(t)
	res := Evaluate(loadDir(t, dir), policy.Default(), "offline lab50", time.Time{}, rules.Warning)
	if len(res.Findings) != 400 {
		t.Fatalf("%d findings, want 400 (8 per switch)", len(res.Findings))
	}
	var buf bytes.Buffer
	if err := (&report.TableWriter{}).Write(&buf, res); err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(buf.String(), "\n")
	t.Logf("50-switch lab: table %d lines, %d groups", lines, len(report.GroupFindings(res).Groups))
	if lines >= 600 {
		t.Errorf("table report %d lines, want under 600", lines)
	}
	var h bytes.Buffer
	if err := (report.HTMLWriter{}).Write(&h, res); err != nil {
		t.Fatal(err)
	}
	t.Logf("50-switch lab: html %d bytes", h.Len())
}
