package clidump

import (
	"io"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// WritePcap writes packets as a classic Ethernet pcap with nanosecond
// times, which tshark, tcpdump and kaudit pcap analyze read.
func WritePcap(w io.Writer, pkts []Packet) error {
	pw := pcapgo.NewWriterNanos(w)
	if err := pw.WriteFileHeader(MaxFrame, layers.LinkTypeEthernet); err != nil {
		return err
	}
	for _, p := range pkts {
		ci := gopacket.CaptureInfo{Timestamp: p.Time, CaptureLength: len(p.Data), Length: len(p.Data)}
		if err := pw.WritePacket(ci, p.Data); err != nil {
			return err
		}
	}
	return nil
}
