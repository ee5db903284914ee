package live

import (
	"context"
	"net"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/devsim"
	"golang.org/x/crypto/ssh"
)

// dialCounter wraps the dialer and counts attempts per address.
type dialCounter struct {
	mu sync.Mutex
	n  map[string]int
	// failFirst makes the first n dials to an address fail as refused.
	failFirst map[string]int
}

func (d *dialCounter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	if d.n == nil {
		d.n = map[string]int{}
	}
	d.n[addr]++
	n := d.n[addr]
	fail := n <= d.failFirst[addr]
	d.mu.Unlock()
	if fail {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &osSyscallError{"connect", syscall.ECONNREFUSED}}
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, addr)
}

func (d *dialCounter) count(addr string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n[addr]
}

// osSyscallError mimics *os.SyscallError without importing os for it.
type osSyscallError struct {
	Syscall string
	Err     error
}

func (e *osSyscallError) Error() string { return e.Syscall + ": " + e.Err.Error() }
func (e *osSyscallError) Unwrap() error { return e.Err }

// TestFaultMatrix runs one host per devsim fault beside healthy hosts:
// every faulty host is reported failed, with a clear error, within its
// own timeout; the healthy ones are collected in full; only connection
// errors were retried.
func TestFaultMatrix(t *testing.T) {
	dir := func(h string) string { return filepath.Join(ownLab, h) }
	c := defaultCreds
	type fault struct {
		host     devsim.Host
		want     string        // regexp the device error must match
		within   time.Duration // from device start to failure
		dials    int           // dial attempts expected
		cmdLimit time.Duration // per-command timeout, when not shortWait
	}
	mk := func(name, plat, lab string, f devsim.Faults) devsim.Host {
		h := simHost(name, plat, dir(lab), c)
		h.Faults = f
		return h
	}
	faults := []fault{
		{host: mk("f-auth", "ios", "sw1", devsim.Faults{AuthFail: true}),
			want: `^f-auth: authentication failed for user netops at 127\.0\.0\.1:\d+ \(tried password, keyboard-interactive\)$`, within: 5 * time.Second, dials: 1},
		{host: mk("f-hostkey", "asa", "asa1", devsim.Faults{HostKeyChange: true}),
			want: `^f-hostkey: host key mismatch for \[127\.0\.0\.1\]:\d+: known_hosts has .*SHA256:\S+ \(ssh-ed25519\), the device presented SHA256:\S+ \(ssh-ed25519\)`, within: 5 * time.Second, dials: 1},
		{host: mk("f-refuse", "ios", "sw1", devsim.Faults{Refuse: true}),
			want: `^f-refuse: connect 127\.0\.0\.1:\d+: connection refused after 3 tries$`, within: 5 * time.Second, dials: 3},
		{host: mk("f-hang-auth", "ios", "sw1", devsim.Faults{HangAfterAuth: true}),
			want: `^f-hang-auth: login: no prompt within 5s$`, within: 9 * time.Second, dials: 1},
		{host: mk("f-hang-mid", "ios", "sw1", devsim.Faults{HangMidOutput: true}),
			want: `^f-hang-mid: show version: no prompt within 5s$`, within: 9 * time.Second, dials: 1},
		{host: mk("f-reset", "asa", "asa1", devsim.Faults{ResetMidOutput: true}),
			want: `^f-reset: show version: connection closed by the device`, within: 6 * time.Second, dials: 1},
		{host: mk("f-garbage", "ios", "sw1", devsim.Faults{Garbage: true}),
			want: `^f-garbage: show version: no prompt within 5s$`, within: 9 * time.Second, dials: 1},
		{host: mk("f-flood", "ios", "sw1", devsim.Faults{Flood: true, FloodBytes: 100 << 20}),
			want: `^f-flood: show version: output exceeds 1 MiB limit$`, within: 20 * time.Second, dials: 1, cmdLimit: 20 * time.Second},
		{host: mk("f-trickle", "asa", "asa1", devsim.Faults{Trickle: true}),
			want: `^f-trickle: show version: no prompt within 5s$`, within: 9 * time.Second, dials: 1},
		{host: mk("f-noprompt", "cucm", "cucm1", devsim.Faults{PromptNeverReturns: true}),
			want: `^f-noprompt: run sql select pkid,.*: no prompt within 5s$`, within: 9 * time.Second, dials: 1},
	}
	baseline := runtime.NumGoroutine()
	healthy, labInv := labSim(t, ownLab, c)
	hosts := append([]devsim.Host{}, healthy...)
	for _, f := range faults {
		hosts = append(hosts, f.host)
	}
	s := startSim(t, hosts, devsim.Options{TrickleInterval: 300 * time.Millisecond}, c, labInv)
	for _, f := range faults {
		cmd := shortWait
		if f.cmdLimit > 0 {
			cmd = f.cmdLimit
		}
		s.setWait(shortWait, cmd, f.host.Name)
	}
	dc := &dialCounter{}
	opt := quick(nil)
	opt.Dialer = dc.dial
	// The flood is cut at 1 MiB, not the default 32 MiB: reading 32 MiB
	// through SSH took 16 s of its 20 s command limit under the race
	// detector on a loaded machine. The lab's outputs are under 32 KiB.
	opt.OutputLimit = 1 << 20
	var mu sync.Mutex
	elapsed := map[string]time.Duration{}
	kinds := map[string][]EventKind{}
	opt.Progress = func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		kinds[e.Host] = append(kinds[e.Host], e.Kind)
		if e.Kind != DeviceStarted {
			elapsed[e.Host] = e.Elapsed
		}
	}
	start := time.Now()
	snap, err := Collect(context.Background(), s.inv, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("whole audit took %s", time.Since(start))
	for _, d := range snap.Devices {
		t.Logf("%s %s %s [%s]", d.Name, d.Status, d.Error, elapsed[d.Name])
	}

	for i, d := range snap.Devices {
		if d.Name != s.inv.Hosts[i].Name {
			t.Errorf("device %d is %s, want %s (inventory order)", i, d.Name, s.inv.Hosts[i].Name)
		}
	}
	for _, f := range faults {
		t.Run(f.host.Name, func(t *testing.T) {
			d := device(t, snap, f.host.Name)
			if d.Status != facts.StatusFailed {
				t.Errorf("status %q, want failed", d.Status)
			}
			if !regexp.MustCompile(f.want).MatchString(d.Error) {
				t.Errorf("error %q\n does not match %s", d.Error, f.want)
			}
			// The bound is the fault's timeout plus slack for a loaded CI
			// machine (2 cores, other packages testing in parallel): it
			// catches a timeout not applied, not scheduling noise.
			if got := elapsed[f.host.Name]; got > f.within+faultSlack {
				t.Errorf("failed after %s, want within %s (+%s slack)", got, f.within, faultSlack)
			}
			if got := dc.count(s.srv.Addr(f.host.Name)); got != f.dials {
				t.Errorf("%d dial attempts, want %d (only connection errors are retried)", got, f.dials)
			}
			if k := kinds[f.host.Name]; len(k) != 2 || k[0] != DeviceStarted || k[1] != DeviceFailed {
				t.Errorf("events %v, want [started failed]", k)
			}
			if d.Switch != nil || d.ASA != nil || d.CUCM != nil || len(d.Keys) > 0 {
				t.Errorf("a failed device carries facts: keys %v", d.Keys)
			}
		})
	}
	// The host key fault must name both keys: the one on record and the
	// one presented.
	hk := device(t, snap, "f-hostkey").Error
	known := ssh.FingerprintSHA256(s.srv.HostKey("f-hostkey"))
	fps := regexp.MustCompile(`SHA256:[A-Za-z0-9+/]+`).FindAllString(hk, -1)
	if len(fps) != 2 || fps[0] != known || fps[1] == known {
		t.Errorf("host key error fingerprints %v, want [%s <another>]", fps, known)
	}

	// Nothing of the audit may linger: every connection, session and
	// scrapligo read loop ends with its device.
	s.srv.Close()
	deadline := time.Now().Add(30 * time.Second) // ends as soon as they have
	for runtime.NumGoroutine() > baseline+2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseline+2 {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines left after the audit (baseline %d):\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
	}

	want, err := offline.Collect(context.Background(), liveLab(t, ownLab), labInv)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range healthy {
		d, w := device(t, snap, h.Name), device(t, want, h.Name)
		if d.Status != w.Status || strings.Join(d.Keys, ",") != strings.Join(w.Keys, ",") {
			t.Errorf("healthy %s: status %s keys %v, want %s %v", h.Name, d.Status, d.Keys, w.Status, w.Keys)
		}
		if k := kinds[h.Name]; len(k) != 2 || k[1] != DeviceDone {
			t.Errorf("healthy %s: events %v, want [started done]", h.Name, k)
		}
	}
}

