//go:build linux

package live_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"github.com/kaudit/kaudit/internal/testutil"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaudit/kaudit/capture"
	"github.com/kaudit/kaudit/capture/live"
	"github.com/kaudit/kaudit/facts"
)

// The test binary doubles as the capture process run inside a namespace
// (`ip netns exec NS /proc/self/exe`): the capture code is kaudit's own,
// with no build of cmd/kaudit needed.
const helperEnv = "KAUDIT_LIVE_CAPTURE_HELPER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(helperEnv); spec != "" {
		os.Exit(captureHelper(spec))
	}
	os.Exit(m.Run())
}

// captureHelper runs one capture: spec is "IFACE,DURATION,COUNT,FILE".
// It prints "ready" once the socket is open, and the packet count at the
// end; SIGINT ends it as Ctrl-C ends `kaudit pcap capture`.
func captureHelper(spec string) int {
	p := strings.Split(spec, ",")
	if len(p) != 4 {
		fmt.Fprintln(os.Stderr, "bad helper spec", spec)
		return 2
	}
	d, err1 := time.ParseDuration(p[1])
	n, err2 := strconv.Atoi(p[2])
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "bad helper spec", spec)
		return 2
	}
	h, err := live.Open(live.Options{Interface: p[0], Duration: d, Count: n})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer h.Close()
	f, err := os.Create(p[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Println("ready")
	bw := bufio.NewWriter(f)
	st, err := h.Run(ctx, bw)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("packets %d stopped %s drops %d\n", st.Packets, st.Stopped, st.KernelDrops)
	return 0
}

// needTools skips (loudly) without root or the tools, and fails instead
// when KAUDIT_REQUIRE_TOOLS=1, as CI sets it.
func needTools(t *testing.T, tools ...string) map[string]string {
	t.Helper()
	miss := func(why string) {
		t.Helper()
		msg := "live capture test: " + why + " (CI sets KAUDIT_REQUIRE_TOOLS=1 and installs sip-tester tcpdump iproute2 tshark)"
		testutil.MissingTool(t, msg)
	}
	if os.Geteuid() != 0 {
		miss("needs root for network namespaces and packet sockets")
	}
	paths := map[string]string{}
	for _, tool := range tools {
		p, err := exec.LookPath(tool)
		if err != nil {
			miss(tool + " not found in PATH")
		}
		paths[tool] = p
	}
	return paths
}

// run runs one bounded command and fails the test on error.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := runErr(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// toolGuard bounds one run of ip, tc, nft or tshark. It only ends a tool
// that hangs: tshark alone takes seconds to start on a loaded machine (10 s
// once killed it there).
const toolGuard = 2 * time.Minute

func runErr(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), toolGuard)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}

// Lab addresses: all in 198.18.0.0/15 (RFC 2544 benchmarking), inside
// namespaces the test creates; the host's interfaces and routes are never
// touched.
const (
	phoneIP = "198.18.1.10"
	fwPhone = "198.18.1.1"
	fwCM    = "198.18.2.1"
	cmIP    = "198.18.2.10"
)

type lab struct {
	phone, fw, cm string // namespace names
	fwMAC         string // fw's phone-side veth
	loss          string // how fault (a) was injected
}

// addLoss is fault (a): about 30% of what the firewall forwards to the
// call manager is lost. netem does it where the kernel has sch_netem;
// kernels built without it (some microVMs) get the same fault from
// nftables in the firewall's namespace, dropping every third TCP packet
// forwarded to the call manager (deterministic, so never flaky).
func addLoss(t *testing.T, fw string) string {
	t.Helper()
	out, err := runErr("tc", "-n", fw, "qdisc", "add", "dev", "veth-fc", "root", "netem", "loss", "30%")
	if err == nil {
		return "netem loss 30%"
	}
	if !strings.Contains(out, "qdisc kind is unknown") {
		t.Fatalf("tc qdisc add netem: %v\n%s", err, out)
	}
	nft, lerr := exec.LookPath("nft")
	if lerr != nil {
		msg := "netns integration test: this kernel has no netem qdisc and nft (nftables) is not installed for the fallback"
		testutil.MissingTool(t, msg)
	}
	rules := `table inet kaudit_loss {
	chain lossy {
		type filter hook forward priority 0; policy accept;
		oifname "veth-fc" meta l4proto tcp numgen inc mod 3 == 1 counter drop
	}
}
`
	f := filepath.Join(t.TempDir(), "loss.nft")
	if err := os.WriteFile(f, []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "ip", "netns", "exec", fw, nft, "-f", f)
	return "nftables: every third TCP packet to the call manager dropped (no netem in this kernel)"
}

