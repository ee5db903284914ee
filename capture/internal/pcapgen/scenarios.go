package pcapgen

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/google/gopacket/layers"
)

// T0 is when every scenario starts, so generated files never change.
var T0 = time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC)

// Hosts shared by the scenarios (documentation-style private addresses).
var (
	Phone1    = NewHost("00:1b:54:c2:4a:10", "10.60.98.210")
	Phone2    = NewHost("00:1b:54:c2:4a:11", "10.60.98.211")
	Phone3    = NewHost("00:1b:54:c2:4a:12", "10.60.98.212")
	SCCPPhone = NewHost("00:1e:7a:33:90:01", "10.60.63.21")
	CUCM1     = NewHost("00:50:56:8a:11:01", "10.60.1.11")
	CUCM2     = NewHost("00:50:56:8a:11:02", "10.60.1.12")
	// Gateway is the first hop seen on a phone-side capture; CUCM-side
	// frames come from RouterCM.
	Gateway  = NewHost("00:00:0c:9f:f0:c8", "10.60.98.1")
	RouterCM = NewHost("00:00:0c:9f:f0:01", "10.60.1.1")

	// The proxy ARP segment: phone, CUCM and the ASA share 10.10.10.0/24.
	ARPPhone = NewHost("00:1b:54:c2:4a:20", "10.10.10.57")
	ARPCUCM  = NewHost("00:50:56:8a:22:02", "10.10.10.202")
	ASA      = NewHost("58:8d:09:4e:07:1f", "10.10.10.1")
)

// Truth is what a scenario put on the wire, for tests to compare with.
type Truth struct {
	Packets int
	// TCPRetransmissions is the number of segments sent again.
	TCPRetransmissions int
	// SIPRegisters and SIPRequests count distinct messages (a copy in a
	// TCP retransmission is not a new message; a UDP resend is).
	SIPRegisters int
	SIPRequests  int
	// SIPByMethod and SIPByStatus count distinct messages per method and
	// per status code.
	SIPByMethod map[string]int
	SIPByStatus map[int]int
	// SCCPKeepalives and SCCPAcks count Skinny KeepAlive and
	// KeepAliveAck messages.
	SCCPKeepalives, SCCPAcks int
	ARPReplies               int
	ARPGratuitous            int
	// Keepalives is the number of keepalives (REGISTERs, SCCP KeepAlives)
	// per phone IP.
	Keepalives map[string]int
	// RTOs lists, per retransmitted keepalive in order (per retransmitted
	// segment in captures without keepalives), the time from its first
	// send to each retransmission.
	RTOs [][]time.Duration
	// Late and Lost count keepalives delivered after the expected interval
	// (more than a second) and after the interval plus the expiry grace.
	Late, Lost int
	// Missing counts keepalives that should have been sent and were not.
	Missing int
	// Conflicts lists IPs answered for by more than one MAC.
	Conflicts []string
	// NotReceived and Received count, for the phone side of a pair, the
	// keepalives the call-manager side never saw and those it saw;
	// Delays lists the delivery delay of each received one, in order.
	NotReceived, Received int
	Delays                []time.Duration
	// Unanswered counts keepalives without any answer.
	Unanswered int
	// OutOfOrder counts segments Wireshark calls out of order.
	OutOfOrder int
}

// Scenario is one generated capture file.
type Scenario struct {
	// Name is the file name under testdata.
	Name string
	// Doc says what the file shows.
	Doc   string
	build func(*Writer, *Truth) error
	cfg   Config
}

// Build writes the scenario and returns the file and its truth.
func (s Scenario) Build() ([]byte, Truth, error) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, s.cfg)
	if err != nil {
		return nil, Truth{}, err
	}
	tr := Truth{SIPByMethod: map[string]int{}, SIPByStatus: map[int]int{}, Keepalives: map[string]int{}}
	if err := s.build(w, &tr); err != nil {
		return nil, Truth{}, fmt.Errorf("%s: %w", s.Name, err)
	}
	if err := w.Flush(); err != nil {
		return nil, Truth{}, err
	}
	tr.Packets = w.Packets()
	return buf.Bytes(), tr, nil
}

