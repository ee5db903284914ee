package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

// scoped is a small run of scope sc over devices, each ok unless listed
// in failed.
func scoped(sc Scope, source string, devices []string, failed ...string) RunRecord {
	rec := RunRecord{Started: t0, Ended: t0, Source: source, Version: "test", Scope: sc, Findings: []rules.Finding{}}
	for _, d := range devices {
		r := report.DeviceResult{Name: d, Platform: "ios", Status: facts.StatusOK}
		for _, f := range failed {
			if f == d {
				r.Status, r.Error = facts.StatusFailed, "connection refused"
			}
		}
		rec.Devices = append(rec.Devices, r)
	}
	return rec
}

func save(t *testing.T, s *Store, rec RunRecord) int64 {
	t.Helper()
	id, err := s.SaveRun(context.Background(), rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Issue 14.2: a run is compared with the previous run of its own scope:
// a --limit run between two full runs, and another site's run, are not
// "the previous run" of a full run.
func TestPreviousOfScope(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, Options{})
	siteA := Scope{Inventory: "/etc/kaudit/site-a.yaml"}
	limitA := Scope{Inventory: "/etc/kaudit/site-a.yaml", Limit: "sw-b01"}
	siteB := Scope{Inventory: "/etc/kaudit/site-b.yaml"}
	a1 := save(t, s, scoped(siteA, "live /etc/kaudit/site-a.yaml", []string{"sw-a01", "sw-b01"}))
	l1 := save(t, s, scoped(limitA, "live /etc/kaudit/site-a.yaml (--limit sw-b01)", []string{"sw-b01"}))
	b1 := save(t, s, scoped(siteB, "live /etc/kaudit/site-b.yaml", []string{"sw-c01"}))
	for _, tc := range []struct {
		name   string
		sc     Scope
		source string
		before int64
		want   int64
	}{
		{"site A after a limit run and site B", siteA, "live /etc/kaudit/site-a.yaml", 0, a1},
		{"the limit run", limitA, "live /etc/kaudit/site-a.yaml (--limit sw-b01)", 0, l1},
		{"site B", siteB, "live /etc/kaudit/site-b.yaml", 0, b1},
		{"before the first run of A", siteA, "live /etc/kaudit/site-a.yaml", a1, 0},
		{"another limit", Scope{Inventory: siteA.Inventory, Limit: "sw-a*"}, "x", 0, 0},
		{"same source, other scope", Scope{Inventory: "/elsewhere/site-a.yaml"}, "live /etc/kaudit/site-a.yaml", 0, 0},
	} {
		got, err := s.Previous(ctx, tc.sc, tc.source, tc.before)
		if err != nil || got != tc.want {
			t.Errorf("%s: Previous = %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
	runs, err := s.Runs(ctx, 0)
	if err != nil || len(runs) != 3 || runs[0].Scope != siteB || runs[1].Scope != limitA || runs[2].Scope != siteA {
		t.Errorf("Runs scopes: %+v, %v", runs, err)
	}
	rec, err := s.Run(ctx, l1)
	if err != nil || rec.Scope != limitA {
		t.Errorf("Run(%d).Scope = %+v, %v", l1, rec, err)
	}
}

// A device's findings that a run could not check are stored with it and
// read back; a run without any stores none.
func TestUnverifiedRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, Options{})
	rec := scoped(Scope{Inventory: "/i.yaml"}, "live /i.yaml", []string{"sw1"}, "sw1")
	rec.Unverified = []rules.Finding{{Rule: "r", Severity: rules.Critical, Device: "sw1", Object: "GigabitEthernet1/0/5",
		Phones: []string{"SEP1"}, Status: rules.StatusNotVerified, FirstSeen: "2025-03-01T02:30:00Z"}}
	id := save(t, s, rec)
	got, err := s.Run(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if mustJSON(t, got.Unverified) != mustJSON(t, rec.Unverified) {
		t.Errorf("unverified read back as %s", mustJSON(t, got.Unverified))
	}
	id = save(t, s, scoped(Scope{Inventory: "/i.yaml"}, "live /i.yaml", []string{"sw1"}))
	if got, err := s.Run(ctx, id); err != nil || got.Unverified != nil {
		t.Errorf("a run without unverified findings read back %+v, %v", got.Unverified, err)
	}
}

// The baseline of a pre-change check is the newest run that read the
// device, a whole inventory's before a --limit run's; a run where the
// device failed does not count.
func TestLatestWith(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, Options{})
	full := Scope{Inventory: "/i.yaml"}
	f1 := save(t, s, scoped(full, "live /i.yaml", []string{"sw1", "sw2"}))
	save(t, s, scoped(Scope{Inventory: "/i.yaml", Limit: "sw1"}, "live /i.yaml (--limit sw1)", []string{"sw1"}))
	save(t, s, scoped(full, "live /i.yaml", []string{"sw1", "sw2"}, "sw2"))
	l2 := save(t, s, scoped(Scope{Inventory: "/i.yaml", Limit: "sw2"}, "live /i.yaml (--limit sw2)", []string{"sw2"}))
	for dev, want := range map[string]int64{"sw1": 3, "sw2": f1, "sw3": 0} {
		if got, err := s.LatestWith(ctx, dev); err != nil || got != want {
			t.Errorf("LatestWith(%s) = %d, %v; want %d", dev, got, err, want)
		}
	}
	save(t, s, scoped(full, "live /i.yaml", []string{"sw1"}))
	if got, _ := s.LatestWith(ctx, "sw2"); got != f1 {
		t.Errorf("LatestWith(sw2) = %d after a full run without it, want %d (not the limit run %d)", got, f1, l2)
	}
}

// Runs recorded before scopes (testdata/schema-v1.db.gz) are matched by
// their source, read-only as they are and after the migration; a scoped
// run then follows them.
func TestPreviousOfLegacyRuns(t *testing.T) {
	ctx := context.Background()
	path, _ := schemaV1Copy(t)
	ro, err := OpenReadOnly(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := ro.Runs(ctx, 0)
	if err != nil || len(runs) == 0 {
		t.Fatalf("Runs: %d, %v", len(runs), err)
	}
	newest := runs[0]
	sc := Scope{Inventory: "/abs/" + newest.Source}
	if got, err := ro.Previous(ctx, sc, newest.Source, 0); err != nil || got != newest.ID || newest.Scope != (Scope{}) {
		t.Errorf("read-only schema 1: Previous = %d, %v; want %d (scope %+v)", got, err, newest.ID, newest.Scope)
	}
	ro.Close()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.Previous(ctx, sc, newest.Source, 0); err != nil || got != newest.ID {
		t.Errorf("migrated: Previous = %d, %v; want %d", got, err, newest.ID)
	}
	id := save(t, s, scoped(sc, newest.Source, []string{"sw1"}))
	if got, err := s.Previous(ctx, sc, newest.Source, 0); err != nil || got != id {
		t.Errorf("after a scoped run: Previous = %d, %v; want %d", got, err, id)
	}
	if got, err := s.Previous(ctx, Scope{Inventory: "/other"}, "other source", 0); err != nil || got != 0 {
		t.Errorf("another scope: Previous = %d, %v; want 0", got, err)
	}
}

// schemaV1Copy writes testdata/schema-v1.db.gz (two lab runs an older
// kaudit recorded) uncompressed to a temporary file and returns its path
// and content.
func schemaV1Copy(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	gz, err := os.ReadFile(filepath.Join("testdata", "schema-v1.db.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, data
}
