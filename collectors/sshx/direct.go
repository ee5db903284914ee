package sshx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// exchange types cli and reads its output up to the prompt. When the
// prompt does not come within timeout the connection is closed: the
// device is hung or trickling, and the blocked read must end.
func (s *Session) exchange(ctx context.Context, cli string, timeout time.Duration) ([]byte, error) {
	x := s.begin(ctx, cli, timeout)
	defer x.end()
	// The command and its return go out in one write, as netmiko types
	// them: the device is idle at its prompt, and waiting for the echo
	// before the return (scrapligo's way) costs a round trip and four
	// SSH packets per command.
	in := []byte(cli)
	if err := s.sh.WriteLine(in); err != nil {
		return nil, x.fail(err)
	}
	// One buffer per session serves every command, and the output
	// returned lies in it (see RunShared). A prompt counts only after the
	// echo: what comes before it may be a late prompt from the login.
	buf := s.buf[:0]
	defer func() { s.buf = buf[:0] }()
	depth := max(echoSearchDepth, 2*len(in))
	body := -1 // where the output starts: the line after the echo
	for {
		var err error
		if buf, err = s.sh.readAppend(buf); err != nil {
			return nil, x.fail(err)
		}
		if body < 0 {
			if e := echoEnd(in, buf[:min(len(buf), depth)]); e >= 0 {
				if i := bytes.IndexByte(buf[e:], '\n'); i >= 0 {
					body = e + i + 1
				}
			}
		}
		if body >= 0 && s.atPrompt(buf[body:]) {
			out := trimOutput(buf[body:])
			return out[:len(out):len(out)], nil
		}
	}
}

// echoEnd is where the echo of in ends in out: in's characters in order,
// anything (a line wrap, a backspace) between them, as scrapligo's fuzzy
// echo match finds it; -1 when they are not all there.
func echoEnd(in, out []byte) int {
	j := 0
	for _, c := range in {
		k := bytes.IndexByte(out[j:], c)
		if k < 0 {
			return -1
		}
		j += k + 1
	}
	return j
}

// echoSearchDepth is how far into the output the echo of a command is
// looked for, as scrapligo's channel does.
const echoSearchDepth = 1000

// maxPromptLen bounds the line tested against the prompt pattern: a long
// unterminated line is output, not a prompt, and is not matched again
// and again while it grows.
const maxPromptLen = 256

// atPrompt reports whether the output ends with a prompt line.
func (s *Session) atPrompt(buf []byte) bool {
	last := tailLine(buf)
	if len(last) == 0 || len(last) > maxPromptLen {
		return false
	}
	return s.drv.Channel.PromptPattern.Match(last)
}

// trimOutput drops the prompt line and trailing spaces on every line, and
// the blank lines at either end, like scrapligo's SendCommand. It works in
// place: the result is a prefix of buf's memory.
func trimOutput(buf []byte) []byte {
	rest := buf[:bytes.LastIndexByte(buf, '\n')+1]
	out := buf[:0]
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte{'\n'})
		// out never overtakes line: it grows by at most what was read.
		out = append(append(out, bytes.TrimRight(line, " ")...), '\n')
	}
	return bytes.Trim(out, "\n")
}

// tailLine is what follows the last line end of b: the prompt, when the
// device is waiting.
func tailLine(b []byte) []byte {
	return b[bytes.LastIndexByte(b, '\n')+1:]
}

// exchangeState bounds one command (Run, or an interactive one): a
// timeout closes the connection, which ends the blocked read.
type exchangeState struct {
	s       *Session
	ctx     context.Context
	cli     string
	mu      sync.Mutex
	t       *time.Timer
	timeout time.Duration
	expired atomic.Bool
}

func (s *Session) begin(ctx context.Context, cli string, timeout time.Duration) *exchangeState {
	x := &exchangeState{s: s, ctx: ctx, cli: cli}
	if timeout > 0 {
		x.limit(timeout)
	}
	return x
}

// limit (re)starts the timeout.
func (x *exchangeState) limit(d time.Duration) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.t != nil {
		x.t.Stop()
	}
	x.timeout = d
	x.t = time.AfterFunc(d, func() {
		x.expired.Store(true)
		x.s.abort()
	})
}

func (x *exchangeState) end() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.t != nil {
		x.t.Stop()
	}
}

// fail turns err into the session's error; all but a refusal leave the
// session unusable.
func (x *exchangeState) fail(err error) error {
	var re *RefusedError
	if errors.As(err, &re) {
		return err
	}
	s := x.s
	x.mu.Lock()
	timeout := x.timeout
	x.mu.Unlock()
	switch {
	case x.ctx.Err() != nil:
		err = fmt.Errorf("%s: %w", x.cli, context.Cause(x.ctx))
	case x.expired.Load():
		err = fmt.Errorf("%s: %w within %s", x.cli, ErrNoPrompt, durText(timeout))
	case s.sh.failed() != nil:
		err = fmt.Errorf("%s: %w", x.cli, s.sh.failed())
	case errors.Is(err, ErrAskedAgain):
		err = fmt.Errorf("%s: %w", x.cli, err)
	default:
		err = fmt.Errorf("%s: %s", x.cli, redact(err.Error(), s.sh.secret))
	}
	s.broken = err
	if errors.Is(err, ErrAskedAgain) {
		// The device waits for an answer that will not come.
		s.abort()
	}
	return err
}
