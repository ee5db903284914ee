package rules

import (
	"fmt"
	"strings"
)

func init() {
	register(&Rule{
		ID:       "port-config-unknown",
		Severity: Warning,
		Summary:  "a phone port's effective configuration could not be read: its timers are unknown, not off",
		Doc: `An IOS-XE port can take its switchport and port-security settings from an
interface template: "source template NAME" in the running config, or a
template Autoconf or ISE binds at run time. Cisco's built-in
IP_PHONE_INTERFACE_TEMPLATE itself sets "switchport port-security aging time
2" and "aging type inactivity". When a port sources a template whose
definition no output shows (an unmodified built-in template is not in the
running config), kaudit cannot know the port's port-security aging or voice
VLAN. Reading only the interface's own lines would call port-security off
and the audit clean: instead the port is reported here.

Flagged for every such port with a phone on it or a template whose name
says it is for phones, as a warning.

Fix: let kaudit read what the device reports: "show derived-config" (the
configuration each interface runs with, templates applied) or "show
template interface source built-in all" (the built-in definitions). A live
audit types them when the running config shows templates; offline, save
them beside the running config as show_derived-config.txt or
show_template_interface_source_built-in_all.txt.`,
		Check: checkPortConfigUnknown,
	})
}

func checkPortConfigUnknown(c *Context) []Finding {
	var out []Finding
	for _, d := range c.Snap.Devices {
		if d.Switch == nil {
			continue
		}
		for i := range d.Switch.Interfaces {
			port := &d.Switch.Interfaces[i]
			if port.Unknown == "" || port.Shutdown {
				continue
			}
			phones := c.PhonesOn(d.Name, port.Name)
			if len(phones) == 0 && !phoneTemplate(port.Template) && port.VoiceVLAN == 0 {
				continue
			}
			f := Finding{
				Severity: Warning,
				Device:   d.Name,
				Object:   port.Name,
				Phones:   phoneNames(phones),
				Message:  fmt.Sprintf("the port-security and voice VLAN settings of %s are unknown: it %s", port.Name, port.Unknown),
				Evidence: []Evidence{attr(d.Name, "source template", port.Template, port.Sources, "template")},
				Fix: []string{
					"! read-only: let kaudit read the effective configuration",
					"show derived-config",
					"show template interface source built-in all",
				},
				Notes: []string{"unknown is not off: the port-security rules cannot judge this port until its template is read"},
			}
			for _, p := range phones {
				f.Evidence = append(f.Evidence, phoneEvidence(p)...)
			}
			out = append(out, f)
		}
	}
	return out
}

// phoneTemplate: Cisco's built-in template for phones, or a name that
// says so.
func phoneTemplate(name string) bool {
	n := strings.ToUpper(name)
	return strings.Contains(n, "PHONE") || strings.Contains(n, "VOICE")
}
