package sshx

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/kaudit/kaudit/inventory"
)

// Defaults for Config fields left zero.
const (
	DefaultTries   = 3
	DefaultBackoff = time.Second
	maxJumpDepth   = 8
)

// Config is how to reach hosts, beyond what the inventory says.
type Config struct {
	// KnownHostsFile is checked for hosts whose inventory entry sets no
	// known_hosts; "" means ~/.ssh/known_hosts.
	KnownHostsFile string
	// AcceptNewHostKeys records the key of a host not yet in known_hosts
	// (trust on first use). A changed key is refused regardless.
	AcceptNewHostKeys bool
	// Dialer opens the first TCP hop (to the host, or to its outermost
	// jump host). nil uses net.Dialer.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// Tries is how many times a connection is attempted in all (default
	// 3). Only connection errors are retried: never authentication, host
	// key or algorithm failures.
	Tries int
	// Backoff is the wait before the second attempt, doubled after each
	// further one (default 1s).
	Backoff time.Duration
	Logger  *slog.Logger
	// Secrets, when set, is shared by the connections of one audit so
	// that a password file is read once (see SecretCache).
	Secrets *SecretCache
}

func (c *Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// Conn is an SSH connection to one inventory host, possibly through jump
// hosts, with the host's credentials resolved.
type Conn struct {
	Host *inventory.Host
	// Attempts is how many connection attempts it took.
	Attempts int

	client *ssh.Client
	jumps  []*ssh.Client // outermost last
	sec    *secrets
	cfg    Config
	closed atomic.Bool
}

// Client is the SSH client of the host.
func (c *Conn) Client() *ssh.Client { return c.client }

// Close closes the connection and those to its jump hosts.
func (c *Conn) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	err := c.client.Close()
	for _, j := range c.jumps {
		j.Close()
	}
	return err
}

// Redact removes the host's secrets from text the caller is about to log,
// save or report.
func (c *Conn) Redact(s string) string { return redact(s, c.sec.list()) }

// ConnectError is a failure to reach or log in to a host.
type ConnectError struct {
	Addr  string // host:port the SSH connection was for
	Jump  string // the jump host it went through, if any
	Stage string // "dial", "handshake", "auth", "host key", "credentials"
	Tries int    // attempts made, when more than one
	Err   error
	retry bool
}

func (e *ConnectError) Error() string {
	where := e.Addr
	if e.Jump != "" {
		where += " via jump " + e.Jump
	}
	var msg string
	switch e.Stage {
	case "dial":
		msg = fmt.Sprintf("connect %s: %s", where, causeText(e.Err))
	case "handshake":
		msg = fmt.Sprintf("ssh handshake with %s: %s", where, causeText(e.Err))
	default:
		msg = e.Err.Error()
	}
	if e.Tries > 1 {
		msg += fmt.Sprintf(" after %d tries", e.Tries)
	}
	return msg
}

func (e *ConnectError) Unwrap() error { return e.Err }

// Retryable reports whether err is a connection error worth another try:
// a refused, timed out or reset dial or handshake.
func Retryable(err error) bool {
	var ce *ConnectError
	var re *redactedError
	return errors.As(err, &ce) && ce.retry || errors.As(err, &re) && re.retry
}

// causeText is the innermost useful message: "connection refused" rather
// than "dial tcp 127.0.0.1:2203: connect: connection refused".
func causeText(err error) string {
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err.Error()
	}
	var oe *ssh.OpenChannelError
	if errors.As(err, &oe) {
		return "the jump host could not connect: " + oe.Message
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	return err.Error()
}

