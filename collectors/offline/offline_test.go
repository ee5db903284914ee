package offline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// errs is everything d reports wrong, for matching in a test.
func errs(d *facts.Device) string {
	var s []string
	for _, e := range d.Errors {
		s = append(s, e.Error())
	}
	return d.Error + " | " + strings.Join(s, " | ")
}

// A huge output, a binary one and an empty host directory each fail on
// their own device, named with the file, while the good device is read.
func TestBadInputStaysOnItsDevice(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "inventory.yaml"), []byte(`hosts:
  sw-big: {platform: ios}
  sw-bin: {platform: ios}
  sw-empty: {platform: ios}
  sw-good: {platform: ios}
`))
	cfg := []byte("hostname sw\n!\ninterface GigabitEthernet1/0/1\n switchport mode access\n switchport voice vlan 200\n switchport port-security\n!\nend\n")
	write(t, filepath.Join(dir, "sw-good", "show_running-config.txt"), cfg)
	big := bytes.Repeat([]byte("interface GigabitEthernet1/0/1\n description filler line for a hostile device\n"), 50<<20/80)
	write(t, filepath.Join(dir, "sw-big", "show_running-config.txt"), big)
	write(t, filepath.Join(dir, "sw-bin", "show_running-config.txt"), []byte("hostname x\n\x00\x01\x02\x7fELF"))
	if err := os.MkdirAll(filepath.Join(dir, "sw-empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	inv, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := Collect(context.Background(), dir, inv)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*facts.Device{}
	for _, d := range snap.Devices {
		byName[d.Name] = d
	}
	if d := byName["sw-big"]; d.Status != facts.StatusFailed || !strings.Contains(errs(d), "sw-big/show_running-config.txt") || !strings.Contains(errs(d), "more than") {
		t.Errorf("sw-big: %s %s", d.Status, errs(d))
	}
	if d := byName["sw-bin"]; d.Status != facts.StatusFailed || !strings.Contains(errs(d), "sw-bin/show_running-config.txt:2: binary data") {
		t.Errorf("sw-bin: %s %s", d.Status, errs(d))
	}
	if d := byName["sw-empty"]; d.Status != facts.StatusFailed || !strings.Contains(errs(d), "no command output") {
		t.Errorf("sw-empty: %s %s", d.Status, errs(d))
	}
	d := byName["sw-good"]
	if d.Status != facts.StatusOK || d.Switch == nil || len(d.Switch.Interfaces) != 1 || !d.Switch.Interfaces[0].PortSecurity.Enabled {
		t.Fatalf("sw-good: %s %s %+v", d.Status, errs(d), d.Switch)
	}
	// Missing optional outputs are not errors; missing required ones are listed.
	if len(d.Missing) == 0 || strings.Contains(strings.Join(d.Missing, ","), "show_version") {
		t.Errorf("missing = %v", d.Missing)
	}
}
