package devsim

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// waitFor bounds every wait for something the server should do. It only
// tells a hang from progress: each wait ends the moment what it waits for
// arrives, so it can be generous enough for the race detector on a
// loaded machine and costs nothing when the server works.
const (
	labDir   = "testdata/lab"
	user     = "netops"
	password = "Lab-Pass-1"
	enablePW = "Lab-Enable-1"
	waitFor  = 30 * time.Second // a hang guard; see below

	processconfigSQL = "run sql select paramname,paramvalue from processconfig where paramname like '%eepalive%'"
	sipprofileSQL    = "run sql select name,siptimerregdelta,siptimerregexpires,zztimerkeepaliveexpires from sipprofile"
)

var testSeed = []byte("devsim-test-seed")

var labPlatforms = map[string]string{"sw1": PlatformIOS, "asa1": PlatformASA, "cucm1": PlatformCUCM}

// labHosts is the testdata lab with credentials; mod adjusts each host.
func labHosts(t testing.TB, mod func(h *Host)) []Host {
	t.Helper()
	hosts, err := LoadHostsFromDir(labDir, labPlatforms)
	if err != nil {
		t.Fatal(err)
	}
	for i := range hosts {
		h := &hosts[i]
		h.Username, h.Password = user, password
		if h.Platform != PlatformCUCM {
			h.EnablePassword = enablePW
		}
		if h.Platform == PlatformCUCM {
			h.Keys = map[string]string{processconfigSQL: "sql_processconfig"}
		}
		if mod != nil {
			mod(h)
		}
	}
	return hosts
}

func startLab(t testing.TB, opts Options, mod func(h *Host)) *Server {
	t.Helper()
	if opts.Seed == nil {
		opts.Seed = testSeed
	}
	srv, err := Start(context.Background(), labHosts(t, mod), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func knownHostsCallback(t testing.TB, srv *Server) ssh.HostKeyCallback {
	t.Helper()
	p := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(p, srv.KnownHosts(), 0o600); err != nil {
		t.Fatal(err)
	}
	cb, err := knownhosts.New(p)
	if err != nil {
		t.Fatal(err)
	}
	return cb
}

func dial(t testing.TB, srv *Server, host, pass string) (*ssh.Client, error) {
	t.Helper()
	cfg := &ssh.ClientConfig{
		User:            user,
		Auth:            []ssh.AuthMethod{ssh.Password(pass)},
		HostKeyCallback: knownHostsCallback(t, srv),
		Timeout:         waitFor,
	}
	return ssh.Dial("tcp", srv.Addr(host), cfg)
}

// term is a client shell the way scrapligo drives one: a pty, a shell,
// bytes written and read until a pattern.
type term struct {
	t      testing.TB
	client *ssh.Client
	sess   *ssh.Session
	stdin  io.WriteCloser

	mu     sync.Mutex
	buf    []byte
	off    int
	eof    bool
	notify chan struct{}
}

func openTerm(t testing.TB, srv *Server, host string) *term {
	t.Helper()
	c, err := dial(t, srv, host, password)
	if err != nil {
		t.Fatalf("dial %s: %v", host, err)
	}
	return shell(t, c)
}

func shell(t testing.TB, c *ssh.Client) *term {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm", 24, 80, ssh.TerminalModes{ssh.ECHO: 1}); err != nil {
		t.Fatal(err)
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, client: c, sess: sess, stdin: stdin, notify: make(chan struct{}, 1)}
	go tm.read(stdout)
	t.Cleanup(func() { c.Close() })
	return tm
}

func (tm *term) read(r io.Reader) {
	b := make([]byte, 32<<10)
	for {
		n, err := r.Read(b)
		tm.mu.Lock()
		tm.buf = append(tm.buf, b[:n]...)
		if err != nil {
			tm.eof = true
		}
		tm.mu.Unlock()
		select {
		case tm.notify <- struct{}{}:
		default:
		}
		if err != nil {
			return
		}
	}
}

func (tm *term) send(s string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.stdin, s); err != nil {
		tm.t.Fatalf("send %q: %v", s, err)
	}
}

// expect consumes output up to the end of the first match of re.
func (tm *term) expect(re string) string {
	tm.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	for {
		tm.mu.Lock()
		if m := rx.FindIndex(tm.buf[tm.off:]); m != nil {
			out := string(tm.buf[tm.off : tm.off+m[1]])
			tm.off += m[1]
			tm.mu.Unlock()
			return out
		}
		eof, pending := tm.eof, string(tm.buf[tm.off:])
		tm.mu.Unlock()
		if eof {
			tm.t.Fatalf("connection ended waiting for %q; got %q", re, pending)
		}
		select {
		case <-tm.notify:
		case <-deadline.C:
			tm.t.Fatalf("timeout waiting for %q; got %q", re, pending)
		}
	}
}

// until consumes output up to and including the literal s and returns
// what came before it.
func (tm *term) until(s string) string {
	tm.t.Helper()
	out := tm.expect(regexp.QuoteMeta(s))
	return strings.TrimSuffix(out, s)
}

// run types a command, checks its echo and returns its output up to the
// prompt.
func (tm *term) run(cmd, prompt string) string {
	tm.t.Helper()
	tm.send(cmd + "\n")
	tm.until(cmd + "\r\n")
	return tm.until(prompt)
}

// bytes consumes exactly n bytes of output.
func (tm *term) bytes(n int) string {
	tm.t.Helper()
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	for {
		tm.mu.Lock()
		if len(tm.buf)-tm.off >= n {
			out := string(tm.buf[tm.off : tm.off+n])
			tm.off += n
			tm.mu.Unlock()
			return out
		}
		eof, have := tm.eof, len(tm.buf)-tm.off
		tm.mu.Unlock()
		if eof {
			tm.t.Fatalf("connection ended after %d of %d bytes", have, n)
		}
		select {
		case <-tm.notify:
		case <-deadline.C:
			tm.t.Fatalf("timeout after %d of %d bytes", have, n)
		}
	}
}

// quiet asserts nothing more arrives for d, and returns what is pending.
func (tm *term) quiet(d time.Duration) string {
	tm.t.Helper()
	time.Sleep(d)
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return string(tm.buf[tm.off:])
}

// waitEOF waits for the server to end the session.
func (tm *term) waitEOF() string {
	tm.t.Helper()
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	for {
		tm.mu.Lock()
		if tm.eof {
			out := string(tm.buf[tm.off:])
			tm.off = len(tm.buf)
			tm.mu.Unlock()
			return out
		}
		tm.mu.Unlock()
		select {
		case <-tm.notify:
		case <-deadline.C:
			tm.t.Fatal("timeout waiting for the session to end")
		}
	}
}

// wantBody is what a device prints for a saved output, derived here
// independently of stripFraming: CRLF lines, without the echoed command
// line and the trailing prompt the file was saved with.
func wantBody(t testing.TB, host, key string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(labDir, host, key+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	s = strings.TrimSuffix(s, "\n")
	lines := strings.Split(s, "\n")
	echo := func(l string) bool {
		return strings.HasPrefix(l, host+"#") || strings.HasPrefix(l, "admin:run") || strings.HasPrefix(l, "admin:show")
	}
	if echo(lines[0]) {
		lines = lines[1:]
	}
	if last := strings.TrimSpace(lines[len(lines)-1]); last == host+"#" || last == "admin:" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

func countLinesCRLF(s string) int { return strings.Count(s, "\r\n") }

func mustContain(t testing.TB, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
}

func isText(b []byte) bool {
	return bytes.IndexFunc(b, func(r rune) bool { return r == 0xFFFD || r < 0x09 }) < 0
}
