// Package live captures packets on a Linux interface in pure Go (an
// AF_PACKET socket through gopacket/pcapgo: no cgo, no libpcap) and writes
// them as a pcap file that package capture, tcpdump and Wireshark read. It
// backs `kaudit pcap capture`. On other systems Open returns an error.
package live

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/net/bpf"
)

// DefaultCount bounds a capture when Options.Count is zero.
const DefaultCount = 100000

// DefaultSnapLen is tcpdump's default: veth and loopback hand over
// GSO/GRO super-frames far larger than the MTU, and cutting them would
// hide the SIP bodies the analysis reads.
const DefaultSnapLen = 262144

// pollInterval bounds how long a blocked read ignores the context and the
// deadline: the socket's receive timeout.
const pollInterval = 100 * time.Millisecond

// ErrPermission is returned (wrapped) when the process may not open a
// packet socket: it needs root or CAP_NET_RAW.
var ErrPermission = errors.New("packet capture needs root or CAP_NET_RAW")

// Options bound and select a capture.
type Options struct {
	Interface string
	// Duration bounds the capture in time; it must be positive.
	Duration time.Duration
	// Count bounds the number of packets written (DefaultCount when 0).
	Count int
	// FilterHost keeps only IPv4 packets from or to this address and ARP
	// packets naming it (tcpdump's "host X"). Zero keeps everything.
	FilterHost netip.Addr
	// SnapLen is the most bytes kept per packet (DefaultSnapLen when 0).
	SnapLen int
}

// Stats describes a finished capture.
type Stats struct {
	Packets int   // written to the file
	Bytes   int64 // captured bytes written
	// KernelDrops counts packets the socket dropped because the reader
	// fell behind; the file misses them.
	KernelDrops uint32
	// Stopped says what ended the capture: "duration", "count" or
	// "interrupted".
	Stopped string
}

// HostFilter is tcpdump's "host ADDR" for Ethernet frames as a classic BPF
// program: IPv4 packets from or to addr, and ARP packets whose sender or
// target protocol address is addr. Matching packets are kept up to
// snaplen bytes.
func HostFilter(addr netip.Addr, snaplen int) ([]bpf.Instruction, error) {
	if !addr.Is4() {
		return nil, fmt.Errorf("host filter: %v: only IPv4 addresses are supported", addr)
	}
	a4 := addr.As4()
	x := uint32(a4[0])<<24 | uint32(a4[1])<<16 | uint32(a4[2])<<8 | uint32(a4[3])
	keep := uint32(snaplen)
	return []bpf.Instruction{
		/* 0 */ bpf.LoadAbsolute{Off: 12, Size: 2}, // EtherType
		/* 1 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x0800, SkipTrue: 0, SkipFalse: 4},
		/* 2 */ bpf.LoadAbsolute{Off: 26, Size: 4}, // IPv4 source
		/* 3 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: x, SkipTrue: 7},
		/* 4 */ bpf.LoadAbsolute{Off: 30, Size: 4}, // IPv4 destination
		/* 5 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: x, SkipTrue: 5, SkipFalse: 6},
		/* 6 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x0806, SkipTrue: 0, SkipFalse: 5},
		/* 7 */ bpf.LoadAbsolute{Off: 28, Size: 4}, // ARP sender IP
		/* 8 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: x, SkipTrue: 2},
		/* 9 */ bpf.LoadAbsolute{Off: 38, Size: 4}, // ARP target IP
		/* 10 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: x, SkipTrue: 0, SkipFalse: 1},
		/* 11 */ bpf.RetConstant{Val: keep},
		/* 12 */ bpf.RetConstant{Val: 0},
	}, nil
}
