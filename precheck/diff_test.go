package precheck

import (
	"slices"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

func finding(sev rules.Severity, object, evidenceText string, phones ...string) rules.Finding {
	return rules.Finding{
		Rule: "r", Severity: sev, Device: "d", Object: object, Phones: phones,
		Evidence: []rules.Evidence{{Device: "d", What: "w", Value: "v", Source: &facts.Source{Host: "d", Key: "show_running-config", Line: 7, Text: evidenceText}}},
	}
}

func TestDiffFindings(t *testing.T) {
	const crit, warn = rules.Critical, rules.Warning
	for _, tc := range []struct {
		name                 string
		before, after        []rules.Finding
		introduced, resolved []string // objects
		lowered, unchanged   int
	}{
		{
			name:      "same",
			before:    []rules.Finding{finding(crit, "Gi1", "x", "SEP1")},
			after:     []rules.Finding{finding(crit, "Gi1", "x changed", "SEP1")},
			unchanged: 1,
		},
		{
			name:       "new and gone",
			before:     []rules.Finding{finding(crit, "Gi1", "x", "SEP1")},
			after:      []rules.Finding{finding(crit, "Gi2", "x", "SEP1")},
			introduced: []string{"Gi2"}, resolved: []string{"Gi1"},
		},
		{
			name:       "phones are part of the identity",
			before:     []rules.Finding{finding(crit, "Gi1", "x", "SEP1")},
			after:      []rules.Finding{finding(crit, "Gi1", "x", "SEP1", "SEP2")},
			introduced: []string{"Gi1"}, resolved: []string{"Gi1"},
		},
		{
			name:       "worse is introduced",
			before:     []rules.Finding{finding(warn, "Gi1", "x", "SEP1")},
			after:      []rules.Finding{finding(crit, "Gi1", "x", "SEP1")},
			introduced: []string{"Gi1"},
		},
		{
			name:    "better is lowered",
			before:  []rules.Finding{finding(crit, "Gi1", "x", "SEP1")},
			after:   []rules.Finding{finding(warn, "Gi1", "x", "SEP1")},
			lowered: 1,
		},
		{
			name:      "renumbered line with the same text is the same finding",
			before:    []rules.Finding{finding(crit, "voice / nat line 134", "nat (a,b) source static any any")},
			after:     []rules.Finding{finding(crit, "voice / nat line 136", "nat (a,b) source static any any")},
			unchanged: 1,
		},
		{
			name:       "renumbered line with another text is not",
			before:     []rules.Finding{finding(crit, "voice / nat line 134", "nat (a,b) source static any any")},
			after:      []rules.Finding{finding(crit, "voice / nat line 136", "nat (a,c) source static any any")},
			introduced: []string{"voice / nat line 136"}, resolved: []string{"voice / nat line 134"},
		},
		{
			name:       "duplicates pair one to one",
			before:     []rules.Finding{finding(crit, "Gi1", "x"), finding(crit, "Gi1", "x")},
			after:      []rules.Finding{finding(crit, "Gi1", "x")},
			resolved:   []string{"Gi1"},
			unchanged:  1,
			introduced: nil,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := DiffFindings(tc.before, tc.after)
			objs := func(fs []rules.Finding) []string {
				var out []string
				for _, f := range fs {
					out = append(out, f.Object)
				}
				return out
			}
			if got := objs(d.Introduced); !slices.Equal(got, tc.introduced) {
				t.Errorf("introduced %q, want %q", got, tc.introduced)
			}
			if got := objs(d.Resolved); !slices.Equal(got, tc.resolved) {
				t.Errorf("resolved %q, want %q", got, tc.resolved)
			}
			if len(d.Lowered) != tc.lowered || len(d.Unchanged) != tc.unchanged {
				t.Errorf("lowered %d unchanged %d, want %d %d", len(d.Lowered), len(d.Unchanged), tc.lowered, tc.unchanged)
			}
			for _, l := range d.Lowered {
				if l.Was <= l.Finding.Severity {
					t.Errorf("lowered from %s to %s", l.Was, l.Finding.Severity)
				}
			}
			if tc.name == "worse is introduced" && !strings.Contains(strings.Join(d.Introduced[0].Notes, " "), "was warning") {
				t.Errorf("notes %q", d.Introduced[0].Notes)
			}
		})
	}
}

// The note on a worsened finding must not write into the after list's
// backing array, which the caller still holds.
func TestDiffDoesNotAliasNotes(t *testing.T) {
	after := []rules.Finding{finding(rules.Critical, "Gi1", "x")}
	after[0].Notes = make([]string, 1, 4)
	before := []rules.Finding{finding(rules.Warning, "Gi1", "x")}
	d := DiffFindings(before, after)
	if len(after[0].Notes) != 1 || cap(after[0].Notes) != 4 || after[0].Notes[:2][1] != "" {
		t.Errorf("after notes changed: %q", after[0].Notes[:2])
	}
	if len(d.Introduced[0].Notes) != 2 {
		t.Errorf("introduced notes %q", d.Introduced[0].Notes)
	}
}
