// Package report renders the result of an audit (devices, findings, phones)
// for people (table, markdown, a self-contained html page with timer
// ladders) and for machines (json, junit, Prometheus metrics for
// node_exporter's textfile collector), and decides the process exit code
// that CI gates read.
package report

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

// DeviceResult is how the collection of one device went.
type DeviceResult struct {
	Name     string
	Platform string
	// Status is facts.StatusOK, StatusPartial or StatusFailed.
	Status string
	// Error is why the device failed (or what broke on a partial one).
	Error string
	// Missing lists command keys that were expected but absent; their facts
	// are unknown and defaults stood in.
	Missing []string
	// Errors are the parse errors, each naming the file and line.
	Errors []string
	// Warnings are rows a parser skipped, each naming the file and line:
	// the rest of the output was read.
	Warnings []string
}

// Incomplete reports whether the audit of the device cannot be trusted: it
// failed, or something went wrong while reading it. A device that is only
// missing outputs is complete: the rules fall back to documented defaults
// and say so in their notes. An unknown or empty status counts as failed so
// that a collector bug cannot turn into a silently clean run.
func (d DeviceResult) Incomplete() bool {
	switch d.Status {
	case facts.StatusOK, facts.StatusPartial:
	default:
		return true
	}
	return d.Error != "" || len(d.Errors) > 0
}

// Result is everything one audit run produced.
type Result struct {
	Tool     string
	Version  string
	Started  time.Time
	Duration time.Duration
	// Source says where the facts came from: "offline DIR" or
	// "live inventory.yaml".
	Source   string
	Devices  []DeviceResult
	Findings []rules.Finding
	// Phones is optional; json and markdown list it.
	Phones []facts.Phone
	// FailOn is the lowest severity that fails the run. Zero means any
	// finding fails it, so a caller that forgets to set it errs on the
	// side of a red build.
	FailOn rules.Severity
	// Problems are what went wrong with the run itself rather than with
	// a device: the history store could not record it, say. Each makes
	// the run incomplete, and every format shows them, so that a nightly
	// job reading only the exit code or only the report notices.
	Problems []string

	// The fields below are optional sections; the formats that have no
	// place for them ignore them.

	// Ladders are the timer ladders of the phones named in findings (see
	// LaddersFrom); html draws them.
	Ladders []TimerLadder
	// Diff compares the run with an earlier one; html shows it.
	Diff *DiffSummary
	// Captures are capture timelines drawn by the capture package; html
	// embeds them after sanitising.
	Captures []CaptureTimeline
	// Rules lists the ids of the rules that ran. Metrics write a zero
	// series for each so that a rule that stops firing reads 0, not
	// "no data". Nil means every registered rule.
	Rules []string
	// Symptoms is the unregistration history read from CUCM's syslog
	// (audit --events), nil when none was read.
	Symptoms *Symptoms
}

// DiffSummary is what changed between two runs of the history store.
type DiffSummary struct {
	// From and To are the run ids compared.
	From, To int64
	// New findings appeared in To, Resolved ones were in From only, Open
	// ones are in both (matched by rules.Fingerprint). NotVerified ones
	// were in From (reported or carried) but To could not check them: a
	// device failed or was partial, a fact became unknown, or To did not
	// audit the device; they are carried, never resolved.
	New, Resolved, Open, NotVerified []rules.Finding
	// Changes lists other differences in words ("sw1: 2 outputs missing").
	Changes []string
}

// Exit codes, as documented for the CLI. ExitUsage is never returned by
// Result.ExitCode: usage and input errors are decided before an audit runs.
const (
	ExitClean      = 0
	ExitFindings   = 1
	ExitUsage      = 2
	ExitIncomplete = 3
)

// ExitCode is ExitFindings when any finding is at or above FailOn, else
// ExitIncomplete when any device is incomplete or the run has a problem,
// else ExitClean.
//
// Findings win over incompleteness because kaudit is used as a gate: a
// confirmed problem on the devices that were read must fail the gate even
// when another device was unreachable, and a job that only tests for
// "non-zero" gets the same answer either way. The json and junit outputs
// carry both facts separately for callers that need to tell them apart.
func (r *Result) ExitCode() int {
	if r.Failing() > 0 {
		return ExitFindings
	}
	if r.Incomplete() {
		return ExitIncomplete
	}
	return ExitClean
}

// Failing counts the findings at or above FailOn.
func (r *Result) Failing() int {
	n := 0
	for _, f := range r.Findings {
		if r.fails(f) {
			n++
		}
	}
	return n
}

// fails reports whether f fails the run: at or above FailOn and not waived.
func (r *Result) fails(f rules.Finding) bool { return f.Severity >= r.FailOn && f.Waived == nil }

// Incomplete reports whether any device is incomplete (see
// DeviceResult.Incomplete) or the run has a problem.
func (r *Result) Incomplete() bool {
	if len(r.Problems) > 0 {
		return true
	}
	for _, d := range r.Devices {
		if d.Incomplete() {
			return true
		}
	}
	return false
}

// Writer renders a Result in one format.
type Writer interface {
	Write(w io.Writer, r *Result) error
}

