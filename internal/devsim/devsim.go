// Package devsim is an SSH server on loopback that plays Cisco IOS
// switches, ASA firewalls and CUCM nodes from a lab directory of saved
// outputs (the offline layout DIR/<host>/<key>.txt), with real prompts,
// enable, paging, banners, latency and injected faults, so that the SSH
// collectors, the benchmarks and `kaudit demo` run without real devices.
package devsim

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Platform names accepted in Host.Platform.
const (
	PlatformIOS  = "ios"
	PlatformASA  = "asa"
	PlatformCUCM = "cucm"
)

// Redacted is what Commands records in place of a line typed at a
// password prompt, so a test sees that a line arrived without the secret
// ever being stored.
const Redacted = "<redacted>"

// DefaultFloodBytes is how much Faults.Flood prints when FloodBytes is 0.
const DefaultFloodBytes = 100 << 20

// Host is one simulated device.
type Host struct {
	Name     string
	Platform string // ios, asa or cucm
	// Dir holds the saved outputs, DIR/<host>/<key>.txt.
	Dir string
	// Username and Password are what the device accepts; an empty value
	// accepts anything, which is what a demo built from a bare lab wants.
	Username, Password string
	// EnablePassword empty means the session starts privileged (host#).
	EnablePassword string
	Faults         Faults
	// Latency is slept before each command's output.
	Latency time.Duration
	// Banner is printed before the first prompt. Empty gives the
	// platform's usual text (shapes.go): none on IOS, the login history
	// and help line on the ASA, the CUCM welcome on CUCM.
	Banner string

	// Keys maps a CLI line to its file key where the key cannot be derived
	// from the line (CUCM `run sql select ...` -> "sql_sipprofile").
	Keys map[string]string
	// Extra answers commands that have no file (CLI -> output), for
	// features such as captures that need more than the lab holds.
	Extra map[string]string
	// Handler, when set, is asked first with the whitespace-normalised
	// line; ok=false falls through to Extra and the lab files. It is
	// called from many sessions at once.
	Handler func(cli string) (output string, ok bool)
	// CUCMCapture, on a CUCM host, plays `utils network capture`, `file
	// get` (pushing over SFTP to loopback) and `file delete` (cucmcap.go).
	CUCMCapture *CUCMCapture
	// Capture, on an IOS or ASA host, plays `monitor capture` or the
	// ASA's `capture` and prints the dump in the layout set there
	// (devcap.go). Handler, when set, is asked before it.
	Capture *DeviceCapture
	// AXL, on a CUCM host, also serves the AXL SOAP API over HTTPS from
	// the lab's files (axl.go), on a port of its own (Server.AXLAddr).
	// Latency is slept before each of its answers too.
	AXL *AXL
}

// Faults are the failures a host injects. Output faults (HangMidOutput,
// ResetMidOutput, Garbage, Flood, Trickle, PromptNeverReturns) apply to
// commands answered from the lab, not to enable/terminal/exit, so that a
// client gets as far as its first real command.
type Faults struct {
	// AuthFail rejects every password.
	AuthFail bool
	// HostKeyChange presents a key other than the one in KnownHosts.
	HostKeyChange bool
	// Refuse leaves the port closed: connections are refused.
	Refuse bool
	// HangAfterAuth opens the session but never prints a prompt.
	HangAfterAuth bool
	// HangMidOutput prints half of the first output longer than a page,
	// then stalls until the client goes away.
	HangMidOutput bool
	// ResetMidOutput drops the TCP connection halfway through the first
	// lab output, with no SSH disconnect.
	ResetMidOutput bool
	// Garbage prints random binary bytes instead of output and prompt.
	Garbage bool
	// Flood answers the first lab command with FloodBytes of plausible
	// lines, then the prompt.
	Flood      bool
	FloodBytes int64
	// Trickle prints lab output and the prompt after it one byte per
	// Options.TrickleInterval.
	Trickle bool
	// PromptNeverReturns prints lab output but no prompt after it.
	PromptNeverReturns bool
	// CUCMLoginDelay is slept before the CUCM welcome and first prompt.
	CUCMLoginDelay time.Duration
	// PromptOnReturn prints the banner but no prompt after the login,
	// until the user presses return (some terminal servers and older
	// images wait so).
	PromptOnReturn bool
}

