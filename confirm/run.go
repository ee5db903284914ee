package confirm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kaudit/kaudit/capture"
	"github.com/kaudit/kaudit/capture/clidump"
	"github.com/kaudit/kaudit/collectors/sshx"
	"github.com/kaudit/kaudit/inventory"
)

// Outcome of a confirmation.
type Outcome string

// Outcomes, with the CLI's exit codes.
const (
	Confirmed    Outcome = "confirmed"    // exit 1
	NotSeen      Outcome = "not seen"     // exit 0
	Inconclusive Outcome = "inconclusive" // exit 3
)

// Options tune Run.
type Options struct {
	SSH sshx.Config
	// Poll is the status-poll and progress interval (10s).
	Poll time.Duration
	// CleanupTimeout bounds removing the capture after an error or
	// cancel, on a fresh context (15s).
	CleanupTimeout time.Duration
	// Progress, when set, is called after each poll.
	Progress func(elapsed, total time.Duration)
	// Dir receives the pcap; a temporary directory when "".
	Dir string
	// SFTPListen is where a CUCM capture is pushed to (IP or IP:port);
	// "" is this end of the SSH connection to the call manager.
	SFTPListen string
	// TransferTimeout bounds a CUCM file transfer, on top of the command
	// timeout (2m).
	TransferTimeout time.Duration
}

// Result is what a confirmation found.
type Result struct {
	Plan    *Plan
	Outcome Outcome
	Reason  string
	Pcap    string
	Packets int
	// Layout is how the device printed the fetched dump; Notes are what
	// its reader noticed (a count that differs, a time zone taken as UTC).
	Layout clidump.Layout
	Notes  []string
	// NoTimes says why the packet times are synthetic (the dump printed
	// none and buffer brief gave none); "" when they are the device's.
	NoTimes string
	// Evidence are the verdicts about the phone (or its call manager).
	Evidence  []capture.Verdict
	Timelines []*capture.Timeline
	Analysis  *capture.Analysis
	// CleanupErr is set when the capture could not be removed.
	CleanupErr error
}

// Run captures on the plan's device, fetches and removes the capture and
// judges it. A device or SSH failure is returned as an Inconclusive
// result with the error, after the cleanup was attempted.
func Run(ctx context.Context, inv *inventory.Inventory, p *Plan, o Options) (*Result, error) {
	if o.Poll <= 0 {
		o.Poll = 10 * time.Second
	}
	if o.CleanupTimeout <= 0 {
		o.CleanupTimeout = 15 * time.Second
	}
	h := findHost(inv, p.Host)
	if h == nil {
		return nil, fmt.Errorf("%s is not in the inventory", p.Host)
	}
	cmdTimeout := h.CommandTimeout
	if cmdTimeout <= 0 {
		cmdTimeout = inventory.DefaultCommandTimeout
	}
	cmds := p.Commands()
	res := &Result{Plan: p, Outcome: Inconclusive}
	if p.Method == MethodCUCM {
		if o.TransferTimeout <= 0 {
			o.TransferTimeout = 2 * time.Minute
		}
		return runCUCM(ctx, inv, h, p, cmds, cmdTimeout, o, res)
	}
	conn, err := sshx.Connect(ctx, inv, h, o.SSH)
	if err != nil {
		return res, fmt.Errorf("%s: %w", h.Name, err)
	}
	defer conn.Close()
	limit := min(int64(p.Packets)*1600*5+1<<20, 1<<30)
	sopt := sshx.SessionOptions{LoginTimeout: h.Timeout, OutputLimit: limit, CaptureCommands: cmds.all()}
	sess, err := conn.OpenSession(ctx, sopt)
	if err != nil {
		return res, fmt.Errorf("%s: %w", h.Name, err)
	}
	defer sess.Close()

	healthy := true
	run := func(cli string, timeout time.Duration) ([]byte, error) {
		out, err := sess.Run(ctx, cli, timeout)
		if err != nil && !errors.Is(err, sshx.ErrRejected) && !errors.Is(err, sshx.ErrRefused) {
			healthy = false
		}
		return out, err
	}
	started := false
	defer func() {
		if started {
			res.CleanupErr = cleanup(ctx, inv, h, sess, healthy, cmds, o)
		}
	}()
	for _, cli := range cmds.Start {
		// From the first line on, something may exist on the device.
		started = true
		out, err := run(cli, cmdTimeout)
		if p.Method == MethodEPC {
			if u := epcUnavailable(h.Name, cli, out, err); u != nil {
				return res, u
			}
		}
		if err != nil {
			return res, fmt.Errorf("%s: starting the capture: %w", h.Name, err)
		}
	}
	t0 := time.Now()
	tick := time.NewTicker(o.Poll)
	defer tick.Stop()
	deadline := time.NewTimer(p.Duration)
	defer deadline.Stop()
wait:
	for {
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("%s: capture interrupted: %w", h.Name, context.Cause(ctx))
		case <-deadline.C:
			break wait
		case <-tick.C:
			out, err := run(cmds.Status, cmdTimeout)
			if err != nil {
				return res, fmt.Errorf("%s: capture status: %w", h.Name, err)
			}
			if o.Progress != nil {
				o.Progress(time.Since(t0), p.Duration)
			}
			if stopped(p, out) {
				break wait // the device's own limit ended it
			}
		}
	}
	for _, cli := range cmds.Stop {
		if _, err := run(cli, cmdTimeout); err != nil && !errors.Is(err, sshx.ErrRejected) {
			return res, fmt.Errorf("%s: stopping the capture: %w", h.Name, err)
		}
	}
	// A full buffer prints for a while: the fetch gets a longer timeout.
	dump, err := run(cmds.Fetch, cmdTimeout+time.Duration(p.Packets)*time.Millisecond)
	if err != nil {
		return res, fmt.Errorf("%s: fetching the capture: %w", h.Name, err)
	}
	d, err := readFetched(h.Name, cmds, dump, t0, func() ([]byte, error) { return run(cmds.Brief, cmdTimeout+time.Duration(p.Packets)*time.Millisecond) })
	if err != nil {
		return res, err
	}
	res.Layout, res.Notes, res.NoTimes = d.Layout, d.Notes, d.noTimes
	if err := res.writePcap(o.Dir, d.Packets); err != nil {
		return res, err
	}
	return res, res.analyse(ctx)
}

