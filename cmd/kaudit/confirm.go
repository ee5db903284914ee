package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/kaudit/kaudit/collectors/live"
	"github.com/kaudit/kaudit/collectors/sshx"
	"github.com/kaudit/kaudit/confirm"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/inventory"
	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

type confirmOpts struct {
	inventory, finding, phone, offline, knownHosts, dir string
	at, sftpListen                                      string
	duration                                            time.Duration
	packets                                             int
	acceptNewKeys                                       bool
}

func newConfirmCmd() *cobra.Command {
	var o confirmOpts
	cmd := &cobra.Command{
		Use:   "confirm -i inventory.yaml (--finding FINGERPRINT | --phone SEP...)",
		Short: "Capture on the phone's path and confirm or clear a finding",
		Long: `confirm captures the phone's keepalives where the finding says they break: on
the access switch port (IOS-XE Embedded Packet Capture) for port-security and
MAC aging findings, on the ASA for firewall findings, on the CUCM node the
phone registers to for SIP profile findings (or any phone with --at cucm). The
capture is bounded
(default: two keepalive intervals plus 30 s, 10000 packets), fetched over the
same SSH CLI as a hex dump, converted to pcap and always removed from the
device, also on error, timeout and Ctrl-C. CUCM captures with utils network
capture and pushes the file with file get over SFTP to a receiver kaudit runs
for that one transfer (one-time user and password, ephemeral host key) on
--sftp-listen, by default this machine's address of the SSH connection to the
node. Only these capture commands are allowed, and only in confirm; an audit
refuses them.

Exit codes: 1 confirmed, 0 not seen, 3 inconclusive (or the device failed),
2 usage.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConfirm(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), &o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.inventory, "inventory", "i", "", "inventory.yaml of the devices (required)")
	f.StringVar(&o.finding, "finding", "", "fingerprint of the finding to confirm (from an audit report)")
	f.StringVar(&o.phone, "phone", "", "phone to capture (SEP name); with --finding, which of its phones")
	f.StringVar(&o.offline, "offline", "", "saved outputs to take the findings from instead of collecting live")
	f.DurationVar(&o.duration, "duration", 0, "capture at most this long (default: two keepalive intervals + 30s; 10m for proxy ARP, which waits for the phone to ARP again)")
	f.IntVar(&o.packets, "packets", confirm.DefaultPackets, "capture at most this many packets")
	f.StringVar(&o.at, "at", "", "capture point: cucm captures on the call manager the phone registers to (default: where the finding says)")
	f.StringVar(&o.sftpListen, "sftp-listen", "", "CUCM only: IP[:port] the node pushes the capture to (default: this end of the SSH connection)")
	f.StringVar(&o.dir, "out-dir", "", "directory for the pcap (default: a temporary directory)")
	f.StringVar(&o.knownHosts, "known-hosts", "", "known_hosts file (default: the host's setting, else ~/.ssh/known_hosts)")
	f.BoolVar(&o.acceptNewKeys, "accept-new-host-keys", false, "trust a host key not yet in known_hosts")
	return cmd
}

func runConfirm(ctx context.Context, stdout, stderr io.Writer, o *confirmOpts) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.inventory == "" {
		return usageErr("confirm needs -i inventory.yaml")
	}
	if (o.finding == "") == (o.phone == "") && o.finding == "" {
		return usageErr("confirm needs --finding FINGERPRINT or --phone SEP...")
	}
	if o.packets < 0 || o.duration < 0 {
		return usageErr("--duration and --packets must not be negative")
	}
	if o.at != confirm.AtAuto && o.at != confirm.AtCUCM {
		return usageErr("--at %q: only cucm", o.at)
	}
	inv, err := inventory.Load(o.inventory)
	if err != nil {
		return usageErr("%v", err)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	var snap *facts.Snapshot
	if o.offline != "" {
		if snap, _, err = loadOffline(ctx, o.offline, ""); err != nil {
			return err
		}
	} else {
		if snap, err = live.Collect(ctx, inv, live.Options{KnownHostsFile: o.knownHosts, AcceptNewHostKeys: o.acceptNewKeys}); err != nil {
			return collectErr(err)
		}
	}
	res := app.Evaluate(snap, policy.Default(), "confirm", time.Time{}, rules.Info)
	var f *rules.Finding
	if o.finding != "" {
		for i := range res.Findings {
			if rules.Fingerprint(res.Findings[i]) == o.finding {
				f = &res.Findings[i]
			}
		}
		if f == nil {
			return usageErr("--finding %s: no such finding in the current audit", o.finding)
		}
	}
	plan, err := confirm.NewPlanAt(snap, inv, f, o.phone, o.at)
	if err != nil {
		return usageErr("%v", err)
	}
	plan.SetBounds(o.duration, o.packets)
	fmt.Fprintf(stderr, "capturing on %s %s (%s) for up to %s / %d packets\n", plan.Host, plan.Interface, plan.Method, plan.Duration, plan.Packets)
	opt := confirm.Options{
		SSH:        sshx.Config{KnownHostsFile: o.knownHosts, AcceptNewHostKeys: o.acceptNewKeys},
		Dir:        o.dir,
		SFTPListen: o.sftpListen,
	}
	if fl, ok := stderr.(*os.File); ok && term.IsTerminal(int(fl.Fd())) {
		opt.Progress = func(el, total time.Duration) {
			fmt.Fprintf(stderr, "  %s of %s\n", el.Round(time.Second), total)
		}
	}
	r, err := confirm.Run(ctx, inv, plan, opt)
	if r != nil && err == nil {
		if werr := r.WriteText(stdout); werr != nil {
			return werr
		}
	}
	if err != nil {
		msg := err.Error()
		if r != nil && r.CleanupErr != nil {
			msg += "; " + r.CleanupErr.Error() + " (remove it by hand)"
		}
		return &exitError{code: report.ExitIncomplete, err: fmt.Errorf("inconclusive: %s", msg)}
	}
	switch r.Outcome {
	case confirm.Confirmed:
		return &exitError{code: 1}
	case confirm.NotSeen:
		return nil
	}
	return &exitError{code: report.ExitIncomplete}
}
