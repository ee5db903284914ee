package pcapgen

import (
	"bufio"
	"container/heap"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"
)

// BigConfig shapes a large SIP/TCP capture for benchmarks.
type BigConfig struct {
	// Packets is how many frames to write (the last cycle may be cut).
	Packets int
	// Phones defaults to Packets/500 (at least 1): each phone re-registers
	// every 115 s, so the capture spans about 125 cycles.
	Phones int
	// RetransmitEvery: every n-th keepalive (over all phones) is dropped
	// once or twice and retransmitted; 0 means 40.
	RetransmitEvery int
	Format          Format
}

// BigTruth is what WriteBig put in the file.
type BigTruth struct {
	Packets            int
	TCPRetransmissions int
	// Registers counts distinct REGISTERs; RegisterCopies also counts
	// the copies carried by retransmitted segments.
	Registers, RegisterCopies int
	Bytes                     int64
}

type bigPhone struct {
	idx    int
	conn   *Conn
	reg    Register
	events []bigEvent
	next   time.Time
	cycle  int
}

type bigEvent struct {
	at   time.Time
	kind int // 0 syn 1 synack 2 ack 3 register 4 retransmit 5 trying 6 ok 7 ack-ok
	seq  uint32
	msg  []byte
}

type phoneHeap []*bigPhone

func (h phoneHeap) Len() int { return len(h) }
func (h phoneHeap) Less(i, j int) bool {
	if !h[i].next.Equal(h[j].next) {
		return h[i].next.Before(h[j].next)
	}
	return h[i].idx < h[j].idx
}
func (h phoneHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *phoneHeap) Push(x any)   { *h = append(*h, x.(*bigPhone)) }
func (h *phoneHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}

// WriteBig writes a capture of many SIP phones re-registering over TCP
// to two call managers, in time order, with some retransmitted REGISTERs.
func WriteBig(out io.Writer, cfg BigConfig) (BigTruth, error) {
	if cfg.Packets <= 0 {
		return BigTruth{}, fmt.Errorf("pcapgen: packets must be > 0")
	}
	if cfg.Phones <= 0 {
		cfg.Phones = max(1, cfg.Packets/500)
	}
	if cfg.RetransmitEvery <= 0 {
		cfg.RetransmitEvery = 40
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	cw := &countWriter{w: bw}
	w, err := NewWriter(cw, Config{Format: cfg.Format})
	if err != nil {
		return BigTruth{}, err
	}
	var tr BigTruth
	cms := []Host{CUCM1, CUCM2}
	h := make(phoneHeap, 0, cfg.Phones)
	spacing := 115 * time.Second / time.Duration(cfg.Phones)
	for i := 0; i < cfg.Phones; i++ {
		ip := netip.AddrFrom4([4]byte{10, 61, byte(i >> 8), byte(i)})
		mac := net.HardwareAddr{0x00, 0x1b, 0x54, 0x00, byte(i >> 8), byte(i)}
		phone := Host{MAC: mac, IP: ip}
		cm := cms[i%2]
		port := uint16(49152 + i%16000)
		dev := fmt.Sprintf("SEP001B5400%04X", i)
		p := &bigPhone{idx: i, conn: NewConn(w, phone, cm, port, 5060, uint32(i)*7919+1000, uint32(i)*104729+5000)}
		p.reg = Register{Phone: phone, CM: cm, PhonePort: port, Transport: "TCP", Device: dev, Line: fmt.Sprint(2000 + i),
			CallID: fmt.Sprintf("%s-%d@%s", dev, i, ip), CSeq: 100, Expires: 3600}
		start := T0.Add(time.Duration(i) * spacing)
		p.events = []bigEvent{{at: start, kind: 0}, {at: start.Add(ms(1)), kind: 1}, {at: start.Add(ms(2)), kind: 2}}
		p.next = start
		h = append(h, p)
	}
	heap.Init(&h)
	keepalives := 0
	for w.Packets() < cfg.Packets {
		p := h[0]
		ev := p.events[0]
		p.events = p.events[1:]
		c := p.conn
		switch ev.kind {
		case 0:
			err = w.TCP(ev.at, c.Client, c.Server, Segment{SrcPort: c.CPort, DstPort: c.SPort, Seq: c.cNext, Flags: SYN, Window: c.Window})
			c.cNext++
		case 1:
			err = w.TCP(ev.at, c.Server, c.Client, Segment{SrcPort: c.SPort, DstPort: c.CPort, Seq: c.sNext, Ack: c.cNext, Flags: SYN | ACK, Window: c.Window})
			c.sNext++
		case 2, 7:
			err = c.Ack(ev.at, true)
		case 3:
			_, err = c.Send(ev.at, true, ev.msg)
			tr.Registers++
			tr.RegisterCopies++
		case 4:
			err = c.Resend(ev.at, true, ev.seq, ev.msg)
			tr.TCPRetransmissions++
			tr.RegisterCopies++
		case 5, 6:
			_, err = c.Send(ev.at, false, ev.msg)
		}
		if err != nil {
			return tr, err
		}
		if len(p.events) == 0 {
			// Plan the next cycle: REGISTER, maybe retransmissions, 100,
			// 200 and the ACK; 115 s after this cycle's 200 OK.
			at := ev.at.Add(ms(5))
			if p.cycle > 0 {
				at = ev.at.Add(115*time.Second - ms(11))
			}
			p.cycle++
			p.reg.CSeq++
			req := p.reg.Request()
			evs := []bigEvent{{at: at, kind: 3, msg: req, seq: c.cNext}}
			last := at
			keepalives++
			if keepalives%cfg.RetransmitEvery == 0 {
				n := 1 + (keepalives/cfg.RetransmitEvery)%2
				rto := ms(200)
				for j := 0; j < n; j++ {
					last = last.Add(rto)
					rto *= 2
					evs = append(evs, bigEvent{at: last, kind: 4, msg: req, seq: c.cNext})
				}
			}
			evs = append(evs,
				bigEvent{at: last.Add(ms(1.5)), kind: 5, msg: p.reg.Response(100, "Trying", 0)},
				bigEvent{at: last.Add(ms(2.2)), kind: 6, msg: p.reg.Response(200, "OK", 120)},
				bigEvent{at: last.Add(ms(13.2)), kind: 7})
			p.events = evs
		}
		p.next = p.events[0].at
		heap.Fix(&h, 0)
	}
	if err := w.Flush(); err != nil {
		return tr, err
	}
	if err := bw.Flush(); err != nil {
		return tr, err
	}
	tr.Packets = w.Packets()
	tr.Bytes = cw.n
	return tr, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
