package devsim

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// AXL makes a CUCM host also serve Cisco's AXL SOAP API over HTTPS, on a
// 127.0.0.1 port of its own (Server.AXLAddr), from the same lab files the
// CLI prints: executeSQLQuery answers a query kaudit sends with the rows
// of its run sql table (or, when the lab holds it, the saved AXL answer
// axl_<table>.txt as it is), and getCCMVersion names Release. The shapes
// follow Cisco's AXL schema and a CUCM's logged answers (shapes.go).
type AXL struct {
	// Release is what getCCMVersion reports (default axlDefaultRelease).
	Release string
	// Versions are the schema versions the node takes (default
	// axlDefaultVersions); a request in another gets HTTP 599.
	Versions []string
	Faults   AXLFaults
}

// AXLFaults are the failures an AXL service injects.
type AXLFaults struct {
	// Throttle answers the first Throttle requests with HTTP 503, as
	// CUCM does while AXL throttles.
	Throttle int
	// AuthFail refuses every login (HTTP 401).
	AuthFail bool
	// NotAXL answers every request as another web application would
	// (HTTP 404 page).
	NotAXL bool
	// Slow is slept before each executeSQLQuery answer.
	Slow time.Duration
	// Truncate sends half of each executeSQLQuery answer, under a
	// Content-Length of the whole, and drops the connection.
	Truncate bool
	// NoSession sets no session cookie: every request logs in.
	NoSession bool
	// ExpireSession forgets every session cookie after it was used once.
	ExpireSession bool
}

// axlState is a host's AXL service while the server runs.
type axlState struct {
	*AXL
	h    *hostState
	ln   net.Listener
	srv  *http.Server
	cert *x509.Certificate
	keys map[string]string // normalised SQL -> file key

	mu        sync.Mutex
	requests  []string
	logins    int
	throttled int
	sessions  map[string]bool
}

// startAXL listens for h's AXL service on 127.0.0.1.
func (s *Server) startAXL(h *hostState) error {
	a := &axlState{AXL: h.AXL, h: h, keys: map[string]string{}, sessions: map[string]bool{}}
	if a.Release == "" {
		a.Release = axlDefaultRelease
	}
	if len(a.Versions) == 0 {
		a.Versions = axlDefaultVersions
	}
	for cli, k := range h.Keys {
		if sql, ok := strings.CutPrefix(strings.ToLower(normalize(cli)), "run sql "); ok {
			a.keys[sql] = k
		}
	}
	cert, err := axlCertificate(s.opts.Seed, h.Name)
	if err != nil {
		return fmt.Errorf("devsim: host %s: AXL certificate: %w", h.Name, err)
	}
	a.cert = cert.Leaf
	ln, err := (&net.ListenConfig{KeepAlive: -1}).Listen(context.Background(), "tcp4", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("devsim: host %s: AXL listen: %w", h.Name, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		ln.Close()
		return fmt.Errorf("devsim: host %s: AXL listener on %s is not loopback", h.Name, ln.Addr())
	}
	a.ln = ln
	a.srv = &http.Server{
		Handler:           a,
		ReadHeaderTimeout: s.opts.HandshakeTimeout,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		// Handshakes a test refuses on purpose are no news.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	h.axl = a
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := a.srv.ServeTLS(ln, "", "")
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Debug("devsim axl", "host", h.Name, "err", err)
		}
	}()
	return nil
}

// axlCertificate is a self-signed certificate for 127.0.0.1 named after
// the host, as a CUCM's Tomcat certificate is self-signed for its name.
// With a seed the key and certificate are the same every run.
func axlCertificate(seed []byte, name string) (tls.Certificate, error) {
	var priv ed25519.PrivateKey
	serial := new(big.Int)
	if seed == nil {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return tls.Certificate{}, err
		}
		priv = k
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return tls.Certificate{}, err
		}
		serial.SetBytes(b)
	} else {
		sum := sha256.Sum256([]byte(string(seed) + "\x00axl\x00" + name))
		priv = ed25519.NewKeyFromSeed(sum[:])
		serial.SetBytes(sum[:16])
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Organization: []string{"devsim"}},
		NotBefore:             time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{name},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv, Leaf: leaf}, nil
}

// maxAXLRequest bounds a request body the simulator reads.
const maxAXLRequest = 1 << 20

