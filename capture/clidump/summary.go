package clidump

import (
	"fmt"
	"net"
	"strings"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// The one-line descriptions dumps print before a packet's bytes. Parsers
// skip them, so they only have to look like the device's: tcpdump's style
// on the ASA, Wireshark's (tshark) on Catalyst EPC.

type decoded struct {
	eth  *layers.Ethernet
	arp  *layers.ARP
	ip   *layers.IPv4
	tcp  *layers.TCP
	udp  *layers.UDP
	size int
}

func decode(data []byte) decoded {
	pkt := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
	d := decoded{size: len(data)}
	d.eth, _ = pkt.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
	d.arp, _ = pkt.Layer(layers.LayerTypeARP).(*layers.ARP)
	d.ip, _ = pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	d.tcp, _ = pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
	d.udp, _ = pkt.Layer(layers.LayerTypeUDP).(*layers.UDP)
	return d
}

// tcpdumpSummary is the ASA's description of a packet.
func tcpdumpSummary(data []byte) string {
	d := decode(data)
	switch {
	case d.ip == nil && d.arp != nil:
		return fmt.Sprintf("arp who-has %v tell %v", net.IP(d.arp.DstProtAddress), net.IP(d.arp.SourceProtAddress))
	case d.ip == nil:
		return fmt.Sprintf("%d bytes", len(data))
	case d.tcp != nil:
		t := d.tcp
		s := fmt.Sprintf("%v.%d > %v.%d: %s", d.ip.SrcIP, t.SrcPort, d.ip.DstIP, t.DstPort, tcpdumpFlags(t))
		if n := len(t.Payload); n > 0 {
			s += fmt.Sprintf(" %d:%d(%d)", t.Seq, t.Seq+uint32(n), n)
		}
		if t.ACK {
			s += fmt.Sprintf(" ack %d", t.Ack)
		}
		return s + fmt.Sprintf(" win %d", t.Window)
	case d.udp != nil:
		return fmt.Sprintf("%v.%d > %v.%d:  udp %d", d.ip.SrcIP, d.udp.SrcPort, d.ip.DstIP, d.udp.DstPort, len(d.udp.Payload))
	}
	return fmt.Sprintf("%v > %v: ip-proto-%d", d.ip.SrcIP, d.ip.DstIP, d.ip.Protocol)
}

// tcpdumpFlags: "S", "P", "F", "R", or "." for a bare ACK.
func tcpdumpFlags(t *layers.TCP) string {
	s := ""
	for _, f := range []struct {
		on bool
		c  string
	}{{t.SYN, "S"}, {t.FIN, "F"}, {t.RST, "R"}, {t.PSH, "P"}} {
		if f.on {
			s += f.c
		}
	}
	if s == "" {
		s = "."
	}
	return s
}

// tsharkSummary is Catalyst EPC's description: "SRC -> DST PROTO LEN info".
func tsharkSummary(data []byte) string {
	d := decode(data)
	switch {
	case d.ip == nil && d.arp != nil:
		dst := "Broadcast"
		if d.arp.Operation == layers.ARPReply && d.eth != nil {
			dst = d.eth.DstMAC.String()
		}
		src := net.HardwareAddr(d.arp.SourceHwAddress).String()
		if d.arp.Operation == layers.ARPReply {
			return fmt.Sprintf("%s -> %s ARP %d %v is at %s", src, dst, d.size, net.IP(d.arp.SourceProtAddress), src)
		}
		return fmt.Sprintf("%s -> %s ARP %d Who has %v? Tell %v", src, dst, d.size, net.IP(d.arp.DstProtAddress), net.IP(d.arp.SourceProtAddress))
	case d.ip == nil:
		return fmt.Sprintf("?? -> ?? 0x%04x %d", etherType(d), d.size)
	case d.tcp != nil:
		t := d.tcp
		proto := "TCP"
		if len(t.Payload) > 0 && (t.SrcPort == 5060 || t.DstPort == 5060) {
			proto = "SIP"
		}
		return fmt.Sprintf("%v -> %v %s %d %d -> %d [%s] Seq=%d Ack=%d Win=%d Len=%d", d.ip.SrcIP, d.ip.DstIP, proto, d.size,
			t.SrcPort, t.DstPort, tsharkFlags(t), t.Seq, t.Ack, t.Window, len(t.Payload))
	case d.udp != nil:
		return fmt.Sprintf("%v -> %v UDP %d Source port: %d  Destination port: %d", d.ip.SrcIP, d.ip.DstIP, d.size, d.udp.SrcPort, d.udp.DstPort)
	}
	return fmt.Sprintf("%v -> %v IPv4 %d", d.ip.SrcIP, d.ip.DstIP, d.size)
}

func etherType(d decoded) uint16 {
	if d.eth == nil {
		return 0
	}
	return uint16(d.eth.EthernetType)
}

func tsharkFlags(t *layers.TCP) string {
	var f []string
	for _, x := range []struct {
		on   bool
		name string
	}{{t.FIN, "FIN"}, {t.SYN, "SYN"}, {t.RST, "RST"}, {t.PSH, "PSH"}, {t.ACK, "ACK"}} {
		if x.on {
			f = append(f, x.name)
		}
	}
	return strings.Join(f, ", ")
}