// analyse reads the fetched capture, counts its packets and judges it.
// An error means nothing could be read; a capture read only in part is
// judged on what was read.
func (r *Result) analyse(ctx context.Context) error {
	p := r.Plan
	an, err := capture.Analyze(ctx, r.Pcap, capture.Options{SIPInterval: sipInterval(p), SCCPInterval: sccpInterval(p), CallManagers: nonEmpty(p.CMIP), ASAMACs: p.ASAMACs})
	if an == nil {
		return fmt.Errorf("analysing %s: %w", r.Pcap, err)
	}
	r.Analysis = an
	r.Packets = 0
	for _, f := range an.Files {
		r.Packets += f.Counts.Packets
	}
	r.judge(err)
	return nil
}

// cleanup removes the capture. It runs on a fresh context: the caller's
// may be cancelled (Ctrl-C) or past its deadline, and the capture must go
// anyway. When the session is no longer usable it reconnects.
func cleanup(ctx context.Context, inv *inventory.Inventory, h *inventory.Host, sess *sshx.Session, healthy bool, cmds Commands, o Options) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.CleanupTimeout)
	defer cancel()
	timeout := min(o.CleanupTimeout/2, 10*time.Second)
	send := func(s *sshx.Session) error { return sendCleanup(cctx, s, cmds.Cleanup, timeout) }
	if healthy && ctx.Err() == nil {
		if err := send(sess); err == nil {
			return nil
		}
	}
	return reconnectAndClean(cctx, inv, h, o, cmds.Cleanup, "capture", send)
}

// sendCleanup sends the cleanup lines on s. A rejected line is fine: the
// capture already stopped, or there is no file to delete. A line the
// guard refused does not stop the others.
func sendCleanup(ctx context.Context, s *sshx.Session, lines []string, timeout time.Duration) error {
	var errs []error
	for _, cli := range lines {
		if _, err := s.Run(ctx, cli, timeout); err != nil && !errors.Is(err, sshx.ErrRejected) {
			errs = append(errs, err)
			if !errors.Is(err, sshx.ErrRefused) {
				return errors.Join(errs...)
			}
		}
	}
	return errors.Join(errs...)
}

// reconnectAndClean opens a fresh session allowed only the cleanup lines
// and runs clean on it: the capture's own session is gone or unusable.
func reconnectAndClean(ctx context.Context, inv *inventory.Inventory, h *inventory.Host, o Options, lines []string, what string, clean func(*sshx.Session) error) error {
	conn, err := sshx.Connect(ctx, inv, h, o.SSH)
	if err != nil {
		return fmt.Errorf("%s: %s not removed: %w", h.Name, what, err)
	}
	defer conn.Close()
	s, err := conn.OpenSession(ctx, sshx.SessionOptions{LoginTimeout: h.Timeout, CaptureCommands: lines})
	if err != nil {
		return fmt.Errorf("%s: %s not removed: %w", h.Name, what, err)
	}
	defer s.Close()
	if err := clean(s); err != nil {
		return fmt.Errorf("%s: %s not removed: %w", h.Name, what, err)
	}
	return nil
}

// stopped reads the status poll: EPC says "Status : Inactive" once its
// limit is reached.
func stopped(p *Plan, out []byte) bool {
	if p.Method != MethodEPC {
		return false
	}
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "Status" {
			return strings.EqualFold(strings.TrimSpace(v), "Inactive")
		}
	}
	return false
}

