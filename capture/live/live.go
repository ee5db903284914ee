//go:build linux

package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"reflect"
	"strings"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Handle is an open capture, ready to run.
type Handle struct {
	opts     Options
	eth      *pcapgo.EthernetHandle
	ifindex  int
	linkType layers.LinkType
}

// Open validates opts and opens the interface. The socket is open from
// here on, so call Run soon and Close when done.
func Open(opts Options) (*Handle, error) {
	if opts.Interface == "" {
		return nil, errors.New("capture: no interface")
	}
	if opts.Duration <= 0 {
		return nil, fmt.Errorf("capture on %s: duration must be positive, got %v", opts.Interface, opts.Duration)
	}
	if opts.Count < 0 {
		return nil, fmt.Errorf("capture on %s: count must not be negative, got %d", opts.Interface, opts.Count)
	}
	if opts.Count == 0 {
		opts.Count = DefaultCount
	}
	if opts.SnapLen <= 0 {
		opts.SnapLen = DefaultSnapLen
	}
	ifc, err := net.InterfaceByName(opts.Interface)
	if err != nil {
		return nil, fmt.Errorf("capture on %s: %w", opts.Interface, err)
	}
	lt, err := linkType(ifc)
	if err != nil {
		return nil, err
	}
	var host []bpf.Instruction
	if opts.FilterHost.IsValid() {
		if lt != layers.LinkTypeEthernet {
			return nil, fmt.Errorf("capture on %s: host filter needs an Ethernet interface", opts.Interface)
		}
		if host, err = HostFilter(opts.FilterHost, opts.SnapLen); err != nil {
			return nil, fmt.Errorf("capture on %s: %w", opts.Interface, err)
		}
	}
	prog := kernelProgram(ifc.Flags&net.FlagLoopback != 0, host)
	// pcapgo flattens the socket error into a string; a probe socket keeps
	// the errno so that a missing privilege is told apart from the rest.
	probe, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, 0)
	if err != nil {
		if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
			return nil, fmt.Errorf("capture on %s: %w (%v)", opts.Interface, ErrPermission, err)
		}
		return nil, fmt.Errorf("capture on %s: packet socket: %w", opts.Interface, err)
	}
	unix.Close(probe)

	eth, err := pcapgo.NewEthernetHandle(opts.Interface)
	if err != nil {
		return nil, fmt.Errorf("capture on %s: %w", opts.Interface, err)
	}
	h := &Handle{opts: opts, eth: eth, ifindex: ifc.Index, linkType: lt}
	if err := eth.SetCaptureLength(opts.SnapLen); err != nil {
		h.Close()
		return nil, fmt.Errorf("capture on %s: %w", opts.Interface, err)
	}
	fd, err := socketFD(eth)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("capture on %s: %w", opts.Interface, err)
	}
	// recvmsg blocks and closing the socket does not wake it: a receive
	// timeout lets Run look at the context and the deadline.
	tv := unix.NsecToTimeval(pollInterval.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		h.Close()
		return nil, fmt.Errorf("capture on %s: receive timeout: %w", opts.Interface, err)
	}
	if prog != nil {
		raw, err := bpf.Assemble(prog)
		if err != nil {
			h.Close()
			return nil, fmt.Errorf("capture on %s: filter: %w", opts.Interface, err)
		}
		if err := eth.SetBPF(raw); err != nil {
			h.Close()
			return nil, fmt.Errorf("capture on %s: attach filter: %w", opts.Interface, err)
		}
		// The socket queued packets before the filter was attached;
		// libpcap throws them away too.
		drain(fd)
	}
	if _, err := eth.Stats(); err != nil { // resets the drop counter
		h.Close()
		return nil, fmt.Errorf("capture on %s: statistics: %w", opts.Interface, err)
	}
	return h, nil
}

// Close releases the socket. It is safe to call twice.
func (h *Handle) Close() {
	if h.eth != nil {
		h.eth.Close()
		h.eth = nil
	}
}

// LinkType is the pcap link type Run writes.
func (h *Handle) LinkType() layers.LinkType { return h.linkType }

