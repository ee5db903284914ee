package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

type roundTrip struct {
	name string
	rec  RunRecord
	snap *facts.Snapshot
	// rerun: the snapshot read back, joined and evaluated again, must give
	// the same findings (true for plain audits, not for doctored records).
	rerun bool
	// ordered: the findings are not in rules.Sort order, so the run
	// needs its stored order.
	ordered bool
}

func roundTrips(t *testing.T) []roundTrip {
	var cases []roundTrip
	for _, lab := range labs(t) {
		rec, snap := labRun(t, lab)
		cases = append(cases, roundTrip{name: "lab " + lab, rec: rec, snap: snap, rerun: true})
	}
	rec, snap := synthRun(40, 5)
	if len(rec.Findings) < 10 {
		t.Fatalf("synthetic run has %d findings, want many", len(rec.Findings))
	}
	cases = append(cases, roundTrip{name: "synthetic", rec: rec, snap: snap, rerun: true})

	// The caller's order is kept even when it is not rules.Sort's.
	rec, snap = synthRun(40, 5)
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(rec.Findings), func(i, j int) { rec.Findings[i], rec.Findings[j] = rec.Findings[j], rec.Findings[i] })
	rec.Started = time.Date(2025, 3, 14, 3, 0, 0, 5, time.FixedZone("CET", 3600))
	cases = append(cases, roundTrip{name: "shuffled findings, non-UTC times", rec: rec, snap: snap, ordered: true})

	// Devices only in the report (unreachable), only in the snapshot,
	// and findings on devices the run does not list.
	rec, snap = labRun(t, "case1-proxy-arp")
	gone := rec.Devices[0]
	rec.Devices = append(rec.Devices[1:], report.DeviceResult{
		Name: "sw-unreachable", Platform: facts.PlatformIOS, Status: facts.StatusFailed,
		Error: "dial tcp 192.0.2.7:22: i/o timeout", Missing: []string{}, Errors: []string{"sw-unreachable/show_version.txt: no output"},
	})
	rec.Findings = append(rec.Findings,
		rules.Finding{Rule: "internal-error", Severity: rules.Warning, Device: "-", Object: "rule", Phones: []string{}, Message: "rule failed", Evidence: []rules.Evidence{}, Fix: []string{}},
		rules.Finding{Rule: "ghost", Severity: rules.Info, Device: "not-in-inventory", Object: "x", Phones: []string{"SEP001122334455"}, Evidence: []rules.Evidence{}, Fix: []string{}})
	rules.Sort(rec.Findings)
	if snap.Device(gone.Name) == nil {
		t.Fatalf("lab device %s not in snapshot", gone.Name)
	}
	cases = append(cases, roundTrip{name: "report/snapshot mismatch", rec: rec, snap: snap})

	// A run that collected nothing.
	cases = append(cases, roundTrip{name: "no snapshot", rec: RunRecord{
		Started: t0, Ended: t0.Add(time.Second), Source: "live inventory.yaml", Version: "test", ExitCode: report.ExitIncomplete,
		Devices: []report.DeviceResult{{Name: "sw1", Platform: facts.PlatformIOS, Status: facts.StatusFailed, Error: "auth failed"}},
	}})

	// Two inventory entries with one name keep their own facts and order.
	rec, snap = labRun(t, "case2-port-security-aging")
	dup := *snap.Devices[0]
	dup.Address = "192.0.2.99"
	snap.Devices = append(snap.Devices, &dup)
	rec.Devices = append(rec.Devices, deviceResult(&dup))
	cases = append(cases, roundTrip{name: "duplicate device names", rec: rec, snap: snap})
	return cases
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, Options{})
	cases := roundTrips(t)
	// Save everything first: later runs share blobs with earlier ones, and
	// reading must still give each run exactly its own content.
	ids := make([]int64, len(cases))
	for i, c := range cases {
		id, err := s.SaveRun(ctx, c.rec, c.snap)
		if err != nil {
			t.Fatalf("%s: save: %v", c.name, err)
		}
		if i > 0 && id <= ids[i-1] {
			t.Fatalf("%s: id %d not above previous %d", c.name, id, ids[i-1])
		}
		ids[i] = id
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := ids[i]
			got, err := s.Run(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Started.Location() != time.UTC || !got.Started.Equal(c.rec.Started) || !got.Ended.Equal(c.rec.Ended) {
				t.Errorf("times: got %v..%v, want %v..%v in UTC", got.Started, got.Ended, c.rec.Started, c.rec.Ended)
			}
			want := c.rec
			want.ID = id
			want.Started, want.Ended = want.Started.UTC(), want.Ended.UTC()
			if want.Findings == nil { // Run never returns nil slices
				want.Findings = []rules.Finding{}
			}
			if want.Devices == nil {
				want.Devices = []report.DeviceResult{}
			}
			if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
				t.Errorf("Run(%d) differs from what was saved:\n%s", id, firstDiff(g, w))
			}

			snap, err := s.Snapshot(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			wantSnap := &facts.Snapshot{Devices: []*facts.Device{}}
			if c.snap != nil {
				wantSnap.Devices = c.snap.Devices
			}
			if g, w := mustJSON(t, snap), mustJSON(t, wantSnap); g != w {
				t.Errorf("Snapshot(%d) differs from what was saved:\n%s", id, firstDiff(g, w))
			}
			if c.rerun {
				snap.Join(rules.DefaultConfig().Defaults)
				if g, w := mustJSON(t, rules.Evaluate(snap, rules.DefaultConfig())), mustJSON(t, c.rec.Findings); g != w {
					t.Errorf("findings of the stored snapshot differ from the run's:\n%s", firstDiff(g, w))
				}
			}
			if n := count(t, s, "SELECT count(*) FROM runs WHERE id = ? AND findings_order IS NOT NULL", id); (n == 1) != c.ordered {
				t.Errorf("stored findings order: %v, want %v", n == 1, c.ordered)
			}
		})
	}
}

