package devsim

import (
	"bufio"
	"bytes"
	"crypto/subtle"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	maxLineLen   = 4096 // longer input lines are cut, as a device would
	garbageBytes = 4096
)

// session is one shell or exec on one channel. It runs on a single
// goroutine; the reader and writer are small and the lab bytes shared, so
// a connection costs little more than the SSH layer's own buffers.
type session struct {
	srv  *Server
	h    *hostState
	r    *bufio.Reader
	w    *outBuf
	done <-chan struct{} // closed when the connection is gone

	reset      func() // drops the TCP connection
	cork       func()
	uncork     func()
	exitStatus func(code uint32)

	interactive bool // a shell: echo, prompts and paging
	priv        bool
	page        int // lines per page, 0 = paging off
	lastCR      bool
	served      int  // lab outputs served so far
	hung        bool // HangMidOutput already used
	trickle     bool
	failed      bool // the last command was rejected (exec exit status)
	exited      bool // left with exit/logout/quit
	line        []byte
	rng         *rand.Rand
	user        string // the SSH login name, for the ASA's login history
}

// writeBuffer is what the simulated device prints before it flushes, so
// also its largest SSH data packet. x/crypto keeps a buffer of the largest
// packet written, per channel and per cipher, on both ends: 4 KiB packets
// keep a simulated switch at about a fifth of the memory 32 KiB ones
// cost. With a thousand switches in the auditor's process (kaudit-bench
// -sim-process=false) peak RSS fell from 203-205 MB to 175-180 MB with no
// measurable change in wall time (running-config alone now takes six
// packets; corkConn sends a whole output in one TCP write).
const writeBuffer = 4 << 10

func newSession(srv *Server, h *hostState, rw io.ReadWriter, done <-chan struct{}) *session {
	return &session{
		user:       "admin", // until handleSession sets the SSH login name
		srv:        srv,
		h:          h,
		r:          bufio.NewReaderSize(rw, 1024),
		w:          &outBuf{w: rw},
		done:       done,
		reset:      func() {},
		cork:       func() {},
		uncork:     func() {},
		exitStatus: func(uint32) {},
		priv:       h.EnablePassword == "",
		page:       srv.opts.PageLines,
	}
}

func (s *session) runShell() {
	s.interactive = true
	if s.h.Faults.HangAfterAuth {
		s.hang()
		return
	}
	if !s.greet() {
		return
	}
	for {
		line, err := s.readLine(true)
		if err != nil {
			return
		}
		if !s.execLine(line) {
			if s.w.Flush() == nil && s.exited {
				s.exitStatus(0)
			}
			return
		}
	}
}

// runExec runs one command without a terminal: no echo, no prompt, no
// paging, at the privilege the login gives (show running-config needs
// an empty enable password, as on a device where the user lands at 15).
func (s *session) runExec(cmd string) {
	s.interactive = false
	s.page = 0
	if s.h.Faults.HangAfterAuth {
		s.hang()
		return
	}
	s.execLine(cmd)
	if s.w.Flush() != nil {
		return
	}
	code := uint32(0)
	if s.failed {
		code = 1
	}
	s.exitStatus(code)
}

func (s *session) greet() bool {
	banner := s.h.Banner
	switch s.h.plat {
	case cucm:
		// The real CLI prints this at once and the rest only when its
		// JVM is up, which is what a login timeout must survive.
		s.text(cucmStarting)
		if !s.sleep(s.h.Faults.CUCMLoginDelay) {
			return false
		}
		if banner == "" {
			banner = defaultCUCMBanner
		}
	case asa:
		if banner == "" {
			banner = fmt.Sprintf(asaLoginHistoryFormat, s.user, s.h.Name) + defaultASABanner
		}
	}
	s.text(banner)
	if !s.h.Faults.PromptOnReturn {
		s.prompt()
	}
	return s.w.Flush() == nil
}

func (s *session) promptString() string {
	switch {
	case s.h.plat == cucm:
		return cucmPromptText
	case s.h.plat == asa && s.priv:
		return s.h.Name + asaPrivPrompt
	case s.h.plat == asa:
		return s.h.Name + asaUserPrompt
	case s.priv:
		return s.h.Name + iosPrivPrompt
	}
	return s.h.Name + iosUserPrompt
}

func (s *session) prompt() bool { return s.emitS(s.promptString()) }

// text prints multi-line text with CRLF endings.
func (s *session) text(t string) {
	for len(t) > 0 {
		i := strings.IndexByte(t, '\n')
		var l string
		if i < 0 {
			l, t = t, ""
		} else {
			l, t = t[:i], t[i+1:]
		}
		s.emitS(strings.TrimSuffix(l, "\r"))
		s.emitS(lineEnd)
	}
}

