package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

// MarkdownWriter renders a Result as GitHub/GitLab-flavoured markdown, for
// merge-request comments, wiki pages and mail.
type MarkdownWriter struct{}

// mdMaxPhones caps the phones listed in a finding's section; the json
// report has them all.
const mdMaxPhones = 20

// Write renders r to w.
func (MarkdownWriter) Write(w io.Writer, r *Result) error {
	s := summarize(r)
	var b strings.Builder

	title := toolName(r)
	if r.Version != "" {
		title += " " + r.Version
	}
	fmt.Fprintf(&b, "# %s audit report\n\n", mdText(toolName(r)))
	b.WriteString("| | |\n|---|---|\n")
	mdRow(&b, "Tool", mdText(title))
	mdRow(&b, "Source", mdText(orUnknown(r.Source)))
	mdRow(&b, "Started", mdText(formatStarted(r.Started)))
	mdRow(&b, "Duration", formatDuration(r.Duration))
	mdRow(&b, "Devices", fmt.Sprintf("%d (%d ok, %d partial, %d failed)", s.devices, s.ok, s.partial, s.failed))
	mdRow(&b, "Findings", fmt.Sprintf("%d (%s)", s.findings, severityCounts(s)))
	mdRow(&b, "Fail on", failOnName(r.FailOn))
	mdRow(&b, "Result", fmt.Sprintf("**exit %d**: %s", s.exit, mdText(exitReason(r, s))))
	for _, pr := range r.Problems {
		mdRow(&b, "Problem", "**"+mdText(pr)+"**")
	}

	b.WriteString("\n## Findings\n\n")
	fs := sortedFindings(r)
	grouped := GroupFindings(r)
	desc := phoneDescriptions(r)
	if len(fs) == 0 {
		b.WriteString("No findings.\n")
	} else {
		// By device first, identical devices on one row.
		b.WriteString("| Devices | Findings | Phones at risk |\n|---|---|---:|\n")
		for _, row := range byDeviceRows(r) {
			names := make([]string, len(row.devices))
			for i, d := range row.devices {
				names[i] = mdText(d)
			}
			mdRow(&b, strings.Join(names, ", "), row.counts, fmt.Sprint(row.phones))
		}
		b.WriteString("\n| # | Severity | Rule | Device | Objects | Phones |\n|---:|---|---|---|---|---:|\n")
		for i, g := range grouped.Groups {
			seen, _ := splitUnseen(g.Phones)
			mdRow(&b, fmt.Sprint(i+1), mdSeverity(g.Severity), mdCode(g.Rule), mdText(g.Device), mdText(strings.Join(g.Ranges, ", ")), fmt.Sprint(len(seen)))
		}
	}
	for i, g := range grouped.Groups {
		writeMDGroup(&b, i+1, g, desc)
	}
	if len(grouped.Keepalives) > 0 {
		b.WriteString("\n## Keepalives\n\nHow long the phones can stay silent, as the findings above were judged; each is referenced from them.\n")
		for _, k := range grouped.Keepalives {
			fmt.Fprintf(&b, "\n<a id=\"%s\"></a>**%s**\n\n| Device | What | Value | Source |\n|---|---|---|---|\n", k.ID, k.ID)
			for _, e := range k.Evidence {
				mdRow(&b, mdText(e.Device), mdText(e.What), mdText(e.Value), mdSource(e))
			}
		}
	}

	writeMDSymptoms(&b, r)

	b.WriteString("\n## Devices\n\n")
	ds := sortedDevices(r)
	if len(ds) == 0 {
		b.WriteString("No devices.\n")
	} else {
		b.WriteString("| Device | Platform | Status | Error | Missing outputs | Parse errors |\n|---|---|---|---|---|---|\n")
		for _, d := range ds {
			status := mdText(orUnknown(d.Status))
			if d.Incomplete() {
				status = "**" + status + "**"
			}
			missing := make([]string, len(d.Missing))
			for i, m := range d.Missing {
				missing[i] = mdCode(m)
			}
			errs := make([]string, 0, len(d.Errors)+len(d.Warnings))
			for _, e := range d.Errors {
				errs = append(errs, mdText(e))
			}
			for _, w := range d.Warnings {
				errs = append(errs, "warning: "+mdText(w))
			}
			mdRow(&b, mdText(d.Name), mdText(d.Platform), status, mdText(d.Error), strings.Join(missing, ", "), strings.Join(errs, "<br>"))
		}
	}

	if ps := sortedPhones(r); len(ps) > 0 {
		b.WriteString("\n## Phones\n\n")
		b.WriteString("| Phone | Model | Protocol | IP | Switch | Port | Call manager | SIP profile | Keepalive |\n|---|---|---|---|---|---|---|---|---|\n")
		for _, p := range ps {
			mdRow(&b, mdText(p.Name), mdText(p.Model), mdText(p.Protocol), mdText(p.IP), mdText(p.Switch), mdText(p.Port),
				mdText(p.CallManager), mdText(p.SIPProfile), mdText(keepaliveText(p.Keepalive)))
		}
	}

	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write markdown report: %w", err)
	}
	return nil
}