// Connect opens an SSH connection to h (through its jump hosts), retrying
// connection errors with exponential backoff. inv resolves jump host
// names; it may be nil when h has no jump or jumps to [user@]host[:port].
func Connect(ctx context.Context, inv *inventory.Inventory, h *inventory.Host, cfg Config) (*Conn, error) {
	if cfg.Tries <= 0 {
		cfg.Tries = DefaultTries
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultBackoff
	}
	log := cfg.logger()
	sec, err := resolveSecrets(h, true, cfg.Secrets)
	if err != nil {
		return nil, &ConnectError{Addr: hostAddr(h), Stage: "credentials", Err: err}
	}
	wait := cfg.Backoff
	for attempt := 1; ; attempt++ {
		client, jumps, err := dialChain(ctx, inv, h, sec, cfg, 0)
		if err == nil {
			return &Conn{Host: h, Attempts: attempt, client: client, jumps: jumps, sec: sec, cfg: cfg}, nil
		}
		err = scrub(err, sec)
		if ctx.Err() != nil {
			// The caller's deadline or cancel, not the device, ended it.
			return nil, &ConnectError{Addr: hostAddr(h), Stage: "dial", Err: context.Cause(ctx)}
		}
		if !Retryable(err) {
			return nil, err
		}
		if attempt >= cfg.Tries {
			var ce *ConnectError
			if errors.As(err, &ce) {
				ce.Tries = attempt
			}
			return nil, err
		}
		log.Debug("connect retry", "host", h.Name, "attempt", attempt, "wait", wait, "err", err.Error())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, &ConnectError{Addr: hostAddr(h), Stage: "dial", Tries: attempt, Err: fmt.Errorf("%s (last error: %v)", context.Cause(ctx), err)}
		case <-t.C:
		}
		wait *= 2
	}
}

// scrub makes sure no secret survives in an error message, whatever a
// library below put into it.
func scrub(err error, sec *secrets) error {
	msg := err.Error()
	if r := redact(msg, sec.list()); r != msg {
		return &redactedError{msg: r, retry: Retryable(err)}
	}
	return err
}

type redactedError struct {
	msg   string
	retry bool
}

func (e *redactedError) Error() string { return e.msg }

func hostAddr(h *inventory.Host) string {
	port := h.Port
	if port == 0 {
		port = inventory.DefaultPort
	}
	return net.JoinHostPort(h.Address, strconv.Itoa(port))
}

// jumpOf returns the host h connects through and its secrets, or nil.
func jumpOf(inv *inventory.Inventory, h *inventory.Host, sec *secrets, cache *SecretCache) (*inventory.Host, *secrets, error) {
	if h.Jump == "" {
		return nil, nil, nil
	}
	if inv != nil {
		if j := inv.JumpHost(h); j != nil {
			jsec, err := resolveSecrets(j, false, cache)
			if err != nil {
				return nil, nil, fmt.Errorf("jump %s: %w", j.Name, err)
			}
			return j, jsec, nil
		}
	}
	u, host, port, err := inventory.SplitJump(h.Jump)
	if err != nil {
		return nil, nil, err
	}
	// A [user@]host[:port] jump has no inventory entry of its own: it is
	// reached with the target's credentials and known_hosts, and without
	// legacy algorithms (a bastion is a modern server).
	j := &inventory.Host{
		Name:       h.Jump,
		Address:    host,
		Port:       port,
		Username:   h.Username,
		Password:   h.Password,
		PrivateKey: h.PrivateKey,
		Passphrase: h.Passphrase,
		SSHAgent:   h.SSHAgent,
		KnownHosts: h.KnownHosts,
		Timeout:    h.Timeout,
	}
	if u != "" {
		j.Username = u
	}
	if j.Port == 0 {
		j.Port = inventory.DefaultPort
	}
	return j, &secrets{password: sec.password}, nil
}

