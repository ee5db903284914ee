package capture

import (
	"net/netip"
)

// Sequence analysis flags, named after Wireshark's TCP_A_* (packet-tcp.c).
const (
	aRetransmission uint32 = 1 << iota
	aLostPacket
	aAckLostPacket
	aKeepAlive
	aDuplicateAck
	aZeroWindow
	aZeroWindowProbe
	aZeroWindowProbeAck
	aKeepAliveAck
	aOutOfOrder
	aFastRetransmission
	aWindowUpdate
	aSpuriousRetransmission
)

// aAnyRetransmission are the flags Wireshark's tcp.analysis.retransmission
// matches.
const aAnyRetransmission = aRetransmission | aFastRetransmission | aSpuriousRetransmission

// Wireshark's sequence comparisons, modulo 2^32.
func gtSeq(x, y uint32) bool { return int32(y-x) < 0 }
func ltSeq(x, y uint32) bool { return int32(x-y) < 0 }
func leSeq(x, y uint32) bool { return int32(x-y) <= 0 }

// connKey identifies a TCP conversation regardless of direction: side a
// is the lower (address, port).
type connKey struct {
	a, b   netip.Addr
	pa, pb uint16
}

func keyOf(src, dst netip.Addr, sport, dport uint16) (connKey, int) {
	if c := src.Compare(dst); c < 0 || (c == 0 && sport <= dport) {
		return connKey{src, dst, sport, dport}, 0
	}
	return connKey{dst, src, dport, sport}, 1
}

// seqDir is one direction's sequence state (Wireshark's tcp_flow_t and
// tcp_analyze_seq_flow_info_t, the fields the retransmission verdict
// needs), laid out to fit 48 bytes: every tracked flow keeps two.
type seqDir struct {
	nextSeqTime     Timestamp
	lastAckTime     Timestamp
	baseSeq         uint32
	nextSeq         uint32
	maxSeqToBeAcked uint32
	lastAck         uint32
	window          uint32
	synSeq          uint32 // sequence number of the last SYN, when synSeen
	dupAckNum       int32
	lastSegFlags    uint16 // the a* flags, which fit 16 bits
	baseSet         bool
	synSeen         bool

	// head is the oldest segment with data not yet acknowledged (frame 0:
	// none); the younger ones are in the flow's connExt. Most flows never
	// have more than one outstanding, and need no connExt.
	head sentSeg
}

// maxSent bounds the unacknowledged segments remembered per direction
// (Wireshark keeps up to 1000); once the flows together hold sentBudget
// beyond their heads, each keeps at most minSent.
const (
	maxSent    = 1000
	minSent    = 16
	sentBudget = 1 << 20
)

// sentSeg is a segment with data (or SYN/FIN), for the RTO of its
// retransmissions.
type sentSeg struct {
	first, last Timestamp
	frame       int
	seq, end    uint32
	listed      int32 // 0: not listed yet, -1: omitted, else index+1 in FileAnalysis.Retransmitted
}

// conn is one TCP conversation: the sequence state every tracked flow
// keeps, and a pointer to what only some need.
type conn struct {
	dir      [2]seqDir
	mruSyn   Timestamp
	firstRTT Timestamp // a duration; zero until the handshake completed
	ext      *connExt
	probed   uint8 // directions whose first payload was tested for SIP
}

// connExt is the state of flows that carry signalling (reassembly and
// keepalives) or have more than one segment outstanding.
type connExt struct {
	app  *appConn
	more [2][]sentSeg // unacknowledged segments after dir[d].head
}

func newConn() conn {
	var c conn
	c.dir[0].window = 0xFFFFFFFF
	c.dir[1].window = 0xFFFFFFFF
	return c
}

func (c *conn) app() *appConn {
	if c.ext == nil {
		return nil
	}
	return c.ext.app
}

// retxEvent describes a retransmitted segment for the layers above.
type retxEvent struct {
	kind       string
	sinceFirst Timestamp // durations, in ns
	rto        Timestamp
	rec        *sentSeg
}