// firstDiff shows where two JSON texts part.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			lo := max(0, i-3)
			return "got:\n" + strings.Join(g[lo:min(len(g), i+3)], "\n") + "\nwant:\n" + strings.Join(w[lo:min(len(w), i+3)], "\n")
		}
	}
	return "lengths differ: got " + strings.Join(g[min(len(g), len(w)):], "\n") + " want " + strings.Join(w[min(len(g), len(w)):], "\n")
}

func TestRunsSummaryAndLatest(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, Options{})
	if ids, err := s.Latest(ctx, 5); err != nil || len(ids) != 0 {
		t.Fatalf("empty store: Latest = %v, %v", ids, err)
	}
	rec1, snap1 := labRun(t, "clean")
	rec2, snap2 := labRun(t, "case2-port-security-aging")
	rec2.Devices = append(rec2.Devices,
		report.DeviceResult{Name: "sw-x", Platform: "ios", Status: facts.StatusPartial, Missing: []string{"show_version"}},
		report.DeviceResult{Name: "sw-y", Platform: "ios", Status: facts.StatusFailed, Error: "timeout"},
		report.DeviceResult{Name: "sw-z", Platform: "ios", Status: "bogus"})
	rec2.Findings = append(rec2.Findings, rules.Finding{Rule: "r", Severity: rules.Critical, Device: "sw-y", Object: "o", Phones: []string{}})
	rules.Sort(rec2.Findings)
	rec2.Started = rec1.Started.Add(24 * time.Hour)
	id1, err := s.SaveRun(ctx, rec1, snap1)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := s.SaveRun(ctx, rec2, snap2)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := s.Latest(ctx, 5)
	if err != nil || !slices.Equal(ids, []int64{id2, id1}) {
		t.Fatalf("Latest(5) = %v, %v; want [%d %d]", ids, err, id2, id1)
	}
	if ids, _ := s.Latest(ctx, 1); !slices.Equal(ids, []int64{id2}) {
		t.Fatalf("Latest(1) = %v, want [%d]", ids, id2)
	}
	sums, err := s.Runs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 2 || sums[0].ID != id2 || sums[1].ID != id1 {
		t.Fatalf("Runs = %+v, want ids %d, %d", sums, id2, id1)
	}
	for i, rec := range []RunRecord{rec2, rec1} {
		got := sums[i]
		want := RunSummary{ID: got.ID, Started: rec.Started, Ended: rec.Ended, Source: rec.Source, InventoryDigest: rec.InventoryDigest,
			Version: rec.Version, ExitCode: rec.ExitCode, Devices: len(rec.Devices), Findings: len(rec.Findings), BySeverity: map[rules.Severity]int{}}
		for _, d := range rec.Devices {
			switch d.Status {
			case facts.StatusOK:
				want.DevicesOK++
			case facts.StatusPartial:
				want.DevicesPartial++
			default:
				want.DevicesFailed++
			}
		}
		for _, f := range rec.Findings {
			want.BySeverity[f.Severity]++
		}
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Errorf("summary of run %d:\n%s", got.ID, firstDiff(g, w))
		}
	}
	if sums[0].DevicesFailed != 2 || sums[0].DevicesPartial < 1 || sums[0].BySeverity[rules.Critical] < 1 {
		t.Errorf("run 2 counts: %+v", sums[0])
	}
	if sums, _ := s.Runs(ctx, 1); len(sums) != 1 || sums[0].ID != id2 {
		t.Errorf("Runs(1) = %+v", sums)
	}
	if _, err := s.Run(ctx, id2+10); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), s.Path()) {
		t.Errorf("Run(missing) = %v, want ErrNotFound naming the store", err)
	}
	if _, err := s.Snapshot(ctx, id2+10); !errors.Is(err, ErrNotFound) {
		t.Errorf("Snapshot(missing) = %v, want ErrNotFound", err)
	}
}

