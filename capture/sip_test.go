package capture

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/capture/internal/pcapgen"
)

func TestParseSIP(t *testing.T) {
	crlf := func(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }
	cases := []struct {
		name string
		in   []byte
		ok   bool
		want sipMsg // compared fields: request, method, status, cseq, cseqMethod, expires, contactExpires, keepAlive, contentLength
		cid  string
		dev  string
	}{
		{"seed register to primary", crlf("REGISTER sip:10.106.114.161 SIP/2.0\nVia: SIP/2.0/TCP 10.106.114.185:53006;branch=z9hG4bKd451a4fa\nCall-ID: 0024142d-df24000a-44da4e09-0de51424@10.106.114.185\nCSeq: 11435 REGISTER\nContact: <sip:9e9e1ffb@10.106.114.185:53006;transport=tcp>;+u.sip!devicename.ccm.cisco.com=\"SEP0024142DDF24\"\nContent-Length: 0\nExpires: 3600\n\n"),
			true, sipMsg{request: true, method: "REGISTER", cseq: 11435, cseqMethod: "REGISTER", expires: 3600, contactExpires: -1, contentLength: 0},
			"0024142d-df24000a-44da4e09-0de51424@10.106.114.185", "SEP0024142DDF24"},
		{"seed keepalive to backup", crlf("REGISTER sip:10.60.1.12:5060;transport=tcp SIP/2.0\nCSeq: 18800 REGISTER\nExpires: 0\nContact: <sip:e2b0@10.60.63.21:5060;transport=TCP>;+u.sip!devicename.ccm.cisco.com=\"SEPE0D1730AC1B1\";EXPIRES=0;cisco-keep-alive\nContent-Length: 0\n\n"),
			true, sipMsg{request: true, method: "REGISTER", cseq: 18800, cseqMethod: "REGISTER", expires: 0, contactExpires: 0, keepAlive: true, contentLength: 0}, "", "SEPE0D1730AC1B1"},
		{"200 OK with compact headers and folding", crlf("SIP/2.0 200 OK\ni: abc@host\nCSeq:   7  REGISTER\nm: <sip:a@b>;expires=120\n continued: value\nl: 12\n\n"),
			true, sipMsg{status: 200, cseq: 7, cseqMethod: "REGISTER", expires: -1, contactExpires: 120, contentLength: 12}, "abc@host", ""},
		{"bare LF line ends", []byte("OPTIONS sip:x@y SIP/2.0\nCSeq: 1 OPTIONS\n\n"), true, sipMsg{request: true, method: "OPTIONS", cseq: 1, cseqMethod: "OPTIONS", expires: -1, contactExpires: -1, contentLength: -1}, "", ""},
		{"invalid content length", crlf("INVITE sip:bob@10.0.0.2 SIP/2.0\nContent-Length: bad\n\n"), true, sipMsg{request: true, method: "INVITE", expires: -1, contactExpires: -1, contentLength: -1}, "", ""},
		{"URI without scheme (Wireshark refuses it too)", crlf("INVITE foo@bar SIP/2.0\n\n"), false, sipMsg{}, "", ""},
		{"HTTP", crlf("GET / HTTP/1.1\nHost: x\n\n"), false, sipMsg{}, "", ""},
		{"status out of range", crlf("SIP/2.0 900 Odd\n\n"), false, sipMsg{}, "", ""},
		{"NULs", []byte{0, 0, 0, 0}, false, sipMsg{}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var m sipMsg
			ok := parseSIP(tc.in, &m)
			if ok != tc.ok {
				t.Fatalf("parse = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			got := sipMsg{request: m.request, method: m.method, status: m.status, cseq: m.cseq, cseqMethod: m.cseqMethod,
				expires: m.expires, contactExpires: m.contactExpires, keepAlive: m.keepAlive, contentLength: m.contentLength}
			want := tc.want
			if got.request != want.request || got.method != want.method || got.status != want.status || got.cseq != want.cseq ||
				got.cseqMethod != want.cseqMethod || got.expires != want.expires || got.contactExpires != want.contactExpires ||
				got.keepAlive != want.keepAlive || got.contentLength != want.contentLength {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
			if string(m.callID) != tc.cid && tc.cid != "" {
				t.Errorf("Call-ID %q", m.callID)
			}
			if string(m.device) != tc.dev {
				t.Errorf("device %q, want %q", m.device, tc.dev)
			}
			if m.hdrEnd != len(tc.in) {
				t.Errorf("headers end at %d of %d", m.hdrEnd, len(tc.in))
			}
		})
	}
}

// seg is one segment fed to a stream in TestStream.
type seg struct {
	seq     uint32
	data    string
	seglen  int // 0: len(data)
	ackPast uint32
	syn     bool
}

func TestStream(t *testing.T) {
	reg := "REGISTER sip:a SIP/2.0\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n"
	ok := "SIP/2.0 200 OK\r\nCSeq: 1 REGISTER\r\nContent-Length: 5\r\n\r\nhello"
	n1, n2 := uint32(len(reg)), uint32(len(ok))
	cases := []struct {
		name  string
		proto appProto
		segs  []seg
		want  []string // message start lines (or SCCP ids), with @seq and *truncated
	}{
		{"two messages in one segment", protoSIP, []seg{{seq: 1, data: reg + ok}},
			[]string{"REGISTER@1", "SIP/2.0 200 OK@" + itoa(1+n1)}},
		{"one message over three segments, body split", protoSIP, []seg{{seq: 1, data: ok[:10]}, {seq: 11, data: ok[10 : n2-2]}, {seq: 1 + n2 - 2, data: ok[n2-2:]}},
			[]string{"SIP/2.0 200 OK@1"}},
		{"retransmitted copy is not a new message", protoSIP, []seg{{seq: 1, data: reg}, {seq: 1, data: reg}, {seq: 1 + n1, data: reg}},
			[]string{"REGISTER@1", "REGISTER@" + itoa(1+n1)}},
		{"overlapping retransmission with new data", protoSIP, []seg{{seq: 1, data: reg[:20]}, {seq: 1, data: reg}},
			[]string{"REGISTER@1"}},
		{"out of order after the SYN, then filled", protoSIP, []seg{{seq: 0, syn: true}, {seq: 1 + n1, data: ok}, {seq: 1, data: reg}},
			[]string{"REGISTER@1", "SIP/2.0 200 OK@" + itoa(1+n1)}},
		{"gap never filled: acknowledged past it, resync", protoSIP, []seg{{seq: 1, data: reg[:10]}, {seq: 1 + n1, data: ok}, {ackPast: 1 + n1 + n2}},
			[]string{"SIP/2.0 200 OK@" + itoa(1+n1)}},
		{"CRLF keepalives between messages", protoSIP, []seg{{seq: 1, data: "\r\n\r\n" + reg + "\r\n"}},
			[]string{"REGISTER@5"}},
		{"garbage then a message", protoSIP, []seg{{seq: 1, data: "xx garbage\r\n" + reg}},
			[]string{"REGISTER@13"}},
		{"truncated by snaplen", protoSIP, []seg{{seq: 1, data: reg[:30], seglen: len(reg)}, {seq: 1 + n1, data: reg}},
			[]string{"REGISTER@1*", "REGISTER@" + itoa(1+n1)}},
		{"SCCP: two in one segment, one split mid-header", protoSCCP, []seg{{seq: 1, data: sccp(0x81, 20) + sccp(0x9b, 0)}, {seq: 45, data: sccp(0x10, 60)[:7]}, {seq: 52, data: sccp(0x10, 60)[7:]}, {seq: 117, data: sccp(0, 0)}},
			[]string{"0x81@1", "0x9b@33", "0x10@45", "0x0@117"}},
		{"SCCP: absurd length resyncs", protoSCCP, []seg{{seq: 1, data: "\xff\xff\xff\xff\x00\x00\x00\x00" + sccp(0x100, 0)}},
			[]string{"0x100@9"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &stream{proto: tc.proto}
			var got []string
			emit := func(e *msgEvent) {
				var label string
				if tc.proto == protoSCCP {
					label = "0x" + strings.TrimLeft(hex32(sccpID(e.data)), "0")
					if label == "0x" {
						label = "0x0"
					}
				} else {
					line := string(e.data)
					if i := strings.Index(line, "\r\n"); i >= 0 {
						line = line[:i]
					}
					label = strings.TrimSuffix(line, " sip:a SIP/2.0")
				}
				label += "@" + itoa(e.seq)
				if e.truncated {
					label += "*"
				}
				got = append(got, label)
			}
			for _, sg := range tc.segs {
				if sg.ackPast != 0 {
					s.ackedPast(sg.ackPast, emit)
					continue
				}
				n := sg.seglen
				if n == 0 {
					n = len(sg.data)
				}
				s.feed(sg.seq, n, []byte(sg.data), sg.syn, segRef{seq: sg.seq, len: uint32(n)}, emit)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("messages %v, want %v", got, tc.want)
			}
		})
	}
}

func sccp(id uint32, n int) string { return string(pcapgen.SCCP(id, bytes.Repeat([]byte{7}, n))) }

func itoa(n uint32) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{digits[n%10]}, b...)
	}
	return string(b)
}

