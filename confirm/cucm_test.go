package confirm

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaudit/kaudit/capture"
	"github.com/kaudit/kaudit/capture/clidump"
	"github.com/kaudit/kaudit/collectors/sshx"
	"github.com/kaudit/kaudit/internal/devsim"
	"github.com/kaudit/kaudit/internal/labsim"
	"github.com/kaudit/kaudit/inventory"
	"github.com/kaudit/kaudit/rules"
)

const edge300 = "../testdata/labs/edge-keepalive-expires-300"

// pcapBytes is a testdata capture, readdressed to the case2 lab, as the
// simulated CUCM's capture file.
func pcapBytes(t *testing.T, name string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := clidump.WritePcap(&b, readPcap(t, name)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// serveCUCM serves the case2 lab with cucm-pub capturing as cc, and plans
// a capture at the call manager of the phone on Gi1/0/1.
func serveCUCM(t *testing.T, cc *devsim.CUCMCapture) (*labsim.Lab, *Plan) {
	t.Helper()
	l, snap, findings := startLab(t, case2, func(h *devsim.Host) {
		if h.Name == "cucm-pub" {
			h.CUCMCapture = cc
		}
	})
	p, err := NewPlanAt(snap, l.Inventory, gi101(t, findings), "", AtCUCM)
	if err != nil {
		t.Fatal(err)
	}
	return l, p
}

func TestPlanCUCM(t *testing.T) {
	l, snap, findings := startLab(t, edge300, nil)
	var sip *rules.Finding
	for i := range findings {
		if findings[i].Rule == "sip-profile-timers-inconsistent" {
			sip = &findings[i]
		}
	}
	if sip == nil {
		t.Fatal("edge lab: no sip-profile finding")
	}
	// The lab's test phone is on no switch: no address, nothing to filter on.
	if _, err := NewPlan(snap, l.Inventory, sip, ""); err == nil || !strings.Contains(err.Error(), "no phone with a known IP") {
		t.Errorf("phone without address: %v", err)
	}
	for i := range snap.Phones {
		if snap.Phones[i].Name == sip.Phones[0] {
			snap.Phones[i].IP = "10.30.0.99" // as if registered
		}
	}
	p, err := NewPlan(snap, l.Inventory, sip, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Host != "cucm-pub" || p.Method != MethodCUCM || p.Platform != inventory.PlatformCUCM || p.CMIP != "10.10.10.202" || p.Interface != "eth0" {
		t.Errorf("plan %+v", p)
	}
	p.SetBounds(0, 500)
	c := p.Commands()
	for _, cmd := range append(append(c.Start, c.Fetch), c.Cleanup...) {
		if err := sshx.CaptureAllowed(cmd); err != nil {
			t.Errorf("guard refuses the plan's own %q: %v", cmd, err)
		}
		if sshx.Allowed(cmd) == nil {
			t.Errorf("%q passes an audit's guard", cmd)
		}
	}
	if want := "utils network capture eth0 file " + p.Name + " count 500 size all host ip 10.30.0.99"; c.Start[0] != want {
		t.Errorf("start %q, want %q", c.Start[0], want)
	}
	for _, tc := range []struct {
		at, phone, want string
	}{
		{"asa", "", "capture point"},
		{AtCUCM, "SEP000000000001", "no phone with a known IP"},
	} {
		if _, err := NewPlanAt(snap, l.Inventory, sip, tc.phone, tc.at); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("at %q phone %q: %v, want %q", tc.at, tc.phone, err, tc.want)
		}
	}
}

func TestConfirmCUCMOverSSH(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pcap    string
		packets int
		outcome Outcome
	}{
		{"keepalives lost before the call manager", "seed_case2.pcap", 0, Confirmed},
		{"clean capture", "sip_tcp_vlan.pcap", 0, NotSeen},
		{"packet bound ends the capture", "sip_tcp_vlan.pcap", 5, Inconclusive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, p := serveCUCM(t, &devsim.CUCMCapture{Pcap: pcapBytes(t, tc.pcap)})
			if p.Host != "cucm-pub" || p.PhoneIP != "10.147.230.189" || p.CMIP != "10.10.10.202" {
				t.Fatalf("plan %+v", p)
			}
			res := runFor(t, l, p, tc.packets, tc.outcome)
			if tc.outcome == Confirmed && !slices.ContainsFunc(res.Evidence, func(v capture.Verdict) bool { return slices.Contains(p.Confirming, v.ID) }) {
				t.Errorf("no confirming verdict in %+v", res.Evidence)
			}
			if want := min(len(readPcap(t, tc.pcap)), p.Packets); res.Packets != want {
				t.Errorf("%d packets, want %d", res.Packets, want)
			}
			if res.CleanupErr != nil {
				t.Error(res.CleanupErr)
			}
			got := l.Server.Commands("cucm-pub")
			c := p.Commands()
			for _, want := range []string{c.Start[0], c.Fetch, "y", "127.0.0.1", devsim.Redacted, "/", "yes", c.Cleanup[0]} {
				if !slices.Contains(got, want) {
					t.Errorf("%q not sent; sent %q", want, got)
				}
			}
			if interrupted := slices.Contains(got, "^C"); interrupted != (tc.packets == 0) {
				t.Errorf("Ctrl-C sent %v with packet bound %d", interrupted, tc.packets)
			}
			if f := l.Server.CUCMCaptureFiles("cucm-pub"); len(f) != 0 {
				t.Errorf("left on the node: %v", f)
			}
			if b, err := os.ReadFile(res.Pcap); err != nil || len(b) < 24 {
				t.Errorf("pcap %s: %v", res.Pcap, err)
			}
		})
	}
}