// TestRetriesOnlyConnectionErrors: a host whose first two dials are
// refused is collected on the third try; with two tries allowed it fails
// after exactly two.
func TestRetriesOnlyConnectionErrors(t *testing.T) {
	c := defaultCreds
	hosts := []devsim.Host{simHost("sw1", "ios", filepath.Join(ownLab, "sw1"), c)}
	s := startSim(t, hosts, devsim.Options{}, c, nil)
	addr := s.srv.Addr("sw1")
	for _, tc := range []struct {
		tries      int
		wantStatus string
		wantDials  int
	}{
		{tries: 3, wantStatus: facts.StatusOK, wantDials: 3},
		{tries: 2, wantStatus: facts.StatusFailed, wantDials: 2},
	} {
		dc := &dialCounter{failFirst: map[string]int{addr: 2}}
		opt := quick(nil)
		opt.Dialer, opt.Retries = dc.dial, tc.tries
		snap, err := Collect(context.Background(), s.inv, opt)
		if err != nil {
			t.Fatal(err)
		}
		d := snap.Devices[0]
		if d.Status != tc.wantStatus || dc.count(addr) != tc.wantDials {
			t.Errorf("tries %d: status %s (%s) after %d dials, want %s after %d", tc.tries, d.Status, d.Error, dc.count(addr), tc.wantStatus, tc.wantDials)
		}
		if tc.wantStatus == facts.StatusFailed && !strings.HasSuffix(d.Error, "connection refused after 2 tries") {
			t.Errorf("error %q", d.Error)
		}
	}
}

