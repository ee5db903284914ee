package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/inventory"
)

// labOutputs reads every saved output of a lab, by snapshot position, as
// an audit of it hands them to SaveRun.
func labOutputs(t testing.TB, lab string, snap *facts.Snapshot) (map[int]map[string][]byte, []byte) {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "testdata", "labs", lab)
	all := map[int]map[string][]byte{}
	for i, d := range snap.Devices {
		ents, err := os.ReadDir(filepath.Join(dir, d.Name))
		if errors.Is(err, fs.ErrNotExist) {
			continue // a device the lab has no outputs of
		}
		if err != nil {
			t.Fatal(err)
		}
		outs := map[string][]byte{}
		for _, e := range ents {
			if key, ok := strings.CutSuffix(e.Name(), ".txt"); ok {
				if outs[key], err = os.ReadFile(filepath.Join(dir, d.Name, e.Name())); err != nil {
					t.Fatal(err)
				}
			}
		}
		all[i] = outs
	}
	inv, err := inventory.Load(filepath.Join(dir, "inventory.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return all, inventory.Marshal(inv)
}

// saveCase1 saves an audit of lab case1 with its outputs (edit may
// change them first) and reads back what the run recorded.
func saveCase1(t testing.TB, s *Store, edit func(map[int]map[string][]byte)) (RunRecord, *facts.Snapshot, *RunOutputs) {
	t.Helper()
	ctx := context.Background()
	rec, snap := labRun(t, "case1-proxy-arp")
	all, _ := labOutputs(t, "case1-proxy-arp", snap)
	if edit != nil {
		edit(all)
	}
	rec.Outputs = outputsOf(all)
	id, err := s.SaveRun(ctx, rec, snap)
	if err != nil {
		t.Fatal(err)
	}
	ro, err := s.RunOutputs(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return rec, snap, ro
}

func outputsOf(all map[int]map[string][]byte) *Outputs {
	o := NewOutputs()
	for i, outs := range all {
		o.Set(i, outs)
	}
	return o
}

// readAllOutputs reads back every recorded output of run id.
func readAllOutputs(t testing.TB, s *Store, id int64) (*RunOutputs, map[int]map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	ro, err := s.RunOutputs(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]map[string][]byte{}
	for i, d := range ro.Devices {
		if !d.Recorded {
			continue
		}
		got[i] = map[string][]byte{}
		for _, k := range d.Keys {
			if got[i][k], err = ro.Read(ctx, i, k); err != nil {
				t.Fatal(err)
			}
		}
	}
	return ro, got
}

func sameOutputs(a, b map[int]map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i, m := range a {
		if len(m) != len(b[i]) {
			return false
		}
		for k, v := range m {
			if w, ok := b[i][k]; !ok || !bytes.Equal(v, w) {
				return false
			}
		}
	}
	return true
}

// TestOutputsRoundTrip: every output and the inventory come back byte for
// byte, for every lab; a device without outputs and a key the run did not
// record read as missing files do offline.
func TestOutputsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, Options{})
	for _, lab := range labs(t) {
		rec, snap := labRun(t, lab)
		want, inv := labOutputs(t, lab, snap)
		rec.Inventory, rec.Outputs = inv, outputsOf(want)
		id, err := s.SaveRun(ctx, rec, snap)
		if err != nil {
			t.Fatalf("%s: %v", lab, err)
		}
		ro, got := readAllOutputs(t, s, id)
		if !sameOutputs(got, want) {
			t.Errorf("%s: outputs read back differ from those saved", lab)
		}
		if !bytes.Equal(ro.Inventory, inv) {
			t.Errorf("%s: inventory read back differs", lab)
		}
		if len(ro.Devices) != len(snap.Devices) || ro.Devices[0].Name != snap.Devices[0].Name || ro.Devices[0].Platform != snap.Devices[0].Platform {
			t.Errorf("%s: devices %+v", lab, ro.Devices)
		}
		r := ro.Reader(ctx, snap.Devices[0].Name)
		if r == nil {
			t.Fatalf("%s: no reader for %s", lab, snap.Devices[0].Name)
		}
		if _, err := r("show_no_such_command"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: unrecorded key: %v, want fs.ErrNotExist", lab, err)
		}
		if ro.Reader(ctx, "no-such-host") != nil {
			t.Errorf("%s: a reader for a host the run does not have", lab)
		}
	}

	// A run without outputs (a device failed, or no outputs given).
	rec, snap, ro := saveCase1(t, s, func(all map[int]map[string][]byte) { delete(all, 1) })
	id := ro.run
	var err error
	if !ro.Any() || ro.Devices[1].Recorded || !ro.Devices[0].Recorded || ro.Inventory != nil {
		t.Errorf("recorded: any %v, device 0 %v, device 1 %v, inventory %q", ro.Any(), ro.Devices[0].Recorded, ro.Devices[1].Recorded, ro.Inventory)
	}
	if ro.Reader(ctx, snap.Devices[1].Name) != nil {
		t.Error("a reader for a device with no recorded outputs")
	}
	if _, err := ro.Read(ctx, 1, "show_running-config"); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "recorded no outputs") {
		t.Errorf("Read of an unrecorded device: %v", err)
	}
	rec.Outputs = nil
	if id, err = s.SaveRun(ctx, rec, snap); err != nil {
		t.Fatal(err)
	}
	if ro, err = s.RunOutputs(ctx, id); err != nil || ro.Any() {
		t.Errorf("run saved without outputs: any %v, %v", ro.Any(), err)
	}
}