// Scenarios lists every testdata capture.
func Scenarios() []Scenario {
	return []Scenario{
		{Name: "seed_case2.pcap", Doc: "SIP/TCP keepalives every 115 s, each dropped once and retransmitted with a doubling RTO (109 ms ... 28 s); the 28 s one lands after CUCM's 15 s grace", build: seedCase2},
		{Name: "seed_case2.pcapng", Doc: "seed_case2.pcap as pcapng with nanosecond timestamps", build: seedCase2, cfg: Config{Format: PCAPNG}},
		{Name: "sccp_keepalive.pcap", Doc: "SCCP phone: KeepAlive every 30 s with KeepAliveAck, one keepalive never sent; several messages per segment and one split across segments", build: sccpKeepalive},
		{Name: "proxy_arp.pcap", Doc: "the ASA answers ARP for the CUCM address before CUCM does (proxy ARP); CUCM also sends a gratuitous ARP", build: proxyARP},
		{Name: "pair_phone.pcap", Doc: "phone-side capture of a pair: keepalive 3 retransmitted once, keepalive 4 never arrives and the phone reconnects", build: pairSide(true)},
		{Name: "pair_cucm.pcap", Doc: "CUCM-side capture of the same conversation, clock 2.5 s ahead", build: pairSide(false)},
		{Name: "sip_udp.pcap", Doc: "SIP/UDP registration with a resend, 401 challenge, compact headers, OPTIONS and a NOTIFY with a body", build: sipUDP},
		{Name: "sip_tcp_vlan.pcap", Doc: "SIP/TCP on 802.1Q VLAN 200: a REGISTER split across segments, responses sharing segments, a body crossing a segment boundary", build: sipTCPReassembly, cfg: Config{VLAN: 200}},
		{Name: "sip_tcp_sll.pcap", Doc: "SIP/TCP keepalives on a Linux cooked (SLL) capture, one retransmission", build: sipTCPShort, cfg: Config{Link: LinuxSLL}},
		{Name: "sip_tcp_raw.pcap", Doc: "the same on a raw IPv4 link (no link-layer header)", build: sipTCPShort, cfg: Config{Link: RawIPv4}},
		{Name: "sip_tcp_snaplen.pcap", Doc: "SIP/TCP keepalives captured with snaplen 96: lengths come from the IP header", build: sipTCPShort, cfg: Config{Snaplen: 96}},
		{Name: "tcp_analysis.pcap", Doc: "TCP corner cases for the retransmission count: SYN and FIN retransmissions, out-of-order, fast and spurious retransmissions, keep-alive and zero-window probes, port reuse", build: tcpAnalysis},
		{Name: "sip_backup_keepalive.pcap", Doc: "a SIP phone registered to the primary CUCM and keeping alive to the backup (Expires 0, cisco-keep-alive)", build: sipBackup},
	}
}

