package devsim

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// labEventsDir is a lab's CUCM syslog (testdata/labs/README.md), not a
// host, unless the caller names a host so.
const labEventsDir = "events"

// LoadHostsFromDir lists the host directories of a lab (DIR/<host>/)
// with the platform the caller knows for each; credentials, faults and
// latency are left for the caller to fill in. Files at the top level
// (inventory.yaml), hidden entries and the lab's syslog directory
// (events/, when no host has that name) are skipped. A host directory with
// no platform in the map is an error, so a typo cannot silently drop a
// device from a test.
func LoadHostsFromDir(dir string, platforms map[string]string) ([]Host, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("devsim: lab %s: %w", dir, err)
	}
	var hosts []Host
	var missing []string
	for _, de := range des {
		name := de.Name()
		if !de.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		p, ok := platforms[name]
		if !ok && name == labEventsDir {
			continue
		}
		if !ok {
			missing = append(missing, name)
			continue
		}
		if _, err := parsePlatform(p); err != nil {
			return nil, fmt.Errorf("devsim: lab %s: host %s: %w", dir, name, err)
		}
		hosts = append(hosts, Host{Name: name, Platform: p, Dir: filepath.Join(dir, name)})
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("devsim: lab %s: no platform given for host(s) %s", dir, strings.Join(missing, ", "))
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].Name < hosts[j].Name })
	return hosts, nil
}