// TestOutputsDedup: an unchanged run stores no output again; one changed
// output adds that output and its device's manifest, nothing else.
func TestOutputsDedup(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, Options{})
	rec, snap := labRun(t, "case2-port-security-aging")
	all, inv := labOutputs(t, "case2-port-security-aging", snap)
	rec.Inventory, rec.Outputs = inv, outputsOf(all)
	if _, err := s.SaveRun(ctx, rec, snap); err != nil {
		t.Fatal(err)
	}
	blobs := count(t, s, "SELECT count(*) FROM blobs")
	if _, err := s.SaveRun(ctx, rec, snap); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "SELECT count(*) FROM blobs"); n != blobs {
		t.Errorf("an unchanged run added %d blobs", n-blobs)
	}
	all[2] = maps(all[2])
	all[2]["show_running-config"] = append(slices.Clone(all[2]["show_running-config"]), "! changed\n"...)
	rec.Outputs = outputsOf(all)
	id, err := s.SaveRun(ctx, rec, snap)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "SELECT count(*) FROM blobs"); n != blobs+2 {
		t.Errorf("one changed output added %d blobs, want 2 (the output and its manifest)", n-blobs)
	}
	if _, got := readAllOutputs(t, s, id); !sameOutputs(got, all) {
		t.Error("the changed run reads back other outputs")
	}
	if _, got := readAllOutputs(t, s, id-1); sameOutputs(got, all) {
		t.Error("the earlier run reads back the changed output")
	}
}

func maps(m map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestOutputsRefused: outputs that could not be written back out as the
// offline layout, or that belong to no device, fail the save by name.
func TestOutputsRefused(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, Options{})
	rec, snap := labRun(t, "clean")
	for _, tc := range []struct {
		i    int
		key  string
		want string
	}{
		{0, "../../etc/passwd", `output key "../../etc/passwd" is not a command key`},
		{0, "show run", `output key "show run"`},
		{0, ".hidden", `output key ".hidden"`},
		{0, "", `output key ""`},
		{len(snap.Devices), "show_version", "outputs given for snapshot device"},
		{-1, "show_version", "outputs given for snapshot device -1"},
	} {
		o := NewOutputs()
		o.Set(tc.i, map[string][]byte{tc.key: []byte("x")})
		rec.Outputs = o
		if _, err := s.SaveRun(ctx, rec, snap); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), s.Path()) {
			t.Errorf("key %q on device %d: %v, want %q", tc.key, tc.i, err, tc.want)
		}
	}
	if n := count(t, s, "SELECT count(*) FROM runs"); n != 0 {
		t.Errorf("%d runs saved", n)
	}
}

// TestOutputsDamaged: a stored output that no longer matches its hash is
// an error naming the run and the device, never other text.
func TestOutputsDamaged(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, Options{})
	_, _, ro := saveCase1(t, s, nil)
	id := ro.run
	d := ro.Devices[0]
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, "hostname evil\n")
	zw.Close()
	if _, err := s.db.Exec("UPDATE blobs SET data = ? WHERE hash = ?", gz.Bytes(), d.hashes[0][:]); err != nil {
		t.Fatal(err)
	}
	if _, err := ro.Read(ctx, 0, d.Keys[0]); err == nil || !strings.Contains(err.Error(), "is damaged") || !strings.Contains(err.Error(), d.Name) {
		t.Errorf("Read of a damaged output: %v", err)
	}
	if _, err := s.db.Exec("UPDATE blobs SET data = ? WHERE id = (SELECT outputs FROM run_devices WHERE run_id = ? AND snap_seq = 0)", gz.Bytes(), id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunOutputs(ctx, id); err == nil || !strings.Contains(err.Error(), "is damaged") || !strings.Contains(err.Error(), "outputs of "+d.Name) {
		t.Errorf("RunOutputs with a damaged manifest: %v", err)
	}
}

