package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kaudit/kaudit/collectors/live"
	"github.com/kaudit/kaudit/events"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/inventory"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
	"github.com/kaudit/kaudit/store"
)

// outputOpts are the flags every command that prints a report shares.
type outputOpts struct {
	format string
	out    string
	failOn string
	policy string
}

func (o *outputOpts) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.format, "format", "table", "report format: "+fmt.Sprint(report.Formats()))
	cmd.Flags().StringVar(&o.out, "out", "", "write the report to FILE instead of standard output")
	cmd.Flags().StringVar(&o.failOn, "fail-on", "warning", "exit 1 when a finding is at or above this severity: info, warning, critical")
	cmd.Flags().StringVar(&o.policy, "policy", "", "policy.yaml with thresholds, defaults, severity overrides and waivers")
}

func (o *outputOpts) severity() (rules.Severity, error) {
	sev, err := rules.ParseSeverity(o.failOn)
	if err != nil {
		return 0, usageErr("--fail-on: %v", err)
	}
	return sev, nil
}

// write renders res and returns the exit error for its exit code.
func (o *outputOpts) write(stdout io.Writer, res *report.Result) error {
	return o.render(stdout, res, func(dst io.Writer, w report.Writer) error { return w.Write(dst, res) })
}

// render lets body write the report of res in --format to --out (or
// stdout) and returns the exit error for res's exit code. A command whose
// output is more than the report (check) writes the rest in body, so that
// it lands in the same file.
func (o *outputOpts) render(stdout io.Writer, res *report.Result, body func(dst io.Writer, w report.Writer) error) error {
	w, err := report.New(o.format)
	if err != nil {
		return usageErr("--format: %v", err)
	}
	dst, closeOut, err := openOut(stdout, o.out)
	if err != nil {
		return err
	}
	werr := body(dst, w)
	if cerr := closeOut(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return &exitError{code: report.ExitUsage, err: fmt.Errorf("writing report: %w", werr)}
	}
	if code := res.ExitCode(); code != 0 {
		return &exitError{code: code}
	}
	return nil
}

// openOut creates the --out file, or returns stdout when path is empty.
// closeOut closes the file; render reports its error, demo and pcap
// analyze do not (yet).
func openOut(stdout io.Writer, path string) (dst io.Writer, closeOut func() error, err error) {
	if path == "" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, usageErr("--out: %v", err)
	}
	return f, f.Close, nil
}

type auditOpts struct {
	outputOpts
	liveOpts
	storeOpts
	offline   string
	inventory string
	limit     string
	events    []string
}

// liveOpts are the flags of live collection over SSH.
type liveOpts struct {
	workers       int
	connectRate   int
	logins        int
	acceptNewKeys bool
	knownHosts    string
	saveRaw       string
	deviceTimeout time.Duration
	retries       int
	verbose       bool
	memoryLimit   string
}

func (o *liveOpts) register(cmd *cobra.Command) {
	cmd.Flags().IntVar(&o.workers, "workers", 16, "devices collected at once")
	cmd.Flags().IntVar(&o.connectRate, "connect-rate", live.DefaultConnectRate, "new SSH connections per second at most (-1: no bound); spares the AAA server and keeps workers from dialling in step")
	cmd.Flags().IntVar(&o.logins, "logins", 0, "SSH logins in progress at once (default: twice the CPUs, at least 4; -1: no bound); a login gives its place up when done or after 20 ms, so logins over a WAN are not held up")
	cmd.Flags().BoolVar(&o.acceptNewKeys, "accept-new-host-keys", false, "record the host key of a device not in known_hosts, and the HTTPS certificate of a call manager read over AXL not in its axl_known_hosts (trust on first use); a changed key or certificate is always refused")
	cmd.Flags().StringVar(&o.knownHosts, "known-hosts", "", "known_hosts file (default: the host's known_hosts setting, else ~/.ssh/known_hosts)")
	cmd.Flags().StringVar(&o.saveRaw, "save-raw", "", "write every output to DIR in the offline layout (replay with --offline DIR)")
	cmd.Flags().DurationVar(&o.deviceTimeout, "device-timeout", 0, "give up on a device after this long (default: from its command timeouts)")
	cmd.Flags().IntVar(&o.retries, "retries", 3, "connection attempts per device (connection errors only, never after a command ran)")
	cmd.Flags().BoolVarP(&o.verbose, "verbose", "v", false, "structured debug logs on standard error")
	cmd.Flags().StringVar(&o.memoryLimit, "memory-limit", "", "soft memory limit for the Go runtime, as GOMEMLIMIT (e.g. 180MiB): the collector collects garbage sooner instead of growing past it")
}

