package axl

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaudit/kaudit/collectors/cucm"
	"github.com/kaudit/kaudit/collectors/sshx"
	"github.com/kaudit/kaudit/internal/devsim"
	"github.com/kaudit/kaudit/internal/testutil"
)

const (
	testUser     = "axl-reader"
	testPassword = "Axl-Pass-5f1c"
)

// startNode serves the case2 lab's cucm-pub with AXL on 127.0.0.1.
func startNode(t *testing.T, axl devsim.AXL, seed string) *devsim.Server {
	t.Helper()
	dir := filepath.Join(testutil.RepoRoot(t), "testdata", "labs", "case2-port-security-aging", "cucm-pub")
	keys := map[string]string{}
	for _, c := range cucm.Commands() {
		keys[c.CLI] = c.Key
	}
	srv, err := devsim.Start(context.Background(), []devsim.Host{{
		Name: "cucm-pub", Platform: devsim.PlatformCUCM, Dir: dir,
		Username: testUser, Password: testPassword, Keys: keys, AXL: &axl,
	}}, devsim.Options{Seed: []byte(seed)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// config is a client configuration for srv's node, pinning its
// certificate, with quick retries.
func config(t *testing.T, srv *devsim.Server) Config {
	t.Helper()
	host, port, err := net.SplitHostPort(srv.AXLAddr("cucm-pub"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return Config{
		Host: host, Port: p, Username: testUser, Password: testPassword,
		Trust:   Trust{Fingerprint: FingerprintOf(srv.AXLCertificate("cucm-pub").Raw)},
		Timeout: 10 * time.Second, ConnectTimeout: 10 * time.Second,
		Backoff: time.Millisecond,
	}
}

// collect dials and runs the three queries, returning the answers.
func collect(ctx context.Context, cfg Config) ([][]byte, *Client, error) {
	c, err := Dial(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	var outs [][]byte
	for _, q := range cucm.AXLCommands() {
		out, err := c.Query(ctx, q.CLI)
		if err != nil {
			return outs, c, err
		}
		outs = append(outs, out)
	}
	return outs, c, nil
}

func TestCollect(t *testing.T) {
	srv := startNode(t, devsim.AXL{}, "a")
	outs, c, err := collect(context.Background(), config(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	if c.Release != "14.0.1.13900-155" || c.Version() != "14.0" {
		t.Errorf("release %q, schema %q", c.Release, c.Version())
	}
	for i, q := range cucm.AXLCommands() {
		tab, err := cucm.AXLTable(q.Key, outs[i])
		if err != nil || len(tab.Rows) == 0 {
			t.Errorf("%s: %v (%d rows)", q.Key, err, len(tab.Rows))
		}
	}
	want := []string{"getCCMVersion"}
	for _, q := range cucm.AXLCommands() {
		want = append(want, "executeSQLQuery "+q.CLI)
	}
	if got := srv.AXLRequests("cucm-pub"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests\n%q\nwant\n%q", got, want)
	}
	if n := srv.AXLLogins("cucm-pub"); n != 1 {
		t.Errorf("%d logins for 4 requests, want 1: the session cookie is reused", n)
	}
}

func TestSessions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults devsim.AXLFaults
	}{
		{"no cookie: every request logs in", devsim.AXLFaults{NoSession: true}},
		{"expired cookie: logs in again", devsim.AXLFaults{ExpireSession: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startNode(t, devsim.AXL{Faults: tc.faults}, "a")
			if _, _, err := collect(context.Background(), config(t, srv)); err != nil {
				t.Fatal(err)
			}
			answered := 0
			for _, r := range srv.AXLRequests("cucm-pub") {
				if r != "login refused" {
					answered++
				}
			}
			if answered != 4 {
				t.Errorf("requests %q, want 4 answered", srv.AXLRequests("cucm-pub"))
			}
		})
	}
}

func TestVersions(t *testing.T) {
	t.Run("read from the server", func(t *testing.T) {
		srv := startNode(t, devsim.AXL{Release: "12.5.1.14900-63", Versions: []string{"11.5", "12.0", "12.5"}}, "a")
		_, c, err := collect(context.Background(), config(t, srv))
		if err != nil {
			t.Fatal(err)
		}
		if c.Version() != "12.5" {
			t.Errorf("schema %q, want the server's 12.5", c.Version())
		}
		got := srv.AXLRequests("cucm-pub")
		if len(got) != 5 || got[0] != "getCCMVersion" || got[1] != "getCCMVersion" {
			t.Errorf("requests %q: want getCCMVersion in 14.0, again in 12.5, then the queries", got)
		}
	})
	t.Run("set and not supported", func(t *testing.T) {
		srv := startNode(t, devsim.AXL{}, "a")
		cfg := config(t, srv)
		cfg.Version = "15.0"
		_, _, err := collect(context.Background(), cfg)
		var ve *VersionError
		if !errors.As(err, &ve) || ve.Asked != "15.0" || !strings.Contains(err.Error(), "it supports 12.0, 12.5, 14.0): set axl_version") {
			t.Fatalf("error %v", err)
		}
	})
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name   string
		faults devsim.AXLFaults
		tune   func(*Config)
		check  func(error) bool
		want   string
	}{
		{"throttled, then answered", devsim.AXLFaults{Throttle: 3}, nil, func(err error) bool { return err == nil }, ""},
		{"throttled throughout", devsim.AXLFaults{Throttle: 100}, func(c *Config) { c.Tries = 3 },
			func(err error) bool { var e *ThrottledError; return errors.As(err, &e) && e.Tries == 3 }, "throttled the request 3 times"},
		{"bad credentials", devsim.AXLFaults{AuthFail: true}, nil,
			func(err error) bool { var e *AuthError; return errors.As(err, &e) }, `refused the login of "axl-reader" (HTTP 401)`},
		{"not AXL", devsim.AXLFaults{NotAXL: true}, nil,
			func(err error) bool { var e *NotAXLError; return errors.As(err, &e) && e.Status == 404 }, "not an AXL service (HTTP 404)"},
		{"slow", devsim.AXLFaults{Slow: time.Hour}, func(c *Config) { c.Timeout = 300 * time.Millisecond },
			func(err error) bool { return err != nil }, "no answer to executeSQLQuery within 300ms"},
		{"truncated", devsim.AXLFaults{Truncate: true}, nil,
			func(err error) bool { return err != nil }, "cut short"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startNode(t, devsim.AXL{Faults: tc.faults}, "a")
			cfg := config(t, srv)
			if tc.tune != nil {
				tc.tune(&cfg)
			}
			_, _, err := collect(context.Background(), cfg)
			if !tc.check(err) || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), testPassword) {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
	t.Run("not TLS", func(t *testing.T) {
		srv := startNode(t, devsim.AXL{}, "a")
		cfg := config(t, srv)
		_, port, _ := net.SplitHostPort(srv.Addr("cucm-pub")) // the SSH port
		cfg.Port, _ = strconv.Atoi(port)
		_, _, err := collect(context.Background(), cfg)
		var e *NotAXLError
		if !errors.As(err, &e) || !strings.Contains(err.Error(), "does not speak TLS") {
			t.Fatalf("error %v", err)
		}
	})
}

func TestTrust(t *testing.T) {
	srv := startNode(t, devsim.AXL{}, "a")
	other := startNode(t, devsim.AXL{}, "b") // another certificate
	cert := srv.AXLCertificate("cucm-pub")
	fp := FingerprintOf(cert.Raw)
	dir := t.TempDir()
	try := func(tr Trust) error {
		cfg := config(t, srv)
		cfg.Trust = tr
		_, _, err := collect(context.Background(), cfg)
		return err
	}
	untrusted := func(t *testing.T, err error, want ...string) {
		t.Helper()
		var te *TrustError
		if !errors.As(err, &te) || te.Fingerprint != fp {
			t.Fatalf("error %v (%T), want a TrustError naming %s", err, err, fp)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
		if got := srv.AXLRequests("cucm-pub"); len(got) != 0 {
			t.Errorf("requests reached an untrusted server: %q", got)
		}
	}
	t.Run("unknown certificate refused by default", func(t *testing.T) {
		untrusted(t, try(Trust{}), "no trusted authority signed it", "axl_fingerprint")
	})
	t.Run("pinned", func(t *testing.T) {
		if err := try(Trust{Fingerprint: "sha256:" + strings.ToLower(strings.ReplaceAll(fp, ":", ""))}); err != nil {
			t.Fatal(err)
		}
		wrong := FingerprintOf(other.AXLCertificate("cucm-pub").Raw)
		srvReqs := len(srv.AXLRequests("cucm-pub"))
		err := try(Trust{Fingerprint: wrong})
		var te *TrustError
		if !errors.As(err, &te) || te.Fingerprint != fp || !strings.Contains(err.Error(), "not the pinned certificate "+wrong) {
			t.Fatalf("error %v", err)
		}
		if len(srv.AXLRequests("cucm-pub")) != srvReqs {
			t.Error("a request reached a server whose certificate is not the pinned one")
		}
	})
	t.Run("CA file", func(t *testing.T) {
		ca := filepath.Join(dir, "ca.pem")
		if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := try(Trust{CAFile: ca}); err != nil {
			t.Fatal(err)
		}
		otherCA := filepath.Join(dir, "other.pem")
		if err := os.WriteFile(otherCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.AXLCertificate("cucm-pub").Raw}), 0o600); err != nil {
			t.Fatal(err)
		}
		var te *TrustError
		if err := try(Trust{CAFile: otherCA}); !errors.As(err, &te) || te.Fingerprint != fp {
			t.Fatalf("certificate of another CA: %v", err)
		}
	})
	t.Run("trust on first use", func(t *testing.T) {
		kh := filepath.Join(dir, "sub", "axl_known_hosts")
		err := try(Trust{KnownHosts: kh})
		var te *TrustError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), "it is not in "+kh) || !strings.Contains(err.Error(), "--accept-new-host-keys") {
			t.Fatalf("first use without accepting: %v", err)
		}
		if _, err := os.Stat(kh); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("known certificates written without accepting: %v", err)
		}
		if err := try(Trust{KnownHosts: kh, AcceptNew: true}); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(kh)
		if err != nil || string(data) != srv.AXLAddr("cucm-pub")+" "+fp+"\n" {
			t.Fatalf("known certificates %q (%v)", data, err)
		}
		if err := try(Trust{KnownHosts: kh}); err != nil {
			t.Fatalf("a recorded certificate: %v", err)
		}
		// The node's certificate changes: refused, accepting or not.
		changed := []byte(srv.AXLAddr("cucm-pub") + " " + FingerprintOf(other.AXLCertificate("cucm-pub").Raw) + "\n")
		if err := os.WriteFile(kh, changed, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, accept := range []bool{false, true} {
			if err := try(Trust{KnownHosts: kh, AcceptNew: accept}); !errors.As(err, &te) || !strings.Contains(err.Error(), "records another certificate") {
				t.Errorf("changed certificate (accept %v): %v", accept, err)
			}
		}
		if data, _ := os.ReadFile(kh); !bytes.Equal(data, changed) {
			t.Errorf("a changed certificate was recorded: %q", data)
		}
	})
	t.Run("bad settings", func(t *testing.T) {
		if err := try(Trust{Fingerprint: "AB:CD"}); err == nil || !strings.Contains(err.Error(), "axl_fingerprint") {
			t.Errorf("short fingerprint: %v", err)
		}
		if err := try(Trust{CAFile: filepath.Join(dir, "missing.pem")}); err == nil || !strings.Contains(err.Error(), "axl_ca_file") {
			t.Errorf("missing CA file: %v", err)
		}
	})
}

// recording is a transport under the guard that records every request
// that leaves kaudit and passes it on to the simulator.
type recording struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []recorded
}

func (r *recording) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{req.Method, req.URL.String(), req.Header.Get("SOAPAction"), body})
	r.mu.Unlock()
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	return r.next.RoundTrip(out)
}

