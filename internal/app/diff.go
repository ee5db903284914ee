package app

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

// RunView is one side of a comparison of runs.
type RunView struct {
	ID      int64
	Started time.Time
	// Findings are what the run reported; Unverified those of earlier
	// runs it carried because it could not check them.
	Findings, Unverified []rules.Finding
	// Devices says how reading each device went; nil when unknown, and
	// then every finding counts as checked.
	Devices []report.DeviceResult
	// Snap, when both sides have one, gives the fact changes.
	Snap *facts.Snapshot
}

// Diff compares two runs of one scope whose device results are unknown;
// see Compare.
func Diff(fromID, toID int64, a, b []rules.Finding, sa, sb *facts.Snapshot) *report.DiffSummary {
	return Compare(&RunView{ID: fromID, Findings: a, Snap: sa}, &RunView{ID: toID, Findings: slices.Clone(b), Snap: sb}, true)
}

// Compare compares run cur with prev, an earlier run, findings matched by
// rules.Fingerprint: new in cur, still open, resolved, and not verified.
// A finding prev reported (or carried) that cur does not report is
// resolved only when cur checked it: every device it names was read
// completely in cur, and none of the outputs its evidence comes from went
// missing. Otherwise it is carried as not verified this run (a device
// failed or was partial, a fact became unknown): absence of evidence is
// not a fix. With sameScope false (two runs of different inventories or
// --limit), a device cur did not audit at all is not verified either; in
// one scope it left the inventory, and its findings are resolved.
//
// Compare sets the Status and FirstSeen of cur.Findings in place (the
// history records them); prev nil means cur is the first run of its
// scope: every finding is new and Compare returns nil.
func Compare(prev, cur *RunView, sameScope bool) *report.DiffSummary {
	now := stamp(cur.Started)
	if prev == nil {
		for i := range cur.Findings {
			cur.Findings[i].Status, cur.Findings[i].FirstSeen = rules.StatusNew, now
		}
		return nil
	}
	d := &report.DiffSummary{From: prev.ID, To: cur.ID, New: []rules.Finding{}, Resolved: []rules.Finding{},
		Open: []rules.Finding{}, NotVerified: []rules.Finding{}}
	before := map[string]rules.Finding{}
	var order []string
	for _, fs := range [][]rules.Finding{prev.Findings, prev.Unverified} {
		for _, f := range fs {
			fp := rules.Fingerprint(f)
			if _, dup := before[fp]; !dup {
				before[fp] = f
				order = append(order, fp)
			}
		}
	}
	after := map[string]bool{}
	for i := range cur.Findings {
		f := &cur.Findings[i]
		fp := rules.Fingerprint(*f)
		after[fp] = true
		if was, ok := before[fp]; ok {
			f.Status, f.FirstSeen = rules.StatusOpen, cmp.Or(was.FirstSeen, stamp(prev.Started), now)
			d.Open = append(d.Open, *f)
		} else {
			f.Status, f.FirstSeen = rules.StatusNew, now
			d.New = append(d.New, *f)
		}
	}
	checked := newChecker(cur.Devices, sameScope)
	for _, fp := range order {
		if after[fp] {
			continue
		}
		f := before[fp]
		if checked.verifies(f) {
			d.Resolved = append(d.Resolved, f)
			continue
		}
		f.Status, f.FirstSeen = rules.StatusNotVerified, cmp.Or(f.FirstSeen, stamp(prev.Started))
		d.NotVerified = append(d.NotVerified, f)
	}
	if prev.Snap != nil && cur.Snap != nil {
		d.Changes = FactChanges(prev.Snap, cur.Snap)
	}
	return d
}

// stamp is a run's start as Finding.FirstSeen holds it; "" when unknown.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// FactChanges lists, in words, the changes between two snapshots of the
// facts the rules read: port-security and VLANs per port, MAC aging, ASA
// timeouts, proxy ARP and NAT, CUCM timers, and device status.
func FactChanges(a, b *facts.Snapshot) []string {
	var out []string
	prev := map[string]*facts.Device{}
	for _, d := range a.Devices {
		prev[d.Name] = d
	}
	seen := map[string]bool{}
	for _, d := range b.Devices {
		seen[d.Name] = true
		p, ok := prev[d.Name]
		if !ok {
			out = append(out, d.Name+": new device")
			continue
		}
		out = append(out, deviceChanges(p, d)...)
	}
	for _, d := range a.Devices {
		if !seen[d.Name] {
			out = append(out, d.Name+": no longer in the inventory")
		}
	}
	return out
}

