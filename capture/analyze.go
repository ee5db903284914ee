package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/google/gopacket"
)

// Analyze reads one capture file. On a read error the returned Analysis
// still holds what the packets before the problem showed.
func Analyze(ctx context.Context, path string, opts Options) (*Analysis, error) {
	fa, err := AnalyzeFile(ctx, path, opts)
	if fa == nil {
		return nil, err
	}
	return &Analysis{Files: []*FileAnalysis{fa}, Verdicts: append([]Verdict{}, fa.Verdicts...)}, err
}

// AnalyzeFile reads one capture file; see AnalyzeReader.
func AnalyzeFile(ctx context.Context, path string, opts Options) (*FileAnalysis, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	defer f.Close()
	return AnalyzeReader(ctx, path, f, opts)
}

// AnalyzeReader streams a pcap or pcapng capture (optionally gzipped)
// from r; name is used in messages. Memory grows with the number of
// conversations (up to Options.MaxFlows), keepalives and ARP answers, not
// with packets. When the
// capture is broken the result covers the packets before the problem and
// the error is a *ReadError naming name, the packet and its offset.
func AnalyzeReader(ctx context.Context, name string, r io.Reader, opts Options) (*FileAnalysis, error) {
	a, err := newAnalyzer(name, opts)
	if err != nil {
		return nil, err
	}
	src, err := openSource(r)
	if err != nil {
		rerr := &ReadError{File: name, Err: err}
		a.fa.Error = rerr.Error()
		a.finish()
		return a.fa, rerr
	}
	a.fa.Format = src.format()
	a.fa.LinkType = linkTypeName(src.linkType())
	var rerr error
	for n := 1; ; n++ {
		if n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				rerr = fmt.Errorf("%s: stopped at packet %d: %w", name, n, err)
				break
			}
		}
		data, ci, lt, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			rerr = &ReadError{File: name, Packet: n, Offset: src.offset(), Err: err}
			break
		}
		a.packet(n, data, ci, lt)
	}
	// pcapng learns its link type from the first packet's interface.
	a.fa.LinkType = linkTypeName(src.linkType())
	a.finish()
	if rerr != nil {
		a.fa.Error = rerr.Error()
		return a.fa, rerr
	}
	return a.fa, nil
}

// AnalyzePair reads a phone-side and a call-manager-side capture of the
// same traffic and matches the keepalives of one against the other. It
// lists every keepalive of both (Options.OnlyNotable is ignored):
// matching needs them all.
func AnalyzePair(ctx context.Context, phonePath, cmPath string, opts Options) (*Analysis, error) {
	opts.OnlyNotable = false
	p, perr := AnalyzeFile(ctx, phonePath, opts)
	if p == nil {
		return nil, perr
	}
	c, cerr := AnalyzeFile(ctx, cmPath, opts)
	if c == nil {
		return nil, errors.Join(perr, cerr)
	}
	pair, vs := MatchPair(p, c, opts)
	an := &Analysis{Files: []*FileAnalysis{p, c}, Pair: pair}
	an.Verdicts = append(an.Verdicts, p.Verdicts...)
	an.Verdicts = append(an.Verdicts, c.Verdicts...)
	an.Verdicts = append(an.Verdicts, vs...)
	sortVerdicts(an.Verdicts)
	return an, errors.Join(perr, cerr)
}

type tlKey struct {
	phone, cm netip.Addr
	proto     string
}

// appConn is the reassembly state of a flow that carries SIP or SCCP.
type appConn struct {
	key   connKey
	proto appProto
	st    [2]stream
	// kas are keepalives sent in each direction that no TCP ACK has
	// covered yet: retransmissions attach to them.
	kas [2][]kaRef
	// tls are the timelines of the keepalives sent in each direction,
	// once known: a map lookup less per message.
	tls [2]*Timeline
}

// kaRef points at keepalive i (number - 1) of a timeline while it is
// open (Timeline.at).
type kaRef struct {
	tl       *Timeline
	i        int
	seq, end uint32
}

const maxPendingKeepalives = 16