// newLab builds phone -- fw -- cm out of three namespaces and two veth
// pairs, created directly inside the namespaces. The phone has an on-link
// route for 198.18.0.0/16, so it ARPs for the call manager itself, and
// the firewall answers by proxy ARP.
func newLab(t *testing.T) *lab {
	t.Helper()
	b := make([]byte, 3)
	rand.Read(b)
	sfx := hex.EncodeToString(b)
	l := &lab{phone: "kaudit-phone-" + sfx, fw: "kaudit-fw-" + sfx, cm: "kaudit-cm-" + sfx}
	for _, ns := range []string{l.phone, l.fw, l.cm} {
		run(t, "ip", "netns", "add", ns)
		t.Cleanup(func() {
			// Deleting the namespace deletes its veth ends and qdiscs.
			if out, err := runErr("ip", "netns", "delete", ns); err != nil {
				t.Errorf("ip netns delete %s: %v\n%s", ns, err, out)
			}
		})
		// IPv6 router solicitations and DAD would make the packet
		// counts of two captures depend on when each started.
		run(t, "ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
		run(t, "ip", "-n", ns, "link", "set", "lo", "up")
	}
	run(t, "ip", "-n", l.phone, "link", "add", "veth-p", "type", "veth", "peer", "name", "veth-fp", "netns", l.fw)
	run(t, "ip", "-n", l.cm, "link", "add", "veth-c", "type", "veth", "peer", "name", "veth-fc", "netns", l.fw)
	for _, x := range []struct{ ns, dev, addr string }{
		{l.phone, "veth-p", phoneIP + "/24"},
		{l.fw, "veth-fp", fwPhone + "/24"},
		{l.fw, "veth-fc", fwCM + "/24"},
		{l.cm, "veth-c", cmIP + "/24"},
	} {
		run(t, "ip", "-n", x.ns, "addr", "add", x.addr, "dev", x.dev)
		run(t, "ip", "-n", x.ns, "link", "set", x.dev, "up")
	}
	run(t, "ip", "netns", "exec", l.fw, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
	run(t, "ip", "-n", l.phone, "route", "add", "198.18.0.0/16", "dev", "veth-p")
	run(t, "ip", "-n", l.cm, "route", "add", "198.18.1.0/24", "via", fwCM)
	// Fault (b): the firewall answers ARP for what lies behind it.
	run(t, "ip", "netns", "exec", l.fw, "sysctl", "-q", "-w", "net.ipv4.conf.veth-fp.proxy_arp=1")
	l.loss = addLoss(t, l.fw)
	out := run(t, "ip", "-n", l.fw, "-br", "link", "show", "dev", "veth-fp")
	for _, f := range strings.Fields(out) {
		if hw, err := net.ParseMAC(f); err == nil && len(hw) == 6 {
			l.fwMAC = hw.String()
		}
	}
	if l.fwMAC == "" {
		t.Fatalf("no MAC for fw veth-fp in %q", out)
	}
	// Defence in depth: no namespace may have a default route out.
	for _, ns := range []string{l.phone, l.fw, l.cm} {
		if r := run(t, "ip", "-n", ns, "route", "show", "default"); strings.TrimSpace(r) != "" {
			t.Fatalf("namespace %s has a default route: %s", ns, r)
		}
	}
	return l
}

// proc is a background process bounded by a context; stop sends SIGINT
// (Ctrl-C) and waits.
type proc struct {
	name   string
	cmd    *exec.Cmd
	out    *bytes.Buffer
	errOut *bytes.Buffer
	done   chan error
	cancel context.CancelFunc
}

func start(t *testing.T, name string, limit time.Duration, ready func(stdout, stderr *bytes.Buffer) bool, env []string, args ...string) *proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second // then SIGKILL
	cmd.Env = append(os.Environ(), env...)
	p := &proc{name: name, cmd: cmd, out: &bytes.Buffer{}, errOut: &bytes.Buffer{}, done: make(chan error, 1), cancel: cancel}
	ow, ew := &syncBuf{b: p.out}, &syncBuf{b: p.errOut}
	cmd.Stdout, cmd.Stderr = ow, ew
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("%s: %v", name, err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { cancel(); <-p.done })
	if ready != nil {
		// A hang guard: the wait ends when the tool says it is ready.
		deadline := time.Now().Add(readyGuard)
		for !ready(ow.snapshot(), ew.snapshot()) {
			if time.Now().After(deadline) {
				t.Fatalf("%s not ready after %v\nstdout: %s\nstderr: %s", name, readyGuard, ow.snapshot(), ew.snapshot())
			}
			select {
			case err := <-p.done:
				p.done <- err
				t.Fatalf("%s exited early: %v\nstdout: %s\nstderr: %s", name, err, ow.snapshot(), ew.snapshot())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return p
}

// stop interrupts p (if still running) and waits for it.
func (p *proc) stop(t *testing.T) error {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		return err
	default:
	}
	p.cmd.Process.Signal(os.Interrupt)
	err := <-p.done
	p.done <- err
	return err
}

// syncBuf is written by exec's copying goroutine while the test reads
// snapshots. Its lock is a zero-value sync.Mutex: a lock made lazily on
// first use is itself written by both goroutines unguarded.
type syncBuf struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) snapshot() *bytes.Buffer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.NewBuffer(append([]byte(nil), s.b.Bytes()...))
}

const uasXML = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="kaudit test registrar">
  <recv request="REGISTER" crlf="true"/>
  <send>
    <![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]kauditcm[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:1001@198.18.1.10:[remote_port];transport=tcp>;expires=120
Expires: 120
Content-Length: 0

    ]]>
  </send>
