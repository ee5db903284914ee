package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/inventory"
	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
	"github.com/kaudit/kaudit/store"
)

// storeOpts are the history flags.
type storeOpts struct {
	path    string
	noStore bool
	metrics string
	// inventory and outputs are recorded with the run (see keep).
	inventory []byte
	outputs   *store.Outputs
	// scope is what the run audited (auditScope).
	scope store.Scope
}

// keep has the run recorded with its resolved inventory and outputs, so
// that check --store --patch and show --save-raw work from it.
func (o *storeOpts) keep(inv *inventory.Inventory, outs *store.Outputs) {
	o.inventory, o.outputs = inventory.Marshal(inv), outs
}

func (o *storeOpts) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.path, "store", "", "run history database (default: $XDG_DATA_HOME/kaudit/history.db)")
	cmd.Flags().BoolVar(&o.noStore, "no-store", false, "do not record this run in the history")
	cmd.Flags().StringVar(&o.metrics, "metrics", "", "write Prometheus metrics to FILE (node_exporter textfile collector)")
}

func storePath(p string) (string, error) {
	if p != "" {
		return p, nil
	}
	p, err := store.DefaultPath()
	if err != nil {
		return "", usageErr("%v", err)
	}
	return p, nil
}

func openStore(ctx context.Context, p string) (*store.Store, error) {
	path, err := storePath(p)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return st, nil
}

// openHistory opens the store for a command that only reads it: read-only,
// so that it works on a history this user may not write, and never
// creating one where there is none.
func openHistory(ctx context.Context, p string) (*store.Store, error) {
	path, err := storePath(p)
	if err != nil {
		return nil, err
	}
	st, err := store.OpenReadOnly(ctx, path, store.Options{})
	var missing *store.MissingError
	if errors.As(err, &missing) {
		return nil, usageErr("%v: run kaudit audit first, or pass --store", missing)
	}
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return st, nil
}

// record saves the run and compares it with the previous one. A store
// that fails never costs the audit its report, but it makes the run
// incomplete (exit 3 unless findings give 1) and the report says why: a
// nightly job must notice that its history has a gap.
func (o *storeOpts) record(ctx context.Context, stderr io.Writer, res *report.Result, snap *facts.Snapshot, digest string) {
	if o.noStore {
		return
	}
	if err := o.save(ctx, stderr, res, snap, digest); err != nil {
		fmt.Fprintln(stderr, "kaudit: run not recorded:", err)
		res.Problems = append(res.Problems, "run not recorded in the history: "+err.Error())
	}
}

// save compares the run with the previous run of its scope, which sets
// its findings' status and first sighting, and stores it with the
// findings it could not verify; res.Diff is the comparison.
func (o *storeOpts) save(ctx context.Context, stderr io.Writer, res *report.Result, snap *facts.Snapshot, digest string) error {
	st, err := openStore(ctx, o.path)
	if err != nil {
		return err
	}
	defer st.Close()
	var prev *app.RunView
	prevID, err := st.Previous(ctx, o.scope, res.Source, 0)
	if err == nil && prevID != 0 {
		prev, _, err = runView(ctx, st, prevID)
	}
	var d *report.DiffSummary
	if err != nil {
		// A damaged history must not cost tonight's run its record;
		// the run is recorded without a comparison.
		fmt.Fprintf(stderr, "kaudit: not compared with the previous run: %v\n", err)
	} else {
		d = app.Compare(prev, &app.RunView{Started: res.Started, Findings: res.Findings, Devices: res.Devices, Snap: snap}, true)
	}
	rec := store.RunRecord{
		Started: res.Started, Ended: res.Started.Add(res.Duration), Source: res.Source,
		InventoryDigest: digest, Version: res.Version, Devices: res.Devices,
		Findings: res.Findings, ExitCode: res.ExitCode(),
		Inventory: o.inventory, Outputs: o.outputs, Scope: o.scope,
	}
	if d != nil {
		rec.Unverified = d.NotVerified
	}
	id, err := st.SaveRun(ctx, rec, snap)
	if err != nil {
		return err
	}
	if d != nil {
		d.To = id
		res.Diff = d
	}
	return nil
}