// TestDedup: an unchanged device adds no blob, a changed one adds exactly
// its own facts.
func TestDedup(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, Options{})
	rec, snap := labRun(t, "case1-proxy-arp")
	if _, err := s.SaveRun(ctx, rec, snap); err != nil {
		t.Fatal(err)
	}
	blobs := count(t, s, "SELECT count(*) FROM blobs")
	findings := count(t, s, "SELECT count(*) FROM findings")
	if findings != len(rec.Findings) || findings == 0 {
		t.Fatalf("findings rows = %d, want %d (one per distinct finding)", findings, len(rec.Findings))
	}
	if _, err := s.SaveRun(ctx, rec, snap); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "SELECT count(*) FROM blobs"); n != blobs {
		t.Errorf("unchanged run added %d blobs", n-blobs)
	}
	if n := count(t, s, "SELECT count(*) FROM run_devices"); n != 2*len(snap.Devices) {
		t.Errorf("run_devices rows = %d, want %d", n, 2*len(snap.Devices))
	}
	// A change that no rule reads: one new facts blob, nothing else.
	d := *snap.Devices[0]
	d.Tags = append(slices.Clone(d.Tags), "floor-1")
	snap.Devices[0] = &d
	id, err := s.SaveRun(ctx, rec, snap)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "SELECT count(*) FROM blobs"); n != blobs+1 {
		t.Errorf("one changed device added %d blobs, want 1", n-blobs)
	}
	got, err := s.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got.Devices[0].Tags, "floor-1") {
		t.Errorf("changed facts not stored: tags %v", got.Devices[0].Tags)
	}
	if fp := Fingerprint(rec.Findings[0]); count(t, s, "SELECT count(*) FROM findings WHERE fingerprint = ?", fp) != 1 {
		t.Errorf("fingerprint %s not indexed once", fp)
	}
}

