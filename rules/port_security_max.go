package rules

import (
	"fmt"
	"strings"
)

func init() {
	register(&Rule{
		ID:       "port-security-max-too-low-for-voice",
		Severity: Critical,
		Summary:  "port-security maximum on a voice-VLAN port cannot hold the phone and the PC behind it",
		Doc: `A port with a voice VLAN carries at least two MAC addresses: the phone (in the
voice VLAN, and on many models also in the access VLAN) and the PC plugged into
the phone. The IOS default maximum is 1. With a maximum below
thresholds.voice_port_min_maximum (default 2) the second address is a security
violation: with violation shutdown (the default) the port err-disables and the
phone goes down with it; with protect or restrict the extra address's frames
are dropped. A "maximum N vlan voice" of 0 is treated the same way.

Critical with violation shutdown, warning with protect or restrict.

Fix: raise the maximum (2 for phone + PC, 3 where the phone also shows in the
access VLAN).`,
		Check: checkPortSecurityMax,
	})
}

func checkPortSecurityMax(c *Context) []Finding {
	var out []Finding
	need := c.Config.VoicePortMinMaximum
	for _, d := range c.Snap.Devices {
		if d.Switch == nil {
			continue
		}
		for i := range d.Switch.Interfaces {
			port := &d.Switch.Interfaces[i]
			ps := &port.PortSecurity
			if !ps.Enabled || port.VoiceVLAN == 0 || port.Shutdown {
				continue
			}
			max := ps.EffectiveMaximum()
			if max >= need {
				continue
			}
			violation := ps.Violation
			if violation == "" {
				violation = "shutdown"
			}
			sev := Warning
			if strings.HasPrefix(violation, "shutdown") {
				sev = Critical
			}
			phones := c.PhonesOn(d.Name, port.Name)
			f := Finding{
				Severity: sev,
				Device:   d.Name,
				Object:   port.Name,
				Phones:   phoneNames(phones),
				Message: fmt.Sprintf("port-security maximum %d on voice port %s (voice VLAN %d) cannot hold the phone and a PC (%d needed): the second MAC address triggers violation %s",
					max, port.Name, port.VoiceVLAN, need, violation),
				Evidence: []Evidence{
					attr(d.Name, "voice vlan", fmt.Sprint(port.VoiceVLAN), port.Sources, "voice_vlan"),
					attr(d.Name, "port-security", "enabled", ps.Sources, "enabled"),
					attr(d.Name, "maximum", fmt.Sprint(max), ps.Sources, "maximum"),
					attr(d.Name, "violation", violation, ps.Sources, "violation"),
				},
				Fix: []string{
					"interface " + port.Name,
					fmt.Sprintf(" switchport port-security maximum %d", need),
				},
			}
			if ps.Maximum == 0 {
				f.Notes = append(f.Notes, "no maximum configured: the IOS default of 1 applies")
			}
			for _, p := range phones {
				f.Evidence = append(f.Evidence, phoneEvidence(p)...)
			}
			out = append(out, f)
		}
	}
	return out
}