// TestCUCMCleanup: a capture that ignores Ctrl-C times out, a Ctrl-C of
// kaudit's own stops it, and a push that cannot happen fails the fetch;
// the file is deleted from the node every time.
func TestCUCMCleanup(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cc      devsim.CUCMCapture
		cancel  bool
		listen  string
		wantErr error
	}{
		{"capture ignores ctrl-c", devsim.CUCMCapture{IgnoreInterrupt: true}, false, "", sshx.ErrNoPrompt},
		{"ctrl-c while capturing", devsim.CUCMCapture{}, true, "", context.Canceled},
		{"push fails", devsim.CUCMCapture{PushFails: true}, false, "", sshx.ErrRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cc.Pcap = pcapBytes(t, "seed_case2.pcap")
			l, p := serveCUCM(t, &tc.cc)
			l.Inventory.Host("cucm-pub").CommandTimeout = hangTimeout
			p.SetBounds(time.Second, 0)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				p.SetBounds(captureFor, 0)
				go func() {
					for !slices.Contains(l.Server.Commands("cucm-pub"), p.Commands().Start[0]) {
						time.Sleep(20 * time.Millisecond)
					}
					time.Sleep(200 * time.Millisecond)
					cancel()
				}()
			}
			o := opts(t, l)
			o.SFTPListen = tc.listen
			t0 := time.Now()
			res, err := Run(ctx, l.Inventory, p, o)
			if err == nil {
				t.Fatalf("no error; outcome %s", res.Outcome)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			if errors.Is(tc.wantErr, sshx.ErrNoPrompt) {
				wantNoPrompt(t, err)
			}
			stoppedEarly(t, t0)
			if res.Outcome != Inconclusive || res.CleanupErr != nil {
				t.Errorf("outcome %s, cleanup %v", res.Outcome, res.CleanupErr)
			}
			if got := l.Server.Commands("cucm-pub"); !slices.Contains(got, p.Commands().Cleanup[0]) {
				t.Errorf("cleanup not sent; sent %q", got)
			}
			if f := l.Server.CUCMCaptureFiles("cucm-pub"); len(f) != 0 {
				t.Errorf("left on the node: %v", f)
			}
		})
	}
}

