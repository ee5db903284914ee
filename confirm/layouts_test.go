package confirm

import (
	"bytes"
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/kaudit/kaudit/capture"
	"github.com/kaudit/kaudit/capture/clidump"
	"github.com/kaudit/kaudit/internal/devsim"
	"github.com/kaudit/kaudit/internal/labsim"
	"github.com/kaudit/kaudit/rules"
)

const edgeFirewall = "../testdata/labs/edge-keepalive-expires-300"

// serveCapture serves lab dir with host capturing dc (devsim's capture
// player) and plans the finding pick chooses.
func serveCapture(t *testing.T, dir, host string, dc *devsim.DeviceCapture, pick findingPicker) (*labsim.Lab, *Plan) {
	t.Helper()
	return servePlan(t, dir, func(h *devsim.Host) {
		if h.Name == host {
			h.Capture = dc
		}
	}, pick)
}

// firewallFinding is the edge lab's ASA idle-timeout finding.
var firewallFinding = pick("firewall finding", func(f rules.Finding) bool { return f.Rule == "firewall-idle-timeout-shorter-than-keepalive" })

// directions counts the capture's IPv4 packets from the phone and to it.
func directions(t *testing.T, res *Result) (out, in int) {
	t.Helper()
	for _, p := range readPcapPath(t, res.Pcap, nil) {
		pkt := gopacket.NewPacket(p.Data, layers.LayerTypeEthernet, gopacket.Default)
		if ip, ok := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4); ok {
			if ip.SrcIP.Equal(net.ParseIP(res.Plan.PhoneIP)) {
				out++
			}
			if ip.DstIP.Equal(net.ParseIP(res.Plan.PhoneIP)) {
				in++
			}
		}
	}
	return out, in
}

// TestConfirmEveryLayout runs confirm end to end over SSH against a
// simulated switch or ASA printing each dump layout: the seed case's
// lost registration is confirmed on every one, with both directions of
// the phone's traffic captured, and the layouts that print no times get
// them from buffer brief.
func TestConfirmEveryLayout(t *testing.T) {
	for _, l := range clidump.Layouts() {
		t.Run(string(l), func(t *testing.T) {
			dir, host, pick := case2, "sw-floor1", gi101
			if l.Family() == clidump.FamilyASA {
				dir, host, pick = edgeFirewall, "asa-core", firewallFinding
			}
			dc := &devsim.DeviceCapture{Layout: l}
			lab, p := serveCapture(t, dir, host, dc, pick)
			if p.Host != host {
				t.Fatalf("plan on %s, want %s", p.Host, host)
			}
			dc.Pcap = pcapOf(t, readPcapAs(t, "seed_case2.pcap", map[[4]byte][4]byte{
				{10, 60, 98, 210}: ip4(t, p.PhoneIP), {10, 60, 1, 11}: ip4(t, p.CMIP)}))
			res := runFor(t, lab, p, 0, Confirmed)
			if !slices.ContainsFunc(res.Evidence, func(v capture.Verdict) bool { return v.ID == "registration-lost" }) {
				t.Errorf("no registration-lost verdict: %+v", res.Evidence)
			}
			want := l
			if l == clidump.ASASpace {
				want = clidump.ASA
			}
			if res.Layout != want || res.NoTimes != "" {
				t.Errorf("layout %s, no times %q", res.Layout, res.NoTimes)
			}
			out, in := directions(t, res)
			if out == 0 || in == 0 {
				t.Errorf("phone's packets: %d out, %d in; want both directions", out, in)
			}
			sent := lab.Server.Commands(host)
			cmds := p.Commands()
			if asked := slices.Contains(sent, cmds.Brief); asked != (l == clidump.EPCXE16 || l == clidump.EPCXE17) {
				t.Errorf("buffer brief asked %v for %s", asked, l)
			}
			var txt bytes.Buffer
			if err := res.WriteText(&txt); err != nil || !strings.Contains(txt.String(), "dump      "+want.Describe()) {
				t.Errorf("text:\n%s", txt.String())
			}
		})
	}
}

// TestConfirmWithoutTimes: an IOS-XE 17 switch whose buffer brief is not
// available leaves the packets without times: the keepalive finding is
// inconclusive, saying why, never judged on made-up times. A proxy-ARP
// plan is judged anyway: who answers ARP does not depend on time.
func TestConfirmWithoutTimes(t *testing.T) {
	dc := &devsim.DeviceCapture{Layout: clidump.EPCXE17, NoBrief: true}
	lab, p := serveCapture(t, case2, "sw-floor1", dc, gi101)
	dc.Pcap = pcapOf(t, readPcap(t, "seed_case2.pcap"))
	res := runFor(t, lab, p, 0, Inconclusive)
	if !strings.Contains(res.Reason, "keepalive timing cannot be judged") || !strings.Contains(res.Reason, "buffer brief gave none") {
		t.Errorf("reason %q", res.Reason)
	}
	var txt bytes.Buffer
	res.WriteText(&txt)
	if !strings.Contains(txt.String(), "times     SYNTHETIC") {
		t.Errorf("text:\n%s", txt.String())
	}

	dc = &devsim.DeviceCapture{Layout: clidump.EPCXE17, NoBrief: true}
	lab, p = serveCapture(t, case1, "sw-floor1", dc, proxyARPFinding)
	dc.Pcap = pcapOf(t, arpFrames(t, []arpStep{askCM, at(asaForCM, 300*time.Microsecond)}))
	if res := runFor(t, lab, p, 0, Confirmed); res.NoTimes == "" {
		t.Error("proxy ARP: times not said to be synthetic")
	}
}

// TestConfirmNoEPC: a switch without EPC (the command missing, or start
// refused as without the licence) is a clear "EPC not available" error,
// not a parse error, and the capture is still removed.
func TestConfirmNoEPC(t *testing.T) {
	for _, mode := range []string{devsim.NoEPCAbsent, devsim.NoEPCRefused} {
		t.Run(mode, func(t *testing.T) {
			dc := &devsim.DeviceCapture{NoEPC: mode}
			lab, p := serveCapture(t, case2, "sw-floor1", dc, gi101)
			dc.Pcap = pcapOf(t, readPcap(t, "seed_case2.pcap"))
			p.SetBounds(time.Second, 0)
			res, err := Run(context.Background(), lab.Inventory, p, opts(t, lab))
			if !errors.Is(err, ErrEPCUnavailable) || !strings.Contains(err.Error(), "sw-floor1: EPC not available") || strings.Contains(err.Error(), "offset") {
				t.Fatalf("error %v", err)
			}
			if res.Outcome != Inconclusive || res.CleanupErr != nil {
				t.Errorf("outcome %s, cleanup %v", res.Outcome, res.CleanupErr)
			}
			if sent := lab.Server.Commands("sw-floor1"); !slices.Contains(sent, "no monitor capture "+p.Name) || slices.Contains(sent, p.Commands().Fetch) {
				t.Errorf("sent %q", sent)
			}
		})
	}
}

func ip4(t *testing.T, s string) [4]byte {
	t.Helper()
	ip := net.ParseIP(s).To4()
	if ip == nil {
		t.Fatalf("%q is not IPv4", s)
	}
	return [4]byte(ip)
}

func pcapOf(t *testing.T, pkts []Packet) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := clidump.WritePcap(&b, pkts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
