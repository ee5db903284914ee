package sshx

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"time"

	"github.com/scrapli/scrapligo/driver/generic"
	"github.com/scrapli/scrapligo/driver/options"
	"github.com/scrapli/scrapligo/logging"
	"github.com/scrapli/scrapligo/util"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/inventory"
)

// asaPlatform is kaudit's scrapligo platform definition for the ASA.
//
//go:embed asa.yaml
var asaPlatform []byte

// readSize is what one transport read asks for: x/crypto/ssh's largest
// channel packet, so a 32 MiB output takes about a thousand reads.
const readSize = 32 << 10

// pagingCommands turn paging off (and widen the terminal) after login.
var pagingCommands = map[string][]string{
	inventory.PlatformIOS:  {"terminal length 0", "terminal width 511"},
	inventory.PlatformASA:  {"terminal pager 0", "terminal width 511"},
	inventory.PlatformCUCM: {"set cli pagination off"},
}

// PagingCommands are the lines a session types after its login on a
// platform, before any command of the audit.
func PagingCommands(platform string) []string {
	return slices.Clone(pagingCommands[platform])
}

var cucmPrompt = regexp.MustCompile(`(?m)^admin:[ \t]*$`)

// cucmFailed is what the CUCM CLI prints for a command it rejects.
var cucmFailed = []string{"Executed command unsuccessfully"}

// Errors of Session.Run besides ErrRefused, ErrOutputLimit and ErrConnLost.
var (
	// ErrNoPrompt: the device did not finish its output with a prompt in
	// time (hung, trickling, or printing something that is no prompt).
	ErrNoPrompt = errors.New("no prompt")
	// ErrRejected: the device answered that it does not know the command
	// (% Invalid input). The session stays usable.
	ErrRejected = errors.New("rejected by the device")
)

// SessionOptions tune OpenSession.
type SessionOptions struct {
	// LoginTimeout bounds each step of the login: the first prompt,
	// enable, the paging commands (default: the host's Timeout).
	LoginTimeout time.Duration
	// OutputLimit caps one command's output (default facts.MaxOutputBytes).
	OutputLimit int64
	// CaptureCommands opens the read-only guard for exactly these lines,
	// each of which must also be a capture command (CaptureAllowed).
	// Only kaudit confirm sets it; an audit leaves it empty and every
	// capture command is refused.
	CaptureCommands []string
}

// Session is a logged-in CLI on a device. scrapligo's generic driver logs
// in (IOS with the prompts and enable of scrapligo's cisco_iosxe platform
// definition, the ASA with kaudit's asa.yaml, CUCM with the admin:
// prompt); the session then reads commands' output itself (see
// shell.handover). Every byte it writes passes the read-only guard.
type Session struct {
	host   *inventory.Host
	sh     *shell
	drv    *generic.Driver // commands go through the generic driver: no privilege juggling per command
	close  func() error
	stop   func() bool
	abort  func() // closes the connection
	buf    []byte // exchange's read buffer, kept between commands
	broken error
	fg     bool // a foreground command (interactive.go) may hold the CLI
}

// OpenSession starts a shell on c and logs in: waits for the prompt,
// enters enable mode when the host has an enable secret, and turns paging
// off. When ctx ends the connection is closed, which ends anything the
// session is waiting for.
func (c *Conn) OpenSession(ctx context.Context, opt SessionOptions) (*Session, error) {
	h := c.Host
	login := opt.LoginTimeout
	if login <= 0 {
		login = h.Timeout
	}
	if login <= 0 {
		login = inventory.DefaultTimeout
	}
	limit := opt.OutputLimit
	if limit <= 0 {
		limit = facts.MaxOutputBytes
	}
	log := c.cfg.logger().With("host", h.Name)
	sh := newShell(c.client, c.sec.enable, c.sec.list(), limit, log)
	if len(opt.CaptureCommands) > 0 {
		sh.g.capture = make(map[string]bool, len(opt.CaptureCommands))
		for _, cmd := range opt.CaptureCommands {
			if err := CaptureAllowed(cmd); err != nil {
				return nil, fmt.Errorf("capture commands: %w", err)
			}
			sh.g.capture[cmd] = true
		}
	}
	s := &Session{host: h, sh: sh, abort: func() { c.Close() }}
	s.stop = context.AfterFunc(ctx, s.abort)

	opts := []util.Option{
		options.WithCustomTransport(sh),
		options.WithPort(h.Port),
		options.WithTimeoutOps(login),
		options.WithTransportReadSize(readSize),
		options.WithTermWidth(termWidth),
	}
	if log.Enabled(ctx, slog.LevelDebug) {
		lg, err := logging.NewInstance(
			logging.WithLevel(logging.Info),
			logging.WithFormatter(func(level, msg string) string { return level + ": " + msg }),
			logging.WithLogger(func(a ...interface{}) {
				log.Debug("scrapligo", "text", redact(fmt.Sprint(a...), c.sec.list()))
			}))
		if err == nil {
			opts = append(opts, options.WithLogger(lg))
		}
	}
	phase := "login"
	var err error
	var gd *generic.Driver
	switch h.Platform {
	case inventory.PlatformIOS, inventory.PlatformASA:
		var p *cliPlatform
		if p, err = cliPlatformFor(h.Platform); err != nil {
			s.stop()
			return nil, err
		}
		opts = append(opts,
			options.WithPromptPattern(p.prompt),
			options.WithFailedWhenContains(p.failed),
			options.WithOnOpen(func(d *generic.Driver) error {
				prompt, err := firstPrompt(d, login)
				if err != nil || c.sec.enable == "" {
					return err
				}
				phase = "enable"
				return p.acquireEnable(d, prompt, c.sec.enable, login)
			}),
		)
		if gd, err = generic.NewDriver(h.Address, opts...); err != nil {
			s.stop()
			return nil, fmt.Errorf("scrapligo generic driver: %w", err)
		}
		s.drv, s.close = gd, gd.Close
		err = gd.Open()
	case inventory.PlatformCUCM:
		opts = append(opts,
			options.WithPromptPattern(cucmPrompt),
			options.WithFailedWhenContains(cucmFailed),
			options.WithOnOpen(func(d *generic.Driver) error {
				// CUCM's CLI takes long to start; the prompt wait is
				// the login timeout.
				_, err := firstPrompt(d, login)
				return err
			}),
		)
		if gd, err = generic.NewDriver(h.Address, opts...); err != nil {
			s.stop()
			return nil, fmt.Errorf("scrapligo generic driver: %w", err)
		}
		s.drv, s.close = gd, gd.Close
		err = gd.Open()
	default:
		s.stop()
		return nil, fmt.Errorf("unknown platform %q", h.Platform)
	}
	if err != nil {
		err = s.openError(ctx, phase, err, login)
		s.Close()
		return nil, err
	}
	if rest, _ := s.drv.Channel.ReadAll(); len(rest) > 0 {
		log.Debug("output after the login prompt dropped", "bytes", len(rest))
	}
	sh.handover()
	for _, cmd := range pagingCommands[h.Platform] {
		if _, err := s.Run(ctx, cmd, login); err != nil {
			if errors.Is(err, ErrRejected) {
				// A pager that stays on is handled by the shell anyway.
				log.Debug("paging command rejected", "command", cmd)
				continue
			}
			s.Close()
			return nil, fmt.Errorf("paging: %w", err)
		}
	}
	return s, nil
}

