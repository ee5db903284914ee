package live

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/collectors/axl"
	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/collectors/sshx"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/devsim"
	"github.com/kaudit/kaudit/internal/labsim"
	"github.com/kaudit/kaudit/internal/testutil"
	"github.com/kaudit/kaudit/inventory"
)

// axlLab serves the hosts of lab's inventory (and only those), each CUCM
// node over SSH and AXL; tune may change a simulated host.
func axlLab(t *testing.T, lab string, tune func(h *devsim.Host)) *sim {
	t.Helper()
	labInv, err := offline.Load(lab)
	if err != nil {
		t.Fatal(err)
	}
	var hosts []devsim.Host
	for _, lh := range labInv.Hosts {
		h := simHost(lh.Name, lh.Platform, filepath.Join(lab, lh.Name), defaultCreds)
		if h.Platform == devsim.PlatformCUCM {
			h.AXL = &devsim.AXL{}
		}
		if tune != nil {
			tune(&h)
		}
		hosts = append(hosts, h)
	}
	return startSim(t, hosts, devsim.Options{}, defaultCreds, labInv)
}

// useAXL returns a copy of s's inventory in which every call manager is
// read with transport, at its AXL port, its certificate pinned.
func (s *sim) useAXL(t testing.TB, transport string) *inventory.Inventory {
	t.Helper()
	inv := &inventory.Inventory{Hosts: slices.Clone(s.inv.Hosts)}
	for i := range inv.Hosts {
		h := &inv.Hosts[i]
		if h.Platform != facts.PlatformCUCM {
			continue
		}
		_, port, err := net.SplitHostPort(s.srv.AXLAddr(h.Name))
		if err != nil {
			t.Fatal(err)
		}
		h.Transport = transport
		h.AXLPort, _ = strconv.Atoi(port)
		h.AXLFingerprint = axl.FingerprintOf(s.srv.AXLCertificate(h.Name).Raw)
	}
	return inv
}

// sqlKeys names AXL's output keys as the CLI's (axl_x is sql_x).
func sqlKeys(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strings.Replace(k, "axl_", "sql_", 1)
	}
	return out
}

// TestAXLSameSnapshotAsCLI collects labs twice, the call managers over
// the CLI and then over AXL: the facts are the same (apart from where
// their evidence was read), so are the findings, and the AXL requests
// that reached the nodes are the guard's reads and nothing over SSH.
// Replaying the AXL run's saved outputs gives its snapshot byte for byte.
func TestAXLSameSnapshotAsCLI(t *testing.T) {
	for _, name := range []string{"case1-proxy-arp", "case2-port-security-aging", "clean"} {
		t.Run(name, func(t *testing.T) {
			s := axlLab(t, repoLab(t, name), nil)
			viaCLI, err := Collect(context.Background(), s.inv, quick(nil))
			if err != nil {
				t.Fatal(err)
			}
			cucmCLI := map[string][]string{}
			for _, h := range s.inv.Hosts {
				if h.Platform == facts.PlatformCUCM {
					cucmCLI[h.Name] = s.srv.Commands(h.Name)
				}
			}
			save := filepath.Join(t.TempDir(), "raw")
			opt := quick(nil)
			opt.SaveRaw = save
			viaAXL, err := Collect(context.Background(), s.useAXL(t, inventory.TransportAXL), opt)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for i, d := range viaAXL.Devices {
				w := viaCLI.Devices[i]
				if d.Status != facts.StatusOK || w.Status != facts.StatusOK {
					t.Fatalf("%s: status AXL %s (%s), CLI %s (%s)", d.Name, d.Status, d.Error, w.Status, w.Error)
				}
				type view struct {
					Keys, Missing  []string
					NErrors        int
					Switch, ASA, C any
				}
				gv := view{sqlKeys(d.Keys), d.Missing, len(d.Errors), d.Switch, d.ASA, d.CUCM}
				wv := view{w.Keys, w.Missing, len(w.Errors), w.Switch, w.ASA, w.CUCM}
				if g, w := testutil.FactsJSON(t, gv, "key", "line", "text"), testutil.FactsJSON(t, wv, "key", "line", "text"); g != w {
					t.Errorf("%s: AXL facts differ from the CLI's:\n%s", d.Name, firstDiff(g, w))
				}
				if d.Platform != facts.PlatformCUCM {
					continue
				}
				n++
				if got := s.srv.Commands(d.Name); !slices.Equal(got, cucmCLI[d.Name]) {
					t.Errorf("%s: the AXL run typed over SSH: %q", d.Name, got[len(cucmCLI[d.Name]):])
				}
				reqs := s.srv.AXLRequests(d.Name)
				if len(reqs) != 4 {
					t.Errorf("%s: AXL requests %q, want getCCMVersion and three queries", d.Name, reqs)
				}
				for _, r := range reqs {
					if sql, ok := strings.CutPrefix(r, "executeSQLQuery "); ok {
						if err := sshx.Allowed("run sql " + sql); err != nil {
							t.Errorf("%s: a query the guard refuses reached the node: %v", d.Name, err)
						}
					} else if r != "getCCMVersion" {
						t.Errorf("%s: AXL request %q", d.Name, r)
					}
				}
				src := d.CUCM.Phones[0].Source
				if src.Key != "axl_phones" || src.Line != 1 || !strings.HasPrefix(src.Text, "name=") {
					t.Errorf("%s: phone evidence %+v", d.Name, src)
				}
			}
			if n == 0 {
				t.Fatal("the lab has no call manager")
			}
			checkReplay(t, save, viaAXL)
			// Last: labFingerprints joins the snapshots it is given.
			if g, w := labFingerprints(viaAXL), labFingerprints(viaCLI); !slices.Equal(g, w) || len(w) == 0 && name != "clean" {
				t.Errorf("findings over AXL %v, over the CLI %v", g, w)
			}
		})
	}
}

