package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

// DefaultMaxPhones is how many phones a finding lists on a terminal before
// it says "+N more"; a finding on a trunk-facing setting can name hundreds.
const DefaultMaxPhones = 5

// TableWriter renders a Result as plain text for a terminal.
type TableWriter struct {
	// Color adds ANSI colours; off by default because output that is not
	// a terminal (files, CI logs, pipes) must stay clean. The caller
	// decides, e.g. with x/term's IsTerminal.
	Color bool
	// MaxPhones caps the phones listed per finding; 0 means
	// DefaultMaxPhones, negative lists them all.
	MaxPhones int
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[1;31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

func (t *TableWriter) paint(code, s string) string {
	if !t.Color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func severityColor(s rules.Severity) string {
	switch s {
	case rules.Critical:
		return ansiRed
	case rules.Warning:
		return ansiYellow
	}
	return ansiCyan
}

// Write renders r to w.
func (t *TableWriter) Write(w io.Writer, r *Result) error {
	s := summarize(r)
	var b strings.Builder

	title := toolName(r)
	if r.Version != "" {
		title += " " + r.Version
	}
	fmt.Fprintf(&b, "%s audit of %s\n", t.paint(ansiBold, oneLine(title)), oneLine(orUnknown(r.Source)))
	fmt.Fprintf(&b, "started %s, took %s\n", formatStarted(r.Started), formatDuration(r.Duration))
	fmt.Fprintf(&b, "devices:  %d (%d ok, %d partial, %d failed)\n", s.devices, s.ok, s.partial, s.failed)
	fmt.Fprintf(&b, "findings: %d (%s), fail on %s\n", s.findings, severityCounts(s), failOnName(r.FailOn))
	res := fmt.Sprintf("exit %d, %s", s.exit, exitReason(r, s))
	if s.exit != ExitClean {
		res = t.paint(ansiRed, res)
	}
	fmt.Fprintf(&b, "result:   %s\n", res)
	for _, pr := range r.Problems {
		fmt.Fprintf(&b, "problem:  %s\n", t.paint(ansiRed, oneLine(pr)))
	}
	if r.Symptoms != nil {
		fmt.Fprintf(&b, "syslog:   %s\n", oneLine(r.Symptoms.ReadText()))
	}

	fs := sortedFindings(r)
	if len(fs) == 0 {
		b.WriteString("\nno findings\n")
	}
	max := t.MaxPhones
	if max == 0 {
		max = DefaultMaxPhones
	}
	if len(fs) > 0 {
		t.writeDeviceSummary(&b, r)
	}
	grouped := GroupFindings(r)
	desc := phoneDescriptions(r)
	if len(grouped.Groups) > 0 {
		b.WriteByte('\n')
	}
	for i, g := range grouped.Groups {
		t.writeGroup(&b, i+1, g, max, desc, r.Symptoms)
	}
	if len(grouped.Keepalives) > 0 {
		fmt.Fprintf(&b, "\n%s\n", t.paint(ansiBold, "keepalives the findings were judged against:"))
		for _, k := range grouped.Keepalives {
			for j, e := range k.Evidence {
				label := "    "
				if j == 0 {
					label = fmt.Sprintf("[%s]", k.ID)
				}
				line := oneLine(evidenceText(e))
				if e.Default {
					line = t.paint(ansiDim, line)
				}
				fmt.Fprintf(&b, "  %-4s %s\n", label, line)
			}
		}
	}

	t.writeUnexplained(&b, r)

	var troubled []DeviceResult
	for _, d := range sortedDevices(r) {
		if d.Status != facts.StatusOK || d.Error != "" || len(d.Errors) > 0 || len(d.Missing) > 0 || len(d.Warnings) > 0 {
			troubled = append(troubled, d)
		}
	}
	if len(troubled) > 0 {
		fmt.Fprintf(&b, "\n%s\n", t.paint(ansiBold, "devices not fully read:"))
	}
	for _, d := range troubled {
		status := oneLine(orUnknown(d.Status))
		if d.Incomplete() {
			status = t.paint(ansiRed, status)
		}
		fmt.Fprintf(&b, "  %s (%s) %s", oneLine(d.Name), oneLine(orUnknown(d.Platform)), status)
		if d.Error != "" {
			fmt.Fprintf(&b, ": %s", oneLine(d.Error))
		}
		b.WriteByte('\n')
		if len(d.Missing) > 0 {
			fmt.Fprintf(&b, "    missing (defaults used): %s\n", strings.Join(cleanAll(d.Missing), ", "))
		}
		for _, e := range d.Errors {
			fmt.Fprintf(&b, "    %s\n", oneLine(e))
		}
		for _, w := range d.Warnings {
			fmt.Fprintf(&b, "    warning: %s\n", oneLine(w))
		}
	}

	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("write table report: %w", err)
	}
	return nil
}

// writeDeviceSummary lists the devices with findings: counts by severity
// and the phones at risk. Devices with the same counts share a line, so
// that fifty identical access switches take one.
func (t *TableWriter) writeDeviceSummary(b *strings.Builder, r *Result) {
	fmt.Fprintf(b, "\n%s\n", t.paint(ansiBold, "by device:"))
	for _, row := range byDeviceRows(r) {
		k := fmt.Sprintf("%s, %d phones at risk", row.counts, row.phones)
		if len(row.devices) == 1 {
			fmt.Fprintf(b, "  %-20s %s\n", oneLine(row.devices[0]), k)
			continue
		}
		fmt.Fprintf(b, "  %d devices, each %s: %s\n", len(row.devices), k, oneLine(strings.Join(row.devices, ", ")))
	}
}

// splitUnseen separates the phones seen on ports from the stand-ins for
// a port where none was seen ("phone (none seen) on sw1 Gi1/0/20").
func splitUnseen(phones []string) (seen []string, unseen int) {
	for _, p := range phones {
		if strings.HasPrefix(p, "phone (none seen)") {
			unseen++
			continue
		}
		seen = append(seen, p)
	}
	return seen, unseen
}

// writeGroup writes one group in five or six lines: what and where, why,
// its phones' drops (with Symptoms), the phones, the evidence (settings
// read on several lines listed once with their line numbers; the shared
// keepalive by reference), the fix and the notes.
func (t *TableWriter) writeGroup(b *strings.Builder, n int, g Group, maxPhones int, desc map[string]string, sym *Symptoms) {
	sev := strings.ToUpper(g.Severity.String())
	where := oneLine(g.Device)
	if objs := strings.Join(g.Ranges, ", "); objs != "" {
		where += " " + oneLine(objs)
	}
	fmt.Fprintf(b, "[%d] %s %s  %s\n", n, t.paint(severityColor(g.Severity), sev), t.paint(ansiBold, oneLine(g.Rule)), where)
	if m := g.ShortMessage(); m != "" {
		fmt.Fprintf(b, "    %s\n", oneLine(m))
	}
	if sym != nil {
		// The symptom next to the cause: does it happen?
		d := sym.DropsOf(g.Phones)
		line := "drops: " + d.Text()
		if d.Dropping > 0 {
			line = t.paint(ansiRed, line)
		}
		fmt.Fprintf(b, "    %s\n", oneLine(line))
	}
	// Ports where no phone was seen are said in the notes.
	if seen, _ := splitUnseen(g.Phones); len(seen) > 0 {
		fmt.Fprintf(b, "    phones (%d): %s\n", len(seen), phoneList(withDescriptions(cleanAll(seen), desc), maxPhones))
	}
	var ev []string
	for _, e := range g.Evidence {
		s := oneLine(e.What + " = " + e.Value)
		if e.Device != "" && e.Device != g.Device {
			s = oneLine(e.Device) + ": " + s
		}
		if loc := e.linesText(e.Device); loc != "" {
			s += " (" + oneLine(loc) + ")"
		} else if e.Default {
			s += " (default)"
		}
		ev = append(ev, s)
	}
	if g.Keepalive != "" {
		ev = append(ev, "keepalive ["+g.Keepalive+"]")
	}
	if len(ev) > 0 {
		fmt.Fprintf(b, "    evidence: %s\n", strings.Join(ev, "; "))
	}
	if len(g.Fix) > 0 {
		fix := make([]string, 0, len(g.Fix))
		for _, c := range g.Fix {
			fix = append(fix, cleanLines(c)...)
		}
		fmt.Fprintf(b, "    fix on %s: %s\n", oneLine(orUnknown(g.Device)), strings.Join(fix, " | "))
	}
	if g.Waived {
		wv := g.Members[0].Waived
		fmt.Fprintf(b, "    WAIVED (does not fail the run): %s — owner %s, until %s (%s)\n", oneLine(wv.Reason), orUnknown(oneLine(wv.Owner)), orNever(wv.Expires), oneLine(wv.Where))
	}
	if len(g.Notes) > 0 {
		notes := make([]string, len(g.Notes))
		for i, n := range g.Notes {
			notes[i] = oneLine(n)
		}
		fmt.Fprintf(b, "    notes: %s\n", strings.Join(notes, "; "))
	}
}

// phoneDescriptions maps phone names to their CUCM description.
func phoneDescriptions(r *Result) map[string]string {
	m := map[string]string{}
	for _, p := range r.Phones {
		if p.Description != "" {
			m[p.Name] = p.Description
		}
	}
	return m
}

// withDescriptions writes each phone as "NAME (description)".
func withDescriptions(phones []string, desc map[string]string) []string {
	out := make([]string, len(phones))
	for i, p := range phones {
		out[i] = p
		if d := desc[p]; d != "" {
			out[i] = p + " (" + oneLine(d) + ")"
		}
	}
	return out
}

func (t *TableWriter) writeFinding(b *strings.Builder, n int, f rules.Finding, maxPhones int) {
	sev := strings.ToUpper(f.Severity.String())
	fmt.Fprintf(b, "\n[%d] %s %s\n", n, t.paint(severityColor(f.Severity), sev), t.paint(ansiBold, oneLine(f.Rule)))
	where := strings.TrimSpace(oneLine(f.Device) + " " + oneLine(f.Object))
	if where != "" {
		fmt.Fprintf(b, "    %s\n", where)
	}
	if f.Message != "" {
		fmt.Fprintf(b, "    %s\n", oneLine(f.Message))
	}
	if len(f.Phones) > 0 {
		fmt.Fprintf(b, "    phones (%d): %s\n", len(f.Phones), phoneList(cleanAll(f.Phones), maxPhones))
	}
	if len(f.Evidence) > 0 {
		b.WriteString("    evidence:\n")
	}
	for _, e := range f.Evidence {
		line := oneLine(evidenceText(e))
		if e.Default {
			line = t.paint(ansiDim, line)
		}
		fmt.Fprintf(b, "      %s\n", line)
	}
	if len(f.Fix) > 0 {
		fmt.Fprintf(b, "    fix on %s:\n", oneLine(orUnknown(f.Device)))
	}
	for _, c := range f.Fix {
		for _, l := range cleanLines(c) {
			fmt.Fprintf(b, "      %s\n", l)
		}
	}
	if wv := f.Waived; wv != nil {
		fmt.Fprintf(b, "    WAIVED (does not fail the run): %s — owner %s, until %s (%s)\n", oneLine(wv.Reason), orUnknown(oneLine(wv.Owner)), orNever(wv.Expires), oneLine(wv.Where))
	}
	for _, note := range f.Notes {
		fmt.Fprintf(b, "    note: %s\n", oneLine(note))
	}
}

func severityCounts(s summary) string {
	parts := make([]string, 0, len(severities)+1)
	known := 0
	for _, sev := range severities {
		parts = append(parts, fmt.Sprintf("%d %s", s.bySeverity[sev], sev))
		known += s.bySeverity[sev]
	}
	if other := s.findings - known; other > 0 {
		parts = append(parts, fmt.Sprintf("%d other", other))
	}
	return strings.Join(parts, ", ")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func orNever(s string) string {
	if s == "" {
		return "no expiry"
	}
	return oneLine(s)
}
