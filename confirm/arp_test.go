package confirm

import (
	"bytes"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/kaudit/kaudit/capture"
	"github.com/kaudit/kaudit/rules"
)

const case1 = "../testdata/labs/case1-proxy-arp"

// The case1 lab's addresses: the finding's first phone, on sw-floor1 Gi1/0/3, the
// publisher's own MAC (asa-edge show arp), the ASA's voice interface MAC
// (show interface) and its address.
const (
	arpPhoneMAC = "00:1b:54:c2:a1:f0"
	arpPhoneIP  = "10.10.10.53"
	arpCMMAC    = "00:50:56:9a:1c:02"
	arpCMIP     = "10.10.10.202"
	arpASAMAC   = "58:0a:20:fb:07:1f"
	arpASAIP    = "10.10.10.1"
)

// arpStep is one frame of a test capture: an ARP request or reply, or
// (ip) a UDP datagram from the phone to the call manager.
type arpStep struct {
	at       time.Duration
	reply    bool
	ip       bool
	mac, spa string // sender MAC and the address it speaks for
	tha, tpa string // target
}

func arpFrames(t *testing.T, steps []arpStep) []Packet {
	t.Helper()
	t0 := time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC)
	mac := func(s string) net.HardwareAddr {
		m, err := net.ParseMAC(s)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	var pkts []Packet
	for _, s := range steps {
		buf := gopacket.NewSerializeBuffer()
		opt := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
		var err error
		if s.ip {
			eth := &layers.Ethernet{SrcMAC: mac(arpPhoneMAC), DstMAC: mac(arpASAMAC), EthernetType: layers.EthernetTypeIPv4}
			ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.ParseIP(arpPhoneIP).To4(), DstIP: net.ParseIP(arpCMIP).To4()}
			udp := &layers.UDP{SrcPort: 50000, DstPort: 69}
			_ = udp.SetNetworkLayerForChecksum(ip)
			err = gopacket.SerializeLayers(buf, opt, eth, ip, udp, gopacket.Payload("SEP001B54C2A1F0.cnf.xml"))
		} else {
			op, dst := uint16(layers.ARPRequest), mac("ff:ff:ff:ff:ff:ff")
			tha := mac("00:00:00:00:00:00")
			if s.reply {
				op, dst, tha = layers.ARPReply, mac(s.tha), mac(s.tha)
			}
			eth := &layers.Ethernet{SrcMAC: mac(s.mac), DstMAC: dst, EthernetType: layers.EthernetTypeARP}
			arp := &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
				Operation: op, SourceHwAddress: mac(s.mac), SourceProtAddress: net.ParseIP(s.spa).To4(),
				DstHwAddress: tha, DstProtAddress: net.ParseIP(s.tpa).To4()}
			err = gopacket.SerializeLayers(buf, opt, eth, arp)
		}
		if err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, Packet{Time: t0.Add(s.at), Data: append([]byte(nil), buf.Bytes()...)})
	}
	return pkts
}

var (
	askCM    = arpStep{mac: arpPhoneMAC, spa: arpPhoneIP, tpa: arpCMIP}
	asaForCM = arpStep{reply: true, mac: arpASAMAC, spa: arpCMIP, tha: arpPhoneMAC, tpa: arpPhoneIP}
	cmForCM  = arpStep{reply: true, mac: arpCMMAC, spa: arpCMIP, tha: arpPhoneMAC, tpa: arpPhoneIP}
	askGW    = arpStep{mac: arpPhoneMAC, spa: arpPhoneIP, tpa: arpASAIP}
	asaForGW = arpStep{reply: true, mac: arpASAMAC, spa: arpASAIP, tha: arpPhoneMAC, tpa: arpPhoneIP}
	keepIP   = arpStep{ip: true}
	// Two hosts claim another address on the segment: a conflict that
	// says nothing about the call manager.
	printerA = arpStep{reply: true, mac: "00:1e:0b:11:22:33", spa: "10.10.10.99", tha: arpPhoneMAC, tpa: arpPhoneIP}
	printerB = arpStep{reply: true, mac: "00:1e:0b:44:55:66", spa: "10.10.10.99", tha: arpPhoneMAC, tpa: arpPhoneIP}
)

