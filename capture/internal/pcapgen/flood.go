package pcapgen

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"
)

// SYNFloodConfig shapes a capture of many TCP flows that never get past
// their SYN (a port scan, a SYN flood, a capture of a busy web server's
// segment): what the analysis must survive without keeping state for
// each.
type SYNFloodConfig struct {
	// Flows is the number of distinct flows, one SYN each.
	Flows int
	// SIPEvery: every n-th flow goes to port 5060 instead of 80; 0 means
	// none do.
	SIPEvery int
	Format   Format
}

// WriteSYNFlood writes cfg.Flows SYNs from distinct (address, port)
// pairs, 10 µs apart, and returns the number of packets written.
func WriteSYNFlood(out io.Writer, cfg SYNFloodConfig) (int, error) {
	if cfg.Flows <= 0 {
		return 0, fmt.Errorf("pcapgen: flows must be > 0")
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	w, err := NewWriter(bw, Config{Format: cfg.Format})
	if err != nil {
		return 0, err
	}
	server := NewHost("00:50:56:00:00:80", "10.80.0.1")
	for i := 0; i < cfg.Flows; i++ {
		// 50,000 source ports per address, addresses from 10.90.0.0.
		host := i / 50000
		client := Host{
			MAC: net.HardwareAddr{0x00, 0x1b, 0x54, 0x01, byte(host >> 8), byte(host)},
			IP:  netip.AddrFrom4([4]byte{10, 90, byte(host >> 8), byte(host)}),
		}
		dport := uint16(80)
		if cfg.SIPEvery > 0 && i%cfg.SIPEvery == 0 {
			dport = 5060
		}
		seg := Segment{SrcPort: uint16(10000 + i%50000), DstPort: dport, Seq: uint32(i) * 2654435761, Flags: SYN, Window: 8192}
		if err := w.TCP(T0.Add(time.Duration(i)*10*time.Microsecond), client, server, seg); err != nil {
			return w.Packets(), err
		}
	}
	if err := w.Flush(); err != nil {
		return w.Packets(), err
	}
	return w.Packets(), bw.Flush()
}

// WriteIDBFlood writes a pcapng section with n interface description
// blocks (Ethernet, 20 bytes each, no options) followed by one Ethernet
// frame on the last interface: a file whose interface table, not its
// packets, is what costs memory.
func WriteIDBFlood(out io.Writer, n int) error {
	if n <= 0 {
		return fmt.Errorf("pcapgen: interfaces must be > 0")
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	le := binary.LittleEndian
	// Section header: type, length, byte-order magic, version 1.0,
	// section length unknown (-1), trailing length.
	shb := make([]byte, 28)
	le.PutUint32(shb[0:], 0x0A0D0D0A)
	le.PutUint32(shb[4:], 28)
	le.PutUint32(shb[8:], 0x1A2B3C4D)
	le.PutUint16(shb[12:], 1)
	le.PutUint64(shb[16:], ^uint64(0))
	le.PutUint32(shb[24:], 28)
	if _, err := bw.Write(shb); err != nil {
		return err
	}
	idb := make([]byte, 20)
	le.PutUint32(idb[0:], 1)
	le.PutUint32(idb[4:], 20)
	le.PutUint16(idb[8:], 1) // LINKTYPE_ETHERNET
	le.PutUint32(idb[12:], 262144)
	le.PutUint32(idb[16:], 20)
	for i := 0; i < n; i++ {
		if _, err := bw.Write(idb); err != nil {
			return err
		}
	}
	// One enhanced packet block: a broadcast Ethernet frame with an
	// unknown EtherType (60 bytes), microseconds since the epoch.
	frame := make([]byte, 60)
	copy(frame, Broadcast)
	copy(frame[6:], []byte{0x00, 0x1b, 0x54, 0x00, 0x00, 0x01})
	binary.BigEndian.PutUint16(frame[12:], 0x88b5)
	epb := make([]byte, 32+len(frame))
	le.PutUint32(epb[0:], 6)
	le.PutUint32(epb[4:], uint32(len(epb)))
	le.PutUint32(epb[8:], uint32(n-1))
	us := uint64(T0.UnixMicro())
	le.PutUint32(epb[12:], uint32(us>>32))
	le.PutUint32(epb[16:], uint32(us))
	le.PutUint32(epb[20:], uint32(len(frame)))
	le.PutUint32(epb[24:], uint32(len(frame)))
	copy(epb[28:], frame)
	le.PutUint32(epb[len(epb)-4:], uint32(len(epb)))
	if _, err := bw.Write(epb); err != nil {
		return err
	}
	return bw.Flush()
}
