package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

// Timer kinds on a ladder.
const (
	TimerKeepalive = "keepalive" // how often the phone refreshes the path
	TimerExpiry    = "expiry"    // how long the call manager waits for it
	TimerIdle      = "idle"      // a timer on the path that forgets the phone
)

// DefaultLadderMargin is the margin, s, above a keepalive within which an
// idle timer is drawn amber; it is the rules' default warning margin.
const DefaultLadderMargin = 60

// TimerLadder is every timer on one phone's path to its call manager, so
// that a reader sees at a glance which one runs out before the keepalive
// that should refresh it.
type TimerLadder struct {
	Phone string
	// Path names the hops, e.g. "SEP… → sw1 GigabitEthernet1/0/5 → asa1 → cucm-pub".
	Path   string
	Timers []Timer
	// MarginSeconds is the amber band above a keepalive; 0 means
	// DefaultLadderMargin.
	MarginSeconds int
}

// Timer is one bar of a ladder.
type Timer struct {
	Name   string
	Device string
	// Object is what the timer is set on: an interface, a VLAN, a policy.
	Object  string
	Seconds int
	// Kind is TimerKeepalive, TimerExpiry or TimerIdle.
	Kind string
	// Source says where the value was read ("host/key.txt:line: text"),
	// or how it was worked out.
	Source string
	// KeepaliveSeconds is, for an idle timer, the keepalive interval that
	// must refresh it: a connection to a backup call manager is refreshed
	// only by the backup keepalive. 0 means the ladder's shortest keepalive.
	KeepaliveSeconds int
}

// LaddersFrom builds a ladder for every phone that a finding names and that
// has at least one idle timer: the phone's keepalives (primary, backup) and
// registration expiry come from the snapshot, the idle timers from the
// evidence of each finding that names the phone.
//
// Findings carry their timers as display text, so this is pragmatic: an
// evidence line is an idle timer when its label mentions aging, timeout or
// idle and its value is a duration with a unit ("60 s", "1 min", "2 h",
// "500 ms") or the ASA's h:mm:ss ("0:04:00"). Bare numbers are not read
// (a "maximum 1" is not a timer). Port-security aging is left out when the
// finding shows an aging type other than inactivity, because absolute
// aging does not depend on traffic. Each idle timer is compared with the
// phone's own keepalive (see phoneKeepalive); a phone missing from the
// snapshot gets the one in the finding's "keepalive interval" evidence,
// also as its only keepalive bar.
// Ladders without an idle timer would compare nothing and are left out.
func LaddersFrom(snap *facts.Snapshot, findings []rules.Finding) []TimerLadder {
	phones := map[string]*facts.Phone{}
	if snap != nil {
		for i := range snap.Phones {
			phones[snap.Phones[i].Name] = &snap.Phones[i]
		}
	}
	type acc struct {
		idle       []Timer
		ka         int // from evidence, for phones missing from the snapshot
		kaDevice   string
		kaSource   string
		devices    []string
		seenTimer  map[string]bool
		seenDevice map[string]bool
	}
	byPhone := map[string]*acc{}
	fs := slices.Clone(findings)
	SortFindings(fs)
	for _, f := range fs {
		ft := findingTimers(f)
		if len(ft.idle) == 0 {
			continue
		}
		for _, name := range f.Phones {
			if name == "" {
				continue
			}
			a := byPhone[name]
			if a == nil {
				a = &acc{seenTimer: map[string]bool{}, seenDevice: map[string]bool{}}
				byPhone[name] = a
			}
			if a.ka == 0 && ft.ka > 0 {
				a.ka, a.kaDevice, a.kaSource = ft.ka, ft.kaDevice, ft.kaSource
			}
			ref := phoneKeepalive(phones[name], ft.kaTo)
			for _, t := range ft.idle {
				if ref > 0 {
					t.KeepaliveSeconds = ref
				}
				// Several findings can show the same timer (a port's
				// aging in two rules); draw it once.
				key := t.Name + "\x00" + t.Device + "\x00" + t.Object + "\x00" + strconv.Itoa(t.Seconds)
				if a.seenTimer[key] {
					continue
				}
				a.seenTimer[key] = true
				a.idle = append(a.idle, t)
				if t.Device != "" && !a.seenDevice[t.Device] {
					a.seenDevice[t.Device] = true
					a.devices = append(a.devices, t.Device)
				}
			}
		}
	}

	names := make([]string, 0, len(byPhone))
	for n := range byPhone {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]TimerLadder, 0, len(names))
	for _, name := range names {
		a := byPhone[name]
		l := TimerLadder{Phone: name}
		hops := []string{name}
		if p := phones[name]; p != nil {
			l.Timers = append(l.Timers, keepaliveTimers(p)...)
			if p.Switch != "" {
				hops = append(hops, strings.TrimSpace(p.Switch+" "+p.Port))
			}
			for _, d := range a.devices {
				if d != p.Switch && d != p.CallManager {
					hops = append(hops, d)
				}
			}
			if p.CallManager != "" {
				hops = append(hops, p.CallManager)
			}
		} else {
			if a.ka > 0 {
				l.Timers = append(l.Timers, Timer{Name: "keepalive interval", Device: a.kaDevice, Seconds: a.ka, Kind: TimerKeepalive, Source: a.kaSource})
			}
			for _, d := range a.devices {
				if d != a.kaDevice {
					hops = append(hops, d)
				}
			}
			if a.kaDevice != "" && a.kaDevice != "(policy)" {
				hops = append(hops, a.kaDevice)
			}
		}
		l.Path = strings.Join(hops, " → ")
		l.Timers = append(l.Timers, a.idle...)
		sortTimers(l.Timers)
		out = append(out, l)
	}
	return out
}

