package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kaudit/kaudit/events"
	"github.com/kaudit/kaudit/rules"
)

// Symptoms is what CUCM's syslog says the phones did (audit --events),
// joined to the findings. With it, every format shows each finding's
// drops, the findings whose phones drop come first, and the
// unregistrations no finding explains are listed with where to look next.
type Symptoms struct {
	// Read says what was read: files, lines, alarms, malformed lines.
	Read events.Stats
	// From and To are the first and last alarm read.
	From, To time.Time
	// Phones are the devices with alarms, most drops first.
	Phones []events.Phone
	// Unexplained are the phones with KeepAliveTimeout drops that no
	// finding names, most drops first.
	Unexplained []Unexplained

	byName map[string]int
}

// Unexplained is a phone that drops for KeepAliveTimeout with no finding
// on its path: where it is and what kaudit checked there, so that an
// engineer knows where to capture next.
type Unexplained struct {
	Phone events.Phone
	// Switch and Port are where CDP/LLDP places it; CallManager is the
	// node that lists it; Firewalls the ASAs whose interfaces hold its
	// address. Empty when not known.
	Switch, Port, CallManager string
	Firewalls                 []string
	// Checked says, in words, what was read and judged on each of them.
	Checked []string
}

// Phone returns the history of the device name.
func (s *Symptoms) Phone(name string) (events.Phone, bool) {
	if s.byName == nil {
		s.byName = make(map[string]int, len(s.Phones))
		for i, p := range s.Phones {
			s.byName[p.Name] = i
		}
	}
	i, ok := s.byName[name]
	if !ok {
		return events.Phone{}, false
	}
	return s.Phones[i], true
}

// Drops sums up the drops of a finding's phones.
type Drops struct {
	// Phones is how many phones the finding names; Dropping how many of
	// them unregistered.
	Phones, Dropping int
	// Unregistrations and KeepAliveTimeouts count their drops.
	Unregistrations, KeepAliveTimeouts int
	// First and Last are the first and last of those drops.
	First, Last time.Time
	// Histories are the dropping phones' histories, most drops first.
	Histories []events.Phone
}

// DropsOf sums up the drops of phones (a finding's Phones).
func (s *Symptoms) DropsOf(phones []string) Drops {
	var d Drops
	seen, _ := splitUnseen(phones)
	d.Phones = len(seen)
	for _, name := range seen {
		p, ok := s.Phone(name)
		if !ok || p.Drops == 0 {
			continue
		}
		d.Dropping++
		d.Unregistrations += p.Drops
		d.KeepAliveTimeouts += p.KeepAliveTimeouts
		if d.First.IsZero() || p.First.Before(d.First) {
			d.First = p.First
		}
		if p.Last.After(d.Last) {
			d.Last = p.Last
		}
		d.Histories = append(d.Histories, p)
	}
	slices.SortStableFunc(d.Histories, func(a, b events.Phone) int { return b.Drops - a.Drops })
	return d
}

// Text says the drops in one line: "5 of 6 phones dropped 60 times (60
// KeepAliveTimeout), 2026-03-02 08:00 – 2026-03-02 11:00 UTC, every 16 min
// 5 s"; or that none of its phones dropped in the syslog read.
func (d Drops) Text() string {
	if d.Dropping == 0 {
		if d.Phones == 0 {
			return "no phone seen behind it, none to match with the syslog read"
		}
		if d.Phones == 1 {
			return "its phone did not drop in the syslog read"
		}
		return fmt.Sprintf("none of its %d phones dropped in the syslog read", d.Phones)
	}
	s := fmt.Sprintf("%d of %d phones dropped %d times", d.Dropping, d.Phones, d.Unregistrations)
	if d.KeepAliveTimeouts > 0 {
		s += fmt.Sprintf(" (%d KeepAliveTimeout)", d.KeepAliveTimeouts)
	}
	s += ", " + spanText(d.First, d.Last)
	if p := periodsText(d.Histories); p != "" {
		s += ", " + p
	}
	return s
}