func (s *session) sayln(l string) { s.emitS(l); s.emitS(lineEnd) }

// readByte flushes pending output before it would block, so everything
// printed so far reaches the client before the device waits for it.
func (s *session) readByte() (byte, error) {
	if s.r.Buffered() == 0 {
		if err := s.w.Flush(); err != nil {
			return 0, err
		}
	}
	return s.r.ReadByte()
}

// readLine edits a line the way a device's terminal does: printable
// characters are echoed, backspace erases, CR, LF or CRLF ends the line.
func (s *session) readLine(echo bool) (string, error) {
	s.line = s.line[:0]
	for {
		b, err := s.readByte()
		if err != nil {
			return "", err
		}
		if b == '\n' && s.lastCR {
			s.lastCR = false
			continue
		}
		s.lastCR = b == '\r'
		switch {
		case b == '\r' || b == '\n':
			if s.interactive {
				s.emitS(lineEnd)
			}
			return string(s.line), nil
		case b == 0x7f || b == 0x08:
			if len(s.line) > 0 {
				s.line = s.line[:len(s.line)-1]
				if echo && s.interactive {
					s.emitS(echoErase)
				}
			}
		case b == 0x15: // ^U
			for ; len(s.line) > 0; s.line = s.line[:len(s.line)-1] {
				if echo && s.interactive {
					s.emitS(echoErase)
				}
			}
		case b < 0x20 || len(s.line) >= maxLineLen:
		default:
			s.line = append(s.line, b)
			if echo && s.interactive {
				_ = s.w.WriteByte(b)
			}
		}
	}
}

// execLine runs one typed line; false ends the session.
func (s *session) execLine(raw string) bool {
	norm := normalize(raw)
	s.failed = false
	if norm == "" {
		if s.interactive {
			s.prompt()
		}
		return true
	}
	s.srv.record(s.h, raw)
	if !s.sleep(s.h.Latency) {
		return false
	}
	if s.h.plat == cucm && s.h.CUCMCapture != nil {
		if cont, ok := s.cucmCapture(norm); ok {
			return cont
		}
	}
	if s.h.Handler != nil {
		if out, ok := s.h.Handler(norm); ok {
			return s.serveLab(frameless([]byte(out)))
		}
	}
	if s.h.Capture != nil && s.h.plat != cucm {
		if out, ok := s.h.Capture.answer(s.h.plat == asa, norm); ok {
			return s.serveLab(frameless([]byte(out)))
		}
	}
	e, res, failAt := s.h.resolve(norm, s.priv)
	switch res {
	case found:
		switch e.op {
		case opLab:
			return s.serveEntry(e, raw)
		case opExit:
			s.exited = true
			return false
		case opEnable:
			if !s.enable() {
				return false
			}
		case opDisable:
			s.priv = false
		case opPageLength:
			f := strings.Fields(norm)
			n, _ := strconv.Atoi(f[len(f)-1])
			s.page = n
			s.emitS(terminalAnswer)
		case opPagingOff:
			s.page = 0
			s.sayln(cucmPaginationOff)
		case opPagingOn:
			s.page = s.srv.opts.PageLines
			s.sayln(cucmPaginationOn)
		case opWidth:
			s.emitS(terminalAnswer)
		}
	case ambiguous:
		s.failed = true
		if s.h.plat == asa {
			s.sayln(asaAmbiguous)
		} else {
			s.sayln(fmt.Sprintf(iosAmbiguousFormat, norm))
		}
	case incomplete:
		s.failed = true
		if s.h.plat == asa {
			s.sayln(asaIncomplete)
		} else {
			s.sayln(iosIncomplete)
			s.sayln("")
		}
	case invalid:
		s.invalid(raw, failAt, s.h.acceptedChars(strings.Fields(strings.ToLower(norm)), failAt, s.priv))
	}
	if s.interactive {
		s.prompt()
	}
	return true
}

// invalid prints the device's rejection, the caret under the first
// character of word that no command accepts (off characters into it),
// shifted by the prompt the user sees before the line.
func (s *session) invalid(raw string, word, off int) {
	s.failed = true
	if s.h.plat == cucm {
		s.sayln(cucmFailed)
		s.sayln(cucmNoValidCommand)
		return
	}
	col := wordColumn(raw, word) + off
	if s.interactive {
		col += len(s.promptString())
	} else {
		s.sayln(raw)
	}
	s.sayln(strings.Repeat(" ", col) + "^")
	if s.h.plat == asa {
		s.sayln(asaInvalidInput)
		return
	}
	s.sayln(iosInvalidInput)
	s.sayln("")
}

