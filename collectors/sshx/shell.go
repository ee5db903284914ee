package sshx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/scrapli/scrapligo/transport"
	"github.com/scrapli/scrapligo/util"
	"golang.org/x/crypto/ssh"
)

// Terminal geometry asked for: wide enough that no device wraps lines,
// and a length the paging commands then turn off anyway.
const (
	termWidth  = 511
	termHeight = 255
)

// ErrOutputLimit is returned when one command prints more than the limit.
var ErrOutputLimit = errors.New("output limit exceeded")

// ErrConnLost is returned when the device closes or drops the connection.
var ErrConnLost = errors.New("connection closed by the device")

// pagerMarkers are the pager prompts of IOS/ASA/CUCM: devices print them
// when paging could not be turned off, and wait for a key.
var pagerMarkers = [][]byte{
	[]byte("--More--"),
	[]byte("<--- More --->"),
	[]byte("Press <enter> for 1 line, <space> for one page, or <q> to quit"),
}

// shell is an interactive pty shell on an SSH client, and the scrapligo
// transport drivers talk through. It is the single place bytes are written
// to a device: Write passes each one through the read-only guard. Read
// answers pager prompts (the only write it makes, also guarded), removes
// them and their erase sequences from the output, and enforces the output
// limit.
type shell struct {
	client *ssh.Client
	secret []string // scrubbed from log lines and refusal messages
	limit  int64
	log    *slog.Logger

	wmu   sync.Mutex // serialises writes; guards g and stdin
	g     guard
	stdin io.WriteCloser
	sent  []string // commands written, for logs and tests

	sess   *ssh.Session
	stdout io.Reader
	open   atomic.Bool

	// Read side. rmu is held by whoever reads stdout: scrapligo's read
	// goroutine during login, the session itself after it (direct).
	rmu        sync.Mutex
	direct     atomic.Bool
	carry      []byte // read by scrapligo's goroutine after the handover
	carryErr   error
	closed     chan struct{}
	closeOnce  sync.Once
	pend       []byte // held back: may be the start of a pager prompt
	erasing    bool   // a pager prompt was answered; its erase may follow
	erase      []byte
	pendingErr error
	received   atomic.Int64 // output bytes since the last command
	// first is what a read that may block waits in; a read that fills it
	// is followed by one through a pooled readSize buffer (see read).
	first   [firstRead]byte
	flowing bool // the last read filled its buffer: more is likely queued

	mu   sync.Mutex
	fail error // first fatal error; the shell is unusable after it
}

var _ transport.Implementation = (*shell)(nil)

func newShell(client *ssh.Client, enable string, secret []string, limit int64, log *slog.Logger) *shell {
	s := &shell{client: client, secret: secret, limit: limit, log: log, closed: make(chan struct{})}
	if enable != "" {
		s.g.enable = []byte(enable)
	}
	return s
}

// Open starts the pty shell; scrapligo calls it from Driver.Open.
func (s *shell) Open(*transport.Args) error {
	sess, err := s.client.NewSession()
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		sess.Close()
		return fmt.Errorf("open session: %w", err)
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		sess.Close()
		return fmt.Errorf("open session: %w", err)
	}
	modes := ssh.TerminalModes{ssh.ECHO: 1, ssh.TTY_OP_ISPEED: 115200, ssh.TTY_OP_OSPEED: 115200}
	if err := sess.RequestPty("vt100", termHeight, termWidth, modes); err != nil {
		sess.Close()
		return fmt.Errorf("request pty: %w", err)
	}
	if err := sess.Shell(); err != nil {
		sess.Close()
		return fmt.Errorf("start shell: %w", err)
	}
	s.wmu.Lock()
	s.sess, s.stdin, s.stdout = sess, stdin, stdout
	s.wmu.Unlock()
	s.open.Store(true)
	return nil
}

