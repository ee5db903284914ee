package main

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/internal/devsim"
	"github.com/kaudit/kaudit/internal/labsim"
	"github.com/kaudit/kaudit/inventory"
	"github.com/kaudit/kaudit/store"
)

// The nightly audit records the outputs, so a pre-change check against
// the store patches the recorded running config (issue 14.4): the same
// verdict as against the saved outputs themselves.
func TestCheckStorePatch(t *testing.T) {
	db := filepath.Join(t.TempDir(), "history.db")
	lab := filepath.Join(labs, "case1-proxy-arp")
	if code, _, errOut := kaudit(t, "", "audit", "--offline", lab, "--store", db); code != 1 {
		t.Fatalf("audit: exit %d %s", code, errOut)
	}
	patch := writeTemp(t, "p.txt", "sysopt noproxyarp voice\n")
	saved := filepath.Join(t.TempDir(), "cand.txt")
	code, out, errOut := kaudit(t, "", "check", "--device", "asa-edge", "--patch", patch, "--store", db, "--save-candidate", saved)
	if code != 0 || !strings.Contains(out, "0 introduced, 1 resolved") || !strings.Contains(out, "run #1") {
		t.Fatalf("patch against the store: exit %d\n%s\n%s", code, out, errOut)
	}
	code, want, _ := kaudit(t, "", "check", "--device", "asa-edge", "--patch", patch, "--offline", lab)
	if code != 0 || summaryOf(out) != summaryOf(want) {
		t.Errorf("store and offline disagree:\n%s\n---\n%s", summaryOf(out), summaryOf(want))
	}
	cand, err := os.ReadFile(saved)
	cur, _ := os.ReadFile(filepath.Join(lab, "asa-edge", "show_running-config.txt"))
	if err != nil || !bytes.Contains(cand, []byte("sysopt noproxyarp voice")) || len(cand) < len(cur) {
		t.Errorf("the patched config is not the recorded one patched (%v):\n%.300s", err, cand)
	}
	// A patch that does not parse names the patch file, as offline.
	bad := writeTemp(t, "bad.txt", "interface GigabitEthernet0/9\n nameif\n")
	if code, _, errOut := kaudit(t, "", "check", "--device", "asa-edge", "--patch", bad, "--store", db); code != 2 || !strings.Contains(errOut, "bad.txt") {
		t.Errorf("bad patch: exit %d %s", code, errOut)
	}
}

// summaryOf is a check report without the lines that name its source.
func summaryOf(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if !strings.Contains(l, "kaudit") && !strings.Contains(l, "started") && !strings.Contains(l, "took") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// show --save-raw writes a recorded run back out in the offline layout:
// the files are the ones audited, and an offline audit of them finds
// what the run found.
func TestShowSaveRaw(t *testing.T) {
	db := filepath.Join(t.TempDir(), "history.db")
	lab := filepath.Join(labs, "case2-port-security-aging")
	if code, _, errOut := kaudit(t, "", "audit", "--offline", lab, "--store", db); code != 1 {
		t.Fatalf("audit: exit %d %s", code, errOut)
	}
	out := filepath.Join(t.TempDir(), "raw")
	code, _, errOut := kaudit(t, "", "show", "1", "--store", db, "--save-raw", out, "--format", "json")
	if code != 1 || !strings.Contains(errOut, "run #1 written to "+out) {
		t.Fatalf("show --save-raw: exit %d %s", code, errOut)
	}
	inv, err := offline.Load(lab)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range inv.Hosts {
		files, _ := os.ReadDir(filepath.Join(lab, h.Name))
		for _, f := range files {
			want, _ := os.ReadFile(filepath.Join(lab, h.Name, f.Name()))
			got, err := os.ReadFile(filepath.Join(out, h.Name, f.Name()))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s/%s: written back differs (%v)", h.Name, f.Name(), err)
			}
		}
	}
	findings := func(dir string) string {
		t.Helper()
		code, js, errOut := kaudit(t, "", "audit", "--offline", dir, "--no-store", "--format", "json")
		if code != 1 {
			t.Fatalf("audit %s: exit %d %s", dir, code, errOut)
		}
		var doc struct{ Findings []json.RawMessage }
		if err := json.Unmarshal([]byte(js), &doc); err != nil {
			t.Fatal(err)
		}
		return string(bytes.Join(func() [][]byte {
			var b [][]byte
			for _, f := range doc.Findings {
				b = append(b, f)
			}
			return b
		}(), []byte("\n")))
	}
	if got, want := findings(out), findings(lab); got != want || got == "" {
		t.Errorf("the run written back audits differently:\n%.600s\n---\n%.600s", got, want)
	}

	// A run recorded without outputs has nothing to write.
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Run(context.Background(), 1)
	if err == nil {
		_, err = st.SaveRun(context.Background(), *rec, nil)
	}
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "none")
	if code, _, errOut := kaudit(t, "", "show", "2", "--store", db, "--save-raw", empty); code != 2 || !strings.Contains(errOut, "run #2 recorded no outputs") {
		t.Errorf("show --save-raw of a run without outputs: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(empty); err == nil {
		t.Errorf("%s created for a run without outputs", empty)
	}
}

