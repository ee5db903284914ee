package confirm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/gopacket/pcapgo"

	"github.com/kaudit/kaudit/capture"
	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/collectors/sshx"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/internal/devsim"
	"github.com/kaudit/kaudit/internal/labsim"
	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/rules"
)

const case2 = "../testdata/labs/case2-port-security-aging"

// The generator's seed-case phone and CUCM, and the case2 lab's phone on
// Gi1/0/1 and its primary: the lab capture is readdressed to the lab.
var remap = map[[4]byte][4]byte{
	{10, 60, 98, 210}: {10, 147, 230, 189},
	{10, 60, 1, 11}:   {10, 10, 10, 202},
}

// readPcap loads a testdata capture, readdressing IPv4 headers with remap.
func readPcap(t testing.TB, name string) []Packet {
	t.Helper()
	return readPcapAs(t, name, remap)
}

// readPcapAs loads a testdata capture, readdressing IPv4 headers with m.
func readPcapAs(t testing.TB, name string, m map[[4]byte][4]byte) []Packet {
	t.Helper()
	return readPcapPath(t, filepath.Join("testdata", name), m)
}

// readPcapPath loads the pcap at path (readdressed with m, when not nil).
func readPcapPath(t testing.TB, path string, m map[[4]byte][4]byte) []Packet {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var pkts []Packet
	for {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		d := append([]byte(nil), data...)
		if m != nil {
			readdress(d, m)
		}
		pkts = append(pkts, Packet{Time: ci.Timestamp, Data: d})
	}
	if len(pkts) == 0 {
		t.Fatalf("%s: no packets", path)
	}
	return pkts
}

func readdress(d []byte, remap map[[4]byte][4]byte) {
	off := 14
	if len(d) >= 18 && binary.BigEndian.Uint16(d[12:]) == 0x8100 {
		off = 18
	}
	if len(d) < off+20 || binary.BigEndian.Uint16(d[off-2:]) != 0x0800 {
		return
	}
	ip := d[off:]
	for _, at := range []int{12, 16} {
		var a [4]byte
		copy(a[:], ip[at:at+4])
		if b, ok := remap[a]; ok {
			copy(ip[at:at+4], b[:])
		}
	}
	// Header checksum; the analyser does not check TCP/UDP checksums.
	ihl := int(ip[0]&0x0f) * 4
	ip[10], ip[11] = 0, 0
	var sum uint32
	for i := 0; i+1 < ihl; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
}

// sim plays a capture on a device: it answers the capture commands and
// serves dump as the fetched buffer; hang makes one command stall.
type sim struct {
	format string
	dump   []byte
	hangOn string // regexp of the command that stalls
	once   sync.Once
	hung   chan struct{} // closed when the stall begins
	free   chan struct{}
}

var (
	epcCmd = regexp.MustCompile(`^(no )?monitor capture (KAUD[0-9A-F]{4})( .*)?$`)
	asaCmd = regexp.MustCompile(`^(no )?capture (KAUD[0-9A-F]{4})( .*)?$`)
)

func (s *sim) handler(cli string) (string, bool) {
	if s.hangOn != "" && regexp.MustCompile(s.hangOn).MatchString(cli) {
		stall := false
		s.once.Do(func() { stall = true })
		if stall {
			close(s.hung)
			select {
			case <-s.free:
			case <-time.After(20 * time.Second):
			}
			return "", true
		}
	}
	switch {
	case strings.HasPrefix(cli, "show monitor capture ") && strings.HasSuffix(cli, " buffer dump"):
		return string(s.dump), true
	case strings.HasPrefix(cli, "show monitor capture "):
		name := strings.Fields(cli)[3]
		return "Status Information for Capture " + name + "\r\n  Target Type:\r\n   Interface: GigabitEthernet1/0/1, Direction: BOTH\r\n   Status : Active\r\n", true
	case epcCmd.MatchString(cli):
		if strings.HasSuffix(cli, " stop") {
			return "Stopped capture point : " + strings.Fields(cli)[2], true
		}
		if strings.HasSuffix(cli, " start") {
			return "Started capture point : " + strings.Fields(cli)[2], true
		}
		return "", true
	case strings.HasPrefix(cli, "show capture ") && strings.HasSuffix(cli, " dump"):
		return string(s.dump), true
	case cli == "show capture":
		return "capture KAUD type raw-data buffer 15500000 interface inside [Capturing - 1234 bytes]\r\n  match ip host 10.147.230.189 host 10.10.10.202", true
	case asaCmd.MatchString(cli):
		return "", true
	}
	return "", false
}

