package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/inventory"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
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
	w, err := report.New(o.format)
	if err != nil {
		return usageErr("--format: %v", err)
	}
	dst := stdout
	var f *os.File
	if o.out != "" {
		f, err = os.Create(o.out)
		if err != nil {
			return usageErr("--out: %v", err)
		}
		dst = f
	}
	werr := w.Write(dst, res)
	if f != nil {
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
	}
	if werr != nil {
		return &exitError{code: report.ExitUsage, err: fmt.Errorf("writing report: %w", werr)}
	}
	if code := res.ExitCode(); code != 0 {
		return &exitError{code: code}
	}
	return nil
}

type auditOpts struct {
	outputOpts
	offline string
	limit   string
}

func newAuditCmd() *cobra.Command {
	var o auditOpts
	cmd := &cobra.Command{
		Use:   "audit (--offline DIR)",
		Short: "Audit the voice network and report findings",
		Long: `Audit reads every device of the inventory, builds one snapshot, runs every
rule and prints the findings.

  kaudit audit --offline DIR   replays saved outputs: DIR/inventory.yaml and
                               DIR/<host>/<command-key>.txt

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input
error, 3 audit incomplete (a device failed or an output did not parse).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAudit(cmd.Context(), cmd.OutOrStdout(), &o)
		},
	}
	o.register(cmd)
	cmd.Flags().StringVar(&o.offline, "offline", "", "audit saved outputs in DIR instead of connecting to devices")
	cmd.Flags().StringVar(&o.limit, "limit", "", "only audit hosts matching a filter (name glob, platform=ios, group=G, tag=T, role=R; comma = and)")
	return cmd
}

func runAudit(ctx context.Context, stdout io.Writer, o *auditOpts) error {
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
	if o.offline == "" {
		return usageErr("audit needs --offline DIR (live collection is not available yet)")
	}
	started := time.Now()
	inv, err := offline.Load(o.offline)
	if err != nil {
		return usageErr("%v", err)
	}
	if inv, err = limit(inv, o.limit); err != nil {
		return err
	}
	snap, err := offline.Collect(ctx, o.offline, inv)
	if err != nil {
		return &exitError{code: report.ExitIncomplete, err: err}
	}
	res := app.Evaluate(snap, pol, "offline "+o.offline, started, failOn)
	return o.write(stdout, res)
}

func limit(inv *inventory.Inventory, expr string) (*inventory.Inventory, error) {
	if expr == "" {
		return inv, nil
	}
	out, err := inventory.Filter(inv, expr)
	if err != nil {
		return nil, usageErr("--limit: %v", err)
	}
	if len(out.Hosts) == 0 {
		return nil, usageErr("--limit %q matches no host", expr)
	}
	return out, nil
}
