package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"github.com/kaudit/kaudit/internal/testutil"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kaudit/kaudit/capture"
)

func TestPcapCaptureUsage(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.pcap")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--duration", "1s", "-w", out}, "--iface is required"},
		{[]string{"--iface", "lo", "-w", out}, "--duration is required"},
		{[]string{"--iface", "lo", "--duration", "-1s", "-w", out}, "--duration is required"},
		{[]string{"--iface", "lo", "--duration", "1s"}, "-w FILE is required"},
		{[]string{"--iface", "lo", "--duration", "1s", "--count", "0", "-w", out}, "--count must be positive"},
		{[]string{"--iface", "lo", "--duration", "1s", "--filter-host", "198.18.2.300", "-w", out}, "--filter-host"},
		{[]string{"--iface", "lo", "--duration", "1s", "--filter-host", "2001:db8::1", "-w", out}, "only IPv4"},
		{[]string{"--iface", "kaudit-none0", "--duration", "1s", "-w", out}, "kaudit-none0"},
		{[]string{"--iface", "lo", "--duration", "1s", "-w", out, "extra"}, "unknown command"},
	} {
		code, _, errOut := kaudit(t, "", append([]string{"pcap", "capture"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("pcap capture %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(tc.args, " "), code, errOut, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("pcap capture %s: left %s behind", strings.Join(tc.args, " "), out)
		}
	}
}

// TestPcapCaptureRuns runs the command in-process on the loopback of a
// namespace of its own (this thread only), so the host is not looked at.
func TestPcapCaptureRuns(t *testing.T) {
	if os.Geteuid() != 0 {
		msg := "pcap capture run: needs root for a network namespace and a packet socket"
		testutil.MissingTool(t, msg)
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		testutil.MissingTool(t, "pcap capture run: ip (iproute2) not found")
	}
	b := make([]byte, 3)
	rand.Read(b)
	ns := "kaudit-cli-" + hex.EncodeToString(b)
	ipc := func(args ...string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if out, err := exec.CommandContext(ctx, ip, args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	ipc("netns", "add", ns)
	t.Cleanup(func() { exec.Command(ip, "netns", "delete", ns).Run() })
	ipc("-n", ns, "link", "set", "lo", "up")

	file := filepath.Join(t.TempDir(), "lo.pcap")
	var code int
	var errOut string
	func() {
		target, err := os.Open("/run/netns/" + ns)
		if err != nil {
			t.Fatal(err)
		}
		defer target.Close()
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			t.Fatal(err)
		}
		defer orig.Close()
		runtime.LockOSThread()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			t.Fatal(err)
		}
		t0 := time.Now()
		code, _, errOut = kaudit(t, "", "pcap", "capture", "--iface", "lo", "--duration", "300ms", "--filter-host", "198.18.1.10", "-w", file)
		// Against the capture's schedule: not before its 300 ms, and not
		// anywhere near 300 s (the duration misread); between the two
		// a loaded machine may take any time.
		if d := time.Since(t0); d < 300*time.Millisecond || d > 30*time.Second {
			t.Errorf("a 300ms capture took %v", d)
		}
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			t.Fatal(err) // the thread stays locked: it dies with the test
		}
		runtime.UnlockOSThread()
	}()
	if code != 0 || !strings.Contains(errOut, "0 packets (0 bytes) captured on lo to "+file+", stopped by duration") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	fa, err := capture.AnalyzeFile(context.Background(), file, capture.Options{})
	if err != nil {
		t.Fatalf("the written capture does not read back: %v", err)
	}
	if fa.Format != "pcap" || fa.LinkType == "" || fa.Counts.Packets != 0 {
		t.Errorf("read back: format %q link %q packets %d", fa.Format, fa.LinkType, fa.Counts.Packets)
	}
}