func at(s arpStep, d time.Duration) arpStep { s.at = d; return s }

// proxyARPFinding is the case1 lab's one finding.
var proxyARPFinding = pick("proxy-ARP finding", func(f rules.Finding) bool { return f.Rule == "asa-proxy-arp-answers-for-call-manager" })

func TestProxyARPPlan(t *testing.T) {
	l, snap, findings := startLab(t, case1, nil)
	p, err := NewPlan(snap, l.Inventory, proxyARPFinding(t, findings), "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Host != "sw-floor1" || p.Interface != "GigabitEthernet1/0/3" || p.Method != MethodEPC || p.Platform != "ios" ||
		p.PhoneIP != arpPhoneIP || p.CMIP != arpCMIP || p.ASA != "asa-edge" || p.Match != "any" || !p.ProvesARP() {
		t.Fatalf("plan %+v", p)
	}
	if !slices.Contains(p.ASAMACs, "580a.20fb.071f") || slices.Contains(p.ASAMACs, "0050.569a.1c02") {
		t.Errorf("ASA MACs %q: want the voice interface's, never the call manager's", p.ASAMACs)
	}
	p.SetBounds(0, 0)
	if p.Duration != ARPDuration || p.Packets != DefaultPackets {
		t.Errorf("default bounds %s / %d, want %s / %d", p.Duration, p.Packets, ARPDuration, DefaultPackets)
	}
	p.SetBounds(90*time.Second, 0)
	if p.Duration != 90*time.Second {
		t.Errorf("--duration 90s gave %s", p.Duration)
	}
	if _, err := NewPlan(snap, l.Inventory, proxyARPFinding(t, findings), "SEP0021D8BA1A44"); err == nil {
		t.Error("a branch phone without an address or port was accepted")
	}
	at, err := NewPlanAt(snap, l.Inventory, proxyARPFinding(t, findings), "", AtCUCM)
	if err != nil || at.Method != MethodCUCM || at.ProvesARP() {
		t.Errorf("--at cucm: %+v, %v: want a keepalive plan on the call manager", at, err)
	}
}

func TestEPCMatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Plan
		want string
	}{
		// "ipv4 host PHONE any" is one way only (the device shows it as
		// Source IP / Destination IP): the call manager's answers would be
		// lost. devsim plays the filter so, and TestConfirmEveryLayout
		// checks both directions arrive.
		{"keepalive plan takes the port's IPv4 both ways", Plan{Method: MethodEPC, PhoneIP: "10.1.1.5", Name: "KAUD0001"}, "monitor capture KAUD0001 match ipv4 any any"},
		{"ARP plan takes everything", Plan{Method: MethodEPC, PhoneIP: "10.1.1.5", Match: "any", Name: "KAUD0001"}, "monitor capture KAUD0001 match any"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Commands().Start; !slices.Contains(got, tc.want) {
				t.Errorf("start %q lacks %q", got, tc.want)
			}
		})
	}
}

