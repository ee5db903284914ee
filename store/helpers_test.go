package store

import (
	"context"
	"encoding/json"
	"github.com/kaudit/kaudit/internal/testutil"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/synth"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

// repoRoot is the module root.
func repoRoot(t testing.TB) string { return testutil.RepoRoot(t) }

// deviceResult is what the audit reports for a device (the same mapping
// internal/app makes; store must not import app, which will import store).
func deviceResult(d *facts.Device) report.DeviceResult {
	r := report.DeviceResult{Name: d.Name, Platform: d.Platform, Status: d.Status, Error: d.Error, Missing: d.Missing}
	for _, e := range d.Errors {
		r.Errors = append(r.Errors, e.Error())
	}
	return r
}

var t0 = time.Date(2025, 3, 14, 2, 0, 0, 123456789, time.UTC)

// audit runs the rules over snap as an audit would and returns the record
// SaveRun gets.
func audit(snap *facts.Snapshot, source string) RunRecord {
	cfg := rules.DefaultConfig()
	snap.Join(cfg.Defaults)
	rec := RunRecord{
		Started: t0, Ended: t0.Add(3 * time.Second), Source: source,
		InventoryDigest: "sha256:0f1e2d", Version: "test", Findings: rules.Evaluate(snap, cfg),
	}
	for _, d := range snap.Devices {
		rec.Devices = append(rec.Devices, deviceResult(d))
	}
	res := report.Result{Devices: rec.Devices, Findings: rec.Findings, FailOn: rules.Warning}
	rec.ExitCode = res.ExitCode()
	return rec
}

// labRun audits one of the repository's lab scenarios (saved outputs).
func labRun(t testing.TB, lab string) (RunRecord, *facts.Snapshot) {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "testdata", "labs", lab)
	inv, err := offline.Load(dir)
	if err != nil {
		t.Fatalf("lab %s: %v", lab, err)
	}
	snap, err := offline.Collect(context.Background(), dir, inv)
	if err != nil {
		t.Fatalf("lab %s: %v", lab, err)
	}
	return audit(snap, "offline testdata/labs/"+lab), snap
}

func labs(t testing.TB) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "labs", "*", "inventory.yaml"))
	if err != nil || len(m) == 0 {
		t.Fatalf("no labs under testdata/labs: %v", err)
	}
	var out []string
	for _, p := range m {
		out = append(out, filepath.Base(filepath.Dir(p)))
	}
	return out
}

func synthRun(devices, badEvery int) (RunRecord, *facts.Snapshot) {
	snap := synth.Snapshot(synth.Options{Devices: devices, BadEvery: badEvery, PhonesInCUCM: true})
	return audit(snap, "synthetic"), snap
}

func openTemp(t testing.TB, opt Options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(context.Background(), path, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// count runs a COUNT query against the store.
func count(t testing.TB, s *Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// dbSize is the size of the store file once the WAL is folded into it.
func dbSize(t testing.TB, s *Store) int64 {
	t.Helper()
	if _, err := s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
