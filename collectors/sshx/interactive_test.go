package sshx

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestCUCMFileForms(t *testing.T) {
	for _, tc := range []struct {
		cmd string
		ok  bool
	}{
		{"file get activelog platform/cli/KAUD1A2B.cap", true},
		{"file delete activelog platform/cli/KAUD1A2B.cap noconfirm", true},
		{"utils network capture eth0 file KAUD1A2B count 10000 size all host ip 10.1.1.20", true},
		{"file delete activelog platform/cli/OTHER.cap noconfirm", false},
		{"file delete activelog platform/cli/*.cap noconfirm", false},
		{"file delete activelog platform/cli/KAUD1A2B.cap", false}, // would ask: only the noconfirm form
		{"file delete activelog syslog/messages noconfirm", false},
		{"file get activelog platform/cli/KAUD1A2B.cap reltime days 1", false},
		{"file get activelog syslog/messages", false},
		{"file get activelog platform/cli/../KAUD1A2B.cap", false},
		{"file get install platform/cli/KAUD1A2B.cap", false},
		{"utils network capture eth0 file OTHER count 10 size all host ip 10.1.1.20", false},
		{"file get activelog platform/cli/KAUD1A2B.cap\nutils system restart", false},
	} {
		if err := CaptureAllowed(tc.cmd); (err == nil) != tc.ok {
			t.Errorf("%q: %v, want allowed=%v", tc.cmd, err, tc.ok)
		}
		if Allowed(tc.cmd) == nil {
			t.Errorf("%q passes an audit", tc.cmd)
		}
	}
}

func TestAnswerAllowed(t *testing.T) {
	for _, tc := range []struct {
		kind AnswerKind
		in   string
		ok   bool
	}{
		{AnswerYes, "y", true}, {AnswerYes, "yes", true}, {AnswerYes, "n", false}, {AnswerYes, "y; reload", false},
		{AnswerIP, "10.1.1.5", true}, {AnswerIP, "::1", true}, {AnswerIP, "host.example", false}, {AnswerIP, "010.1.1.5", false},
		{AnswerPort, "22", true}, {AnswerPort, "65536", false}, {AnswerPort, "022", false}, {AnswerPort, "", false},
		{AnswerUser, "kaudit1a2b", true}, {AnswerUser, "a b", false}, {AnswerUser, "", false},
		{AnswerSecret, "0123456789abcdef", true}, {AnswerSecret, "short", false}, {AnswerSecret, "with space x", false}, {AnswerSecret, "ctl\x03chars!", false},
		{AnswerPath, "/", true}, {AnswerPath, "/tmp/x", true}, {AnswerPath, "/../etc", false}, {AnswerPath, "relative", false},
		{AnswerKind(99), "y", false},
	} {
		if err := AnswerAllowed(tc.kind, tc.in); (err == nil) != tc.ok {
			t.Errorf("kind %d %q: %v, want allowed=%v", tc.kind, tc.in, err, tc.ok)
		}
	}
}

// TestAnswerGuard: an answer passes only while armed, once, and a
// refused secret is not repeated; Ctrl-C passes only when armed.
func TestAnswerGuard(t *testing.T) {
	var g guard
	for _, p := range []string{"127.0.0.1", "22", "y", "\x03", "Secret-Pw-00"} {
		if _, err := g.check([]byte(p), false); !errors.Is(err, ErrRefused) {
			t.Errorf("%q outside a dialogue: %v, want refused", p, err)
		}
	}
	g.answer = []byte("127.0.0.1")
	if _, err := g.check([]byte("10.9.9.9"), false); err == nil {
		t.Error("another SFTP server address passed the armed guard")
	}
	if k, err := g.check([]byte("127.0.0.1"), false); err != nil || k != writeAnswer {
		t.Errorf("armed answer: %v %v", k, err)
	}
	if _, err := g.check([]byte("127.0.0.1"), false); err == nil {
		t.Error("an answer passed twice")
	}
	g.answer, g.answerSecret = []byte("Secret-Pw-00"), true
	_, err := g.check([]byte("Secret-Pw-01"), false)
	if err == nil || strings.Contains(err.Error(), "Secret-Pw") {
		t.Errorf("mistyped secret: %v", err)
	}
	g.answer, g.answerSecret = nil, false
	g.interruptOK = true
	if k, err := g.check([]byte("\x03"), false); err != nil || k != writeInterrupt {
		t.Errorf("armed Ctrl-C: %v %v", k, err)
	}
	if _, err := g.check([]byte("\x03"), false); err == nil {
		t.Error("Ctrl-C passed twice")
	}
}

// TestDialogueRefusals: a session runs a dialogue only for the file get
// of its own capture, and checks every answer's form before typing.
func TestDialogueRefusals(t *testing.T) {
	srv, kh := startDevsim(t, nil)
	ctx := context.Background()
	h := invHost(t, "cucm1", "cucm", srv.Addr("cucm1"), kh)
	c, err := Connect(ctx, nil, h, quickCfg())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	get := "file get activelog platform/cli/KAUD01.cap"
	s, err := c.OpenSession(ctx, SessionOptions{CaptureCommands: []string{get}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	q := []Question{{Name: "IP", Match: regexp.MustCompile(`IP: $`), Kind: AnswerIP, Answer: "127.0.0.1"}}
	for _, tc := range []struct {
		cli  string
		qs   []Question
		want string
	}{
		{"file get activelog syslog/messages", q, "not a dialogue"},
		{"show version", q, "not a dialogue"},
		{get, []Question{{Name: "IP", Match: regexp.MustCompile(`IP: $`), Kind: AnswerIP, Answer: "10.1.1.1; reload"}}, "not an IP"},
		{get, []Question{{Name: "password", Match: regexp.MustCompile(`Password: $`), Kind: AnswerSecret, Answer: "bad pw"}}, "password"},
	} {
		_, err := s.Dialogue(ctx, tc.cli, tc.qs, wait)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.cli, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "bad pw") {
			t.Errorf("secret in error %v", err)
		}
	}
	for _, cmd := range srv.Commands("cucm1") {
		if strings.HasPrefix(cmd, "file ") {
			t.Errorf("%q reached the device", cmd)
		}
	}
	// The session is still usable.
	if _, err := s.Run(ctx, "show status", wait); err != nil && !errors.Is(err, ErrRejected) {
		t.Errorf("session after refusals: %v", err)
	}
}
