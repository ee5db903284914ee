package confirm

import (
	"fmt"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

func gopacketCI(p Packet) gopacket.CaptureInfo {
	return gopacket.CaptureInfo{Timestamp: p.Time, CaptureLength: len(p.Data), Length: len(p.Data)}
}

// summary is the one-line description a dump prints before a packet's
// bytes; the parser skips it, so it only has to look like the device's.
func summary(data []byte) string {
	pkt := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
	ip, _ := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	if ip == nil {
		if arp, ok := pkt.Layer(layers.LayerTypeARP).(*layers.ARP); ok {
			return fmt.Sprintf("arp who-has %v tell %v", fmt.Sprint(arp.DstProtAddress), fmt.Sprint(arp.SourceProtAddress))
		}
		return fmt.Sprintf("%d bytes", len(data))
	}
	if tcp, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP); ok {
		return fmt.Sprintf("%v.%d > %v.%d: %s %d win %d", ip.SrcIP, tcp.SrcPort, ip.DstIP, tcp.DstPort, tcpFlags(tcp), tcp.Seq, tcp.Window)
	}
	if udp, ok := pkt.Layer(layers.LayerTypeUDP).(*layers.UDP); ok {
		return fmt.Sprintf("%v.%d > %v.%d:  udp %d", ip.SrcIP, udp.SrcPort, ip.DstIP, udp.DstPort, len(udp.Payload))
	}
	return fmt.Sprintf("%v > %v: ip-proto-%d", ip.SrcIP, ip.DstIP, ip.Protocol)
}

func tcpFlags(t *layers.TCP) string {
	s := ""
	for _, f := range []struct {
		on bool
		c  string
	}{{t.SYN, "S"}, {t.FIN, "F"}, {t.RST, "R"}, {t.PSH, "P"}, {t.ACK, "."}} {
		if f.on {
			s += f.c
		}
	}
	return s
}