// collectPub serves lab with faults in cucm-pub's AXL service and
// collects it, the call managers read with transport and cucm-pub's
// inventory entry changed by host (when set).
func collectPub(t *testing.T, lab, transport string, faults devsim.AXLFaults, host func(h *inventory.Host)) (*sim, *facts.Snapshot) {
	t.Helper()
	s := axlLab(t, lab, func(h *devsim.Host) {
		if h.Name == "cucm-pub" {
			h.AXL.Faults = faults
		}
	})
	inv := s.useAXL(t, transport)
	if host != nil {
		host(inv.Host("cucm-pub"))
	}
	snap, err := Collect(context.Background(), inv, quick(nil))
	if err != nil {
		t.Fatal(err)
	}
	return s, snap
}

// TestAXLFaultsPerDevice: each AXL fault of one call manager fails that
// device alone, with an error that says what went wrong; the other call
// manager and the switch are collected.
func TestAXLFaultsPerDevice(t *testing.T) {
	lab := repoLab(t, "case2-port-security-aging")
	tests := []struct {
		name   string
		faults devsim.AXLFaults
		host   func(h *inventory.Host)
		ok     bool
		want   string
	}{
		{name: "throttled a while", faults: devsim.AXLFaults{Throttle: 2}, ok: true},
		{name: "throttled throughout", faults: devsim.AXLFaults{Throttle: 1000}, want: "AXL throttled the request 4 times in a row (HTTP 503"},
		{name: "bad credentials", faults: devsim.AXLFaults{AuthFail: true}, want: `AXL refused the login of "netops" (HTTP 401)`},
		{name: "not AXL", faults: devsim.AXLFaults{NotAXL: true}, want: "not an AXL service (HTTP 404)"},
		{name: "wrong version", host: func(h *inventory.Host) { h.AXLVersion = "15.0" }, want: "does not support AXL schema 15.0 (it supports 12.0, 12.5, 14.0): set axl_version"},
		{name: "slow", faults: devsim.AXLFaults{Slow: time.Hour}, host: func(h *inventory.Host) { h.CommandTimeout = 300 * time.Millisecond }, want: "no answer to executeSQLQuery within 300ms"},
		{name: "truncated", faults: devsim.AXLFaults{Truncate: true}, want: "the answer was cut short"},
		{name: "untrusted certificate", host: func(h *inventory.Host) { h.AXLFingerprint = "" }, want: "not trusted: no trusted authority signed it"},
		{name: "jump host", host: func(h *inventory.Host) { h.Jump = "sw-floor1" }, want: "AXL does not go through one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, snap := collectPub(t, lab, inventory.TransportAXL, tc.faults, tc.host)
			for _, d := range snap.Devices {
				if d.Name == "cucm-pub" && !tc.ok {
					if d.Status != facts.StatusFailed || !strings.HasPrefix(d.Error, "cucm-pub: ") || !strings.Contains(d.Error, tc.want) {
						t.Errorf("cucm-pub: %s %q, want failed with %q", d.Status, d.Error, tc.want)
					}
					if strings.Contains(d.Error, defaultCreds.password) {
						t.Errorf("the error shows the password: %s", d.Error)
					}
					continue
				}
				if d.Status != facts.StatusOK {
					t.Errorf("%s: %s %s", d.Name, d.Status, d.Error)
				}
			}
		})
	}
}