type analyzer struct {
	opts    Options
	asaMACs map[[6]byte]bool
	cms     map[netip.Addr]bool
	phones  map[netip.Addr]bool // Options.Phones; nil for every phone
	full    *Timeline           // the timeline listed in full (Options.FirstInFull)
	// open counts the keepalives held open in all timelines; openPeak is
	// its maximum, reported to tests in FileAnalysis.openPeak.
	open, openPeak int
	fa             *FileAnalysis
	dec            *decoder
	f              frame
	flows          *flowTable
	tls            map[tlKey]*Timeline
	tlIgnored      flowSketch // timelines past Options.MaxTimelines
	arp            arpState
	udpMsg         sipMsg
	scratch        streamScratch // the TCP streams' (see streamScratch)
	listed         int

	// The stream callback's context, set before every feed.
	cur     *appConn
	curDir  int
	emitFn  func(*msgEvent)
	badLink map[uint32]int
	// byStatus counts SIP responses by status code (100 to 699, as
	// sipStartLine accepts), folded into Counts.SIPByStatus by finish:
	// an array index instead of a map update per response.
	byStatus []int
}

func newAnalyzer(name string, opts Options) (*analyzer, error) {
	opts = opts.withDefaults()
	asa, err := parseMACs(opts.ASAMACs)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	cms := map[netip.Addr]bool{}
	for _, s := range opts.CallManagers {
		ip, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("capture: call manager %q: %w", s, err)
		}
		cms[ip.Unmap()] = true
	}
	a := &analyzer{
		opts: opts, asaMACs: asa, cms: cms, dec: newDecoder(), phones: phoneSet(opts.Phones),
		flows: newFlowTable(opts.MaxFlows), tls: map[tlKey]*Timeline{},
		fa: &FileAnalysis{File: name, Counts: Counts{SIPByMethod: map[string]int{}, SIPByStatus: map[string]int{}},
			Timelines: []*Timeline{}, Retransmitted: []*RetransmittedSegment{}, Verdicts: []Verdict{}},
		badLink: map[uint32]int{},
	}
	a.emitFn = a.onStreamMsg
	return a, nil
}

// phoneSet is the addresses among phones (names are left out: a timeline
// is known by address), or nil when there are none to select.
func phoneSet(phones []string) map[netip.Addr]bool {
	if len(phones) == 0 {
		return nil
	}
	set := map[netip.Addr]bool{}
	for _, p := range phones {
		if ip, err := netip.ParseAddr(strings.TrimSpace(p)); err == nil {
			set[ip.Unmap()] = true
		}
	}
	return set
}

func (a *analyzer) packet(n int, data []byte, ci gopacket.CaptureInfo, lt uint32) {
	f := &a.f
	f.num = n
	f.ts = Timestamp(ci.Timestamp.UnixNano())
	c := &a.fa.Counts
	c.Packets++
	c.Bytes += int64(ci.Length)
	if a.fa.First == 0 || f.ts < a.fa.First {
		a.fa.First = f.ts
	}
	if f.ts > a.fa.Last {
		a.fa.Last = f.ts
	}
	if !a.dec.decode(lt, data, f) {
		c.Undecoded++
		if _, err := a.dec.firstLayer(lt, nil); err != nil {
			a.badLink[lt]++
		}
		return
	}
	if f.arp != nil {
		a.onARP(f.arp, f)
		return
	}
	if f.fragment {
		c.IPFragments++
		return
	}
	switch {
	case f.isTCP:
		a.onTCP(f)
	case f.isUDP:
		a.onUDP(f)
	}
}

