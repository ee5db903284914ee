package live

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kaudit/kaudit/collectors/cucm"
	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/collectors/platform"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/devsim"
	"github.com/kaudit/kaudit/internal/testutil"
	"github.com/kaudit/kaudit/inventory"
)

const (
	testUser    = "netops"
	envPassword = "KAUDIT_LIVE_TEST_PASSWORD"
	envEnable   = "KAUDIT_LIVE_TEST_ENABLE"
	ownLab      = "testdata/lab"
	// shortWait is the timeout of hosts expected to fail; healthy hosts
	// get okWait so a loaded test machine cannot make them time out.
	// shortWait also covers the steps before a fault (login, enable, the
	// commands before the faulty one), so it is well above the stalls of
	// a loaded machine: at 2 s, a 2.7 s stall failed two faulty hosts at
	// enable instead of at their fault.
	shortWait = 5 * time.Second
	okWait    = 10 * time.Second
)

var testSeed = []byte("kaudit-live-test")

// repoLab returns a lab of the repository's testdata/labs, skipping the
// test loudly when it is gone.
func repoLab(t *testing.T, name string) string {
	t.Helper()
	dir := testutil.RepoRoot(t)
	lab := filepath.Join(dir, "testdata", "labs", name)
	if _, err := os.Stat(lab); err != nil {
		t.Skipf("SKIPPING: repository lab %s is missing (%v)", lab, err)
	}
	return lab
}

// cucmKeys tells devsim which file answers each CUCM query (their keys are
// short names, not derived from the CLI).
func cucmKeys() map[string]string {
	m := map[string]string{}
	for _, c := range cucm.Commands() {
		m[c.CLI] = c.Key
	}
	return m
}

// creds sets the test credentials in the environment the inventory
// refers to.
type creds struct{ password, enable string }

var defaultCreds = creds{password: "Lab-Pass-7c2e", enable: "Lab-Enable-41a9"}

// simHost is a device for devsim with credentials matching creds.
func simHost(name, platform, dir string, c creds) devsim.Host {
	h := devsim.Host{Name: name, Platform: platform, Dir: dir, Username: testUser, Password: c.password}
	if platform != devsim.PlatformCUCM {
		h.EnablePassword = c.enable
	}
	if platform == devsim.PlatformCUCM {
		h.Keys = cucmKeys()
	}
	return h
}

// labSim loads a lab directory as devsim hosts, with its inventory.
func labSim(t *testing.T, lab string, c creds) ([]devsim.Host, *inventory.Inventory) {
	t.Helper()
	inv, err := offline.Load(lab)
	if err != nil {
		t.Fatal(err)
	}
	plats := map[string]string{}
	for _, h := range inv.Hosts {
		plats[h.Name] = h.Platform
	}
	hosts, err := devsim.LoadHostsFromDir(lab, plats)
	if err != nil {
		t.Fatal(err)
	}
	for i := range hosts {
		hosts[i] = simHost(hosts[i].Name, hosts[i].Platform, hosts[i].Dir, c)
	}
	return hosts, inv
}

type sim struct {
	srv        *devsim.Server
	inv        *inventory.Inventory
	knownHosts string
}

