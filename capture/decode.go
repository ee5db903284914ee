package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// frame is one decoded packet, reused for every packet: slices point into
// the reader's buffer and are only valid until the next packet.
type frame struct {
	num int
	ts  Timestamp

	hasIP    bool
	src, dst netip.Addr
	fragment bool

	isTCP, isUDP bool
	sport, dport uint16
	// TCP header fields; tcpOK is false when the header was too short or
	// bogus to analyse (Wireshark skips those too).
	seq, ack uint32
	flags    uint8
	win      uint16
	tcpOK    bool
	// seglen is the payload length from the IP header; payload is what
	// the capture holds of it (shorter when truncated by snaplen).
	seglen  int
	payload []byte

	arp *arpLayer
}

const (
	thFIN = 0x01
	thSYN = 0x02
	thRST = 0x04
	thACK = 0x10
)

// decoder turns raw frames into frames with gopacket's DecodingLayerParser
// (no per-packet allocation). One parser per first layer; they share the
// layer structs.
type decoder struct {
	eth   layers.Ethernet
	dot1q layers.Dot1Q
	ip4   layers.IPv4
	ip6   layers.IPv6
	tcp   layers.TCP
	udp   layers.UDP
	arp   arpLayer
	loop  layers.Loopback
	sll   sllLayer

	byFirst map[gopacket.LayerType]*gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
}

func newDecoder() *decoder {
	d := &decoder{byFirst: map[gopacket.LayerType]*gopacket.DecodingLayerParser{}, decoded: make([]gopacket.LayerType, 0, 8)}
	all := []gopacket.DecodingLayer{&d.eth, &d.dot1q, &d.ip4, &d.ip6, &d.tcp, &d.udp, &d.arp, &d.loop, &d.sll}
	for _, first := range []gopacket.LayerType{layers.LayerTypeEthernet, layers.LayerTypeLinuxSLL, layers.LayerTypeIPv4, layers.LayerTypeIPv6, layers.LayerTypeLoopback} {
		p := gopacket.NewDecodingLayerParser(first, all...)
		p.IgnoreUnsupported = true
		d.byFirst[first] = p
	}
	return d
}

// errLinkType reports a link type the analysis cannot read.
var errLinkType = errors.New("unsupported link type")

// firstLayer picks the parser's first layer for a link type; for raw IP
// the version nibble decides.
func (d *decoder) firstLayer(lt uint32, data []byte) (gopacket.LayerType, error) {
	switch lt {
	case uint32(layers.LinkTypeEthernet):
		return layers.LayerTypeEthernet, nil
	case uint32(layers.LinkTypeLinuxSLL):
		d.sll.v2 = false
		return layers.LayerTypeLinuxSLL, nil
	case linkTypeLinuxSLL2:
		d.sll.v2 = true
		return layers.LayerTypeLinuxSLL, nil
	case uint32(layers.LinkTypeNull), uint32(layers.LinkTypeLoop):
		return layers.LayerTypeLoopback, nil
	case uint32(layers.LinkTypeIPv4):
		return layers.LayerTypeIPv4, nil
	case uint32(layers.LinkTypeIPv6):
		return layers.LayerTypeIPv6, nil
	case uint32(layers.LinkTypeRaw), 12, 14: // 12 and 14 are DLT_RAW on some BSDs
		if len(data) > 0 && data[0]>>4 == 6 {
			return layers.LayerTypeIPv6, nil
		}
		return layers.LayerTypeIPv4, nil
	}
	return 0, fmt.Errorf("%w %s", errLinkType, linkTypeName(lt))
}

// linkTypeLinuxSLL2 is LINKTYPE_LINUX_SLL2. gopacket 1.1.19's LinkType
// is a uint8, so link types are carried as uint32 here.
const linkTypeLinuxSLL2 = 276

func linkTypeName(lt uint32) string {
	switch {
	case lt == linkTypeLinuxSLL2:
		return "Linux SLL2"
	case lt < 256 && !strings.HasPrefix(layers.LinkType(lt).String(), "LinkType("):
		return layers.LinkType(lt).String()
	}
	return fmt.Sprintf("LinkType(%d)", lt)
}

// decode fills f from data. It returns false for frames that carry
// nothing the analysis reads (not IP or ARP, or too broken to decode).
func (d *decoder) decode(lt uint32, data []byte, f *frame) (ok bool) {
	if lt == uint32(layers.LinkTypeEthernet) && fastDecode(data, f) {
		return true
	}
	return d.decodeLayers(lt, data, f)
}

