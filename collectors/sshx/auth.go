package sshx

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/kaudit/kaudit/inventory"
)

// maxKeyFile bounds a private key file; real ones are a few KiB.
const maxKeyFile = 1 << 20

// secrets are a host's resolved credentials. They live only in memory, are
// passed to the SSH layer and the enable prompt, and are scrubbed from
// everything kaudit writes (errors, logs, saved outputs).
type secrets struct {
	password   string
	enable     string
	passphrase string // set when an encrypted private key was opened
}

// list returns the secret values worth scrubbing from text.
func (s *secrets) list() []string {
	var out []string
	for _, v := range []string{s.password, s.enable, s.passphrase} {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Redacted replaces a secret found in text.
const Redacted = "<redacted>"

// redact replaces every secret in s. Secrets shorter than 4 characters are
// left alone: replacing "ab" everywhere would mangle device output more
// than it protects anything.
func redact(s string, secret []string) string {
	for _, v := range secret {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, Redacted)
		}
	}
	return s
}

// resolveSecrets reads the host's password and, with enable set, its
// enable secret (a jump host's enable is never used, so an unset one must
// not stop the connection).
func resolveSecrets(h *inventory.Host, enable bool, cache *SecretCache) (*secrets, error) {
	s := &secrets{}
	var err error
	if !h.Password.IsZero() {
		if s.password, err = cache.resolve(h.Password); err != nil {
			return nil, fmt.Errorf("password: %w", err)
		}
	}
	if enable && !h.Enable.IsZero() {
		if s.enable, err = cache.resolve(h.Enable); err != nil {
			return nil, fmt.Errorf("enable: %w", err)
		}
		if strings.ContainsAny(s.enable, "\r\n") {
			return nil, fmt.Errorf("enable: secret %s contains a line end", h.Enable)
		}
	}
	return s, nil
}

// SecretCache reads each secret file once for all the hosts that name it:
// an inventory usually gives a whole group one password file, and an
// audit of a thousand devices would otherwise open it a thousand times.
// A failed read is remembered too, so every host reports the same error.
// Environment variables are looked up each time (no file to open). A nil
// cache reads every time. It lives as long as one audit.
type SecretCache struct {
	mu    sync.Mutex
	files map[string]cachedSecret
}

// String keeps the values out of anything that prints the cache.
func (c *SecretCache) String() string { return "sshx.SecretCache{" + Redacted + "}" }

type cachedSecret struct {
	v   string
	err error
}

// Resolve reads a secret through the cache: a file once per audit.
// Collectors other than SSH's (AXL) use it so that a password file is
// read once for every transport.
func (c *SecretCache) Resolve(ref inventory.SecretRef) (string, error) { return c.resolve(ref) }

func (c *SecretCache) resolve(ref inventory.SecretRef) (string, error) {
	if c == nil || ref.Kind != inventory.SecretFile {
		return ref.Resolve()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.files[ref.Ref]; ok {
		return r.v, r.err
	}
	v, err := ref.Resolve()
	if c.files == nil {
		c.files = map[string]cachedSecret{}
	}
	c.files[ref.Ref] = cachedSecret{v, err}
	return v, err
}

// authMethods builds the methods x/crypto/ssh tries in order: the agent,
// the private key, the password, keyboard-interactive answered with the
// password. The returned closer releases the agent socket.
func authMethods(h *inventory.Host, sec *secrets) ([]ssh.AuthMethod, io.Closer, error) {
	var methods []ssh.AuthMethod
	var closer io.Closer = nopCloser{}
	if h.SSHAgent {
		sock := os.Getenv("SSH_AUTH_SOCK")
		if sock == "" {
			return nil, nil, errors.New("ssh_agent is set but SSH_AUTH_SOCK is not")
		}
		c, err := net.Dial("unix", sock)
		if err != nil {
			return nil, nil, fmt.Errorf("ssh agent: %w", err)
		}
		closer = c
		methods = append(methods, ssh.PublicKeysCallback(agent.NewClient(c).Signers))
	}
	if h.PrivateKey != "" {
		signer, err := loadKey(h, sec)
		if err != nil {
			closer.Close()
			return nil, nil, err
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if sec.password != "" {
		pw := sec.password
		methods = append(methods,
			ssh.Password(pw),
			ssh.KeyboardInteractive(func(user, _ string, questions []string, echos []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range questions {
					// An echoed question asks for something public
					// (a user name); only hidden ones get the password.
					if i < len(echos) && echos[i] {
						answers[i] = h.Username
					} else {
						answers[i] = pw
					}
				}
				return answers, nil
			}))
	}
	if len(methods) == 0 {
		closer.Close()
		return nil, nil, errors.New("no credentials: set password, private_key or ssh_agent in the inventory")
	}
	return methods, closer, nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

func loadKey(h *inventory.Host, sec *secrets) (ssh.Signer, error) {
	path, err := inventory.ExpandHome(h.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("private_key: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("private_key: %w", err)
	}
	defer f.Close()
	pem, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("private_key %s: %w", path, err)
	}
	if len(pem) > maxKeyFile {
		return nil, fmt.Errorf("private_key %s: larger than %d bytes, not a key", path, maxKeyFile)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		if h.Passphrase.IsZero() {
			return nil, fmt.Errorf("private_key %s is encrypted and no passphrase is set", path)
		}
		pass, perr := h.Passphrase.Resolve()
		if perr != nil {
			return nil, fmt.Errorf("passphrase: %w", perr)
		}
		sec.passphrase = pass
		signer, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(pass))
		if err != nil {
			// x/crypto's messages never include the passphrase.
			return nil, fmt.Errorf("private_key %s with passphrase %s: %w", path, h.Passphrase, err)
		}
		return signer, nil
	}
	if err != nil {
		return nil, fmt.Errorf("private_key %s: %w", path, err)
	}
	return signer, nil
}
