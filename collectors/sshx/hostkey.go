package sshx

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// ErrHostKey marks a host key that was not accepted: unknown, changed or
// revoked. It is never worth a retry.
var ErrHostKey = errors.New("host key not accepted")

// HostKeyError says why a host key was not accepted. It names the address
// as written in known_hosts and the SHA256 fingerprints involved, never
// anything secret.
type HostKeyError struct {
	Addr      string // normalised: host or [host]:port
	File      string
	Presented string   // SHA256 fingerprint and type of the key the server showed
	Known     []string // "file:line SHA256:... (type)" of the keys on record
	Changed   bool     // keys are on record and none matches
	Revoked   bool
}

func (e *HostKeyError) Error() string {
	switch {
	case e.Revoked:
		return fmt.Sprintf("host key for %s is revoked in %s: %s", e.Addr, e.File, e.Presented)
	case e.Changed:
		return fmt.Sprintf("host key mismatch for %s: known_hosts has %s, the device presented %s; "+
			"if the device was really replaced, remove the old key (ssh-keygen -R '%s' -f %s) and connect again",
			e.Addr, strings.Join(e.Known, ", "), e.Presented, e.Addr, e.File)
	}
	return fmt.Sprintf("unknown host key for %s (%s): not in %s; check the fingerprint and add it, "+
		"or allow trust on first use (accept new host keys)", e.Addr, e.Presented, e.File)
}

func (e *HostKeyError) Unwrap() error { return ErrHostKey }

func describeKey(k ssh.PublicKey) string {
	return fmt.Sprintf("%s (%s)", ssh.FingerprintSHA256(k), k.Type())
}

// DefaultKnownHosts is the user's OpenSSH known_hosts file.
func DefaultKnownHosts() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("known_hosts: %w", err)
	}
	return filepath.Join(home, ".ssh", "known_hosts"), nil
}

// fileLocks serialises trust-on-first-use appends per known_hosts file:
// many workers may meet the same new jump host at once, and each must see
// the line another one just wrote instead of adding a duplicate.
var fileLocks sync.Map // absolute path -> *sync.Mutex

func lockFile(path string) func() {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	m, _ := fileLocks.LoadOrStore(abs, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// hostKeys checks server keys against one known_hosts file.
type hostKeys struct {
	file      string
	acceptNew bool
	// recorded reports a key added under trust on first use (for logs).
	recorded func(addr, fingerprint string)
}

// parsedFiles caches parsed known_hosts files by path, size and mtime:
// parsing a file of N hosts for each of N devices would make a large
// audit quadratic, while a changed file (a key recorded under trust on
// first use, or by the user) is still read afresh.
var parsedFiles sync.Map // path -> *parsedFile

type parsedFile struct {
	size  int64
	mtime time.Time
	cb    ssh.HostKeyCallback
}

// load returns the checker of the file as it is now, so that keys
// recorded by other connections (or the user) since the audit started are
// seen. A missing file is an empty one.
func (hk *hostKeys) load() (ssh.HostKeyCallback, error) {
	st, err := os.Stat(hk.file)
	if errors.Is(err, fs.ErrNotExist) {
		return func(string, net.Addr, ssh.PublicKey) error { return &knownhosts.KeyError{} }, nil
	}
	if err == nil {
		if v, ok := parsedFiles.Load(hk.file); ok {
			pf := v.(*parsedFile)
			if pf.size == st.Size() && pf.mtime.Equal(st.ModTime()) {
				return pf.cb, nil
			}
		}
	}
	cb, err := knownhosts.New(hk.file)
	if errors.Is(err, fs.ErrNotExist) {
		return func(string, net.Addr, ssh.PublicKey) error { return &knownhosts.KeyError{} }, nil
	}
	if err != nil {
		return nil, fmt.Errorf("known_hosts %s: %w", hk.file, err)
	}
	// x/crypto has parsed and checked the file; when every entry is a
	// plain host, a lookup answers the same in constant time.
	if icb, ok, ierr := indexKnownHosts(hk.file); ierr == nil && ok {
		cb = icb
	}
	if st != nil {
		parsedFiles.Store(hk.file, &parsedFile{size: st.Size(), mtime: st.ModTime(), cb: cb})
	}
	return cb, nil
}

func (hk *hostKeys) callback() ssh.HostKeyCallback {
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := hk.check(hostname, remote, key)
		if err == nil || !hk.acceptNew {
			return err
		}
		var he *HostKeyError
		if !errors.As(err, &he) || he.Changed || he.Revoked {
			return err
		}
		unlock := lockFile(hk.file)
		defer unlock()
		// Another connection may have recorded this host meanwhile.
		if err := hk.check(hostname, remote, key); !errors.As(err, &he) || he.Changed || he.Revoked {
			return err
		}
		if err := appendKnownHost(hk.file, hostname, key); err != nil {
			return err
		}
		if hk.recorded != nil {
			hk.recorded(knownhosts.Normalize(hostname), ssh.FingerprintSHA256(key))
		}
		return nil
	}
}

func (hk *hostKeys) check(hostname string, remote net.Addr, key ssh.PublicKey) error {
	cb, err := hk.load()
	if err != nil {
		return err
	}
	if remote == nil {
		remote = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}
	}
	err = cb(hostname, remote, key)
	if err == nil {
		return nil
	}
	he := &HostKeyError{Addr: knownhosts.Normalize(hostname), File: hk.file, Presented: describeKey(key)}
	var ke *knownhosts.KeyError
	var re *knownhosts.RevokedError
	switch {
	case errors.As(err, &ke):
		for _, w := range ke.Want {
			he.Known = append(he.Known, fmt.Sprintf("%s:%d %s", w.Filename, w.Line, describeKey(w.Key)))
		}
		he.Changed = len(ke.Want) > 0
		return he
	case errors.As(err, &re):
		he.Revoked = true
		return he
	}
	return fmt.Errorf("host key for %s: %w", he.Addr, err)
}

