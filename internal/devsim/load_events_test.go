package devsim

import (
	"os"
	"path/filepath"
	"testing"
)

// A lab's CUCM syslog (events/) is not a host; a host called events,
// when the caller names one, still is.
func TestLoadHostsSkipsLabEvents(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"sw1", "events"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	hosts, err := LoadHostsFromDir(dir, map[string]string{"sw1": "ios"})
	if err != nil || len(hosts) != 1 || hosts[0].Name != "sw1" {
		t.Fatalf("hosts %+v, %v", hosts, err)
	}
	hosts, err = LoadHostsFromDir(dir, map[string]string{"sw1": "ios", "events": "cucm"})
	if err != nil || len(hosts) != 2 {
		t.Fatalf("a host named events: %+v, %v", hosts, err)
	}
}
