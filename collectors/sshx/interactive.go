package sshx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"sync"
	"time"
)

// Interactive CLI commands, as CUCM's capture needs them.
//
// `utils network capture ... count N` runs in the foreground: it holds the
// CLI until N packets are in or Ctrl-C, and a closed CLI session ends it
// too (Cisco's CUCM packet-capture notes). Foreground sends one such
// command and, when the hold is over, the one Ctrl-C the guard lets
// through for it.
//
// `file get activelog PATH` asks its way to an SFTP push. Dialogue answers
// those questions, each answer armed in the guard only after its question
// was seen, and only for the one `file get` of kaudit's own capture file.

// Question is one question of an interactive command and its answer.
type Question struct {
	Name   string         // what is asked, for errors ("SFTP server IP")
	Match  *regexp.Regexp // the question, matched at the end of the output
	Kind   AnswerKind
	Answer string
	// Optional questions may not be asked at all.
	Optional bool
}

// ErrAskedAgain is returned when a device repeats a question it was
// answered (a refused password, a wrong address): rather than answer
// twice, the dialogue drops the connection, which ends the command.
var ErrAskedAgain = errors.New("asked again")

// Dialogue runs cli — only `file get activelog platform/cli/NAME.cap` of a
// capture this session opted into — and answers the questions it asks
// until the prompt returns, within timeout. Answers are checked against
// their kind's form before anything is sent; secrets never appear in the
// output, errors or logs. The output is returned with the prompt cut.
func (s *Session) Dialogue(ctx context.Context, cli string, qs []Question, timeout time.Duration) ([]byte, error) {
	if s.broken != nil {
		return nil, s.broken
	}
	if !fileGetForm.MatchString(cli) {
		return nil, refuse(cli, "not a dialogue kaudit answers")
	}
	var secrets []string
	for _, q := range qs {
		if q.Match == nil {
			return nil, fmt.Errorf("%s: question %q has no pattern", cli, q.Name)
		}
		if err := AnswerAllowed(q.Kind, q.Answer); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", cli, q.Name, err)
		}
		if q.Kind == AnswerSecret {
			secrets = append(secrets, q.Answer)
		}
	}
	hide := func(b []byte) []byte { return []byte(redact(string(b), secrets)) }
	x := s.begin(ctx, cli, timeout)
	defer x.end()
	if err := x.typeLine(); err != nil {
		return nil, x.fail(err)
	}
	answered := make([]bool, len(qs))
	var all []byte // the whole transcript
	from := 0      // where the output since the last answer starts
	for {
		n := len(all)
		var err error
		if all, err = s.sh.readAppend(all); err != nil {
			return nil, x.fail(err)
		}
		if len(all) == n {
			continue
		}
		out := all[from:]
		if s.atPrompt(out) {
			break
		}
		last := tailLine(out)
		i := slices.IndexFunc(qs, func(q Question) bool { return q.Match.Match(last) })
		if i < 0 {
			continue
		}
		q := qs[i]
		if answered[i] {
			// Answering twice could loop; fail drops the connection,
			// which ends the command.
			return nil, x.fail(fmt.Errorf("%w: %s", ErrAskedAgain, q.Name))
		}
		answered[i] = true
		if err := s.answer(q); err != nil {
			return nil, x.fail(err)
		}
		all = append(all, '\n')
		from = len(all) // the answered question is done with
	}
	out := hide(trimOutput(all))
	for i, q := range qs {
		if !answered[i] && !q.Optional {
			return out, fmt.Errorf("%s: the device never asked for the %s: %s", cli, q.Name, firstLine(out))
		}
	}
	if bytes.Contains(out, []byte(cucmFailed[0])) {
		return out, fmt.Errorf("%s: %w: %s", cli, ErrRejected, failureLine(out))
	}
	return out, nil
}

// failureLine is the reason CUCM printed before its failure marker (the
// first line of a dialogue is only the file search).
func failureLine(out []byte) string {
	lines := bytes.Split(out, []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		l := bytes.TrimSpace(lines[i])
		if len(l) > 0 && !bytes.Equal(l, []byte(cucmFailed[0])) {
			return firstLine(l)
		}
	}
	return "no output"
}

