package pcapgen

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// Conn is a TCP connection between a client (the phone) and a server (the
// call manager) that keeps both sequence numbers, so scenarios only say
// who sends what when.
type Conn struct {
	W              *Writer
	Client, Server Host
	CPort, SPort   uint16
	cNext, sNext   uint32
	Window         uint16
}

// NewConn starts a connection with the given initial sequence numbers.
func NewConn(w *Writer, client, server Host, cport, sport uint16, ciss, siss uint32) *Conn {
	return &Conn{W: w, Client: client, Server: server, CPort: cport, SPort: sport, cNext: ciss, sNext: siss, Window: 8192}
}

func (c *Conn) ends(fromClient bool) (src, dst Host, sport, dport uint16, seq, ack *uint32) {
	if fromClient {
		return c.Client, c.Server, c.CPort, c.SPort, &c.cNext, &c.sNext
	}
	return c.Server, c.Client, c.SPort, c.CPort, &c.sNext, &c.cNext
}

// Handshake writes SYN at t, SYN/ACK at t+rtt/2 and ACK at t+rtt.
func (c *Conn) Handshake(t time.Time, rtt time.Duration) error {
	if err := c.W.TCP(t, c.Client, c.Server, Segment{SrcPort: c.CPort, DstPort: c.SPort, Seq: c.cNext, Flags: SYN, Window: c.Window}); err != nil {
		return err
	}
	c.cNext++
	if err := c.W.TCP(t.Add(rtt/2), c.Server, c.Client, Segment{SrcPort: c.SPort, DstPort: c.CPort, Seq: c.sNext, Ack: c.cNext, Flags: SYN | ACK, Window: c.Window}); err != nil {
		return err
	}
	c.sNext++
	return c.Ack(t.Add(rtt), true)
}

// Send writes a data segment with new data and returns its sequence number.
func (c *Conn) Send(t time.Time, fromClient bool, payload []byte) (uint32, error) {
	src, dst, sp, dp, seq, ack := c.ends(fromClient)
	s := *seq
	if err := c.W.TCP(t, src, dst, Segment{SrcPort: sp, DstPort: dp, Seq: s, Ack: *ack, Flags: PSH | ACK, Window: c.Window, Payload: payload}); err != nil {
		return 0, err
	}
	*seq += uint32(len(payload))
	return s, nil
}

// Resend writes payload again at sequence number seq (a retransmission
// when seq is behind the sender's next sequence number).
func (c *Conn) Resend(t time.Time, fromClient bool, seq uint32, payload []byte) error {
	src, dst, sp, dp, _, ack := c.ends(fromClient)
	return c.W.TCP(t, src, dst, Segment{SrcPort: sp, DstPort: dp, Seq: seq, Ack: *ack, Flags: PSH | ACK, Window: c.Window, Payload: payload})
}

// Ack writes a pure ACK of everything the other side sent.
func (c *Conn) Ack(t time.Time, fromClient bool) error {
	src, dst, sp, dp, seq, ack := c.ends(fromClient)
	return c.W.TCP(t, src, dst, Segment{SrcPort: sp, DstPort: dp, Seq: *seq, Ack: *ack, Flags: ACK, Window: c.Window})
}

// Next is the sequence number the side's next new data will carry.
func (c *Conn) Next(fromClient bool) uint32 {
	if fromClient {
		return c.cNext
	}
	return c.sNext
}

// Skip advances the side's sequence number without writing anything:
// data the capture point never saw.
func (c *Conn) Skip(fromClient bool, n int) {
	_, _, _, _, seq, _ := c.ends(fromClient)
	*seq += uint32(n)
}

// Register describes one SIP REGISTER transaction of a Cisco phone.
type Register struct {
	Phone, CM  Host
	PhonePort  uint16
	Transport  string // "TCP" or "UDP"
	Device     string // SEP name
	Line       string // directory number
	CallID     string
	CSeq       int
	Expires    int  // requested expiry (3600 first, then the granted value)
	Backup     bool // keepalive to a backup call manager: Expires 0 and cisco-keep-alive
	Compact    bool // use compact header names (i:, m:, l:, v:, f:, t:)
	Branch     string
	ExtraLines []string
}

