package sshx

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/internal/devsim"
)

// confirmEPC are the lines kaudit confirm types for an IOS-XE capture.
var confirmEPC = []string{
	"monitor capture KAUD01 interface GigabitEthernet1/0/1 both",
	"monitor capture KAUD01 match ipv4 host 10.147.230.189 any",
	"monitor capture KAUD01 limit duration 260 packets 10000",
	"monitor capture KAUD01 start",
	"monitor capture KAUD01 stop",
	"no monitor capture KAUD01",
}

func TestCaptureGuard(t *testing.T) {
	capture := map[string]bool{}
	for _, c := range confirmEPC {
		capture[c] = true
	}
	capture["capture KAUD01 interface inside match ip host 10.1.1.20 host 10.2.2.10"] = true
	capture["no capture KAUD01"] = true
	for _, tc := range []struct {
		name    string
		cmd     string
		audit   bool // allowed in an audit session
		confirm bool // allowed in the confirm session above
	}{
		{"show", "show version", true, true},
		{"epc create", confirmEPC[0], false, true},
		{"epc start", "monitor capture KAUD01 start", false, true},
		{"epc remove", "no monitor capture KAUD01", false, true},
		{"asa create", "capture KAUD01 interface inside match ip host 10.1.1.20 host 10.2.2.10", false, true},
		{"asa remove", "no capture KAUD01", false, true},
		{"other capture name", "no capture OTHER", false, false},
		{"other interface", "monitor capture KAUD01 interface GigabitEthernet1/0/2 both", false, false},
		{"no interface", "no interface GigabitEthernet1/0/1", false, false},
		{"configure", "configure terminal", false, false},
		{"smuggled", "no capture KAUD01\nreload", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var audit, confirm guard
			confirm.capture = capture
			_, aerr := audit.check([]byte(tc.cmd), false)
			_, cerr := confirm.check([]byte(tc.cmd), false)
			if (aerr == nil) != tc.audit {
				t.Errorf("audit: %v, want allowed=%v", aerr, tc.audit)
			}
			if (cerr == nil) != tc.confirm {
				t.Errorf("confirm: %v, want allowed=%v", cerr, tc.confirm)
			}
			if aerr != nil && !errors.Is(aerr, ErrRefused) || cerr != nil && !errors.Is(cerr, ErrRefused) {
				t.Errorf("refusal is not ErrRefused: %v / %v", aerr, cerr)
			}
		})
	}
	// Opting into a configuration command does not make it a capture one.
	g := guard{capture: map[string]bool{"no interface GigabitEthernet1/0/1": true}}
	if _, err := g.check([]byte("no interface GigabitEthernet1/0/1"), false); err == nil {
		t.Error("an opted-in configuration command passed the guard")
	}
}

func TestCaptureAllowedForms(t *testing.T) {
	for _, tc := range []struct {
		cmd string
		ok  bool
	}{
		{"monitor capture KAUD01 interface GigabitEthernet1/0/1 both", true},
		{"monitor capture KAUD01 match any", true},
		{"monitor capture KAUD01 buffer size 10", true},
		{"capture KAUD01 buffer 15500000 interface inside match ip host 10.1.1.20 host 10.2.2.10", true},
		{"utils network capture eth0 file KAUD01 count 10000 size all host ip 10.1.1.20", true},
		{"monitor capture KAUD01 export flash:x.pcap", false},
		{"monitor capture KAUD01 interface Gi1/0/1 both ; reload", false},
		{"capture KAUD01 type raw-data interface inside match ip any any", false},
		{"no monitor session 1", false},
		{"monitor capture KAUD01 start ?", false},
		{"interface GigabitEthernet1/0/1", false},
	} {
		err := CaptureAllowed(tc.cmd)
		if (err == nil) != tc.ok {
			t.Errorf("%q: %v, want allowed=%v", tc.cmd, err, tc.ok)
		}
	}
}

// TestCaptureCommandsOnLiveSession: a normal session refuses a capture
// command before it reaches the device; a session opened with it sends it;
// a configuration command among CaptureCommands fails the open.
func TestCaptureCommandsOnLiveSession(t *testing.T) {
	srv, kh := startDevsim(t, func(h *devsim.Host) {
		h.Handler = func(cli string) (string, bool) {
			if strings.HasPrefix(cli, "monitor capture ") || strings.HasPrefix(cli, "no monitor capture ") {
				return "", true
			}
			return "", false
		}
	})
	ctx := context.Background()
	_, audit := openSession(t, srv, kh, "sw1", "ios")
	if _, err := audit.Run(ctx, confirmEPC[0], wait); !errors.Is(err, ErrRefused) {
		t.Fatalf("audit session: %v, want refused", err)
	}
	if slices.Contains(srv.Commands("sw1"), confirmEPC[0]) {
		t.Fatal("the refused capture command reached the device")
	}

	h := invHost(t, "sw1", "ios", srv.Addr("sw1"), kh)
	c, err := Connect(ctx, nil, h, quickCfg())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.OpenSession(ctx, SessionOptions{CaptureCommands: []string{"no interface GigabitEthernet1/0/1"}}); !errors.Is(err, ErrRefused) {
		t.Fatalf("open with a configuration command: %v, want refused", err)
	}
	s, err := c.OpenSession(ctx, SessionOptions{CaptureCommands: confirmEPC})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, cmd := range confirmEPC {
		if _, err := s.Run(ctx, cmd, wait); err != nil {
			t.Errorf("%q: %v", cmd, err)
		}
	}
	for _, cmd := range []string{"no interface GigabitEthernet1/0/1", "monitor capture OTHER start", "reload"} {
		if _, err := s.Run(ctx, cmd, wait); !errors.Is(err, ErrRefused) {
			t.Errorf("%q: %v, want refused", cmd, err)
		}
	}
	got := srv.Commands("sw1")
	for _, cmd := range confirmEPC {
		if !slices.Contains(got, cmd) {
			t.Errorf("%q did not reach the device", cmd)
		}
	}
	if slices.Contains(got, "no interface GigabitEthernet1/0/1") || slices.Contains(got, "reload") {
		t.Error("a refused command reached the device")
	}
}
