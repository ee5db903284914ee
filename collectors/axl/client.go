package axl

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"time"

	"github.com/kaudit/kaudit/collectors/cucm"
	"github.com/kaudit/kaudit/facts"
)

// Defaults of Config.
const (
	// DefaultPort is CUCM's HTTPS port for AXL (AXLAPI.wsdl's
	// soap:address https://CCMSERVERNAME:8443/axl/).
	DefaultPort = 8443
	// DefaultVersion is the schema asked in when none is set: 14.0 is
	// supported by CUCM 12.5 (where it was not yet current, the server
	// says which it has) through 15; the server's own is then read.
	DefaultVersion = "14.0"
	DefaultTimeout = time.Minute
	DefaultTries   = 4
	DefaultBackoff = 2 * time.Second
	// maxRetryAfter bounds how long a 503's Retry-After may hold a device.
	maxRetryAfter = 30 * time.Second
)

// Config is one node's AXL connection.
type Config struct {
	Host     string // address
	Port     int    // default 8443
	Username string
	Password string
	// Version is the AXL schema (e.g. "14.0"). Empty asks the server
	// with getCCMVersion and uses its release's schema.
	Version string
	Trust   Trust
	// ConnectTimeout bounds the TCP connection and TLS handshake;
	// Timeout one request with its answer (default 1m each).
	ConnectTimeout time.Duration
	Timeout        time.Duration
	// Tries is how many times a request CUCM throttles (HTTP 503) is
	// sent in all (default 4), after Backoff (default 2s), doubled each
	// time, or the server's Retry-After. Cisco's AXL developer guide
	// ("Data Throttling and Performance") asks clients to wait and
	// resend.
	Tries   int
	Backoff time.Duration
	// OutputLimit caps one answer (default facts.MaxOutputBytes).
	OutputLimit int64
	// Dialer opens the TCP connection; nil uses net.Dialer.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// Next, for tests, replaces the HTTPS transport under the guard.
	Next   http.RoundTripper
	Logger *slog.Logger
}

// Client is a session with one node's AXL service. The session cookie
// the server sets after the first authenticated request is sent instead
// of the credentials from then on (Cisco's AXL developer guide, "Using
// JSESSIONIDSSO to Improve Performance"), and the HTTPS connection is
// kept for the next request ("Re-Using HTTP Connections").
type Client struct {
	cfg     Config
	http    *http.Client
	url     string
	addr    string
	version string
	// Release is the node's CUCM version, as getCCMVersion gave it
	// ("" when the schema was set and not read).
	Release string
	session bool // the jar holds the server's session cookie
}

