//go:build unix

package offline

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// shadowLine stands for a secret file outside the lab (/etc/shadow).
const shadowLine = "root:*:20228:0:99999:7:::\n"

// symlink makes a symbolic link at path to target, and its directory.
func symlink(t *testing.T, target, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}

// TestLinksOutOfTheLabAreRefused: `ln -s /etc/shadow LAB/cucm-pub/sql_sipprofile.txt`
// must not put the shadow file into the report: a link leading out of the
// lab, to a file or as the host directory, is refused with an error naming
// it and quoting nothing of the target. A relative link inside the lab is
// still read, and the other devices are collected.
func TestLinksOutOfTheLabAreRefused(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "shadow")
	write(t, secret, []byte(shadowLine))
	write(t, filepath.Join(outside, "show_running-config.txt"), []byte(shadowLine))
	dir := t.TempDir()
	write(t, filepath.Join(dir, "inventory.yaml"), []byte(`hosts:
  cucm-pub: {platform: cucm}
  cucm-abs: {platform: cucm}
  sw-linkdir: {platform: ios}
  sw-good: {platform: ios}
  sw-shared: {platform: ios}
`))
	symlink(t, "../../"+filepath.Base(outside)+"/shadow", filepath.Join(dir, "cucm-pub", "sql_sipprofile.txt"))
	symlink(t, secret, filepath.Join(dir, "cucm-abs", "sql_sipprofile.txt"))
	symlink(t, outside, filepath.Join(dir, "sw-linkdir"))
	cfg := []byte("hostname sw\n!\ninterface GigabitEthernet1/0/1\n switchport mode access\n!\nend\n")
	write(t, filepath.Join(dir, "sw-good", "show_running-config.txt"), cfg)
	symlink(t, "../sw-good/show_running-config.txt", filepath.Join(dir, "sw-shared", "show_running-config.txt"))
	if filepath.Dir(outside) != filepath.Dir(dir) {
		t.Fatalf("temp dirs %s and %s are not siblings: the relative link would not lead out", outside, dir)
	}

	inv, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := Collect(context.Background(), dir, inv)
	if err != nil {
		t.Fatal(err)
	}
	report, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(report), "20228") {
		t.Errorf("the file outside the lab reached the snapshot:\n%s", report)
	}
	for _, d := range snap.Devices {
		e := errs(d)
		if strings.Contains(e, "20228") {
			t.Errorf("%s: the file outside the lab is quoted: %s", d.Name, e)
		}
		switch d.Name {
		case "cucm-pub", "cucm-abs":
			if want := filepath.Join(dir, d.Name, "sql_sipprofile.txt") + ": leads out of " + dir + " through a symbolic link"; !strings.Contains(e, want) {
				t.Errorf("%s: %s\nwant an error containing %q", d.Name, e, want)
			}
		case "sw-linkdir":
			if want := filepath.Join(dir, "sw-linkdir") + ": leads out of " + dir + " through a symbolic link"; d.Status != facts.StatusFailed || !strings.Contains(e, want) {
				t.Errorf("%s: %s %s\nwant failed with %q", d.Name, d.Status, e, want)
			}
		case "sw-good", "sw-shared":
			if d.Status != facts.StatusOK || d.Switch == nil || len(d.Switch.Interfaces) != 1 {
				t.Errorf("%s: %s %s", d.Name, d.Status, e)
			}
		}
	}
}

// TestReaderStaysInTheLab: precheck and kaudit check read through
// DirReader; it refuses a link out of the lab as Collect does.
func TestReaderStaysInTheLab(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "shadow")
	write(t, secret, []byte(shadowLine))
	dir := t.TempDir()
	symlink(t, secret, filepath.Join(dir, "sw1", "show_running-config.txt"))
	_, err := DirReader(filepath.Join(dir, "sw1"))("show_running-config")
	if err == nil || !strings.Contains(err.Error(), "through a symbolic link: refused") {
		t.Errorf("DirReader: %v", err)
	}
	if _, err := DirReader(filepath.Join(dir, "sw1"))("show_version"); !os.IsNotExist(err) {
		t.Errorf("missing output: %v, want not-exist", err)
	}
}

// TestInventoryLinkOutOfTheLabIsRefused: inventory.yaml is read from the
// lab too; a link leading out of it is refused, naming it.
func TestInventoryLinkOutOfTheLabIsRefused(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "inventory.yaml")
	write(t, outside, []byte("hosts:\n  sw1: {platform: ios}\n"))
	dir := t.TempDir()
	symlink(t, outside, filepath.Join(dir, InventoryFile))
	_, err := Load(dir)
	if want := filepath.Join(dir, InventoryFile) + ": leads out of " + dir + " through a symbolic link"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Load: %v, want %q", err, want)
	}
	_, err = Load(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("Load of a directory without inventory: %v", err)
	}
}