// TestUnchangedRunGrowth scales the 1 MB / 10,000 devices budget down to
// 1,000 devices (the benchmark measures the full size). The file grows by
// whole 64 KB pages, so the growth is averaged over a few runs.
func TestUnchangedRunGrowth(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ctx := context.Background()
	s, _ := openTemp(t, Options{})
	rec, snap := synthRun(1000, 12)
	rec.Outputs, rec.Inventory = synthOutputs(t, snap)
	if _, err := s.SaveRun(ctx, rec, snap); err != nil {
		t.Fatal(err)
	}
	before := dbSize(t, s)
	const runs = 4
	for range runs {
		if _, err := s.SaveRun(ctx, rec, snap); err != nil {
			t.Fatal(err)
		}
	}
	growth := (dbSize(t, s) - before) / runs
	t.Logf("1,000 devices, %d findings: first run %d bytes, unchanged runs +%d bytes each", len(rec.Findings), before, growth)
	if growth > 100_000 {
		t.Errorf("an unchanged run grew the store by %d bytes, budget 100000", growth)
	}
}

func TestFingerprint(t *testing.T) {
	base := rules.Finding{Rule: "port-security-aging-shorter-than-keepalive", Severity: rules.Warning, Device: "sw1",
		Object: "GigabitEthernet1/0/5", Phones: []string{"SEP0001", "SEP0002"}, Message: "aging 1 min", Fix: []string{"interface Gi1/0/5"}}
	fp := Fingerprint(base)
	if len(fp) != 64 || strings.Trim(fp, "0123456789abcdef") != "" {
		t.Fatalf("fingerprint %q is not a sha256 hex", fp)
	}
	tests := []struct {
		name   string
		change func(*rules.Finding)
		same   bool
	}{
		{"message reworded", func(f *rules.Finding) { f.Message = "port-security aging is too short" }, true},
		{"severity overridden", func(f *rules.Finding) { f.Severity = rules.Critical }, true},
		{"fix and evidence", func(f *rules.Finding) {
			f.Fix = nil
			f.Evidence = []rules.Evidence{{Device: "sw1", What: "aging", Value: "1"}}
		}, true},
		{"phone order", func(f *rules.Finding) { f.Phones = []string{"SEP0002", "SEP0001"} }, true},
		{"phone listed twice", func(f *rules.Finding) { f.Phones = []string{"SEP0002", "SEP0001", "SEP0002"} }, true},
		{"other object", func(f *rules.Finding) { f.Object = "GigabitEthernet1/0/6" }, false},
		{"other device", func(f *rules.Finding) { f.Device = "sw2" }, false},
		{"other rule", func(f *rules.Finding) { f.Rule = "mac-aging-shorter-than-keepalive" }, false},
		// A phone plugged in or out is the same problem on the same port.
		{"phone gone", func(f *rules.Finding) { f.Phones = []string{"SEP0001"} }, true},
		{"phone added", func(f *rules.Finding) { f.Phones = []string{"SEP0001", "SEP0002", "SEP0003"} }, true},
		{"fields shifted", func(f *rules.Finding) { f.Device, f.Object = "sw1G", "igabitEthernet1/0/5" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base
			f.Phones = slices.Clone(base.Phones)
			tt.change(&f)
			if got := Fingerprint(f) == fp; got != tt.same {
				t.Errorf("same fingerprint = %v, want %v", got, tt.same)
			}
		})
	}
}

func TestDefaultPath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	tests := []struct{ xdg, want string }{
		{"/var/lib/data", "/var/lib/data/kaudit/history.db"},
		{"", filepath.Join(home, ".local", "share", "kaudit", "history.db")},
		{"relative/dir", filepath.Join(home, ".local", "share", "kaudit", "history.db")},
	}
	for _, tt := range tests {
		t.Setenv("XDG_DATA_HOME", tt.xdg)
		got, err := DefaultPath()
		if err != nil || got != tt.want {
			t.Errorf("XDG_DATA_HOME=%q: DefaultPath() = %q, %v; want %q", tt.xdg, got, err, tt.want)
		}
	}
}

