package capture

import (
	"bytes"
)

// sipMsg is what the analysis needs from one SIP message. Byte slices
// point into the message and are only valid while it is.
type sipMsg struct {
	request    bool
	method     string
	status     int
	cseq       uint32
	cseqMethod string
	callID     []byte
	// expires is the Expires header, contactExpires the expires
	// parameter of the first Contact; -1 when absent.
	expires        int
	contactExpires int
	keepAlive      bool // cisco-keep-alive in a Contact
	device         []byte
	// contentLength is -1 when absent or not a number.
	contentLength int
	// hdrEnd is the length of start line plus headers plus the blank
	// line; 0 when the headers are not complete.
	hdrEnd int
}

var sipMethods = []string{"REGISTER", "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "NOTIFY", "SUBSCRIBE",
	"REFER", "INFO", "UPDATE", "PRACK", "MESSAGE", "PUBLISH"}

// internMethod avoids an allocation per message for the usual methods.
func internMethod(b []byte) string {
	for _, m := range sipMethods {
		if string(b) == m {
			return m
		}
	}
	return string(b)
}

func isToken(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '!', '%', '*', '_', '+', '`', '\'', '~':
		return true
	}
	return false
}

var sipVersion = []byte("SIP/2.0")

// sipStartLine reports whether line (without CRLF) is a SIP request line
// ("METHOD uri SIP/2.0", the URI with a scheme, as Wireshark requires) or
// status line ("SIP/2.0 200 OK"), and fills m's start-line fields.
func sipStartLine(line []byte, m *sipMsg) bool {
	if bytes.HasPrefix(line, sipVersion) {
		r := line[len(sipVersion):]
		if len(r) < 4 || r[0] != ' ' {
			return false
		}
		code := 0
		for _, c := range r[1:4] {
			if c < '0' || c > '9' {
				return false
			}
			code = code*10 + int(c-'0')
		}
		if len(r) > 4 && r[4] != ' ' {
			return false
		}
		if code < 100 || code > 699 {
			return false
		}
		m.request, m.status = false, code
		return true
	}
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return false
	}
	for _, c := range line[:sp] {
		if !isToken(c) {
			return false
		}
	}
	rest := line[sp+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 <= 0 || !bytes.Equal(rest[sp2+1:], sipVersion) || bytes.IndexByte(rest[:sp2], ':') < 0 {
		return false
	}
	m.request, m.method = true, internMethod(line[:sp])
	return true
}

// looksLikeSIP says whether b starts with a SIP start line; false when
// the line is not complete yet.
func looksLikeSIP(b []byte) bool {
	eol := bytes.IndexByte(b, '\n')
	if eol < 0 {
		return false
	}
	var m sipMsg
	return sipStartLine(trimCR(b[:eol]), &m)
}

// trimCR is bytes.TrimRight(b, "\r") without its generic cutset
// handling: it runs on every line of every SIP message.
func trimCR(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == '\r' {
		b = b[:len(b)-1]
	}
	return b
}