func (a *axlState) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := a.h
	if h.Latency > 0 && !sleepCtx(r.Context(), h.Latency) {
		return
	}
	if a.Faults.NotAXL || r.URL.Path != "/axl/" {
		a.record(r.Method + " " + r.URL.Path)
		a.page(w, http.StatusNotFound, axlNotFoundText)
		return
	}
	if !a.authorized(w, r) {
		a.record("login refused")
		w.Header().Set("WWW-Authenticate", axlBasicRealm)
		a.page(w, http.StatusUnauthorized, axlUnauthorizedText)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAXLRequest))
	if err != nil {
		return
	}
	op, ver, sql := readAXLRequest(body)
	a.record(strings.TrimSpace(op + " " + sql))
	if a.throttle() {
		a.page(w, http.StatusServiceUnavailable, axlThrottledText)
		return
	}
	if !a.takes(ver) {
		a.page(w, statusBadVersion, fmt.Sprintf(axlBadVersionFormat, a.versionList()))
		return
	}
	switch op {
	case "getCCMVersion":
		a.answer(w, op, ver, fmt.Sprintf(axlVersionReturnFormat, xmlText(a.Release)))
	case "executeSQLQuery":
		if a.Faults.Slow > 0 && !sleepCtx(r.Context(), a.Faults.Slow) {
			return
		}
		rows, err := a.rows(sql)
		if err != nil {
			a.fault(w, op, -1, err.Error())
			return
		}
		if raw, ok := rows.([]byte); ok {
			a.send(w, raw)
			return
		}
		a.answer(w, op, ver, rows.(string))
	default:
		a.fault(w, op, 5000, axlNotImplemented)
	}
}

// statusBadVersion is CUCM's answer to an unsupported schema version
// (shapes.go, axlBadVersionFormat).
const statusBadVersion = 599

// authorized accepts a session cookie it issued, else basic credentials
// (then issuing a cookie).
func (a *axlState) authorized(w http.ResponseWriter, r *http.Request) bool {
	h := a.h
	if c, err := r.Cookie(axlSessionCookie); err == nil {
		a.mu.Lock()
		ok := a.sessions[c.Value]
		if ok && a.Faults.ExpireSession {
			delete(a.sessions, c.Value)
		}
		a.mu.Unlock()
		if ok {
			return true
		}
	}
	user, pw, ok := r.BasicAuth()
	if !ok || a.Faults.AuthFail || !h.authOK(user, []byte(pw)) {
		return false
	}
	a.mu.Lock()
	a.logins++
	a.mu.Unlock()
	if !a.Faults.NoSession {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		v := strings.ToUpper(hex.EncodeToString(b))
		a.mu.Lock()
		a.sessions[v] = true
		a.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: axlSessionCookie, Value: v, Path: "/", Secure: true, HttpOnly: true})
	}
	return true
}

func (a *axlState) throttle() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.throttled < a.Faults.Throttle {
		a.throttled++
		return true
	}
	return false
}

func (a *axlState) takes(ver string) bool {
	for _, v := range a.Versions {
		if v == ver {
			return true
		}
	}
	return false
}

// versionList writes the versions as CUCM lists them: "12.x, 14.0 and
// 15.0".
func (a *axlState) versionList() string {
	vs := a.Versions
	if len(vs) == 1 {
		return vs[0]
	}
	return fmt.Sprintf(axlVersionListFormat, strings.Join(vs[:len(vs)-1], ", "), vs[len(vs)-1])
}

func (a *axlState) record(s string) {
	a.mu.Lock()
	if len(a.requests) < maxRecorded {
		a.requests = append(a.requests, s)
	}
	a.mu.Unlock()
}

func (a *axlState) page(w http.ResponseWriter, code int, text string) {
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.WriteHeader(code)
	fmt.Fprintf(w, axlErrorPageFormat, code, text)
}

func (a *axlState) answer(w http.ResponseWriter, op, ver, inner string) {
	var b bytes.Buffer
	b.WriteString(axlEnvelopeOpen)
	fmt.Fprintf(&b, axlResponseOpenFormat, op, ver)
	b.WriteString(inner)
	fmt.Fprintf(&b, axlResponseCloseFormat, op)
	b.WriteString(axlEnvelopeClose)
	a.send(w, b.Bytes())
}