// TestConfirmProxyARPOverSSH captures on the case1 phone's access port
// over SSH and judges the ARP answers for the publisher.
func TestConfirmProxyARPOverSSH(t *testing.T) {
	for _, tc := range []struct {
		name    string
		steps   []arpStep
		noMACs  bool // the snapshot lacked show interface
		packets int  // --packets
		outcome Outcome
		verdict string
		reason  []string
	}{
		{"the ASA answers for the publisher (seed case 1)",
			[]arpStep{askCM, at(asaForCM, 300*time.Microsecond), at(cmForCM, 900*time.Microsecond), at(keepIP, time.Second)},
			false, 0, Confirmed, "proxy-arp", []string{"proxy-arp"}},
		{"only the ASA answers",
			[]arpStep{askCM, at(asaForCM, 300*time.Microsecond)},
			false, 0, Confirmed, "proxy-arp", []string{"proxy-arp"}},
		{"only the publisher answers; the ASA answers for itself; a conflict elsewhere",
			[]arpStep{askGW, at(asaForGW, time.Millisecond), at(askCM, time.Second), at(cmForCM, time.Second+time.Millisecond), at(keepIP, 2*time.Second),
				at(printerA, 3*time.Second), at(printerB, 3*time.Second+time.Millisecond)},
			false, 0, NotSeen, "", []string{"1 ARP answer(s) for 10.10.10.202, all from 0050.569a.1c02"}},
		{"no ARP at all",
			[]arpStep{keepIP, at(keepIP, 30*time.Second)},
			false, 0, Inconclusive, "", []string{"no ARP for 10.10.10.202 in 1s", "did not re-ARP", "--duration"}},
		{"the phone asks, nobody answers",
			[]arpStep{askCM, at(askCM, time.Second)},
			false, 0, Inconclusive, "", []string{"2 ARP request(s) for 10.10.10.202", "no answer on GigabitEthernet1/0/3"}},
		{"the publisher answers but the ASA MACs are unknown",
			[]arpStep{askCM, at(cmForCM, time.Millisecond)},
			true, 0, Inconclusive, "", []string{"no interface MACs of asa-edge"}},
		{"the packet bound ends the capture before any ARP",
			[]arpStep{keepIP, at(keepIP, 40*time.Second)},
			false, 2, Inconclusive, "", []string{"no ARP for 10.10.10.202 before the capture reached its 2-packet bound after 40s", "--packets"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &sim{format: FormatEPC, dump: RenderDump(FormatEPC, arpFrames(t, tc.steps), time.UTC)}
			l, p := serveSim(t, case1, s, proxyARPFinding)
			if tc.noMACs {
				p.ASAMACs = nil
			}
			res := runFor(t, l, p, tc.packets, tc.outcome)
			for _, want := range tc.reason {
				if !strings.Contains(res.Reason, want) {
					t.Errorf("reason %q lacks %q", res.Reason, want)
				}
			}
			if res.Packets != len(tc.steps) {
				t.Errorf("%d packets, want %d", res.Packets, len(tc.steps))
			}
			hasVerdict := slices.ContainsFunc(res.Evidence, func(v capture.Verdict) bool {
				return v.ID == tc.verdict && v.CallManager == arpCMIP && strings.Contains(v.Message, "580a.20fb.071f")
			})
			if tc.verdict != "" && !hasVerdict {
				t.Errorf("no %s verdict for %s naming the ASA MAC in %+v", tc.verdict, arpCMIP, res.Evidence)
			}
			got := l.Server.Commands("sw-floor1")
			cmds := p.Commands()
			for _, want := range append(append(cmds.Start, cmds.Fetch), cmds.Cleanup...) {
				if !slices.Contains(got, want) {
					t.Errorf("%q not sent; sent %q", want, got)
				}
			}
			for _, want := range []string{
				"monitor capture " + p.Name + " interface GigabitEthernet1/0/3 both",
				"monitor capture " + p.Name + " match any",
				"no monitor capture " + p.Name,
			} {
				if !slices.Contains(got, want) {
					t.Errorf("%q not sent; sent %q", want, got)
				}
			}
			if slices.ContainsFunc(got, func(c string) bool { return strings.Contains(c, "match ipv4") }) {
				t.Errorf("an IPv4-only filter cannot see ARP; sent %q", got)
			}
			if res.CleanupErr != nil {
				t.Error(res.CleanupErr)
			}
			var out bytes.Buffer
			if err := res.WriteText(&out); err != nil {
				t.Fatal(err)
			}
			if txt := out.String(); !strings.Contains(txt, strings.ToUpper(string(tc.outcome))) || !strings.Contains(txt, "arp       "+arpCMIP) {
				t.Errorf("text lacks the outcome or the ARP line:\n%s", txt)
			}
		})
	}
}
