package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/internal/testutil"
)

func dirState(t testing.TB, dir string) string { return testutil.DirState(t, dir) }

// savedStore is a store at dir/history.db holding one run, closed.
func savedStore(t testing.TB, dir string) (string, RunRecord) {
	t.Helper()
	path := filepath.Join(dir, "history.db")
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec, snap := labRun(t, "case1-proxy-arp")
	if _, err := s.SaveRun(context.Background(), rec, snap); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path, rec
}

// TestOpenReadOnlyLeavesNoTrace: every read of a read-only store works and
// leaves its directory as it was: no -wal, -shm or -journal, no change to
// the file, and a write is refused before it touches the lock file.
func TestOpenReadOnlyLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path, rec := savedStore(t, dir)
	testutil.MakeReadOnly(t, dir)
	before := dirState(t, dir)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	s, err := OpenReadOnly(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := s.Runs(ctx, 0)
	if err != nil || len(runs) != 1 || runs[0].Findings != len(rec.Findings) {
		t.Errorf("Runs = %+v, %v", runs, err)
	}
	if ids, err := s.Latest(ctx, 2); err != nil || !slices.Equal(ids, []int64{1}) {
		t.Errorf("Latest = %v, %v", ids, err)
	}
	got, err := s.Run(ctx, 1)
	if err != nil || len(got.Findings) != len(rec.Findings) || len(got.Devices) != len(rec.Devices) {
		t.Errorf("Run(1): %v", err)
	}
	if snap, err := s.Snapshot(ctx, 1); err != nil || len(snap.Devices) != len(rec.Devices) {
		t.Errorf("Snapshot(1): %v", err)
	}
	if _, err := s.SaveRun(ctx, rec, nil); !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), path) {
		t.Errorf("SaveRun on a read-only store: %v", err)
	}
	if after := dirState(t, dir); after != before {
		t.Errorf("directory changed while open:\nbefore\n%safter\n%s", before, after)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if after := dirState(t, dir); after != before {
		t.Errorf("directory changed:\nbefore\n%safter\n%s", before, after)
	}
	if after, _ := os.ReadFile(path); string(after) != string(data) {
		t.Error("the store file was modified")
	}
}

// TestOpenReadOnlyMissing: a path with no store is a *MissingError naming
// it, and neither the file nor its directories are created.
func TestOpenReadOnlyMissing(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	for _, p := range []string{
		filepath.Join(root, "x.db"),
		filepath.Join(root, "nonexistent", "dir", "x.db"),
	} {
		_, err := OpenReadOnly(ctx, p, Options{})
		var me *MissingError
		if !errors.As(err, &me) || me.Path != p || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), p) {
			t.Errorf("OpenReadOnly(%s) = %v, want a MissingError naming it", p, err)
		}
		if st := dirState(t, root); st != "" {
			t.Errorf("OpenReadOnly(%s) created:\n%s", p, st)
		}
	}
	if _, err := OpenReadOnly(ctx, root, Options{}); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("OpenReadOnly(dir) = %v", err)
	}
}

// TestOpenReadOnlyOlderSchema: a read-only open cannot migrate, so a store
// an older kaudit wrote is read as it is (TestSchemaV1Store reads a real
// one) and left untouched.
func TestOpenReadOnlyOlderSchema(t *testing.T) {
	dir := t.TempDir()
	path, rec := savedStore(t, dir)
	before := dirState(t, dir)
	next := append(slices.Clone(migrations), "CREATE TABLE notes (text TEXT)")
	s, err := openReadOnly(context.Background(), path, Options{}, next)
	if err != nil {
		t.Fatalf("older schema: %v", err)
	}
	defer s.Close()
	if got, err := s.Run(context.Background(), 1); err != nil || len(got.Findings) != len(rec.Findings) {
		t.Errorf("Run of an older store: %v", err)
	}
	if st := dirState(t, dir); st != before {
		t.Errorf("reading an older store changed its directory:\nbefore\n%safter\n%s", before, st)
	}
}

// TestOpenReadOnlyKeepsWritersOut: reading the file alone (no writer had
// it open) holds kaudit writers off until Close, so no checkpoint can
// rewrite a page under the reader.
func TestOpenReadOnlyKeepsWritersOut(t *testing.T) {
	ctx := context.Background()
	path, rec := savedStore(t, t.TempDir())
	r, err := OpenReadOnly(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := Open(ctx, path, Options{LockTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.SaveRun(ctx, rec, nil); !errors.Is(err, ErrBusy) {
		t.Fatalf("SaveRun while a reader holds the file: %v, want busy", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SaveRun(ctx, rec, nil); err != nil {
		t.Fatalf("SaveRun after the reader closed: %v", err)
	}
}

// TestOpenReadOnlyBesideWriter: while a writer has the store open the
// reader goes through SQLite's locks instead, so it neither blocks the
// writer nor misses the runs it commits.
func TestOpenReadOnlyBesideWriter(t *testing.T) {
	ctx := context.Background()
	path, rec := savedStore(t, t.TempDir())
	w, err := Open(ctx, path, Options{LockTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r, err := OpenReadOnly(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	id, err := w.SaveRun(ctx, rec, nil)
	if err != nil {
		t.Fatalf("SaveRun beside a reader: %v", err)
	}
	if ids, err := r.Latest(ctx, 1); err != nil || !slices.Equal(ids, []int64{id}) {
		t.Errorf("reader sees %v, %v; want the run just saved, %d", ids, err, id)
	}
}
