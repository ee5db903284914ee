package asa

import (
	"encoding/json"
	"errors"
	"github.com/kaudit/kaudit/internal/testutil"
	"os"
	"path/filepath"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// parsers lists every parser with its key, for tests that treat them alike.
var parsers = []struct {
	key   string
	parse func([]byte, *facts.Device) error
	seed  string // testdata file
}{
	{KeyVersion, ParseVersion, "show_version.txt"},
	{KeyRunningConfig, ParseRunningConfig, "asa-voice.cfg"},
	{KeySysopt, ParseSysopt, "show_running-config_all_sysopt.txt"},
	{KeyInterface, ParseInterface, "show_interface.txt"},
	{KeyARP, ParseARP, "show_arp.txt"},
}

func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// corpusDir returns ../shared/corpus/asa/sub relative to the module root,
// skipping the test loudly when the shared corpus is not there.
func corpusDir(t *testing.T, sub string) string {
	t.Helper()
	dir := testutil.RepoRoot(t)
	c := filepath.Join(dir, "..", "shared", "corpus", "asa", sub)
	if _, err := os.Stat(c); err != nil {
		t.Skipf("SKIPPING: shared corpus %s not found (%v); corpus comparisons did not run", c, err)
	}
	return c
}

func glob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	if len(m) == 0 {
		t.Fatalf("no files match %s", pattern)
	}
	return m
}

// snapshot renders d for before/after comparisons.
func snapshot(t testing.TB, d *facts.Device) string {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mustParse runs parse on a fresh device named asa1 and fails on error.
func mustParse(t *testing.T, parse func([]byte, *facts.Device) error, data []byte) *facts.ASA {
	t.Helper()
	d := &facts.Device{Name: "asa1", Platform: facts.PlatformASA}
	if err := parse(data, d); err != nil {
		t.Fatalf("parse: %v", err)
	}
	if d.ASA == nil {
		t.Fatal("parse succeeded but left d.ASA nil")
	}
	return d.ASA
}

// asParseError checks that err is a *facts.ParseError for key on host.
func asParseError(t *testing.T, err error, key, host string) *facts.ParseError {
	t.Helper()
	var pe *facts.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *facts.ParseError", err, err)
	}
	if pe.Key != key || pe.Host != host {
		t.Errorf("error names %s/%s, want %s/%s: %v", pe.Host, pe.Key, host, key, err)
	}
	return pe
}
