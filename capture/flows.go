package capture

import (
	"fmt"
	"math"
	"unsafe"
)

// DefaultMaxFlows is Options.MaxFlows when unset: about 25 MB of flow
// state at the most, far more flows than a capture of phones and call
// managers holds.
const DefaultMaxFlows = 100_000

// Flow classes: each has its own Options.MaxFlows places, so a capture
// full of other traffic (a port scan, a busy web server) cannot crowd
// out the phones' signalling.
const (
	ordinaryFlow = iota
	signallingFlow
)

// signallingPort says whether a TCP port is one of CUCM's SIP (5060,
// 5061 TLS) or SCCP (2000, 2443 TLS) ports.
func signallingPort(p uint16) bool {
	return p == 5060 || p == 5061 || p == 2000 || p == 2443
}

// flowKey is connKey without pointers (netip.Addr holds one), so the
// index is a map the garbage collector need not scan.
type flowKey struct {
	a, b   [16]byte
	pa, pb uint16
	v6     bool
}

func packKey(k connKey) flowKey {
	return flowKey{a: k.a.As16(), b: k.b.As16(), pa: k.pa, pb: k.pb, v6: k.a.Is6()}
}

// hash is deterministic, so the count of ignored flows is the same on
// every run.
func (k flowKey) hash() uint64 {
	h := uint64(14695981039346656037)
	add := func(b byte) {
		h ^= uint64(b)
		h *= 1099511628211
	}
	for i := range k.a {
		add(k.a[i])
		add(k.b[i])
	}
	add(byte(k.pa))
	add(byte(k.pa >> 8))
	add(byte(k.pb))
	add(byte(k.pb >> 8))
	if k.v6 {
		add(1)
	}
	// FNV's last rounds leave the high bits, which pick the sketch's bit,
	// poorly mixed: finish with MurmurHash3's fmix64.
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// flowChunk is how many conns are allocated together: the table grows
// without copying what it holds, and a *conn stays valid.
const flowChunk = 256

// flowTable holds the TCP flows under analysis, at most max of each
// class, and counts the ones it turned away.
type flowTable struct {
	max     int
	index   map[flowKey]int32
	chunks  [][]conn
	n       int
	class   [2]int  // tracked flows per class
	refused [2]bool // a flow of the class was turned away
	held    int     // segments kept beyond the heads, see addSent
	ignored flowSketch
}

func newFlowTable(max int) *flowTable {
	return &flowTable{max: max, index: map[flowKey]int32{}}
}

func (t *flowTable) at(i int32) *conn {
	return &t.chunks[i/flowChunk][i%flowChunk]
}

// get returns the flow k belongs to, starting it when its class has room,
// or nil when the flow is not analysed. A flow counts as signalling when
// it is on a signalling port or its segment's payload is SIP: a flow
// turned away at its SYN is taken in when SIP shows up in it.
func (t *flowTable) get(k connKey, f *frame) *conn {
	fk := packKey(k)
	if i, ok := t.index[fk]; ok {
		return t.at(i)
	}
	class := ordinaryFlow
	if signallingPort(f.sport) || signallingPort(f.dport) || len(f.payload) > 0 && looksLikeSIP(f.payload) {
		class = signallingFlow
	}
	if t.class[class] >= t.max {
		t.refused[class] = true
		t.ignored.add(fk.hash())
		return nil
	}
	if t.ignored.has(fk.hash()) {
		t.ignored.readmitted++
	}
	if t.n%flowChunk == 0 {
		t.chunks = append(t.chunks, make([]conn, flowChunk))
	}
	i := int32(t.n)
	t.n++
	t.class[class]++
	t.index[fk] = i
	cn := t.at(i)
	*cn = newConn()
	return cn
}

// restart makes cn a new conversation of the same flow (port reuse).
func (t *flowTable) restart(cn *conn) {
	for d := 0; d < 2; d++ {
		t.held -= max(cn.sentLen(d)-1, 0)
	}
	ext := cn.ext
	*cn = newConn()
	if ext != nil {
		*ext = connExt{}
		cn.ext = ext
	}
}

// each calls fn for every tracked flow in the order they started.
func (t *flowTable) each(fn func(*conn)) {
	for i := 0; i < t.n; i++ {
		fn(t.at(int32(i)))
	}
}

// flowState is what the flow table holds, for tests: the cost of a flow
// that carries no signalling must stay small and fixed.
type flowState struct {
	flows, appConns, exts, overflowSegs int
	// bytes is the state proper: conns, index entries (not the map's
	// own overhead), extensions, reassembly state and overflow segments.
	bytes int64
}

func (t *flowTable) state() flowState {
	s := flowState{flows: t.n, overflowSegs: t.held}
	t.each(func(cn *conn) {
		if cn.ext != nil {
			s.exts++
			if cn.ext.app != nil {
				s.appConns++
			}
		}
	})
	s.bytes = int64(s.flows)*int64(unsafe.Sizeof(conn{})+unsafe.Sizeof(flowKey{})+unsafe.Sizeof(int32(0))) +
		int64(s.exts)*int64(unsafe.Sizeof(connExt{})) + int64(s.appConns)*int64(unsafe.Sizeof(appConn{})) +
		int64(s.overflowSegs)*int64(unsafe.Sizeof(sentSeg{}))
	return s
}

// note says what the cap left out, or "" when nothing was.
func (t *flowTable) note() string {
	ord, sig := t.refused[ordinaryFlow], t.refused[signallingFlow]
	if !ord && !sig {
		return ""
	}
	n := t.ignored.estimate()
	switch {
	case ord && sig:
		return fmt.Sprintf("too many TCP flows: analysed the first %d and the first %d signalling flows (SIP or SCCP ports, or SIP content), about %d more ignored", t.max, t.max, n)
	case sig:
		return fmt.Sprintf("too many TCP signalling flows (SIP or SCCP ports, or SIP content): analysed the first %d, about %d more ignored", t.max, n)
	}
	s := fmt.Sprintf("too many TCP flows: analysed the first %d, about %d more ignored", t.max, n)
	if k := t.class[signallingFlow]; k > 0 {
		s += fmt.Sprintf("; all %d signalling flows (SIP or SCCP ports, or SIP content) were analysed", k)
	}
	return s
}

// flowSketch counts distinct flows without keeping them (linear
// counting): each sets one bit of a fixed bitmap, and the fraction of
// bits still clear gives the count. Exact while flows are few next to the
// 8 Mi bits, within 0.1% up to millions; 1 MiB, allocated at the first
// flow ignored.
type flowSketch struct {
	bits       []uint64
	set        int
	readmitted int // flows counted, then taken in after all
}

const sketchBits = 23

func (s *flowSketch) add(h uint64) {
	if s.bits == nil {
		s.bits = make([]uint64, 1<<sketchBits/64)
	}
	i := h >> (64 - sketchBits)
	if w, m := &s.bits[i/64], uint64(1)<<(i%64); *w&m == 0 {
		*w |= m
		s.set++
	}
}

func (s *flowSketch) has(h uint64) bool {
	if s.bits == nil {
		return false
	}
	i := h >> (64 - sketchBits)
	return s.bits[i/64]&(1<<(i%64)) != 0
}

func (s *flowSketch) estimate() int {
	const m = 1 << sketchBits
	zero := max(m-s.set, 1)
	return max(int(math.Round(-m*math.Log(float64(zero)/m)))-s.readmitted, 0)
}
