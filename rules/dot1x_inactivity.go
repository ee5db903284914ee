package rules

import (
	"fmt"

	"github.com/kaudit/kaudit/facts"
)

func init() {
	register(&Rule{
		ID:       "dot1x-inactivity-shorter-than-keepalive",
		Severity: Critical,
		Summary:  "an 802.1X/MAB session is removed after an inactivity timer shorter than the phone's keepalive",
		Doc: `A port that authenticates its hosts (802.1X or MAB) keeps one session per
host. With an inactivity timer, the switch removes the session of a host that
has sent nothing for that long; the host's traffic is then dropped until it
authenticates again. A registered IP phone can stay silent for its whole
keepalive interval (SIP: 115 s by default): an inactivity timer not longer
than that removes the phone's session between keepalives, the next keepalive
is dropped while MAB or 802.1X runs again, and CUCM unregisters the phone
(Reason=13) — the same failure as port-security inactivity aging, on sites that
replaced port-security with 802.1X.

Where the timer is read (Cisco IOS-XE Security Configuration Guide: 802.1X
Port-Based Authentication; Identity-Based Networking Services):
  - IBNS 1.0: "authentication timer inactivity N" on the interface;
    "authentication timer inactivity server" takes the RADIUS server's
    Idle-Timeout, which no configuration shows: the timer is unknown and
    reported as such (warning), never as a pass, unless show access-session
    details reports the session's idle timeout;
  - IBNS 2.0: the interface's "service-policy type control subscriber P",
    whose actions "activate service-template T", and the template's
    "inactivity-timer N"; "inactivity-timer N probe" makes the switch probe
    a silent host (ARP, through device tracking) before removing its
    session, so it is not flagged;
  - show access-session details: the idle timeout a session runs with.
Interface templates that carry these lines are applied first.

Critical when the timer is at most the phone's shortest keepalive interval;
warning within thresholds.port_security_warning_margin_s above it.

Fix: an inactivity timer that survives a lost keepalive (two intervals plus
the margin), or "probe" on the IBNS 2.0 service template.

Confirm: a capture on the phone's access port (EPC) shows the keepalive after
the timer dropped or re-authenticating; "kaudit confirm --finding" plans it
like a port-security finding.`,
		Check: checkDot1xInactivity,
	})
}

// authTimer is the inactivity timer a port's sessions run with, as far as
// the snapshot tells.
type authTimer struct {
	seconds int
	src     *facts.Source
	what    string // where it was read
	unknown string // why it cannot be known
	probe   bool
	extra   []Evidence // the lines leading to it (policy, activate)
}

func portAuthTimer(sw *facts.Switch, port *facts.SwitchPort) (authTimer, bool) {
	a := &port.Auth
	if a.SessionIdleSeconds > 0 {
		src := a.Sources.Of("session_idle")
		return authTimer{seconds: a.SessionIdleSeconds, src: &src, what: "session idle timeout (show access-session)"}, true
	}
	if a.InactivitySeconds > 0 {
		src := a.Sources.Of("inactivity")
		return authTimer{seconds: a.InactivitySeconds, src: &src, what: "authentication timer inactivity"}, true
	}
	if a.InactivityServer {
		src := a.Sources.Of("inactivity")
		return authTimer{src: &src, what: "authentication timer inactivity server",
			unknown: "the inactivity timer comes from the RADIUS server's Idle-Timeout, which the switch configuration does not show (collect show access-session details while the phone is connected)"}, true
	}
	if a.ControlPolicy == "" {
		return authTimer{}, false
	}
	cp := sw.ControlPolicyNamed(a.ControlPolicy)
	if cp == nil {
		return authTimer{}, false
	}
	var best authTimer
	found := false
	for _, act := range cp.Activates {
		st := sw.ServiceTemplateNamed(act.Template)
		if st == nil || st.InactivitySeconds <= 0 {
			continue
		}
		if found && st.InactivitySeconds >= best.seconds {
			continue
		}
		src, actSrc := st.Source, act.Source
		best = authTimer{seconds: st.InactivitySeconds, src: &src, probe: st.Probe,
			what: "service-template " + st.Name + " inactivity-timer",
			extra: []Evidence{
				attr("", "control policy", a.ControlPolicy, a.Sources, "control_policy"),
				fact("", "activates", st.Name, actSrc),
			}}
		found = true
	}
	return best, found
}

