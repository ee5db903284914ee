package report

import (
	"fmt"
	"strings"
)

// mdMaxHistories caps the phones whose history the markdown report
// lists; json has them all.
const mdMaxHistories = 50

// writeMDSymptoms writes the "Unregistrations" section: what the syslog
// says each finding's phones did, the phones' histories, the
// unregistrations no finding explains and the lines not read.
func writeMDSymptoms(b *strings.Builder, r *Result) {
	s := r.Symptoms
	if s == nil {
		return
	}
	fmt.Fprintf(b, "\n## Unregistrations\n\nFrom CUCM's syslog: %s.\n", mdText(s.ReadText()))
	if groups := GroupFindings(r).Groups; len(groups) > 0 {
		b.WriteString("\nThe findings' phones (findings whose phones drop come first):\n\n| # | Rule | Device | Objects | Drops |\n|---:|---|---|---|---|\n")
		for i, g := range groups {
			d := s.DropsOf(g.Phones)
			text := mdText(d.Text())
			if d.Dropping > 0 {
				text = "**" + text + "**"
			}
			mdRow(b, fmt.Sprint(i+1), mdCode(g.Rule), mdText(g.Device), mdText(strings.Join(g.Ranges, ", ")), text)
		}
	}
	if len(s.Phones) > 0 {
		b.WriteString("\n| Phone | Drops | Reasons | First | Last | Last signal | Period | State |\n|---|---:|---|---|---|---|---|---|\n")
	}
	for i, p := range s.Phones {
		if i == mdMaxHistories {
			fmt.Fprintf(b, "\n%d more devices in the json report.\n", len(s.Phones)-i)
			break
		}
		mdRow(b, mdText(phoneLabel(p)), fmt.Sprint(p.Drops), mdText(ReasonsText(p)), mdText(formatEventTime(p.First)), mdText(formatEventTime(p.Last)),
			mdText(p.LastSignal), mdText(p.Period.String()), mdText(StateText(p)))
	}
	if len(s.Unexplained) > 0 {
		fmt.Fprintf(b, "\n### Unregistrations no finding explains\n\n%s with KeepAliveTimeout drops and nothing kaudit checks on their path to explain them: capture there next.\n\n", plural(len(s.Unexplained), "phone", "phones"))
		b.WriteString("| Phone | Drops | Where | Checked | Capture next |\n|---|---|---|---|---|\n")
	}
	for i, u := range s.Unexplained {
		if i == maxUnexplained {
			fmt.Fprintf(b, "\n%d more in the json report.\n", len(s.Unexplained)-i)
			break
		}
		checked := make([]string, len(u.Checked))
		for j, c := range u.Checked {
			checked[j] = mdText(c)
		}
		cmd, where := captureNext(u)
		capture := mdText(where)
		if cmd != "" {
			capture = mdCode(cmd) + " " + capture
		}
		mdRow(b, mdText(phoneLabel(u.Phone)), mdText(historyText(u.Phone)), mdText(placeText(u)), strings.Join(checked, "<br>"), capture)
	}
	if len(s.Read.Problems) > 0 {
		fmt.Fprintf(b, "\n### Syslog lines not read (%d)\n\n", s.Read.Malformed)
		for _, p := range s.Read.Problems {
			fmt.Fprintf(b, "- %s\n", mdText(p.String()))
		}
		if n := s.Read.Malformed - int64(len(s.Read.Problems)); n > 0 {
			fmt.Fprintf(b, "- %d more\n", n)
		}
	}
}