// serveSim serves lab dir with s playing captures on sw-floor1 and plans
// the finding pick chooses.
func serveSim(t *testing.T, dir string, s *sim, pick findingPicker) (*labsim.Lab, *Plan) {
	t.Helper()
	return servePlan(t, dir, func(h *devsim.Host) {
		if h.Name == "sw-floor1" {
			h.Handler = s.handler
		}
	}, pick)
}

// servePlan serves lab dir (tune changes its hosts) and plans the
// finding pick chooses.
func servePlan(t *testing.T, dir string, tune func(h *devsim.Host), pick findingPicker) (*labsim.Lab, *Plan) {
	t.Helper()
	l, snap, findings := startLab(t, dir, tune)
	p, err := NewPlan(snap, l.Inventory, pick(t, findings), "")
	if err != nil {
		t.Fatal(err)
	}
	return l, p
}

// labTimeout is the login and command timeout of the lab's devices: no
// healthy step may meet it, even on a loaded machine (at 2 s, a stall
// failed a status poll). hangTimeout is the command timeout of a device
// made to hang, which must meet it; it too is above a loaded machine's
// stalls, since the commands before the hang share it.
const (
	labTimeout  = 10 * time.Second
	hangTimeout = 5 * time.Second
)

// startLab serves lab dir on loopback (tune changes its hosts) and
// audits its saved outputs.
func startLab(t *testing.T, dir string, tune func(h *devsim.Host)) (*labsim.Lab, *facts.Snapshot, []rules.Finding) {
	t.Helper()
	l, err := labsim.Serve(context.Background(), dir, labsim.Options{Dir: t.TempDir(), Tune: tune})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	for i := range l.Inventory.Hosts {
		l.Inventory.Hosts[i].Timeout = labTimeout
		l.Inventory.Hosts[i].CommandTimeout = labTimeout
	}
	t.Setenv("KAUDIT_PASSWORD", "unused")
	inv, err := offline.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := offline.Collect(context.Background(), dir, inv)
	if err != nil {
		t.Fatal(err)
	}
	res := app.Evaluate(snap, policy.Default(), "test", time.Time{}, rules.Warning)
	return l, snap, res.Findings
}

// findingPicker chooses the finding a test confirms.
type findingPicker func(*testing.T, []rules.Finding) *rules.Finding

// pick is the picker of the first finding pred accepts.
func pick(what string, pred func(rules.Finding) bool) findingPicker {
	return func(t *testing.T, findings []rules.Finding) *rules.Finding {
		t.Helper()
		for i := range findings {
			if pred(findings[i]) {
				return &findings[i]
			}
		}
		t.Fatalf("no %s among %d findings", what, len(findings))
		return nil
	}
}

// gi101 is the case2 finding on the port of its SIP phone.
var gi101 = pick("case2 finding on GigabitEthernet1/0/1", func(f rules.Finding) bool { return f.Object == "GigabitEthernet1/0/1" })

func opts(t *testing.T, _ *labsim.Lab) Options {
	return Options{SSH: sshx.Config{Backoff: 10 * time.Millisecond}, Poll: 200 * time.Millisecond, CleanupTimeout: 5 * time.Second, Dir: t.TempDir()}
}

// captureFor is the capture bound of the tests where a hang or a cancel
// must end the run early. It is long, so that "ended before the capture
// would have" holds by far on a loaded machine and still fails a run that
// waits the capture out.
const captureFor = time.Minute

// stoppedEarly fails a run started at t0 that ended no sooner than its
// capture would have.
func stoppedEarly(t *testing.T, t0 time.Time) {
	t.Helper()
	if el := time.Since(t0); el >= captureFor {
		t.Errorf("took %s: waited for the %s capture to end", el, captureFor)
	}
}

// wantNoPrompt checks that err is a hung command cut off by hangTimeout,
// not by the lab's or the 60 s default: the error names the timeout that
// fired, which says so without measuring the time.
func wantNoPrompt(t *testing.T, err error) {
	t.Helper()
	want := fmt.Sprintf("no prompt within %ds", int(hangTimeout.Seconds()))
	if !errors.Is(err, sshx.ErrNoPrompt) || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %s", err, want)
	}
}

