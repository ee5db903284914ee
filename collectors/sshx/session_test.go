package sshx

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/internal/devsim"
	"github.com/kaudit/kaudit/inventory"
)

func openSession(t *testing.T, srv *devsim.Server, kh, name, platform string) (*Conn, *Session) {
	t.Helper()
	h := invHost(t, name, platform, srv.Addr(name), kh)
	c, err := Connect(context.Background(), nil, h, quickCfg())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := c.OpenSession(context.Background(), SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return c, s
}

// TestGuardOnLiveSession types tricky commands into a real session: each
// is refused before a byte is sent (the simulator records nothing, and the
// next command arrives clean), and the session stays usable.
func TestGuardOnLiveSession(t *testing.T) {
	srv, kh := startDevsim(t, nil)
	for _, tc := range []struct{ host, platform, probe string }{
		{"sw1", "ios", "show version"},
		{"asa1", "asa", "show version"},
		{"cucm1", "cucm", "run sql select paramname,paramvalue from processconfig where paramname like '%eepalive%'"},
	} {
		t.Run(tc.host, func(t *testing.T) {
			_, s := openSession(t, srv, kh, tc.host, tc.platform)
			before := srv.Commands(tc.host)
			for _, cmd := range []string{
				"reload", "RELOAD", "   reload", " show version", "show version\nreload", "show version\r\nreload",
				"show running-config | redirect flash:leak.txt", "show version ; reload",
				"run sql update device set name='x'", "run sql select name from device ; delete from device",
				"run sql select name from device\ndelete from device", "configure terminal", "terminal length 24",
				"utils system restart", "exit", "write memory", "show version ?",
			} {
				_, err := s.Run(context.Background(), cmd, wait)
				if !errors.Is(err, ErrRefused) {
					t.Errorf("%q: %v, want refused", cmd, err)
				}
			}
			if got := srv.Commands(tc.host); !slices.Equal(got, before) {
				t.Errorf("refused commands reached the device: %q", got[len(before):])
			}
			out, err := s.Run(context.Background(), tc.probe, wait)
			if err != nil || len(out) == 0 {
				t.Fatalf("session unusable after refusals: %v", err)
			}
			got := srv.Commands(tc.host)
			if len(got) != len(before)+1 || got[len(got)-1] != tc.probe {
				t.Errorf("device received %q after the refusals, want just %q", got[len(before):], tc.probe)
			}
		})
	}
}

// TestTransportWrites goes below scrapligo: raw writes to the transport
// are guarded too, and nothing reaches the device.
func TestTransportWrites(t *testing.T) {
	srv, kh := startDevsim(t, nil)
	_, s := openSession(t, srv, kh, "sw1", "ios")
	before := srv.Commands("sw1")
	for _, w := range []string{"reload", "show version\nreload\n", testEnable, "\x03", " ", "show version\x00"} {
		err := s.sh.Write([]byte(w))
		if !errors.Is(err, ErrRefused) {
			t.Errorf("write %q: %v, want refused", w, err)
		}
		if err != nil && strings.Contains(err.Error(), testEnable) {
			t.Errorf("refusal repeats the enable secret: %v", err)
		}
	}
	out, err := s.Run(context.Background(), "show version", wait)
	if err != nil || !strings.Contains(string(out), "Cisco IOS Software") {
		t.Fatalf("show version after refusals: %v %q", err, out)
	}
	if got := srv.Commands("sw1")[len(before):]; !slices.Equal(got, []string{"show version"}) {
		t.Errorf("device received %q", got)
	}
	if sent := s.Sent(); slices.Contains(sent, testEnable) || !slices.Contains(sent, "enable") {
		t.Errorf("Sent() = %q", sent)
	}
}

// TestRunOutputAndRejection: output comes back without echo and prompt; a
// command the device does not know is ErrRejected and the session goes on.
func TestRunOutputAndRejection(t *testing.T) {
	srv, kh := startDevsim(t, nil)
	for _, tc := range []struct{ host, platform, cmd, first, unknown string }{
		{"sw1", "ios", "show running-config", "Building configuration...", "show lldp neighbors detail"},
		{"asa1", "asa", "show version", "Cisco Adaptive Security Appliance Software Version 9.8(4)48", "show arp"},
		{"cucm1", "cucm", "run sql select paramname,paramvalue from processconfig where paramname like '%eepalive%'", "paramname                   paramvalue", "run sql select name from sipprofile"},
	} {
		_, s := openSession(t, srv, kh, tc.host, tc.platform)
		out, err := s.Run(context.Background(), tc.cmd, wait)
		if err != nil {
			t.Fatalf("%s: %v", tc.host, err)
		}
		lines := strings.Split(string(out), "\n")
		if lines[0] != tc.first || strings.Contains(string(out), "\r") || strings.Contains(string(out), tc.cmd) ||
			strings.HasSuffix(strings.TrimSpace(string(out)), "#") || strings.HasSuffix(strings.TrimSpace(string(out)), "admin:") {
			t.Errorf("%s: output keeps framing: %q", tc.host, out)
		}
		_, err = s.Run(context.Background(), tc.unknown, wait)
		if !errors.Is(err, ErrRejected) || !strings.HasPrefix(err.Error(), tc.unknown+": ") {
			t.Errorf("%s %q: %v, want ErrRejected", tc.host, tc.unknown, err)
		}
		if _, err := s.Run(context.Background(), tc.cmd, wait); err != nil {
			t.Errorf("%s: session unusable after a rejection: %v", tc.host, err)
		}
	}
}

// TestRejectionVariants: the parts of a device's rejection that no public
// transcript pins down (internal/devsim/shapes.go) do not matter: IOS
// without the caret line, CUCM with the reason before or after its failure
// marker, an ASA ambiguity with the typed line quoted are all ErrRejected,
// the error names the device's message, and the session goes on.
func TestRejectionVariants(t *testing.T) {
	answers := map[string]string{
		"show clock":          "% Invalid input detected at '^' marker.\n\n",
		"show ntp status":     "No valid command entered\nExecuted command unsuccessfully\n",
		"show network eth0":   "Executed command unsuccessfully\nNo valid command entered\n",
		"show conn count":     "ERROR: % Ambiguous command:  \"show conn count\"\n",
		"show route summary":  "           ^\nERROR: % Invalid input detected at '^' marker.\n",
		"show version":        "Cisco IOS Software, C9300 Software\n",
		"show myself":         "Machine Name    : cucm1\n",
		"show failover state": "Failover Off\n",
	}
	srv, kh := startDevsim(t, func(h *devsim.Host) {
		h.Handler = func(cli string) (string, bool) { out, ok := answers[cli]; return out, ok }
	})
	for _, tc := range []struct{ host, platform, bad, want, good string }{
		{"sw1", "ios", "show clock", "% Invalid input detected at '^' marker.", "show version"},
		{"cucm1", "cucm", "show ntp status", "No valid command entered", "show myself"},
		{"cucm1", "cucm", "show network eth0", "Executed command unsuccessfully", "show myself"},
		{"asa1", "asa", "show conn count", `ERROR: % Ambiguous command:  "show conn count"`, "show failover state"},
		{"asa1", "asa", "show route summary", "ERROR: % Invalid input detected at '^' marker.", "show failover state"},
	} {
		_, s := openSession(t, srv, kh, tc.host, tc.platform)
		_, err := s.Run(context.Background(), tc.bad, wait)
		if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: %v, want ErrRejected naming %q", tc.host, tc.bad, err, tc.want)
		}
		if out, err := s.Run(context.Background(), tc.good, wait); err != nil || len(out) == 0 {
			t.Errorf("%s: session unusable after %q: %v", tc.host, tc.bad, err)
		}
	}
}