func (a *analyzer) onTCP(f *frame) {
	c := &a.fa.Counts
	c.TCPSegments++
	if !f.tcpOK {
		return
	}
	k, d := keyOf(f.src, f.dst, f.sport, f.dport)
	cn := a.flows.get(k, f)
	if cn == nil {
		return // past the cap: see flowTable.note
	}
	if f.flags&(thSYN|thACK) == thSYN && cn.dir[d].baseSet && f.seq != cn.dir[d].baseSeq {
		// A new SYN with another ISN: the ports were reused for a new
		// connection (Wireshark starts a new conversation too).
		a.closeConn(cn)
		a.flows.restart(cn)
	}
	prevNext := cn.dir[d].nextSeq
	ta := cn.analyze(d, f)
	if f.flags&thSYN != 0 {
		cn.dir[d].synSeen, cn.dir[d].synSeq = true, f.seq
	}
	if f.flags&(thSYN|thACK) == thSYN {
		cn.mruSyn = f.ts
	}
	if f.flags&(thSYN|thACK) == thACK && cn.mruSyn != 0 && cn.firstRTT == 0 {
		cn.firstRTT = f.ts - cn.mruSyn
	}
	if ta&aAnyRetransmission != 0 {
		c.TCPRetransmissions++
		if ta&aFastRetransmission != 0 {
			c.TCPFastRetransmissions++
		}
		if ta&aSpuriousRetransmission != 0 {
			c.TCPSpuriousRetransmissions++
		}
	}
	if ta&aOutOfOrder != 0 {
		c.TCPOutOfOrder++
	}
	ev := cn.trackSent(d, f, ta, prevNext, &a.flows.held)
	if ev != nil {
		a.listRetransmission(d, f, ev)
	}

	app := cn.app()
	if app == nil {
		if app = a.startApp(cn, k, d, f); app == nil {
			return
		}
	}
	a.cur = app
	if f.flags&thACK != 0 {
		a.ackKeepalives(app, 1-d, f)
		a.curDir = 1 - d
		app.st[1-d].ackedPast(f.ack, a.emitFn)
	}
	if ev != nil {
		a.retransmittedKeepalive(app, d, f, ev)
	}
	a.curDir = d
	app.st[d].feed(f.seq, f.seglen, f.payload, f.flags&thSYN != 0, segRef{seq: f.seq, len: uint32(f.seglen), ts: f.ts, frame: f.num}, a.emitFn)
}

// startApp gives a flow reassembly state when its segment f carries data
// and the flow carries SIP or SCCP: by port (SCCP 2000, SIP 5060), or
// SIP recognised by the first payload in either direction, so bulk
// traffic is not scanned. Until then a flow costs its sequence state
// only: flows that never carry data (a SYN flood) never get any.
func (a *analyzer) startApp(cn *conn, k connKey, d int, f *frame) *appConn {
	if f.seglen <= 0 {
		return nil
	}
	var proto appProto
	byPort := true
	switch {
	case f.sport == 2000 || f.dport == 2000:
		proto = protoSCCP
	case f.sport == 5060 || f.dport == 5060:
		proto = protoSIP
	case len(f.payload) > 0 && cn.probed&(1<<d) == 0:
		cn.probed |= 1 << d
		if !looksLikeSIP(f.payload) {
			return nil
		}
		proto, byPort = protoSIP, false
	default:
		return nil
	}
	if cn.ext == nil {
		cn.ext = &connExt{}
	}
	app := &appConn{key: k, proto: proto}
	for s := range app.st {
		app.st[s].proto = proto
		app.st[s].sc = &a.scratch
		// A flow known by its port would have been reassembled from its
		// SYN: start where the SYN said the data starts.
		if byPort && cn.dir[s].synSeen {
			app.st[s].init, app.st[s].next = true, cn.dir[s].synSeq+1
		}
	}
	cn.ext.app = app
	return app
}

// closeConn processes what a conversation still holds before it is
// replaced.
func (a *analyzer) closeConn(cn *conn) {
	app := cn.app()
	if app == nil {
		return
	}
	a.cur = app
	for d := 0; d < 2; d++ {
		a.curDir = d
		app.st[d].flushGap(a.emitFn)
		for _, r := range app.kas[d] {
			r.tl.unref(r.i)
		}
		app.kas[d] = nil
	}
}

func addrPort(ip netip.Addr, port uint16) string {
	return netip.AddrPortFrom(ip, port).String()
}

func (a *analyzer) listRetransmission(d int, f *frame, ev *retxEvent) {
	r := Retransmission{Time: f.ts, Frame: f.num, SinceFirst: Duration(ev.sinceFirst), RTO: Duration(ev.rto), Kind: ev.kind}
	var listed int32
	if ev.rec != nil {
		listed = ev.rec.listed
	}
	if listed == 0 {
		if a.opts.MaxListed < 0 || a.listed >= a.opts.MaxListed {
			a.fa.RetransmittedOmitted++
			listed = -1
		} else {
			seg := &RetransmittedSegment{Src: addrPort(f.src, f.sport), Dst: addrPort(f.dst, f.dport), Seq: f.seq, Len: uint32(f.seglen)}
			if ev.rec != nil {
				seg.Seq, seg.Len, seg.First, seg.Frame = ev.rec.seq, ev.rec.end-ev.rec.seq, ev.rec.first, ev.rec.frame
			}
			a.fa.Retransmitted = append(a.fa.Retransmitted, seg)
			a.listed++
			listed = int32(len(a.fa.Retransmitted))
		}
		if ev.rec != nil {
			ev.rec.listed = listed
		}
	}
	if listed > 0 {
		seg := a.fa.Retransmitted[listed-1]
		seg.Copies = append(seg.Copies, r)
	}
}

