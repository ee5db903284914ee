package sshx

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/internal/devsim"
)

// TestWrongEnableSecret: a device that refuses the enable secret is
// reported with its own answer, at once and not as a timeout, the secret
// typed once (no retry that could lock the account) and never repeated.
func TestWrongEnableSecret(t *testing.T) {
	srv, kh := startDevsim(t, func(h *devsim.Host) {
		if h.Platform != devsim.PlatformCUCM {
			h.EnablePassword = "Other-Enable-9"
		}
	})
	for _, tc := range []struct{ host, platform, want string }{
		// The ASA says "Invalid password" and asks again.
		{"asa1", "asa", `enable: refused: device said "Invalid password" (check the enable secret)`},
		// IOS asks again without a word.
		{"sw1", "ios", "enable: refused: the device asked for the secret again (check the enable secret)"},
	} {
		t.Run(tc.host, func(t *testing.T) {
			c, err := Connect(context.Background(), nil, invHost(t, tc.host, tc.platform, srv.Addr(tc.host), kh), quickCfg())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			s, err := c.OpenSession(context.Background(), SessionOptions{})
			if err == nil {
				s.Close()
				t.Fatal("session opened with a wrong enable secret")
			}
			if err.Error() != tc.want {
				t.Errorf("error %q, want %q", err, tc.want)
			}
			if errors.Is(err, ErrNoPrompt) {
				t.Errorf("a refusal reported as a timeout: %v", err)
			}
			if got := srv.Commands(tc.host); !slices.Equal(got, []string{"enable", devsim.Redacted}) {
				t.Errorf("device received %q, want the enable and one secret", got)
			}
		})
	}
}

func TestEnableAnswer(t *testing.T) {
	const secret = "Sshx-Enable-77d0"
	for _, tc := range []struct{ out, want string }{
		{"\r\nInvalid password\r\nPassword: ", "Invalid password"},
		{"\r\nInvalid password\r\nAccess denied.\r\nasa1> ", "Access denied."},
		{"\r\n% Bad secrets\r\n\r\nsw1>", "% Bad secrets"},
		{"\r\nPassword: ", ""},
		{"asa1>", ""},
		{"\r\nbad secret " + secret + "\r\nasa1>", "bad secret " + Redacted},
		{"\r\n" + strings.Repeat("x", 300) + "\r\nasa1>", strings.Repeat("x", 117) + "..."},
	} {
		if got := enableAnswer([]byte(tc.out), secret); got != tc.want {
			t.Errorf("enableAnswer(%q) = %q, want %q", tc.out, got, tc.want)
		}
	}
}
