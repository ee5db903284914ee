package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveEnv(t *testing.T) {
	t.Setenv("KAUDIT_TEST_SET", "s3cret value")
	t.Setenv("KAUDIT_TEST_EMPTY", "")
	os.Unsetenv("KAUDIT_TEST_UNSET")
	tests := []struct {
		ref     SecretRef
		want    string
		wantErr string
	}{
		{SecretRef{"env", "KAUDIT_TEST_SET"}, "s3cret value", ""},
		{SecretRef{"env", "KAUDIT_TEST_EMPTY"}, "", "secret env:KAUDIT_TEST_EMPTY: environment variable is empty"},
		{SecretRef{"env", "KAUDIT_TEST_UNSET"}, "", "secret env:KAUDIT_TEST_UNSET: environment variable is not set"},
		{SecretRef{}, "", "no secret reference set"},
		{SecretRef{"vault", "x"}, "", `secret vault:x: unknown reference kind "vault"`},
	}
	for _, tt := range tests {
		got, err := tt.ref.Resolve()
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: err %v, want %q", tt.ref, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%v: got %q, %v", tt.ref, got, err)
		}
	}
}

func TestResolveFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	write := func(name, content string) string {
		p := filepath.Join(home, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("plain", "pw")
	write("newline", "pw\n")
	write("crlf", "pw\r\n")
	write("two", "pw\n\n")
	write("spaces", " pw \n")
	write("empty", "")
	write("only-newline", "\n")
	write("big", strings.Repeat("x", maxSecretFile+1))
	if err := os.Mkdir(filepath.Join(home, "dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ref, want, wantErr string
	}{
		{"~/plain", "pw", ""},
		{filepath.Join(home, "newline"), "pw", ""},
		{"~/crlf", "pw", ""},
		{"~/two", "pw\n", ""},
		{"~/spaces", " pw ", ""},
		{"~/empty", "", "secret file:~/empty: file is empty"},
		{"~/only-newline", "", "file is empty"},
		{"~/big", "", "file larger than"},
		{"~/dir", "", "secret file:~/dir: not a regular file"},
		{"~/missing", "", "secret file:~/missing: stat " + filepath.Join(home, "missing")},
		{"~root/x", "", "only ~ and ~/ are expanded"},
	}
	for _, tt := range tests {
		got, err := SecretRef{"file", tt.ref}.Resolve()
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err %v, want %q", tt.ref, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "xxxx") {
				t.Errorf("%s: error shows file content", tt.ref)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.ref, got, err, tt.want)
		}
	}
}

func TestSecretRefText(t *testing.T) {
	tests := []struct {
		in      string
		want    SecretRef
		wantErr bool
	}{
		{"env:KAUDIT_PASSWORD", SecretRef{"env", "KAUDIT_PASSWORD"}, false},
		{"file:~/.kaudit/p", SecretRef{"file", "~/.kaudit/p"}, false},
		{"file: /etc/p ", SecretRef{"file", "/etc/p"}, false},
		{"", SecretRef{}, false},
		{"hunter2", SecretRef{}, true},
		{"env:1BAD", SecretRef{}, true},
	}
	for _, tt := range tests {
		var r SecretRef
		err := r.UnmarshalText([]byte(tt.in))
		if (err != nil) != tt.wantErr || r != tt.want {
			t.Errorf("%q: got %v, %v", tt.in, r, err)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: error repeats the input", tt.in)
		}
		if err == nil {
			b, _ := r.MarshalText()
			if string(b) != strings.ReplaceAll(tt.in, " ", "") || r.String() != string(b) {
				t.Errorf("%q: MarshalText %q String %q", tt.in, b, r.String())
			}
		}
	}
}

// TestSecretsNeverLeak plants a canary as the secret value and checks every
// way a host or error can be rendered.
func TestSecretsNeverLeak(t *testing.T) {
	const canary = "CANARY-7f3a9-do-not-print"
	t.Setenv("KAUDIT_TEST_CANARY", canary)
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte(canary+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	inv := mustParse(t, y(fmt.Sprintf(`
hosts:
  sw1:
    platform: ios
    password: {env: KAUDIT_TEST_CANARY}
    enable: {file: %s}
    passphrase: env:KAUDIT_TEST_CANARY
`, pwFile)))
	h := inv.Hosts[0]
	for _, r := range []SecretRef{h.Password, h.Enable, h.Passphrase} {
		v, err := r.Resolve()
		if err != nil || v != canary {
			t.Fatalf("%v resolves to %q, %v", r, v, err)
		}
	}

	var rendered []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		rendered = append(rendered, fmt.Sprintf(verb, h), fmt.Sprintf(verb, inv), fmt.Sprintf(verb, h.Password))
	}
	rendered = append(rendered, h.Password.String(), h.Enable.String(), h.Password.LogValue().String())
	js, _ := json.Marshal(h)
	rendered = append(rendered, string(js), string(Marshal(inv)), inv.Digest())
	var logs bytes.Buffer
	for _, hd := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		l := slog.New(hd)
		l.Info("connect", "host", h, "password", h.Password, "enable", h.Enable)
		l.Info("raw", "h", fmt.Sprint(h), slog.Any("secret", h.Passphrase))
	}
	rendered = append(rendered, logs.String())
	if !strings.Contains(logs.String(), "env:KAUDIT_TEST_CANARY") || !strings.Contains(logs.String(), "file:"+pwFile) {
		t.Errorf("logs do not name the references:\n%s", logs.String())
	}
	for _, s := range rendered {
		if strings.Contains(s, canary) {
			t.Errorf("secret leaked in %q", s)
		}
	}

	// A failing Resolve names the reference only.
	os.Unsetenv("KAUDIT_TEST_CANARY")
	if _, err := h.Password.Resolve(); err == nil || strings.Contains(err.Error(), canary) || !strings.Contains(err.Error(), "KAUDIT_TEST_CANARY") {
		t.Errorf("unset env: %v", err)
	}
	if err := os.WriteFile(pwFile, []byte(canary+strings.Repeat("x", maxSecretFile)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Enable.Resolve(); err == nil || strings.Contains(err.Error(), canary) {
		t.Errorf("oversized file: %v", err)
	}
}

// TestInlineSecretNotEchoed: a password typed into the inventory must not be
// copied into the error that rejects it, which ends up in CI logs.
func TestInlineSecretNotEchoed(t *testing.T) {
	const canary = "Hunter2-CANARY-q8"
	inputs := []string{
		"password: " + canary,
		`password: "` + canary + `"`,
		"password: {value: " + canary + "}",
		"password: {" + canary + ": x}",
		"password: {env: " + canary + "}",
		`password: {env: "` + canary + ` x"}`,
		"password: [" + canary + "]",
		"password: env:" + canary + "!",
		`enable: "file:` + canary + `\a"`,
	}
	for _, in := range inputs {
		data := []byte("hosts:\n  sw1:\n    platform: ios\n    " + in + "\n")
		_, err := Parse("inventory.yaml", data)
		if err == nil {
			t.Errorf("%s: accepted", in)
			continue
		}
		if strings.Contains(err.Error(), canary) {
			t.Errorf("%s: error echoes the secret: %v", in, err)
		}
		var e *Error
		if !errors.As(err, &e) || e.Line != 4 {
			t.Errorf("%s: want an error at line 4, got %v", in, err)
		}
	}
}