func (o *liveOpts) options(stderr io.Writer) (live.Options, *progress) {
	p := newProgress(stderr)
	opt := live.Options{
		Workers:           o.workers,
		ConnectRate:       o.connectRate,
		Logins:            o.logins,
		AcceptNewHostKeys: o.acceptNewKeys,
		KnownHostsFile:    o.knownHosts,
		SaveRaw:           o.saveRaw,
		Retries:           o.retries,
		DeviceTimeout:     o.deviceTimeout,
		Progress:          p.event,
	}
	if o.verbose {
		opt.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return opt, p
}

func newAuditCmd() *cobra.Command {
	var o auditOpts
	cmd := &cobra.Command{
		Use:   "audit (-i inventory.yaml | --offline DIR)",
		Short: "Audit the voice network and report findings",
		Long: `Audit reads every device of the inventory, builds one snapshot, runs every
rule and prints the findings.

  kaudit audit -i inventory.yaml   logs into every host over SSH (read-only:
                                   only allow-listed show / run sql select
                                   commands), host keys checked against
                                   known_hosts
  kaudit audit --offline DIR       replays saved outputs: DIR/inventory.yaml
                                   and DIR/<host>/<command-key>.txt

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input
error, 3 audit incomplete (a device failed, an output did not parse, or
the run could not be recorded in the history).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAudit(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), &o)
		},
	}
	o.outputOpts.register(cmd)
	o.liveOpts.register(cmd)
	o.storeOpts.register(cmd)
	cmd.Flags().StringVarP(&o.inventory, "inventory", "i", "", "inventory.yaml of the devices to audit live over SSH")
	cmd.Flags().StringVar(&o.offline, "offline", "", "audit saved outputs in DIR instead of connecting to devices")
	cmd.Flags().StringArrayVar(&o.events, "events", nil, "CUCM syslog FILE or DIR (repeatable; gzip read as is) whose EndPointUnregistered alarms are joined to the findings; --offline DIR also reads DIR/events")
	cmd.Flags().StringVar(&o.limit, "limit", "", "only audit hosts matching a filter, Ansible style: name glob, platform=ios, group=G, tag=T or role=R; a,b = a or b, &t = and t, !t = not t; a switch or ASA keeps the call managers")
	return cmd
}

func runAudit(ctx context.Context, stdout, stderr io.Writer, o *auditOpts) error {
	if ctx == nil {
		ctx = context.Background()
	}
	failOn, err := o.severity()
	if err != nil {
		return err
	}
	pol, err := loadPolicy(o.policy)
	if err != nil {
		return err
	}
	if (o.offline == "") == (o.inventory == "") {
		return usageErr("audit needs exactly one of -i inventory.yaml (live) or --offline DIR")
	}
	started := time.Now()
	var snap *facts.Snapshot
	var source, digest string
	var hist *events.History
	if o.offline != "" {
		if o.saveRaw != "" {
			return usageErr("--save-raw goes with a live audit (-i)")
		}
		var inv *inventory.Inventory
		if snap, inv, err = loadOffline(ctx, o.offline, o.limit); err != nil {
			return err
		}
		if hist, err = readEvents(ctx, append(o.events, app.OfflineEvents(o.offline, inv)...)); err != nil {
			return err
		}
		digest = inv.Digest()
		source = limitSource(stderr, "offline "+o.offline, o.limit, inv)
		o.storeOpts.scope = auditScope(o.offline, o.limit)
		if !o.noStore {
			o.storeOpts.keep(inv, offlineOutputs(ctx, o.offline, inv))
		}
	} else {
		inv, err := inventory.Load(o.inventory)
		if err != nil {
			return usageErr("%v", err)
		}
		if inv, err = limit(inv, o.limit); err != nil {
			return err
		}
		// Before any device is dialled: a syslog path that does not read
		// is a usage error.
		if hist, err = readEvents(ctx, o.events); err != nil {
			return err
		}
		source = limitSource(stderr, "live "+o.inventory, o.limit, inv)
		o.storeOpts.scope = auditScope(o.inventory, o.limit)
		digest = inv.Digest()
		if o.memoryLimit != "" {
			n, err := parseSize(o.memoryLimit)
			if err != nil {
				return usageErr("--memory-limit: %v", err)
			}
			debug.SetMemoryLimit(n)
		}
		opt, bar := o.liveOpts.options(stderr)
		if !o.noStore {
			outs := store.NewOutputs()
			opt.Outputs = outs.Set
			o.storeOpts.keep(inv, outs)
		}
		snap, err = live.Collect(ctx, inv, opt)
		bar.finish()
		if err != nil {
			return collectErr(err)
		}
	}
	res := app.Evaluate(snap, pol, source, started, failOn)
	if hist != nil {
		app.JoinEvents(res, snap, hist)
	}
	res.Ladders = report.LaddersFrom(snap, res.Findings)
	o.storeOpts.record(ctx, stderr, res, snap, digest)
	if res.Diff != nil && (o.format == "table" || o.format == "markdown") && o.out == "" {
		// The nightly question first: what changed since yesterday.
		var b strings.Builder
		app.WriteDiffText(&b, res.Diff, false)
		fmt.Fprintln(stdout, b.String())
	}
	if o.metrics != "" {
		if err := report.WriteMetricsFile(o.metrics, res, o.storeOpts.lastSuccess(ctx, res)); err != nil {
			fmt.Fprintln(stderr, "kaudit: metrics not written:", err)
		}
	}
	return o.write(stdout, res)
}

// readEvents reads the CUCM syslog of paths; nil without paths. A path
// that cannot be read is a usage error (exit 2) naming it.
func readEvents(ctx context.Context, paths []string) (*events.History, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	h, err := app.ReadEvents(ctx, paths)
	if err != nil {
		return nil, usageErr("--events: %v", err)
	}
	return h, nil
}

// parseSize reads a size as GOMEMLIMIT writes it: bytes, or a number with
// B, KiB, MiB, GiB or TiB.
func parseSize(v string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	num, mult := v, int64(1)
	for _, u := range units {
		if strings.HasSuffix(v, u.suffix) {
			num, mult = strings.TrimSuffix(v, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is not a size such as 180MiB or 2GiB", v)
	}
	return n * mult, nil
}