// keepaliveTimers are the phone's own timers: keepalive to the primary and
// the backup, and the registration expiry when it adds a grace period (for
// SCCP the snapshot sets it equal to the keepalive, which says nothing).
func keepaliveTimers(p *facts.Phone) []Timer {
	k := p.Keepalive
	dev := p.CallManager
	if dev == "" {
		dev = "(policy)"
	}
	basis := k.Basis
	if k.Defaulted {
		basis = "default; " + basis
	}
	var out []Timer
	if k.PrimarySeconds > 0 {
		out = append(out, Timer{Name: "keepalive to primary", Device: dev, Seconds: k.PrimarySeconds, Kind: TimerKeepalive, Source: basis})
	}
	if k.BackupSeconds > 0 {
		out = append(out, Timer{Name: "keepalive to backup", Device: dev, Seconds: k.BackupSeconds, Kind: TimerKeepalive, Source: basis})
	}
	// CUCM unregisters the phone the policy's grace after the interval
	// (cucm_expiry_grace_s, 15 s: TAC document 200410), not at the
	// granted expires 5 s after it.
	if k.UnregisterSeconds > k.PrimarySeconds {
		out = append(out, Timer{
			Name: "registration expires", Device: dev, Seconds: k.UnregisterSeconds, Kind: TimerExpiry,
			Source: fmt.Sprintf("keepalive %d s + %d s grace (policy cucm_expiry_grace_s); %s", k.PrimarySeconds, k.UnregisterSeconds-k.PrimarySeconds, basis),
		})
	}
	return out
}

// phoneKeepalive is the keepalive of p that refreshes a timer which a
// finding compared with its keepalive "to" call manager to: a finding's
// evidence shows the keepalive of its worst phone, and the other phones it
// names may keep alive more often. Without "to" (switch timers, which any
// frame refreshes) it is the shortest interval; to a call manager other
// than the phone's own, the backup interval. 0 when p is unknown.
func phoneKeepalive(p *facts.Phone, to string) int {
	if p == nil || p.Keepalive.PrimarySeconds <= 0 {
		return 0
	}
	k := p.Keepalive
	switch {
	case to == "":
		return k.ShortestSeconds()
	case to != p.CallManager && k.BackupSeconds > 0:
		return k.BackupSeconds
	}
	return k.PrimarySeconds
}

type findingTimerSet struct {
	idle     []Timer
	ka       int
	kaTo     string // the call manager the keepalive goes to, when named
	kaDevice string
	kaSource string
}

// findingTimers reads the idle timers and the keepalive they were compared
// with from one finding's evidence (see LaddersFrom for what is read).
func findingTimers(f rules.Finding) findingTimerSet {
	var ft findingTimerSet
	notInactivity := false
	for _, e := range f.Evidence {
		w := strings.ToLower(strings.TrimSpace(e.What))
		if strings.HasSuffix(w, "aging type") && !strings.EqualFold(strings.TrimSpace(e.Value), "inactivity") {
			notInactivity = true
		}
		// Indented evidence lists the inputs of a keepalive, not the
		// keepalive itself.
		if ft.ka == 0 && !indented(e.What) && strings.Contains(w, "keepalive interval") {
			if s, ok := parseSeconds(e.Value); ok && s > 0 {
				ft.ka, ft.kaDevice = s, e.Device
				ft.kaSource = evidenceSource(e)
				if _, to, ok := strings.Cut(strings.TrimSpace(e.What), "keepalive interval to "); ok {
					ft.kaTo = strings.TrimSpace(to)
				}
			}
		}
	}
	for _, e := range f.Evidence {
		if indented(e.What) {
			continue
		}
		w := strings.ToLower(e.What)
		if !strings.Contains(w, "aging") && !strings.Contains(w, "timeout") && !strings.Contains(w, "idle") {
			continue
		}
		if strings.Contains(w, "aging type") || (notInactivity && strings.Contains(w, "aging")) {
			continue
		}
		s, ok := parseSeconds(e.Value)
		if !ok || s <= 0 {
			continue // 0 disables a timeout: nothing to draw
		}
		obj := strings.TrimSpace(f.Object)
		if strings.Contains(strings.ToLower(e.What), strings.ToLower(obj)) {
			obj = "" // "timeout conn" needs no "on timeout conn"
		}
		ft.idle = append(ft.idle, Timer{
			Name: timerName(f, e), Device: e.Device, Object: obj, Seconds: s, Kind: TimerIdle,
			Source: evidenceSource(e), KeepaliveSeconds: ft.ka,
		})
	}
	return ft
}

