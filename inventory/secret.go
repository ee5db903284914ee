package inventory

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Secret reference kinds.
const (
	SecretEnv  = "env"
	SecretFile = "file"
)

// maxSecretFile bounds what Resolve reads: a password file is a line, and a
// path pointing at something big is a mistake, not a secret.
const maxSecretFile = 64 << 10

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// SecretRef says where a secret lives — an environment variable or a file —
// without holding it. The inventory only ever stores references, so a
// resolved inventory can be logged, saved with raw outputs and hashed into
// the run history without carrying a password.
type SecretRef struct {
	Kind string // SecretEnv or SecretFile; "" when no secret is set
	Ref  string // variable name or file path (may start with ~)
}

// IsZero reports whether no secret is set.
func (s SecretRef) IsZero() bool { return s.Kind == "" && s.Ref == "" }

// String renders the reference, e.g. "env:KAUDIT_PASSWORD"; never the value.
func (s SecretRef) String() string {
	if s.IsZero() {
		return ""
	}
	return s.Kind + ":" + s.Ref
}

// LogValue makes slog print the reference, never the value.
func (s SecretRef) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText makes encoders (JSON, YAML) write the reference form.
func (s SecretRef) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the "env:NAME" / "file:PATH" form.
func (s *SecretRef) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = SecretRef{}
		return nil
	}
	r, msg := parseSecretString(string(b))
	if msg != "" {
		return errors.New(msg)
	}
	*s = r
	return nil
}

// Resolve reads the secret. Errors name the reference, never the value.
// An unset or empty variable and an empty file are errors: an empty
// password is almost always a deployment mistake, and failing here is
// clearer than a device rejecting the login.
func (s SecretRef) Resolve() (string, error) {
	switch s.Kind {
	case SecretEnv:
		v, ok := os.LookupEnv(s.Ref)
		if !ok {
			return "", fmt.Errorf("secret %s: environment variable is not set", s)
		}
		if v == "" {
			return "", fmt.Errorf("secret %s: environment variable is empty", s)
		}
		return v, nil
	case SecretFile:
		return s.readFile()
	case "":
		return "", errors.New("no secret reference set")
	default:
		return "", fmt.Errorf("secret %s: unknown reference kind %q (want env or file)", s, s.Kind)
	}
}

func (s SecretRef) readFile() (string, error) {
	p, err := ExpandHome(s.Ref)
	if err != nil {
		return "", fmt.Errorf("secret %s: %w", s, err)
	}
	// Stat before open: opening a FIFO would block until a writer appears.
	fi, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("secret %s: %w", s, err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("secret %s: not a regular file", s)
	}
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("secret %s: %w", s, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("secret %s: read: %w", s, err)
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("secret %s: file larger than %d bytes", s, maxSecretFile)
	}
	v := string(b)
	// One trailing newline is how editors and `echo` end a file; anything
	// more is kept because it may be part of the secret.
	if strings.HasSuffix(v, "\n") {
		v = strings.TrimSuffix(v[:len(v)-1], "\r")
	}
	if v == "" {
		return "", fmt.Errorf("secret %s: file is empty", s)
	}
	return v, nil
}

// ExpandHome replaces a leading "~" or "~/" with the user's home directory.
// Other paths are returned unchanged.
func ExpandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		if strings.HasPrefix(p, "~") {
			return "", fmt.Errorf("%q: only ~ and ~/ are expanded, not ~user", p)
		}
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("expand %q: %w", p, err)
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~")), nil
}

const inlineSecretMsg = "inline secrets are not allowed; use {env: ...} or {file: ...}"

// parseSecretString reads "env:NAME" or "file:PATH". The message it returns
// on failure never repeats the input, which may be a pasted password.
func parseSecretString(v string) (SecretRef, string) {
	kind, ref, ok := strings.Cut(v, ":")
	if !ok || (kind != SecretEnv && kind != SecretFile) {
		return SecretRef{}, inlineSecretMsg
	}
	return checkSecret(kind, strings.TrimSpace(ref))
}

func checkSecret(kind, ref string) (SecretRef, string) {
	switch {
	case ref == "":
		return SecretRef{}, kind + " reference is empty"
	case kind == SecretEnv && !envNameRE.MatchString(ref):
		return SecretRef{}, "env reference is not a variable name (want letters, digits and _)"
	case kind == SecretFile && hasControl(ref, false):
		return SecretRef{}, "file reference contains control characters"
	}
	return SecretRef{Kind: kind, Ref: ref}, ""
}
