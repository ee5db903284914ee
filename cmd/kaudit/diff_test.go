package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newFindingsStore records into a store three runs of one scope (a copy
// of case 2): its switch's config not parsing (no finding), then parsing
// (7 critical and 1 warning finding new), then unchanged. It returns the
// store and the directory.
func newFindingsStore(t *testing.T, extra ...string) (db, dir string) {
	t.Helper()
	db = filepath.Join(t.TempDir(), "h.db")
	dir = filepath.Join(t.TempDir(), "site")
	copyDir(t, filepath.Join(labs, "case2-port-security-aging"), dir)
	config := filepath.Join(dir, "sw-floor1", "show_running-config.txt")
	good, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{append([]byte("\x00 not a config\n"), good...), good, good} {
		if err := os.WriteFile(config, b, 0o644); err != nil {
			t.Fatal(err)
		}
		auditInto(t, db, dir, extra...)
	}
	return db, dir
}

// Issue 14.3: kaudit diff --fail-on-new exits 1 exactly when a finding at
// or above the severity is new and not waived, and 0 otherwise, so that a
// cron job or CI can alert on it.
func TestDiffFailOnNew(t *testing.T) {
	db, _ := newFindingsStore(t)
	for _, tc := range []struct {
		args []string
		code int
		out  string
		err  string
	}{
		{[]string{"diff", "1", "2", "--fail-on-new", "critical"}, 1, "run #1 → #2: 8 new, 0 resolved", "7 new finding(s) at or above critical since run #1"},
		{[]string{"diff", "1", "2", "--fail-on-new", "warning"}, 1, "8 new", "8 new finding(s) at or above warning"},
		{[]string{"diff", "1", "2"}, 0, "8 new", ""},
		{[]string{"diff", "--fail-on-new", "info"}, 0, "run #2 → #3: 0 new, 0 resolved, 8 still open", ""},
		{[]string{"diff", "1", "2", "--fail-on-new", "bogus"}, 2, "", "--fail-on-new"},
		{[]string{"diff", "--format", "xml"}, 2, "", "want table, json or markdown"},
	} {
		code, out, errOut := kaudit(t, "", append(tc.args, "--store", db)...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.err) {
			t.Errorf("kaudit %s: exit %d, want %d with %q / %q\nstdout: %.600s\nstderr: %s", strings.Join(tc.args, " "), code, tc.code, tc.out, tc.err, out, errOut)
		}
	}
}

// A new finding a waiver accepts does not fail --fail-on-new.
func TestDiffFailOnNewWaived(t *testing.T) {
	pol := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(pol, []byte("waivers:\n  - rule: port-security-aging-shorter-than-keepalive\n    device: sw-floor1\n    reason: replaced next week\n    owner: netops\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db, _ := newFindingsStore(t, "--policy", pol)
	code, out, errOut := kaudit(t, "", "diff", "1", "2", "--fail-on-new", "info", "--store", db)
	if code != 0 || !strings.Contains(out, "8 new") {
		t.Errorf("waived new findings: exit %d\n%s\n%s", code, out, errOut)
	}
}

// kaudit diff --format json and markdown carry the same comparison for
// machines and mail.
func TestDiffFormats(t *testing.T) {
	db, _ := newFindingsStore(t)
	code, out, errOut := kaudit(t, "", "diff", "1", "2", "--format", "json", "--fail-on-new", "critical", "--store", db)
	var raw struct {
		From    int64            `json:"from"`
		To      int64            `json:"to"`
		Summary map[string]int   `json:"summary"`
		New     []map[string]any `json:"new"`
		Changes []string         `json:"changes"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil || code != 1 {
		t.Fatalf("json: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	if raw.From != 1 || raw.To != 2 || raw.Summary["new"] != 8 || raw.Summary["open"] != 0 || raw.Summary["not_verified"] != 0 || len(raw.New) != 8 {
		t.Errorf("json diff: %+v", raw)
	}
	for _, f := range raw.New {
		if fp, _ := f["fingerprint"].(string); len(fp) != 64 || f["status"] != "new" || f["first_seen"] == "" {
			t.Errorf("new finding %v", f)
		}
	}
	code, out, _ = kaudit(t, "", "diff", "--format", "markdown", "--store", db)
	if code != 0 || !strings.Contains(out, "# kaudit: run #2 → #3") || !strings.Contains(out, "## Still open (8)") || !strings.Contains(out, "| **critical** |") {
		t.Errorf("markdown diff: exit %d\n%s", code, out)
	}
}

// The audit's JSON report says of each finding whether it is new or open
// since the previous run of its scope and when it was first seen, and
// lists the findings of a switch it could not read as not verified.
func TestAuditJSONStatus(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	dir := filepath.Join(t.TempDir(), "site")
	copyDir(t, filepath.Join(labs, "case2-port-security-aging"), dir)
	config := filepath.Join(dir, "sw-floor1", "show_running-config.txt")
	good, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	type finding struct {
		Fingerprint string `json:"fingerprint"`
		Status      string `json:"status"`
		FirstSeen   string `json:"first_seen"`
	}
	run := func(b []byte) (statuses map[string]int, first map[string]string, notVerified int) {
		t.Helper()
		if err := os.WriteFile(config, b, 0o644); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Summary struct {
				NotVerified int `json:"not_verified_findings"`
			} `json:"summary"`
			Findings []finding `json:"findings"`
		}
		if err := json.Unmarshal([]byte(auditInto(t, db, dir, "--format", "json")), &doc); err != nil {
			t.Fatal(err)
		}
		statuses, first = map[string]int{}, map[string]string{}
		for _, f := range doc.Findings {
			statuses[f.Status]++
			first[f.Fingerprint] = f.FirstSeen
		}
		return statuses, first, doc.Summary.NotVerified
	}
	s1, first1, _ := run(good)
	if s1["new"] != 8 || len(s1) != 1 {
		t.Errorf("first run statuses %v, want 8 new", s1)
	}
	s2, _, nv := run(append([]byte("\x00 not a config\n"), good...))
	if s2["not verified"] != 8 || len(s2) != 1 || nv != 8 {
		t.Errorf("unreadable switch: statuses %v (%d not verified), want 8 not verified", s2, nv)
	}
	s3, first3, _ := run(good)
	if s3["open"] != 8 || len(s3) != 1 {
		t.Errorf("switch read again: statuses %v, want 8 open", s3)
	}
	for fp, seen := range first1 {
		if seen == "" || first3[fp] != seen {
			t.Errorf("%s first seen %q, then %q", fp, seen, first3[fp])
		}
	}
}
