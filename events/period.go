package events

import (
	"fmt"
	"slices"
	"time"
)

// Period is the typical time between a phone's drops.
type Period struct {
	// Median is the median gap between consecutive drops of Reason; zero
	// when there are fewer than two.
	Median time.Duration
	// Gaps is how many gaps the median is of.
	Gaps int
	// Reason is the reason code of the drops measured: the phone's most
	// frequent one (Phone.Reasons[0]), so that a phone dropped for KeepAliveTimeout by its
	// primary and unregistered by the backup when it falls back is
	// measured on the drops that repeat.
	Reason int
	// Regular is set when at least four gaps in five are within a tenth
	// of the median (and there are two or more): the phone drops like
	// clockwork, as a timer makes it.
	Regular bool
}

// periodOf works the period out from the kept drops (in time order).
func periodOf(kept []drop, reasons []ReasonCount) Period {
	if len(reasons) == 0 {
		return Period{}
	}
	p := Period{Reason: reasons[0].Code}
	var gaps []time.Duration
	var prev uint32
	for _, d := range kept {
		// NoReason is kept as 0xffff, which no reason code reaches.
		if d.reason != uint16(p.Reason) {
			continue
		}
		// Drops of one phone logged in the same second by two nodes are
		// one drop for the period.
		if prev != 0 && d.at > prev {
			gaps = append(gaps, time.Duration(d.at-prev)*time.Second)
		}
		prev = d.at
	}
	if len(gaps) == 0 {
		return p
	}
	slices.Sort(gaps)
	p.Gaps = len(gaps)
	p.Median = gaps[len(gaps)/2]
	if len(gaps)%2 == 0 {
		p.Median = (gaps[len(gaps)/2-1] + gaps[len(gaps)/2]) / 2
	}
	p.Median = p.Median.Round(time.Second)
	near := 0
	for _, g := range gaps {
		if diff := g - p.Median; diff <= p.Median/10 && -diff <= p.Median/10 {
			near++
		}
	}
	p.Regular = len(gaps) >= 2 && near*5 >= len(gaps)*4
	return p
}

// String says the period in words: "every 16 min 5 s" for a regular one,
// "irregular, median 3 h 2 min" otherwise, "" without two drops.
func (p Period) String() string {
	if p.Gaps == 0 {
		return ""
	}
	if p.Regular {
		return "every " + Human(p.Median)
	}
	return "irregular, median " + Human(p.Median)
}

// Human writes a duration the way an engineer says it, in its two
// largest units: "16 min 5 s", "2 h 3 min", "1 d 4 h", "45 s".
func Human(d time.Duration) string {
	d = d.Round(time.Second)
	units := []struct {
		name string
		size time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"min", time.Minute}, {"s", time.Second}}
	for i, u := range units {
		if d < u.size && i+1 < len(units) {
			continue
		}
		s := fmt.Sprintf("%d %s", d/u.size, u.name)
		if i+1 < len(units) {
			if n := (d % u.size) / units[i+1].size; n > 0 {
				s += fmt.Sprintf(" %d %s", n, units[i+1].name)
			}
		}
		return s
	}
	return "0 s"
}