// Run captures until the duration has passed, the count is reached or ctx
// is cancelled (Ctrl-C), writing a pcap file (nanosecond timestamps) to w.
// A cancelled context is a normal end, not an error: Stats.Stopped says
// "interrupted". Run does not close w.
func (h *Handle) Run(ctx context.Context, w io.Writer) (Stats, error) {
	var st Stats
	if h.eth == nil {
		return st, fmt.Errorf("capture on %s: handle closed", h.opts.Interface)
	}
	pw := pcapgo.NewWriterNanos(w)
	if err := pw.WriteFileHeader(uint32(h.opts.SnapLen), h.linkType); err != nil {
		return st, fmt.Errorf("capture on %s: write: %w", h.opts.Interface, err)
	}
	deadline := time.Now().Add(h.opts.Duration)
	tagged := make([]byte, 0, h.opts.SnapLen+4)
	for {
		switch {
		case ctx.Err() != nil:
			st.Stopped = "interrupted"
		case !time.Now().Before(deadline):
			st.Stopped = "duration"
		case st.Packets >= h.opts.Count:
			st.Stopped = "count"
		}
		if st.Stopped != "" {
			break
		}
		data, ci, err := h.eth.ZeroCopyReadPacketData()
		if err != nil {
			if isTimeout(err) {
				continue
			}
			return st, fmt.Errorf("capture on %s: %w", h.opts.Interface, err)
		}
		// Until bind, an ETH_P_ALL socket hears every interface.
		if ci.InterfaceIndex != h.ifindex {
			continue
		}
		if len(ci.AncillaryData) > 0 && h.linkType == layers.LinkTypeEthernet && len(data) >= 12 {
			// The kernel strips the 802.1Q tag into the auxiliary data;
			// libpcap puts it back, and so do we, so that the voice VLAN
			// shows in the file.
			if tci, ok := ci.AncillaryData[0].(int); ok {
				tagged = insertTag(tagged[:0], data, uint16(tci))
				data = tagged
				ci.CaptureLength += 4
				ci.Length += 4
				ci.AncillaryData = nil
			}
		}
		if ci.CaptureLength > len(data) {
			ci.CaptureLength = len(data)
		}
		if ci.Length < ci.CaptureLength {
			ci.Length = ci.CaptureLength
		}
		if err := pw.WritePacket(ci, data[:ci.CaptureLength]); err != nil {
			return st, fmt.Errorf("capture on %s: write packet %d: %w", h.opts.Interface, st.Packets+1, err)
		}
		st.Packets++
		st.Bytes += int64(ci.CaptureLength)
	}
	if ks, err := h.eth.Stats(); err == nil {
		st.KernelDrops = ks.Drops
	}
	return st, nil
}

// kernelProgram is the socket filter: host (nil for every packet) and, on
// loopback, no outgoing copies. Loopback hands each packet to a packet
// socket twice, going out and coming in; libpcap keeps the incoming one
// only, and so does this, so that counts agree with tcpdump's. nil when
// nothing needs filtering.
func kernelProgram(loopback bool, host []bpf.Instruction) []bpf.Instruction {
	if !loopback {
		return host
	}
	p := []bpf.Instruction{
		bpf.LoadExtension{Num: bpf.ExtType}, // sll_pkttype
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.PACKET_OUTGOING, SkipFalse: 1},
		bpf.RetConstant{Val: 0},
	}
	if host == nil {
		return append(p, bpf.RetConstant{Val: math.MaxUint32})
	}
	return append(p, host...)
}

// drain discards what the socket holds, without waiting.
func drain(fd int) {
	var buf [1]byte
	for range 1 << 16 {
		if _, _, err := unix.Recvfrom(fd, buf[:], unix.MSG_DONTWAIT|unix.MSG_TRUNC); err != nil {
			return
		}
	}
}

// insertTag appends to dst the Ethernet frame with an 802.1Q header
// carrying tci after the MAC addresses. frame must hold at least the two
// addresses.
func insertTag(dst, frame []byte, tci uint16) []byte {
	dst = append(dst, frame[:12]...)
	dst = append(dst, 0x81, 0x00, byte(tci>>8), byte(tci))
	return append(dst, frame[12:]...)
}

// isTimeout tells the receive timeout from real read errors; pcapgo
// formats the errno with %s, so only its text is left.
func isTimeout(err error) bool {
	s := err.Error()
	return strings.HasSuffix(s, unix.EAGAIN.Error()) || strings.HasSuffix(s, unix.EINTR.Error())
}

// socketFD reads the descriptor pcapgo keeps unexported (v1.1.19): the
// receive timeout has no other way in. A gopacket upgrade that renames
// the field fails Open here, loudly, instead of hanging on Ctrl-C.
func socketFD(eth *pcapgo.EthernetHandle) (int, error) {
	f := reflect.ValueOf(eth).Elem().FieldByName("fd")
	if !f.IsValid() || f.Kind() != reflect.Int {
		return 0, errors.New("gopacket/pcapgo.EthernetHandle has no fd field: the receive timeout cannot be set")
	}
	return int(f.Int()), nil
}

// linkType is what an AF_PACKET raw socket hands over on ifc: Ethernet
// frames on Ethernet, veth and loopback (zero MACs), bare IP on tun and
// WireGuard interfaces that have no link-layer address.
func linkType(ifc *net.Interface) (layers.LinkType, error) {
	switch {
	case ifc.Flags&net.FlagLoopback != 0, len(ifc.HardwareAddr) == 6:
		return layers.LinkTypeEthernet, nil
	case len(ifc.HardwareAddr) == 0:
		return layers.LinkTypeRaw, nil
	}
	return 0, fmt.Errorf("capture on %s: unsupported link-layer address %v", ifc.Name, ifc.HardwareAddr)
}

// compile-time check that the handle reads what gopacket expects.
var _ gopacket.ZeroCopyPacketDataSource = (*pcapgo.EthernetHandle)(nil)