// periodsText says how often the phones drop: "every 16 min 5 s" when
// all their periods are regular and within a tenth of each other, else
// the range.
func periodsText(ps []events.Phone) string {
	var ds []time.Duration
	regular := true
	for _, p := range ps {
		if p.Period.Gaps == 0 {
			continue
		}
		ds = append(ds, p.Period.Median)
		regular = regular && p.Period.Regular
	}
	if len(ds) == 0 {
		return ""
	}
	slices.Sort(ds)
	lo, hi := ds[0], ds[len(ds)-1]
	mid := ds[len(ds)/2]
	if regular && hi-lo <= mid/10 {
		return "every " + events.Human(mid)
	}
	if lo == hi {
		return "irregular, median " + events.Human(mid)
	}
	return fmt.Sprintf("%s to %s between drops", events.Human(lo), events.Human(hi))
}

// spanText writes a time span, the date once when both ends share it.
func spanText(a, b time.Time) string {
	if a.Equal(b) {
		return formatEventTime(a)
	}
	if a.Format("2006-01-02 MST") == b.Format("2006-01-02 MST") {
		return a.Format("2006-01-02 15:04:05") + " – " + b.Format("15:04:05 MST")
	}
	return a.Format("2006-01-02 15:04:05") + " – " + formatEventTime(b)
}

func formatEventTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.Format("2006-01-02 15:04:05 MST")
}

// ReasonsText lists a phone's reasons, most first: "KeepAliveTimeout
// ×12, DeviceUnregistered ×12".
func ReasonsText(p events.Phone) string {
	parts := make([]string, 0, len(p.Reasons))
	for _, r := range p.Reasons {
		parts = append(parts, fmt.Sprintf("%s ×%d", r.Name(), r.Count))
	}
	return strings.Join(parts, ", ")
}

// StateText says what the syslog tells of the phone's registration now:
// registered again after its last drop (when registrations are logged),
// or when it last dropped.
func StateText(p events.Phone) string {
	if p.Drops == 0 {
		return "no drop logged"
	}
	if p.RegisteredAgain() {
		return "registered again " + formatEventTime(p.LastRegistered)
	}
	return "last dropped " + formatEventTime(p.Last)
}

// ReadText sums up what was read: "412 unregistrations of 37 devices in
// 3 files (1,204,311 lines), 2026-03-02 08:00:00 – 2026-03-09 07:58:12
// UTC; 2 malformed lines".
func (s *Symptoms) ReadText() string {
	drops := 0
	for _, p := range s.Phones {
		drops += p.Drops
	}
	t := fmt.Sprintf("%s of %s in %s (%s)", plural(drops, "unregistration", "unregistrations"), plural(len(s.Phones), "device", "devices"), plural(len(s.Read.Files), "file", "files"), plural(int(s.Read.Lines), "line", "lines"))
	if !s.From.IsZero() {
		t += ", " + spanText(s.From, s.To)
	}
	var extra []string
	if n := s.Read.Malformed; n > 0 {
		extra = append(extra, plural(int(n), "line", "lines")+" not read")
	}
	if n := s.Read.Duplicates; n > 0 {
		extra = append(extra, plural(int(n), "duplicate", "duplicates")+" skipped")
	}
	if n := s.Read.Untracked; n > 0 {
		extra = append(extra, fmt.Sprintf("%s of devices past the %d tracked", plural(int(n), "alarm", "alarms"), events.DefaultMaxDevices))
	}
	if len(extra) > 0 {
		t += "; " + strings.Join(extra, ", ")
	}
	return t
}

// rank puts the findings whose phones dropped first, keeping the order
// of the rest: the symptom confirms the cause, so those are the ones to
// fix tonight.
func (s *Symptoms) rank(fs []rules.Finding) {
	drops := func(f rules.Finding) bool {
		for _, name := range f.Phones {
			if p, ok := s.Phone(name); ok && p.Drops > 0 {
				return true
			}
		}
		return false
	}
	slices.SortStableFunc(fs, func(a, b rules.Finding) int {
		da, db := drops(a), drops(b)
		switch {
		case da && !db:
			return -1
		case db && !da:
			return 1
		}
		return 0
	})
}
