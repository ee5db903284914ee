package devsim

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/kaudit/kaudit/capture/clidump"
)

// phone and call manager of the test capture.
var (
	capPhone = net.IP{10, 1, 1, 5}
	capCM    = net.IP{10, 2, 2, 2}
)

// conversation is a pcap of the phone's UDP to the call manager, the
// answer, and an ARP request, 1.5 s apart.
func conversation(t *testing.T) []byte {
	t.Helper()
	mac, _ := net.ParseMAC("00:1b:54:c2:a1:f0")
	udpFrame := func(src, dst net.IP) []byte {
		buf := gopacket.NewSerializeBuffer()
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: src, DstIP: dst}
		udp := &layers.UDP{SrcPort: 5060, DstPort: 5060}
		_ = udp.SetNetworkLayerForChecksum(ip)
		if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
			&layers.Ethernet{SrcMAC: mac, DstMAC: mac, EthernetType: layers.EthernetTypeIPv4}, ip, udp, gopacket.Payload("OPTIONS")); err != nil {
			t.Fatal(err)
		}
		return append([]byte(nil), buf.Bytes()...)
	}
	arp := make([]byte, 60)
	copy(arp[12:], []byte{0x08, 0x06})
	var b bytes.Buffer
	w := pcapgo.NewWriter(&b)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for i, f := range [][]byte{udpFrame(capPhone, capCM), udpFrame(capCM, capPhone), arp} {
		if err := w.WritePacket(gopacketCI(t0.Add(time.Duration(i)*1500*time.Millisecond), len(f)), f); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func readDump(t *testing.T, family, out string) *clidump.Dump {
	t.Helper()
	d, err := clidump.Parse(strings.NewReader(out), family, clidump.Options{})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return d
}

// TestEPCCapture drives a switch's capture by hand: the inline filter
// "ipv4 host A any" keeps one direction only (as the device shows it:
// Source IP / Destination IP), "ipv4 any any" both, "any" ARP too; the
// packet bound ends the capture; every layout prints, and the layouts
// without times get them from buffer brief.
func TestEPCCapture(t *testing.T) {
	for _, layout := range []clidump.Layout{clidump.EPCSummary, clidump.EPCXE16, clidump.EPCXE17, clidump.EPCClassic} {
		t.Run(string(layout), func(t *testing.T) {
			srv := startLab(t, Options{}, func(h *Host) {
				if h.Platform == PlatformIOS {
					h.Capture = &DeviceCapture{Pcap: conversation(t), Layout: layout}
				}
			})
			tm, p := login(t, srv, "sw1")
			for _, tc := range []struct {
				match string
				want  int
			}{{"ipv4 host 10.1.1.5 any", 1}, {"ipv4 any host 10.1.1.5", 1}, {"ipv4 any any", 2}, {"any", 3}} {
				tm.run("monitor capture K1 interface GigabitEthernet1/0/1 both", p)
				tm.run("monitor capture K1 match "+tc.match, p)
				tm.run("monitor capture K1 limit duration 10 packets 100", p)
				mustContain(t, tm.run("monitor capture K1 start", p), "Started capture point : K1")
				mustContain(t, tm.run("show monitor capture K1", p), "Status : Active")
				mustContain(t, tm.run("monitor capture K1 stop", p), "Stopped capture point : K1")
				d := readDump(t, clidump.FamilyEPC, tm.run("show monitor capture K1 buffer dump", p))
				if len(d.Packets) != tc.want || d.Layout != layout {
					t.Errorf("match %s: %d packets in %s, want %d", tc.match, len(d.Packets), d.Layout, tc.want)
				}
				if d.Synthetic() {
					rows, err := clidump.ParseBrief(strings.NewReader(tm.run("show monitor capture K1 buffer brief", p)), "")
					if err != nil || clidump.ApplyBrief(d, rows, time.Unix(0, 0)) != nil {
						t.Fatalf("brief: %v", err)
					}
				}
				if tc.want > 1 && d.Packets[1].Time.Sub(d.Packets[0].Time) != 1500*time.Millisecond {
					t.Errorf("match %s: gap %s", tc.match, d.Packets[1].Time.Sub(d.Packets[0].Time))
				}
				tm.run("no monitor capture K1", p)
			}
			tm.run("monitor capture K2 match ipv4 any any", p)
			tm.run("monitor capture K2 limit duration 10 packets 1", p)
			tm.run("monitor capture K2 start", p)
			mustContain(t, tm.run("show monitor capture K2", p), "Status : Inactive")
			if d := readDump(t, clidump.FamilyAuto, tm.run("show monitor capture K2 buffer dump", p)); len(d.Packets) != 1 {
				t.Errorf("bound 1: %d packets", len(d.Packets))
			}
			mustContain(t, tm.run("monitor capture K2 match ipv4 bogus", p), "% Invalid input")
		})
	}
}

// TestNoEPC: a switch without EPC rejects the commands, or refuses start.
func TestNoEPC(t *testing.T) {
	for _, tc := range []struct{ mode, cmd, want string }{
		{NoEPCAbsent, "monitor capture K1 interface GigabitEthernet1/0/1 both", "% Invalid input detected"},
		{NoEPCRefused, "monitor capture K1 start", EPCRefusal},
	} {
		srv := startLab(t, Options{}, func(h *Host) {
			if h.Platform == PlatformIOS {
				h.Capture = &DeviceCapture{Pcap: conversation(t), NoEPC: tc.mode}
			}
		})
		tm, p := login(t, srv, "sw1")
		tm.run("monitor capture K1 match any", p)
		mustContain(t, tm.run(tc.cmd, p), tc.want)
	}
}

// TestASACapture: the ASA's match takes both directions; both ASA
// layouts print.
func TestASACapture(t *testing.T) {
	for _, layout := range []clidump.Layout{clidump.ASA, clidump.ASASpace} {
		srv := startLab(t, Options{}, func(h *Host) {
			if h.Platform == PlatformASA {
				h.Capture = &DeviceCapture{Pcap: conversation(t), Layout: layout}
			}
		})
		tm, p := login(t, srv, "asa1")
		tm.run("capture K1 buffer 155000 interface inside match ip host 10.1.1.5 host 10.2.2.2", p)
		mustContain(t, tm.run("show capture", p), "capture K1 type raw-data interface inside", "match ip host 10.1.1.5 host 10.2.2.2")
		d := readDump(t, clidump.FamilyASA, tm.run("show capture K1 dump", p))
		if len(d.Packets) != 2 || d.Synthetic() || d.Packets[1].Time.Sub(d.Packets[0].Time) != 1500*time.Millisecond {
			t.Errorf("%s: %d packets, times %v", layout, len(d.Packets), d.Timing)
		}
		tm.run("no capture K1", p)
		mustContain(t, tm.run("show capture K1 dump", p), "does not exist")
	}
}