func hex32(v uint32) string {
	const h = "0123456789abcdef"
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = h[v&0xf]
		v >>= 4
	}
	return string(b)
}

func TestCancel(t *testing.T) {
	var buf bytes.Buffer
	if _, err := pcapgen.WriteBig(&buf, pcapgen.BigConfig{Packets: 10_000}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fa, err := AnalyzeReader(ctx, "big", &buf, Options{})
	if !errors.Is(err, context.Canceled) || fa == nil || fa.Counts.Packets == 0 || fa.Counts.Packets >= 10_000 {
		t.Fatalf("err %v, packets %d", err, fa.Counts.Packets)
	}
}

// TestIndexFold checks the vectorised search against the plain one: every
// position, letters in either case, needles with and without a byte that
// is not a letter.
func TestIndexFold(t *testing.T) {
	plain := func(s, needle []byte) int {
		low := bytes.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, s)
		return bytes.Index(low, needle)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("cisoCISO-kKeEpPaAlLvV;xXr=1 ")
	for _, needle := range []string{"cisco-keep-alive", ";expires=", "cisco", "-", "e"} {
		for n := 0; n < 3000; n++ {
			s := make([]byte, rng.IntN(40))
			for i := range s {
				s[i] = alphabet[rng.IntN(len(alphabet))]
			}
			if rng.IntN(3) == 0 && len(s) >= len(needle) {
				at := rng.IntN(len(s) - len(needle) + 1)
				for i, c := range []byte(needle) {
					if rng.IntN(2) == 0 && c >= 'a' && c <= 'z' {
						c -= 'a' - 'A'
					}
					s[at+i] = c
				}
			}
			if got, want := indexFold(s, []byte(needle)), plain(s, []byte(needle)); got != want {
				t.Fatalf("indexFold(%q, %q) = %d, want %d", s, needle, got, want)
			}
		}
	}
}

// TestHeaderKind checks the header dispatch against bytes.EqualFold, the
// comparison it replaces, in random case.
func TestHeaderKind(t *testing.T) {
	kinds := map[string]int{"Call-ID": hdrCallID, "i": hdrCallID, "CSeq": hdrCSeq, "Expires": hdrExpires,
		"Contact": hdrContact, "m": hdrContact, "Content-Length": hdrContentLength, "l": hdrContentLength}
	names := []string{"Via", "From", "To", "Date", "Max-Forwards", "User-Agent", "Allow", "Content-Type", "v", "f", "t", "c", "e",
		"Cseq-", "Contacts", "Call-IE", "Expirez", "Content-Lengt", "", "-", "Ca\xc5\xbfll-ID"}
	for n := range kinds {
		names = append(names, n)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, name := range names {
		for i := 0; i < 20; i++ {
			b := []byte(name)
			for j, c := range b {
				if rng.IntN(2) == 0 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
					b[j] = c ^ 0x20
				}
			}
			want := hdrOther
			for n, k := range kinds {
				if bytes.EqualFold(b, []byte(n)) {
					want = k
				}
			}
			if got := headerKind(b); got != want {
				t.Errorf("headerKind(%q) = %d, want %d", b, got, want)
			}
			if want != hdrOther && !readHeader[b[0]] {
				t.Errorf("parseSIP skips %q: readHeader lacks %q", b, b[0])
			}
		}
	}
}
