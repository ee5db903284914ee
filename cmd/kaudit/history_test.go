package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/internal/testutil"
)

// twoRuns records two audits of a lab into dir/h.db and returns its path.
func twoRuns(t *testing.T, dir string) string {
	t.Helper()
	db := filepath.Join(dir, "h.db")
	for i := 0; i < 2; i++ {
		if code, _, errOut := kaudit(t, "", "audit", "--offline", labs+"/case2-port-security-aging", "--store", db); code != 1 {
			t.Fatalf("audit %d: exit %d %s", i+1, code, errOut)
		}
	}
	return db
}

// The read commands work on a store and directory that are read-only and
// leave both as they were: no -wal, -shm or -journal beside the file. Each
// runs twice: in-process, as root here, which ignores the modes (so what
// shows is the directory left as it was), and as a user who may not write
// there, which is the failure the modes cause ("attempt to write a
// readonly database").
func TestHistoryReadOnlyStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "history")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := twoRuns(t, dir)
	testutil.MakeReadOnly(t, dir)
	before := testutil.DirState(t, dir)
	other := asOtherUser(t, dir)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"runs", "--store", db}, 0, "offline " + labs + "/case2-port-security-aging"},
		{[]string{"diff", "--store", db}, 0, "run #1 → #2: 0 new, 0 resolved"},
		{[]string{"show", "2", "--store", db, "--format", "json"}, 1, `"rule": "port-security-aging-shorter-than-keepalive"`},
	} {
		for _, k := range []struct {
			who string
			run func(t *testing.T, stdin string, args ...string) (int, string, string)
		}{{"in-process", kaudit}, {"as another user", other}} {
			code, out, errOut := k.run(t, "", tc.args...)
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("kaudit %s (%s): exit %d, want %d and %q\nstdout: %.400s\nstderr: %s", strings.Join(tc.args, " "), k.who, code, tc.code, tc.want, out, errOut)
			}
			if after := testutil.DirState(t, dir); after != before {
				t.Errorf("kaudit %s (%s) changed the store's directory:\nbefore\n%safter\n%s", strings.Join(tc.args, " "), k.who, before, after)
			}
		}
	}
}

// A store path with nothing there is an error naming it (exit 2), and the
// read commands create neither the file nor its directories, whether the
// path is given or the default one.
func TestHistoryMissingStore(t *testing.T) {
	root := t.TempDir()
	db := filepath.Join(root, "nonexistent", "dir", "x.db")
	t.Setenv("XDG_DATA_HOME", root)
	def := filepath.Join(root, "kaudit", "history.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"runs", "--store", db}, db},
		{[]string{"diff", "--store", db}, db},
		{[]string{"show", "1", "--store", db}, db},
		{[]string{"runs"}, def},
		{[]string{"diff", "1", "2"}, def},
		{[]string{"show", "1"}, def},
	} {
		args, want := tc.args, tc.want
		code, out, errOut := kaudit(t, "", args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "no run history at "+want+": run kaudit audit first, or pass --store") {
			t.Errorf("kaudit %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
		}
		if st := testutil.DirState(t, root); st != "" {
			t.Fatalf("kaudit %s created:\n%s", strings.Join(args, " "), st)
		}
	}
}

// A file that is not a kaudit store is refused by name, and left alone.
func TestHistoryNotAStore(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	data := []byte(strings.Repeat("hostname sw1\n", 600))
	if err := os.WriteFile(junk, data, 0o600); err != nil {
		t.Fatal(err)
	}
	before := testutil.DirState(t, dir)
	for _, args := range [][]string{{"runs", "--store", junk}, {"diff", "--store", junk}, {"show", "1", "--store", junk}} {
		code, _, errOut := kaudit(t, "", args...)
		if code != 2 || !strings.Contains(errOut, junk) || !strings.Contains(errOut, "not a kaudit history") {
			t.Errorf("kaudit %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
	}
	if after := testutil.DirState(t, dir); after != before {
		t.Errorf("directory changed:\nbefore\n%safter\n%s", before, after)
	}
}

// A run the store could not record leaves the nightly job's history with a
// gap: the audit exits 3 (unless findings give 1) and every report format
// says the run was not recorded and why. The store's directory is a
// regular file, which fails the write even as root.
func TestAuditStoreWriteFails(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("not a directory\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(file, "h.db")
	for _, tc := range []struct {
		lab  string
		code int
	}{
		{"clean", 3},
		{"case2-port-security-aging", 1}, // findings win, as over a failed device
	} {
		for _, format := range []string{"table", "markdown", "html", "json", "junit"} {
			code, out, errOut := kaudit(t, "", "audit", "--offline", labs+"/"+tc.lab, "--store", db, "--format", format)
			if code != tc.code {
				t.Errorf("%s, %s: exit %d, want %d\nstderr: %s", tc.lab, format, code, tc.code, errOut)
			}
			for _, want := range []string{"run not recorded in the history", db, "not a directory"} {
				if !strings.Contains(out, want) {
					t.Errorf("%s, %s: report lacks %q:\n%.1500s", tc.lab, format, want, out)
				}
			}
			if !strings.Contains(errOut, "run not recorded") {
				t.Errorf("%s, %s: stderr lacks the failure: %s", tc.lab, format, errOut)
			}
		}
	}
	// --no-store is a choice, not a failure.
	if code, out, _ := kaudit(t, "", "audit", "--offline", labs+"/clean", "--store", db, "--no-store"); code != 0 || strings.Contains(out, "not recorded") {
		t.Errorf("--no-store: exit %d\n%s", code, out)
	}
}