func (r Register) hdr(long, short string) string {
	if r.Compact {
		return short
	}
	return long
}

func (r Register) via() string {
	return fmt.Sprintf("%s: SIP/2.0/%s %s:%d;branch=%s", r.hdr("Via", "v"), r.Transport, r.Phone.IP, r.PhonePort, r.branch())
}

func (r Register) branch() string {
	if r.Branch != "" {
		return r.Branch
	}
	return fmt.Sprintf("z9hG4bK%08x", r.CSeq*7919)
}

func (r Register) contact() string {
	c := fmt.Sprintf("<sip:%s@%s:%d;transport=%s>;+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-%s>\";+u.sip!devicename.ccm.cisco.com=\"%s\"",
		strings.ToLower(r.Device[3:]), r.Phone.IP, r.PhonePort, strings.ToLower(r.Transport), strings.ToLower(r.Device[3:]), r.Device)
	if r.Backup {
		c += ";expires=0;cisco-keep-alive"
	}
	return c
}

// Request is the REGISTER message.
func (r Register) Request() []byte {
	expires := r.Expires
	if r.Backup {
		expires = 0
	}
	lines := []string{
		fmt.Sprintf("REGISTER sip:%s SIP/2.0", r.CM.IP),
		r.via(),
		fmt.Sprintf("%s: <sip:%s@%s>;tag=%s-1", r.hdr("From", "f"), r.Line, r.CM.IP, strings.ToLower(r.Device[3:])),
		fmt.Sprintf("%s: <sip:%s@%s>", r.hdr("To", "t"), r.Line, r.CM.IP),
		fmt.Sprintf("%s: %s", r.hdr("Call-ID", "i"), r.CallID),
		"Max-Forwards: 70",
		fmt.Sprintf("CSeq: %d REGISTER", r.CSeq),
		"User-Agent: Cisco-CP8961/9.4.2",
		fmt.Sprintf("%s: %s", r.hdr("Contact", "m"), r.contact()),
	}
	lines = append(lines, r.ExtraLines...)
	lines = append(lines, fmt.Sprintf("%s: 0", r.hdr("Content-Length", "l")), fmt.Sprintf("Expires: %d", expires))
	return []byte(strings.Join(lines, "\r\n") + "\r\n\r\n")
}

// Response is the call manager's answer to the REGISTER; granted > 0 adds
// Expires and Contact as CUCM does on 200 OK.
func (r Register) Response(code int, reason string, granted int) []byte {
	lines := []string{
		fmt.Sprintf("SIP/2.0 %d %s", code, reason),
		r.via(),
		fmt.Sprintf("From: <sip:%s@%s>;tag=%s-1", r.Line, r.CM.IP, strings.ToLower(r.Device[3:])),
		fmt.Sprintf("To: <sip:%s@%s>;tag=%d", r.Line, r.CM.IP, 1708299782+r.CSeq),
		fmt.Sprintf("Call-ID: %s", r.CallID),
		fmt.Sprintf("CSeq: %d REGISTER", r.CSeq),
	}
	if granted > 0 {
		lines = append(lines, fmt.Sprintf("Expires: %d", granted), "Contact: "+r.contact())
	}
	lines = append(lines, "Content-Length: 0")
	return []byte(strings.Join(lines, "\r\n") + "\r\n\r\n")
}

// SIPMessage builds any SIP request with a body (Content-Length set).
func SIPMessage(startLine string, headers []string, body string) []byte {
	var b strings.Builder
	b.WriteString(startLine + "\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return []byte(b.String())
}

// SCCP message ids used by the scenarios.
const (
	SCCPKeepAlive    = 0x0000
	SCCPRegister     = 0x0001
	SCCPRegisterAck  = 0x0081
	SCCPKeepAliveAck = 0x0100
	SCCPCapabilities = 0x0010
)

// SCCP frames one Skinny message: length (message id + data), a zero
// header version, the message id, all little endian.
func SCCP(id uint32, data []byte) []byte {
	b := make([]byte, 12+len(data))
	binary.LittleEndian.PutUint32(b[0:4], uint32(4+len(data)))
	binary.LittleEndian.PutUint32(b[8:12], id)
	copy(b[12:], data)
	return b
}