// Options tune a Server.
type Options struct {
	// BindAddr must be empty or 127.0.0.1: the simulator never listens
	// anywhere a real network could reach it.
	BindAddr string
	// BasePort, when not 0, gives host i the port BasePort+i; otherwise
	// every host gets an ephemeral port.
	BasePort int
	// Seed makes host keys (and garbage bytes) reproducible; nil draws
	// fresh keys.
	Seed []byte
	// PageLines is the page length before paging is turned off (24).
	PageLines int
	// TrickleInterval is the gap between bytes under Faults.Trickle (1s).
	TrickleInterval time.Duration
	// CacheBytes caps the lab bytes kept in memory (64 MiB); outputs past
	// the cap are read from disk per command. Negative disables caching.
	CacheBytes int64
	// HandshakeTimeout bounds the SSH handshake and authentication (10s).
	HandshakeTimeout time.Duration
	// Logger receives connection-level debug events; nil discards them.
	Logger *slog.Logger
}

// Server plays the hosts given to Start.
type Server struct {
	opts   Options
	log    *slog.Logger
	hosts  []*hostState
	byName map[string]*hostState
	cache  *labCache
	stop   func() bool // unregisters the context hook

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// hostState is a Host plus what Start derived from it.
type hostState struct {
	Host
	plat    platform
	addr    string
	ln      net.Listener
	cfg     *ssh.ServerConfig
	pub     ssh.PublicKey // the key KnownHosts vouches for
	entries []*entry      // lab commands, for abbreviation and lookup
	byCLI   map[string]*entry
	seed    uint64
	// sessions numbers garbage streams, so that with a seed the n-th
	// session of a host always prints the same bytes.
	sessions atomic.Uint64

	axl *axlState // the AXL service, when Host.AXL is set

	mu   sync.Mutex
	cmds []string
	caps map[string][]byte // CUCM capture files by name, under mu
}

// maxRecorded bounds Commands per host so a long demo cannot grow without
// limit; tests stay far below it.
const maxRecorded = 100000

var errAuth = errors.New("devsim: authentication failed")

// Start listens on 127.0.0.1 for every host and serves until Close or ctx
// ends.
func Start(ctx context.Context, hosts []Host, opts Options) (*Server, error) {
	if opts.BindAddr != "" && opts.BindAddr != "127.0.0.1" {
		return nil, fmt.Errorf("devsim: bind address %q refused: only 127.0.0.1 is allowed", opts.BindAddr)
	}
	if opts.BasePort < 0 || opts.BasePort+len(hosts) > 65535 {
		return nil, fmt.Errorf("devsim: base port %d cannot hold %d hosts", opts.BasePort, len(hosts))
	}
	if opts.PageLines <= 0 {
		opts.PageLines = 24
	}
	if opts.TrickleInterval <= 0 {
		opts.TrickleInterval = time.Second
	}
	if opts.CacheBytes == 0 {
		opts.CacheBytes = 64 << 20
	}
	if opts.HandshakeTimeout <= 0 {
		opts.HandshakeTimeout = 10 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{
		opts:   opts,
		log:    log,
		byName: make(map[string]*hostState, len(hosts)),
		cache:  newLabCache(opts.CacheBytes),
		conns:  make(map[net.Conn]struct{}),
	}
	for i := range hosts {
		h, err := s.prepare(hosts[i])
		if err != nil {
			return nil, err
		}
		if s.byName[h.Name] != nil {
			return nil, fmt.Errorf("devsim: host %q listed twice", h.Name)
		}
		s.byName[h.Name] = h
		s.hosts = append(s.hosts, h)
	}
	if err := s.listen(); err != nil {
		s.Close()
		return nil, err
	}
	for _, h := range s.hosts {
		if h.ln != nil {
			s.wg.Add(1)
			go s.serve(h)
		}
		if h.AXL != nil {
			if err := s.startAXL(h); err != nil {
				s.Close()
				return nil, err
			}
		}
	}
	s.stop = context.AfterFunc(ctx, func() { s.Close() })
	return s, nil
}

func (s *Server) prepare(in Host) (*hostState, error) {
	if in.Name == "" || strings.ContainsAny(in.Name, "/\\ \t\r\n") {
		return nil, fmt.Errorf("devsim: invalid host name %q", in.Name)
	}
	plat, err := parsePlatform(in.Platform)
	if err != nil {
		return nil, fmt.Errorf("devsim: host %s: %w", in.Name, err)
	}
	if in.AXL != nil && plat != cucm {
		return nil, fmt.Errorf("devsim: host %s: AXL is a CUCM service, not %s's", in.Name, in.Platform)
	}
	if st, err := os.Stat(in.Dir); err != nil {
		return nil, fmt.Errorf("devsim: host %s: lab dir: %w", in.Name, err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("devsim: host %s: lab dir %s is not a directory", in.Name, in.Dir)
	}
	h := &hostState{Host: in, plat: plat}
	h.seed = seedFor(s.opts.Seed, in.Name)
	if err := h.buildEntries(); err != nil {
		return nil, err
	}

	known, err := hostKey(s.opts.Seed, in.Name, "")
	if err != nil {
		return nil, fmt.Errorf("devsim: host %s: host key: %w", in.Name, err)
	}
	presented := known
	if in.Faults.HostKeyChange {
		if presented, err = hostKey(s.opts.Seed, in.Name, "changed"); err != nil {
			return nil, fmt.Errorf("devsim: host %s: host key: %w", in.Name, err)
		}
	}
	h.pub = known.PublicKey()

	version := sshVersionCisco
	if plat == cucm {
		version = sshVersionCUCM
	}
	cfg := &ssh.ServerConfig{ServerVersion: version}
	// What the simulated devices offer for key exchange: the curve and
	// ECDH groups of IOS-XE 17, ASA 9.16+ and CUCM's OpenSSH 7.4. None
	// of them speaks x/crypto's post-quantum default, and letting the
	// simulator offer it would make every simulated login cost several
	// times the CPU a real device's does.
	cfg.KeyExchanges = []string{ssh.KeyExchangeCurve25519, ssh.KeyExchangeECDHP256, ssh.KeyExchangeECDHP384, ssh.KeyExchangeDH14SHA256}
	cfg.PasswordCallback = func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
		if h.authOK(c.User(), pw) {
			return nil, nil
		}
		return nil, errAuth
	}
	cfg.KeyboardInteractiveCallback = func(c ssh.ConnMetadata, client ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
		ans, err := client(c.User(), "", []string{kbdPasswordPrompt}, []bool{false})
		if err != nil {
			return nil, err
		}
		if len(ans) == 1 && h.authOK(c.User(), []byte(ans[0])) {
			return nil, nil
		}
		return nil, errAuth
	}
	cfg.AddHostKey(presented)
	h.cfg = cfg
	return h, nil
}

func (h *hostState) authOK(user string, pw []byte) bool {
	if h.Faults.AuthFail {
		return false
	}
	userOK := h.Username == "" || subtle.ConstantTimeCompare([]byte(user), []byte(h.Username)) == 1
	pwOK := h.Password == "" || subtle.ConstantTimeCompare(pw, []byte(h.Password)) == 1
	return userOK && pwOK
}

// hostKey derives an ed25519 key from the seed so tests can pin keys
// across runs; without a seed every run gets fresh keys.
func hostKey(seed []byte, name, variant string) (ssh.Signer, error) {
	var priv ed25519.PrivateKey
	if seed == nil {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		priv = k
	} else {
		sum := sha256.Sum256([]byte(string(seed) + "\x00hostkey\x00" + name + "\x00" + variant))
		priv = ed25519.NewKeyFromSeed(sum[:])
	}
	return ssh.NewSignerFromKey(priv)
}

func seedFor(seed []byte, name string) uint64 {
	if seed == nil {
		var b [8]byte
		_, _ = rand.Read(b[:])
		seed = b[:]
	}
	sum := sha256.Sum256([]byte(string(seed) + "\x00rng\x00" + name))
	var v uint64
	for _, c := range sum[:8] {
		v = v<<8 | uint64(c)
	}
	return v
}

func (s *Server) listen() error {
	var refused []net.Listener
	for i, h := range s.hosts {
		port := 0
		if s.opts.BasePort != 0 {
			port = s.opts.BasePort + i
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if h.Faults.Refuse && port != 0 {
			h.addr = addr
			continue
		}
		// No TCP keepalive on loopback: it only costs every accepted
		// connection four setsockopt calls.
		ln, err := (&net.ListenConfig{KeepAlive: -1}).Listen(context.Background(), "tcp4", addr)
		if err != nil {
			for _, l := range refused {
				l.Close()
			}
			return fmt.Errorf("devsim: host %s: listen: %w", h.Name, err)
		}
		if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
			ln.Close()
			return fmt.Errorf("devsim: host %s: listener on %s is not loopback", h.Name, ln.Addr())
		}
		h.addr = ln.Addr().String()
		if h.Faults.Refuse {
			// Keep the ephemeral port reserved until every other host has
			// its own, so no sibling reuses the number that must refuse.
			refused = append(refused, ln)
			continue
		}
		h.ln = ln
	}
	for _, l := range refused {
		l.Close()
	}
	return nil
}

func (s *Server) serve(h *hostState) {
	defer s.wg.Done()
	for {
		nc, err := h.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.log.Debug("devsim accept", "host", h.Name, "err", err)
			}
			return
		}
		if !s.track(nc) {
			nc.Close()
			return
		}
		go s.handleConn(h, nc)
	}
}