func checkDot1xInactivity(c *Context) []Finding {
	var out []Finding
	quietest := map[string]*facts.Phone{}
	for _, d := range c.Snap.Devices {
		if d.Switch == nil {
			continue
		}
		for i := range d.Switch.Interfaces {
			port := &d.Switch.Interfaces[i]
			if port.Shutdown || (!port.Auth.Enabled && port.Auth.ControlPolicy == "") {
				continue
			}
			timer, ok := portAuthTimer(d.Switch, port)
			if !ok || timer.probe {
				continue
			}
			phones := c.PhonesOn(d.Name, port.Name)
			if len(phones) == 0 && port.VoiceVLAN == 0 {
				continue // not a phone port
			}
			var note []string
			if len(phones) == 0 {
				p, why := c.expectedPhone(d, port, quietest)
				phones = []*facts.Phone{p}
				note = append(note, why)
			}
			worst := shortestKeepalive(phones)
			ka := worst.Keepalive.ShortestSeconds()
			ev := []Evidence{attr(d.Name, "authentication", "port-control auto", port.Auth.Sources, "port_control")}
			for _, e := range timer.extra {
				e.Device = d.Name
				ev = append(ev, e)
			}
			if timer.unknown != "" {
				ev = append(ev, fact(d.Name, "inactivity timer", "from the RADIUS server", *timer.src))
				out = append(out, Finding{
					Severity: Warning, Device: d.Name, Object: port.Name, Phones: phoneNames(phones),
					Message:  fmt.Sprintf("802.1X/MAB inactivity timer of %s unknown: %s; if it is %d s or less, the phone's session is removed between keepalives", port.Name, timer.unknown, ka),
					Evidence: append(ev, keepaliveEvidence(worst, ka, "keepalive interval")...),
					Fix:      []string{"show access-session interface " + port.Name + " details"},
					Notes:    append(note, "unknown is not a pass: the rule cannot judge this port until the session's timer is read"),
				})
				continue
			}
			var sev Severity
			switch {
			case timer.seconds <= ka:
				sev = Critical
			case timer.seconds <= ka+c.Config.PortSecurityMargin:
				sev = Warning
			default:
				continue
			}
			ev = append(ev, fact(d.Name, timer.what, fmt.Sprintf("%d s", timer.seconds), *timer.src))
			fixS := 2*ka + c.Config.PortSecurityMargin
			fix := []string{"interface " + port.Name, fmt.Sprintf(" authentication timer inactivity %d", fixS)}
			if port.Auth.InactivitySeconds == 0 && port.Auth.ControlPolicy != "" {
				fix = []string{"service-template " + timerTemplate(timer.what), fmt.Sprintf(" inactivity-timer %d probe", fixS)}
			}
			msg := fmt.Sprintf("802.1X/MAB inactivity timer %d s on %s is %s the phone keepalive interval of %d s: the phone's session is removed between keepalives and its traffic dropped until it authenticates again", timer.seconds, port.Name, cmpWord(timer.seconds, ka), ka)
			if sev == Warning {
				msg = fmt.Sprintf("802.1X/MAB inactivity timer %d s on %s leaves only %d s over the phone keepalive interval of %d s: one late keepalive removes the phone's session", timer.seconds, port.Name, timer.seconds-ka, ka)
			}
			f := Finding{
				Severity: sev, Device: d.Name, Object: port.Name, Phones: phoneNames(phones),
				Message: msg, Evidence: ev, Fix: fix, Notes: append(note, notes(worst)...),
			}
			if len(worst.Seen) > 0 {
				f.Evidence = append(f.Evidence, phoneEvidence(worst)...)
			}
			f.Evidence = append(f.Evidence, keepaliveEvidence(worst, ka, "keepalive interval")...)
			out = append(out, f)
		}
	}
	return out
}

// timerTemplate is the service template's name in "service-template T
// inactivity-timer".
func timerTemplate(what string) string {
	var name string
	fmt.Sscanf(what, "service-template %s", &name)
	return name
}