func TestOpenCreates(t *testing.T) {
	ctx := context.Background()
	// A directory that does not exist yet and a name SQLite URIs would
	// otherwise misread.
	path := filepath.Join(t.TempDir(), "new dir", "hist?ory#1%.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mode string
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	if n := count(t, s, "PRAGMA page_size"); n != pageSize {
		t.Errorf("page_size = %d, want %d", n, pageSize)
	}
	var ver int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&ver); err != nil || ver != len(migrations) {
		t.Errorf("user_version = %d, %v; want %d", ver, err, len(migrations))
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("store not created at the path given: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("store mode %v, want 0600 (it holds device configurations)", fi.Mode().Perm())
	}
	rec, snap := labRun(t, "clean")
	if _, err := s.SaveRun(ctx, rec, snap); err != nil {
		t.Fatal(err)
	}
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	t.Run("empty file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "h.db")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if n := count(t, s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('blobs','findings','runs','run_devices')"); n != 4 {
			t.Errorf("%d of 4 tables created", n)
		}
		if n := count(t, s, "PRAGMA application_id"); n != appID {
			t.Errorf("application_id = %#x", n)
		}
	})
	t.Run("older store migrates and keeps its runs", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "h.db")
		s, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		rec, snap := labRun(t, "case1-proxy-arp")
		id, err := s.SaveRun(ctx, rec, snap)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		// The next release's migration, as a future kaudit would ship it.
		next := append(slices.Clone(migrations), "CREATE TABLE notes (run_id INTEGER REFERENCES runs(id), text TEXT NOT NULL)")
		s, err = open(ctx, path, Options{}, next)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if n := count(t, s, "PRAGMA user_version"); n != len(next) {
			t.Errorf("user_version = %d after migration, want %d", n, len(next))
		}
		if _, err := s.db.Exec("INSERT INTO notes VALUES (?, 'checked')", id); err != nil {
			t.Errorf("migrated table unusable: %v", err)
		}
		got, err := s.Run(ctx, id)
		if err != nil || len(got.Findings) != len(rec.Findings) {
			t.Errorf("run %d after migration: %v", id, err)
		}
		// The current kaudit now meets a newer store.
		s.Close()
		if _, err := Open(ctx, path, Options{}); err == nil || !strings.Contains(err.Error(), "newer kaudit") || !strings.Contains(err.Error(), path) {
			t.Errorf("opening a newer store: %v, want a refusal naming the path", err)
		}
	})
	t.Run("failed migration rolls back", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "h.db")
		bad := append(slices.Clone(migrations), "CREATE TABLE t1 (x); CREATE TABLE syntax error")
		if _, err := open(ctx, path, Options{}, bad); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d", len(bad))) {
			t.Fatalf("bad migration: %v", err)
		}
		s, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatalf("store after a failed migration: %v", err)
		}
		defer s.Close()
		if n := count(t, s, "SELECT count(*) FROM sqlite_master WHERE name = 't1'"); n != 0 {
			t.Error("half of a failed migration was kept")
		}
	})
}

