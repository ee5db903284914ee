package precheck

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/kaudit/kaudit/rules"
)

// Diff is how a change moves the findings.
//
// Findings are matched by rules.Fingerprint (rule, device, object) and
// their set of phones: a change that puts more phones behind a problem
// introduces it for them.
// A finding still there after the change with a higher severity counts as
// introduced (at its new severity, with a note saying what it was): the
// change made it worse, and a gate must see that. One with a lower severity
// is Lowered: better, not gone, and it does not fail the gate.
//
// Objects no longer name config lines, but a finding left unmatched is
// still matched again on everything but line numbers: the same rule,
// device, phones, object with "line N" masked, and the same evidence values
// and source texts.
type Diff struct {
	Introduced []rules.Finding
	Resolved   []rules.Finding
	Lowered    []Lowered
	Unchanged  []rules.Finding
}

// Lowered is a finding the change made less severe.
type Lowered struct {
	Finding rules.Finding  `json:"finding"`
	Was     rules.Severity `json:"was"`
}

// DiffFindings compares the findings before and after a change.
func DiffFindings(before, after []rules.Finding) Diff {
	var d Diff
	pending := map[string][]int{}
	for i, f := range before {
		k := matchKey(f)
		pending[k] = append(pending[k], i)
	}
	matched := make([]bool, len(before))
	var left []rules.Finding
	take := func(key map[string][]int, k string) (int, bool) {
		q := key[k]
		if len(q) == 0 {
			return 0, false
		}
		key[k] = q[1:]
		return q[0], true
	}
	for _, f := range after {
		if i, ok := take(pending, matchKey(f)); ok {
			matched[i] = true
			d.pair(before[i], f)
			continue
		}
		left = append(left, f)
	}
	moved := map[string][]int{}
	for i, f := range before {
		if !matched[i] {
			k := lineFree(f)
			moved[k] = append(moved[k], i)
		}
	}
	for _, f := range left {
		if i, ok := take(moved, lineFree(f)); ok {
			matched[i] = true
			d.pair(before[i], f)
			continue
		}
		d.Introduced = append(d.Introduced, f)
	}
	for i, f := range before {
		if !matched[i] {
			d.Resolved = append(d.Resolved, f)
		}
	}
	rules.Sort(d.Introduced)
	rules.Sort(d.Resolved)
	rules.Sort(d.Unchanged)
	slices.SortStableFunc(d.Lowered, func(a, b Lowered) int { return rules.Compare(a.Finding, b.Finding) })
	return d
}

func (d *Diff) pair(was, now rules.Finding) {
	switch {
	case now.Severity > was.Severity:
		now.Notes = append(slices.Clip(now.Notes), fmt.Sprintf("made worse by this change: was %s", was.Severity))
		d.Introduced = append(d.Introduced, now)
	case now.Severity < was.Severity:
		d.Lowered = append(d.Lowered, Lowered{Finding: now, Was: was.Severity})
	default:
		d.Unchanged = append(d.Unchanged, now)
	}
}

// matchKey is f's fingerprint with its set of phones.
func matchKey(f rules.Finding) string {
	phones := slices.Clone(f.Phones)
	slices.Sort(phones)
	return rules.Fingerprint(f) + "\x00" + strings.Join(slices.Compact(phones), ",")
}

var lineNumber = regexp.MustCompile(`\bline \d+`)

// lineFree is a finding's identity without line numbers.
func lineFree(f rules.Finding) string {
	var b strings.Builder
	phones := slices.Clone(f.Phones)
	slices.Sort(phones)
	for _, s := range []string{f.Rule, f.Device, lineNumber.ReplaceAllString(f.Object, "line #"), strings.Join(phones, ",")} {
		b.WriteString(s)
		b.WriteByte(0)
	}
	for _, e := range f.Evidence {
		b.WriteString(e.Device)
		b.WriteByte(1)
		b.WriteString(e.What)
		b.WriteByte(1)
		b.WriteString(e.Value)
		if e.Source != nil {
			b.WriteByte(1)
			b.WriteString(e.Source.Key)
			b.WriteByte(1)
			b.WriteString(strings.TrimSpace(e.Source.Text))
		}
		b.WriteByte(0)
	}
	return b.String()
}