// analyze runs Wireshark's tcp_analyze_sequence_number for one segment in
// direction d and returns the analysis flags. It follows the code of
// Wireshark 4.x (packet-tcp.c); see doc.go for where it differs.
func (c *conn) analyze(d int, f *frame) uint32 {
	fwd, rev := &c.dir[d], &c.dir[1-d]
	seq, ack, seglen, flags, window := f.seq, f.ack, uint32(f.seglen), f.flags, uint32(f.win)
	now := f.ts
	var ta uint32

	if !fwd.baseSet {
		if flags&thSYN != 0 {
			fwd.baseSeq = seq
		} else {
			fwd.baseSeq = seq - 1
		}
		fwd.baseSet = true
	}
	if !rev.baseSet && flags&thACK != 0 {
		rev.baseSeq = ack - 1
		rev.baseSet = true
	}

	// ZERO WINDOW PROBE
	if seglen == 1 && seq == fwd.nextSeq && rev.window == 0 {
		ta |= aZeroWindowProbe
		goto finishedFwd
	}
	// ZERO WINDOW
	if window == 0 && flags&(thRST|thFIN|thSYN) == 0 {
		ta |= aZeroWindow
	}
	// LOST PACKET
	if fwd.nextSeq != 0 && gtSeq(seq, fwd.nextSeq) && flags&thRST == 0 {
		ta |= aLostPacket
	}
	// KEEP ALIVE
	if (seglen == 0 || seglen == 1) && seq == fwd.nextSeq-1 && flags&(thSYN|thFIN|thRST) == 0 {
		ta |= aKeepAlive
	}
	// WINDOW UPDATE
	if seglen == 0 && window != 0 && window != fwd.window && seq == fwd.nextSeq && ack == fwd.lastAck && flags&(thSYN|thFIN|thRST) == 0 {
		ta |= aWindowUpdate
	}
	// KEEP ALIVE ACK
	if seglen == 0 && window != 0 && window == fwd.window && seq == fwd.nextSeq && ack == fwd.lastAck &&
		uint32(rev.lastSegFlags)&aKeepAlive != 0 && flags&(thSYN|thFIN|thRST) == 0 {
		ta |= aKeepAliveAck
		goto finishedFwd
	}
	// ZERO WINDOW PROBE ACK
	if seglen == 0 && window == 0 && window == fwd.window && seq == fwd.nextSeq && ack == fwd.lastAck &&
		uint32(rev.lastSegFlags)&aZeroWindowProbe != 0 && flags&(thSYN|thFIN|thRST) == 0 {
		ta |= aZeroWindowProbeAck
		goto finishedFwd
	}
	// DUPLICATE ACK
	if seglen == 0 && window != 0 && window == fwd.window && seq == fwd.nextSeq && ack == fwd.lastAck && flags&(thSYN|thFIN|thRST) == 0 {
		if fwd.dupAckNum == -1 {
			fwd.dupAckNum = 1
		} else {
			fwd.dupAckNum++
		}
		ta |= aDuplicateAck
	}

finishedFwd:
	if ack != fwd.lastAck {
		fwd.dupAckNum = 0
	}
	// ACKED LOST PACKET
	if rev.maxSeqToBeAcked != 0 && gtSeq(ack, rev.maxSeqToBeAcked) && flags&thACK != 0 {
		// Wireshark compares these two without sequence wrap-around.
		if rev.maxSeqToBeAcked > rev.nextSeq {
			rev.maxSeqToBeAcked = rev.nextSeq
			ta |= aAckLostPacket
		} else {
			if rev.dupAckNum == 0 {
				ta |= aAckLostPacket
			}
			rev.dupAckNum = -1
		}
	}

	// RETRANSMISSION / FAST RETRANSMISSION / OUT-OF-ORDER
	if seglen > 0 || flags&(thSYN|thFIN) != 0 {
		seqNotAdvanced := fwd.nextSeq != 0 && ltSeq(seq, fwd.nextSeq)
		if ta&aKeepAlive != 0 {
			goto finishedRetx
		}
		if seglen > 1 && fwd.nextSeq-1 == seq {
			seqNotAdvanced = false
		}
		// Spurious: all of it was already acknowledged.
		if seglen > 0 && rev.lastAck != 0 && leSeq(seq+seglen, rev.lastAck) {
			ta |= aSpuriousRetransmission
			goto finishedRetx
		}
		// Fast retransmission: >= 2 duplicate ACKs for this sequence
		// number, within 20 ms of the last one. Time differences are
		// unsigned as in Wireshark: a clock going backwards never matches.
		if seqNotAdvanced && rev.dupAckNum >= 2 && rev.lastAck == seq && uint64(now-rev.lastAckTime) < 20_000_000 {
			ta |= aFastRetransmission
			goto finishedRetx
		}
		// Out of order: close to the segment with the highest sequence
		// number (within the handshake RTT, or 3 ms), not ending where it
		// ended.
		ooo := Timestamp(3_000_000)
		if c.firstRTT != 0 {
			ooo = c.firstRTT
		}
		var synfin uint32
		if flags&(thSYN|thFIN) != 0 {
			synfin = 1
		}
		if seqNotAdvanced && uint64(now-fwd.nextSeqTime) < uint64(ooo) && fwd.nextSeq != seq+seglen+synfin {
			ta |= aOutOfOrder
			goto finishedRetx
		}
		if seqNotAdvanced {
			ta |= aRetransmission
		}
	}

finishedRetx:
	nextSeq := seq + seglen
	if flags&(thSYN|thFIN) != 0 {
		nextSeq++
	}
	if gtSeq(nextSeq, fwd.nextSeq) || fwd.nextSeq == 0 {
		if ta&aZeroWindowProbe == 0 {
			fwd.nextSeq = nextSeq
			fwd.nextSeqTime = now
		}
	}
	if seq == fwd.maxSeqToBeAcked || fwd.maxSeqToBeAcked == 0 {
		if ta&aZeroWindowProbe == 0 {
			fwd.maxSeqToBeAcked = fwd.nextSeq
		}
	}
	fwd.window = window
	fwd.lastAck = ack
	fwd.lastAckTime = now
	fwd.lastSegFlags = uint16(ta)
	return ta
}