// dialChain connects to h, first through its jump host when it has one.
// It returns h's client and the jump clients to close after it.
func dialChain(ctx context.Context, inv *inventory.Inventory, h *inventory.Host, sec *secrets, cfg Config, depth int) (*ssh.Client, []*ssh.Client, error) {
	addr := hostAddr(h)
	if depth > maxJumpDepth {
		return nil, nil, &ConnectError{Addr: addr, Stage: "dial", Err: fmt.Errorf("more than %d jump hosts (a jump loop?)", maxJumpDepth)}
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = inventory.DefaultTimeout
	}
	jh, jsec, err := jumpOf(inv, h, sec, cfg.Secrets)
	if err != nil {
		return nil, nil, &ConnectError{Addr: addr, Stage: "credentials", Err: err}
	}
	var conn net.Conn
	var jumps []*ssh.Client
	if jh != nil {
		jc, outer, err := dialChain(ctx, inv, jh, jsec, cfg, depth+1)
		if err != nil {
			return nil, nil, jumpError(jh.Name, err)
		}
		jumps = append([]*ssh.Client{jc}, outer...)
		dctx, cancel := context.WithTimeout(ctx, timeout)
		conn, err = jc.DialContext(dctx, "tcp", addr)
		cancel()
		if err != nil {
			closeAll(jumps)
			return nil, nil, &ConnectError{Addr: addr, Jump: jh.Name, Stage: "dial", Err: err, retry: ctx.Err() == nil}
		}
	} else {
		dial := cfg.Dialer
		if dial == nil {
			d := &net.Dialer{}
			dial = d.DialContext
		}
		dctx, cancel := context.WithTimeout(ctx, timeout)
		conn, err = dial(dctx, "tcp", addr)
		cancel()
		if err != nil {
			if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("timed out after %s", timeout)
			}
			return nil, nil, &ConnectError{Addr: addr, Stage: "dial", Err: err, retry: ctx.Err() == nil}
		}
	}
	jumpName := ""
	if jh != nil {
		jumpName = jh.Name
	}
	client, err := handshake(ctx, conn, addr, h, sec, cfg, timeout)
	if err != nil {
		closeAll(jumps)
		var ce *ConnectError
		if errors.As(err, &ce) {
			ce.Jump = jumpName
		}
		return nil, nil, err
	}
	return client, jumps, nil
}

func closeAll(cs []*ssh.Client) {
	for _, c := range cs {
		c.Close()
	}
}

// jumpError names the jump host in an error reaching it; whether it is
// worth a retry is kept.
func jumpError(name string, err error) error {
	return &ConnectError{Stage: "jump", Err: fmt.Errorf("jump %s: %w", name, err), retry: Retryable(err)}
}

// Algorithms returns what kaudit offers a server: x/crypto's secure set,
// plus, only for hosts that opt in, the legacy algorithms old IOS and ASA
// images need (ssh-rsa host keys, SHA-1 Diffie-Hellman groups 14 and 1,
// CBC ciphers).
func Algorithms(legacy bool) ssh.Algorithms {
	a := ssh.SupportedAlgorithms()
	if legacy {
		a.KeyExchanges = append(a.KeyExchanges, ssh.InsecureKeyExchangeDH14SHA1, ssh.InsecureKeyExchangeDH1SHA1)
		a.Ciphers = append(a.Ciphers, ssh.InsecureCipherAES128CBC, ssh.InsecureCipherTripleDESCBC)
		a.HostKeys = append(a.HostKeys, ssh.KeyAlgoRSA)
		a.MACs = append(a.MACs, ssh.InsecureHMACSHA196)
	}
	return a
}

func (cfg *Config) knownHostsFor(h *inventory.Host) (string, error) {
	f := h.KnownHosts
	if f == "" {
		f = cfg.KnownHostsFile
	}
	if f == "" {
		return DefaultKnownHosts()
	}
	return inventory.ExpandHome(f)
}

