// Package pcapgen writes small, deterministic packet captures for the
// capture package's tests, fuzz seeds and benchmarks: the seed's failure
// cases rebuilt packet by packet, with the truth about what they contain,
// so tests compare the analysis against what was put on the wire.
package pcapgen

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// Format is the capture file format.
type Format int

// Formats.
const (
	PCAP Format = iota
	PCAPNG
)

// Link is the link-layer header every frame starts with.
type Link int

// Link types.
const (
	Ethernet Link = iota
	LinuxSLL      // Linux cooked capture v1 (tcpdump -i any)
	RawIPv4       // LINKTYPE_RAW: the frame starts at the IP header
)

// Config says how frames are written.
type Config struct {
	Format Format
	Link   Link
	// VLAN tags every Ethernet frame with 802.1Q when non-zero.
	VLAN uint16
	// Snaplen truncates frames to this many bytes when > 0.
	Snaplen int
}

// Host is one end of a conversation.
type Host struct {
	MAC net.HardwareAddr
	IP  netip.Addr
}

// NewHost builds a Host from a MAC and an IPv4 address in text form; it
// panics on malformed input because hosts are literals in scenarios.
func NewHost(mac, ip string) Host {
	hw, err := net.ParseMAC(mac)
	if err != nil {
		panic(err)
	}
	return Host{MAC: hw, IP: netip.MustParseAddr(ip)}
}

// TCP flag bits as on the wire.
const (
	FIN = 0x01
	SYN = 0x02
	RST = 0x04
	PSH = 0x08
	ACK = 0x10
)

// Writer serialises frames into a pcap or pcapng stream.
type Writer struct {
	cfg     Config
	pcap    *pcapgo.Writer
	ng      *pcapgo.NgWriter
	buf     gopacket.SerializeBuffer
	packets int
	ipID    uint16
}

func (c Config) linkType() layers.LinkType {
	switch c.Link {
	case LinuxSLL:
		return layers.LinkTypeLinuxSLL
	case RawIPv4:
		return layers.LinkTypeRaw
	}
	return layers.LinkTypeEthernet
}

// NewWriter writes the file header to w.
func NewWriter(w io.Writer, cfg Config) (*Writer, error) {
	gw := &Writer{cfg: cfg, buf: gopacket.NewSerializeBuffer()}
	snap := uint32(262144)
	if cfg.Snaplen > 0 {
		snap = uint32(cfg.Snaplen)
	}
	switch cfg.Format {
	case PCAP:
		gw.pcap = pcapgo.NewWriter(w)
		if err := gw.pcap.WriteFileHeader(snap, cfg.linkType()); err != nil {
			return nil, err
		}
	case PCAPNG:
		// Name and OS are fixed so the output is the same on every machine.
		intf := pcapgo.NgInterface{
			Name:                "gen0",
			LinkType:            cfg.linkType(),
			SnapLength:          snap,
			TimestampResolution: 9,
		}
		opts := pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "kaudit pcapgen"}}
		ng, err := pcapgo.NewNgWriterInterface(w, intf, opts)
		if err != nil {
			return nil, err
		}
		gw.ng = ng
	default:
		return nil, fmt.Errorf("pcapgen: unknown format %d", cfg.Format)
	}
	return gw, nil
}

// Packets is the number of frames written so far.
func (w *Writer) Packets() int { return w.packets }

// Flush writes buffered pcapng blocks; pcap output is unbuffered.
func (w *Writer) Flush() error {
	if w.ng != nil {
		return w.ng.Flush()
	}
	return nil
}

func (w *Writer) write(ts time.Time, frame []byte) error {
	ci := gopacket.CaptureInfo{Timestamp: ts, Length: len(frame), CaptureLength: len(frame)}
	if w.cfg.Snaplen > 0 && len(frame) > w.cfg.Snaplen {
		frame = frame[:w.cfg.Snaplen]
		ci.CaptureLength = w.cfg.Snaplen
	}
	w.packets++
	if w.ng != nil {
		return w.ng.WritePacket(ci, frame)
	}
	return w.pcap.WritePacket(ci, frame)
}