// trimBlank is bytes.TrimRight(b, " \t").
func trimBlank(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// parseSIP parses the start line and headers of the message at the
// start of b. It returns false when b does not start with a SIP start
// line. Headers cut off by the end of b (a truncated capture, or a
// message still being reassembled) leave hdrEnd at 0.
func parseSIP(b []byte, m *sipMsg) bool {
	*m = sipMsg{expires: -1, contactExpires: -1, contentLength: -1}
	eol := bytes.IndexByte(b, '\n')
	if eol < 0 || !sipStartLine(trimCR(b[:eol]), m) {
		return false
	}
	pos := eol + 1
	for pos < len(b) {
		eol := bytes.IndexByte(b[pos:], '\n')
		if eol < 0 {
			return true // headers cut off
		}
		line := trimCR(b[pos : pos+eol])
		pos += eol + 1
		if len(line) == 0 {
			m.hdrEnd = pos
			return true
		}
		if !readHeader[line[0]] {
			// A folded continuation of the previous header, or a
			// header headerKind passes over (Via, From, To, ...).
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		m.header(trimBlank(line[:colon]), line[colon+1:])
	}
	return true
}

// readHeader holds the first letters of the headers headerKind names,
// in either case: other lines need not be split at their colon.
var readHeader = func() (t [256]bool) {
	for _, c := range "ceilm" {
		t[c], t[c-'a'+'A'] = true, true
	}
	return t
}()

// The headers the analysis reads.
const (
	hdrOther = iota
	hdrCallID
	hdrCSeq
	hdrExpires
	hdrContact
	hdrContentLength
)

// headerKind names a header, full or compact form, ignoring case. The
// switch on length and first letter passes over the others (Via, From,
// To, ...) without comparing them. Names of the same length in bytes
// fold equal only in ASCII, so matchFold is bytes.EqualFold here.
func headerKind(name []byte) int {
	if len(name) == 0 {
		return hdrOther
	}
	first := name[0] | 0x20
	switch len(name) {
	case 1:
		switch first {
		case 'i':
			return hdrCallID
		case 'm':
			return hdrContact
		case 'l':
			return hdrContentLength
		}
	case 4:
		if first == 'c' && matchFold(name, []byte("cseq")) {
			return hdrCSeq
		}
	case 7:
		switch {
		case first == 'e' && matchFold(name, []byte("expires")):
			return hdrExpires
		case first != 'c':
		case matchFold(name, []byte("call-id")):
			return hdrCallID
		case matchFold(name, []byte("contact")):
			return hdrContact
		}
	case 14:
		if first == 'c' && matchFold(name, []byte("content-length")) {
			return hdrContentLength
		}
	}
	return hdrOther
}

// header takes one header line's name and what follows its colon.
func (m *sipMsg) header(name, raw []byte) {
	kind := headerKind(name)
	if kind == hdrOther {
		return
	}
	val := bytes.TrimSpace(raw)
	switch kind {
	case hdrCallID:
		m.callID = val
	case hdrCSeq:
		sp := bytes.IndexByte(val, ' ')
		if sp > 0 {
			if n := atoi(val[:sp]); n >= 0 {
				m.cseq = uint32(n)
			}
			m.cseqMethod = internMethod(bytes.TrimSpace(val[sp+1:]))
		}
	case hdrExpires:
		m.expires = atoi(val)
	case hdrContact:
		m.contact(val)
	case hdrContentLength:
		m.contentLength = atoi(val)
	}
}

var (
	ciscoKeepAlive = []byte("cisco-keep-alive")
	expiresParam   = []byte(";expires=")
	deviceParam    = []byte("devicename.ccm.cisco.com=\"")
)

func (m *sipMsg) contact(val []byte) {
	if indexFold(val, ciscoKeepAlive) >= 0 {
		m.keepAlive = true
	}
	if m.contactExpires < 0 {
		if i := indexFold(val, expiresParam); i >= 0 {
			v := val[i+len(expiresParam):]
			end := 0
			for end < len(v) && v[end] >= '0' && v[end] <= '9' {
				end++
			}
			m.contactExpires = atoi(v[:end])
		}
	}
	if m.device == nil {
		if i := bytes.Index(val, deviceParam); i >= 0 {
			v := val[i+len(deviceParam):]
			if q := bytes.IndexByte(v, '"'); q > 0 {
				m.device = v[:q]
			}
		}
	}
}

// indexFold is a case-insensitive bytes.Index for an ASCII lower-case
// needle. When the needle holds a byte that is not a letter, candidates
// are found by looking for that byte with bytes.IndexByte (vectorised)
// instead of trying every position.
func indexFold(s, needle []byte) int {
	n := len(needle)
	anchor := -1
	for j, c := range needle {
		if c < 'a' || c > 'z' {
			anchor = j
			break
		}
	}
	if anchor < 0 {
		for i := 0; i+n <= len(s); i++ {
			if matchFold(s[i:i+n], needle) {
				return i
			}
		}
		return -1
	}
	for i := anchor; i+n-anchor <= len(s); {
		k := bytes.IndexByte(s[i:len(s)-(n-anchor)+1], needle[anchor])
		if k < 0 {
			return -1
		}
		if at := i + k - anchor; matchFold(s[at:at+n], needle) {
			return at
		}
		i += k + 1
	}
	return -1
}

// matchFold says whether s equals the lower-case needle, ignoring the
// case of ASCII letters in s.
func matchFold(s, needle []byte) bool {
	for j, c := range s {
		if c >= 'A' && c <= 'Z' {
			c |= 0x20
		}
		if c != needle[j] {
			return false
		}
	}
	return true
}

// atoi parses a non-negative decimal; -1 when b is not one.
func atoi(b []byte) int {
	if len(b) == 0 || len(b) > 9 {
		return -1
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// maxSIPMessage bounds a SIP message being reassembled over TCP.
const maxSIPMessage = 256 << 10

// sipFrame finds the length of the SIP message at the start of b on a
// stream: >0 complete, 0 need more data, -1 not SIP. A missing or invalid
// Content-Length means no body (as RFC 3261 requires it on streams).
func sipFrame(b []byte, m *sipMsg) int {
	eol := bytes.IndexByte(b, '\n')
	if eol < 0 {
		if len(b) > 1024 {
			return -1
		}
		return 0
	}
	if !parseSIP(b, m) {
		return -1
	}
	if m.hdrEnd == 0 {
		if len(b) > maxSIPMessage {
			return -1
		}
		return 0
	}
	total := m.hdrEnd + max(m.contentLength, 0)
	if total > maxSIPMessage {
		return -1
	}
	if len(b) < total {
		return 0
	}
	return total
}

// nextSIPStart finds the first line start in b that begins a SIP
// message, for resynchronising a stream after a gap; -1 if none.
func nextSIPStart(b []byte) int {
	for i := 0; i < len(b); {
		if looksLikeSIP(b[i:]) {
			return i
		}
		nl := bytes.IndexByte(b[i:], '\n')
		if nl < 0 {
			return -1
		}
		i += nl + 1
	}
	return -1
}

// fnv64 hashes a Call-ID so keepalives need not keep the string.
func fnv64(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}