</scenario>
`

// The phone refreshes every second: each sipp call is one REGISTER and a
// pause, -l 1 runs them one after the other on the one TCP connection
// (-t t1).
const uacXML = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="kaudit test phone">
  <send>
    <![CDATA[
REGISTER sip:198.18.2.10 SIP/2.0
Via: SIP/2.0/TCP [local_ip]:[local_port];branch=[branch]
From: <sip:1001@198.18.2.10>;tag=[pid]kauditph[call_number]
To: <sip:1001@198.18.2.10>
Call-ID: [call_id]
CSeq: [call_number] REGISTER
Contact: <sip:1001@[local_ip]:[local_port];transport=tcp>
Max-Forwards: 70
Expires: 120
User-Agent: kaudit-netns-test
Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
  <pause milliseconds="1000"/>
</scenario>
`

// registrations: at netem's random 30% loss the chance that not one
// REGISTER (nor the SYN) is dropped is 0.7^15, about 0.5%. The nftables
// fallback drops every third packet, so fewer do, and keep the test well
// inside its minute although each drop costs an RTO.
func registrations(l *lab) int {
	if strings.HasPrefix(l.loss, "netem") {
		return 14
	}
	return 8
}

func TestNetnsRegisterThroughLossyProxyARPFirewall(t *testing.T) {
	tools := needTools(t, "ip", "sipp", "tcpdump", "tc")
	testStart := time.Now()
	l := newLab(t)
	registrations := registrations(l)
	dir := t.TempDir()
	if d := os.Getenv("KAUDIT_NETNS_KEEP"); d != "" {
		dir = d // keep the captures for a look
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	uas, uac := filepath.Join(dir, "uas.xml"), filepath.Join(dir, "uac.xml")
	if err := os.WriteFile(uas, []byte(uasXML), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(uac, []byte(uacXML), 0o644); err != nil {
		t.Fatal(err)
	}

	// Both ends, each with kaudit's capture and tcpdump at once.
	type side struct {
		ns, dev, kfile, tfile string
		k, td                 *proc
	}
	sides := []*side{
		{ns: l.phone, dev: "veth-p", kfile: filepath.Join(dir, "phone.pcap"), tfile: filepath.Join(dir, "phone-tcpdump.pcap")},
		{ns: l.cm, dev: "veth-c", kfile: filepath.Join(dir, "cm.pcap"), tfile: filepath.Join(dir, "cm-tcpdump.pcap")},
	}
	kReady := func(o, _ *bytes.Buffer) bool { return strings.Contains(o.String(), "ready") }
	tReady := func(_, e *bytes.Buffer) bool { return strings.Contains(e.String(), "listening on") }
	// Every process below is stopped once the scenario is done, so its
	// limit only ends a scenario that hangs: scenarioGuard and a little
	// more, in the order they are stopped.
	for _, s := range sides {
		s.k = start(t, "kaudit capture in "+s.ns, scenarioGuard+15*time.Second, kReady,
			[]string{helperEnv + "=" + s.dev + "," + (scenarioGuard + 10*time.Second).String() + ",100000," + s.kfile},
			"ip", "netns", "exec", s.ns, self)
		s.td = start(t, "tcpdump in "+s.ns, scenarioGuard+15*time.Second, tReady, nil,
			"ip", "netns", "exec", s.ns, tools["tcpdump"], "-n", "-U", "--immediate-mode", "-i", s.dev, "-s", "262144", "-c", "100000", "-w", s.tfile)
	}

	registrar := start(t, "sipp UAS", scenarioGuard+10*time.Second, nil, nil,
		"ip", "netns", "exec", l.cm, tools["sipp"], "-sf", uas, "-t", "t1", "-i", cmIP, "-p", "5060",
		// Unbounded in calls (closing the connection after the last
		// REGISTER would fail the phone's last pause): interrupted below.
		"-timeout", sippSeconds(scenarioGuard+5*time.Second), "-nostdin", "-nd")
	waitListening(t, l.cm, 5060)
	phone := start(t, "sipp UAC", scenarioGuard+5*time.Second, nil, nil,
		"ip", "netns", "exec", l.phone, tools["sipp"], cmIP+":5060", "-sf", uac, "-t", "t1", "-i", phoneIP, "-p", "5070",
		"-m", strconv.Itoa(registrations), "-l", "1", "-r", "10", "-timeout", sippSeconds(scenarioGuard), "-timeout_error", "-nostdin")
	uacStart := time.Now()
	if err := waitFor(phone, scenarioGuard+5*time.Second); err != nil {
		t.Fatalf("sipp UAC: %v\n%s\n%s", err, phone.out, phone.errOut)
	}
	t.Logf("sipp UAC: %d REGISTERs in %v", registrations, time.Since(uacStart).Round(time.Millisecond))
	t0 := time.Now()
	registrar.stop(t)
	t.Logf("sipp UAS stopped in %v", time.Since(t0).Round(time.Millisecond))
	// Let the last ACKs and FINs reach both captures, then Ctrl-C them.
	time.Sleep(time.Second)
	for _, s := range sides {
		if err := s.k.stop(t); err != nil {
			t.Fatalf("kaudit capture in %s: %v\n%s", s.ns, err, s.k.errOut)
		}
		if !strings.Contains(s.k.out.String(), "stopped interrupted") {
			t.Errorf("kaudit capture in %s: not stopped by the interrupt: %s", s.ns, s.k.out)
		}
		s.td.stop(t)
	}
	t.Logf("loss: %s", l.loss)
	t.Logf("lab up to captures stopped: %v", time.Since(testStart).Round(time.Millisecond))

	opts := capture.Options{ASAMACs: []string{l.fwMAC}, CallManagers: []string{cmIP}}
	ctx := context.Background()
	counts := map[string]capture.Counts{}
	for _, f := range []string{sides[0].kfile, sides[0].tfile, sides[1].kfile, sides[1].tfile} {
		fa, err := capture.AnalyzeFile(ctx, f, opts)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		counts[f] = fa.Counts
	}
	for _, s := range sides {
		k, td := counts[s.kfile], counts[s.tfile]
		t.Logf("%s: kaudit %d packets, tcpdump %d packets", s.dev, k.Packets, td.Packets)
		// Both run over the same span; at most a straggler apart.
		if d := k.Packets - td.Packets; d < -2 || d > 2 || k.Packets == 0 {
			t.Errorf("%s: kaudit captured %d packets, tcpdump %d", s.dev, k.Packets, td.Packets)
		}
		if k.SIPRegisters != td.SIPRegisters || k.TCPRetransmissions != td.TCPRetransmissions {
			t.Errorf("%s: kaudit file: %d REGISTERs %d retransmissions; tcpdump file: %d, %d",
				s.dev, k.SIPRegisters, k.TCPRetransmissions, td.SIPRegisters, td.TCPRetransmissions)
		}
	}

	pc := counts[sides[0].kfile]
	if pc.SIPRegisters != registrations {
		t.Errorf("phone capture: %d REGISTERs, sipp sent %d", pc.SIPRegisters, registrations)
	}
	if pc.TCPRetransmissions == 0 {
		t.Errorf("phone capture: no TCP retransmission through the loss over %d REGISTERs\n%s", registrations, qdiscStats(l))
	}
	if cc := counts[sides[1].kfile]; cc.SIPRegisters != registrations {
		// TCP delivers every REGISTER in the end, however late.
		t.Errorf("call-manager capture: %d REGISTERs, want %d", cc.SIPRegisters, registrations)
	}

	// Fault (b): at the phone, the firewall's MAC answers for the call
	// manager.
	an, err := capture.Analyze(ctx, sides[0].kfile, opts)
	if err != nil {
		t.Fatal(err)
	}
	fwMAC := facts.NormalizeMAC(l.fwMAC)
	var answered bool
	for _, a := range an.Files[0].ARP.Answers {
		if a.IP != cmIP {
			continue
		}
		for _, m := range a.MACs {
			if facts.NormalizeMAC(m.MAC) == fwMAC && m.Replies > 0 {
				answered = true
			}
		}
	}
	if !answered {
		t.Errorf("phone capture: no ARP reply from the firewall (%s) for %s: %+v", fwMAC, cmIP, an.Files[0].ARP)
	}
	if !hasVerdict(an.Verdicts, "proxy-arp", cmIP) {
		t.Errorf("phone capture: no proxy-arp verdict for %s: %+v", cmIP, an.Verdicts)
	}

	// Fault (a) seen from both ends: the REGISTERs the firewall dropped
	// reached the call manager only with a retransmission, late.
	popts := opts
	popts.LateTolerance = 100 * time.Millisecond
	pair, err := capture.AnalyzePair(ctx, sides[0].kfile, sides[1].kfile, popts)
	if err != nil {
		t.Fatal(err)
	}
	if pair.Pair == nil || pair.Pair.Matched+pair.Pair.NotReceived != registrations {
		t.Fatalf("pair: %+v", pair.Pair)
	}
	var hurt int
	for _, k := range pair.Pair.Keepalives {
		if k.Copies > 1 && (!k.Received || time.Duration(k.Delay) > 100*time.Millisecond) {
			hurt++
		}
	}
	if hurt == 0 && pc.TCPRetransmissions > 0 {
		t.Errorf("pair: no REGISTER retransmitted and delayed or lost, though the phone retransmitted %d segments: %+v", pc.TCPRetransmissions, pair.Pair.Keepalives)
	}
	if hurt > 0 && !hasVerdict(pair.Verdicts, "keepalive-delayed", "") && !hasVerdict(pair.Verdicts, "keepalive-not-received", "") {
		t.Errorf("pair: %d REGISTERs hurt by the loss but no keepalive-delayed/not-received verdict: %+v", hurt, pair.Verdicts)
	}
	t.Logf("phone: %d REGISTERs, %d retransmissions; pair: %d matched, %d not received, %d delayed by loss",
		pc.SIPRegisters, pc.TCPRetransmissions, pair.Pair.Matched, pair.Pair.NotReceived, hurt)

	if bin, err := exec.LookPath("tshark"); err == nil {
		out := run(t, bin, "-n", "-r", sides[0].kfile, "-Y", "sip.Method == \"REGISTER\"", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-e", "sip.Method")
		n := 0
		for _, line := range strings.Split(out, "\n") {
			for _, m := range strings.Split(strings.TrimSpace(line), ",") {
				if m == "REGISTER" {
					n++
				}
			}
		}
		if n != pc.SIPRegisters {
			t.Errorf("tshark finds %d REGISTERs in kaudit's phone capture, capture.Analyze %d", n, pc.SIPRegisters)
		}
	} else {
		t.Log("tshark not installed: REGISTER count not cross-checked")
	}
	// The test is sized to take well under a minute (registrations), but
	// how long it takes is the machine's speed, not a result: logged, not
	// checked.
	t.Logf("integration test took %v", time.Since(testStart).Round(time.Millisecond))
}

// scenarioGuard bounds the phone's REGISTERs (sipp UAC's -timeout). They
// take 13-20 s, on a loaded machine too: the time is the scenario's
// pauses and the dropped packets' retransmission timeouts, not CPU. The
// guard only ends a scenario that hangs.
const scenarioGuard = 90 * time.Second

// sippSeconds writes d as sipp's -timeout wants it.
func sippSeconds(d time.Duration) string { return strconv.Itoa(int(d.Seconds())) + "s" }

func hasVerdict(vs []capture.Verdict, id, cm string) bool {
	for _, v := range vs {
		if v.ID == id && (cm == "" || v.CallManager == cm) {
			return true
		}
	}
	return false
}

func waitFor(p *proc, d time.Duration) error {
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(d):
		return fmt.Errorf("still running after %v", d)
	}
}

// readyGuard bounds the waits for a tool to start: they end as soon as it
// has, so the bound only tells a tool that never starts from a machine
// too busy to start it quickly.
const readyGuard = 30 * time.Second

func waitListening(t *testing.T, ns string, port int) {
	t.Helper()
	deadline := time.Now().Add(readyGuard)
	for time.Now().Before(deadline) {
		out, _ := runErr("ip", "netns", "exec", ns, "ss", "-Hltn", "sport", "=", ":"+strconv.Itoa(port))
		if strings.TrimSpace(out) != "" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listening on TCP %d in %s after %v", port, ns, readyGuard)
}

func qdiscStats(l *lab) string {
	out, _ := runErr("tc", "-n", l.fw, "-s", "qdisc", "show", "dev", "veth-fc")
	nft, _ := runErr("ip", "netns", "exec", l.fw, "nft", "list", "ruleset")
	return l.loss + "\n" + out + nft
}