var writers = map[string]func() Writer{
	"table":    func() Writer { return &TableWriter{} },
	"json":     func() Writer { return JSONWriter{} },
	"junit":    func() Writer { return JUnitWriter{} },
	"markdown": func() Writer { return MarkdownWriter{} },
	"html":     func() Writer { return HTMLWriter{} },
}

// Formats lists the names New accepts, sorted.
func Formats() []string {
	names := make([]string, 0, len(writers))
	for n := range writers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New returns the writer for format (case-insensitive).
func New(format string) (Writer, error) {
	mk, ok := writers[strings.ToLower(strings.TrimSpace(format))]
	if !ok {
		return nil, fmt.Errorf("unknown report format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	return mk(), nil
}

// SortFindings orders findings worst first, then by rule, device and
// object; findings equal on all four keep their order.
func SortFindings(fs []rules.Finding) {
	slices.SortStableFunc(fs, rules.Compare)
}

// summary is what every format's header shows. Building it once keeps the
// formats from disagreeing about the counts.
type summary struct {
	devices, ok, partial, failed int
	incomplete                   int
	bySeverity                   map[rules.Severity]int
	findings, failing            int
	exit                         int
}

func summarize(r *Result) summary {
	s := summary{bySeverity: map[rules.Severity]int{}, exit: r.ExitCode()}
	for _, d := range r.Devices {
		s.devices++
		switch d.Status {
		case facts.StatusOK:
			s.ok++
		case facts.StatusPartial:
			s.partial++
		default:
			s.failed++
		}
		if d.Incomplete() {
			s.incomplete++
		}
	}
	for _, f := range r.Findings {
		s.findings++
		s.bySeverity[f.Severity]++
		if r.fails(f) {
			s.failing++
		}
	}
	return s
}

// severities lists the known severities worst first.
var severities = []rules.Severity{rules.Critical, rules.Warning, rules.Info}

// sortedFindings returns a sorted copy so that writers never reorder the
// caller's slice. With Symptoms, the findings whose phones dropped come
// first.
func sortedFindings(r *Result) []rules.Finding {
	fs := slices.Clone(r.Findings)
	SortFindings(fs)
	if r.Symptoms != nil {
		r.Symptoms.rank(fs)
	}
	return fs
}

// sortedDevices orders devices by name: live collection runs in parallel,
// so the order devices finish in must not leak into the reports.
func sortedDevices(r *Result) []DeviceResult {
	ds := slices.Clone(r.Devices)
	slices.SortStableFunc(ds, func(a, b DeviceResult) int { return strings.Compare(a.Name, b.Name) })
	return ds
}

func sortedPhones(r *Result) []facts.Phone {
	ps := slices.Clone(r.Phones)
	slices.SortStableFunc(ps, func(a, b facts.Phone) int { return strings.Compare(a.Name, b.Name) })
	return ps
}

// toolName is what a report calls the tool when the caller left it empty.
func toolName(r *Result) string {
	if r.Tool == "" {
		return "kaudit"
	}
	return r.Tool
}

// failOnName names the threshold; zero means any finding fails the run.
func failOnName(s rules.Severity) string {
	if s <= 0 {
		return rules.Info.String()
	}
	return s.String()
}

// exitReason explains an exit code in a few words for the human formats.
func exitReason(r *Result, s summary) string {
	switch s.exit {
	case ExitFindings:
		return fmt.Sprintf("%d finding(s) at or above %s", s.failing, failOnName(r.FailOn))
	case ExitIncomplete:
		var why []string
		if s.incomplete > 0 {
			why = append(why, fmt.Sprintf("%d device(s) not fully read", s.incomplete))
		}
		// The problems themselves are listed beside the verdict.
		if n := len(r.Problems); n > 0 {
			why = append(why, fmt.Sprintf("%d problem(s) with the run", n))
		}
		return "audit incomplete: " + strings.Join(why, ", ")
	}
	return "clean"
}

// evidenceText renders one evidence line as
// "device: what = value  (host/key.txt:line: text)", marking assumed values.
func evidenceText(e rules.Evidence) string {
	var b strings.Builder
	if e.Device != "" {
		b.WriteString(e.Device)
		b.WriteString(": ")
	}
	b.WriteString(e.What)
	b.WriteString(" = ")
	b.WriteString(e.Value)
	switch {
	case e.Source != nil && e.Default:
		// A default can still point at the line that implies it (e.g. the
		// interface stanza that lacks the command).
		fmt.Fprintf(&b, "  (default; %s)", e.Source)
	case e.Source != nil:
		fmt.Fprintf(&b, "  (%s)", e.Source)
	case e.Default:
		b.WriteString("  (default)")
	}
	return b.String()
}

// phoneList shows at most max phones and says how many were left out;
// max <= 0 shows them all.
func phoneList(phones []string, max int) string {
	if max <= 0 || len(phones) <= max {
		return strings.Join(phones, ", ")
	}
	return fmt.Sprintf("%s +%d more", strings.Join(phones[:max], ", "), len(phones)-max)
}

func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

func formatStarted(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.Format("2006-01-02 15:04:05 MST")
}