// trackSent keeps the unacknowledged segments of direction d and, for a
// retransmission, finds the original to compute the RTO. prevNext is the
// direction's next sequence number before this segment; held counts the
// segments all flows keep beyond their heads.
func (c *conn) trackSent(d int, f *frame, ta uint32, prevNext uint32, held *int) *retxEvent {
	// The other direction's ACK releases segments it covers.
	if f.flags&thACK != 0 {
		c.releaseSent(1-d, f.ack, held)
	}
	seglen := uint32(f.seglen)
	if seglen == 0 && f.flags&(thSYN|thFIN) == 0 {
		return nil
	}
	fwd := &c.dir[d]
	end := f.seq + seglen
	if f.flags&(thSYN|thFIN) != 0 {
		end++
	}
	// New data (all of it, or the part beyond what was sent before) is
	// remembered first: the search below must not hold a pointer into
	// the list across an addition.
	if prevNext == 0 || gtSeq(end, prevNext) {
		start := f.seq
		if prevNext != 0 && ltSeq(start, prevNext) {
			start = prevNext
		}
		c.addSent(d, sentSeg{seq: start, end: end, first: f.ts, last: f.ts, frame: f.num}, held)
	}
	if ta&aAnyRetransmission == 0 {
		return nil
	}
	ev := &retxEvent{kind: "retransmission"}
	switch {
	case ta&aFastRetransmission != 0:
		ev.kind = "fast"
	case ta&aSpuriousRetransmission != 0:
		ev.kind = "spurious"
	}
	for i := c.sentLen(d) - 1; i >= 0; i-- {
		r := c.sentAt(d, i)
		if f.seq == r.seq || !ltSeq(f.seq, r.seq) && ltSeq(f.seq, r.end) {
			ev.rec = r
			ev.sinceFirst = f.ts - r.first
			ev.rto = f.ts - r.last
			r.last = f.ts
			break
		}
	}
	if ev.rec == nil {
		// The original was not captured or is already acknowledged:
		// as Wireshark, measure from the highest segment seen.
		ev.sinceFirst = f.ts - fwd.nextSeqTime
		ev.rto = ev.sinceFirst
	}
	return ev
}