// pcapPath is where the plan's capture is saved: in dir, or in a new
// temporary directory when dir is "".
func (p *Plan) pcapPath(dir string) (string, error) {
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "kaudit-confirm-"); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, p.Host+"-"+p.Name+".pcap"), nil
}

func (r *Result) writePcap(dir string, pkts []Packet) error {
	path, err := r.Plan.pcapPath(dir)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := clidump.WritePcap(&b, pkts); err != nil {
		return err
	}
	r.Pcap = path
	if err := os.WriteFile(r.Pcap, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("writing the capture: %w", err)
	}
	return nil
}

// judge decides: a confirming verdict about the phone proves the finding;
// two or more of the phone's keepalives without one clear it; anything
// less (no keepalive seen, a broken capture) proves nothing. A proxy-ARP
// plan is judged on the ARP answers for the call manager instead.
func (r *Result) judge(partial error) {
	p := r.Plan
	for _, v := range r.Analysis.Verdicts {
		if arpVerdict(v.ID) && v.CallManager != p.CMIP {
			continue // about another address on the segment
		}
		if v.Phone == p.PhoneIP || v.Phone == "" && (v.CallManager == "" || v.CallManager == p.CMIP) {
			r.Evidence = append(r.Evidence, v)
		}
	}
	kas := 0
	for _, fa := range r.Analysis.Files {
		for _, tl := range fa.Timelines {
			if tl.Phone == p.PhoneIP && (p.CMIP == "" || tl.CallManager == p.CMIP) {
				r.Timelines = append(r.Timelines, tl)
				kas += len(tl.Keepalives)
			}
		}
	}
	var proof []string
	for _, v := range r.Evidence {
		if slices.Contains(p.Confirming, v.ID) {
			proof = append(proof, v.ID)
		}
	}
	full := p.Packets > 0 && r.Packets >= p.Packets
	switch {
	case r.NoTimes != "" && !p.ProvesARP():
		// A keepalive verdict on made-up times is worse than none. ARP
		// answers do not depend on time, so a proxy-ARP plan goes on.
		r.Reason = "keepalive timing cannot be judged: " + r.NoTimes
	case len(proof) > 0:
		r.Outcome, r.Reason = Confirmed, "the capture shows "+strings.Join(slices.Compact(proof), ", ")
	case r.Packets == 0:
		r.Reason = "the capture holds no packets"
	case partial != nil:
		r.Reason = "the capture could not be read to its end: " + partial.Error()
	case p.ProvesARP():
		r.Outcome, r.Reason = r.judgeARP()
	case kas >= 2:
		r.Outcome, r.Reason = NotSeen, fmt.Sprintf("%d keepalives of %s to %s, none lost or dropped", kas, p.PhoneIP, p.CMIP)
	case full:
		// The port's other traffic (the PC behind the phone) filled it.
		r.Reason = fmt.Sprintf("%d keepalive(s) of %s before the capture reached its %d-packet bound: too few to judge; raise --packets", kas, p.PhoneIP, p.Packets)
	default:
		r.Reason = fmt.Sprintf("%d keepalive(s) of %s in the capture: too few to judge", kas, p.PhoneIP)
	}
}

func arpVerdict(id string) bool { return id == "proxy-arp" || id == "arp-conflict" }

