package rules

import (
	"fmt"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

func init() {
	register(&Rule{
		ID:       "firewall-idle-timeout-shorter-than-keepalive",
		Severity: Critical,
		Summary:  "an ASA on the phone ↔ call manager path closes idle signalling connections before the next keepalive",
		Doc: `An ASA with interfaces toward the phones and toward a call manager carries the
phones' signalling connection (SIP over TCP 5060/5061, SCCP on TCP 2000). It
removes a connection that has been idle for its idle timeout: the global
"timeout conn" (default 1:00:00), "set connection timeout idle" in a class of
an applied policy map (which overrides it for the matched traffic), and with
"inspect sip" the "timeout sip" for SIP control connections (default 0:30:00).
A phone's connection is idle for up to its keepalive interval (to a backup
call manager: the backup interval, 60 s for SCCP, Timer Keep Alive Expires −
delta for SIP). When the timeout is not longer, the connection is gone when
the keepalive comes: the ASA drops it (or resets it with "reset") and the
phone unregisters.

Critical when a timeout is at most the keepalive interval of a connection it
applies to; warning within thresholds.firewall_idle_warning_margin_s above it.
Class timeouts are assumed to match the signalling traffic (the class-map is
not evaluated): check the class. UDP signalling ("timeout udp") is not
judged.

Fix: a timeout of at least two keepalive intervals plus the margin.`,
		Check: checkFirewallIdle,
	})
}

// idleTimer is one timer that may close a signalling connection.
type idleTimer struct {
	object  string // "timeout conn", "policy-map P class C"
	seconds int
	src     *facts.Source
	sipOnly bool
	fix     []string
}

func checkFirewallIdle(c *Context) []Finding {
	var out []Finding
	for _, d := range c.Snap.Devices {
		a := d.ASA
		if a == nil {
			continue
		}
		// Which interfaces face call managers and which face phones.
		type leg struct {
			cm     cmAddr
			nameif string
		}
		var legs []leg
		phoneIfs := map[string][]*facts.Phone{}
		for i := range a.Interfaces {
			ifc := &a.Interfaces[i]
			if ifc.Nameif == "" || !ifc.Prefix.IsValid() {
				continue
			}
			for _, cm := range c.idx.cucms {
				if ifc.Prefix.Contains(cm.ip) {
					legs = append(legs, leg{cm, ifc.Nameif})
				}
			}
			if ps := c.phonesIn(ifc.Prefix); len(ps) > 0 {
				phoneIfs[ifc.Nameif] = ps
			}
		}
		timers := asaIdleTimers(a)
		for _, t := range timers {
			if t.seconds <= 0 {
				continue // 0 disables the timeout
			}
			var worstKA int
			var worst *facts.Phone
			var worstCM *facts.Device
			affected := map[*facts.Phone]bool{}
			for _, l := range legs {
				for nameif, ps := range phoneIfs {
					if nameif == l.nameif {
						continue // same segment: the ASA is not on the path
					}
					for _, p := range ps {
						if t.sipOnly && p.Keepalive.Protocol != "SIP" {
							continue
						}
						ka := p.Keepalive.PrimarySeconds
						if l.cm.backup && p.Keepalive.BackupSeconds > 0 {
							ka = p.Keepalive.BackupSeconds
						}
						affected[p] = true
						// The connection idle longest is the one a timer
						// breaks first.
						if worst == nil || ka > worstKA {
							worst, worstKA, worstCM = p, ka, l.cm.device
						}
					}
				}
			}
			if worst == nil {
				continue
			}
			var sev Severity
			switch {
			case t.seconds <= worstKA:
				sev = Critical
			case t.seconds <= worstKA+c.Config.FirewallIdleMargin:
				sev = Warning
			default:
				continue
			}
			var ps []*facts.Phone
			for p := range affected {
				ps = append(ps, p)
			}
			ev := []Evidence{}
			if t.src != nil {
				ev = append(ev, fact(d.Name, t.object, fmtHMS(t.seconds), *t.src))
			} else {
				ev = append(ev, assumed(d.Name, t.object, fmtHMS(t.seconds)))
			}
			ev = append(ev, Evidence{Device: worstCM.Name, What: "call manager address", Value: worstCM.IP})
			ev = append(ev, phoneEvidence(worst)...)
			ev = append(ev, keepaliveEvidence(worst, worstKA, "keepalive interval to "+worstCM.Name)...)
			out = append(out, Finding{
				Severity: sev,
				Device:   d.Name,
				Object:   t.object,
				Phones:   phoneNames(ps),
				Message: fmt.Sprintf("%s (%d s) on %s is %s the %d s keepalive interval of phones talking to %s through it: the idle signalling connection is removed before the next keepalive",
					t.object, t.seconds, d.Name, cmpWord(t.seconds, worstKA), worstKA, worstCM.Name),
				Evidence: ev,
				Fix:      fixIdle(t, 2*worstKA+c.Config.FirewallIdleMargin),
				Notes:    notes(worst),
			})
		}
	}
	return out
}

// asaIdleTimers lists the timers that can close a signalling connection.
func asaIdleTimers(a *facts.ASA) []idleTimer {
	var out []idleTimer
	conn := idleTimer{object: "timeout conn", seconds: 3600}
	sip := idleTimer{object: "timeout sip", seconds: 1800, sipOnly: true}
	for i := range a.Timeouts {
		t := &a.Timeouts[i]
		switch t.Name {
		case "conn":
			conn.seconds, conn.src = t.Seconds, &t.Source
		case "sip":
			sip.seconds, sip.src = t.Seconds, &t.Source
		}
	}
	out = append(out, conn)
	inspectSIP := false
	applied := map[string]bool{}
	for _, sp := range a.ServicePolicy {
		applied[sp.PolicyMap] = true
	}
	for _, in := range a.Inspects {
		if in.Protocol == "sip" && applied[in.PolicyMap] {
			inspectSIP = true
		}
	}
	if inspectSIP {
		out = append(out, sip)
	}
	for i := range a.ClassTimeouts {
		ct := &a.ClassTimeouts[i]
		if !applied[ct.PolicyMap] {
			continue
		}
		out = append(out, idleTimer{
			object:  fmt.Sprintf("policy-map %s class %s idle", ct.PolicyMap, ct.Class),
			seconds: ct.IdleSeconds,
			src:     &ct.Source,
			fix: []string{
				"policy-map " + ct.PolicyMap,
				" class " + ct.Class,
			},
		})
	}
	return out
}

func fixIdle(t idleTimer, seconds int) []string {
	if seconds < 3600 && t.object == "timeout conn" {
		seconds = 3600 // the ASA default: no reason to go below it
	}
	switch {
	case t.object == "timeout conn":
		return []string{"timeout conn " + fmtHMS(seconds)}
	case t.object == "timeout sip":
		if seconds < 1800 {
			seconds = 1800
		}
		return []string{"timeout sip " + fmtHMS(seconds)}
	}
	reset := ""
	if t.src != nil && strings.Contains(t.src.Text, " reset") {
		reset = " reset"
	}
	return append(append([]string{}, t.fix...), "  set connection timeout idle "+fmtHMS(seconds)+reset)
}

// fmtHMS formats seconds the way the ASA writes timeouts.
func fmtHMS(s int) string {
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}