// TestAXLAuto: auto reads a call manager over AXL when it can, and over
// the CLI, saying why, when AXL cannot be used: a refused login, or a
// schema version set that the node does not take.
func TestAXLAuto(t *testing.T) {
	lab := repoLab(t, "case2-port-security-aging")
	for _, tc := range []struct {
		name   string
		faults devsim.AXLFaults
		host   func(h *inventory.Host)
		why    string
	}{
		{name: "refused login", faults: devsim.AXLFaults{AuthFail: true}, why: "refused the login"},
		{name: "schema not taken", host: func(h *inventory.Host) { h.AXLVersion = "15.0" }, why: "does not support AXL schema 15.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, snap := collectPub(t, lab, inventory.TransportAuto, tc.faults, tc.host)
			pub, sub := device(t, snap, "cucm-pub"), device(t, snap, "cucm-sub")
			if pub.Status != facts.StatusOK || !slices.Equal(pub.Keys, []string{"sql_phones", "sql_processconfig", "sql_sipprofile"}) || len(s.srv.Commands("cucm-pub")) == 0 {
				t.Errorf("cucm-pub: %s %s, keys %v: want read over the CLI", pub.Status, pub.Error, pub.Keys)
			}
			if len(pub.Warnings) != 1 || !strings.Contains(pub.Warnings[0].Error(), "read over the CLI: AXL could not be used") || !strings.Contains(pub.Warnings[0].Error(), tc.why) {
				t.Errorf("cucm-pub warnings %v", pub.Warnings)
			}
			if sub.Status != facts.StatusOK || !slices.Contains(sub.Keys, "axl_phones") || len(s.srv.Commands("cucm-sub")) != 0 || len(sub.Warnings) != 0 {
				t.Errorf("cucm-sub: %s, keys %v, ssh %q: want read over AXL", sub.Status, sub.Keys, s.srv.Commands("cucm-sub"))
			}
		})
	}
}

// TestAXLTrustOnFirstUse: with axl_known_hosts, a node is refused until
// --accept-new-host-keys records its certificate, then accepted.
func TestAXLTrustOnFirstUse(t *testing.T) {
	lab := repoLab(t, "case2-port-security-aging")
	s := axlLab(t, lab, nil)
	inv := s.useAXL(t, inventory.TransportAXL)
	kh := filepath.Join(t.TempDir(), "axl_known_hosts")
	for i := range inv.Hosts {
		inv.Hosts[i].AXLFingerprint, inv.Hosts[i].AXLKnownHosts = "", kh
	}
	status := func(accept bool) string {
		opt := quick(nil)
		opt.AcceptNewHostKeys = accept
		snap, err := Collect(context.Background(), inv, opt)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range snap.Devices {
			if d.Platform == facts.PlatformCUCM {
				out = append(out, d.Name+" "+d.Status)
				if d.Status == facts.StatusFailed && !strings.Contains(d.Error, "it is not in "+kh) {
					t.Errorf("%s: %s", d.Name, d.Error)
				}
			}
		}
		return strings.Join(out, ", ")
	}
	if got := status(false); got != "cucm-pub failed, cucm-sub failed" {
		t.Fatalf("first run: %s", got)
	}
	if got := status(true); got != "cucm-pub ok, cucm-sub ok" {
		t.Fatalf("accepting run: %s", got)
	}
	data, err := os.ReadFile(kh)
	if err != nil || strings.Count(string(data), "\n") != 2 {
		t.Fatalf("known certificates %q (%v)", data, err)
	}
	if got := status(false); got != "cucm-pub ok, cucm-sub ok" {
		t.Fatalf("after recording: %s", got)
	}
}