// runFor bounds p to one second and packets, runs it against lab l and
// checks that it ends with the outcome want.
func runFor(t *testing.T, l *labsim.Lab, p *Plan, packets int, want Outcome) *Result {
	t.Helper()
	p.SetBounds(time.Second, packets)
	res, err := Run(context.Background(), l.Inventory, p, opts(t, l))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != want {
		t.Fatalf("outcome %s (%s), want %s", res.Outcome, res.Reason, want)
	}
	return res
}

func TestConfirmCase2OverSSH(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pcap    string
		outcome Outcome
		verdict string
	}{
		{"port-security drops the keepalive", "seed_case2.pcap", Confirmed, "registration-lost"},
		{"clean capture", "sip_tcp_vlan.pcap", NotSeen, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &sim{format: FormatEPC, dump: RenderDump(FormatEPC, readPcap(t, tc.pcap), time.UTC)}
			l, p := serveSim(t, case2, s, gi101)
			if p.Host != "sw-floor1" || p.Interface != "GigabitEthernet1/0/1" || p.Method != MethodEPC || p.PhoneIP != "10.147.230.189" || p.CMIP != "10.10.10.202" {
				t.Fatalf("plan %+v", p)
			}
			res := runFor(t, l, p, 0, tc.outcome)
			if p.Packets != DefaultPackets {
				t.Errorf("packets %d", p.Packets)
			}
			if tc.verdict != "" && !slices.ContainsFunc(res.Evidence, func(v capture.Verdict) bool { return v.ID == tc.verdict }) {
				t.Errorf("no %s verdict in %+v", tc.verdict, res.Evidence)
			}
			got := l.Server.Commands("sw-floor1")
			cmds := p.Commands()
			for _, want := range append(append(cmds.Start, cmds.Fetch), cmds.Cleanup...) {
				if !slices.Contains(got, want) {
					t.Errorf("%q not sent; sent %q", want, got)
				}
			}
			if res.CleanupErr != nil {
				t.Error(res.CleanupErr)
			}
			var out bytes.Buffer
			res.WriteText(&out)
			if !strings.Contains(out.String(), strings.ToUpper(string(tc.outcome))) {
				t.Errorf("text lacks the outcome:\n%s", out.String())
			}
		})
	}
}

// TestCleanupOnFailure: a device that stalls mid-capture times out, and a
// cancelled confirmation (Ctrl-C) stops; both still remove the capture.
func TestCleanupOnFailure(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hangOn string
		cancel bool
	}{
		{"device hangs on the status poll", `^show monitor capture KAUD[0-9A-F]{4}$`, false},
		{"ctrl-c while capturing", `^show monitor capture KAUD[0-9A-F]{4}$`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &sim{format: FormatEPC, dump: RenderDump(FormatEPC, readPcap(t, "seed_case2.pcap"), time.UTC),
				hangOn: tc.hangOn, hung: make(chan struct{}), free: make(chan struct{})}
			defer close(s.free)
			l, p := serveSim(t, case2, s, gi101)
			l.Inventory.Host("sw-floor1").CommandTimeout = hangTimeout
			p.SetBounds(captureFor, 100)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				go func() {
					<-s.hung
					cancel()
				}()
			}
			t0 := time.Now()
			res, err := Run(ctx, l.Inventory, p, opts(t, l))
			if err == nil {
				t.Fatalf("no error; outcome %s", res.Outcome)
			}
			if tc.cancel && !errors.Is(err, context.Canceled) {
				t.Errorf("error %v, want context.Canceled", err)
			}
			if !tc.cancel {
				wantNoPrompt(t, err)
			}
			stoppedEarly(t, t0)
			if res.Outcome != Inconclusive || res.CleanupErr != nil {
				t.Errorf("outcome %s, cleanup %v", res.Outcome, res.CleanupErr)
			}
			got := l.Server.Commands("sw-floor1")
			if want := "no monitor capture " + p.Name; !slices.Contains(got, want) {
				t.Errorf("cleanup %q not sent; sent %q", want, got)
			}
			if slices.Contains(got, p.Commands().Fetch) {
				t.Error("fetched a capture that never finished")
			}
		})
	}
}
