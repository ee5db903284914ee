package capture

import (
	"encoding/binary"
	"sort"
)

type appProto uint8

const (
	protoSIP appProto = iota + 1
	protoSCCP
)

// segRef identifies the TCP segment that carries a message's first byte:
// what keepalive timelines record and what a pair of captures matches on.
type segRef struct {
	seq, len uint32
	ts       Timestamp
	frame    int
}

// msgEvent is one application message found in a TCP stream. data and
// sip point into the stream's buffers: valid during the callback only.
type msgEvent struct {
	data      []byte
	seq       uint32 // sequence number of the first byte
	start     segRef
	truncated bool // the capture holds only the start (snaplen)
	sip       *sipMsg
}

// stream reassembles one direction of a TCP conversation into SIP or
// SCCP messages: in sequence order, several messages per segment or one
// message over several, Content-Length respected. Copies of data already
// seen (retransmissions) are dropped, as Wireshark does; a gap the
// capture never fills is skipped and the stream resynchronises on the
// next message start.
type stream struct {
	proto    appProto
	init     bool
	next     uint32
	buf      []byte
	bufSeq   uint32
	bufStart segRef
	ooo      []oooSeg
	oooBytes int
	skip     bool
	sc       *streamScratch // shared by the analysis's streams; nil: own
}

// streamScratch is where a stream parses a SIP message and builds the
// event it emits. Streams are fed one at a time and the callback feeds
// none, so one scratch serves all the streams of an analysis, instead of
// 216 bytes in each direction of every signalling flow.
type streamScratch struct {
	msg sipMsg
	ev  msgEvent // reused: the callback must not keep it
}

func (s *stream) scratch() *streamScratch {
	if s.sc == nil {
		s.sc = &streamScratch{}
	}
	return s.sc
}

type oooSeg struct {
	seq  uint32
	data []byte
	ref  segRef
}

const (
	maxOOOSegments = 16
	maxOOOBytes    = 256 << 10
	maxSCCPMessage = 64 << 10
)

func (s *stream) reset() {
	s.buf = s.buf[:0]
	s.ooo = nil
	s.oooBytes = 0
	s.skip = false
}

// feed takes one segment: seglen is its length from the IP header,
// payload the captured part.
func (s *stream) feed(seq uint32, seglen int, payload []byte, syn bool, ref segRef, emit func(*msgEvent)) {
	if syn {
		s.init, s.next = true, seq+1
		s.reset()
		return
	}
	if seglen <= 0 {
		return
	}
	if !s.init {
		s.init, s.next = true, seq
	}
	if len(payload) < seglen {
		s.truncated(seq, seglen, payload, ref, emit)
		return
	}
	if ltSeq(seq, s.next) {
		over := s.next - seq
		if over >= uint32(seglen) {
			return // a copy of data already seen
		}
		payload, seq = payload[over:], s.next
	}
	if gtSeq(seq, s.next) {
		if len(s.ooo) >= maxOOOSegments || s.oooBytes+len(payload) > maxOOOBytes {
			s.flushGap(emit)
			s.feed(seq, len(payload), payload, false, ref, emit)
			return
		}
		s.ooo = append(s.ooo, oooSeg{seq: seq, data: append([]byte(nil), payload...), ref: ref})
		s.oooBytes += len(payload)
		return
	}
	s.process(seq, payload, ref, emit)
	s.next = seq + uint32(len(payload))
	s.drain(emit)
}

// truncated handles a segment cut by the snaplen: its message can never
// be completed, but the captured start is reported (Wireshark dissects
// it too), and the stream resynchronises on what follows.
func (s *stream) truncated(seq uint32, seglen int, payload []byte, ref segRef, emit func(*msgEvent)) {
	if ltSeq(seq, s.next) {
		return
	}
	s.buf, s.ooo, s.oooBytes = s.buf[:0], nil, 0
	s.next = seq + uint32(seglen)
	s.skip = true
	ok := false
	switch s.proto {
	case protoSIP:
		ok = parseSIP(payload, &s.scratch().msg)
	case protoSCCP:
		ok = plausibleSCCP(payload)
	}
	if ok {
		sc := s.scratch()
		sc.ev = msgEvent{data: payload, seq: seq, start: ref, truncated: true, sip: &sc.msg}
		emit(&sc.ev)
	}
}

// ackedPast tells the stream the receiver acknowledged up to ack: a gap
// below it will never be filled in this capture.
func (s *stream) ackedPast(ack uint32, emit func(*msgEvent)) {
	if len(s.ooo) > 0 && gtSeq(ack, s.next) {
		s.flushGap(emit)
	}
}

