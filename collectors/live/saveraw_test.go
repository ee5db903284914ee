package live

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/devsim"
	"github.com/kaudit/kaudit/inventory"
)

// victim makes a directory outside the save directory holding files that
// --save-raw must never change: one of them has the name of an output.
func victim(t *testing.T) (dir string, files map[string]string) {
	t.Helper()
	dir = t.TempDir()
	files = map[string]string{"victim.txt": "keep me\n", "show_version.txt": "not kaudit's\n"}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir, files
}

// unchanged fails the test when a file of dir is not body any more.
func unchanged(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(b) != body {
			t.Errorf("%s: %q %v, want %q untouched", name, b, err, body)
		}
	}
}

// entries lists dir's names, so that a test sees no temporary left.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

var newOuts = map[string][]byte{"show_running-config": []byte("hostname sw1\nend\n")}

// TestSaveHostRefusesALinkedHostDir: DIR/<host> a symbolic link is an
// error naming it; the link and the files it leads to stay as they are
// (the old code deleted every *.txt of the target).
func TestSaveHostRefusesALinkedHostDir(t *testing.T) {
	vdir, files := victim(t)
	dir := t.TempDir()
	if err := os.Symlink(vdir, filepath.Join(dir, "sw1")); err != nil {
		t.Fatal(err)
	}
	err := saveHost(dir, "sw1", newOuts)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "sw1")+" is a symbolic link") {
		t.Errorf("saveHost: %v", err)
	}
	unchanged(t, vdir, files)
	if got := entries(t, vdir); !slices.Equal(got, []string{"show_version.txt", "victim.txt"}) {
		t.Errorf("target holds %v", got)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"sw1"}) {
		t.Errorf("save directory holds %v", got)
	}
	if err := removeHost(dir, "sw1"); err == nil {
		t.Error("removeHost of a linked host directory: no error")
	}
	unchanged(t, vdir, files)
}

// TestSaveHostRefusesALinkedOutput: an output name that is a link to a
// file elsewhere leaves the file as it is (the old code wrote through it).
func TestSaveHostRefusesALinkedOutput(t *testing.T) {
	vdir, files := victim(t)
	dir := t.TempDir()
	hd := filepath.Join(dir, "sw1")
	if err := os.Mkdir(hd, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(vdir, "victim.txt"), filepath.Join(hd, "show_running-config.txt")); err != nil {
		t.Fatal(err)
	}
	err := saveHost(dir, "sw1", newOuts)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(hd, "show_running-config.txt")) {
		t.Errorf("saveHost: %v", err)
	}
	unchanged(t, vdir, files)
	if st, err := os.Lstat(filepath.Join(hd, "show_running-config.txt")); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was not left as it was: %v %v", st, err)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"sw1"}) {
		t.Errorf("save directory holds %v", got)
	}
}

// TestSaveInventoryRefusesALink: inventory.yaml a link to a file elsewhere
// is an error naming it, and the file keeps its contents.
func TestSaveInventoryRefusesALink(t *testing.T) {
	vdir, files := victim(t)
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(vdir, "victim.txt"), filepath.Join(dir, "inventory.yaml")); err != nil {
		t.Fatal(err)
	}
	inv := &inventory.Inventory{Hosts: []inventory.Host{{Name: "sw1", Platform: "ios", Address: "127.0.0.1"}}}
	err := saveInventory(dir, inv)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "inventory.yaml")+" is a symbolic link") {
		t.Errorf("saveInventory: %v", err)
	}
	unchanged(t, vdir, files)
	if got := entries(t, dir); !slices.Equal(got, []string{"inventory.yaml"}) {
		t.Errorf("save directory holds %v", got)
	}
}

