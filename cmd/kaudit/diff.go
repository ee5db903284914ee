package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

// diffFormats are the formats kaudit diff writes.
var diffFormats = map[string]func(io.Writer, *report.DiffSummary) error{
	"table": func(w io.Writer, d *report.DiffSummary) error {
		var b strings.Builder
		app.WriteDiffText(&b, d, true)
		_, err := io.WriteString(w, b.String())
		return err
	},
	"json":     report.WriteDiffJSON,
	"markdown": report.WriteDiffMarkdown,
}

func newDiffCmd() *cobra.Command {
	var path, format, failOnNew string
	cmd := &cobra.Command{
		Use:   "diff [RUN_A [RUN_B]]",
		Short: "New, resolved, not verified and still-open findings between two runs, and what changed on the devices",
		Long: `diff compares two recorded runs: without arguments the latest run with the
previous run of its scope (the same inventory and --limit), with one run
that run with the latest of its scope, with two those two.

A finding of the earlier run that the later one did not check (its device
failed or was partial, an output was missing, or the later run did not
audit the device) is "not verified", never "resolved".

Exit codes: 0, or 1 with --fail-on-new SEVERITY when a finding at or above
SEVERITY is new and no waiver accepts it (a cron MAILTO or a CI job alerts
on exactly that); 2 usage error.`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			write, ok := diffFormats[strings.ToLower(strings.TrimSpace(format))]
			if !ok {
				return usageErr("--format %q: want table, json or markdown", format)
			}
			var sev rules.Severity
			if failOnNew != "" {
				var err error
				if sev, err = rules.ParseSeverity(failOnNew); err != nil {
					return usageErr("--fail-on-new: %v", err)
				}
			}
			var ids []int64
			for _, a := range args {
				id, err := strconv.ParseInt(a, 10, 64)
				if err != nil {
					return usageErr("run id %q is not a number", a)
				}
				ids = append(ids, id)
			}
			st, err := openHistory(cmd.Context(), path)
			if err != nil {
				return err
			}
			defer st.Close()
			from, to, err := diffPair(cmd.Context(), st, ids)
			if err != nil {
				return err
			}
			d, err := diffRuns(cmd.Context(), st, from, to)
			if err != nil {
				return usageErr("%v", err)
			}
			if err := write(cmd.OutOrStdout(), d); err != nil {
				return err
			}
			if failOnNew != "" {
				if n := report.NewAtOrAbove(d, sev); n > 0 {
					return &exitError{code: report.ExitFindings, err: fmt.Errorf("%d new finding(s) at or above %s since run #%d", n, sev, d.From)}
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "store", "", "run history database")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, json or markdown")
	cmd.Flags().StringVar(&failOnNew, "fail-on-new", "", "exit 1 when a finding at or above this severity (info, warning, critical) is new and not waived")
	return cmd
}