func deviceChanges(a, b *facts.Device) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, b.Name+" "+fmt.Sprintf(format, args...)) }
	if a.Status != b.Status {
		add("status %s → %s", a.Status, b.Status)
	}
	if a.Switch != nil && b.Switch != nil {
		ports := map[string]*facts.SwitchPort{}
		for i := range a.Switch.Interfaces {
			ports[a.Switch.Interfaces[i].Name] = &a.Switch.Interfaces[i]
		}
		for i := range b.Switch.Interfaces {
			nb := &b.Switch.Interfaces[i]
			na, ok := ports[nb.Name]
			if !ok {
				continue
			}
			pa, pb := na.PortSecurity, nb.PortSecurity
			cmp := func(what string, x, y any, unit string) {
				if x != y {
					add("%s %s %v → %v%s", nb.Name, what, x, y, unit)
				}
			}
			cmp("port-security", onOff(pa.Enabled), onOff(pb.Enabled), "")
			cmp("aging time", pa.AgingMinutes, pb.AgingMinutes, " min")
			cmp("aging type", pa.EffectiveAgingType(), pb.EffectiveAgingType(), "")
			cmp("port-security maximum", pa.EffectiveMaximum(), pb.EffectiveMaximum(), "")
			cmp("sticky", onOff(pa.Sticky), onOff(pb.Sticky), "")
			cmp("voice vlan", na.VoiceVLAN, nb.VoiceVLAN, "")
		}
		ga, gb := agingOf(a.Switch), agingOf(b.Switch)
		if ga != gb {
			add("MAC aging %s → %s", ga, gb)
		}
	}
	if a.ASA != nil && b.ASA != nil {
		ta, tb := timeoutsOf(a.ASA), timeoutsOf(b.ASA)
		for _, k := range sortedKeys(tb) {
			if ta[k] != tb[k] {
				add("%s %s → %s", k, orDash(ta[k]), tb[k])
			}
		}
		pa, pb := proxyOf(a.ASA), proxyOf(b.ASA)
		for _, k := range sortedKeys(pb) {
			if pa[k] != pb[k] {
				add("proxy ARP on %s %s → %s", k, orDash(pa[k]), pb[k])
			}
		}
		na, nb := natLines(a.ASA), natLines(b.ASA)
		for _, l := range nb {
			if !contains(na, l) {
				add("NAT added: %s", l)
			}
		}
		for _, l := range na {
			if !contains(nb, l) {
				add("NAT removed: %s", l)
			}
		}
	}
	if a.CUCM != nil && b.CUCM != nil {
		pa := map[string]facts.SIPProfile{}
		for _, p := range a.CUCM.SIPProfiles {
			pa[p.Name] = p
		}
		for _, p := range b.CUCM.SIPProfiles {
			q, ok := pa[p.Name]
			if !ok {
				continue
			}
			if q.RegisterDeltaSeconds != p.RegisterDeltaSeconds {
				add("SIP profile %q register delta %d → %d s", p.Name, q.RegisterDeltaSeconds, p.RegisterDeltaSeconds)
			}
			if q.KeepaliveExpiresSeconds != p.KeepaliveExpiresSeconds {
				add("SIP profile %q keepalive expires %d → %d s", p.Name, q.KeepaliveExpiresSeconds, p.KeepaliveExpiresSeconds)
			}
		}
		va := map[string]string{}
		for _, sp := range a.CUCM.ServiceParams {
			va[sp.Name] = sp.Value
		}
		for _, sp := range b.CUCM.ServiceParams {
			if v, ok := va[sp.Name]; ok && v != sp.Value {
				add("%s %s → %s", sp.Name, v, sp.Value)
			}
		}
	}
	return out
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func agingOf(s *facts.Switch) string {
	if s.MACAging == nil {
		return "unknown"
	}
	parts := []string{fmt.Sprintf("%d s", s.MACAging.GlobalSeconds)}
	for _, v := range s.MACAging.VLANs {
		parts = append(parts, fmt.Sprintf("vlan %d %d s", v.VLAN, v.Seconds))
	}
	return strings.Join(parts, ", ")
}

func timeoutsOf(a *facts.ASA) map[string]string {
	m := map[string]string{}
	for _, t := range a.Timeouts {
		m["timeout "+t.Name] = fmt.Sprintf("%d s", t.Seconds)
	}
	for _, c := range a.ClassTimeouts {
		m[fmt.Sprintf("policy-map %s class %s idle", c.PolicyMap, c.Class)] = fmt.Sprintf("%d s", c.IdleSeconds)
	}
	return m
}

func proxyOf(a *facts.ASA) map[string]string {
	m := map[string]string{}
	for _, i := range a.Interfaces {
		if i.Nameif != "" {
			m[i.Nameif] = "on"
		}
	}
	for _, p := range a.ProxyARP {
		m[p.Nameif] = onOff(p.Enabled)
	}
	return m
}

func natLines(a *facts.ASA) []string {
	var out []string
	for _, n := range a.NAT {
		out = append(out, strings.TrimSpace(n.Source.Text))
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func orDash(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}

// WriteDiffText renders a diff summary for a terminal, headed "since run
// #N" (the audit's view) or, with between set, "run #A → #B".
func WriteDiffText(w *strings.Builder, d *report.DiffSummary, between bool) {
	head := fmt.Sprintf("since run #%d", d.From)
	if between {
		head = fmt.Sprintf("run #%d → #%d", d.From, d.To)
	}
	fmt.Fprintf(w, "%s: %d new, %d resolved, %d still open", head, len(d.New), len(d.Resolved), len(d.Open))
	if len(d.NotVerified) > 0 {
		// Said only when there are some, so that the line a script
		// may match stays as it was on a complete run.
		fmt.Fprintf(w, ", %d not verified", len(d.NotVerified))
	}
	fmt.Fprintln(w)
	for _, f := range d.New {
		fmt.Fprintf(w, "  new       %-8s %s %s %s\n", f.Severity, f.Rule, f.Device, f.Object)
	}
	for _, f := range d.Resolved {
		fmt.Fprintf(w, "  resolved  %-8s %s %s %s\n", f.Severity, f.Rule, f.Device, f.Object)
	}
	if len(d.NotVerified) > 0 {
		fmt.Fprintf(w, "not verified this run (a device failed or was partial, an output was missing, or the run did not audit the device); carried, not resolved:\n")
	}
	for _, f := range d.NotVerified {
		fmt.Fprintf(w, "  unchecked %-8s %s %s %s\n", f.Severity, f.Rule, f.Device, f.Object)
	}
	if len(d.Changes) > 0 {
		fmt.Fprintf(w, "what changed on the devices:\n")
		for _, c := range d.Changes {
			fmt.Fprintf(w, "  %s\n", c)
		}
	}
}
