package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// audit runs kaudit audit --offline dir [args] into db and returns its
// standard output, failing on an exit other than 0, 1 or 3.
func auditInto(t *testing.T, db, dir string, args ...string) string {
	t.Helper()
	code, out, errOut := kaudit(t, "", append([]string{"audit", "--offline", dir, "--store", db}, args...)...)
	if code != 0 && code != 1 && code != 3 {
		t.Fatalf("audit %s %v: exit %d\n%s", dir, args, code, errOut)
	}
	return out
}

// wantLine fails unless out has a line starting with prefix.
func wantLine(t *testing.T, what, out, prefix string) {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			return
		}
	}
	t.Errorf("%s: no line %q in:\n%.1500s", what, prefix, out)
}

// Issue 14.2: a --limit run recorded in the shared store between two
// full runs changes nothing in what the full run reports: the full run is
// compared with the previous full run (0 new, 0 resolved), and kaudit
// diff does the same. An explicit diff of the full run and the --limit
// run leaves the finding of the device outside the limit not verified.
func TestLimitRunBetweenFullRuns(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	lab := filepath.Join(labs, "case1-proxy-arp")
	auditInto(t, db, lab)
	out := auditInto(t, db, lab, "--limit", "sw-floor1")
	if strings.Contains(out, "resolved") && !strings.Contains(out, "0 resolved") {
		t.Errorf("the --limit run reports resolved findings:\n%s", out)
	}
	out = auditInto(t, db, lab)
	wantLine(t, "full run after a --limit run", out, "since run #1: 0 new, 0 resolved, 1 still open")
	_, out, _ = kaudit(t, "", "diff", "--store", db)
	wantLine(t, "kaudit diff", out, "run #1 → #3: 0 new, 0 resolved, 1 still open")
	_, out, _ = kaudit(t, "", "diff", "1", "2", "--store", db)
	wantLine(t, "kaudit diff 1 2", out, "run #1 → #2: 0 new, 0 resolved, 0 still open, 1 not verified")
	_, out, _ = kaudit(t, "", "diff", "2", "3", "--store", db)
	wantLine(t, "kaudit diff 2 3", out, "run #2 → #3: 1 new, 0 resolved")
	// The --limit run is a scope of its own: its next run is compared
	// with it, and the one-argument diff pairs runs of one scope.
	out = auditInto(t, db, lab, "--limit", "sw-floor1")
	wantLine(t, "second --limit run", out, "since run #2: 0 new, 0 resolved, 0 still open")
	_, out, _ = kaudit(t, "", "diff", "1", "--store", db)
	wantLine(t, "kaudit diff 1", out, "run #1 → #3: 0 new, 0 resolved")
}

// Two sites audited one after the other into one store are never
// compared with each other.
func TestTwoSitesOneStore(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	siteA, siteB := filepath.Join(labs, "case1-proxy-arp"), filepath.Join(labs, "case2-port-security-aging")
	if out := auditInto(t, db, siteA); strings.Contains(out, "since run") {
		t.Errorf("first run of site A compared with something:\n%s", out)
	}
	if out := auditInto(t, db, siteB); strings.Contains(out, "since run") {
		t.Errorf("first run of site B compared with site A:\n%s", out)
	}
	wantLine(t, "site A again", auditInto(t, db, siteA), "since run #1: 0 new, 0 resolved, 1 still open")
	wantLine(t, "site B again", auditInto(t, db, siteB), "since run #2: 0 new, 0 resolved, 8 still open")
	_, out, _ := kaudit(t, "", "diff", "--store", db)
	wantLine(t, "kaudit diff", out, "run #2 → #4: 0 new, 0 resolved")
}

// A switch whose running config no longer parses keeps its findings as
// not verified (never resolved), and once it parses again they are still
// open, not new.
func TestPartialDeviceCarriesFindings(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	lab := filepath.Join(labs, "case2-port-security-aging")
	// One scope: the same directory, its running config replaced
	// between runs.
	dir := filepath.Join(t.TempDir(), "site")
	copyDir(t, lab, dir)
	config := filepath.Join(dir, "sw-floor1", "show_running-config.txt")
	good, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	use := func(b []byte) {
		t.Helper()
		if err := os.WriteFile(config, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	broken := append([]byte("\x00 not a config\n"), good...)
	use(good)
	auditInto(t, db, dir)
	use(broken)
	out := auditInto(t, db, dir)
	wantLine(t, "config does not parse", out, "since run #1: 0 new, 0 resolved, 0 still open, 8 not verified")
	use(good)
	wantLine(t, "parses again", auditInto(t, db, dir), "since run #2: 0 new, 0 resolved, 8 still open")
}

// check --store starts from the newest run that read the device, a whole
// inventory's before a newer --limit run's.
func TestCheckStorePrefersFullRun(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	lab := filepath.Join(labs, "case1-proxy-arp")
	auditInto(t, db, lab)
	auditInto(t, db, lab, "--limit", "sw-floor1")
	cur, err := os.ReadFile(filepath.Join(lab, "sw-floor1", "show_running-config.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cand := filepath.Join(t.TempDir(), "cand.txt")
	if err := os.WriteFile(cand, cur, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := kaudit(t, "", "check", "--device", "sw-floor1", "--candidate", cand, "--store", db)
	if code != 0 || !strings.Contains(out, "run #1,") {
		t.Errorf("check --store: exit %d, want the full run #1\n%.800s\n%s", code, out, errOut)
	}
	code, _, errOut = kaudit(t, "", "check", "--device", "sw-nowhere", "--candidate", cand, "--store", db)
	if code != 2 || !strings.Contains(errOut, "read sw-nowhere completely") {
		t.Errorf("check of a device no run read: exit %d: %s", code, errOut)
	}
}