func (s *Session) openError(ctx context.Context, phase string, err error, timeout time.Duration) error {
	var re *RefusedError
	switch {
	case errors.As(err, &re):
		return fmt.Errorf("%s: %w", phase, err)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", phase, context.Cause(ctx))
	case phase == "enable" && errors.Is(err, errEnableRefused):
		return fmt.Errorf("enable: %w (check the enable secret)", err)
	case phase == "enable" && errors.Is(err, util.ErrTimeoutError):
		return fmt.Errorf("enable: %w of privileged mode within %s (check the enable secret)", ErrNoPrompt, durText(timeout))
	case errors.Is(err, util.ErrTimeoutError):
		// Before the shell's own failure: scrapligo closes the shell
		// after a timeout, which the shell sees as a lost connection.
		return fmt.Errorf("%s: %w within %s", phase, ErrNoPrompt, durText(timeout))
	case s.sh.failed() != nil:
		return fmt.Errorf("%s: %w", phase, s.sh.failed())
	case errors.Is(err, util.ErrConnectionError):
		return fmt.Errorf("%s: %w", phase, ErrConnLost)
	}
	return fmt.Errorf("%s: %s", phase, redact(err.Error(), s.sh.secret))
}

// Run types one command and returns its output as the device printed it
// between the echoed command and the next prompt (CR removed, trailing
// spaces trimmed, pager prompts removed). Errors begin with the command.
// ErrRefused and ErrRejected leave the session usable; after any other
// error it is not, and Run returns that error again.
//
// Run does what scrapligo's SendCommand does (type the command and its
// return, read past the echo to the prompt, check the platform's failure
// strings) but reads by blocking on the shell rather than polling
// scrapligo's queue; see exchange and shell.handover.
func (s *Session) Run(ctx context.Context, cli string, timeout time.Duration) ([]byte, error) {
	out, err := s.RunShared(ctx, cli, timeout)
	return bytes.Clone(out), err
}

// RunShared is Run without the copy: the output it returns lies in the
// session's read buffer and is valid only until the session's next
// command or Close. The live audit parses each output before it types the
// next command, so copying every output (57 KB a switch) would be waste.
func (s *Session) RunShared(ctx context.Context, cli string, timeout time.Duration) ([]byte, error) {
	if s.broken != nil {
		return nil, s.broken
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s: %w", cli, context.Cause(ctx))
	}
	if timeout <= 0 {
		timeout = inventory.DefaultCommandTimeout
	}
	out, err := s.exchange(ctx, cli, timeout)
	if err != nil {
		return nil, err // exchangeState.fail marked the session broken (all but a refusal)
	}
	for _, f := range s.drv.FailedWhenContains {
		if bytes.Contains(out, []byte(f)) {
			return nil, fmt.Errorf("%s: %w: %s", cli, ErrRejected, redact(firstLine(out), s.sh.secret))
		}
	}
	return out, nil
}

// Sent lists the commands the session typed (not the enable secret).
func (s *Session) Sent() []string { return s.sh.Sent() }

// Close ends the session; the connection stays for its owner to close.
func (s *Session) Close() error {
	s.stop()
	// The shell first: its end is what ends scrapligo's read loop, which
	// the driver's Close otherwise waits 62.5 ms for.
	err := s.sh.Close()
	if s.close != nil {
		return s.close()
	}
	return err
}

func firstLine(b []byte) string {
	for _, l := range bytes.Split(b, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && !bytes.Equal(t, []byte("^")) {
			if len(t) > 120 {
				t = t[:120]
			}
			return string(t)
		}
	}
	return "no output"
}

// durText writes 60s rather than 1m0s: timeouts are set in seconds.
func durText(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", int64(d/time.Second))
	}
	return d.String()
}
