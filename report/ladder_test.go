package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

func TestParseSeconds(t *testing.T) {
	cases := []struct {
		in   string
		want int
		ok   bool
	}{
		{"60 s", 60, true},
		{"60s", 60, true},
		{"1 min", 60, true},
		{"5 minutes", 300, true},
		{"2 h", 7200, true},
		{"1 day", 86400, true},
		{"500 ms", 1, true},
		{"1500 ms", 2, true},
		{"1.5 min", 90, true},
		{"0:04:00", 240, true},
		{"1:00:00", 3600, true},
		{"0:00:00", 0, true},
		{"115 s — SIP re-REGISTER every 115 s (expires 120 s − delta 5 s)", 115, true},
		{"  300 s ", 300, true},
		{"300 s,", 300, true},
		{"300", 0, false},           // no unit
		{"1", 0, false},             // "maximum 1"
		{"inactivity", 0, false},    // aging type
		{"enabled", 0, false},       // port-security
		{"10.10.10.1/24", 0, false}, // an address
		{"1:60:00", 0, false},
		{"1:5:00", 0, false},
		{"a:00:00", 0, false},
		{"-5 s", 0, false},
		{"5 parsecs", 0, false},
		{"", 0, false},
		{".", 0, false},
		{"1e99 s", 0, false},
	}
	for _, c := range cases {
		got, ok := parseSeconds(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("parseSeconds(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func FuzzParseSeconds(f *testing.F) {
	for _, s := range []string{"60 s", "1 min", "0:04:00", "500 ms", "115 s — x", "1.5 h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseSeconds(s)
		if !ok && n != 0 {
			t.Fatalf("parseSeconds(%q) = %d with ok false", s, n)
		}
		if n < 0 || n > 1e9*86400 {
			t.Fatalf("parseSeconds(%q) = %d", s, n)
		}
	})
}

func TestLaddersFromFixture(t *testing.T) {
	r := auditResult()
	ls := LaddersFrom(&facts.Snapshot{Phones: r.Phones}, r.Findings)
	var names []string
	for _, l := range ls {
		names = append(names, l.Phone)
	}
	// Every phone of the two timer findings, sorted; the SIP profile
	// finding has no idle timer and adds none.
	want := slices.Clone(r.Findings[2].Phones)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("ladders for %v, want %v", names, want)
	}
	byPhone := map[string]TimerLadder{}
	for _, l := range ls {
		byPhone[l.Phone] = l
	}
	cases := []struct {
		phone string
		path  string
		want  []string // "kind name device object seconds ref"
	}{
		{"SEP0021D8BA0965", "SEP0021D8BA0965 → sw-acc-01 GigabitEthernet1/0/5 → cucm-pub", []string{
			"idle mac address-table aging-time vlan 200 sw-acc-01 Vlan200 60 115",
			"idle port-security aging time sw-acc-01 GigabitEthernet1/0/5 60 115",
			"keepalive keepalive to primary cucm-pub  115 0",
			"expiry registration expires cucm-pub  130 0",
			"idle mac address-table aging-time (global) sw-acc-01 Vlan200 300 115",
		}},
		// SCCP with defaults: its own 30 s keepalive, not the 115 s of
		// the finding's worst phone.
		{"SEP0024142DDF24", "SEP0024142DDF24 → sw-acc-01 GigabitEthernet1/0/9", []string{
			"keepalive keepalive to primary (policy)  30 0",
			"keepalive keepalive to backup (policy)  60 0",
			"idle mac address-table aging-time vlan 200 sw-acc-01 Vlan200 60 30",
			"idle mac address-table aging-time (global) sw-acc-01 Vlan200 300 30",
		}},
		// Not in the snapshot: the keepalive comes from the evidence.
		{"SEPF87B204C1E77", "SEPF87B204C1E77 → sw-acc-01 → cucm-pub", []string{
			"idle mac address-table aging-time vlan 200 sw-acc-01 Vlan200 60 115",
			"keepalive keepalive interval cucm-pub  115 0",
			"idle mac address-table aging-time (global) sw-acc-01 Vlan200 300 115",
		}},
	}
	for _, c := range cases {
		t.Run(c.phone, func(t *testing.T) {
			l, ok := byPhone[c.phone]
			if !ok {
				t.Fatal("no ladder")
			}
			if l.Path != c.path {
				t.Errorf("path %q, want %q", l.Path, c.path)
			}
			var got []string
			for _, tm := range l.Timers {
				got = append(got, strings.Join([]string{tm.Kind, tm.Name, tm.Device, tm.Object, itoa(tm.Seconds), itoa(tm.KeepaliveSeconds)}, " "))
				if tm.Source == "" {
					t.Errorf("timer %q has no source", tm.Name)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("timers:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
	if src := byPhone["SEP0021D8BA0965"].Timers[1].Source; src != "sw-acc-01/show_running-config.txt:212: switchport port-security aging time 1" {
		t.Errorf("port-security source %q", src)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestLaddersFromEdges(t *testing.T) {
	sw := "sw1"
	phone := facts.Phone{Name: "SEP1", Switch: sw, Port: "Gi1/0/1", CallManager: "cm1",
		Keepalive: facts.Keepalive{PrimarySeconds: 115, BackupSeconds: 295, ExpirySeconds: 120, UnregisterSeconds: 130, Basis: "SIP"}}
	snap := &facts.Snapshot{Phones: []facts.Phone{phone}}
	fnd := func(rule string, ev ...rules.Evidence) rules.Finding {
		return rules.Finding{Rule: rule, Severity: rules.Critical, Device: sw, Object: "GigabitEthernet1/0/1", Phones: []string{"SEP1"}, Evidence: ev}
	}
	ev := func(what, value string) rules.Evidence {
		return rules.Evidence{Device: sw, What: what, Value: value, Default: true}
	}
	cases := []struct {
		name     string
		findings []rules.Finding
		want     []string // idle timers: "name seconds ref"
	}{
		{"absolute aging is not drawn", []rules.Finding{fnd("port-security-aging-shorter-than-keepalive", ev("aging time", "1 min"), ev("aging type", "absolute"))}, nil},
		{"inactivity aging", []rules.Finding{fnd("port-security-aging-shorter-than-keepalive", ev("aging time", "1 min"), ev("aging type", "inactivity"))}, []string{"port-security aging time 60 115"}},
		{"no timers, no ladder", []rules.Finding{fnd("asa-proxy-arp-answers-for-call-manager", ev("proxy ARP on inside", "enabled"), ev("interface inside", "10.0.0.1/24"))}, nil},
		{"bare numbers are not timers", []rules.Finding{fnd("x", ev("aging maximum", "2"))}, nil},
		{"disabled timeout", []rules.Finding{fnd("firewall-idle-timeout-shorter-than-keepalive", ev("timeout conn", "0:00:00"))}, nil},
		{"keepalive inputs are not idle timers", []rules.Finding{fnd("x", ev("timeout conn", "0:01:00"), ev("  Timer idle input", "60 s"))}, []string{"timeout conn 60 115"}},
		{"to the backup call manager", []rules.Finding{fnd("firewall-idle-timeout-shorter-than-keepalive",
			ev("policy-map p class c idle", "0:04:00"), ev("keepalive interval to cm2", "295 s — SIP"))}, []string{"policy-map p class c idle 240 295"}},
		{"to its own call manager", []rules.Finding{fnd("firewall-idle-timeout-shorter-than-keepalive",
			ev("timeout conn", "0:01:40"), ev("keepalive interval to cm1", "115 s — SIP"))}, []string{"timeout conn 100 115"}},
		{"same timer in two findings drawn once", []rules.Finding{
			fnd("a", ev("timeout conn", "0:01:00")), fnd("b", ev("timeout conn", "60 s")),
		}, []string{"timeout conn 60 115"}},
		{"phone names an empty string", []rules.Finding{{Rule: "x", Phones: []string{""}, Evidence: []rules.Evidence{ev("timeout conn", "60 s")}}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ls := LaddersFrom(snap, c.findings)
			if c.want == nil {
				if len(ls) != 0 {
					t.Fatalf("ladders %+v, want none", ls)
				}
				return
			}
			if len(ls) != 1 {
				t.Fatalf("%d ladders, want 1", len(ls))
			}
			var got []string
			for _, tm := range ls[0].Timers {
				if tm.Kind == TimerIdle {
					got = append(got, tm.Name+" "+itoa(tm.Seconds)+" "+itoa(tm.KeepaliveSeconds))
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("idle timers %q, want %q", got, c.want)
			}
		})
	}
	if ls := LaddersFrom(nil, nil); len(ls) != 0 {
		t.Errorf("LaddersFrom(nil, nil) = %v", ls)
	}
}

// labGolden is the part of an audit's json report LaddersFrom needs.
type labGolden struct {
	Findings []rules.Finding `json:"findings"`
	Phones   []facts.Phone   `json:"phones"`
}

// The rules' own verdicts on the lab scenarios must agree with the colours
// of the ladders: for the phone a finding shows as its worst case, the
// timer is red when the rule says it is at or below the keepalive and
// amber when it says it is within the margin.
func TestLaddersAgreeWithRules(t *testing.T) {
	dir := filepath.Join("..", "internal", "app", "testdata", "golden")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Skipf("SKIP: no lab goldens under %s: the ladders were not checked against the rules", dir)
	}
	// Which severity means "at or below the keepalive" per rule.
	atOrBelow := map[string]rules.Severity{
		"port-security-aging-shorter-than-keepalive":   rules.Critical,
		"firewall-idle-timeout-shorter-than-keepalive": rules.Critical,
		"mac-aging-shorter-than-keepalive":             rules.Warning,
	}
	checked := 0
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var g labGolden
			if err := json.Unmarshal(data, &g); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			ls := LaddersFrom(&facts.Snapshot{Phones: g.Phones}, g.Findings)
			byPhone := map[string]TimerLadder{}
			for _, l := range ls {
				byPhone[l.Phone] = l
			}
			for _, f := range g.Findings {
				sev, ok := atOrBelow[f.Rule]
				if !ok {
					continue
				}
				// The worst phone is the one the evidence places.
				var worst string
				for _, e := range f.Evidence {
					if strings.HasPrefix(e.What, "phone on ") {
						worst = e.Value
						break
					}
				}
				if worst == "" {
					continue
				}
				l, ok := byPhone[worst]
				if !ok {
					t.Errorf("%s %s: no ladder for %s", f.Rule, f.Object, worst)
					continue
				}
				h, _ := htmlLadderOf(1, l)
				var states []string
				for _, b := range h.Bars {
					if strings.EqualFold(b.Object, f.Object) || strings.Contains(strings.ToLower(b.Name), strings.ToLower(f.Object)) {
						states = append(states, b.State)
					}
				}
				want := barTight
				if f.Severity >= sev {
					want = barBad
				}
				if len(states) == 0 || !slices.Contains(states, want) {
					t.Errorf("%s %s (%s) on %s: ladder bars %v, want %s", f.Rule, f.Object, f.Severity, worst, states, want)
				}
				checked++
			}
		})
	}
	if checked == 0 {
		t.Fatal("no timer finding was checked")
	}
	t.Logf("%d timer findings checked against their ladders", checked)
}