// judgeARP decides a proxy-ARP plan without a proxy-arp or arp-conflict
// verdict: it is cleared only by answers to a request for the call
// manager, all from one MAC that is known not to be the ASA's. No ARP at
// all only means the phone did not re-ARP while the capture ran.
func (r *Result) judgeARP() (Outcome, string) {
	p := r.Plan
	asked, replies := 0, 0
	var macs []string
	var first, last capture.Timestamp
	for _, fa := range r.Analysis.Files {
		asked += fa.ARPRequestsFor(p.CMIP)
		if first == 0 || fa.First < first {
			first = fa.First
		}
		last = max(last, fa.Last)
		ans, ok := fa.ARP.Answer(p.CMIP)
		if !ok {
			continue
		}
		for _, m := range ans.MACs {
			if m.ASA || slices.Contains(p.ASAMACs, m.MAC) {
				// The analysis already says proxy-arp; checked here as
				// well so that an ASA answer can never end as not seen.
				return Confirmed, fmt.Sprintf("ASA %s interface MAC %s answers ARP for %s", p.ASA, m.MAC, p.CMIP)
			}
			replies += m.Replies
			if !slices.Contains(macs, m.MAC) {
				macs = append(macs, m.MAC)
			}
		}
	}
	// A capture ended by its packet bound spans less than its duration.
	full := p.Packets > 0 && r.Packets >= p.Packets
	span := p.Duration
	if full {
		span = last.Sub(first).Round(time.Second)
	}
	switch {
	case len(macs) == 0 && full:
		return Inconclusive, fmt.Sprintf("no ARP for %s before the capture reached its %d-packet bound after %s: raise --packets or lengthen --duration", p.CMIP, p.Packets, span)
	case len(macs) == 0 && asked == 0:
		return Inconclusive, fmt.Sprintf("no ARP for %s in %s: the phone did not re-ARP; lengthen --duration (or restart the phone, which ARPs as it registers)", p.CMIP, span)
	case len(macs) == 0:
		return Inconclusive, fmt.Sprintf("%d ARP request(s) for %s in %s and no answer on %s", asked, p.CMIP, span, p.Interface)
	case len(macs) > 1:
		// An arp-conflict verdict normally says this first.
		return Confirmed, fmt.Sprintf("%s all answer ARP for %s (a conflict)", strings.Join(macs, ", "), p.CMIP)
	case replies == 0:
		return Inconclusive, fmt.Sprintf("only gratuitous ARP for %s (from %s) in %s: no answer to a request; lengthen --duration", p.CMIP, macs[0], span)
	case len(p.ASAMACs) == 0:
		return Inconclusive, fmt.Sprintf("only %s answers ARP for %s, but the snapshot has no interface MACs of %s (show interface) to tell it from the ASA's", macs[0], p.CMIP, p.ASA)
	}
	return NotSeen, fmt.Sprintf("%d ARP answer(s) for %s, all from %s, not an interface MAC of %s", replies, p.CMIP, macs[0], p.ASA)
}

// WriteText prints the outcome with its evidence.
func (r *Result) WriteText(w io.Writer) error {
	p := r.Plan
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", strings.ToUpper(string(r.Outcome)), r.Reason)
	if p.Rule != "" {
		fmt.Fprintf(&b, "finding   %s %s\n", p.Finding, p.Rule)
	}
	fmt.Fprintf(&b, "phone     %s %s -> call manager %s (%s, keepalive %s)\n", p.Phone, p.PhoneIP, p.CMIP, p.Protocol, p.Interval)
	fmt.Fprintf(&b, "captured  %s on %s %s as %s, %d packets, bound %s / %d packets\n", p.Method, p.Host, p.Interface, p.Name, r.Packets, p.Duration, p.Packets)
	if r.Layout != "" {
		fmt.Fprintf(&b, "dump      %s\n", r.Layout.Describe())
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	if r.NoTimes != "" {
		fmt.Fprintf(&b, "times     SYNTHETIC (1 µs apart from 1970-01-01): %s\n", r.NoTimes)
	}
	if r.Pcap != "" {
		fmt.Fprintf(&b, "pcap      %s\n", r.Pcap)
	}
	for _, tl := range r.Timelines {
		s := tl.Summary
		fmt.Fprintf(&b, "keepalives %s %s: %d, intervals min %s median %s max %s, retransmitted %d, late %d, lost %d\n",
			tl.Protocol, tl.Role, s.Keepalives, s.MinInterval, s.MedianInterval, s.MaxInterval, s.Retransmitted, s.Late, s.Lost)
		for _, k := range tl.Keepalives {
			if len(k.Retransmissions) == 0 {
				continue
			}
			var rtos []string
			for _, rt := range k.Retransmissions {
				rtos = append(rtos, rt.RTO.String())
			}
			fmt.Fprintf(&b, "  frame %d: %d retransmissions, RTO %s, interval %s, %s\n", k.Frame, len(k.Retransmissions), strings.Join(rtos, " "), k.Interval, k.Status)
		}
	}
	if p.ProvesARP() && r.Analysis != nil {
		for _, fa := range r.Analysis.Files {
			ans, _ := fa.ARP.Answer(p.CMIP)
			fmt.Fprintf(&b, "arp       %s: %d request(s)", p.CMIP, fa.ARPRequestsFor(p.CMIP))
			for _, m := range ans.MACs {
				who := ""
				if m.ASA {
					who = " (" + p.ASA + ")"
				}
				fmt.Fprintf(&b, ", %s%s %d replies %d gratuitous from frame %d", m.MAC, who, m.Replies, m.Gratuitous, m.FirstFrame)
			}
			b.WriteString("\n")
		}
	}
	for _, v := range r.Evidence {
		fmt.Fprintf(&b, "verdict   %s %s: %s\n", v.Severity, v.ID, v.Message)
	}
	if r.CleanupErr != nil {
		fmt.Fprintf(&b, "WARNING: %v; remove it by hand\n", r.CleanupErr)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sipInterval(p *Plan) time.Duration {
	if p.Protocol == "SIP" {
		return p.Interval
	}
	return 0
}

func sccpInterval(p *Plan) time.Duration {
	if p.Protocol == "SCCP" {
		return p.Interval
	}
	return 0
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