// decodeLayers is decode through gopacket.
func (d *decoder) decodeLayers(lt uint32, data []byte, f *frame) (ok bool) {
	first, err := d.firstLayer(lt, data)
	if err != nil {
		return false
	}
	p := d.byFirst[first]
	d.decoded = d.decoded[:0]
	// gopacket's decoders are trusted to bounds-check, but a hostile
	// capture must never take the analysis down: a panic in a layer
	// decoder makes this frame undecodable, nothing more.
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	err = p.DecodeLayers(data, &d.decoded)
	f.hasIP, f.isTCP, f.isUDP, f.tcpOK, f.fragment, f.arp = false, false, false, false, false, nil
	f.payload, f.seglen = nil, 0
	var ipPayloadLen int
	for _, l := range d.decoded {
		switch l {
		case layers.LayerTypeIPv4:
			f.hasIP = true
			f.src = netip.AddrFrom4([4]byte(d.ip4.SrcIP))
			f.dst = netip.AddrFrom4([4]byte(d.ip4.DstIP))
			f.fragment = d.ip4.Flags&layers.IPv4MoreFragments != 0 || d.ip4.FragOffset != 0
			ipPayloadLen = int(d.ip4.Length) - int(d.ip4.IHL)*4
		case layers.LayerTypeIPv6:
			f.hasIP = true
			f.src = netip.AddrFrom16([16]byte(d.ip6.SrcIP))
			f.dst = netip.AddrFrom16([16]byte(d.ip6.DstIP))
			// Extension headers other than hop-by-hop stop the parser
			// before TCP/UDP, so the payload length is the IPv6 one
			// minus hop-by-hop.
			ipPayloadLen = int(d.ip6.Length)
			if d.ip6.HopByHop != nil {
				ipPayloadLen -= len(d.ip6.HopByHop.Contents)
			}
		case layers.LayerTypeTCP:
			f.isTCP = true
			f.fillTCP(&d.tcp, ipPayloadLen)
		case layers.LayerTypeUDP:
			f.isUDP = true
			f.sport, f.dport = uint16(d.udp.SrcPort), uint16(d.udp.DstPort)
			f.payload = d.udp.Payload
			f.seglen = ipPayloadLen - 8
			if f.seglen < len(f.payload) {
				f.payload = f.payload[:max(f.seglen, 0)]
			}
		case layers.LayerTypeARP:
			f.arp = &d.arp
		}
	}
	// A TCP header cut short by the snaplen (or with broken options)
	// fails to decode after its fixed part was read; keep what is there.
	if err != nil && f.hasIP && !f.isTCP && !f.fragment {
		ipl := d.decoded[len(d.decoded)-1]
		var proto layers.IPProtocol
		var raw []byte
		if ipl == layers.LayerTypeIPv4 {
			proto, raw = d.ip4.Protocol, d.ip4.Payload
		} else if ipl == layers.LayerTypeIPv6 {
			proto, raw = d.ip6.NextHeader, d.ip6.Payload
		}
		if proto == layers.IPProtocolTCP && len(raw) >= 20 {
			f.isTCP = true
			f.fillRawTCP(raw, ipPayloadLen)
		}
	}
	return f.hasIP || f.arp != nil
}

// fastDecode decodes the usual frame, Ethernet II carrying IPv4 without
// options and TCP or UDP, without gopacket's layer machinery (a map
// lookup and an interface call per layer), and says whether it did.
// What it fills is what decodeLayers fills for such a frame, by the same
// rules (gopacket 1.1.19's IPv4 with its zero-length TSO case, UDP's
// length field, a TCP header read as fillRawTCP reads it, which is what
// fillTCP or the broken-options fallback give); anything else is left to
// decodeLayers. TestFastDecode holds the two together.
func fastDecode(data []byte, f *frame) bool {
	if len(data) < 14+20 || data[12] != 0x08 || data[13] != 0x00 || data[14]&0x0f != 5 {
		return false
	}
	ip := data[14:]
	proto := ip[9]
	if proto != 6 && proto != 17 {
		return false
	}
	length := binary.BigEndian.Uint16(ip[2:4])
	if length == 0 {
		length = uint16(len(ip)) // TCP segmentation offload
	}
	if length < 20 {
		return false
	}
	if len(ip) > int(length) {
		ip = ip[:length]
	}
	f.hasIP, f.isTCP, f.isUDP, f.tcpOK, f.arp = true, false, false, false, nil
	f.payload, f.seglen = nil, 0
	f.src = netip.AddrFrom4([4]byte(ip[12:16]))
	f.dst = netip.AddrFrom4([4]byte(ip[16:20]))
	flagsFrag := binary.BigEndian.Uint16(ip[6:8])
	f.fragment = flagsFrag&0x2000 != 0 || flagsFrag&0x1fff != 0
	raw := ip[20:]
	if f.fragment || len(raw) == 0 {
		return true
	}
	ipPayloadLen := int(length) - 20
	switch proto {
	case 6:
		if len(raw) >= 20 {
			f.isTCP = true
			f.fillRawTCP(raw, ipPayloadLen)
		}
	case 17:
		if len(raw) < 8 {
			return true
		}
		payload := raw[8:]
		switch ulen := int(binary.BigEndian.Uint16(raw[4:6])); {
		case ulen >= 8:
			payload = raw[8:min(ulen, len(raw))]
		case ulen != 0:
			return true // UDP length below its header: not decoded
		}
		f.isUDP = true
		f.sport, f.dport = binary.BigEndian.Uint16(raw[0:2]), binary.BigEndian.Uint16(raw[2:4])
		f.seglen = ipPayloadLen - 8
		if f.seglen < len(payload) {
			payload = payload[:max(f.seglen, 0)]
		}
		f.payload = payload
	}
	return true
}

