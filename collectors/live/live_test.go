package live

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/collectors/platform"
	"github.com/kaudit/kaudit/collectors/sshx"
	"github.com/kaudit/kaudit/collectors/sshx/sshxtest"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/devsim"
	"github.com/kaudit/kaudit/inventory"
	"github.com/kaudit/kaudit/rules"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// expectedCommands is what a device must have received, in order: the
// login steps, then exactly the platform's commands.
func expectedCommands(t *testing.T, plat string, enable bool) []string {
	t.Helper()
	var want []string
	switch plat {
	case "ios":
		if enable {
			want = append(want, "enable", devsim.Redacted)
		}
		want = append(want, "terminal length 0", "terminal width 511")
	case "asa":
		if enable {
			want = append(want, "enable", devsim.Redacted)
		}
		want = append(want, "terminal pager 0", "terminal width 511")
	case "cucm":
		want = append(want, "set cli pagination off")
	}
	cmds, err := platform.Commands(plat)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range collectors.Live(cmds) {
		if c.When != nil {
			// Typed only where earlier outputs call for it (IOS-XE's
			// derived config where templates apply): none of the labs
			// served with this list does; TestTemplatedSwitchLive
			// checks one that does.
			continue
		}
		want = append(want, c.CLI)
	}
	return want
}

// TestCollectLabsAndRoundTrip collects labs served by devsim and checks
// that: every device got exactly the allow-listed commands; the facts
// equal those of offline replay of the lab itself (apart from source line
// numbers, which the lab's echoed command lines shift); and replaying the
// SaveRaw directory gives the live snapshot byte for byte.
func TestCollectLabsAndRoundTrip(t *testing.T) {
	labs := []struct{ name, dir string }{{"own", ownLab}}
	for _, l := range []string{"case1-proxy-arp", "case2-port-security-aging"} {
		labs = append(labs, struct{ name, dir string }{l, ""})
	}
	for _, l := range labs {
		t.Run(l.name, func(t *testing.T) {
			dir := l.dir
			if dir == "" {
				dir = repoLab(t, l.name)
			}
			hosts, labInv := labSim(t, dir, defaultCreds)
			s := startSim(t, hosts, devsim.Options{}, defaultCreds, labInv)
			save := filepath.Join(t.TempDir(), "raw")
			opt := quick(nil)
			opt.SaveRaw = save
			snap, err := Collect(context.Background(), s.inv, opt)
			if err != nil {
				t.Fatal(err)
			}

			for _, h := range hosts {
				got := s.srv.Commands(h.Name)
				want := expectedCommands(t, h.Platform, h.EnablePassword != "")
				if !slices.Equal(got, want) {
					t.Errorf("%s received %q\nwant %q", h.Name, got, want)
				}
				for _, c := range got {
					if c != devsim.Redacted {
						if err := sshx.Allowed(c); err != nil {
							t.Errorf("%s received a command the guard refuses: %v", h.Name, err)
						}
					}
				}
			}

			fromLab, err := offline.Collect(context.Background(), liveLab(t, dir), labInv)
			if err != nil {
				t.Fatal(err)
			}
			multi := multiEcho(t, dir)
			for i, d := range snap.Devices {
				if multi[d.Name] != "" {
					// devsim drops only the first echoed command of a
					// file, so a file holding several commands' outputs
					// (one per interface) loses the name of the first:
					// a lab artifact, not something a device prints.
					t.Logf("%s: %s holds several commands; not compared with the lab", d.Name, multi[d.Name])
					continue
				}
				w := fromLab.Devices[i]
				if d.Name != w.Name {
					t.Fatalf("device %d: %s, offline has %s", i, d.Name, w.Name)
				}
				if d.Status != facts.StatusOK && d.Status != w.Status {
					t.Errorf("%s: status %s (%s), offline %s", d.Name, d.Status, d.Error, w.Status)
				}
				type view struct {
					Status         string
					Keys, Missing  []string
					NErrors        int
					Switch, ASA, C any
				}
				gv := view{d.Status, d.Keys, d.Missing, len(d.Errors), d.Switch, d.ASA, d.CUCM}
				wv := view{w.Status, w.Keys, w.Missing, len(w.Errors), w.Switch, w.ASA, w.CUCM}
				if g, w := withoutLines(t, gv), withoutLines(t, wv); g != w {
					t.Errorf("%s: live facts differ from offline replay of the lab:\n%s", d.Name, firstDiff(g, w))
				}
			}

			checkReplay(t, save, snap)
			// Saved outputs are what was received, without framing.
			for _, h := range hosts {
				ents, _ := os.ReadDir(filepath.Join(save, h.Name))
				if len(ents) == 0 {
					t.Errorf("%s: nothing saved", h.Name)
				}
				for _, e := range ents {
					b, _ := os.ReadFile(filepath.Join(save, h.Name, e.Name()))
					if bytes.Contains(b, []byte("\r")) || bytes.HasPrefix(b, []byte(h.Name+"#")) || bytes.HasSuffix(bytes.TrimSpace(b), []byte(h.Name+"#")) ||
						bytes.HasSuffix(bytes.TrimSpace(b), []byte("admin:")) {
						t.Errorf("%s/%s keeps framing (prompt, echo or CR)", h.Name, e.Name())
					}
				}
			}
			if l.dir == "" {
				// A finding is the same finding live and offline
				// (issue 14.1): the echoed command shifts every line
				// number, which must not reach its fingerprint.
				liveFP, labFP := labFingerprints(snap), labFingerprints(fromLab)
				if len(labFP) == 0 || !slices.Equal(liveFP, labFP) {
					t.Errorf("finding fingerprints live %v, offline %v", liveFP, labFP)
				}
			}
		})
	}
}