// track registers a connection for Close; it reports false once the
// server is closing. The WaitGroup is bumped here, under the lock that
// Close takes before waiting, so Add never races Wait.
func (s *Server) track(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[nc] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(nc net.Conn) {
	s.mu.Lock()
	delete(s.conns, nc)
	s.mu.Unlock()
}

func (s *Server) handleConn(h *hostState, nc net.Conn) {
	defer s.wg.Done()
	defer s.untrack(nc)
	defer nc.Close()

	_ = nc.SetDeadline(time.Now().Add(s.opts.HandshakeTimeout))
	cc := &corkConn{Conn: nc}
	sc, chans, reqs, err := ssh.NewServerConn(cc, h.cfg)
	if err != nil {
		s.log.Debug("devsim handshake", "host", h.Name, "remote", nc.RemoteAddr().String(), "err", err)
		return
	}
	defer sc.Close()
	_ = nc.SetDeadline(time.Time{})

	done := make(chan struct{})
	defer close(done)
	for chans != nil || reqs != nil {
		select {
		case nch, ok := <-chans:
			if !ok {
				chans = nil
				continue
			}
			if nch.ChannelType() != "session" {
				_ = nch.Reject(ssh.UnknownChannelType, "only session channels")
				continue
			}
			ch, chReqs, err := nch.Accept()
			if err != nil {
				continue
			}
			s.wg.Add(1)
			go s.handleSession(h, cc, sc.User(), ch, chReqs, done)
		case r, ok := <-reqs:
			if !ok {
				reqs = nil
				continue
			}
			if r.WantReply {
				_ = r.Reply(false, nil)
			}
		}
	}
}

func (s *Server) handleSession(h *hostState, cc *corkConn, user string, ch ssh.Channel, reqs <-chan *ssh.Request, done <-chan struct{}) {
	defer s.wg.Done()
	started := false
	for req := range reqs {
		switch req.Type {
		case "pty-req", "env", "window-change":
			reply(req, true)
		case "shell", "exec":
			if started {
				reply(req, false)
				continue
			}
			var cmd string
			if req.Type == "exec" {
				var p struct{ Command string }
				if err := ssh.Unmarshal(req.Payload, &p); err != nil {
					reply(req, false)
					continue
				}
				cmd = p.Command
			}
			started = true
			reply(req, true)
			sess := newSession(s, h, ch, done)
			sess.user = user
			sess.cork, sess.uncork = cc.cork, cc.uncork
			sess.reset = func() { cc.Close() }
			sess.exitStatus = func(code uint32) {
				_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{code}))
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				if req.Type == "exec" {
					sess.runExec(cmd)
				} else {
					sess.runShell()
				}
				ch.Close()
			}()
		default:
			reply(req, false)
		}
	}
}