// writeMDGroup writes one group: its objects, the phones behind them
// with their CUCM description, the evidence merged (the lines of each
// setting listed once), the shared keepalive by reference, one fix.
func writeMDGroup(b *strings.Builder, n int, g Group, desc map[string]string) {
	fmt.Fprintf(b, "\n### %d. %s: %s\n", n, g.Severity, mdText(g.Rule))
	label := "Object"
	if len(g.Members) > 1 {
		label = fmt.Sprintf("Objects (%d)", len(g.Members))
	}
	fmt.Fprintf(b, "\n**Device:** %s · **%s:** %s\n", mdText(orUnknown(g.Device)), label, mdText(orUnknown(strings.Join(g.Ranges, ", "))))
	if m := g.ShortMessage(); m != "" {
		// A label in front keeps a message that starts with "1." or "-"
		// from turning into a list.
		fmt.Fprintf(b, "\n**Why:** %s\n", mdText(m))
	}
	if g.Waived {
		wv := g.Members[0].Waived
		fmt.Fprintf(b, "\n**Waived** (does not fail the run): %s — owner %s, until %s (%s)\n", mdText(wv.Reason), mdText(orUnknown(wv.Owner)), mdText(orNever(wv.Expires)), mdText(wv.Where))
	}
	if seen, _ := splitUnseen(g.Phones); len(seen) > 0 {
		fmt.Fprintf(b, "\n**Phones (%d):** %s\n", len(seen), mdText(phoneList(withDescriptions(cleanAll(seen), desc), mdMaxPhones)))
	}
	if len(g.Evidence) > 0 || g.Keepalive != "" {
		b.WriteString("\n| Device | What | Value | Source |\n|---|---|---|---|\n")
		for _, e := range g.Evidence {
			src := ""
			if loc := e.linesText(e.Device); loc != "" {
				text := e.Text
				if e.Via != "" {
					text += " (via " + e.Via + ")"
				}
				src = mdCode(loc + ": " + text)
			} else if e.Default {
				src = "*default*"
			}
			mdRow(b, mdText(e.Device), mdText(e.What), mdText(e.Value), src)
		}
		if g.Keepalive != "" {
			mdRow(b, "", "keepalive", "["+g.Keepalive+"](#"+g.Keepalive+")", "see Keepalives")
		}
	}
	if len(g.Fix) > 0 {
		var lines []string
		for _, c := range g.Fix {
			lines = append(lines, cleanLines(c)...)
		}
		body := strings.Join(lines, "\n")
		// A fence longer than any backtick run inside cannot be closed by
		// the content.
		fence := strings.Repeat("`", max(3, longestRun(body, '`')+1))
		fmt.Fprintf(b, "\n**Fix** on %s:\n\n%s\n%s\n%s\n", mdText(orUnknown(g.Device)), fence, body, fence)
	}
	if len(g.Notes) > 0 {
		b.WriteString("\n**Notes:**\n\n")
		for _, note := range g.Notes {
			fmt.Fprintf(b, "- %s\n", mdText(note))
		}
	}
}

// mdSource is an evidence item's source cell.
func mdSource(e rules.Evidence) string {
	switch {
	case e.Source != nil && e.Default:
		return "default; " + mdCode(e.Source.String())
	case e.Source != nil:
		return mdCode(e.Source.String())
	case e.Default:
		return "*default*"
	}
	return ""
}

func mdRow(b *strings.Builder, cells ...string) {
	b.WriteString("|")
	for _, c := range cells {
		b.WriteString(" ")
		b.WriteString(c)
		b.WriteString(" |")
	}
	b.WriteString("\n")
}

func mdSeverity(s rules.Severity) string {
	if s == rules.Critical {
		return "**critical**"
	}
	return mdText(s.String())
}

// mdText escapes s for markdown prose and table cells: one line, and every
// character that could start markup, a link, raw HTML, an entity or a cell
// boundary is backslash-escaped (GFM allows that for all ASCII punctuation).
func mdText(s string) string {
	s = oneLine(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte("\\`*_[]<>|~&#!", c) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// mdCode renders s as an inline code span that is safe in a table cell:
// the fence is longer than any backtick run inside, and pipes are escaped
// because GFM splits cells before it parses code spans.
func mdCode(s string) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	if strings.Contains(s, `\|`) {
		// GFM reads "\\" before a pipe as an escaped backslash, which
		// leaves the pipe to split the cell, and a code span cannot escape
		// the backslash. Escaped prose renders such text exactly.
		return mdText(s)
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	// CommonMark strips one space from each end when both ends have one,
	// and a backtick at an end would merge with the fence: pad then.
	if s[0] == '`' || s[len(s)-1] == '`' || (s[0] == ' ' && s[len(s)-1] == ' ') {
		s = " " + s + " "
	}
	return fence + strings.ReplaceAll(s, "|", `\|`) + fence
}

func longestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

func keepaliveText(k facts.Keepalive) string {
	if k.PrimarySeconds <= 0 {
		return "unknown"
	}
	s := fmt.Sprintf("%d s", k.ShortestSeconds())
	if k.Basis != "" {
		s += " (" + k.Basis + ")"
	}
	if k.Defaulted {
		s += ", default"
	}
	return s
}