// TestAXLLab: the case2-axl lab (case2 with cucm-pub's outputs saved over
// AXL) reads to case2's facts and findings offline, and served live by
// labsim (the publisher over AXL, its certificate pinned, the rest over
// SSH) to its own offline snapshot: cucm-pub's sources included, since
// the simulator answers with the lab's saved bytes.
func TestAXLLab(t *testing.T) {
	dir := repoLab(t, "case2-axl")
	axlLab, cliLab := offlineSnap(t, dir), offlineSnap(t, repoLab(t, "case2-port-security-aging"))
	cucmFacts := func(s *facts.Snapshot, names []string, drop ...string) string {
		var ds []any
		for _, n := range names {
			d := device(t, s, n)
			ds = append(ds, []any{d.Name, d.Status, d.Missing, d.CUCM})
		}
		return testutil.FactsJSON(t, ds, drop...)
	}
	cucms := []string{"cucm-pub", "cucm-sub"}
	if g, w := cucmFacts(axlLab, cucms, "key", "line", "text"), cucmFacts(cliLab, cucms, "key", "line", "text"); g != w {
		t.Errorf("case2-axl's call managers differ from case2's:\n%s", firstDiff(g, w))
	}
	src := device(t, axlLab, "cucm-pub").CUCM.ServiceParams[5].Source
	if src.Key != "axl_processconfig" || src.Line != 6 || src.Text != "paramname=SIPStationKeepaliveInterval paramvalue=120" {
		t.Errorf("cucm-pub evidence %+v", src)
	}

	l, err := labsim.Serve(context.Background(), dir, labsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	pub := l.Inventory.Host("cucm-pub")
	if pub.Transport != inventory.TransportAXL || pub.AXLPort == 0 || pub.AXLFingerprint == "" || l.Server.AXLAddr("cucm-sub") != "" {
		t.Fatalf("served inventory: %+v", pub)
	}
	snap, err := Collect(context.Background(), l.Inventory, quick(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range snap.Devices {
		if d.Status != facts.StatusOK {
			t.Fatalf("%s: %s %s", d.Name, d.Status, d.Error)
		}
	}
	if n := len(l.Server.Commands("cucm-pub")); n != 0 {
		t.Errorf("cucm-pub was read over SSH too (%d lines)", n)
	}
	if reqs := l.Server.AXLRequests("cucm-pub"); len(reqs) != 4 {
		t.Errorf("AXL requests %q", reqs)
	}
	if g, w := cucmFacts(snap, []string{"cucm-pub"}), cucmFacts(axlLab, []string{"cucm-pub"}); g != w {
		t.Errorf("cucm-pub read live over AXL differs from its saved answers:\n%s", firstDiff(g, w))
	}
	// A live SSH output lacks the lab file's echoed command line.
	if g, w := cucmFacts(snap, []string{"cucm-sub"}, "line", "text"), cucmFacts(axlLab, []string{"cucm-sub"}, "line", "text"); g != w {
		t.Errorf("cucm-sub read live over the CLI differs from its lab files:\n%s", firstDiff(g, w))
	}
	if g, w, c := labFingerprints(snap), labFingerprints(axlLab), labFingerprints(cliLab); !slices.Equal(g, w) || !slices.Equal(w, c) || len(c) == 0 {
		t.Errorf("findings live %v, offline %v, case2 %v", g, w, c)
	}
}