// knownTypes lists the key types on record for hostname, found by asking
// the knownhosts callback about a key that cannot be there: its KeyError
// lists every key it would have accepted, hashed host names included.
func (hk *hostKeys) knownTypes(hostname string) []string {
	cb, err := hk.load()
	if err != nil {
		return nil
	}
	err = cb(hostname, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, probeKey)
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) {
		return nil
	}
	var types []string
	for _, w := range ke.Want {
		if !slices.Contains(types, w.Key.Type()) {
			types = append(types, w.Key.Type())
		}
	}
	return types
}

// probeKey is a key no known_hosts file lists (it is derived from a fixed
// seed that exists nowhere else and never signs anything).
var probeKey = func() ssh.PublicKey {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, "kaudit known_hosts probe key")
	k, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(seed).Public())
	if err != nil {
		panic(err)
	}
	return k
}()

func appendKnownHost(file, hostname string, key ssh.PublicKey) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return fmt.Errorf("record host key: %w", err)
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("record host key: %w", err)
	}
	line := knownhosts.Line([]string{hostname}, key) + "\n"
	// A file whose last line lacks its newline would glue the new entry to it.
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		if last, err := lastByte(file); err == nil && last != '\n' {
			line = "\n" + line
		}
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return fmt.Errorf("record host key in %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("record host key in %s: %w", file, err)
	}
	return nil
}

func lastByte(file string) (byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, st.Size()-1); err != nil {
		return 0, err
	}
	return b[0], nil
}

// hostKeyAlgorithms orders the host key algorithms so that the server
// presents a key of a type already on record when it has several; without
// this a server with an RSA and an Ed25519 key could show the one not in
// known_hosts and look changed.
func hostKeyAlgorithms(known []string, allowed []string) []string {
	var out []string
	for _, t := range known {
		for _, a := range algorithmsForKeyType(t) {
			if slices.Contains(allowed, a) && !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	for _, a := range allowed {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

func algorithmsForKeyType(t string) []string {
	switch t {
	case ssh.KeyAlgoRSA:
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	case ssh.CertAlgoRSAv01:
		return []string{ssh.CertAlgoRSASHA512v01, ssh.CertAlgoRSASHA256v01, ssh.CertAlgoRSAv01}
	}
	return []string{t}
}