func (a *analyzer) onUDP(f *frame) {
	a.fa.Counts.UDPDatagrams++
	p := f.payload
	for len(p) > 0 && (p[0] == '\r' || p[0] == '\n') {
		p = p[1:]
	}
	if len(p) == 0 || (f.sport != 5060 && f.dport != 5060 && !looksLikeSIP(p)) {
		return
	}
	if !parseSIP(p, &a.udpMsg) {
		return
	}
	ref := segRef{ts: f.ts, frame: f.num}
	a.onSIP(&sipCtx{src: f.src, dst: f.dst, sport: f.sport, dport: f.dport, start: ref}, &a.udpMsg)
}

// sipCtx is where a SIP message came from.
type sipCtx struct {
	src, dst     netip.Addr
	sport, dport uint16
	tcp          bool
	app          *appConn
	d            int
	start        segRef
	seq          uint32
	msgLen       int
}

func (a *analyzer) ends(app *appConn, d int) (src, dst netip.Addr, sport, dport uint16) {
	k := app.key
	if d == 0 {
		return k.a, k.b, k.pa, k.pb
	}
	return k.b, k.a, k.pb, k.pa
}

func (a *analyzer) onStreamMsg(m *msgEvent) {
	app, d := a.cur, a.curDir
	src, dst, sport, dport := a.ends(app, d)
	switch app.proto {
	case protoSIP:
		n := len(m.data)
		if m.truncated {
			n = int(m.start.len) // the capture holds only the start
		}
		a.onSIP(&sipCtx{src: src, dst: dst, sport: sport, dport: dport, tcp: true, app: app, d: d, start: m.start, seq: m.seq, msgLen: n}, m.sip)
	case protoSCCP:
		a.onSCCP(app, d, src, dst, sport, dport, m)
	}
}

func (a *analyzer) onSIP(x *sipCtx, m *sipMsg) {
	c := &a.fa.Counts
	if !m.request {
		c.SIPResponses++
		if a.byStatus == nil {
			a.byStatus = make([]int, 700)
		}
		if m.status >= 0 && m.status < len(a.byStatus) {
			a.byStatus[m.status]++
		}
		if m.cseqMethod == "REGISTER" {
			a.registerResponse(x, m)
		}
		return
	}
	c.SIPRequests++
	c.SIPByMethod[m.method]++
	if m.method == "REGISTER" {
		c.SIPRegisters++
		a.register(x, m)
	}
}

// timeline returns the timeline of phone towards cm, or nil for a phone
// Options.Phones leaves out and past Options.MaxTimelines.
func (a *analyzer) timeline(phone, cm netip.Addr, proto string) *Timeline {
	k := tlKey{phone, cm, proto}
	tl := a.tls[k]
	if tl == nil {
		if a.phones != nil && !a.phones[phone.Unmap()] {
			return nil
		}
		if len(a.tls) >= a.opts.MaxTimelines {
			a.tlIgnored.add(k.hash())
			return nil
		}
		tl = &Timeline{Phone: phone.String(), CallManager: cm.String(), Protocol: proto, Role: "primary", key: k, Keepalives: []Keepalive{}}
		a.tls[k] = tl
		if a.opts.OnlyNotable && a.opts.FirstInFull && (a.full == nil || k.less(a.full.key)) {
			// Timelines start at their first keepalive, so the new first
			// one is listed in full from its start.
			if a.full != nil {
				prune(a.full)
			}
			a.full = tl
		}
	}
	return tl
}