// wordColumn is the byte offset of word k in s (past the end if absent).
func wordColumn(s string, k int) int {
	n := -1
	in := false
	for i := 0; i < len(s); i++ {
		sp := s[i] == ' ' || s[i] == '\t'
		if !sp && !in {
			n++
			if n == k {
				return i
			}
		}
		in = !sp
	}
	return len(s)
}

func (s *session) enable() bool {
	if s.h.EnablePassword == "" {
		s.priv = true
		return true
	}
	// Both ask three times; the texts and their sources are in shapes.go.
	for range 3 {
		s.emitS(enablePrompt)
		pw, err := s.readLine(false)
		if err != nil {
			return false
		}
		s.srv.record(s.h, Redacted)
		if subtle.ConstantTimeCompare([]byte(pw), []byte(s.h.EnablePassword)) == 1 {
			s.priv = true
			return true
		}
		if s.h.plat == asa {
			s.sayln(asaInvalidPassword)
		}
	}
	s.failed = true
	if s.h.plat == asa {
		s.sayln(asaAccessDenied)
	} else {
		s.sayln(iosBadSecrets)
		s.sayln("")
	}
	return true
}

func (s *session) serveEntry(e *entry, raw string) bool {
	o := e.out
	if o == nil {
		var err error
		o, err = s.srv.cache.load(filepath.Join(s.h.Dir, e.key+".txt"), s.h.plat)
		if err != nil {
			if !isNotExist(err) {
				s.srv.log.Warn("devsim lab file", "host", s.h.Name, "key", e.key, "err", err)
			}
			// The lab has no answer: the device "does not know" the
			// command, which is what a collector must survive anyway.
			s.invalid(raw, len(strings.Fields(raw))-1, 0)
			if s.interactive {
				s.prompt()
			}
			return true
		}
	}
	return s.serveLab(o)
}

// lineSource yields output lines without their line ending.
type lineSource interface{ next() ([]byte, bool) }

type bodyLines struct{ rest []byte }

func (b *bodyLines) next() ([]byte, bool) {
	if len(b.rest) == 0 {
		return nil, false
	}
	var l []byte
	l, b.rest, _ = bytes.Cut(b.rest, []byte{'\n'})
	return bytes.TrimSuffix(l, []byte{'\r'}), true
}

// serveLab prints a lab output with the host's faults applied.
func (s *session) serveLab(o *labOutput) bool {
	f := s.h.Faults
	s.served++
	first := s.served == 1
	s.trickle = f.Trickle
	defer func() { s.trickle = false }()

	if f.Garbage {
		return s.garbage()
	}
	var src lineSource = &bodyLines{rest: o.body}
	lines := o.lines
	if f.Flood && first {
		src = newFlood(s.h.plat, f.FloodBytes)
		lines = -1
	}
	stop, reset, hang := -1, false, false
	switch {
	case f.ResetMidOutput && first && lines >= 0:
		stop, reset = lines/2, true
	case f.HangMidOutput && !s.hung && lines > s.srv.opts.PageLines:
		stop, hang = lines/2, true
		s.hung = true
	}
	if stop < 0 && lines >= 0 && !s.trickle && (!s.interactive || s.page == 0 || lines <= s.page) {
		// Nothing stops the output line by line: it goes out whole.
		s.cork()
		defer s.uncork()
		if !s.emit(o.wire) {
			return false
		}
	} else if !s.output(src, stop) {
		return false
	}
	switch {
	case reset:
		_ = s.w.Flush()
		s.reset()
		return false
	case hang:
		s.hang()
		return false
	}
	if s.interactive && !f.PromptNeverReturns {
		if !s.prompt() {
			return false
		}
	}
	return s.w.Flush() == nil
}

// output prints lines, paging while paging is on; stop >= 0 cuts the
// output after that many lines.
func (s *session) output(src lineSource, stop int) bool {
	shown := 0
	for i := 0; ; i++ {
		l, ok := src.next()
		if !ok || i == stop {
			return true
		}
		if s.interactive && s.page > 0 && shown >= s.page {
			switch s.more() {
			case moreGone:
				return false
			case morePage:
				shown = 0
			case moreLine:
				shown = s.page - 1
			case moreQuit:
				return true
			}
		}
		if !s.emit(l) || !s.emitS(lineEnd) {
			return false
		}
		shown++
	}
}

type moreKey int

const (
	moreGone moreKey = iota
	morePage
	moreLine
	moreQuit
)