// TestOpenRefuses: anything that is not a kaudit store is refused with an
// error naming the file, and left as it was.
func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	s, err := Open(ctx, good, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec, snap := labRun(t, "clean")
	if _, err := s.SaveRun(ctx, rec, snap); err != nil {
		t.Fatal(err)
	}
	s.Close()
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	sqliteDB := func(stmts ...string) []byte {
		p := filepath.Join(t.TempDir(), "x.db")
		s, err := open(ctx, p, Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range stmts {
			if _, err := s.db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		s.db.Exec("PRAGMA journal_mode=DELETE")
		s.Close()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rnd := make([]byte, 8192)
	rand.NewChaCha8([32]byte{3, 4}).Read(rnd)
	tests := []struct {
		name, want string
		data       []byte
		// readOnly: only OpenReadOnly refuses it (Open makes a store of it)
		readOnly bool
	}{
		{"random bytes", "not a kaudit history database", rnd, false},
		{"text file", "not a kaudit history database", []byte(strings.Repeat("hostname sw1\ninterface Gi1/0/1\n", 200)), false},
		{"truncated store", "is damaged", goodBytes[:60], false},
		{"another program's database", "tables of its own", sqliteDB("CREATE TABLE contacts (name TEXT)", "INSERT INTO contacts VALUES ('x')"), false},
		{"another application id", "another application", sqliteDB("PRAGMA application_id = 42", "PRAGMA user_version = 1", "CREATE TABLE t (x)"), false},
		{"future schema", "newer kaudit", sqliteDB("PRAGMA application_id = 1801549156", "PRAGMA user_version = 99"), false},
		{"empty file", "is empty, not a kaudit history", nil, true},
		{"empty SQLite database", "is empty, not a kaudit history", sqliteDB(), true},
	}
	openers := []struct {
		name     string
		readOnly bool
		open     func(string) (*Store, error)
	}{
		{"Open", false, func(p string) (*Store, error) { return Open(ctx, p, Options{LockTimeout: time.Second}) }},
		{"OpenReadOnly", true, func(p string) (*Store, error) { return OpenReadOnly(ctx, p, Options{LockTimeout: time.Second}) }},
	}
	for _, tt := range tests {
		for _, o := range openers {
			if tt.readOnly && !o.readOnly {
				continue
			}
			t.Run(o.name+"/"+tt.name, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "history.db")
				if err := os.WriteFile(path, tt.data, 0o600); err != nil {
					t.Fatal(err)
				}
				before := dirState(t, dir)
				s, err := o.open(path)
				if err == nil {
					s.Close()
					t.Fatal("opened")
				}
				if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
					t.Errorf("error %q: want %q and the path", err, tt.want)
				}
				after, _ := os.ReadFile(path)
				if string(after) != string(tt.data) {
					t.Error("the refused file was modified")
				}
				if st := dirState(t, dir); o.readOnly && st != before {
					t.Errorf("a read-only open changed the directory:\nbefore\n%safter\n%s", before, st)
				}
			})
		}
	}
	t.Run("directory", func(t *testing.T) {
		if _, err := Open(ctx, dir, Options{}); err == nil || !strings.Contains(err.Error(), "is a directory") {
			t.Errorf("Open(dir) = %v", err)
		}
	})
}

// TestJSONBlobs: facts and findings stored as JSON (by kaudit before the
// binary encoding, and small values still) read back, and one that does
// not match its hash is refused.
func TestJSONBlobs(t *testing.T) {
	enc := newEncoder()
	var devs []*facts.Device
	for _, lab := range labs(t) {
		_, snap := labRun(t, lab)
		devs = append(devs, snap.Devices...)
	}
	devs = append(devs, &facts.Device{Name: "<sw&1>", Error: "a > b \u2028"})
	for _, d := range devs {
		js, h, err := canonical(d)
		if err != nil {
			t.Fatal(err)
		}
		var back facts.Device
		if err := decodeBlob(enc.compress(js), h, &back); err != nil {
			t.Fatal(err)
		}
		if mustJSON(t, &back) != mustJSON(t, d) {
			t.Fatalf("device %s does not survive compress/decode", d.Name)
		}
		if err := decodeBlob(enc.compress(js), sha256Of("other"), &back); err == nil || !strings.Contains(err.Error(), "does not match") {
			t.Fatalf("decodeBlob with a wrong hash: %v", err)
		}
	}
}

func sha256Of(s string) hash { _, h, _ := canonical(s); return h }