func indented(s string) bool { return strings.HasPrefix(s, " ") || strings.HasPrefix(s, "\t") }

// timerName makes an evidence label readable on its own: "aging time" of
// the port-security rule becomes "port-security aging time".
func timerName(f rules.Finding, e rules.Evidence) string {
	name := strings.TrimSpace(e.What)
	if strings.HasPrefix(f.Rule, "port-security") && !strings.Contains(strings.ToLower(name), "port-security") {
		name = "port-security " + name
	}
	return name
}

func evidenceSource(e rules.Evidence) string {
	switch {
	case e.Source != nil && e.Default:
		return "default; " + e.Source.String()
	case e.Source != nil:
		return e.Source.String()
	case e.Default:
		return "default"
	}
	return ""
}

// parseSeconds reads a duration as the rules print it: a number with a
// unit ("60 s", "1 min", "2 h", "500 ms", "90s") or h:mm:ss ("0:04:00").
// Text after the duration ("115 s — SIP re-REGISTER …") is ignored. A bare
// number has no unit and is refused. Milliseconds round up to whole
// seconds so that a short timer never reads as 0 (disabled).
func parseSeconds(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	// The duration is the first word, or the first two when the unit is
	// separated by a space.
	fields := strings.Fields(v)
	first := fields[0]
	if strings.Count(first, ":") == 2 {
		parts := strings.Split(first, ":")
		var n [3]int
		for i, p := range parts {
			x, err := strconv.Atoi(p)
			if err != nil || x < 0 || (i > 0 && (len(p) != 2 || x > 59)) {
				return 0, false
			}
			n[i] = x
		}
		if n[0] > 1<<20 {
			return 0, false
		}
		return n[0]*3600 + n[1]*60 + n[2], true
	}
	num, unit := splitNumber(first)
	if num == "" {
		return 0, false
	}
	if unit == "" {
		if len(fields) < 2 {
			return 0, false
		}
		unit = fields[1]
	}
	x, err := strconv.ParseFloat(num, 64)
	if err != nil || x < 0 || x > 1e9 {
		return 0, false
	}
	var mult float64
	switch strings.ToLower(strings.TrimRight(unit, ".,;:)")) {
	case "ms", "msec", "millisecond", "milliseconds":
		mult = 0.001
	case "s", "sec", "secs", "second", "seconds":
		mult = 1
	case "min", "mins", "minute", "minutes", "m":
		mult = 60
	case "h", "hr", "hrs", "hour", "hours":
		mult = 3600
	case "d", "day", "days":
		mult = 86400
	default:
		return 0, false
	}
	secs := x * mult
	n := int(secs)
	if float64(n) < secs {
		n++
	}
	return n, true
}

// splitNumber splits "90s" into "90", "s"; "1.5" into "1.5", "".
func splitNumber(s string) (num, rest string) {
	i := 0
	dot := false
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' && !dot) {
		if s[i] == '.' {
			dot = true
		}
		i++
	}
	if i == 0 || s[:i] == "." {
		return "", s
	}
	return s[:i], s[i:]
}

// sortTimers orders a ladder shortest first; at equal length the keepalive
// comes first so that the timer it must outlast is drawn right under it.
func sortTimers(ts []Timer) {
	rank := map[string]int{TimerKeepalive: 0, TimerExpiry: 1, TimerIdle: 2}
	slices.SortStableFunc(ts, func(a, b Timer) int {
		if a.Seconds != b.Seconds {
			return a.Seconds - b.Seconds
		}
		if ra, rb := rank[a.Kind], rank[b.Kind]; ra != rb {
			return ra - rb
		}
		return strings.Compare(a.Name, b.Name)
	})
}