// labFingerprints runs every rule over snap (joining it) and returns the
// findings' fingerprints, sorted.
func labFingerprints(snap *facts.Snapshot) []string {
	cfg := rules.DefaultConfig()
	snap.Join(cfg.Defaults)
	var out []string
	for _, f := range rules.Evaluate(snap, cfg) {
		out = append(out, rules.Fingerprint(f))
	}
	slices.Sort(out)
	return out
}

// multiEcho names, per host, a lab file that holds more than one echoed
// command line (host#show ... / admin:run ...).
func multiEcho(t *testing.T, lab string) map[string]string {
	t.Helper()
	out := map[string]string{}
	hosts, err := os.ReadDir(lab)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hosts {
		if !h.IsDir() {
			continue
		}
		files, _ := os.ReadDir(filepath.Join(lab, h.Name()))
		for _, f := range files {
			b, _ := os.ReadFile(filepath.Join(lab, h.Name(), f.Name()))
			n := 0
			for _, l := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(l, h.Name()+"#") && len(strings.TrimSpace(l)) > len(h.Name())+1 ||
					strings.HasPrefix(l, "admin:") && len(strings.TrimSpace(l)) > len("admin:") {
					n++
				}
			}
			if n > 1 {
				out[h.Name()] = f.Name()
			}
		}
	}
	return out
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n live:    " + x + "\n offline: " + y
		}
	}
	return "(equal)"
}