// A device that prints the audit's own login password in its config
// (username ... password 0 <it>) must not get it into the history: not
// into the file's bytes, not into any blob once decompressed.
func TestStoreKeepsNoSecret(t *testing.T) {
	ctx := context.Background()
	var canary string
	lab, err := labsim.Serve(ctx, filepath.Join(labs, "case2-port-security-aging"), labsim.Options{
		Dir: t.TempDir(),
		Tune: func(h *devsim.Host) {
			if h.Name != "sw-floor1" {
				return
			}
			canary = h.Password
			cfg, err := os.ReadFile(filepath.Join(h.Dir, "show_running-config.txt"))
			if err != nil {
				t.Error(err)
				return
			}
			withSecret := strings.Replace(string(cfg), "\nhostname ", "\nusername netops privilege 15 password 0 "+h.Password+"\nhostname ", 1)
			h.Handler = func(cli string) (string, bool) {
				return withSecret, cli == "show running-config"
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	if len(canary) < 16 {
		t.Fatalf("no login password to look for: %q", canary)
	}
	inv := filepath.Join(t.TempDir(), "inventory.yaml")
	if err := os.WriteFile(inv, inventory.Marshal(lab.Inventory), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "history.db")
	if code, _, errOut := kaudit(t, "", "audit", "-i", inv, "--store", db, "--format", "json"); code != 1 {
		t.Fatalf("live audit: exit %d %s", code, errOut)
	}
	// The running config did reach the store, redacted.
	raw := filepath.Join(t.TempDir(), "raw")
	if code, _, errOut := kaudit(t, "", "show", "1", "--store", db, "--save-raw", raw); code != 1 {
		t.Fatalf("show --save-raw: exit %d %s", code, errOut)
	}
	cfg, err := os.ReadFile(filepath.Join(raw, "sw-floor1", "show_running-config.txt"))
	if err != nil || !bytes.Contains(cfg, []byte("password 0 <redacted>")) {
		t.Fatalf("the stored running config is not the redacted one (%v)", err)
	}
	for _, p := range []string{db, db + "-wal"} {
		data, err := os.ReadFile(p)
		if err != nil && p == db {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(canary)) {
			t.Errorf("%s holds the login password", p)
		}
	}
	for i, b := range storeBlobs(t, db) {
		if bytes.Contains(b, []byte(canary)) {
			t.Errorf("blob %d holds the login password once decompressed", i)
		}
	}
}

// storeBlobs returns every blob of the store at path, decompressed: gzip,
// or a binary blob (store/codec_blob.go: "kb\x01", the schema's sha256,
// two uvarints, flate), whose strings are written as they are.
func storeBlobs(t *testing.T, path string) [][]byte {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT data FROM blobs")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			t.Fatal(err)
		}
		var zr io.Reader
		if rest, ok := bytes.CutPrefix(data, []byte("kb\x01")); ok && len(rest) > 32 {
			r := bytes.NewReader(rest[32:])
			for range 2 {
				if _, err := binary.ReadUvarint(r); err != nil {
					t.Fatalf("blob %d: %v", len(out), err)
				}
			}
			zr = flate.NewReader(r)
		} else if zr, err = gzip.NewReader(bytes.NewReader(data)); err != nil {
			t.Fatalf("blob %d is neither gzip nor binary: %v", len(out), err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	if len(out) < 10 {
		t.Fatalf("only %d blobs in the store", len(out))
	}
	return out
}
