package main

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kaudit/kaudit/capture"
	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/inventory"
	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

func newPcapCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pcap",
		Short: "Analyse packet captures: keepalive timelines, retransmissions, proxy ARP",
	}
	cmd.AddCommand(newPcapAnalyzeCmd(), newPcapCaptureCmd(), newPcapImportCmd())
	return cmd
}

type pcapOpts struct {
	peer         string
	phones       []string
	callManagers []string
	offline      string
	format       string
	out          string
	svg          string
	interval     time.Duration
	grace        time.Duration
	failOn       string
	maxFlows     int
	maxTimelines int
	all          bool
}

func newPcapAnalyzeCmd() *cobra.Command {
	var o pcapOpts
	cmd := &cobra.Command{
		Use:   "analyze FILE",
		Short: "Analyse a pcap/pcapng: per-phone keepalive timeline, TCP retransmissions, ARP",
		Long: `analyze reads a pcap or pcapng capture (Ethernet, 802.1Q, Linux cooked, raw
IPv4; streamed, so memory grows with flows and phones, not packets, up to
--max-flows TCP flows and --max-timelines keepalive timelines: later ones are
ignored and the report says how many) and reports, per phone and call manager,
the keepalive timeline (SIP REGISTER refreshes, SCCP KeepAlive/Ack), late or
missing keepalives, TCP retransmissions with their RTO ladder, and whether a
keepalive landed past the call manager's expiry window (the registration is
lost). A timeline lists the keepalives with something to show (late, lost,
unanswered, retransmitted, or after missing ones) and counts the others in its
summary; --all-keepalives lists every one (memory then grows with the capture's
length), as do --peer and, for the timeline it draws, --svg. JSON is written
one timeline at a time. With --peer, a second capture taken at the call manager
is matched segment by segment: keepalives sent but never received, and how late
the others arrived. ARP: every MAC that answered for an address; several MACs,
or an ASA interface MAC (from --offline DIR), answering for the call manager is
proxy ARP confirmed.

Exit codes: 0 nothing at or above --fail-on, 1 a verdict at or above it, 2
usage or unreadable capture.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPcapAnalyze(cmd.Context(), cmd.OutOrStdout(), args[0], &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.peer, "peer", "", "second capture, taken at the call manager, to match against FILE (taken at the phone)")
	f.StringSliceVar(&o.phones, "phone", nil, "only these phones (IP address, or SEP name with --offline)")
	f.StringSliceVar(&o.callManagers, "call-manager", nil, "call manager IP addresses (default: the CUCM nodes of --offline)")
	f.StringVar(&o.offline, "offline", "", "saved outputs of the network: ASA interface MACs, call manager addresses, phone names and keepalive intervals")
	f.StringVar(&o.format, "format", "table", "table, markdown or json")
	f.StringVar(&o.out, "out", "", "write the report to FILE")
	f.StringVar(&o.svg, "svg", "", "write the first keepalive timeline as SVG to FILE")
	f.DurationVar(&o.interval, "interval", 0, "expected SIP keepalive interval (default: learnt from the 200 OK, else from --offline, else 115s)")
	f.DurationVar(&o.grace, "grace", 0, "how long past the interval the call manager waits before unregistering (default 15s)")
	f.StringVar(&o.failOn, "fail-on", "critical", "exit 1 when a verdict is at or above: info, warning, critical")
	f.BoolVar(&o.all, "all-keepalives", false, "list every keepalive of every timeline, not only the late, lost, unanswered or retransmitted ones (memory grows with the capture)")
	f.IntVar(&o.maxFlows, "max-flows", capture.DefaultMaxFlows, "TCP flows analysed, and as many again that carry SIP or SCCP; later ones are ignored with a note (memory stays bounded)")
	f.IntVar(&o.maxTimelines, "max-timelines", capture.DefaultMaxTimelines, "keepalive timelines (phone, call manager, protocol) followed; later ones are ignored with a note (memory stays bounded)")
	return cmd
}

func runPcapAnalyze(ctx context.Context, stdout io.Writer, file string, o *pcapOpts) error {
	if ctx == nil {
		ctx = context.Background()
	}
	failOn, err := rules.ParseSeverity(o.failOn)
	if err != nil {
		return usageErr("--fail-on: %v", err)
	}
	if o.maxFlows < 1 {
		return usageErr("--max-flows: %d is not a positive number of flows", o.maxFlows)
	}
	if o.maxTimelines < 1 {
		return usageErr("--max-timelines: %d is not a positive number of timelines", o.maxTimelines)
	}
	opts := capture.Options{SIPInterval: o.interval, Grace: o.grace, CallManagers: o.callManagers, MaxFlows: o.maxFlows,
		MaxTimelines: o.maxTimelines, OnlyNotable: !o.all, FirstInFull: o.svg != ""}
	phones := map[string]bool{}
	for _, p := range o.phones {
		phones[p] = true
	}
	if o.offline != "" {
		snap, _, err := loadOffline(ctx, o.offline, "")
		if err != nil {
			return err
		}
		snap.Join(app.RulesConfig(policy.Default()).Defaults)
		fromSnapshot(snap, &opts, phones)
	}
	for p := range phones {
		opts.Phones = append(opts.Phones, p)
	}
	var an *capture.Analysis
	if o.peer != "" {
		an, err = capture.AnalyzePair(ctx, file, o.peer, opts)
	} else {
		an, err = capture.Analyze(ctx, file, opts)
	}
	if an == nil {
		return usageErr("%v", err)
	}
	partial := err
	w, closeOut, err := openOut(stdout, o.out)
	if err != nil {
		return err
	}
	defer closeOut()
	switch o.format {
	case "table", "text":
		err = an.WriteText(w)
	case "markdown":
		err = an.WriteMarkdown(w)
	case "json":
		err = an.WriteJSON(w)
	default:
		return usageErr("--format: unknown format %q (want table, markdown or json)", o.format)
	}
	if err != nil {
		return err
	}
	if o.svg != "" {
		if err := writeFirstTimeline(o.svg, an); err != nil {
			return err
		}
	}
	if partial != nil {
		// The capture broke part way: what came before is reported.
		return &exitError{code: 2, err: partial}
	}
	for _, v := range an.Verdicts {
		if sev, err := rules.ParseSeverity(string(v.Severity)); err == nil && sev >= failOn {
			return &exitError{code: 1}
		}
	}
	return nil
}

// loadOffline reads the saved outputs in dir (hosts matching limitExpr, ""
// for all) into a snapshot. Input errors are usage errors (exit 2); an
// interrupted collection leaves the audit incomplete (exit 3).
func loadOffline(ctx context.Context, dir, limitExpr string) (*facts.Snapshot, *inventory.Inventory, error) {
	inv, err := offline.Load(dir)
	if err != nil {
		return nil, nil, usageErr("%v", err)
	}
	if inv, err = limit(inv, limitExpr); err != nil {
		return nil, nil, err
	}
	snap, err := offline.Collect(ctx, dir, inv)
	if err != nil {
		return nil, nil, &exitError{code: report.ExitIncomplete, err: err}
	}
	return snap, inv, nil
}

// fromSnapshot takes from the network's facts what analysis can use: the
// ASA interface MACs (proxy ARP), the call managers' addresses, and phone
// names in --phone turned into their addresses.
func fromSnapshot(snap *facts.Snapshot, opts *capture.Options, phones map[string]bool) {
	for _, d := range snap.Devices {
		if d.ASA != nil {
			for _, ifc := range d.ASA.Interfaces {
				if ifc.MAC != "" {
					opts.ASAMACs = append(opts.ASAMACs, ifc.MAC)
				}
			}
		}
		if d.Platform == facts.PlatformCUCM && d.IP != "" && len(opts.CallManagers) == 0 {
			opts.CallManagers = append(opts.CallManagers, d.IP)
		}
	}
	for _, p := range snap.Phones {
		if phones[p.Name] && p.IP != "" {
			phones[p.IP] = true
		}
		if phones[p.Name] || phones[p.IP] {
			if opts.SIPInterval == 0 && p.Keepalive.Protocol == "SIP" {
				opts.SIPInterval = time.Duration(p.Keepalive.PrimarySeconds) * time.Second
			}
		}
	}
}

func writeFirstTimeline(path string, an *capture.Analysis) error {
	for _, fa := range an.Files {
		if len(fa.Timelines) == 0 {
			continue
		}
		f, err := os.Create(path)
		if err != nil {
			return usageErr("--svg: %v", err)
		}
		defer f.Close()
		return capture.WriteSVG(f, fa.Timelines[0])
	}
	return usageErr("--svg: no keepalive timeline in the capture")
}