// TestRunShared: RunShared returns the same output as Run, in the
// session's buffer (the next command overwrites it, which is why Run
// copies), capped so that appending to it cannot write into the buffer.
func TestRunShared(t *testing.T) {
	srv, kh := startDevsim(t, nil)
	_, s := openSession(t, srv, kh, "sw1", "ios")
	ctx := context.Background()
	kept, err := s.Run(ctx, "show version", wait)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := s.RunShared(ctx, "show version", wait)
	if err != nil {
		t.Fatal(err)
	}
	if string(shared) != string(kept) || cap(shared) != len(shared) {
		t.Fatalf("RunShared: %d bytes (cap %d), Run: %d bytes", len(shared), cap(shared), len(kept))
	}
	// The lab's running config is shorter than its show version, so it
	// fits in the buffer the version was read into.
	config, err := s.Run(ctx, "show running-config", wait)
	if err != nil || len(config) >= len(kept) {
		t.Fatalf("show running-config: %d bytes, %v", len(config), err)
	}
	if string(shared) == string(kept) {
		t.Error("the next command left RunShared's output as it was: it is not the session's buffer")
	}
	if again, err := s.Run(ctx, "show version", wait); err != nil || string(again) != string(kept) {
		t.Errorf("show version read again differs from Run's copy: %v", err)
	}
}

// TestCredentialErrors: secrets that cannot be resolved fail before any
// dial, naming the reference and never retried.
func TestCredentialErrors(t *testing.T) {
	srv, kh := startDevsim(t, nil)
	h := invHost(t, "sw1", "ios", srv.Addr("sw1"), kh)
	h.Password = inventory.SecretRef{Kind: inventory.SecretEnv, Ref: "KAUDIT_SSHX_UNSET_VAR"}
	dials := 0
	cfg := quickCfg()
	cfg.Dialer = func(ctx context.Context, n, a string) (net.Conn, error) { dials++; return nil, errors.New("no") }
	_, err := Connect(context.Background(), nil, h, cfg)
	if err == nil || !strings.Contains(err.Error(), "env:KAUDIT_SSHX_UNSET_VAR") || Retryable(err) || dials != 0 {
		t.Errorf("err %v (retryable %v) after %d dials", err, Retryable(err), dials)
	}
	h.Password = inventory.SecretRef{}
	h.Enable = inventory.SecretRef{}
	if _, err := Connect(context.Background(), nil, h, quickCfg()); err == nil || !strings.Contains(err.Error(), "no credentials") {
		t.Errorf("no credentials: %v", err)
	}
}
