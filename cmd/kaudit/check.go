package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/precheck"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
	"github.com/kaudit/kaudit/store"
)

type checkOpts struct {
	outputOpts
	device        string
	candidate     string
	patch         string
	offline       string
	store         string
	saveCandidate string
	all           bool
}

func newCheckCmd() *cobra.Command {
	var o checkOpts
	cmd := &cobra.Command{
		Use:   "check --device HOST (--candidate FILE | --patch FILE) (--offline DIR | --store PATH)",
		Short: "Check a configuration change before it is made: the findings it introduces and resolves",
		Long: `Check answers "will this change break phones?" before the change is made.
It takes the current state of the network, replaces the running config of one
switch or ASA by the candidate, runs every rule before and after, and reports
the findings the change introduces; the ones it resolves follow the report.

  --candidate FILE   the full running config proposed for HOST
  --patch FILE       configuration lines to apply to HOST's saved running
                     config, as typed in a change ticket:
                       interface GigabitEthernet1/0/1
                        switchport port-security aging time 5
                     Sections are indented under their header (or closed by
                     "!" or "exit"); a command re-entered with a new value
                     replaces the old line; "no LINE" removes it (also without
                     its value: "no switchport port-security aging time");
                     "default interface X" empties an interface; ASA
                     "timeout conn 0:30:00" changes that one timer.
  --offline DIR      the current state: saved outputs (DIR/inventory.yaml and
                     DIR/<host>/<command-key>.txt); the other devices are
                     read from there unchanged
  --store PATH       the current state: the newest run in the history store
                     that read HOST completely (a whole inventory's before
                     a --limit run's), the facts and outputs it recorded
                     (--patch applies to HOST's recorded running config).
                     A run recorded by a kaudit that kept only facts takes
                     --candidate, parsed over HOST's stored facts

Findings are matched by rule, device, object and phones. One whose severity
rises counts as introduced; one whose severity falls is listed apart and does
not fail the check. Evidence lines of HOST's show_running-config point into
the candidate (with --patch, the patched text: --save-candidate writes it).

Output: the report (every --format) lists the introduced findings, so JUnit
output is a CI gate on the change alone. table and markdown add a section
with the resolved, less severe and (with --all) unchanged findings; json is
{"introduced": <the json report>, "resolved": [...], "lowered": [...],
"unchanged": N, "unchanged_findings": [...] (with --all), "notes": [...],
"warnings": [...]}; junit and html list the introduced findings only.

Exit codes: 0 the change introduces nothing at or above --fail-on (resolved
findings are good news), 1 it does, 2 usage or input error (unknown device,
unreadable candidate, a patch or candidate that does not parse: the message
names the file and line), 3 a device of the current state is incomplete.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheck(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), &o)
		},
	}
	o.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.device, "device", "", "the inventory host the change is for")
	f.StringVar(&o.candidate, "candidate", "", "the full running config proposed for the device")
	f.StringVar(&o.patch, "patch", "", "configuration lines to apply to the device's saved running config")
	f.StringVar(&o.offline, "offline", "", "take the current state from the saved outputs in DIR")
	f.StringVar(&o.store, "store", "", "take the current state from the latest run in the history store at PATH")
	f.StringVar(&o.saveCandidate, "save-candidate", "", "write the running config that was evaluated (the patched text) to FILE")
	f.BoolVar(&o.all, "all", false, "also list the findings the change leaves as they are")
	return cmd
}

func runCheck(ctx context.Context, stdout, stderr io.Writer, o *checkOpts) error {
	if ctx == nil {
		ctx = context.Background()
	}
	started := time.Now()
	failOn, err := o.severity()
	if err != nil {
		return err
	}
	if _, err := report.New(o.format); err != nil {
		return usageErr("--format: %v", err)
	}
	pol, err := loadPolicy(o.policy)
	if err != nil {
		return err
	}
	switch {
	case o.device == "":
		return usageErr("check needs --device HOST")
	case (o.candidate == "") == (o.patch == ""):
		return usageErr("check needs one of --candidate FILE and --patch FILE")
	case (o.offline == "") == (o.store == ""):
		return usageErr("check needs one of --offline DIR and --store PATH")
	}
	ch := precheck.Change{Device: o.device}
	kind, file := "patch", o.patch
	if o.candidate != "" {
		kind, file = "candidate", o.candidate
	}
	data, err := offline.ReadOutput(file)
	if err != nil {
		return usageErr("--%s: %v", kind, err)
	}
	ch.Name = file
	if kind == "patch" {
		ch.Patch = data
	} else {
		ch.Candidate = data
	}

	opts := precheck.Options{Policy: pol, FailOn: failOn, Started: started}
	var from string
	if o.store != "" {
		st, id, err := openBaselineStore(ctx, o.store, o.device)
		if err != nil {
			return err
		}
		defer st.Close()
		opts.Baseline = func(ctx context.Context) (*facts.Snapshot, error) { return st.Snapshot(ctx, id) }
		if opts.Saved, err = storedOutputs(ctx, st, id, o.device, kind); err != nil {
			return err
		}
		from = fmt.Sprintf("store %s run #%d", o.store, id)
	} else {
		inv, err := offline.Load(o.offline)
		if err != nil {
			return usageErr("%v", err)
		}
		dir := o.offline
		opts.Baseline = func(ctx context.Context) (*facts.Snapshot, error) { return offline.Collect(ctx, dir, inv) }
		opts.Saved = func(host string) collectors.Reader { return offline.DirReader(filepath.Join(dir, host)) }
		from = "offline " + dir
	}
	opts.Source = fmt.Sprintf("%s, %s changed by %s %s", from, o.device, kind, file)
	res, err := precheck.Run(ctx, opts, ch)
	if res != nil {
		for _, w := range res.Warnings {
			fmt.Fprintln(stderr, "kaudit: warning:", printable(w))
		}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return &exitError{code: report.ExitIncomplete, err: err}
		}
		return usageErr("%s", printable(err.Error()))
	}
	if o.saveCandidate != "" {
		if err := os.WriteFile(o.saveCandidate, res.Candidate, 0o644); err != nil {
			return usageErr("--save-candidate: %v", err)
		}
	}
	return o.writeCheck(stdout, res, kind, file)
}

// openBaselineStore opens an existing history store read-only and finds
// the run a check of device starts from: the newest run that read it
// completely, one of a whole inventory before a --limit run (issue 14.2:
// like with like, and the devices around the one changed), never a run
// where it failed or of another site.
func openBaselineStore(ctx context.Context, path, device string) (*store.Store, int64, error) {
	st, err := store.OpenReadOnly(ctx, path, store.Options{})
	if err != nil {
		return nil, 0, usageErr("--store: %v", err)
	}
	ids, err := st.Latest(ctx, 1)
	if err == nil && len(ids) == 0 {
		err = fmt.Errorf("%s holds no run yet: audit first, or use --offline DIR", path)
	}
	var id int64
	if err == nil {
		id, err = st.LatestWith(ctx, device)
	}
	if err == nil && id == 0 {
		err = fmt.Errorf("no run in %s read %s completely: audit it first, or use --offline DIR", path, device)
	}
	if err != nil {
		st.Close()
		return nil, 0, usageErr("--store: %v", err)
	}
	return st, id, nil
}

// storedOutputs reads HOST's outputs from the run, as --offline reads
// them from files. A run that kept none (recorded by a kaudit that kept
// only facts) gives nil: a candidate is then parsed over the stored
// facts, and a patch, which needs the running config, is refused here
// with what to do.
func storedOutputs(ctx context.Context, st *store.Store, id int64, device, kind string) (func(string) collectors.Reader, error) {
	ro, err := st.RunOutputs(ctx, id)
	if err != nil {
		return nil, usageErr("--store: %v", err)
	}
	for _, d := range ro.Devices {
		if d.Name == device && !d.Recorded && kind == "patch" {
			return nil, usageErr("--patch: run #%d of %s recorded no outputs of %s (it failed in that run, or a kaudit that kept only facts recorded it): audit again, or give the full candidate config (--candidate) or saved outputs (--offline DIR)", id, st.Path(), device)
		}
	}
	if !ro.Any() {
		return nil, nil
	}
	return func(host string) collectors.Reader {
		if r := ro.Reader(ctx, host); r != nil {
			return r
		}
		return nil
	}, nil
}

// writeCheck renders the result and returns the exit error for its code.
func (o *checkOpts) writeCheck(stdout io.Writer, res *precheck.Result, kind, file string) error {
	return o.render(stdout, res.Report, func(dst io.Writer, w report.Writer) error {
		switch strings.ToLower(strings.TrimSpace(o.format)) {
		case "json":
			return writeCheckJSON(dst, w, res, o.all)
		case "table":
			if err := w.Write(dst, res.Report); err != nil {
				return err
			}
			return writeCheckText(dst, res, o.all, kind, file)
		case "markdown":
			if err := w.Write(dst, res.Report); err != nil {
				return err
			}
			return writeCheckMarkdown(dst, res, o.all, kind, file)
		default:
			// junit is the gate: only what the change introduces.
			return w.Write(dst, res.Report)
		}
	})
}

type checkJSON struct {
	Introduced        json.RawMessage    `json:"introduced"`
	Resolved          []rules.Finding    `json:"resolved"`
	Lowered           []precheck.Lowered `json:"lowered"`
	Unchanged         int                `json:"unchanged"`
	UnchangedFindings []rules.Finding    `json:"unchanged_findings,omitempty"`
	Notes             []string           `json:"notes"`
	Warnings          []string           `json:"warnings"`
}

func writeCheckJSON(dst io.Writer, w report.Writer, res *precheck.Result, all bool) error {
	var rep bytes.Buffer
	if err := w.Write(&rep, res.Report); err != nil {
		return err
	}
	out := checkJSON{
		Introduced: json.RawMessage(rep.Bytes()),
		Resolved:   nonNilFindings(res.Diff.Resolved),
		Lowered:    res.Diff.Lowered,
		Unchanged:  len(res.Diff.Unchanged),
		Notes:      nonNilStrings(res.Notes),
		Warnings:   nonNilStrings(res.Warnings),
	}
	if out.Lowered == nil {
		out.Lowered = []precheck.Lowered{}
	}
	if all {
		out.UnchangedFindings = nonNilFindings(res.Diff.Unchanged)
	}
	enc := json.NewEncoder(dst)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func nonNilFindings(fs []rules.Finding) []rules.Finding {
	if fs == nil {
		return []rules.Finding{}
	}
	return fs
}

func nonNilStrings(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// findingLine renders a finding on one line for the check's own sections.
func findingLine(f rules.Finding) string {
	s := fmt.Sprintf("%-8s %s  %s  %s", f.Severity, f.Rule, f.Device, f.Object)
	if len(f.Phones) > 0 {
		s += "  (" + phonesText(f.Phones) + ")"
	}
	return printable(s)
}

func phonesText(phones []string) string {
	if len(phones) > 3 {
		return fmt.Sprintf("%s +%d more", strings.Join(phones[:3], ", "), len(phones)-3)
	}
	return strings.Join(phones, ", ")
}

func summaryLine(res *precheck.Result, kind, file string) string {
	d := res.Diff
	return printable(fmt.Sprintf("%s %s: %d introduced, %d resolved, %d less severe, %d unchanged",
		kind, file, len(d.Introduced), len(d.Resolved), len(d.Lowered), len(d.Unchanged)))
}

func writeCheckText(dst io.Writer, res *precheck.Result, all bool, kind, file string) error {
	var b strings.Builder
	d := res.Diff
	fmt.Fprintf(&b, "\nchange: %s\n", summaryLine(res, kind, file))
	if len(d.Resolved) > 0 {
		fmt.Fprintf(&b, "\nresolved by this change (%d):\n", len(d.Resolved))
		for _, f := range d.Resolved {
			fmt.Fprintf(&b, "  %s\n", findingLine(f))
		}
	}
	if len(d.Lowered) > 0 {
		fmt.Fprintf(&b, "\nless severe after this change (%d):\n", len(d.Lowered))
		for _, l := range d.Lowered {
			fmt.Fprintf(&b, "  %s (was %s)\n", findingLine(l.Finding), l.Was)
		}
	}
	switch {
	case len(d.Unchanged) > 0 && all:
		fmt.Fprintf(&b, "\nunchanged by this change (%d):\n", len(d.Unchanged))
		for _, f := range d.Unchanged {
			fmt.Fprintf(&b, "  %s\n", findingLine(f))
		}
	case len(d.Unchanged) > 0:
		fmt.Fprintf(&b, "\nunchanged by this change: %d finding(s) already there before it (--all lists them)\n", len(d.Unchanged))
	}
	if len(res.Notes) > 0 {
		b.WriteString("\nnotes:\n")
		for _, n := range res.Notes {
			fmt.Fprintf(&b, "  - %s\n", printable(n))
		}
	}
	_, err := io.WriteString(dst, b.String())
	return err
}

func writeCheckMarkdown(dst io.Writer, res *precheck.Result, all bool, kind, file string) error {
	var b strings.Builder
	d := res.Diff
	fmt.Fprintf(&b, "\n## Change\n\n%s\n", mdEscape(summaryLine(res, kind, file)))
	table := func(title string, fs []rules.Finding, was []rules.Severity) {
		fmt.Fprintf(&b, "\n## %s (%d)\n\n| Severity | Rule | Device | Object | Phones |\n|---|---|---|---|---|\n", title, len(fs))
		for i, f := range fs {
			sev := f.Severity.String()
			if was != nil {
				sev += " (was " + was[i].String() + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", sev, mdEscape(f.Rule), mdEscape(f.Device), mdEscape(f.Object), mdEscape(phonesText(f.Phones)))
		}
	}
	if len(d.Resolved) > 0 {
		table("Resolved by this change", d.Resolved, nil)
	}
	if len(d.Lowered) > 0 {
		var fs []rules.Finding
		var was []rules.Severity
		for _, l := range d.Lowered {
			fs, was = append(fs, l.Finding), append(was, l.Was)
		}
		table("Less severe after this change", fs, was)
	}
	if all && len(d.Unchanged) > 0 {
		table("Unchanged by this change", d.Unchanged, nil)
	}
	if len(res.Notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range res.Notes {
			fmt.Fprintf(&b, "- %s\n", mdEscape(n))
		}
	}
	_, err := io.WriteString(dst, b.String())
	return err
}

// mdEscape keeps config text from breaking the markdown table or being
// read as markup.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`)
	return r.Replace(printable(s))
}

// printable replaces control and bidi characters, which a hostile config
// could use to rewrite the terminal, by '?'.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return '?'
		}
		return r
	}, s)
}
