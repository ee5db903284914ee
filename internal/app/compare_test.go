package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/inventory"
	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

// view audits an offline directory (only the hosts limit selects, "" all)
// as run id started at night n, and returns it as Compare sees it.
func view(t *testing.T, dir, limit string, id int64, n int) *RunView {
	t.Helper()
	inv, err := offline.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if limit != "" {
		if inv, err = inventory.Limit(inv, limit); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := offline.Collect(context.Background(), dir, inv)
	if err != nil {
		t.Fatal(err)
	}
	started := time.Date(2025, 3, n, 2, 30, 0, 0, time.UTC)
	res := Evaluate(snap, policy.Default(), "offline "+dir, started, rules.Warning)
	return &RunView{ID: id, Started: started, Findings: res.Findings, Devices: res.Devices, Snap: snap}
}

func counts(t *testing.T, what string, got [4]int, want [4]int) {
	t.Helper()
	if got != want {
		t.Errorf("%s: new/open/resolved/not verified = %v, want %v", what, got, want)
	}
}

// Issue 14.2: a switch whose running config no longer parses does not
// turn its findings into "resolved": they are carried as not verified,
// keep their first_seen, and are open again, not new, once it parses.
func TestCompareCarriesPartialDevice(t *testing.T) {
	good := copyLab(t, "case2-port-security-aging", nil)
	broken := copyLab(t, "case2-port-security-aging", func(rel string, b []byte) []byte {
		if rel == "sw-floor1/show_running-config.txt" {
			return append([]byte("\x00\x01\x02 not a config\n"), b...)
		}
		return b
	})
	night1 := view(t, good, "", 1, 1)
	if Compare(nil, night1, true) != nil || len(night1.Findings) != 8 || night1.Findings[0].Status != rules.StatusNew {
		t.Fatalf("first run: %d findings, status %q", len(night1.Findings), night1.Findings[0].Status)
	}
	night2 := view(t, broken, "", 2, 2)
	d := Compare(night1, night2, true)
	counts(t, "config does not parse", [4]int{len(d.New), len(d.Open), len(d.Resolved), len(d.NotVerified)}, [4]int{0, 0, 0, 8})
	for _, f := range d.NotVerified {
		if f.Status != rules.StatusNotVerified || f.FirstSeen != "2025-03-01T02:30:00Z" {
			t.Errorf("carried %s %s: status %q first seen %q", f.Device, f.Object, f.Status, f.FirstSeen)
		}
	}
	night2.Unverified = d.NotVerified
	night3 := view(t, good, "", 3, 3)
	d = Compare(night2, night3, true)
	counts(t, "parses again", [4]int{len(d.New), len(d.Open), len(d.Resolved), len(d.NotVerified)}, [4]int{0, 8, 0, 0})
	for _, f := range night3.Findings {
		if f.Status != rules.StatusOpen || f.FirstSeen != "2025-03-01T02:30:00Z" {
			t.Errorf("%s %s: status %q first seen %q, want open since night 1", f.Device, f.Object, f.Status, f.FirstSeen)
		}
	}
	if !strings.Contains(strings.Join(d.Changes, "\n"), "sw-floor1 status partial → ok") {
		t.Errorf("changes %q do not say sw-floor1 is read again", d.Changes)
	}
}

// A fact that became unknown (the SIP profiles were not read: the output
// is missing, or empty) does not resolve the finding about it.
func TestCompareCarriesUnknownFact(t *testing.T) {
	lab := "edge-keepalive-expires-300"
	before := view(t, copyLab(t, lab, nil), "", 1, 1)
	for name, content := range map[string][]byte{"missing": nil, "empty": {}} {
		t.Run(name, func(t *testing.T) {
			after := view(t, copyLab(t, lab, func(rel string, b []byte) []byte {
				if rel == "cucm-pub/sql_sipprofile.txt" {
					return content
				}
				return b
			}), "", 2, 2)
			unknownFact(t, Compare(before, after, true))
		})
	}
}

func unknownFact(t *testing.T, d *report.DiffSummary) {
	t.Helper()
	var sip []rules.Finding
	for _, f := range d.NotVerified {
		if f.Rule == "sip-profile-timers-inconsistent" {
			sip = append(sip, f)
		}
	}
	for _, f := range d.Resolved {
		if f.Rule == "sip-profile-timers-inconsistent" {
			t.Errorf("resolved although its profile was not read: %s %s", f.Device, f.Object)
		}
	}
	if len(sip) != 1 {
		t.Errorf("not verified %d sip-profile findings, want 1; diff %+v", len(sip), d)
	}
}

// A run of some devices compared with a run of all of them (other scopes)
// marks the others' findings not verified, never resolved.
func TestCompareNarrowerRun(t *testing.T) {
	dir := copyLab(t, "case1-proxy-arp", nil)
	full := view(t, dir, "", 1, 1)
	limited := view(t, dir, "sw-floor1", 2, 2)
	if len(full.Findings) != 1 || len(limited.Findings) != 0 {
		t.Fatalf("full run %d findings, limited %d; want 1 and 0", len(full.Findings), len(limited.Findings))
	}
	d := Compare(full, limited, false)
	counts(t, "full → --limit sw-floor1", [4]int{len(d.New), len(d.Open), len(d.Resolved), len(d.NotVerified)}, [4]int{0, 0, 0, 1})
	// In one scope, a device no longer listed left the inventory.
	d = Compare(full, view(t, dir, "sw-floor1", 3, 3), true)
	counts(t, "asa-edge left the inventory", [4]int{len(d.New), len(d.Open), len(d.Resolved), len(d.NotVerified)}, [4]int{0, 0, 1, 0})
}
