// Package rules holds the cross-device checks. A rule is a value with an id,
// a default severity, a doc string and a Check function over the snapshot;
// adding a rule is adding one file that registers it.
package rules

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/kaudit/kaudit/facts"
)

// Rule is one check.
type Rule struct {
	ID       string
	Severity Severity // the worst severity it reports
	Summary  string   // one line
	Doc      string   // what it checks, why it breaks phones, how to fix
	Check    func(c *Context) []Finding
}

var registry = map[string]*Rule{}

func register(r *Rule) {
	if _, dup := registry[r.ID]; dup {
		panic("rules: duplicate rule id " + r.ID)
	}
	registry[r.ID] = r
}

// All returns every rule sorted by id.
func All() []*Rule {
	out := make([]*Rule, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup returns the rule with id, or nil.
func Lookup(id string) *Rule { return registry[id] }

// Config holds the thresholds and defaults the rules use (from policy.yaml).
type Config struct {
	Defaults facts.Defaults
	// MACAgingDefault is the switch MAC aging time assumed when unknown, s.
	MACAgingDefault int
	// Warning margins, s: a timer this much above a keepalive is a warning.
	PortSecurityMargin int
	FirewallIdleMargin int
	MACAgingMargin     int
	// VoicePortMinMaximum is the port-security maximum a voice port needs.
	VoicePortMinMaximum int
	// MinRetransmissionRoom is the least register delta, s, that leaves
	// room for one retransmission before the registration expires.
	MinRetransmissionRoom int
	SIPT1Millis           int
	// Severity overrides a rule's severity ("off" disables it).
	Severity map[string]string
}

// DefaultConfig is the configuration with no policy.yaml.
func DefaultConfig() Config {
	return Config{
		Defaults: facts.Defaults{
			SIPStationKeepalive: 120, SIPRegisterDelta: 5, SIPKeepaliveExpires: 120, SIPRegisterExpires: 3600, CUCMExpiryGrace: 15,
			SCCPKeepalive: 30, SCCPBackupKeepalive: 60, PhoneProtocol: "SIP",
		},
		MACAgingDefault:       300,
		PortSecurityMargin:    60,
		FirewallIdleMargin:    60,
		MACAgingMargin:        60,
		VoicePortMinMaximum:   2,
		MinRetransmissionRoom: 1,
		SIPT1Millis:           500,
	}
}

// Context is what a rule sees: the snapshot, the configuration and indexes
// built once per evaluation.
type Context struct {
	Snap   *facts.Snapshot
	Config Config
	idx    *index
}

// Evaluate runs every enabled rule over snap and returns the findings,
// sorted. snap.Phones must be joined (facts.Snapshot.Join) first. A rule that
// panics on unexpected facts yields an internal-error finding instead of
// stopping the audit.
func Evaluate(snap *facts.Snapshot, cfg Config) []Finding {
	c := &Context{Snap: snap, Config: cfg, idx: buildIndex(snap)}
	// Rules only read the snapshot, so they run side by side.
	all := All()
	results := make([][]Finding, len(all))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, r := range all {
		override := strings.ToLower(cfg.Severity[r.ID])
		if override == "off" {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			fs := runRule(r, c)
			if sev, err := ParseSeverity(override); err == nil {
				for i := range fs {
					fs[i].Severity = sev
				}
			}
			results[i] = fs
		}()
	}
	wg.Wait()
	n := 0
	for _, fs := range results {
		n += len(fs)
	}
	out := make([]Finding, 0, n)
	for _, fs := range results {
		out = append(out, fs...)
	}
	Sort(out)
	return out
}

func runRule(r *Rule, c *Context) (fs []Finding) {
	defer func() {
		if p := recover(); p != nil {
			fs = []Finding{{
				Rule: r.ID, Severity: Warning, Device: "-", Object: "rule",
				Phones:  []string{},
				Message: fmt.Sprintf("rule %s failed on this snapshot and was skipped: %v", r.ID, p),
				Fix:     []string{},
			}}
		}
	}()
	fs = r.Check(c)
	for i := range fs {
		fs[i].Rule = r.ID
		if fs[i].Phones == nil {
			fs[i].Phones = []string{}
		}
		if fs[i].Fix == nil {
			fs[i].Fix = []string{}
		}
		if fs[i].Evidence == nil {
			fs[i].Evidence = []Evidence{}
		}
	}
	return fs
}

// Sort orders findings worst first, then by rule, device and object, with
// numbers in names compared as numbers (Gi1/0/2 before Gi1/0/12).
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return Compare(fs[i], fs[j]) < 0 })
}

// Compare orders two findings as Sort does.
func Compare(a, b Finding) int {
	if a.Severity != b.Severity {
		if a.Severity > b.Severity {
			return -1
		}
		return 1
	}
	if c := strings.Compare(a.Rule, b.Rule); c != 0 {
		return c
	}
	if c := NaturalCompare(a.Device, b.Device); c != 0 {
		return c
	}
	return NaturalCompare(a.Object, b.Object)
}

// NaturalCompare compares strings with runs of digits taken as numbers.
func NaturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				if len(na) < len(nb) {
					return -1
				}
				return 1
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			if a[0] < b[0] {
				return -1
			}
			return 1
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