// flushGap gives up on the missing data before the first out-of-order
// segment.
func (s *stream) flushGap(emit func(*msgEvent)) {
	if len(s.ooo) == 0 {
		return
	}
	sort.SliceStable(s.ooo, func(i, j int) bool { return ltSeq(s.ooo[i].seq, s.ooo[j].seq) })
	s.next = s.ooo[0].seq
	s.buf = s.buf[:0]
	s.skip = true
	s.drain(emit)
}

func (s *stream) drain(emit func(*msgEvent)) {
	for progress := true; progress && len(s.ooo) > 0; {
		progress = false
		for i := 0; i < len(s.ooo); i++ {
			o := s.ooo[i]
			if gtSeq(o.seq, s.next) {
				continue
			}
			s.ooo = append(s.ooo[:i], s.ooo[i+1:]...)
			s.oooBytes -= len(o.data)
			progress = true
			data, seq := o.data, o.seq
			if over := s.next - seq; over > 0 {
				if over >= uint32(len(data)) {
					break
				}
				data, seq = data[over:], s.next
			}
			s.process(seq, data, o.ref, emit)
			s.next = seq + uint32(len(data))
			break
		}
	}
	if len(s.ooo) == 0 {
		s.oooBytes = 0
	}
}

func (s *stream) process(seq uint32, data []byte, ref segRef, emit func(*msgEvent)) {
	if s.skip {
		i := s.findStart(data)
		if i < 0 {
			return
		}
		data, seq, s.skip = data[i:], seq+uint32(i), false
		s.buf = s.buf[:0]
	}
	if len(s.buf) == 0 {
		s.parse(data, seq, ref, 0, ref, emit, false)
		return
	}
	at := len(s.buf)
	s.buf = append(s.buf, data...)
	s.parse(s.buf, s.bufSeq, s.bufStart, at, ref, emit, true)
}

// parse emits every complete message in b (which starts at sequence
// number seq0 and at a message boundary) and keeps the rest. Messages
// starting before index at began in segment first, the others in cur.
func (s *stream) parse(b []byte, seq0 uint32, first segRef, at int, cur segRef, emit func(*msgEvent), fromBuf bool) {
	off := 0
	for off < len(b) {
		if s.proto == protoSIP {
			// CRLF keepalives (RFC 5626) between messages.
			for off < len(b) && (b[off] == '\r' || b[off] == '\n') {
				off++
			}
			if off == len(b) {
				break
			}
		}
		n := s.frameLen(b[off:])
		if n < 0 {
			i := s.findStart(b[off+1:])
			if i < 0 {
				off = len(b)
				s.skip = true
				break
			}
			off += 1 + i
			continue
		}
		if n == 0 {
			break
		}
		ref := cur
		if off < at {
			ref = first
		}
		sc := s.scratch()
		sc.ev = msgEvent{data: b[off : off+n], seq: seq0 + uint32(off), start: ref, sip: &sc.msg}
		emit(&sc.ev)
		off += n
	}
	rest := b[off:]
	if len(rest) == 0 {
		s.buf = s.buf[:0]
		return
	}
	start := cur
	if off < at {
		start = first
	}
	if fromBuf {
		n := copy(s.buf, rest)
		s.buf = s.buf[:n]
	} else {
		s.buf = append(s.buf[:0], rest...)
	}
	s.bufSeq, s.bufStart = seq0+uint32(off), start
}

func (s *stream) frameLen(b []byte) int {
	if s.proto == protoSCCP {
		return sccpFrame(b)
	}
	return sipFrame(b, &s.scratch().msg)
}

func (s *stream) findStart(b []byte) int {
	if s.proto == protoSCCP {
		for i := 0; i+12 <= len(b); i++ {
			if plausibleSCCP(b[i:]) {
				return i
			}
		}
		return -1
	}
	return nextSIPStart(b)
}

// SCCP (Skinny) framing: a 4-byte little-endian length of what follows
// the 8-byte header, a 4-byte header version, then the 4-byte message id.
func sccpFrame(b []byte) int {
	if len(b) < 8 {
		return 0
	}
	l := binary.LittleEndian.Uint32(b[0:4])
	if l < 4 || l > maxSCCPMessage {
		return -1
	}
	if total := 8 + int(l); len(b) >= total {
		return total
	}
	return 0
}

// plausibleSCCP says whether b can start a Skinny message, for
// resynchronising: sane length, small header version, known id range.
func plausibleSCCP(b []byte) bool {
	if len(b) < 12 {
		return false
	}
	l := binary.LittleEndian.Uint32(b[0:4])
	ver := binary.LittleEndian.Uint32(b[4:8])
	id := binary.LittleEndian.Uint32(b[8:12])
	return l >= 4 && l <= maxSCCPMessage && ver <= 0xff && id <= 0xffff
}

func sccpID(b []byte) uint32 { return binary.LittleEndian.Uint32(b[8:12]) }

const (
	sccpKeepAlive    = 0x0000
	sccpKeepAliveAck = 0x0100
)