// TestForcedPaging: devices that ignore the paging commands page every
// few lines; the pager prompts are answered and removed, so the snapshot
// equals the one collected without paging and no pager text is saved.
func TestForcedPaging(t *testing.T) {
	hosts, labInv := labSim(t, ownLab, defaultCreds)
	ref := startSim(t, hosts, devsim.Options{}, defaultCreds, labInv)
	want, err := Collect(context.Background(), ref.inv, quick(nil))
	if err != nil {
		t.Fatal(err)
	}
	paged := make([]devsim.Host, len(hosts))
	for i, h := range hosts {
		h.Handler = func(cli string) (string, bool) {
			switch cli {
			case "terminal length 0", "terminal pager 0", "set cli pagination off":
				return "", true // accepted, and ignored: paging stays on
			}
			return "", false
		}
		paged[i] = h
	}
	s := startSim(t, paged, devsim.Options{PageLines: 4}, defaultCreds, labInv)
	opt := quick(nil)
	opt.SaveRaw = t.TempDir()
	got, err := Collect(context.Background(), s.inv, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range got.Devices {
		if d.Status != facts.StatusOK && d.Status != want.Devices[i].Status {
			t.Errorf("%s: %s %s", d.Name, d.Status, d.Error)
		}
		d.Address = want.Devices[i].Address
		if g, w := mustJSON(t, d), mustJSON(t, want.Devices[i]); g != w {
			t.Errorf("%s: paged collection differs:\n%s", d.Name, firstDiff(g, w))
		}
	}
	err = filepath.WalkDir(opt.SaveRaw, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		for _, m := range []string{"More", "Press <enter>", "\b"} {
			if bytes.Contains(b, []byte(m)) {
				t.Errorf("%s holds pager text %q", p, m)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEnable covers the privilege cases: enable with the right secret,
// with a wrong one (failed, naming enable), and no secret configured on a
// device that lands in user mode (collected without privileged commands).
func TestEnable(t *testing.T) {
	swDir := filepath.Join(ownLab, "sw1")
	asaDir := filepath.Join(ownLab, "asa1")
	c := defaultCreds
	wrong := func(h devsim.Host) devsim.Host { h.EnablePassword = "Other-Enable-9"; return h }
	hosts := []devsim.Host{
		simHost("sw-ok", "ios", swDir, c),
		simHost("asa-ok", "asa", asaDir, c),
		wrong(simHost("sw-wrong", "ios", swDir, c)),
		wrong(simHost("asa-wrong", "asa", asaDir, c)),
		simHost("sw-noenable", "ios", swDir, c),
	}
	s := startSim(t, hosts, devsim.Options{}, c, nil)
	s.setWait(shortWait, shortWait, "sw-wrong", "asa-wrong")
	s.inv.Host("sw-noenable").Enable = inventory.SecretRef{}
	snap, err := Collect(context.Background(), s.inv, quick(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sw-ok", "asa-ok"} {
		d := device(t, snap, name)
		if d.Status != facts.StatusOK || !d.Has("show_running-config") {
			t.Errorf("%s: %s %s keys %v", name, d.Status, d.Error, d.Keys)
		}
	}
	for _, name := range []string{"sw-wrong", "asa-wrong"} {
		d := device(t, snap, name)
		if d.Status != facts.StatusFailed || !strings.HasPrefix(d.Error, name+": enable: ") || !strings.Contains(d.Error, "enable secret") {
			t.Errorf("%s: %s %q, want failed at enable", name, d.Status, d.Error)
		}
	}
	// Missing outputs do not make a device partial (as offline), but
	// the privileged command is reported missing.
	d := device(t, snap, "sw-noenable")
	if d.Status != facts.StatusOK || !slices.Contains(d.Missing, "show_running-config") || !d.Has("show_cdp_neighbors_detail") {
		t.Errorf("sw-noenable: %s %q missing %v keys %v", d.Status, d.Error, d.Missing, d.Keys)
	}
	if got := s.srv.Commands("sw-noenable"); slices.Contains(got, "enable") {
		t.Errorf("enable typed without an enable secret: %q", got)
	}
}

// TestHostKeys: unknown keys are refused by default, recorded with
// AcceptNewHostKeys (once per host, even from parallel workers) and then
// trusted; a changed key is refused even with AcceptNewHostKeys and the
// file is left alone.
func TestHostKeys(t *testing.T) {
	c := defaultCreds
	swDir := filepath.Join(ownLab, "sw1")
	var hosts []devsim.Host
	for _, n := range []string{"sw-a", "sw-b", "sw-c"} {
		hosts = append(hosts, simHost(n, "ios", swDir, c))
	}
	changed := simHost("sw-changed", "ios", swDir, c)
	changed.Faults.HostKeyChange = true
	hosts = append(hosts, changed)
	s := startSim(t, hosts, devsim.Options{}, c, nil)
	kh := filepath.Join(t.TempDir(), "sub", "known_hosts")
	for i := range s.inv.Hosts {
		s.inv.Hosts[i].KnownHosts = ""
	}
	opt := quick(nil)
	opt.KnownHostsFile = kh

	snap, err := Collect(context.Background(), s.inv, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range snap.Devices {
		if d.Status != facts.StatusFailed || !strings.Contains(d.Error, "unknown host key for [127.0.0.1]:") || !strings.Contains(d.Error, "SHA256:") {
			t.Errorf("%s: %s %q, want refused as unknown", d.Name, d.Status, d.Error)
		}
	}
	if _, err := os.Stat(kh); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("known_hosts written without AcceptNewHostKeys: %v", err)
	}

	opt.AcceptNewHostKeys = true
	if snap, err = Collect(context.Background(), s.inv, opt); err != nil {
		t.Fatal(err)
	}
	// The changed-key host is unknown to this empty file: trust on first
	// use takes its (changed) key too, as ssh's accept-new would.
	for _, d := range snap.Devices {
		if d.Status != facts.StatusOK {
			t.Errorf("%s with AcceptNewHostKeys: %s %q", d.Name, d.Status, d.Error)
		}
	}
	data, err := os.ReadFile(kh)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != len(hosts) {
		t.Errorf("known_hosts has %d lines, want %d:\n%s", n, len(hosts), data)
	}
	cb, err := knownhosts.New(kh)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hosts[:3] {
		if err := cb(s.srv.Addr(h.Name), &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, s.srv.HostKey(h.Name)); err != nil {
			t.Errorf("%s: recorded key does not verify: %v", h.Name, err)
		}
	}

	// Now put the real (known) key of sw-changed on record: the server
	// presenting another one is a changed key, refused even under
	// AcceptNewHostKeys, and the file is not touched.
	addr := s.srv.Addr("sw-changed")
	var keep []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if !strings.HasPrefix(l, knownhosts.Normalize(addr)+" ") {
			keep = append(keep, l)
		}
	}
	keep = append(keep, knownhosts.Line([]string{addr}, s.srv.HostKey("sw-changed")))
	data = []byte(strings.Join(keep, "\n") + "\n")
	if err := os.WriteFile(kh, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if snap, err = Collect(context.Background(), s.inv, opt); err != nil {
		t.Fatal(err)
	}
	d := device(t, snap, "sw-changed")
	known := ssh.FingerprintSHA256(s.srv.HostKey("sw-changed"))
	if d.Status != facts.StatusFailed || !strings.Contains(d.Error, "host key mismatch") || !strings.Contains(d.Error, known) ||
		strings.Count(d.Error, "SHA256:") != 2 {
		t.Errorf("sw-changed: %s %q, want mismatch naming both fingerprints", d.Status, d.Error)
	}
	if after, _ := os.ReadFile(kh); !bytes.Equal(after, data) {
		t.Errorf("known_hosts changed after a key mismatch")
	}
}

// TestCanarySecretsNeverLeak collects with canary secrets — healthy
// hosts, a failed login, a wrong enable secret, a device whose config
// holds the login password in clear — and greps every output for them.
func TestCanarySecretsNeverLeak(t *testing.T) {
	c := creds{password: "Canary-Pw-93f1c7", enable: "Canary-En-5d2a8b"}
	hosts, labInv := labSim(t, ownLab, c)
	authFail := simHost("sw-authfail", "ios", filepath.Join(ownLab, "sw1"), c)
	authFail.Faults.AuthFail = true
	badEnable := simHost("sw-badenable", "ios", filepath.Join(ownLab, "sw1"), c)
	badEnable.EnablePassword = "Something-Else-1"
	echo := simHost("sw-echo", "ios", filepath.Join(ownLab, "sw1"), c)
	cfg, err := os.ReadFile(filepath.Join(ownLab, "sw1", "show_running-config.txt"))
	if err != nil {
		t.Fatal(err)
	}
	echo.Handler = func(cli string) (string, bool) {
		if cli == "show running-config" {
			return strings.Replace(string(cfg), "hostname sw1\n", "hostname sw1\nusername netops privilege 15 password 0 "+c.password+"\n", 1), true
		}
		return "", false
	}
	hosts = append(hosts, authFail, badEnable, echo)
	s := startSim(t, hosts, devsim.Options{}, c, labInv)
	s.setWait(shortWait, shortWait, "sw-authfail", "sw-badenable")
	logs := &syncBuffer{}
	opt := quick(logs)
	opt.SaveRaw = t.TempDir()
	var events []Event
	var mu sync.Mutex
	opt.Progress = func(e Event) { mu.Lock(); events = append(events, e); mu.Unlock() }
	snap, err := Collect(context.Background(), s.inv, opt)
	if err != nil {
		t.Fatal(err)
	}
	if d := device(t, snap, "sw-echo"); d.Status != facts.StatusOK {
		t.Fatalf("sw-echo: %s %s", d.Status, d.Error)
	}
	saved, err := os.ReadFile(filepath.Join(opt.SaveRaw, "sw-echo", "show_running-config.txt"))
	if err != nil || !bytes.Contains(saved, []byte("password 0 "+sshx.Redacted)) {
		t.Errorf("the device's copy of the password was not redacted in the saved output (%v)", err)
	}
	if d := device(t, snap, "sw-authfail"); d.Status != facts.StatusFailed {
		t.Errorf("sw-authfail: %s", d.Status)
	}
	if d := device(t, snap, "sw-badenable"); d.Status != facts.StatusFailed {
		t.Errorf("sw-badenable: %s", d.Status)
	}
	if !strings.Contains(logs.String(), `"ssh send"`) {
		t.Fatal("no debug logs captured: the test would prove nothing")
	}
	var outputs []string
	outputs = append(outputs, logs.String(), mustJSON(t, snap), mustJSON(t, events))
	for _, d := range snap.Devices {
		outputs = append(outputs, d.Error)
		for _, e := range d.Errors {
			outputs = append(outputs, e.Error())
		}
	}
	err = filepath.WalkDir(opt.SaveRaw, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		outputs = append(outputs, p+"\n"+string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outputs {
		for _, secret := range []string{c.password, c.enable} {
			if i := strings.Index(o, secret); i >= 0 {
				t.Errorf("secret leaked: ...%s...", o[max(0, i-80):i])
			}
		}
	}
}

// TestPromptOnReturn: a device that prints no prompt until return is
// pressed is asked for one after the wait for its own prompt (half the
// login timeout, at most 3 s), and is then audited in full.
func TestPromptOnReturn(t *testing.T) {
	c := defaultCreds
	quiet := simHost("sw-quiet", "ios", filepath.Join(ownLab, "sw1"), c)
	quiet.Faults.PromptOnReturn = true
	s := startSim(t, []devsim.Host{quiet}, devsim.Options{}, c, nil)
	s.setWait(2*time.Second, okWait, "sw-quiet")
	t0 := time.Now()
	snap, err := Collect(context.Background(), s.inv, quick(nil))
	if err != nil {
		t.Fatal(err)
	}
	d := device(t, snap, "sw-quiet")
	if d.Status != facts.StatusOK || !d.Has("show_running-config") {
		t.Fatalf("sw-quiet: %s %q keys %v", d.Status, d.Error, d.Keys)
	}
	// The return goes only after the 1 s wait for the device's own
	// prompt. No upper bound on the time: the whole wait is bounded by
	// the 2 s login timeout, so the audit succeeding says the return
	// came in time, however loaded the machine.
	if el := time.Since(t0); el < time.Second {
		t.Errorf("audit took %s: want the 1 s wait for the device's own prompt, then the return", el)
	}
	// The return that asked for the prompt is not a command.
	if got, want := s.srv.Commands("sw-quiet"), expectedCommands(t, "ios", true); !slices.Equal(got, want) {
		t.Errorf("sw-quiet received %q\nwant %q", got, want)
	}
}

// TestCUCMSlowLogin: the CUCM CLI takes a while to print its prompt; a
// login timeout longer than that waits it out, a shorter one fails naming
// the login.
func TestCUCMSlowLogin(t *testing.T) {
	c := defaultCreds
	slow := simHost("cucm-slow", "cucm", filepath.Join(ownLab, "cucm1"), c)
	slow.Faults.CUCMLoginDelay = 1500 * time.Millisecond
	slower := simHost("cucm-slower", "cucm", filepath.Join(ownLab, "cucm1"), c)
	// The slower node's delay is far beyond its timeout: the simulator
	// counts it from the session's start, the login timeout from later,
	// and on a loaded machine the gap between the two once let a 4 s
	// delay pass a 2 s timeout. The session ends with the simulator.
	slower.Faults.CUCMLoginDelay = time.Minute
	s := startSim(t, []devsim.Host{slow, slower}, devsim.Options{}, c, nil)
	// The slow node's login takes 1.5 s: okWait is plenty, shortWait is
	// not enough for the slower one's minute.
	s.setWait(okWait, okWait, "cucm-slow")
	s.setWait(shortWait, okWait, "cucm-slower")
	snap, err := Collect(context.Background(), s.inv, quick(nil))
	if err != nil {
		t.Fatal(err)
	}
	if d := device(t, snap, "cucm-slow"); d.Status != facts.StatusOK || d.CUCM == nil {
		t.Errorf("cucm-slow: %s %s", d.Status, d.Error)
	}
	if d := device(t, snap, "cucm-slower"); d.Status != facts.StatusFailed || d.Error != "cucm-slower: login: no prompt within 5s" {
		t.Errorf("cucm-slower: %s %q", d.Status, d.Error)
	}
}

// TestWorkersAndCancel: no more than Workers devices are in flight at
// once; cancelling the audit marks the devices not reached as failed and
// returns the context's error.
func TestWorkersAndCancel(t *testing.T) {
	c := defaultCreds
	var hosts []devsim.Host
	for _, n := range []string{"sw-1", "sw-2", "sw-3", "sw-4", "sw-5", "sw-6"} {
		h := simHost(n, "ios", filepath.Join(ownLab, "sw1"), c)
		h.Latency = 30 * time.Millisecond
		hosts = append(hosts, h)
	}
	s := startSim(t, hosts, devsim.Options{}, c, nil)
	opt := quick(nil)
	opt.Workers = 2
	var mu sync.Mutex
	inFlight, peak := 0, 0
	opt.Progress = func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Kind == DeviceStarted {
			inFlight++
			peak = max(peak, inFlight)
		} else {
			inFlight--
		}
	}
	snap, err := Collect(context.Background(), s.inv, opt)
	if err != nil {
		t.Fatal(err)
	}
	if peak > 2 || peak < 1 {
		t.Errorf("peak of %d devices in flight, want at most 2", peak)
	}
	for _, d := range snap.Devices {
		if d.Status != facts.StatusOK {
			t.Errorf("%s: %s %s", d.Name, d.Status, d.Error)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	finished := 0
	opt.Progress = func(e Event) {
		if e.Kind == DeviceStarted && e.Index == 1 {
			cancel()
		}
		if e.Kind != DeviceStarted {
			finished = e.Finished
		}
	}
	opt.Workers = 1
	before := map[string]int{}
	for _, h := range hosts {
		before[h.Name] = len(s.srv.Commands(h.Name))
	}
	snap, err = Collect(ctx, s.inv, opt)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	// The cancel stops the audit at once: the device starting when it
	// came and those after it receive nothing (a check of what was
	// sent, not of how long it took).
	for _, h := range hosts[1:] {
		if got := s.srv.Commands(h.Name)[before[h.Name]:]; len(got) > 0 {
			t.Errorf("%s received %q after the cancel", h.Name, got)
		}
	}
	if len(snap.Devices) != len(hosts) {
		t.Fatalf("%d devices, want %d", len(snap.Devices), len(hosts))
	}
	if finished != len(hosts) {
		t.Errorf("progress ended at %d of %d devices", finished, len(hosts))
	}
	for _, d := range snap.Devices[1:] {
		if d.Status != facts.StatusFailed || !strings.Contains(d.Error, "canceled") {
			t.Errorf("%s after cancel: %s %q", d.Name, d.Status, d.Error)
		}
	}
}

// TestDeviceTimeout: a device that answers every command just inside its
// per-command limit is still cut off by the device deadline.
func TestDeviceTimeout(t *testing.T) {
	c := defaultCreds
	h := simHost("sw-slow", "ios", filepath.Join(ownLab, "sw1"), c)
	h.Latency = 400 * time.Millisecond
	s := startSim(t, []devsim.Host{h}, devsim.Options{}, c, nil)
	opt := quick(nil)
	opt.DeviceTimeout = 1500 * time.Millisecond
	start := time.Now()
	snap, err := Collect(context.Background(), s.inv, opt)
	if err != nil {
		t.Fatal(err)
	}
	d := snap.Devices[0]
	if d.Status != facts.StatusFailed || !strings.Contains(d.Error, "device timeout of 1.5s exceeded") {
		t.Errorf("%s %q", d.Status, d.Error)
	}
	// Not early: the deadline is the device's whole budget.
	if el := time.Since(start); el < opt.DeviceTimeout {
		t.Errorf("failed after %s, before the device timeout", el)
	}
	// Cut off mid-audit: at 400 ms a command the whole audit needs more
	// than 1.5 s, so the device cannot have received every command. (A
	// bound on the elapsed time would say the same only on an idle
	// machine.)
	if got, all := s.srv.Commands("sw-slow"), expectedCommands(t, "ios", true); len(got) >= len(all) {
		t.Errorf("sw-slow received all %d commands: the device timeout did not cut the audit off", len(got))
	}
}

// TestBinaryOutputIsParseError: garbage bytes that do end in a prompt are
// output like any other: facts.CheckText (through collectors.Apply) turns
// them into a parse error on that key, the rest of the device is
// collected, and replaying the saved outputs reports the same.
func TestBinaryOutputIsParseError(t *testing.T) {
	c := defaultCreds
	h := simHost("sw-bin", "ios", filepath.Join(ownLab, "sw1"), c)
	h.Handler = func(cli string) (string, bool) {
		if cli == "show version" {
			return "\x00\x01\x02 garbage \xff\xfe\x00\x07", true
		}
		return "", false
	}
	s := startSim(t, []devsim.Host{h}, devsim.Options{}, c, nil)
	opt := quick(nil)
	opt.SaveRaw = t.TempDir()
	snap, err := Collect(context.Background(), s.inv, opt)
	if err != nil {
		t.Fatal(err)
	}
	d := snap.Devices[0]
	if d.Status != facts.StatusPartial || len(d.Errors) != 1 || d.Errors[0].Key != "show_version" ||
		!strings.Contains(d.Errors[0].Msg, "binary data") || !d.Has("show_running-config") {
		t.Errorf("%s %q errors %v keys %v", d.Status, d.Error, d.Errors, d.Keys)
	}
	checkReplay(t, opt.SaveRaw, snap)
}

// TestJumpHostCollect audits a switch through a jump host that is itself
// an inventory host left out of the audit by a filter: the jump is still
// found, used as the first hop, and not audited.
func TestJumpHostCollect(t *testing.T) {
	c := defaultCreds
	s := startSim(t, []devsim.Host{simHost("sw1", "ios", filepath.Join(ownLab, "sw1"), c)}, devsim.Options{}, c, nil)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hk, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	js, err := sshxtest.Start(sshxtest.Config{HostKey: hk, User: testUser, Password: c.password})
	if err != nil {
		t.Fatal(err)
	}
	defer js.Close()
	f, err := os.OpenFile(s.knownHosts, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(knownhosts.Line([]string{js.Addr()}, hk.PublicKey()) + "\n")
	f.Close()

	sw := s.inv.Hosts[0]
	sw.Jump = "bastion"
	b := sw
	b.Name, b.Port, b.Jump, b.Enable = "bastion", js.Port(), "", inventory.SecretRef{}
	full, err := inventory.Parse("inv.yaml", inventory.Marshal(&inventory.Inventory{Hosts: []inventory.Host{b, sw}}))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Filter(full, "!bastion")
	if err != nil {
		t.Fatal(err)
	}
	dc := &dialCounter{}
	opt := quick(nil)
	opt.Dialer = dc.dial
	snap, err := Collect(context.Background(), inv, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Devices) != 1 || snap.Devices[0].Name != "sw1" || snap.Devices[0].Status != facts.StatusOK {
		t.Fatalf("devices %s", mustJSON(t, snap.Devices))
	}
	if dc.count(js.Addr()) != 1 || dc.count(s.srv.Addr("sw1")) != 0 {
		t.Errorf("dials: jump %d, device %d; want 1 and 0", dc.count(js.Addr()), dc.count(s.srv.Addr("sw1")))
	}
	if got := js.Forwarded(); !slices.Equal(got, []string{s.srv.Addr("sw1")}) {
		t.Errorf("jump forwarded %v", got)
	}
}

// TestConnectRate: with a connection rate set, the workers' first dials
// keep to the pacer's schedule even though all start at once: the i-th
// dial is no earlier than i intervals after Collect was called; every
// device is still audited.
//
// Each dial is checked against its own slot, not against the dial before
// it: on a loaded machine a dial may start late (it waited for the CPU or
// the login gate) and the next one on time, so neighbours can be close
// together without the pacer having let anything through early.
func TestConnectRate(t *testing.T) {
	c := defaultCreds
	var hosts []devsim.Host
	for i := range 6 {
		hosts = append(hosts, simHost(fmt.Sprintf("sw%d", i), "ios", filepath.Join(ownLab, "sw1"), c))
	}
	s := startSim(t, hosts, devsim.Options{}, c, nil)
	var mu sync.Mutex
	var dials []time.Time
	opt := quick(nil)
	const gap = 50 * time.Millisecond
	opt.Workers, opt.ConnectRate = len(hosts), int(time.Second/gap)
	opt.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		dials = append(dials, time.Now())
		mu.Unlock()
		var nd net.Dialer
		return nd.DialContext(ctx, network, addr)
	}
	start := time.Now() // no slot can be earlier
	snap, err := Collect(context.Background(), s.inv, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range snap.Devices {
		if d.Status != facts.StatusOK {
			t.Errorf("%s: %s %s", d.Name, d.Status, d.Error)
		}
	}
	if len(dials) != len(hosts) {
		t.Fatalf("%d dials, want %d", len(dials), len(hosts))
	}
	slices.SortFunc(dials, func(a, b time.Time) int { return a.Compare(b) })
	for i, d := range dials {
		slot := start.Add(time.Duration(i) * gap)
		if early := slot.Sub(d); early > slotEarly {
			t.Errorf("dial %d at +%s, %s before its slot at +%s", i, d.Sub(start), early, slot.Sub(start))
		}
		// Late only by a gross error (a wakeup lost until some other
		// timeout), never by a loaded machine's scheduling.
		if late := d.Sub(slot); late > slotLate {
			t.Errorf("dial %d at +%s, %s after its slot at +%s", i, d.Sub(start), late, slot.Sub(start))
		}
	}
}

// slotEarly and slotLate are how far a paced event may be from its slot.
// Timers never fire early, so slotEarly only absorbs coarse clocks; a
// loaded machine (2 cores, the race detector, other packages testing)
// delays events by seconds, so slotLate is generous.
const (
	slotEarly = 2 * time.Millisecond
	slotLate  = 10 * time.Second
)