// lastSuccess is when the newest run of the audit's scope with exit code
// 0 started.
func (o *storeOpts) lastSuccess(ctx context.Context, res *report.Result) time.Time {
	if res.ExitCode() == 0 {
		return res.Started
	}
	st, err := openHistory(ctx, o.path)
	if err != nil {
		return time.Time{}
	}
	defer st.Close()
	t, err := st.LastSuccess(ctx, o.scope, res.Source)
	if err != nil {
		return time.Time{}
	}
	return t
}

func newRunsCmd() *cobra.Command {
	var path string
	var limit int
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List the recorded audit runs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openHistory(cmd.Context(), path)
			if err != nil {
				return err
			}
			defer st.Close()
			runs, err := st.Runs(cmd.Context(), limit)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%-5s %-20s %-5s %-17s %-26s %s\n", "RUN", "STARTED", "EXIT", "DEVICES ok/p/f", "FINDINGS crit/warn/info", "SOURCE")
			for _, r := range runs {
				fmt.Fprintf(w, "%-5d %-20s %-5d %-17s %-26s %s\n", r.ID, r.Started.UTC().Format("2006-01-02 15:04:05"), r.ExitCode,
					fmt.Sprintf("%d/%d/%d", r.DevicesOK, r.DevicesPartial, r.DevicesFailed),
					fmt.Sprintf("%d/%d/%d", r.BySeverity[rules.Critical], r.BySeverity[rules.Warning], r.BySeverity[rules.Info]), r.Source)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "store", "", "run history database")
	cmd.Flags().IntVar(&limit, "limit", 20, "newest runs to list (0 = all)")
	return cmd
}

func newShowCmd() *cobra.Command {
	var o outputOpts
	var path, saveRaw string
	cmd := &cobra.Command{
		Use:   "show RUN",
		Short: "Render a recorded run in any report format",
		Long: `show renders a recorded run in any report format. With --save-raw DIR it
also writes the outputs the run recorded back out in the offline layout
(DIR/inventory.yaml and DIR/<host>/<command-key>.txt, as audit --save-raw
writes them): audit --offline DIR or check --offline DIR replay the run.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return usageErr("run id %q is not a number", args[0])
			}
			failOn, err := o.severity()
			if err != nil {
				return err
			}
			st, err := openHistory(cmd.Context(), path)
			if err != nil {
				return err
			}
			defer st.Close()
			rec, err := st.Run(cmd.Context(), id)
			if err != nil {
				return usageErr("%v", err)
			}
			if saveRaw != "" {
				if err := writeRunRaw(cmd.Context(), cmd.ErrOrStderr(), st, id, saveRaw); err != nil {
					return err
				}
			}
			res := &report.Result{Tool: "kaudit", Version: rec.Version, Started: rec.Started, Duration: rec.Ended.Sub(rec.Started),
				Source: rec.Source, Devices: rec.Devices, Findings: rec.Findings, FailOn: failOn}
			if snap, err := st.Snapshot(cmd.Context(), id); err == nil {
				snap.Join(app.RulesConfig(policy.Default()).Defaults)
				res.Phones = snap.Phones
				res.Ladders = report.LaddersFrom(snap, res.Findings)
			}
			// What changed since the previous run of its scope, and the
			// findings it carried unverified, as the audit reported them.
			if prev, err := st.Previous(cmd.Context(), rec.Scope, rec.Source, id); err == nil && prev != 0 {
				if d, err := diffRuns(cmd.Context(), st, prev, id); err == nil {
					res.Diff = d
				}
			}
			return o.write(cmd.OutOrStdout(), res)
		},
	}
	o.register(cmd)
	cmd.Flags().StringVar(&path, "store", "", "run history database")
	cmd.Flags().StringVar(&saveRaw, "save-raw", "", "also write the run's recorded outputs to DIR in the offline layout (replay with --offline DIR)")
	return cmd
}