// frame serialises the network layers behind the configured link header.
func (w *Writer) frame(ts time.Time, src, dst net.HardwareAddr, etype layers.EthernetType, l ...gopacket.SerializableLayer) error {
	var all []gopacket.SerializableLayer
	switch w.cfg.Link {
	case Ethernet:
		eth := &layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: etype}
		all = append(all, eth)
		if w.cfg.VLAN != 0 {
			eth.EthernetType = layers.EthernetTypeDot1Q
			all = append(all, &layers.Dot1Q{VLANIdentifier: w.cfg.VLAN, Priority: 5, Type: etype})
		}
	case LinuxSLL:
		all = append(all, sllLayer{mac: src, etype: etype})
	case RawIPv4:
		if etype != layers.EthernetTypeIPv4 {
			return fmt.Errorf("pcapgen: raw IPv4 link cannot carry %v", etype)
		}
	}
	all = append(all, l...)
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(w.buf, opts, all...); err != nil {
		return err
	}
	return w.write(ts, w.buf.Bytes())
}

// sllLayer is the 16-byte Linux cooked header, which gopacket cannot
// serialise: packet type "sent by us", ARPHRD_ETHER, the sender's MAC.
type sllLayer struct {
	mac   net.HardwareAddr
	etype layers.EthernetType
}

func (s sllLayer) LayerType() gopacket.LayerType { return layers.LayerTypeLinuxSLL }

func (s sllLayer) SerializeTo(b gopacket.SerializeBuffer, _ gopacket.SerializeOptions) error {
	h, err := b.PrependBytes(16)
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint16(h[0:2], 4) // sent by us
	binary.BigEndian.PutUint16(h[2:4], 1) // ARPHRD_ETHER
	binary.BigEndian.PutUint16(h[4:6], uint16(len(s.mac)))
	var addr [8]byte
	copy(addr[:], s.mac)
	copy(h[6:14], addr[:])
	binary.BigEndian.PutUint16(h[14:16], uint16(s.etype))
	return nil
}

func (w *Writer) ip4(src, dst Host, proto layers.IPProtocol) *layers.IPv4 {
	w.ipID++
	return &layers.IPv4{
		Version: 4, IHL: 5, TTL: 64, Id: w.ipID, Flags: layers.IPv4DontFragment,
		Protocol: proto, SrcIP: src.IP.AsSlice(), DstIP: dst.IP.AsSlice(),
	}
}

// Segment is one TCP segment.
type Segment struct {
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            uint8
	Window           uint16
	Payload          []byte
}

// TCP writes one TCP segment from src to dst.
func (w *Writer) TCP(ts time.Time, src, dst Host, s Segment) error {
	ip := w.ip4(src, dst, layers.IPProtocolTCP)
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(s.SrcPort), DstPort: layers.TCPPort(s.DstPort),
		Seq: s.Seq, Ack: s.Ack, Window: s.Window,
		FIN: s.Flags&FIN != 0, SYN: s.Flags&SYN != 0, RST: s.Flags&RST != 0,
		PSH: s.Flags&PSH != 0, ACK: s.Flags&ACK != 0,
	}
	if s.Flags&SYN != 0 {
		tcp.Options = []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}}}
	}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		return err
	}
	return w.frame(ts, src.MAC, dst.MAC, layers.EthernetTypeIPv4, ip, tcp, gopacket.Payload(s.Payload))
}

// UDP writes one UDP datagram from src to dst.
func (w *Writer) UDP(ts time.Time, src, dst Host, sport, dport uint16, payload []byte) error {
	ip := w.ip4(src, dst, layers.IPProtocolUDP)
	udp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
		return err
	}
	return w.frame(ts, src.MAC, dst.MAC, layers.EthernetTypeIPv4, ip, udp, gopacket.Payload(payload))
}

// Broadcast is the Ethernet broadcast address.
var Broadcast = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// ARP writes an ARP packet. A reply says "sender.IP is at sender.MAC"; the
// Ethernet source is ethSrc (the sender's MAC unless a test wants them to
// differ) and requests go to broadcast.
func (w *Writer) ARP(ts time.Time, op uint16, ethSrc net.HardwareAddr, sender, target Host) error {
	dst := target.MAC
	tha := target.MAC
	if op == layers.ARPRequest {
		dst = Broadcast
		tha = net.HardwareAddr{0, 0, 0, 0, 0, 0}
	}
	arp := &layers.ARP{
		AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
		HwAddressSize: 6, ProtAddressSize: 4, Operation: op,
		SourceHwAddress: sender.MAC, SourceProtAddress: sender.IP.AsSlice(),
		DstHwAddress: tha, DstProtAddress: target.IP.AsSlice(),
	}
	return w.frame(ts, ethSrc, dst, layers.EthernetTypeARP, arp)
}