// send writes an answer, or under Truncate half of it before dropping
// the connection.
func (a *axlState) send(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "text/xml;charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if a.Faults.Truncate && bytes.Contains(body, []byte("executeSQLQueryResponse")) {
		_, _ = w.Write(body[:len(body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	_, _ = w.Write(body)
}

func (a *axlState) fault(w http.ResponseWriter, op string, code int, msg string) {
	w.Header().Set("Content-Type", "text/xml;charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	var b bytes.Buffer
	b.WriteString(axlEnvelopeOpen)
	fmt.Fprintf(&b, axlFaultFormat, xmlText(msg), code, op)
	b.WriteString(axlEnvelopeClose)
	_, _ = w.Write(b.Bytes())
}

// rows answers a query from the lab: the saved AXL answer ([]byte) when
// there is one, else the return element's rows (string) cut from the run
// sql table.
func (a *axlState) rows(sql string) (any, error) {
	k := a.keys[strings.ToLower(normalize(sql))]
	if k == "" {
		k = sqlKey("run sql " + sql)
	}
	if k == "" || !safeKey(k) {
		return nil, errors.New(axlNoLabOutput)
	}
	if raw, err := os.ReadFile(filepath.Join(a.h.Dir, "axl_"+strings.TrimPrefix(k, "sql_")+".txt")); err == nil {
		return raw, nil
	}
	data, err := os.ReadFile(filepath.Join(a.h.Dir, k+".txt"))
	if err != nil {
		return nil, errors.New(axlNoLabOutput)
	}
	cols, rows := labTable(data)
	if cols == nil {
		return nil, errors.New(axlNoLabOutput)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("<row>")
		for i, c := range cols {
			v := ""
			if i < len(r) {
				v = r[i]
			}
			if v == "NULL" || v == "" {
				fmt.Fprintf(&b, axlNullFormat, c, c)
				continue
			}
			fmt.Fprintf(&b, "<%s>%s</%s>", c, xmlText(v), c)
		}
		b.WriteString("</row>")
	}
	return b.String(), nil
}

var underlineRE = regexp.MustCompile(`=+`)

// labTable cuts a saved run sql table into its column names and cells:
// the line of '=' runs gives the columns, the line above it their names,
// and each line below until a blank line or the prompt a row, cut at the
// runs by characters. nil when there is no underline.
func labTable(data []byte) (cols []string, rows [][]string) {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r", ""), "\n")
	for i := 1; i < len(lines); i++ {
		ul := lines[i]
		if strings.Trim(ul, "= ") != "" || !strings.Contains(ul, "=") {
			continue
		}
		spans := underlineRE.FindAllStringIndex(ul, -1)
		cut := func(line string) []string {
			r := []rune(line)
			out := make([]string, len(spans))
			for j, sp := range spans {
				end := len(r)
				if j+1 < len(spans) {
					end = min(end, spans[j+1][0])
				}
				if sp[0] < end {
					out[j] = strings.TrimSpace(string(r[sp[0]:end]))
				}
			}
			return out
		}
		cols = cut(lines[i-1])
		for _, l := range lines[i+1:] {
			if strings.TrimSpace(l) == "" || strings.HasPrefix(l, cucmPromptText) {
				break
			}
			rows = append(rows, cut(l))
		}
		return cols, rows
	}
	return nil, nil
}

// readAXLRequest names a request's operation, its schema version (from
// the operation's namespace) and, for executeSQLQuery, its SQL. A body it
// cannot read names no operation.
func readAXLRequest(body []byte) (op, ver, sql string) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	depth := 0
	inSQL := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return op, ver, sql
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 3 {
				op = t.Name.Local
				ver = strings.TrimPrefix(t.Name.Space, "http://www.cisco.com/AXL/API/")
			}
			inSQL = depth == 4 && t.Name.Local == "sql"
		case xml.EndElement:
			depth--
			inSQL = false
		case xml.CharData:
			if inSQL {
				sql += string(t)
			}
		}
	}
}

func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// AXLAddr is the host's AXL "127.0.0.1:PORT", or "" when it serves none.
func (s *Server) AXLAddr(host string) string {
	if h := s.byName[host]; h != nil && h.axl != nil {
		return h.axl.ln.Addr().String()
	}
	return ""
}

// AXLCertificate is the certificate the host's AXL service presents.
func (s *Server) AXLCertificate(host string) *x509.Certificate {
	if h := s.byName[host]; h != nil && h.axl != nil {
		return h.axl.cert
	}
	return nil
}

// AXLRequests lists what the host's AXL service was asked, in order:
// "executeSQLQuery SQL", "getCCMVersion", "login refused", or the method
// and path of a request to another path.
func (s *Server) AXLRequests(host string) []string {
	h := s.byName[host]
	if h == nil || h.axl == nil {
		return nil
	}
	h.axl.mu.Lock()
	defer h.axl.mu.Unlock()
	return append([]string(nil), h.axl.requests...)
}

// AXLLogins counts the logins with credentials the host's AXL service
// took (a request with a session cookie is no login).
func (s *Server) AXLLogins(host string) int {
	h := s.byName[host]
	if h == nil || h.axl == nil {
		return 0
	}
	h.axl.mu.Lock()
	defer h.axl.mu.Unlock()
	return h.axl.logins
}
