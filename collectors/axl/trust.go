package axl

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/kaudit/kaudit/inventory"
)

// Trust says how a node's HTTPS certificate is verified. Verification is
// never skipped: with nothing set, the system's roots must vouch for the
// certificate and its name must match the address, which a CUCM's
// self-signed Tomcat certificate does not (the error then gives its
// fingerprint and the settings that would accept it).
type Trust struct {
	// Fingerprint pins the server's certificate by the SHA-256 of its
	// DER bytes (64 hex digits, colons and a "sha256:" prefix allowed):
	// that certificate and no other, whatever signed it. It wins over
	// the settings below.
	Fingerprint string
	// CAFile is a PEM file of the certificates that may sign (or be)
	// the server's certificate; its name must match the address.
	CAFile string
	// KnownHosts is a file of "host:port fingerprint" lines: trust on
	// first use, as ssh's known_hosts. A server not in it is refused
	// unless AcceptNew, which records it; a server whose certificate
	// changed is always refused.
	KnownHosts string
	AcceptNew  bool
}

// Mode names how t verifies, for messages.
func (t Trust) Mode() string {
	switch {
	case t.Fingerprint != "":
		return "pinned fingerprint"
	case t.CAFile != "":
		return "CA file " + t.CAFile
	case t.KnownHosts != "":
		return "known certificates in " + t.KnownHosts
	}
	return "system roots"
}

// TrustError is a server certificate kaudit did not accept. It names the
// certificate's fingerprint, so that it can be checked against the one
// the node shows (CUCM OS Administration, Security, Certificate
// Management, tomcat) before it is pinned.
type TrustError struct {
	Addr        string
	Fingerprint string // of the certificate the server presented
	Reason      string
	Hint        string
}

func (e *TrustError) Error() string {
	s := fmt.Sprintf("certificate of %s (SHA-256 %s) not trusted: %s", e.Addr, e.Fingerprint, e.Reason)
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// hintSettings is what to do about an untrusted certificate.
const hintSettings = "check the fingerprint against the node's tomcat certificate, then set axl_fingerprint to it, axl_ca_file to its issuer, or axl_known_hosts (recorded on a run with --accept-new-host-keys)"

// FingerprintOf is the SHA-256 of a DER certificate as colon-separated
// upper-case hex, as openssl x509 -fingerprint -sha256 prints it.
func FingerprintOf(der []byte) string {
	sum := sha256.Sum256(der)
	return colonHex(sum[:])
}

func colonHex(b []byte) string {
	h := strings.ToUpper(hex.EncodeToString(b))
	var out strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			out.WriteByte(':')
		}
		out.WriteString(h[i : i+2])
	}
	return out.String()
}

// ParseFingerprint reads a SHA-256 fingerprint in FingerprintOf's form or
// as bare hex, with an optional "sha256:" or "SHA256 " prefix, and
// returns it in FingerprintOf's form.
func ParseFingerprint(s string) (string, error) {
	v := strings.TrimSpace(s)
	for _, p := range []string{"sha256:", "sha256 ", "sha256="} {
		if len(v) >= len(p) && strings.EqualFold(v[:len(p)], p) {
			v = strings.TrimSpace(v[len(p):])
		}
	}
	v = strings.ReplaceAll(v, ":", "")
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != sha256.Size {
		return "", fmt.Errorf("fingerprint %q is not a SHA-256 (64 hex digits, colons allowed)", clipString(s, 100))
	}
	return colonHex(b), nil
}

func clipString(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// maxTrustFile bounds a CA or known-certificates file.
const maxTrustFile = 4 << 20

// tlsConfig is the client TLS configuration for host at hostport.
func (t Trust) tlsConfig(host, hostport string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
	switch {
	case t.Fingerprint != "":
		pin, err := ParseFingerprint(t.Fingerprint)
		if err != nil {
			return nil, fmt.Errorf("axl_fingerprint: %w", err)
		}
		// The pin replaces the chain and name checks: the certificate
		// is this one, byte for byte, or the connection fails.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			fp, err := leafFingerprint(cs)
			if err != nil {
				return err
			}
			if fp != pin {
				return &TrustError{Addr: hostport, Fingerprint: fp, Reason: "it is not the pinned certificate " + pin,
					Hint: "the node's certificate changed or this is another server"}
			}
			return nil
		}
	case t.CAFile != "":
		pool, err := loadCAFile(t.CAFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	case t.KnownHosts != "":
		path, err := inventory.ExpandHome(t.KnownHosts)
		if err != nil {
			return nil, fmt.Errorf("axl_known_hosts: %w", err)
		}
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			fp, err := leafFingerprint(cs)
			if err != nil {
				return err
			}
			return checkKnown(path, hostport, fp, t.AcceptNew)
		}
	}
	return cfg, nil
}

