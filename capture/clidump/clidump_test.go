package clidump

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

var t0 = time.Date(2024, 5, 1, 23, 59, 58, 123456000, time.UTC)

// frames are test packets: a SIP REGISTER over TCP (its ASA summary
// wraps), a bare ACK, UDP, an ARP request, and rows that end short, run
// exactly 16 bytes, and hold text that looks like hex ("cafe", "ab ab").
func frames(t testing.TB) []Packet {
	t.Helper()
	mac := func(s string) net.HardwareAddr { m, _ := net.ParseMAC(s); return m }
	ser := func(ls ...gopacket.SerializableLayer) []byte {
		buf := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
			t.Fatal(err)
		}
		return append([]byte(nil), buf.Bytes()...)
	}
	eth := func(typ layers.EthernetType) *layers.Ethernet {
		return &layers.Ethernet{SrcMAC: mac("00:1b:54:c2:a1:f0"), DstMAC: mac("00:50:56:9a:1c:02"), EthernetType: typ}
	}
	ip := func(p layers.IPProtocol) *layers.IPv4 {
		return &layers.IPv4{Version: 4, TTL: 64, TOS: 0x68, Protocol: p, SrcIP: net.IP{10, 10, 20, 15}, DstIP: net.IP{10, 10, 10, 5}}
	}
	tcp := func(psh bool) *layers.TCP {
		t := &layers.TCP{SrcPort: 51824, DstPort: 5060, Seq: 2669456341, Ack: 3624439037, ACK: true, PSH: psh, Window: 32768}
		return t
	}
	reg := "REGISTER sip:10.10.10.5 SIP/2.0\r\nVia: SIP/2.0/TCP 10.10.20.15:51824\r\nCSeq: 101 REGISTER\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n"
	ip1, tcp1 := ip(layers.IPProtocolTCP), tcp(true)
	_ = tcp1.SetNetworkLayerForChecksum(ip1)
	ip2, tcp2 := ip(layers.IPProtocolTCP), tcp(false)
	_ = tcp2.SetNetworkLayerForChecksum(ip2)
	ip3 := ip(layers.IPProtocolUDP)
	udp := &layers.UDP{SrcPort: 5060, DstPort: 5060}
	_ = udp.SetNetworkLayerForChecksum(ip3)
	arp := &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
		Operation: layers.ARPRequest, SourceHwAddress: mac("00:1b:54:c2:a1:f0"), SourceProtAddress: net.IP{10, 10, 20, 15},
		DstHwAddress: mac("00:00:00:00:00:00"), DstProtAddress: net.IP{10, 10, 10, 5}}
	datas := [][]byte{
		ser(eth(layers.EthernetTypeIPv4), ip1, tcp1, gopacket.Payload(reg)),
		ser(eth(layers.EthernetTypeIPv4), ip2, tcp2),
		ser(eth(layers.EthernetTypeIPv4), ip3, udp, gopacket.Payload("cafe babe ab ab 0000 1234 deadbeef")),
		ser(eth(layers.EthernetTypeARP), arp),
		[]byte("ab ab ab ab ab a"),  // exactly one row, text that reads as hex groups
		[]byte("0123456789abcdef0"), // one byte past a row
		{0xb0, 0xfa, 0x20, 0x20, 0x41},
	}
	var pkts []Packet
	for i, d := range datas {
		pkts = append(pkts, Packet{Time: t0.Add(time.Duration(i) * 700 * time.Millisecond), Data: d})
	}
	return pkts
}

// TestRoundTrip renders every layout and reads it back: the same bytes,
// and the times the layout carries.
func TestRoundTrip(t *testing.T) {
	pkts := frames(t)
	for _, l := range Layouts() {
		t.Run(string(l), func(t *testing.T) {
			text := Render(l, pkts, RenderOptions{})
			for _, fam := range []string{l.Family(), FamilyAuto} {
				d, err := Parse(bytes.NewReader(text), fam, Options{Start: t0})
				if err != nil {
					t.Fatalf("%s: %v\n%s", fam, err, text)
				}
				checkRoundTrip(t, l, pkts, d)
			}
		})
	}
}

func checkRoundTrip(t *testing.T, l Layout, pkts []Packet, d *Dump) {
	t.Helper()
	want := l
	if l == ASASpace {
		want = ASA // one parser, one name
	}
	if d.Layout != want {
		t.Errorf("layout %s, want %s", d.Layout, want)
	}
	if len(d.Packets) != len(pkts) {
		t.Fatalf("%d packets, want %d", len(d.Packets), len(pkts))
	}
	for i := range pkts {
		if !bytes.Equal(d.Packets[i].Data, pkts[i].Data) {
			t.Fatalf("packet %d:\n got %x\nwant %x", i+1, d.Packets[i].Data, pkts[i].Data)
		}
		var wantT time.Time
		switch d.Timing {
		case TimingNone:
			wantT = SyntheticTime(i)
		case TimingRelative:
			wantT = t0.Add(pkts[i].Time.Sub(pkts[0].Time))
		default:
			wantT = pkts[i].Time
		}
		if diff := d.Packets[i].Time.Sub(wantT).Abs(); diff > time.Millisecond {
			t.Errorf("packet %d at %s, want %s", i+1, d.Packets[i].Time, wantT)
		}
	}
}