// TestOnlyReadsLeave sends a whole collection and every fault path
// through a recording transport under the guard: each request that left
// is one the guard allows, and is getCCMVersion or one of kaudit's three
// SELECTs.
func TestOnlyReadsLeave(t *testing.T) {
	want := map[string]bool{"getCCMVersion": true}
	for _, q := range cucm.AXLCommands() {
		want[string(queryRequest("14.0", q.CLI).body)] = true
		want[string(queryRequest("12.5", q.CLI).body)] = true
	}
	total := 0
	for _, ax := range []devsim.AXL{
		{}, {Faults: devsim.AXLFaults{Throttle: 2}}, {Faults: devsim.AXLFaults{AuthFail: true}},
		{Faults: devsim.AXLFaults{ExpireSession: true}}, {Faults: devsim.AXLFaults{Truncate: true}},
		{Faults: devsim.AXLFaults{NotAXL: true}}, {Versions: []string{"12.5"}},
	} {
		srv := startNode(t, ax, "a")
		cfg := config(t, srv)
		tr, err := cfg.Trust.tlsConfig(cfg.Host, srv.AXLAddr("cucm-pub"))
		if err != nil {
			t.Fatal(err)
		}
		rec := &recording{next: &http.Transport{TLSClientConfig: tr}}
		cfg.Next = rec
		_, _, _ = collect(context.Background(), cfg)
		for _, r := range rec.reqs {
			u := strings.TrimPrefix(r.url, "https://"+srv.AXLAddr("cucm-pub"))
			if err := Allowed(r.method, u, "", r.action, r.body); err != nil {
				t.Errorf("a request the guard refuses left kaudit: %v", err)
			}
			if !want[string(r.body)] && !strings.Contains(string(r.body), "<ns:getCCMVersion>") {
				t.Errorf("unexpected request left kaudit: %s %s", r.action, r.body)
			}
			total++
		}
	}
	if total < 10 {
		t.Fatalf("only %d requests recorded: the test proves little", total)
	}
	// And a write the client is asked to send never reaches the wire.
	srv := startNode(t, devsim.AXL{}, "a")
	cfg := config(t, srv)
	cfg.Version = "14.0"
	rec := &recording{next: http.DefaultTransport}
	cfg.Next = rec
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Query(context.Background(), "update device set description='x'"); !errors.Is(err, sshx.ErrRefused) {
		t.Errorf("update: %v", err)
	}
	if len(rec.reqs) != 0 {
		t.Errorf("refused requests left kaudit: %d", len(rec.reqs))
	}
}