// connTimeline is the timeline of the keepalives src sends to dst in
// direction d of app (nil for UDP), created when create is set.
func (a *analyzer) connTimeline(app *appConn, d int, src, dst netip.Addr, proto string, create bool) *Timeline {
	if app != nil && app.tls[d] != nil {
		return app.tls[d]
	}
	var tl *Timeline
	if create {
		tl = a.timeline(src, dst, proto)
	} else {
		tl = a.tls[tlKey{src, dst, proto}]
	}
	if app != nil {
		app.tls[d] = tl
	}
	return tl
}

func sipProto(tcp bool) string {
	if tcp {
		return "SIP/TCP"
	}
	return "SIP/UDP"
}

func (a *analyzer) register(x *sipCtx, m *sipMsg) {
	tl := a.connTimeline(x.app, x.d, x.src, x.dst, sipProto(x.tcp), true)
	if tl == nil {
		return
	}
	if m.device != nil && tl.Device == "" {
		tl.Device = string(m.device)
	}
	if m.keepAlive {
		tl.Role = "backup"
	}
	callID := fnv64(m.callID)
	ts := x.start.ts
	if last := tl.last(); !x.tcp && last != nil {
		// Over UDP the phone resends an unanswered REGISTER itself (SIP
		// timer E): the same transaction, not a new keepalive.
		if last.CSeq == m.cseq && last.callID == callID && last.PhonePort == x.sport {
			last.Retransmissions = append(last.Retransmissions, Retransmission{
				Time: ts, Frame: x.start.frame, SinceFirst: Duration(ts - last.Sent), RTO: Duration(ts - last.lastCpy), Kind: "sip-resend"})
			last.lastCpy, last.Delivered = ts, ts
			return
		}
	}
	ka := Keepalive{Sent: ts, Delivered: ts, lastCpy: ts, Frame: x.start.frame, PhonePort: x.sport, CMPort: x.dport, CSeq: m.cseq, callID: callID}
	a.addKeepalive(tl, x.tcp, x.app, x.d, ka, x.start, x.seq, x.msgLen)
}

// addKeepalive appends a keepalive and remembers it for its answer and,
// over TCP, for retransmissions and the covering ACK.
func (a *analyzer) addKeepalive(tl *Timeline, tcp bool, app *appConn, d int, ka Keepalive, start segRef, seq uint32, n int) {
	if tcp {
		ka.Seq, ka.Len = start.seq, start.len
		ka.ackSeq = seq + uint32(n)
	}
	i := tl.push(ka)
	a.open++
	a.openPeak = max(a.openPeak, a.open)
	tl.await(i)
	if tcp {
		refs := &app.kas[d]
		if len(*refs) >= maxPendingKeepalives {
			r := (*refs)[0]
			r.tl.unref(r.i)
			*refs = (*refs)[1:]
		}
		*refs = append(*refs, kaRef{tl: tl, i: i, seq: seq, end: ka.ackSeq})
		tl.at(i).refs++
	}
	a.settle(tl, a.fa.Last)
}

func (a *analyzer) registerResponse(x *sipCtx, m *sipMsg) {
	tl := a.connTimeline(x.app, 1-x.d, x.dst, x.src, sipProto(x.tcp), false)
	if tl == nil || m.status < 200 {
		return
	}
	callID := fnv64(m.callID)
	for j := len(tl.pending) - 1; j >= 0; j-- {
		ka := tl.at(tl.pending[j])
		if ka == nil || ka.CSeq != m.cseq || ka.callID != callID {
			continue
		}
		tl.answer(ka, x.start.ts)
		tl.unpend(j)
		break
	}
	if m.status >= 300 {
		return
	}
	exp := m.expires
	if exp <= 0 {
		exp = m.contactExpires
	}
	if exp > 0 {
		if iv := secondsDur(exp) - a.opts.SIPRegisterDelta; iv > 0 {
			tl.learned = iv
		}
	}
}