// more shows the platform's pager prompt, waits for a key and erases the
// prompt again (the erase is what leaves --More-- remnants in saved
// outputs).
func (s *session) more() moreKey {
	text, erase := iosMore, iosMoreErase
	switch s.h.plat {
	case asa:
		text, erase = asaMore, asaMoreErase
	case cucm:
		text, erase = cucmMoreBold+cucmMore+cucmMoreEnd, cucmMoreErase
	}
	if !s.emitS(text) {
		return moreGone
	}
	for {
		b, err := s.readByte()
		if err != nil {
			return moreGone
		}
		if b == '\n' && s.lastCR {
			s.lastCR = false
			continue
		}
		s.lastCR = b == '\r'
		if !s.emitS(erase) {
			return moreGone
		}
		switch b {
		case ' ':
			return morePage
		case '\r', '\n':
			return moreLine
		}
		return moreQuit
	}
}

func (s *session) garbage() bool {
	if s.rng == nil {
		s.rng = rand.New(rand.NewPCG(s.h.seed, s.h.sessions.Add(1)))
	}
	var buf [64]byte
	for n := 0; n < garbageBytes; n += len(buf) {
		for i := range buf {
			c := byte(s.rng.Uint32())
			if c == '\n' || c == '\r' {
				// Line ends could line a random run up into a prompt match.
				c |= 0x80
			}
			buf[i] = c
		}
		if !s.emit(buf[:]) {
			return false
		}
	}
	return s.w.Flush() == nil
}

// hang holds the session open, printing nothing, until the client or
// the server goes away.
func (s *session) hang() {
	_ = s.w.Flush()
	_, _ = io.Copy(io.Discard, s.r)
	<-s.done
}

// sleep waits d unless the connection ends first. What is printed so far
// goes out before: a slow device still echoes at once.
func (s *session) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	if s.w.Buffered() > 0 && s.w.Flush() != nil {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.done:
		return false
	}
}

func (s *session) emit(p []byte) bool {
	if !s.trickle {
		_, err := s.w.Write(p)
		return err == nil
	}
	for _, c := range p {
		if s.w.WriteByte(c) != nil || !s.sleep(s.srv.opts.TrickleInterval) {
			return false
		}
	}
	return true
}

func (s *session) emitS(p string) bool {
	if !s.trickle {
		_, err := s.w.WriteString(p)
		return err == nil
	}
	for i := 0; i < len(p); i++ {
		if s.w.WriteByte(p[i]) != nil || !s.sleep(s.srv.opts.TrickleInterval) {
			return false
		}
	}
	return true
}

// flood makes plausible lines for the platform until size bytes are out,
// reusing one small buffer so 100 MB cost no memory. The lines are fault
// filler, not a device's output: they only look like rows of show
// mac address-table, show arp and a CUCM phone listing (no public source is
// followed), and no parser is meant to accept them.
type flood struct {
	p    platform
	left int64
	n    int
	buf  []byte
}

func newFlood(p platform, size int64) *flood {
	if size <= 0 {
		size = DefaultFloodBytes
	}
	return &flood{p: p, left: size, buf: make([]byte, 0, 128)}
}

func (f *flood) next() ([]byte, bool) {
	if f.left <= 0 {
		return nil, false
	}
	n := f.n
	f.n++
	b := f.buf[:0]
	switch f.p {
	case ios:
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(100+n%400), 10)
		b = append(b, "    0024."...)
		b = appendHex4(b, n>>16)
		b = append(b, '.')
		b = appendHex4(b, n)
		b = append(b, "    DYNAMIC     Gi"...)
		b = strconv.AppendInt(b, int64(1+n/48%8), 10)
		b = append(b, "/0/"...)
		b = strconv.AppendInt(b, int64(1+n%48), 10)
	case asa:
		b = append(b, "  inside 10."...)
		b = strconv.AppendInt(b, int64(n>>16&255), 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(n>>8&255), 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(n&255), 10)
		b = append(b, " 0024."...)
		b = appendHex4(b, n>>16)
		b = append(b, '.')
		b = appendHex4(b, n)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(n%14400), 10)
	default:
		b = append(b, "SEP0024"...)
		b = appendHex4(b, n>>16)
		b = appendHex4(b, n)
		b = append(b, " Standard SIP Profile          5                120                     3600"...)
	}
	f.buf = b
	f.left -= int64(len(b) + 2)
	return b, true
}

func appendHex4(b []byte, v int) []byte {
	const hex = "0123456789abcdef"
	return append(b, hex[v>>12&15], hex[v>>8&15], hex[v>>4&15], hex[v&15])
}