// Close ends the shell (not the SSH connection, which Conn owns).
func (s *shell) Close() error {
	s.open.Store(false)
	s.closeOnce.Do(func() {
		if s.closed != nil {
			close(s.closed)
		}
	})
	s.wmu.Lock()
	sess := s.sess
	s.wmu.Unlock()
	if sess != nil {
		sess.Close()
	}
	return nil
}

func (s *shell) IsAlive() bool { return s.open.Load() && s.failed() == nil }

func (s *shell) setFailed(err error) {
	s.mu.Lock()
	if s.fail == nil {
		s.fail = err
	}
	s.mu.Unlock()
}

func (s *shell) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fail
}

// Write sends b if the guard allows it; scrapligo writes a command, its
// return and the enable secret as separate calls.
func (s *shell) Write(b []byte) error {
	return s.write(b, false)
}

func (s *shell) write(b []byte, pager bool) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.writeLocked(b, pager)
}

// answerPager sends the space that pages on. Only the reader, having just
// removed a pager prompt from the output, arms the guard for it.
func (s *shell) answerPager() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.g.pagerOK = true
	return s.writeLocked([]byte(" "), true)
}

func (s *shell) writeLocked(b []byte, pager bool) error {
	if err := s.admit(b, pager); err != nil {
		return err
	}
	if _, err := s.stdin.Write(b); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// WriteLine sends a command and its return in one write, each passing the
// guard as if written alone.
func (s *shell) WriteLine(cmd []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.admit(cmd, false); err != nil {
		return err
	}
	if err := s.admit([]byte("\n"), false); err != nil {
		return err
	}
	if _, err := s.stdin.Write(append(cmd[:len(cmd):len(cmd)], '\n')); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// admit runs one write past the guard and logs it; the caller holds wmu
// and must send nothing when it fails.
func (s *shell) admit(b []byte, pager bool) error {
	if err := s.failed(); err != nil {
		return err
	}
	if s.stdin == nil {
		return errors.New("shell is not open")
	}
	kind, err := s.g.check(b, pager)
	if err != nil {
		var re *RefusedError
		if errors.As(err, &re) {
			err = &RefusedError{Command: redact(re.Command, s.secret), Reason: redact(re.Reason, s.secret)}
		}
		s.log.Debug("ssh write refused", "err", err.Error())
		return err
	}
	switch kind {
	case writeCommand:
		s.received.Store(0)
		s.sent = append(s.sent, string(b))
		s.log.Debug("ssh send", "command", redact(string(b), s.secret))
	case writeSecret:
		s.log.Debug("ssh send", "command", "<enable secret>")
	case writePager:
		s.log.Debug("ssh pager prompt answered")
	case writeAnswer:
		s.log.Debug("ssh question answered") // the answer may be a secret
	case writeInterrupt:
		s.log.Debug("ssh interrupt sent")
	}
	return nil
}

// Sent lists the commands written so far.
func (s *shell) Sent() []string {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return append([]string(nil), s.sent...)
}

// Read is scrapligo's transport read: up to n bytes of device output.
// After a fatal error it reports io.EOF so that scrapligo's read loop
// ends. Once the session has taken over reading (handover), it returns
// nothing until the shell closes; what it was already waiting for when
// the handover came is kept for the session.
func (s *shell) Read(n int) ([]byte, error) {
	if s.direct.Load() {
		<-s.closed
		return nil, io.EOF
	}
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if s.direct.Load() {
		return nil, nil
	}
	out, err := s.read(nil, n)
	if s.direct.Load() {
		s.carry, s.carryErr = append(s.carry, out...), err
		return nil, nil
	}
	return out, err
}

// handover makes the session the only reader of the device's output.
// scrapligo's channel polls its queue every 250 µs while it waits for a
// prompt, which at hundreds of parallel sessions costs more CPU than the
// SSH itself; after the login the session reads by blocking instead.
func (s *shell) handover() { s.direct.Store(true) }

// readAppend is the session's read after the handover: it appends the
// next output to dst, with CRs and ANSI escapes removed as scrapligo's
// channel does.
func (s *shell) readAppend(dst []byte) ([]byte, error) {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	start := len(dst)
	var err error
	if len(s.carry) > 0 || s.carryErr != nil {
		dst, err = append(dst, s.carry...), s.carryErr
		s.carry, s.carryErr = nil, nil
	} else {
		dst, err = s.read(dst, readSize)
	}
	add := dst[start:]
	if bytes.IndexByte(add, '\r') >= 0 {
		w := 0
		for _, c := range add {
			if c != '\r' {
				add[w] = c
				w++
			}
		}
		dst, add = dst[:start+w], add[:w]
	}
	if bytes.IndexByte(add, 0x1b) >= 0 {
		dst = append(dst[:start], util.StripANSI(add)...)
	}
	return dst, err
}

// firstRead is the buffer a read waits in while the device thinks: a
// prompt, an echo or the head of an output. Hundreds of sessions wait at
// once, so they wait in 1 KiB each, not in a readSize buffer.
const firstRead = 1 << 10

// readBufs hold the rest of a large output: a session takes one only
// after its last read filled its buffer, so the data is mostly there
// already and the read does not wait.
var readBufs = sync.Pool{New: func() any { b := make([]byte, readSize); return &b }}

// read appends up to n bytes of output, pager prompts removed, to dst.
func (s *shell) read(dst []byte, n int) ([]byte, error) {
	if s.failed() != nil {
		return dst, io.EOF
	}
	if s.pendingErr != nil {
		return dst, s.readFailed(s.pendingErr)
	}
	buf := s.first[:]
	if s.flowing {
		bp := readBufs.Get().(*[]byte)
		defer readBufs.Put(bp)
		buf = *bp
	}
	buf = buf[:min(n, len(buf))]
	m, err := s.stdout.Read(buf)
	s.flowing = m == len(buf)
	if m > 0 {
		if s.received.Add(int64(m)) > s.limit {
			lerr := &limitError{limit: s.limit}
			s.setFailed(lerr)
			// The device would keep flooding; nothing more is wanted.
			s.Close()
			return dst, lerr
		}
		dst = s.filter(dst, buf[:m])
		if err != nil {
			s.pendingErr = err
		}
		return dst, nil
	}
	if err != nil {
		return dst, s.readFailed(err)
	}
	return dst, nil
}

func (s *shell) readFailed(err error) error {
	if errors.Is(err, io.EOF) {
		s.setFailed(ErrConnLost)
	} else {
		s.setFailed(fmt.Errorf("%w: %v", ErrConnLost, err))
	}
	return io.EOF
}

// limitError is ErrOutputLimit with the limit in its message.
type limitError struct{ limit int64 }

func (e *limitError) Error() string { return "output exceeds " + sizeText(e.limit) + " limit" }

func (e *limitError) Is(target error) bool { return target == ErrOutputLimit }

func sizeText(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// filter appends in to out without pager prompts and their erase
// sequences, answering each prompt with a space. ANSI CSI sequences next
// to a prompt belong to it: CUCM prints its pager in bold and clears to
// the end of the line ("\x1b[1mPress <enter> ...\x1b[0m\x1b[K", see
// internal/devsim/shapes.go), and a device may clear the line as part of
// the erase. Other escape sequences pass through to the reader, which
// strips them.
func (s *shell) filter(out, in []byte) []byte {
	data := in
	if len(s.pend) > 0 {
		data = append(s.pend, in...)
		s.pend = nil
	}
	if s.erasing {
		i := 0
	erase:
		for i < len(data) {
			c := data[i]
			switch {
			case isEraseByte(c):
				s.erase = append(s.erase, c)
				i++
			case c == esc:
				n := csiLen(data[i:])
				if n < 0 { // cut by the read: wait for its end
					s.pend = append([]byte(nil), data[i:]...)
					return out
				}
				if n == 0 {
					break erase
				}
				i += n
			default:
				break erase
			}
		}
		data = data[i:]
		if len(data) == 0 {
			return out
		}
		// Spaces after the last backspace or CR are the next line's
		// indentation, not part of the erase.
		k := bytes.LastIndexAny(s.erase, "\b\r")
		out = append(out, s.erase[k+1:]...)
		s.erase, s.erasing = s.erase[:0], false
	}
	// An escape sequence cut by the read waits for the rest of it.
	body := data[:len(data)-openCSI(data)]
	trimmed := body[:promptStart(body, len(body))]
	for _, m := range pagerMarkers {
		if !bytes.HasSuffix(trimmed, m) {
			continue
		}
		cut := len(trimmed) - len(m)
		if j := promptStart(body, cut); j == 0 || body[j-1] == '\n' || body[j-1] == '\r' {
			cut = j
		}
		out = append(out, body[:cut]...)
		// The rest of a cut sequence after the prompt goes with the erase.
		if rest := data[len(body):]; len(rest) > 0 {
			s.pend = append([]byte(nil), rest...)
		}
		s.erasing = true
		if err := s.answerPager(); err != nil {
			s.log.Debug("ssh pager answer failed", "err", err.Error())
		}
		return out
	}
	hold := len(body) - partialMarker(body)
	if hold < len(data) {
		s.pend = append([]byte(nil), data[hold:]...)
	}
	return append(out, body[:hold]...)
}

func isEraseByte(c byte) bool { return c == '\b' || c == ' ' || c == '\r' }

const esc = 0x1b

// maxCSI bounds an escape sequence: a longer run is not one, so a device
// printing ESC [ and digits forever is not held back without end.
const maxCSI = 32

// csiLen is the length of the CSI sequence (ESC [ parameters final) at the
// start of b, 0 when b does not start with one, -1 when b ends before the
// sequence does.
func csiLen(b []byte) int {
	if len(b) == 0 || b[0] != esc {
		return 0
	}
	if len(b) == 1 {
		return -1
	}
	if b[1] != '[' {
		return 0
	}
	for i := 2; i < len(b) && i < maxCSI; i++ {
		switch c := b[i]; {
		case c >= 0x20 && c <= 0x3f: // parameter and intermediate bytes
		case c >= 0x40 && c <= 0x7e:
			return i + 1
		default:
			return 0
		}
	}
	if len(b) >= maxCSI {
		return 0
	}
	return -1
}

// openCSI is the length of an escape sequence the data ends in the middle
// of, or 0.
func openCSI(data []byte) int {
	from := max(0, len(data)-maxCSI)
	i := bytes.LastIndexByte(data[from:], esc)
	if i < 0 || csiLen(data[from+i:]) >= 0 {
		return 0
	}
	return len(data) - from - i
}

// promptStart moves back from end over spaces and complete CSI sequences,
// which may belong to a pager prompt, and returns where they begin.
func promptStart(data []byte, end int) int {
	j := end
	for {
		for j > 0 && data[j-1] == ' ' {
			j--
		}
		from := max(0, j-maxCSI)
		i := bytes.LastIndexByte(data[from:j], esc)
		if i < 0 || csiLen(data[from+i:j]) != j-from-i {
			return j
		}
		j = from + i
	}
}

// partialMarker is how many bytes at the end of data may be the start of
// a pager prompt still on its way (with the spaces and escape sequences
// before it).
func partialMarker(data []byte) int {
	k := 0
	for _, m := range pagerMarkers {
		for l := min(len(m)-1, len(data)); l > k; l-- {
			if bytes.HasSuffix(data, m[:l]) {
				k = l
				break
			}
		}
	}
	start := promptStart(data, len(data)-k)
	if k == 0 && start > 0 && data[start-1] != '\n' {
		// Only spaces or escape sequences after text: no prompt starts here.
		return 0
	}
	return len(data) - start
}