func reply(req *ssh.Request, ok bool) {
	if req.WantReply {
		_ = req.Reply(ok, nil)
	}
}

func (s *Server) record(h *hostState, line string) {
	h.mu.Lock()
	if len(h.cmds) < maxRecorded {
		h.cmds = append(h.cmds, line)
	}
	h.mu.Unlock()
}

// Hosts lists the host names in the order given to Start.
func (s *Server) Hosts() []string {
	out := make([]string, len(s.hosts))
	for i, h := range s.hosts {
		out[i] = h.Name
	}
	return out
}

// Addr is the host's "127.0.0.1:PORT", or "" for an unknown host.
func (s *Server) Addr(host string) string {
	if h := s.byName[host]; h != nil {
		return h.addr
	}
	return ""
}

// HostKey is the key KnownHosts lists for the host (under HostKeyChange
// the server presents another one).
func (s *Server) HostKey(host string) ssh.PublicKey {
	if h := s.byName[host]; h != nil {
		return h.pub
	}
	return nil
}

// KnownHosts is a known_hosts file for every host, "[127.0.0.1]:port key".
func (s *Server) KnownHosts() []byte {
	var b strings.Builder
	for _, h := range s.hosts {
		b.WriteString(knownhosts.Line([]string{h.addr}, h.pub))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// Commands returns every non-empty line the host received, in order;
// lines typed at a password prompt are recorded as Redacted.
func (s *Server) Commands(host string) []string {
	h := s.byName[host]
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.cmds...)
}

// Close stops the listeners, drops every connection and waits for every
// goroutine of the server to end.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for _, h := range s.hosts {
		if h.ln != nil {
			h.ln.Close()
		}
		if h.axl != nil {
			h.axl.srv.Close()
		}
	}
	for nc := range s.conns {
		nc.Close()
	}
	s.mu.Unlock()
	if s.stop != nil {
		s.stop()
	}
	s.wg.Wait()
	return nil
}