func handshake(ctx context.Context, conn net.Conn, addr string, h *inventory.Host, sec *secrets, cfg Config, timeout time.Duration) (*ssh.Client, error) {
	fail := func(stage string, err error, retry bool) error {
		conn.Close()
		return &ConnectError{Addr: addr, Stage: stage, Err: err, retry: retry}
	}
	file, err := cfg.knownHostsFor(h)
	if err != nil {
		return nil, fail("host key", err, false)
	}
	methods, agentConn, err := authMethods(h, sec)
	if err != nil {
		return nil, fail("credentials", err, false)
	}
	defer agentConn.Close()
	log := cfg.logger()
	hk := &hostKeys{file: file, acceptNew: cfg.AcceptNewHostKeys, recorded: func(a, fp string) {
		log.Debug("recorded new host key", "host", h.Name, "addr", a, "fingerprint", fp, "file", file)
	}}
	algs := Algorithms(h.LegacyAlgorithms)
	userName := h.Username
	if userName == "" {
		if u, err := user.Current(); err == nil {
			userName = u.Username
		}
	}
	ccfg := &ssh.ClientConfig{
		User:              userName,
		Auth:              methods,
		HostKeyCallback:   hk.callback(),
		HostKeyAlgorithms: hostKeyAlgorithms(hk.knownTypes(addr), algs.HostKeys),
		Timeout:           timeout,
		Config: ssh.Config{
			KeyExchanges: algs.KeyExchanges,
			Ciphers:      algs.Ciphers,
			MACs:         algs.MACs,
		},
	}
	// The handshake has no deadline of its own, and a jump host's channel
	// does not support SetDeadline: closing the connection is what ends a
	// server that never answers.
	var timedOut atomic.Bool
	timer := time.AfterFunc(timeout, func() { timedOut.Store(true); conn.Close() })
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	c, chans, reqs, err := ssh.NewClientConn(newReadBuffered(conn), addr, ccfg)
	timer.Stop()
	stop()
	if err != nil {
		var he *HostKeyError
		msg := err.Error()
		switch {
		case errors.As(err, &he):
			return nil, fail("host key", he, false)
		case errors.Is(err, ErrHostKey):
			return nil, fail("host key", err, false)
		case strings.Contains(msg, "unable to authenticate"):
			return nil, fail("auth", fmt.Errorf("authentication failed for user %s at %s (%s)", userName, addr, triedMethods(msg)), false)
		case strings.Contains(msg, "no common algorithm"):
			hint := ""
			if !h.LegacyAlgorithms {
				hint = " (an old device may need legacy_algorithms: true)"
			}
			return nil, fail("handshake", fmt.Errorf("%s%s", strings.TrimPrefix(msg, "ssh: handshake failed: "), hint), false)
		case timedOut.Load():
			return nil, fail("handshake", fmt.Errorf("no answer within %s", timeout), true)
		case ctx.Err() != nil:
			return nil, fail("handshake", context.Cause(ctx), false)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
			errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
			return nil, fail("handshake", fmt.Errorf("connection closed by the server (%v)", err), true)
		}
		return nil, fail("handshake", err, false)
	}
	return ssh.NewClient(c, chans, reqs), nil
}

// triedMethods turns x/crypto's "attempted methods [none password]" into
// "tried password".
func triedMethods(msg string) string {
	i := strings.Index(msg, "[")
	j := strings.Index(msg, "]")
	if i < 0 || j < i {
		return "no method accepted"
	}
	var out []string
	for _, m := range strings.Fields(msg[i+1 : j]) {
		if m != "none" {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return "no method accepted"
	}
	return "tried " + strings.Join(out, ", ")
}

// readBuffered reads a connection through a buffer of its own. x/crypto's
// 4 KiB one turned most output packets into several read calls; with this
// one an audit of 300 simulated switches made a sixth fewer (strace -c),
// the same with 8 KiB as with 32 KiB, so it stays small: there is one per
// connection.
type readBuffered struct {
	net.Conn
	r *bufio.Reader
}

func newReadBuffered(c net.Conn) net.Conn {
	return &readBuffered{Conn: c, r: bufio.NewReaderSize(c, 8<<10)}
}

func (c *readBuffered) Read(p []byte) (int, error) { return c.r.Read(p) }