func (a *analyzer) onSCCP(app *appConn, d int, src, dst netip.Addr, sport, dport uint16, m *msgEvent) {
	c := &a.fa.Counts
	c.SCCPMessages++
	if len(m.data) < 12 {
		return
	}
	switch sccpID(m.data) {
	case sccpKeepAlive:
		c.SCCPKeepalives++
		if sport == 2000 {
			return // only phones send KeepAlive to the call manager's port
		}
		tl := a.connTimeline(app, d, src, dst, "SCCP", true)
		if tl == nil {
			return
		}
		ka := Keepalive{Sent: m.start.ts, Delivered: m.start.ts, lastCpy: m.start.ts, Frame: m.start.frame, PhonePort: sport, CMPort: dport}
		n := len(m.data)
		if m.truncated {
			n = int(m.start.len)
		}
		a.addKeepalive(tl, true, app, d, ka, m.start, m.seq, n)
	case sccpKeepAliveAck:
		c.SCCPKeepaliveAcks++
		tl := a.connTimeline(app, 1-d, dst, src, "SCCP", false)
		if tl == nil || len(tl.pending) == 0 {
			return
		}
		if ka := tl.at(tl.pending[0]); ka != nil {
			tl.answer(ka, m.start.ts)
		}
		tl.unpend(0)
	}
}

// ackKeepalives marks keepalives sent in direction kd that the ACK f
// covers.
func (a *analyzer) ackKeepalives(app *appConn, kd int, f *frame) {
	refs := app.kas[kd]
	j := 0
	for _, r := range refs {
		if !ltSeq(f.ack, r.end) {
			if ka := r.tl.at(r.i); ka != nil {
				r.tl.answer(ka, f.ts)
				r.tl.unref(r.i)
			}
			continue
		}
		refs[j] = r
		j++
	}
	app.kas[kd] = refs[:j]
}

func (a *analyzer) retransmittedKeepalive(app *appConn, d int, f *frame, ev *retxEvent) {
	for _, r := range app.kas[d] {
		if f.seq != r.seq && (ltSeq(f.seq, r.seq) || !ltSeq(f.seq, r.end)) {
			continue
		}
		ka := r.tl.at(r.i)
		if ka == nil {
			return
		}
		ka.Retransmissions = append(ka.Retransmissions, Retransmission{
			Time: f.ts, Frame: f.num, SinceFirst: Duration(f.ts - ka.Sent), RTO: Duration(f.ts - ka.lastCpy), Kind: ev.kind})
		ka.lastCpy, ka.Delivered = f.ts, f.ts
		return
	}
}

func (a *analyzer) finish() {
	a.flows.each(a.closeConn)
	a.fa.Counts.TCPFlows = a.flows.n
	a.fa.Counts.TCPFlowsIgnored = 0
	if note := a.flows.note(); note != "" {
		a.fa.Counts.TCPFlowsIgnored = a.flows.ignored.estimate()
		a.fa.Notes = append(a.fa.Notes, note)
	}
	if note := a.timelinesNote(); note != "" {
		a.fa.Notes = append(a.fa.Notes, note)
	}
	a.fa.state = a.flows.state()
	a.fa.openPeak = a.openPeak
	for code, n := range a.byStatus {
		if n > 0 {
			a.fa.Counts.SIPByStatus[strconv.Itoa(code)] += n
		}
	}
	for _, tl := range a.tls {
		a.fa.Timelines = append(a.fa.Timelines, tl)
	}
	sort.Slice(a.fa.Timelines, func(i, j int) bool { return a.fa.Timelines[i].key.less(a.fa.Timelines[j].key) })
	for _, tl := range a.fa.Timelines {
		tl.End = a.fa.Last
		a.finishTimeline(tl)
	}
	a.finishARP()
	for lt, n := range a.badLink {
		a.verdict(Verdict{ID: "unsupported-link-type", Severity: Warning, Time: a.fa.First,
			Message: fmt.Sprintf("%d packets have link type %s, which the analysis cannot read", n, linkTypeName(lt))})
	}
	sortVerdicts(a.fa.Verdicts)
}

func (a *analyzer) verdict(v Verdict) {
	v.File = a.fa.File
	a.fa.Verdicts = append(a.fa.Verdicts, v)
}

var severityRank = map[Severity]int{Critical: 0, Warning: 1, Info: 2}

func sortVerdicts(vs []Verdict) {
	sort.SliceStable(vs, func(i, j int) bool {
		if severityRank[vs[i].Severity] != severityRank[vs[j].Severity] {
			return severityRank[vs[i].Severity] < severityRank[vs[j].Severity]
		}
		return vs[i].Time < vs[j].Time
	})
}