func (f *frame) fillTCP(t *layers.TCP, ipPayloadLen int) {
	f.sport, f.dport = uint16(t.SrcPort), uint16(t.DstPort)
	f.seq, f.ack, f.win = t.Seq, t.Ack, t.Window
	var fl uint8
	if t.FIN {
		fl |= thFIN
	}
	if t.SYN {
		fl |= thSYN
	}
	if t.RST {
		fl |= thRST
	}
	if t.PSH {
		fl |= 0x08
	}
	if t.ACK {
		fl |= thACK
	}
	f.flags = fl
	hlen := int(t.DataOffset) * 4
	f.seglen = ipPayloadLen - hlen
	f.tcpOK = t.DataOffset >= 5 && f.seglen >= 0
	f.payload = nil // as fillRawTCP: a segment that is not tcpOK is not read
	if f.tcpOK {
		f.payload = t.Payload[:min(len(t.Payload), f.seglen)]
	}
}

func (f *frame) fillRawTCP(b []byte, ipPayloadLen int) {
	f.sport = binary.BigEndian.Uint16(b[0:2])
	f.dport = binary.BigEndian.Uint16(b[2:4])
	f.seq = binary.BigEndian.Uint32(b[4:8])
	f.ack = binary.BigEndian.Uint32(b[8:12])
	f.flags = b[13] & 0x1f
	f.win = binary.BigEndian.Uint16(b[14:16])
	hlen := int(b[12]>>4) * 4
	f.seglen = ipPayloadLen - hlen
	f.tcpOK = hlen >= 20 && f.seglen >= 0
	f.payload = nil
	if hlen <= len(b) && f.tcpOK {
		f.payload = b[hlen:min(len(b), hlen+f.seglen)]
	}
}

// sllLayer decodes Linux cooked capture headers v1 (16 bytes) and v2 (20
// bytes) itself: gopacket's LinuxSLL trusts the address length field and
// can slice out of range on a hostile capture.
type sllLayer struct {
	layers.BaseLayer
	v2    bool
	etype layers.EthernetType
}

func (s *sllLayer) CanDecode() gopacket.LayerClass    { return layers.LayerTypeLinuxSLL }
func (s *sllLayer) NextLayerType() gopacket.LayerType { return s.etype.LayerType() }

func (s *sllLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	n, at := 16, 14
	if s.v2 {
		n, at = 20, 0
	}
	if len(data) < n {
		df.SetTruncated()
		return errors.New("linux cooked header too short")
	}
	s.etype = layers.EthernetType(binary.BigEndian.Uint16(data[at : at+2]))
	s.BaseLayer = layers.BaseLayer{Contents: data[:n], Payload: data[n:]}
	return nil
}

// arpLayer decodes ARP itself: gopacket's ARP adds the address sizes in
// 8 bits and slices out of range when they are large.
type arpLayer struct {
	layers.BaseLayer
	op                 uint16
	hwSize, protoSize  int
	sha, spa, tha, tpa []byte
}

func (a *arpLayer) CanDecode() gopacket.LayerClass    { return layers.LayerTypeARP }
func (a *arpLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

func (a *arpLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 8 {
		df.SetTruncated()
		return errors.New("ARP header too short")
	}
	a.op = binary.BigEndian.Uint16(data[6:8])
	a.hwSize, a.protoSize = int(data[4]), int(data[5])
	n := 8 + 2*a.hwSize + 2*a.protoSize
	a.sha, a.spa, a.tha, a.tpa = nil, nil, nil, nil
	if len(data) >= n {
		h, p := a.hwSize, a.protoSize
		a.sha = data[8 : 8+h]
		a.spa = data[8+h : 8+h+p]
		a.tha = data[8+h+p : 8+2*h+p]
		a.tpa = data[8+2*h+p : n]
	} else {
		df.SetTruncated()
		n = len(data)
	}
	a.BaseLayer = layers.BaseLayer{Contents: data[:n], Payload: data[n:]}
	return nil
}