// TestCUCMNoJumpAddress: through a jump host the node cannot push back to
// the SSH connection's local address; kaudit says so before capturing.
func TestCUCMListenErrors(t *testing.T) {
	l, p := serveCUCM(t, &devsim.CUCMCapture{Pcap: pcapBytes(t, "seed_case2.pcap")})
	p.SetBounds(time.Second, 0)
	for _, tc := range []struct{ listen, want string }{
		{"0.0.0.0", "specific address"},
		{"not-an-ip", "--sftp-listen"},
		{"192.0.2.1", "SFTP receiver"}, // not this machine's
	} {
		o := opts(t, l)
		o.SFTPListen = tc.listen
		_, err := Run(context.Background(), l.Inventory, p, o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--sftp-listen %s: %v, want %q", tc.listen, err, tc.want)
		}
	}
	if got := l.Server.Commands("cucm-pub"); slices.Contains(got, p.Commands().Start[0]) {
		t.Error("captured although the receiver could not listen")
	}
}

// TestCUCMSecretCanary: the receiver's one-time password never shows in
// the report, errors, debug logs, saved files or what the node recorded.
func TestCUCMSecretCanary(t *testing.T) {
	const canary = "Canary-Sftp-4e1b9c"
	old := newPassword
	newPassword = func() string { return canary }
	defer func() { newPassword = old }()
	for _, fail := range []bool{false, true} { // a transfer, and a failed one
		l, p := serveCUCM(t, &devsim.CUCMCapture{Pcap: pcapBytes(t, "seed_case2.pcap"), PushFails: fail})
		p.SetBounds(time.Second, 0)
		var logs syncBuf
		o := opts(t, l)
		o.SSH.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		res, err := Run(context.Background(), l.Inventory, p, o)
		var text bytes.Buffer
		if res != nil {
			_ = res.WriteText(&text)
		}
		hay := []string{text.String(), logs.String(), strings.Join(l.Server.Commands("cucm-pub"), "\n")}
		if err != nil {
			hay = append(hay, err.Error())
		}
		if (err != nil) != fail {
			t.Fatalf("push fails %v: error %v", fail, err)
		}
		if !strings.Contains(logs.String(), "ssh question answered") {
			t.Error("no debug log of the dialogue: the canary check would prove nothing")
		}
		_ = filepath.WalkDir(o.Dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(path)
				hay = append(hay, string(b))
			}
			return nil
		})
		for i, h := range hay {
			if strings.Contains(h, canary) {
				t.Errorf("push fails %v: the SFTP password leaked in item %d", fail, i)
			}
		}
	}
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func FuzzParseFileGet(f *testing.F) {
	f.Add([]byte("Please wait while the system is gathering files info ...done.\r\nSub-directories were not traversed.\r\nNumber of files affected: 1\r\nTotal size in Bytes: 2702728\r\nTotal size in Kbytes: 2639.3828\r\nWould you like to proceed [y/n]? y\r\n"))
	f.Add([]byte("Number of files affected: 1\nTotal size in Bytes: -3\n"))
	f.Add([]byte("Number of files affected: 1\nNumber of files affected: 2\nTotal size in Bytes: 3\n"))
	f.Add([]byte("\x00\x01binary"))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := ParseFileGet(data)
		if err != nil {
			if info != (FileGetInfo{}) {
				t.Fatalf("error %v with a result %+v", err, info)
			}
			return
		}
		if info.Files < 0 || info.Bytes < 0 {
			t.Fatalf("negative %+v", info)
		}
	})
}

func TestParseFileGet(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want FileGetInfo
		err  string
	}{
		{"Number of files affected: 1\r\nTotal size in Bytes: 24\r\n", FileGetInfo{1, 24}, ""},
		{"Number of files affected: 1\n", FileGetInfo{}, "no file count and size"},
		{"Number of files affected: 1\nTotal size in Bytes: 12x\n", FileGetInfo{}, "file_get.txt:2"},
		{"Total size in Bytes: 1\nTotal size in Bytes: 2\nNumber of files affected: 1", FileGetInfo{}, "twice"},
	} {
		got, err := ParseFileGet([]byte(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v %v, want %+v", tc.in, got, err, tc.want)
		}
	}
}