// TestSaveReplacesWhatKauditWrote: a host directory of an earlier run
// (regular files named after command keys) and inventory.yaml are
// replaced whole, with no temporary left; a directory holding anything
// else is not kaudit's and is left as it is; a failed device's earlier
// outputs are removed.
func TestSaveReplacesWhatKauditWrote(t *testing.T) {
	dir := t.TempDir()
	inv := &inventory.Inventory{Hosts: []inventory.Host{{Name: "sw1", Platform: "ios", Address: "127.0.0.1"}}}
	for range 2 {
		if err := saveInventory(dir, inv); err != nil {
			t.Fatal(err)
		}
	}
	old := map[string][]byte{"show_version": []byte("old\n"), "show_running-config": []byte("old\n")}
	for _, outs := range []map[string][]byte{old, newOuts} {
		if err := saveHost(dir, "sw1", outs); err != nil {
			t.Fatal(err)
		}
	}
	if got := entries(t, filepath.Join(dir, "sw1")); !slices.Equal(got, []string{"show_running-config.txt"}) {
		t.Errorf("sw1 holds %v after the second run", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "sw1", "show_running-config.txt")); string(b) != string(newOuts["show_running-config"]) {
		t.Errorf("sw1's output is %q", b)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"inventory.yaml", "sw1"}) {
		t.Errorf("save directory holds %v", got)
	}

	notes := map[string]string{"notes.md": "mine\n", "show_version.txt": "old\n"}
	if err := os.Mkdir(filepath.Join(dir, "sw2"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, body := range notes {
		if err := os.WriteFile(filepath.Join(dir, "sw2", name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	err := saveHost(dir, "sw2", newOuts)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "sw2", "notes.md")) {
		t.Errorf("saveHost over a directory kaudit did not write: %v", err)
	}
	if err := removeHost(dir, "sw2"); err == nil {
		t.Error("removeHost of a directory kaudit did not write: no error")
	}
	unchanged(t, filepath.Join(dir, "sw2"), notes)

	if err := os.WriteFile(filepath.Join(dir, "sw3"), []byte("a file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := saveHost(dir, "sw3", newOuts); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "sw3")+" is a regular file") {
		t.Errorf("saveHost over a file: %v", err)
	}
	unchanged(t, dir, map[string]string{"sw3": "a file\n"})

	if err := removeHost(dir, "sw1"); err != nil {
		t.Fatal(err)
	}
	if err := removeHost(dir, "sw-never-saved"); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"inventory.yaml", "sw2", "sw3"}) {
		t.Errorf("save directory holds %v after sw1 failed", got)
	}
}

// TestCollectRefusesALinkedHostDir: through a whole live audit, a host
// directory that is a link is the device's save-raw error naming it; the
// device is collected all the same and the link's target is untouched.
func TestCollectRefusesALinkedHostDir(t *testing.T) {
	vdir, files := victim(t)
	s := startSim(t, []devsim.Host{simHost("sw1", "ios", filepath.Join(ownLab, "sw1"), defaultCreds)}, devsim.Options{}, defaultCreds, nil)
	opt := quick(nil)
	opt.SaveRaw = t.TempDir()
	if err := os.Symlink(vdir, filepath.Join(opt.SaveRaw, "sw1")); err != nil {
		t.Fatal(err)
	}
	snap, err := Collect(context.Background(), s.inv, opt)
	if err != nil {
		t.Fatal(err)
	}
	d := device(t, snap, "sw1")
	var saveErr string
	for _, e := range d.Errors {
		if e.Key == "save-raw" {
			saveErr = e.Msg
		}
	}
	if d.Status != facts.StatusPartial || !d.Has("show_running-config") || !strings.Contains(saveErr, filepath.Join(opt.SaveRaw, "sw1")+" is a symbolic link") {
		t.Errorf("%s %q, save-raw error %q", d.Status, d.Error, saveErr)
	}
	unchanged(t, vdir, files)
	if got := entries(t, opt.SaveRaw); !slices.Equal(got, []string{"inventory.yaml", "sw1"}) {
		t.Errorf("save directory holds %v", got)
	}
}