// TestASAMidnight: an ASA capture that runs past midnight goes on to the
// next day.
func TestASAMidnight(t *testing.T) {
	d, err := Parse(bytes.NewReader(Render(ASA, frames(t)[:4], RenderOptions{})), FamilyASA, Options{Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	if d.Packets[3].Time.Day() != 2 || d.Packets[3].Time.Sub(d.Packets[0].Time) != 2100*time.Millisecond {
		t.Errorf("times %s .. %s", d.Packets[0].Time, d.Packets[3].Time)
	}
}

// TestClassicIOS reads the classic IOS layout as ciscodump documents it:
// a packet's first row starting mid-row, 32-bit groups, the ASCII column
// with the high bit stripped, a local time zone.
func TestClassicIOS(t *testing.T) {
	dump := "16:09:37.171 ITA Mar 18 2016 : IPv4 LES CEF    : Gi0/1 None\n\n" +
		"0F1A2C00:                   B0FAEBC7 A8620050          0zkG(b.P\n" +
		"0F1A2C10: 568494FB 08004588 004EF201 40003F11  V..{..E..Nr.@.?.\n" +
		"0F1A2C20: 5263                                 Rc\n\n"
	d, err := Parse(strings.NewReader(dump), FamilyAuto, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Layout != EPCClassic || len(d.Packets) != 1 || len(d.Packets[0].Data) != 26 || d.Packets[0].Data[0] != 0xb0 {
		t.Fatalf("%s %d packets %x", d.Layout, len(d.Packets), d.Packets[0].Data)
	}
	if want := time.Date(2016, 3, 18, 16, 9, 37, 171e6, time.UTC); !d.Packets[0].Time.Equal(want) || d.Timing != TimingAbsolute {
		t.Errorf("time %s (%s), want %s", d.Packets[0].Time, d.Timing, want)
	}
	if !strings.Contains(strings.Join(d.Notes, ";"), "ITA read as UTC") {
		t.Errorf("notes %q", d.Notes)
	}
}

// TestErrors: every broken dump is an error naming the line, never a
// corrupted packet.
func TestErrors(t *testing.T) {
	asa := string(Render(ASA, frames(t)[:2], RenderOptions{}))
	epc := string(Render(EPCXE17, frames(t)[:2], RenderOptions{}))
	dropLine := func(s string, n int) string {
		l := strings.Split(s, "\r\n")
		return strings.Join(append(l[:n-1:n-1], l[n:]...), "\r\n")
	}
	for _, tc := range []struct {
		name, family, in, want string
	}{
		{"ASA row lost", FamilyASA, dropLine(asa, 6), ":6: offset 0x20, want 0x10"},
		{"ASA bad hex", FamilyASA, strings.Replace(asa, "0x0000\t 0050", "0x0000\t zz50", 1), ":5: no hex bytes"},
		{"ASA header lost", FamilyASA, dropLine(asa, 3), "outside a packet"},
		{"ASA packets out of order", FamilyASA, strings.Replace(asa, "   2: ", "   1: ", 1), "packet 1 after packet 1"},
		{"EPC row lost", FamilyEPC, dropLine(epc, 4), ":4: offset 0x20, want 0x10"},
		{"EPC rows without their start", FamilyEPC, dropLine(epc, 3), "outside a packet"},
		{"EPC summary line lost", FamilyEPC, dropLine(string(Render(EPCSummary, frames(t)[:2], RenderOptions{})), 18), "packet 2 is in the epc-xe17 layout"},
		{"binary", FamilyAuto, "0000  00 01\x00\x02", "binary data"},
		{"long line", FamilyEPC, strings.Repeat("x", 70000), "line longer than"},
		{"not a dump", FamilyAuto, "show version\nCisco IOS XE Software\n", "not a capture dump"},
		{"ASA text as EPC", FamilyEPC, "hello\nworld\n", "no EPC hex rows"},
		{"classic row without header", FamilyEPC, "0F1A2C10: 568494FB 08004588  V..{..E.\n", "header line is missing"},
		{"unknown family", "pcapng", asa, "unknown dump family"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.in), tc.family, Options{Name: "ticket.txt"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			var pe *Error
			if tc.family != "pcapng" && (!errors.As(err, &pe) || pe.Name != "ticket.txt") {
				t.Errorf("error %v does not name the dump", err)
			}
		})
	}
}

// TestMaxPackets bounds what one dump may hold.
func TestMaxPackets(t *testing.T) {
	text := Render(EPCXE17, frames(t), RenderOptions{})
	_, err := Parse(bytes.NewReader(text), FamilyEPC, Options{MaxPackets: 3})
	if err == nil || !strings.Contains(err.Error(), "more than 3 packets") {
		t.Fatalf("error %v", err)
	}
}

// TestRowSplit: the hex bytes are told from an ASCII column that looks
// like hex, whatever separates them.
func TestRowSplit(t *testing.T) {
	for _, tc := range []struct {
		body string
		ok   groupWidths
		want string
	}{
		{" 6162 ab", shortGroups, "6162"},
		{"\t 6162\tab", shortGroups, "6162"},
		{" 6162                                    ab", shortGroups, "6162"},
		{"  61 62 20 63 64   ab cd", bytesGroups, "6162206364"},
		{"  61 62 20 63 64 ab cd", bytesGroups, "6162206364"},
		{"  00000C07 AC15   ......", wordGroups, "00000c07ac15"},
		{" a453 0ef3", shortGroups, "a4530ef3"},           // no ASCII column
		{" a453 0ef3 ~~weird~~", shortGroups, "a4530ef3"}, // rendered its own way, single space: the only split left
	} {
		b, err := decodeRow(tc.body, tc.ok, rowBytes)
		if err != nil || hexString(b) != tc.want {
			t.Errorf("%q: %x %v, want %s", tc.body, b, err, tc.want)
		}
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