// TestHandshakeEOFIsRetried: a server that accepts and hangs up before the
// SSH banner is a connection error, retried; after the last try the
// error says so.
func TestHandshakeEOFIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	c := defaultCreds
	s := startSim(t, []devsim.Host{simHost("sw1", "ios", filepath.Join(ownLab, "sw1"), c)}, devsim.Options{}, c, nil)
	s.inv.Hosts[0].Port = ln.Addr().(*net.TCPAddr).Port
	dc := &dialCounter{}
	opt := quick(nil)
	opt.Dialer = dc.dial
	snap, err := Collect(context.Background(), s.inv, opt)
	if err != nil {
		t.Fatal(err)
	}
	d := snap.Devices[0]
	if got := dc.count(ln.Addr().String()); got != 3 {
		t.Errorf("%d dials, want 3", got)
	}
	if d.Status != facts.StatusFailed || !strings.Contains(d.Error, "ssh handshake with "+ln.Addr().String()) || !strings.HasSuffix(d.Error, "after 3 tries") {
		t.Errorf("got %s %q", d.Status, d.Error)
	}
}

// faultSlack is added to every fault's time bound: a fault failed within
// a second of its timeout under the race detector beside three busy
// loops, and the bound stays below quick's 30 s device timeout, the
// fallback when a fault's own timeout is not applied.
const faultSlack = 10 * time.Second