// startSim serves hosts on 127.0.0.1 and returns an inventory for them:
// each host at its devsim port, credentials from the environment, a
// known_hosts file listing every devsim key, 10 s timeouts. like, when
// given, supplies roles, tags and data (the lab's inventory).
func startSim(t testing.TB, hosts []devsim.Host, opts devsim.Options, c creds, like *inventory.Inventory) *sim {
	t.Helper()
	if opts.Seed == nil {
		opts.Seed = testSeed
	}
	t.Setenv(envPassword, c.password)
	t.Setenv(envEnable, c.enable)
	srv, err := devsim.Start(context.Background(), hosts, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	kh := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(kh, srv.KnownHosts(), 0o600); err != nil {
		t.Fatal(err)
	}
	inv := &inventory.Inventory{}
	for _, sh := range hosts {
		_, ps, err := net.SplitHostPort(srv.Addr(sh.Name))
		if err != nil {
			t.Fatal(err)
		}
		port, _ := strconv.Atoi(ps)
		h := inventory.Host{
			Name:           sh.Name,
			Platform:       sh.Platform,
			Address:        "127.0.0.1",
			Port:           port,
			Username:       testUser,
			Password:       inventory.SecretRef{Kind: inventory.SecretEnv, Ref: envPassword},
			KnownHosts:     kh,
			Timeout:        okWait,
			CommandTimeout: okWait,
		}
		if sh.Platform != devsim.PlatformCUCM {
			h.Enable = inventory.SecretRef{Kind: inventory.SecretEnv, Ref: envEnable}
		}
		if like != nil {
			if lh := like.Host(sh.Name); lh != nil {
				h.Roles, h.Tags = lh.Roles, lh.Tags
				h.Data = map[string]string{}
				for k, v := range lh.Data {
					h.Data[k] = v
				}
				if _, ok := h.Data["ip"]; !ok {
					if a, err := netip.ParseAddr(lh.Address); err == nil {
						h.Data["ip"] = a.String()
					}
				}
			}
		}
		inv.Hosts = append(inv.Hosts, h)
	}
	sort.Slice(inv.Hosts, func(i, j int) bool { return inv.Hosts[i].Name < inv.Hosts[j].Name })
	return &sim{srv: srv, inv: inv, knownHosts: kh}
}

// quick are Options for tests: short backoff, logs into a buffer.
func quick(logs *syncBuffer) Options {
	o := Options{Backoff: 20 * time.Millisecond, DeviceTimeout: 30 * time.Second}
	if logs != nil {
		o.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return o
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withoutLines is the JSON of v with every source's line number and text
// removed: saved lab files carry the echoed command line that a live
// session strips, so line numbers differ by design between the two.
func withoutLines(t *testing.T, v any) string {
	t.Helper()
	var x any
	if err := json.Unmarshal([]byte(mustJSON(t, v)), &x); err != nil {
		t.Fatal(err)
	}
	var strip func(v any) any
	strip = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			if _, isSource := v["key"]; isSource {
				delete(v, "line")
				delete(v, "text")
			}
			for k, e := range v {
				v[k] = strip(e)
			}
		case []any:
			for i, e := range v {
				v[i] = strip(e)
			}
		}
		return v
	}
	return mustJSON(t, strip(x))
}

func device(t *testing.T, s *facts.Snapshot, name string) *facts.Device {
	t.Helper()
	d := s.Device(name)
	if d == nil {
		t.Fatalf("no device %s in snapshot", name)
	}
	return d
}

func startSimB(b *testing.B, hosts []devsim.Host, c creds) *sim {
	return startSim(b, hosts, devsim.Options{}, c, nil)
}

// setWait gives the named hosts their login and command timeouts.
func (s *sim) setWait(login, command time.Duration, names ...string) {
	for _, n := range names {
		if h := s.inv.Host(n); h != nil {
			h.Timeout, h.CommandTimeout = login, command
		}
	}
}

// liveLab is a copy of lab dir without the outputs a live audit never
// collects (offline-only commands): what offline replay must match.
func liveLab(t *testing.T, dir string) string {
	t.Helper()
	offlineOnly := map[string]bool{} // file names
	for _, plat := range []string{facts.PlatformIOS, facts.PlatformASA, facts.PlatformCUCM} {
		cmds, _ := platform.Commands(plat)
		for _, c := range cmds {
			if c.OfflineOnly {
				offlineOnly[c.Key+".txt"] = true
			}
		}
	}
	out := t.TempDir()
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if e.IsDir() {
			return os.MkdirAll(filepath.Join(out, rel), 0o755)
		}
		if offlineOnly[e.Name()] {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(out, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// offlineSnap is what an offline audit of dir reads.
func offlineSnap(t *testing.T, dir string) *facts.Snapshot {
	t.Helper()
	inv, err := offline.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := offline.Collect(context.Background(), dir, inv)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// checkReplay fails t unless replaying the offline layout in dir (as
// SaveRaw wrote it) gives snap byte for byte.
func checkReplay(t *testing.T, dir string, snap *facts.Snapshot) {
	t.Helper()
	if g, w := mustJSON(t, snap), mustJSON(t, offlineSnap(t, dir)); g != w {
		t.Errorf("replay of the saved outputs differs from the live snapshot:\n%s", firstDiff(g, w))
	}
}