// answer arms the guard for q's answer alone and types it with its return.
func (s *Session) answer(q Question) error {
	s.sh.wmu.Lock()
	defer s.sh.wmu.Unlock()
	s.sh.g.answer, s.sh.g.answerSecret = []byte(q.Answer), q.Kind == AnswerSecret
	defer func() { s.sh.g.answer, s.sh.g.answerSecret = nil, false }()
	if err := s.sh.writeLocked([]byte(q.Answer), false); err != nil {
		return err
	}
	return s.sh.writeLocked([]byte("\n"), false)
}

// Foreground runs cli, a capture command of this session that holds the
// CLI, for at most hold: when its own bound ends it first, the prompt
// returns and interrupted is false; otherwise Ctrl-C stops it and the
// prompt must return within stop. After an error the session is unusable;
// closing its connection (as the caller's cleanup does) ends the command
// on the device too.
func (s *Session) Foreground(ctx context.Context, cli string, hold, stop time.Duration) (out []byte, interrupted bool, err error) {
	if s.broken != nil {
		return nil, false, s.broken
	}
	x := s.begin(ctx, cli, 0)
	defer x.end()
	if err := x.typeLine(); err != nil {
		return nil, false, x.fail(err)
	}
	s.fg = true
	var mu sync.Mutex
	done := false
	var ierr error
	t := time.AfterFunc(hold, func() {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return
		}
		interrupted = true
		x.limit(stop)
		ierr = s.sendInterrupt()
	})
	defer t.Stop()
	var buf []byte
	for {
		n := len(buf)
		var rerr error
		if buf, rerr = s.sh.readAppend(buf); rerr != nil {
			mu.Lock()
			done = true
			err = rerr
			if ierr != nil {
				err = ierr
			}
			mu.Unlock()
			return nil, interrupted, x.fail(err)
		}
		if len(buf) > n && s.atPrompt(buf) {
			break
		}
	}
	mu.Lock()
	done = true
	mu.Unlock()
	s.fg = false
	out = trimOutput(buf)
	if bytes.Contains(out, []byte(cucmFailed[0])) {
		return out, interrupted, fmt.Errorf("%s: %w: %s", cli, ErrRejected, firstLine(out))
	}
	return out, interrupted, nil
}

// Running reports whether a foreground command may still hold the CLI
// (Foreground ended with an error before the prompt returned).
func (s *Session) Running() bool { return s.fg }

// sendInterrupt types the one Ctrl-C the guard lets through.
func (s *Session) sendInterrupt() error {
	s.sh.wmu.Lock()
	defer s.sh.wmu.Unlock()
	s.sh.g.interruptOK = true
	defer func() { s.sh.g.interruptOK = false }()
	return s.sh.writeLocked([]byte{0x03}, false)
}

// typeLine types the command and, once its echo is back, the return.
// Unlike Run it waits for the echo: what follows is a dialogue, and its
// first question must not be mistaken for part of the echo.
func (x *exchangeState) typeLine() error {
	in := []byte(x.cli)
	if err := x.s.sh.Write(in); err != nil {
		return err
	}
	depth := max(echoSearchDepth, 2*len(in))
	var buf []byte
	for {
		var err error
		if buf, err = x.s.sh.readAppend(buf); err != nil {
			return err
		}
		if echoEnd(in, buf[max(0, len(buf)-depth):]) >= 0 {
			break
		}
	}
	return x.s.sh.Write([]byte("\n"))
}

// LocalIP is this end's address of the SSH connection: where the device
// sees kaudit, and so where it can push a file back to. Through a jump
// host the device sees the jump host instead, which is refused.
func (c *Conn) LocalIP() (netip.Addr, error) {
	if len(c.jumps) > 0 {
		return netip.Addr{}, fmt.Errorf("%s is reached through a jump host: it cannot connect back to this machine's address", c.Host.Name)
	}
	return tcpIP(c.client.LocalAddr())
}

// RemoteIP is the device's address of the SSH connection (the jump host's
// when there is one).
func (c *Conn) RemoteIP() (netip.Addr, error) {
	if len(c.jumps) > 0 {
		return netip.Addr{}, fmt.Errorf("%s is reached through a jump host", c.Host.Name)
	}
	return tcpIP(c.client.RemoteAddr())
}

func tcpIP(a net.Addr) (netip.Addr, error) {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return netip.Addr{}, fmt.Errorf("connection address %v is not TCP", a)
	}
	ip, ok := netip.AddrFromSlice(ta.IP)
	if !ok {
		return netip.Addr{}, fmt.Errorf("connection address %v has no IP", a)
	}
	return ip.Unmap(), nil
}