// Dial prepares a client and, when no schema version is set, reads the
// node's release with getCCMVersion, which also proves the address,
// certificate and credentials. Nothing is sent that Guard refuses.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultTimeout
	}
	if cfg.Tries <= 0 {
		cfg.Tries = DefaultTries
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.OutputLimit <= 0 {
		cfg.OutputLimit = facts.MaxOutputBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	c := &Client{cfg: cfg, addr: addr, url: (&url.URL{Scheme: "https", Host: addr, Path: AXLPath}).String()}
	next := cfg.Next
	if next == nil {
		tlsCfg, err := cfg.Trust.tlsConfig(cfg.Host, addr)
		if err != nil {
			return nil, err
		}
		dial := cfg.Dialer
		if dial == nil {
			dial = (&net.Dialer{Timeout: cfg.ConnectTimeout}).DialContext
		}
		next = &http.Transport{
			DialContext:         dial,
			TLSClientConfig:     tlsCfg,
			TLSHandshakeTimeout: cfg.ConnectTimeout,
			MaxIdleConnsPerHost: 1,
			IdleConnTimeout:     90 * time.Second,
			// CUCM's Tomcat speaks HTTP/1.1; one connection in turn.
			TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{},
		}
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c.http = &http.Client{
		Transport: Guard{Next: next},
		Jar:       jar,
		// A redirect would resend the request elsewhere: AXL never
		// redirects, so one is an answer of something else.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c.version = cfg.Version
	if c.version == "" {
		if err := c.discover(ctx); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Version is the AXL schema the client speaks.
func (c *Client) Version() string { return c.version }

// Close drops the kept connection.
func (c *Client) Close() {
	if c.http != nil {
		c.http.CloseIdleConnections()
	}
}

// Query runs one SELECT with executeSQLQuery and returns the answer as it
// came (the offline layout saves it so). An answer that is not an
// executeSQLQueryResponse (a fault, another service's page) is an error.
func (c *Client) Query(ctx context.Context, sql string) ([]byte, error) {
	body, err := c.do(ctx, queryRequest(c.version, sql))
	if err != nil {
		return nil, err
	}
	name, err := responseOp(body)
	switch {
	case err != nil:
		return nil, &NotAXLError{Addr: c.addr, Status: http.StatusOK, Detail: err.Error()}
	case name.Space == cucm.SOAPEnvNS && name.Local == "Fault":
		return nil, c.fault("executeSQLQuery", body)
	case name.Local != "executeSQLQueryResponse":
		return nil, &NotAXLError{Addr: c.addr, Status: http.StatusOK, Detail: "the answer is <" + name.Local + ">, not executeSQLQueryResponse"}
	}
	return body, nil
}

// discover reads the node's release with getCCMVersion in
// DefaultVersion, or in the newest schema the server lists when it does
// not take that one, and speaks its release's schema from then on. This
// is how Cisco's own AXL samples find the schema (CiscoDevNet
// axl-recording-monitoring-report: getCCMVersion, then the release's
// major.minor as the namespace).
func (c *Client) discover(ctx context.Context) error {
	ver := DefaultVersion
	body, err := c.do(ctx, versionRequest(ver))
	var ve *VersionError
	if errors.As(err, &ve) && ve.Newest() != "" && ve.Newest() != ver {
		ver = ve.Newest()
		body, err = c.do(ctx, versionRequest(ver))
	}
	if err != nil {
		return err
	}
	r, err := cucm.DecodeAXL("getCCMVersion", body)
	if err != nil {
		return &NotAXLError{Addr: c.addr, Status: http.StatusOK, Detail: err.Error()}
	}
	if r.Fault != nil {
		return &FaultError{Op: "getCCMVersion", Fault: r.Fault}
	}
	if r.Op != "getCCMVersionResponse" {
		return &NotAXLError{Addr: c.addr, Status: http.StatusOK, Detail: "the answer is <" + r.Op + ">, not getCCMVersionResponse"}
	}
	c.Release = r.Version
	c.version = ver
	if s := schemaOf(r.Version); s != "" {
		c.version = s
	}
	c.cfg.Logger.Debug("axl version", "release", r.Version, "schema", c.version)
	return nil
}

// do sends one request and returns the body of a 200 answer; every other
// status is a typed error. A 503 is resent after a pause, up to
// cfg.Tries times in all; a 401 on a request that relied on the session
// cookie is resent once with the credentials.
func (c *Client) do(ctx context.Context, r request) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		auth := !c.session
		resp, err := c.send(ctx, r, auth)
		if err != nil {
			return nil, err
		}
		body, rerr := readLimited(resp.Body, c.cfg.OutputLimit)
		resp.Body.Close()
		if rerr != nil {
			return nil, fmt.Errorf("%s: reading the answer of %s (HTTP %d): %w", c.addr, r.op, resp.StatusCode, rerr)
		}
		switch code := resp.StatusCode; {
		case code == http.StatusOK:
			if !c.session && len(c.http.Jar.Cookies(resp.Request.URL)) > 0 {
				c.session = true
			}
			return body, nil
		case (code == http.StatusUnauthorized || code == http.StatusForbidden) && !auth:
			// The session expired: log in again, once.
			c.session = false
			c.http.Jar, _ = cookiejar.New(nil)
		case code == http.StatusUnauthorized || code == http.StatusForbidden:
			return nil, &AuthError{Addr: c.addr, User: c.cfg.Username, Status: code}
		case code == http.StatusServiceUnavailable:
			if attempt >= c.cfg.Tries {
				return nil, &ThrottledError{Addr: c.addr, Tries: attempt}
			}
			wait := c.cfg.Backoff << (attempt - 1)
			if ra := retryAfter(resp.Header.Get("Retry-After")); ra > 0 {
				wait = ra
			}
			c.cfg.Logger.Debug("axl throttled", "op", r.op, "attempt", attempt, "wait", wait)
			if err := sleep(ctx, wait); err != nil {
				return nil, err
			}
		case code == statusBadVersion:
			return nil, newVersionError(c.addr, versionOf(r), body)
		case code == http.StatusInternalServerError:
			if name, err := responseOp(body); err == nil && name.Space == cucm.SOAPEnvNS && name.Local == "Fault" {
				return nil, c.fault(r.op, body)
			}
			fallthrough
		default:
			return nil, &NotAXLError{Addr: c.addr, Status: code, Detail: snippet(body)}
		}
	}
}

// send makes one HTTP exchange, bounded by cfg.Timeout until the answer's
// headers (the body is read under the same context).
func (c *Client) send(ctx context.Context, r request, auth bool) (*http.Response, error) {
	rctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, c.url, bytes.NewReader(r.body))
	if err != nil {
		cancel()
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("Accept", "text/xml")
	req.Header.Set("SOAPAction", r.action)
	if auth {
		req.SetBasicAuth(c.cfg.Username, c.cfg.Password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		err = c.sendError(ctx, rctx, r, err)
		cancel()
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// sendError names what went wrong with a request that got no answer.
func (c *Client) sendError(ctx, rctx context.Context, r request, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is the address, said below
	}
	var te *TrustError
	var re *RefusedError
	switch {
	case errors.As(err, &re), errors.As(err, &te):
		return err
	case ctx.Err() != nil:
		return context.Cause(ctx)
	case errors.Is(rctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s: no answer to %s within %s", c.addr, r.op, c.cfg.Timeout)
	}
	if u := untrusted(c.addr, err); u != err {
		return u
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		return &NotAXLError{Addr: c.addr, Detail: "it does not speak TLS (is axl_port the node's HTTPS port?)"}
	}
	return fmt.Errorf("%s: %s: %w", c.addr, r.op, err)
}

func (c *Client) fault(op string, body []byte) error {
	r, err := cucm.DecodeAXL(op, body)
	if err != nil || r.Fault == nil {
		return &NotAXLError{Addr: c.addr, Status: http.StatusInternalServerError, Detail: snippet(body)}
	}
	return &FaultError{Op: op, Fault: r.Fault}
}

// cancelBody releases a request's context once its body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// readLimited reads an answer of at most limit bytes; a body cut short
// (the connection dropped before Content-Length bytes came) is an error.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("the answer was cut short after %d bytes", len(data))
		}
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("the answer is larger than %d bytes", limit)
	}
	return data, nil
}

// responseOp reads an answer just far enough to name the element in its
// SOAP body.
func responseOp(body []byte) (xml.Name, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return xml.Name{}, fmt.Errorf("not a SOAP answer: %s", snippet(body))
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		want := map[int]string{0: "Envelope", 1: "Body"}[depth]
		switch {
		case depth == 2:
			return se.Name, nil
		case se.Name.Space == cucm.SOAPEnvNS && se.Name.Local == want:
			depth++
		case depth == 1 && se.Name.Space == cucm.SOAPEnvNS && se.Name.Local == "Header":
			if err := dec.Skip(); err != nil {
				return xml.Name{}, fmt.Errorf("not a SOAP answer: %v", err)
			}
		default:
			return xml.Name{}, fmt.Errorf("not a SOAP answer: <%s> where a SOAP %s belongs", se.Name.Local, want)
		}
	}
}

func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0
	}
	return min(time.Duration(n)*time.Second, maxRetryAfter)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
