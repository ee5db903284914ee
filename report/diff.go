package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/kaudit/kaudit/rules"
)

// diffSections are a diff's finding lists in the order they are written,
// each sorted worst first.
func diffSections(d *DiffSummary) []struct {
	Key, Title string
	Findings   []rules.Finding
} {
	sorted := func(fs []rules.Finding) []rules.Finding {
		fs = slices.Clone(fs)
		SortFindings(fs)
		return fs
	}
	return []struct {
		Key, Title string
		Findings   []rules.Finding
	}{
		{"new", "New", sorted(d.New)},
		{"resolved", "Resolved", sorted(d.Resolved)},
		{"not_verified", "Not verified this run", sorted(d.NotVerified)},
		{"open", "Still open", sorted(d.Open)},
	}
}

type jsonDiff struct {
	From        int64          `json:"from"`
	To          int64          `json:"to"`
	Summary     map[string]int `json:"summary"`
	New         []jsonFinding  `json:"new"`
	Resolved    []jsonFinding  `json:"resolved"`
	NotVerified []jsonFinding  `json:"not_verified"`
	Open        []jsonFinding  `json:"open"`
	Changes     []string       `json:"changes"`
}

// WriteDiffJSON renders a comparison of two runs for machines: the run
// ids, the counts, each list of findings (as in the audit's json report,
// with fingerprint, status, first_seen and waived) and the fact changes.
// Every key is always present and every list an array.
func WriteDiffJSON(w io.Writer, d *DiffSummary) error {
	out := jsonDiff{From: d.From, To: d.To, Summary: map[string]int{}, Changes: nonNil(d.Changes)}
	lists := map[string][]jsonFinding{}
	for _, s := range diffSections(d) {
		lists[s.Key] = jsonFindings(s.Findings)
		out.Summary[s.Key] = len(s.Findings)
	}
	out.New, out.Resolved, out.NotVerified, out.Open = lists["new"], lists["resolved"], lists["not_verified"], lists["open"]
	return encodeJSON(w, out, "diff")
}

// WriteDiffMarkdown renders a comparison of two runs as markdown, for a
// mail or a merge-request comment: the counts, then a table per list
// (still-open findings last) and the fact changes.
func WriteDiffMarkdown(w io.Writer, d *DiffSummary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# kaudit: run #%d → #%d\n\n", d.From, d.To)
	fmt.Fprintf(&b, "%d new, %d resolved, %d still open, %d not verified\n", len(d.New), len(d.Resolved), len(d.Open), len(d.NotVerified))
	for _, s := range diffSections(d) {
		if len(s.Findings) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s (%d)\n\n", s.Title, len(s.Findings))
		b.WriteString("| Severity | Rule | Device | Object | First seen | Waived | Fingerprint |\n|---|---|---|---|---|---|---|\n")
		for _, f := range s.Findings {
			waived := ""
			if f.Waived != nil {
				waived = mdText(f.Waived.Reason)
			}
			mdRow(&b, mdSeverity(f.Severity), mdCode(f.Rule), mdText(f.Device), mdText(f.Object), mdText(f.FirstSeen), waived, mdCode(rules.Fingerprint(f)))
		}
	}
	if len(d.Changes) > 0 {
		b.WriteString("\n## What changed on the devices\n\n")
		for _, c := range d.Changes {
			b.WriteString("- " + mdText(c) + "\n")
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write markdown diff: %w", err)
	}
	return nil
}

// NewAtOrAbove counts the findings new in d at or above sev that no
// waiver accepts: what kaudit diff --fail-on-new alerts on.
func NewAtOrAbove(d *DiffSummary, sev rules.Severity) int {
	n := 0
	for _, f := range d.New {
		if f.Severity >= sev && f.Waived == nil {
			n++
		}
	}
	return n
}