// ms is a shorthand for milliseconds.
func ms(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

// registerCycle writes one REGISTER transaction over TCP as a phone-side
// capture sees it: the REGISTER at t and its retransmissions (offsets
// from t; every copy but the last was dropped after the capture point),
// then 100 Trying and 200 OK after the last copy, and the phone's ACK.
// It returns when the 200 OK was sent.
func registerCycle(c *Conn, t time.Time, r Register, retx []time.Duration, tr *Truth) (time.Time, error) {
	req := r.Request()
	seq, err := c.Send(t, true, req)
	if err != nil {
		return t, err
	}
	last := t
	for _, d := range retx {
		last = t.Add(d)
		if err := c.Resend(last, true, seq, req); err != nil {
			return t, err
		}
	}
	tr.TCPRetransmissions += len(retx)
	if len(retx) > 0 {
		tr.RTOs = append(tr.RTOs, append([]time.Duration(nil), retx...))
	}
	if _, err := c.Send(last.Add(ms(1.5)), false, r.Response(100, "Trying", 0)); err != nil {
		return t, err
	}
	ok := last.Add(ms(2.2))
	if _, err := c.Send(ok, false, r.Response(200, "OK", 120)); err != nil {
		return t, err
	}
	if err := c.Ack(ok.Add(ms(11)), true); err != nil {
		return t, err
	}
	tr.SIPRegisters++
	tr.SIPRequests++
	tr.SIPByMethod["REGISTER"]++
	tr.SIPByStatus[100]++
	tr.SIPByStatus[200]++
	tr.Keepalives[r.Phone.IP.String()]++
	return ok, nil
}

// SeedRTOs is the phone's retransmission timeout for keepalives 1-9 of
// seed case 2: doubling from 109.375 ms so the last two are 14 s and 28 s,
// as in the seed note.
func SeedRTOs() []time.Duration {
	out := make([]time.Duration, 9)
	for i := range out {
		out[i] = time.Duration(109375*(1<<i)) * time.Microsecond
	}
	return out
}

func seedCase2(w *Writer, tr *Truth) error {
	phone, cm := Phone1, CUCM1
	c := NewConn(w, phone, cm, 50708, 5060, 2991995217, 1953872619)
	if err := c.Handshake(T0, ms(2)); err != nil {
		return err
	}
	r := Register{Phone: phone, CM: cm, PhonePort: 50708, Transport: "TCP", Device: "SEP001B54C24A10", Line: "5678",
		CallID: "001b54c2-4a100002-44da4e09-0de51424@10.60.98.210", CSeq: 11435, Expires: 3600}
	ok, err := registerCycle(c, T0.Add(ms(10)), r, nil, tr)
	if err != nil {
		return err
	}
	for _, rto := range SeedRTOs() {
		r.CSeq++
		if ok, err = registerCycle(c, ok.Add(115*time.Second), r, []time.Duration{rto}, tr); err != nil {
			return err
		}
		// The next REGISTER leaves 115 s after the 200 OK, so a keepalive
		// is as late as its RTO.
		switch {
		case rto > 15*time.Second:
			tr.Lost++
		case rto > time.Second:
			tr.Late++
		}
	}
	return nil
}

func sccpKeepalive(w *Writer, tr *Truth) error {
	phone, cm := SCCPPhone, CUCM1
	c := NewConn(w, phone, cm, 51234, 2000, 100000, 700000)
	if err := c.Handshake(T0, ms(1)); err != nil {
		return err
	}
	t := T0.Add(ms(5))
	reg := SCCP(SCCPRegister, bytes.Repeat([]byte{'S'}, 40))
	if _, err := c.Send(t, true, reg); err != nil {
		return err
	}
	// RegisterAck and CapabilitiesReq share one segment.
	two := append(SCCP(SCCPRegisterAck, make([]byte, 20)), SCCP(0x009B, nil)...)
	if _, err := c.Send(t.Add(ms(3)), false, two); err != nil {
		return err
	}
	// CapabilitiesRes is split across two segments, mid-header.
	caps := SCCP(SCCPCapabilities, bytes.Repeat([]byte{0xC}, 60))
	if _, err := c.Send(t.Add(ms(6)), true, caps[:7]); err != nil {
		return err
	}
	if _, err := c.Send(t.Add(ms(7)), true, caps[7:]); err != nil {
		return err
	}
	if err := c.Ack(t.Add(ms(8)), false); err != nil {
		return err
	}
	start := t.Add(30 * time.Second)
	for k := 0; k < 10; k++ {
		if k == 5 {
			tr.Missing++ // the phone skipped this one
			continue
		}
		kt := start.Add(time.Duration(k) * 30 * time.Second)
		if _, err := c.Send(kt, true, SCCP(SCCPKeepAlive, nil)); err != nil {
			return err
		}
		if _, err := c.Send(kt.Add(ms(2)), false, SCCP(SCCPKeepAliveAck, nil)); err != nil {
			return err
		}
		if err := c.Ack(kt.Add(ms(3)), true); err != nil {
			return err
		}
		tr.SCCPKeepalives++
		tr.SCCPAcks++
		tr.Keepalives[phone.IP.String()]++
	}
	return nil
}

func proxyARP(w *Writer, tr *Truth) error {
	phone, cm, asa := ARPPhone, ARPCUCM, ASA
	// The ASA answers for the CUCM address with its own MAC.
	asaAsCM := Host{MAC: asa.MAC, IP: cm.IP}
	steps := []struct {
		at           time.Duration
		op           uint16
		sender, targ Host
		reply, grat  bool
	}{
		{0, layers.ARPRequest, phone, cm, false, false},
		{ms(0.3), layers.ARPReply, asaAsCM, phone, true, false},
		{ms(0.9), layers.ARPReply, cm, phone, true, false},
		{time.Second, layers.ARPRequest, phone, asa, false, false},
		{time.Second + ms(0.2), layers.ARPReply, asa, phone, true, false},
		{60 * time.Second, layers.ARPRequest, cm, cm, false, true},
		{120 * time.Second, layers.ARPRequest, phone, cm, false, false},
		{120*time.Second + ms(0.3), layers.ARPReply, asaAsCM, phone, true, false},
		{120*time.Second + ms(1.1), layers.ARPReply, cm, phone, true, false},
	}
	for _, s := range steps {
		if err := w.ARP(T0.Add(s.at), s.op, s.sender.MAC, s.sender, s.targ); err != nil {
			return err
		}
		if s.reply {
			tr.ARPReplies++
		}
		if s.grat {
			tr.ARPGratuitous++
		}
	}
	tr.Conflicts = []string{cm.IP.String()}
	return nil
}

// PairOffset is how far the CUCM-side capture's clock is ahead.
const PairOffset = 2500 * time.Millisecond

// pairLatency is the one-way delay between the two capture points.
const pairLatency = time.Millisecond

// pairSide writes the phone-side or the CUCM-side capture of one
// conversation: the phone side sees everything the phone sends, the CUCM
// side only what arrives, later by pairLatency and with its clock
// PairOffset ahead.
func pairSide(phoneSide bool) func(*Writer, *Truth) error {
	return func(w *Writer, tr *Truth) error {
		phone, cm := Phone2, CUCM1
		if phoneSide {
			cm.MAC = Gateway.MAC
		} else {
			phone.MAC = RouterCM.MAC
		}
		// shift maps phone-clock times of packets sent by the phone to
		// this capture's clock (and the other way for CUCM's packets).
		fromPhone := func(t time.Time) time.Time {
			if phoneSide {
				return t
			}
			return t.Add(pairLatency + PairOffset)
		}
		fromCM := func(t time.Time) time.Time {
			if phoneSide {
				return t.Add(pairLatency)
			}
			return t.Add(PairOffset)
		}
		r := Register{Phone: phone, CM: cm, PhonePort: 52001, Transport: "TCP", Device: "SEP001B54C24A11", Line: "5679",
			CallID: "001b54c2-4a110001@10.60.98.211", CSeq: 200, Expires: 3600}
		// Each keepalive: sent at phone time t; copies lists the send
		// offsets of the original and retransmissions; arrives says which
		// copy (index) reaches CUCM, -1 for none.
		type ka struct {
			copies  []time.Duration
			arrives int
		}
		conn1 := []ka{
			{[]time.Duration{0}, 0}, // initial registration
			{[]time.Duration{0}, 0},
			{[]time.Duration{0}, 0},
			{[]time.Duration{0, ms(400)}, 1},
			{[]time.Duration{0, ms(800), ms(2400), ms(5600)}, -1},
		}
		conn2 := []ka{{[]time.Duration{0}, 0}, {[]time.Duration{0}, 0}}

		run := func(port uint16, iss uint32, start time.Time, kas []ka) (time.Time, error) {
			r.PhonePort = port
			c := NewConn(w, phone, cm, port, 5060, iss, 1000)
			// Handshake, by hand because the two sides see it at different times.
			syn := Segment{SrcPort: port, DstPort: 5060, Seq: iss, Flags: SYN, Window: 8192}
			if err := w.TCP(fromPhone(start), phone, cm, syn); err != nil {
				return start, err
			}
			if err := w.TCP(fromCM(start.Add(ms(1))), cm, phone, Segment{SrcPort: 5060, DstPort: port, Seq: 1000, Ack: iss + 1, Flags: SYN | ACK, Window: 8192}); err != nil {
				return start, err
			}
			c.cNext, c.sNext = iss+1, 1001
			if err := w.TCP(fromPhone(start.Add(ms(2))), phone, cm, Segment{SrcPort: port, DstPort: 5060, Seq: c.cNext, Ack: c.sNext, Flags: ACK, Window: 8192}); err != nil {
				return start, err
			}
			t := start.Add(ms(10))
			for i, k := range kas {
				if i > 0 {
					t = t.Add(115 * time.Second)
				}
				r.CSeq++
				req := r.Request()
				seq := c.cNext
				c.cNext += uint32(len(req))
				for j, off := range k.copies {
					if !phoneSide && j != k.arrives {
						continue
					}
					if err := w.TCP(fromPhone(t.Add(off)), phone, cm, Segment{SrcPort: port, DstPort: 5060, Seq: seq, Ack: c.sNext, Flags: PSH | ACK, Window: 8192, Payload: req}); err != nil {
						return t, err
					}
					if phoneSide && j > 0 {
						tr.TCPRetransmissions++
					}
				}
				if phoneSide {
					tr.SIPRegisters++
					tr.SIPRequests++
					tr.SIPByMethod["REGISTER"]++
					tr.Keepalives[phone.IP.String()]++
					if len(k.copies) > 1 {
						tr.RTOs = append(tr.RTOs, k.copies[1:])
					}
				}
				if k.arrives < 0 {
					if phoneSide {
						tr.NotReceived++
					}
					// The phone gives up on this connection.
					rst := t.Add(k.copies[len(k.copies)-1] + 10*time.Second)
					if err := w.TCP(fromPhone(rst), phone, cm, Segment{SrcPort: port, DstPort: 5060, Seq: c.cNext, Flags: RST | ACK, Ack: c.sNext}); err != nil {
						return t, err
					}
					return rst, nil
				}
				if phoneSide {
					tr.Received++
					tr.Delays = append(tr.Delays, k.copies[k.arrives])
				} else {
					tr.SIPRegisters++
					tr.SIPRequests++
					tr.SIPByMethod["REGISTER"]++
					tr.Keepalives[phone.IP.String()]++
				}
				tr.SIPByStatus[100]++
				tr.SIPByStatus[200]++
				at := t.Add(k.copies[k.arrives]).Add(pairLatency)
				for _, resp := range [][]byte{r.Response(100, "Trying", 0), r.Response(200, "OK", 120)} {
					at = at.Add(ms(1))
					if err := w.TCP(fromCM(at), cm, phone, Segment{SrcPort: 5060, DstPort: port, Seq: c.sNext, Ack: c.cNext, Flags: PSH | ACK, Window: 8192, Payload: resp}); err != nil {
						return t, err
					}
					c.sNext += uint32(len(resp))
				}
				if err := w.TCP(fromPhone(at.Add(ms(10))), phone, cm, Segment{SrcPort: port, DstPort: 5060, Seq: c.cNext, Ack: c.sNext, Flags: ACK, Window: 8192}); err != nil {
					return t, err
				}
			}
			return t, nil
		}
		end, err := run(52001, 3000000, T0, conn1)
		if err != nil {
			return err
		}
		// The re-registration on the new connection comes about 132 s
		// after the last refresh CUCM saw: registration lost, on both
		// sides; the phone side also sees keepalive 4 unanswered.
		tr.Lost = 1
		if phoneSide {
			tr.Unanswered = 1
		}
		_, err = run(52002, 4000000, end.Add(2*time.Second), conn2)
		return err
	}
}

func sipUDP(w *Writer, tr *Truth) error {
	phone, cm := Phone3, CUCM1
	r := Register{Phone: phone, CM: cm, PhonePort: 5060, Transport: "UDP", Device: "SEP001B54C24A12", Line: "5680",
		CallID: "a84b4c76e66710@10.60.98.212", CSeq: 1, Expires: 3600}
	send := func(at time.Duration, fromPhone bool, msg []byte) error {
		if fromPhone {
			return w.UDP(T0.Add(at), phone, cm, 5060, 5060, msg)
		}
		return w.UDP(T0.Add(at), cm, phone, 5060, 5060, msg)
	}
	count := func(method string) {
		tr.SIPRequests++
		tr.SIPByMethod[method]++
		if method == "REGISTER" {
			tr.SIPRegisters++
			tr.Keepalives[phone.IP.String()]++
		}
	}
	// REGISTER, resent by SIP timer E after 500 ms (the same transaction:
	// a message more, not a keepalive more), challenged.
	if err := send(0, true, r.Request()); err != nil {
		return err
	}
	count("REGISTER")
	if err := send(ms(500), true, r.Request()); err != nil {
		return err
	}
	count("REGISTER")
	tr.Keepalives[phone.IP.String()]--
	tr.RTOs = append(tr.RTOs, []time.Duration{ms(500)})
	if err := send(ms(502), false, r.Response(401, "Unauthorized", 0)); err != nil {
		return err
	}
	tr.SIPByStatus[401]++
	r.CSeq++
	r.ExtraLines = []string{`Authorization: Digest username="5680",realm="ccmsipline",nonce="4a8b",uri="sip:10.60.1.11",response="00ff"`}
	if err := send(ms(510), true, r.Request()); err != nil {
		return err
	}
	count("REGISTER")
	if err := send(ms(512), false, r.Response(100, "Trying", 0)); err != nil {
		return err
	}
	if err := send(ms(514), false, r.Response(200, "OK", 120)); err != nil {
		return err
	}
	tr.SIPByStatus[100]++
	tr.SIPByStatus[200]++
	// The refresh 115 s later uses compact header names.
	r.CSeq++
	r.Compact = true
	r.ExtraLines = nil
	if err := send(115*time.Second+ms(514), true, r.Request()); err != nil {
		return err
	}
	count("REGISTER")
	if err := send(115*time.Second+ms(517), false, r.Response(200, "OK", 120)); err != nil {
		return err
	}
	tr.SIPByStatus[200]++
	opts := SIPMessage("OPTIONS sip:5680@10.60.98.212:5060 SIP/2.0", []string{
		"Via: SIP/2.0/UDP 10.60.1.11:5060;branch=z9hG4bK1f0e",
		"From: <sip:10.60.1.11>;tag=77", "To: <sip:5680@10.60.98.212>",
		"Call-ID: opt-1@10.60.1.11", "CSeq: 1 OPTIONS", "Max-Forwards: 70"}, "")
	if err := send(130*time.Second, false, opts); err != nil {
		return err
	}
	count("OPTIONS")
	okOpts := SIPMessage("SIP/2.0 200 OK", []string{
		"Via: SIP/2.0/UDP 10.60.1.11:5060;branch=z9hG4bK1f0e",
		"From: <sip:10.60.1.11>;tag=77", "To: <sip:5680@10.60.98.212>;tag=88",
		"Call-ID: opt-1@10.60.1.11", "CSeq: 1 OPTIONS"}, "")
	if err := send(130*time.Second+ms(3), true, okOpts); err != nil {
		return err
	}
	tr.SIPByStatus[200]++
	notify := SIPMessage("NOTIFY sip:10.60.1.11 SIP/2.0", []string{
		"Via: SIP/2.0/UDP 10.60.98.212:5060;branch=z9hG4bK77aa",
		"From: <sip:5680@10.60.1.11>;tag=9", "To: <sip:10.60.1.11>",
		"Call-ID: ntf-1@10.60.98.212", "CSeq: 5 NOTIFY", "Event: dialog", "Content-Type: application/dialog-info+xml"},
		`<?xml version="1.0"?><dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full"/>`)
	if err := send(140*time.Second, true, notify); err != nil {
		return err
	}
	count("NOTIFY")
	return nil
}

func sipTCPReassembly(w *Writer, tr *Truth) error {
	phone, cm := Phone1, CUCM1
	c := NewConn(w, phone, cm, 49800, 5060, 5000, 9000)
	if err := c.Handshake(T0, ms(2)); err != nil {
		return err
	}
	r := Register{Phone: phone, CM: cm, PhonePort: 49800, Transport: "TCP", Device: "SEP001B54C24A10", Line: "5678",
		CallID: "vlan-0001@10.60.98.210", CSeq: 1, Expires: 3600}
	// REGISTER split in the middle of the Call-ID line.
	req := r.Request()
	cut := bytes.Index(req, []byte("Call-ID")) + 10
	t := T0.Add(ms(10))
	if _, err := c.Send(t, true, req[:cut]); err != nil {
		return err
	}
	if _, err := c.Send(t.Add(ms(1)), true, req[cut:]); err != nil {
		return err
	}
	// Both responses in one segment.
	resp := append(r.Response(100, "Trying", 0), r.Response(200, "OK", 120)...)
	if _, err := c.Send(t.Add(ms(4)), false, resp); err != nil {
		return err
	}
	if err := c.Ack(t.Add(ms(15)), true); err != nil {
		return err
	}
	count := func(m string) {
		tr.SIPRequests++
		tr.SIPByMethod[m]++
		if m == "REGISTER" {
			tr.SIPRegisters++
			tr.Keepalives[phone.IP.String()]++
		}
	}
	count("REGISTER")
	tr.SIPByStatus[100]++
	tr.SIPByStatus[200]++
	// 115 s later: a NOTIFY whose body crosses into a segment that also
	// starts the next REGISTER, finished in a third segment.
	notify := SIPMessage("NOTIFY sip:10.60.1.11 SIP/2.0", []string{
		"Via: SIP/2.0/TCP 10.60.98.210:49800;branch=z9hG4bK99",
		"From: <sip:5678@10.60.1.11>;tag=1", "To: <sip:10.60.1.11>",
		"Call-ID: ntf-2@10.60.98.210", "CSeq: 7 NOTIFY", "Event: presence", "Content-Type: text/plain"},
		strings.Repeat("status line of a presence document\n", 8))
	r.CSeq++
	req2 := r.Request()
	stream := append(append([]byte{}, notify...), req2...)
	a := len(notify) - 100
	b := len(notify) + 100
	t2 := t.Add(115 * time.Second)
	for i, part := range [][]byte{stream[:a], stream[a:b], stream[b:]} {
		if _, err := c.Send(t2.Add(time.Duration(i)*ms(1)), true, part); err != nil {
			return err
		}
	}
	count("NOTIFY")
	count("REGISTER")
	ok := SIPMessage("SIP/2.0 200 OK", []string{
		"Via: SIP/2.0/TCP 10.60.98.210:49800;branch=z9hG4bK99",
		"From: <sip:5678@10.60.1.11>;tag=1", "To: <sip:10.60.1.11>;tag=2",
		"Call-ID: ntf-2@10.60.98.210", "CSeq: 7 NOTIFY"}, "")
	all := append(append(ok, r.Response(100, "Trying", 0)...), r.Response(200, "OK", 120)...)
	if _, err := c.Send(t2.Add(ms(6)), false, all); err != nil {
		return err
	}
	tr.SIPByStatus[200] += 2
	tr.SIPByStatus[100]++
	return c.Ack(t2.Add(ms(17)), true)
}

// sipTCPShort is three keepalives, the second retransmitted once after
// 200 ms; link type and snaplen come from the scenario's config.
func sipTCPShort(w *Writer, tr *Truth) error {
	phone, cm := Phone1, CUCM2
	c := NewConn(w, phone, cm, 50100, 5060, 77000, 88000)
	if err := c.Handshake(T0, ms(2)); err != nil {
		return err
	}
	r := Register{Phone: phone, CM: cm, PhonePort: 50100, Transport: "TCP", Device: "SEP001B54C24A10", Line: "5678",
		CallID: "short-0001@10.60.98.210", CSeq: 40, Expires: 3600}
	ok, err := registerCycle(c, T0.Add(ms(10)), r, nil, tr)
	if err != nil {
		return err
	}
	for _, retx := range [][]time.Duration{{ms(200)}, nil} {
		r.CSeq++
		if ok, err = registerCycle(c, ok.Add(115*time.Second), r, retx, tr); err != nil {
			return err
		}
	}
	return nil
}

func sipBackup(w *Writer, tr *Truth) error {
	phone := Phone1
	prim := NewConn(w, phone, CUCM1, 50200, 5060, 11000, 21000)
	back := NewConn(w, phone, CUCM2, 50201, 5060, 31000, 41000)
	if err := prim.Handshake(T0, ms(2)); err != nil {
		return err
	}
	if err := back.Handshake(T0.Add(ms(50)), ms(2)); err != nil {
		return err
	}
	rp := Register{Phone: phone, CM: CUCM1, PhonePort: 50200, Transport: "TCP", Device: "SEP001B54C24A10", Line: "5678",
		CallID: "prim-0001@10.60.98.210", CSeq: 1, Expires: 3600}
	rb := Register{Phone: phone, CM: CUCM2, PhonePort: 50201, Transport: "TCP", Device: "SEP001B54C24A10", Line: "5678",
		CallID: "back-0001@10.60.98.210", CSeq: 1, Backup: true}
	okP := T0.Add(ms(10))
	okB := T0.Add(ms(60))
	var err error
	for i := 0; i < 3; i++ {
		if i > 0 {
			okP = okP.Add(115 * time.Second)
			okB = okB.Add(115 * time.Second)
		}
		if okP, err = registerCycle(prim, okP, rp, nil, tr); err != nil {
			return err
		}
		// The backup answers 200 OK without Expires; registerCycle grants
		// 120, which CUCM also does for keepalives.
		if okB, err = registerCycle(back, okB, rb, nil, tr); err != nil {
			return err
		}
		rp.CSeq++
		rb.CSeq++
	}
	return nil
}

// tcpAnalysis exercises every branch of Wireshark's sequence analysis
// that decides whether a segment counts as a retransmission.
func tcpAnalysis(w *Writer, tr *Truth) error {
	cl, sv := NewHost("00:1b:54:c2:4a:30", "10.60.98.220"), NewHost("00:50:56:8a:11:20", "10.60.1.20")
	const cp, sp = 40000, 8080
	at := func(s float64) time.Time { return T0.Add(time.Duration(s * float64(time.Second))) }
	var err error
	seg := func(t float64, fromClient bool, seq, ack uint32, flags uint8, win uint16, n int) {
		if err != nil {
			return
		}
		payload := bytes.Repeat([]byte{'d'}, n)
		if fromClient {
			err = w.TCP(at(t), cl, sv, Segment{SrcPort: cp, DstPort: sp, Seq: seq, Ack: ack, Flags: flags, Window: win, Payload: payload})
		} else {
			err = w.TCP(at(t), sv, cl, Segment{SrcPort: sp, DstPort: cp, Seq: seq, Ack: ack, Flags: flags, Window: win, Payload: payload})
		}
	}
	const c0, s0 = 1000, 5000 // ISNs
	// SYN retransmitted after 1 s; the handshake RTT from the second SYN
	// is 20 ms, the out-of-order threshold from then on.
	seg(0, true, c0, 0, SYN, 8192, 0)
	seg(1, true, c0, 0, SYN, 8192, 0)
	seg(1.010, false, s0, c0+1, SYN|ACK, 8192, 0)
	seg(1.020, true, c0+1, s0+1, ACK, 8192, 0)
	tr.TCPRetransmissions++
	tr.RTOs = append(tr.RTOs, []time.Duration{time.Second})
	// D1, D3, then D2 5 ms later: out of order, not a retransmission.
	c := uint32(c0 + 1)
	seg(2.000, true, c, s0+1, PSH|ACK, 8192, 100)
	seg(2.001, true, c+200, s0+1, PSH|ACK, 8192, 100)
	seg(2.005, true, c+100, s0+1, PSH|ACK, 8192, 100)
	tr.OutOfOrder++
	seg(2.030, false, s0+1, c+300, ACK, 8192, 0)
	c += 300
	// D4-D6, three duplicate ACKs for D4, D4 again 3 ms later: fast.
	seg(3.000, true, c, s0+1, PSH|ACK, 8192, 100)
	seg(3.001, true, c+100, s0+1, PSH|ACK, 8192, 100)
	seg(3.002, true, c+200, s0+1, PSH|ACK, 8192, 100)
	seg(3.010, false, s0+1, c, ACK, 8192, 0)
	seg(3.011, false, s0+1, c, ACK, 8192, 0)
	seg(3.012, false, s0+1, c, ACK, 8192, 0)
	seg(3.015, true, c, s0+1, PSH|ACK, 8192, 100)
	tr.TCPRetransmissions++
	tr.RTOs = append(tr.RTOs, []time.Duration{ms(15)})
	seg(3.040, false, s0+1, c+300, ACK, 8192, 0)
	// D5 again long after it was acknowledged: spurious.
	seg(3.500, true, c+100, s0+1, PSH|ACK, 8192, 100)
	tr.TCPRetransmissions++ // no RTO: the original is acknowledged
	c += 300
	seg(3.510, false, s0+1, c, ACK, 8192, 0)
	// Keep-alive probes (0 and 1 byte at next-1): not retransmissions.
	seg(10, true, c-1, s0+1, ACK, 8192, 0)
	seg(10.001, false, s0+1, c, ACK, 8192, 0)
	seg(20, true, c-1, s0+1, ACK, 8192, 1)
	seg(20.001, false, s0+1, c, ACK, 8192, 0)
	// Zero window, two 1-byte probes at the same sequence number, then
	// the window opens and the data goes.
	seg(30, false, s0+1, c, ACK, 0, 0)
	seg(30.5, true, c, s0+1, PSH|ACK, 8192, 1)
	seg(30.501, false, s0+1, c, ACK, 0, 0)
	seg(31.5, true, c, s0+1, PSH|ACK, 8192, 1)
	seg(31.501, false, s0+1, c, ACK, 0, 0)
	seg(32, false, s0+1, c, ACK, 8192, 0)
	seg(32.001, true, c, s0+1, PSH|ACK, 8192, 100)
	c += 100
	seg(32.020, false, s0+1, c, ACK, 8192, 0)
	// FIN retransmitted after 1 s.
	seg(40, true, c, s0+1, FIN|ACK, 8192, 0)
	seg(41, true, c, s0+1, FIN|ACK, 8192, 0)
	tr.TCPRetransmissions++
	tr.RTOs = append(tr.RTOs, []time.Duration{time.Second})
	seg(41.010, false, s0+1, c+1, FIN|ACK, 8192, 0)
	seg(41.020, true, c+1, s0+2, ACK, 8192, 0)
	// The same ports again with a new ISN: a new connection, with one
	// retransmission after 200 ms.
	const c1, s1 = 900000, 700000
	seg(50, true, c1, 0, SYN, 8192, 0)
	seg(50.010, false, s1, c1+1, SYN|ACK, 8192, 0)
	seg(50.020, true, c1+1, s1+1, ACK, 8192, 0)
	seg(51, true, c1+1, s1+1, PSH|ACK, 8192, 200)
	seg(51.2, true, c1+1, s1+1, PSH|ACK, 8192, 200)
	tr.TCPRetransmissions++
	tr.RTOs = append(tr.RTOs, []time.Duration{ms(200)})
	seg(51.210, false, s1+1, c1+201, ACK, 8192, 0)
	return err
}