func TestParseManifest(t *testing.T) {
	h := sha256Of("x").String()
	for _, tc := range []struct {
		text string
		ok   bool
	}{
		{"", true},
		{"show_arp " + h + "\n", true},
		{"show_arp " + h + "\nshow_version " + h + "\n", true},
		{"show_version " + h + "\nshow_arp " + h + "\n", false}, // out of order
		{"show_arp " + h + "\nshow_arp " + h + "\n", false},     // twice
		{"show_arp " + h, false},                                // no newline
		{"show_arp " + h[:10] + "\n", false},
		{"show_arp " + strings.Repeat("zz", 32) + "\n", false},
		{"show_arp " + strings.ToUpper(h) + "\n", false}, // manifest writes lower case
		{"../x " + h + "\n", false},
		{"\n", false},
	} {
		if _, err := parseManifest([]byte(tc.text)); (err == nil) != tc.ok {
			t.Errorf("parseManifest(%q) = %v, want ok %v", tc.text, err, tc.ok)
		}
	}
}

// FuzzParseManifest: any manifest text parses or is refused, never a
// panic, and what parses writes back the same.
func FuzzParseManifest(f *testing.F) {
	h := sha256Of("x").String()
	f.Add("show_arp " + h + "\nshow_version " + h + "\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		es, err := parseManifest([]byte(text))
		if err != nil {
			return
		}
		outs := make([]output, len(es))
		for i, e := range es {
			outs[i] = output{key: e.key, h: e.h}
		}
		if got := string(manifest(outs)); got != text {
			t.Errorf("manifest(parse(%q)) = %q", text, got)
		}
	})
}

// TestSchemaV1Store: a store an older kaudit wrote (schema 1, before
// outputs were kept; testdata/schema-v1.db.gz holds two lab runs) reads
// read-only as it is, and a writable open migrates it and keeps its runs.
func TestSchemaV1Store(t *testing.T) {
	ctx := context.Background()
	path, data := schemaV1Copy(t)
	check := func(s *Store) {
		t.Helper()
		runs, err := s.Runs(ctx, 0)
		if err != nil || len(runs) != 2 {
			t.Fatalf("Runs = %d, %v", len(runs), err)
		}
		for _, r := range runs {
			rec, err := s.Run(ctx, r.ID)
			if err != nil || len(rec.Findings) != r.Findings || len(rec.Findings) == 0 {
				t.Errorf("Run(%d): %d findings, %v; want %d", r.ID, len(rec.Findings), err, r.Findings)
			}
			snap, err := s.Snapshot(ctx, r.ID)
			if err != nil || len(snap.Devices) == 0 {
				t.Errorf("Snapshot(%d): %v", r.ID, err)
			}
			ro, err := s.RunOutputs(ctx, r.ID)
			if err != nil || ro.Any() || len(ro.Devices) != len(snap.Devices) || ro.Inventory != nil {
				t.Errorf("RunOutputs(%d) of a schema 1 run: %+v, %v", r.ID, ro, err)
			}
		}
	}
	ro, err := OpenReadOnly(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check(ro)
	ro.Close()
	if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
		t.Error("a read-only open changed the old store")
	}

	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := count(t, s, "PRAGMA user_version"); n != len(migrations) {
		t.Errorf("user_version %d after Open, want %d", n, len(migrations))
	}
	check(s)
	rec, snap := labRun(t, "case1-proxy-arp")
	all, inv := labOutputs(t, "case1-proxy-arp", snap)
	rec.Inventory, rec.Outputs = inv, outputsOf(all)
	id, err := s.SaveRun(ctx, rec, snap)
	if err != nil {
		t.Fatal(err)
	}
	if _, got := readAllOutputs(t, s, id); !sameOutputs(got, all) {
		t.Error("outputs of a run saved after the migration differ")
	}
}
