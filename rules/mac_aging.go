package rules

import (
	"fmt"

	"github.com/kaudit/kaudit/facts"
)

func init() {
	register(&Rule{
		ID:       "mac-aging-shorter-than-keepalive",
		Severity: Warning,
		Summary:  "switch MAC table aging in the voice VLAN is not longer than the phones' keepalive",
		Doc: `The MAC address table forgets a station that has sent nothing for the aging
time (show mac address-table aging-time, in seconds; default 300). A phone that
is silent for its whole keepalive interval is then unknown to the switch, and
frames from the call manager to the phone are flooded to every port of the
VLAN until the phone speaks again. This does not drop the keepalive by itself
(hence a warning) but it floods voice signalling and, together with
port-security or storm control, turns into drops.

Warning when the aging time of the voice VLAN (per-VLAN value, else the global
one) is at most the shortest keepalive interval of the phones on the switch;
info when it is within thresholds.mac_aging_warning_margin_s above it. 0
(aging disabled) is not flagged. When the aging time was not read, the
default (defaults.mac_aging_default_s) is assumed and said so.

Fix: mac address-table aging-time with at least two keepalive intervals.`,
		Check: checkMACAging,
	})
}

func checkMACAging(c *Context) []Finding {
	var out []Finding
	for _, d := range c.Snap.Devices {
		if d.Switch == nil {
			continue
		}
		// Phones per voice VLAN on this switch.
		byVLAN := map[int][]*facts.Phone{}
		var vlans []int
		for i := range d.Switch.Interfaces {
			port := &d.Switch.Interfaces[i]
			if port.VoiceVLAN == 0 || port.Shutdown {
				continue
			}
			ps := c.PhonesOn(d.Name, port.Name)
			if len(ps) == 0 {
				continue
			}
			if _, seen := byVLAN[port.VoiceVLAN]; !seen {
				vlans = append(vlans, port.VoiceVLAN)
			}
			byVLAN[port.VoiceVLAN] = append(byVLAN[port.VoiceVLAN], ps...)
		}
		for _, vlan := range vlans {
			phones := byVLAN[vlan]
			worst := shortestKeepalive(phones)
			ka := worst.Keepalive.ShortestSeconds()
			aging := c.Config.MACAgingDefault
			var ev Evidence
			var note []string
			if d.Switch.MACAging != nil {
				var src facts.Source
				aging, src = d.Switch.MACAging.ForVLAN(vlan)
				ev = fact(d.Name, fmt.Sprintf("MAC aging (VLAN %d)", vlan), fmt.Sprintf("%d s", aging), src)
			} else {
				ev = assumed(d.Name, fmt.Sprintf("MAC aging (VLAN %d)", vlan), fmt.Sprintf("%d s", aging))
				note = append(note, "show mac address-table aging-time was not read: the default is assumed")
			}
			if aging <= 0 {
				continue
			}
			var sev Severity
			switch {
			case aging <= ka:
				sev = Warning
			case aging <= ka+c.Config.MACAgingMargin:
				sev = Info
			default:
				continue
			}
			fix := 2*ka + c.Config.MACAgingMargin
			if fix < 300 {
				fix = 300
			}
			f := Finding{
				Severity: sev,
				Device:   d.Name,
				Object:   fmt.Sprintf("vlan %d", vlan),
				Phones:   phoneNames(phones),
				Message: fmt.Sprintf("MAC aging %d s in voice VLAN %d is %s the phone keepalive interval of %d s: the switch forgets silent phones and floods their traffic",
					aging, vlan, cmpWord(aging, ka), ka),
				Evidence: []Evidence{ev},
				Fix:      []string{fmt.Sprintf("mac address-table aging-time %d vlan %d", fix, vlan)},
				Notes:    append(note, notes(worst)...),
			}
			f.Evidence = append(f.Evidence, phoneEvidence(worst)...)
			f.Evidence = append(f.Evidence, keepaliveEvidence(worst, ka, "keepalive interval")...)
			out = append(out, f)
		}
	}
	return out
}
