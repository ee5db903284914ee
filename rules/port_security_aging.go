package rules

import (
	"fmt"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

func init() {
	register(&Rule{
		ID:       "port-security-aging-shorter-than-keepalive",
		Severity: Critical,
		Summary:  "port-security inactivity aging on a phone port forgets the phone before its keepalive",
		Doc: `With "switchport port-security aging type inactivity", a secure MAC address
is removed when no frame has come from it for the aging time. A registered IP
phone can stay silent for its whole keepalive interval (SIP: the expires CUCM
grants minus the register delta, 115 s by default; SCCP: 30 s to the primary).
When the aging time is not longer than that silence, the phone's address is
aged out between keepalives; the next keepalive is dropped or delayed while
the address is relearned, TCP retransmits with a doubling RTO, and CUCM
unregisters the phone (EndPointUnregistered Reason=13). This is case 2 of the
troubleshooting note.

Critical when the aging time is at most the phone's shortest keepalive
interval; warning when it is within thresholds.port_security_warning_margin_s
above it. Absolute aging and sticky addresses are not flagged: absolute
aging removes addresses regardless of traffic, sticky addresses never age.

Fix: an aging time that survives a lost keepalive (two intervals plus the
margin), or no inactivity aging at all.`,
		Check: checkPortSecurityAging,
	})
}

func checkPortSecurityAging(c *Context) []Finding {
	var out []Finding
	quietest := map[string]*facts.Phone{} // per switch, for empty voice ports
	for _, d := range c.Snap.Devices {
		if d.Switch == nil {
			continue
		}
		for i := range d.Switch.Interfaces {
			port := &d.Switch.Interfaces[i]
			ps := &port.PortSecurity
			if !ps.Enabled || port.Shutdown || ps.Sticky || ps.EffectiveAgingType() != "inactivity" || ps.AgingMinutes <= 0 {
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
			aging := ps.AgingMinutes * 60
			var sev Severity
			switch {
			case aging <= ka:
				sev = Critical
			case aging <= ka+c.Config.PortSecurityMargin:
				sev = Warning
			default:
				continue
			}
			fixMin := ceilMinutes(2*ka + c.Config.PortSecurityMargin)
			f := Finding{
				Severity: sev,
				Device:   d.Name,
				Object:   port.Name,
				Phones:   phoneNames(phones),
				Message:  agingMessage(ps.AgingMinutes, aging, port.Name, ka, sev),
				Evidence: []Evidence{
					attr(d.Name, "port-security", "enabled", ps.Sources, "enabled"),
					attr(d.Name, "aging time", fmt.Sprintf("%d min", ps.AgingMinutes), ps.Sources, "aging_time"),
					attr(d.Name, "aging type", "inactivity", ps.Sources, "aging_type"),
				},
				Fix: []string{
					"interface " + port.Name,
					fmt.Sprintf(" switchport port-security aging time %d", fixMin),
				},
				Notes: append(note, notes(worst)...),
			}
			if via := ps.Sources.Of("aging_time").Via; strings.HasPrefix(via, "template ") && port.Template != "" {
				// The aging comes from the template: fix it there, for
				// every port that sources it (an interface line would
				// also win, port by port).
				f.Fix = []string{
					"template " + port.Template,
					fmt.Sprintf(" switchport port-security aging time %d", fixMin),
				}
				f.Notes = append(f.Notes, fmt.Sprintf("the aging time comes from interface template %s: the fix changes the template, and so every port that sources it", port.Template))
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

// cmpWord says how a timer compares with a keepalive.
func cmpWord(timer, keepalive int) string {
	switch {
	case timer < keepalive:
		return "shorter than"
	case timer == keepalive:
		return "equal to"
	}
	return "barely longer than"
}

func agingMessage(min, aging int, port string, ka int, sev Severity) string {
	if sev == Critical {
		return fmt.Sprintf("port-security inactivity aging %d min (%d s) on %s is %s the phone keepalive interval of %d s: the phone's MAC is aged out between keepalives, keepalives are dropped and the phone unregisters",
			min, aging, port, cmpWord(aging, ka), ka)
	}
	return fmt.Sprintf("port-security inactivity aging %d min (%d s) on %s leaves only %d s over the phone keepalive interval of %d s: one late or lost keepalive ages the phone's MAC out and the phone unregisters",
		min, aging, port, aging-ka, ka)
}

// expectedPhone stands in for the phone that will be plugged into an empty
// voice port: like the phones already on the switch (the one that can stay
// silent longest), else the policy's default phone.
func (c *Context) expectedPhone(d *facts.Device, port *facts.SwitchPort, quietest map[string]*facts.Phone) (*facts.Phone, string) {
	like, ok := quietest[d.Name]
	if !ok {
		for i := range d.Switch.Interfaces {
			for _, p := range c.PhonesOn(d.Name, d.Switch.Interfaces[i].Name) {
				if like == nil || p.Keepalive.ShortestSeconds() > like.Keepalive.ShortestSeconds() {
					like = p
				}
			}
		}
		quietest[d.Name] = like
	}
	p := &facts.Phone{Switch: d.Name, Port: port.Name, Model: "phone (none seen)"}
	if like != nil {
		p.Keepalive = like.Keepalive
		return p, fmt.Sprintf("no phone seen on %s (voice VLAN %d): judged like %s on the same switch (%s)", port.Name, port.VoiceVLAN, like.Name, like.Keepalive.Protocol)
	}
	p.Keepalive = c.Snap.Keepalive(p, c.Config.Defaults)
	return p, fmt.Sprintf("no phone seen on %s (voice VLAN %d) nor on the switch: judged against the default %s phone", port.Name, port.VoiceVLAN, p.Keepalive.Protocol)
}