func leafFingerprint(cs tls.ConnectionState) (string, error) {
	if len(cs.PeerCertificates) == 0 {
		return "", errors.New("the server presented no certificate")
	}
	return FingerprintOf(cs.PeerCertificates[0].Raw), nil
}

func loadCAFile(name string) (*x509.CertPool, error) {
	path, err := inventory.ExpandHome(name)
	if err != nil {
		return nil, fmt.Errorf("axl_ca_file: %w", err)
	}
	data, err := readSmall(path)
	if err != nil {
		return nil, fmt.Errorf("axl_ca_file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("axl_ca_file %s: no PEM certificate in it", path)
	}
	return pool, nil
}

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxTrustFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxTrustFile {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxTrustFile)
	}
	return data, nil
}

// knownMu serialises the known-certificates files of one process: the
// workers of an audit may record several nodes in one file at once.
var knownMu sync.Mutex

// checkKnown accepts fp for hostport when path lists it, refuses it when
// path lists another certificate for hostport, and otherwise records it
// when acceptNew, refusing it if not.
func checkKnown(path, hostport, fp string, acceptNew bool) error {
	knownMu.Lock()
	defer knownMu.Unlock()
	known, err := readKnown(path)
	if err != nil {
		return err
	}
	if fps, ok := known[hostport]; ok {
		for _, k := range fps {
			if k == fp {
				return nil
			}
		}
		return &TrustError{Addr: hostport, Fingerprint: fp,
			Reason: fmt.Sprintf("%s records another certificate for it (%s)", path, fps[0]),
			Hint:   "the node's certificate changed or this is another server: if the change is expected, remove its line from " + path}
	}
	if !acceptNew {
		return &TrustError{Addr: hostport, Fingerprint: fp, Reason: "it is not in " + path,
			Hint: "check the fingerprint against the node's tomcat certificate, then run once with --accept-new-host-keys to record it"}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("axl_known_hosts: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("axl_known_hosts: %w", err)
	}
	_, err = fmt.Fprintf(f, "%s %s\n", hostport, fp)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("axl_known_hosts: %w", err)
	}
	return nil
}

// readKnown reads a known-certificates file: "host:port fingerprint"
// lines, '#' comments and blank lines. A missing file knows nothing.
func readKnown(path string) (map[string][]string, error) {
	data, err := readSmall(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string][]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("axl_known_hosts: %w", err)
	}
	known := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxTrustFile)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("axl_known_hosts %s:%d: want \"host:port fingerprint\"", path, n)
		}
		fp, err := ParseFingerprint(f[1])
		if err != nil {
			return nil, fmt.Errorf("axl_known_hosts %s:%d: %w", path, n, err)
		}
		known[f[0]] = append(known[f[0]], fp)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("axl_known_hosts %s: %w", path, err)
	}
	return known, nil
}

// untrusted turns the standard verifier's refusal of a certificate into
// a TrustError with its fingerprint and what to set; other errors pass.
func untrusted(hostport string, err error) error {
	var ve *tls.CertificateVerificationError
	if !errors.As(err, &ve) || len(ve.UnverifiedCertificates) == 0 {
		return err
	}
	reason := ve.Err.Error()
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	switch {
	case errors.As(ve.Err, &ua):
		reason = "no trusted authority signed it (a self-signed CUCM Tomcat certificate is not in the system's roots)"
	case errors.As(ve.Err, &hn):
		reason = "it is not issued for this address: " + hn.Error()
	}
	return &TrustError{Addr: hostport, Fingerprint: FingerprintOf(ve.UnverifiedCertificates[0].Raw), Reason: reason, Hint: hintSettings}
}
