package facts

import "strings"

// InterfaceTemplate is an IOS-XE interface template: a block of
// interface commands that ports take with "source template NAME" (or that
// Autoconf and ISE bind at run time). Its settings are read like a
// port's, into Port.
type InterfaceTemplate struct {
	Name string `json:"name"`
	// Key is the output the definition was read from: the running config
	// (user templates and modified built-ins) or the device's list of
	// built-in templates.
	Key  string     `json:"key"`
	Port SwitchPort `json:"settings"`
}

// Template returns the definition of template name, or nil. A running
// config definition (a modified built-in) wins over the built-in list.
func (sw *Switch) Template(name string, runningKey string) *InterfaceTemplate {
	var found *InterfaceTemplate
	for i := range sw.Templates {
		t := &sw.Templates[i]
		if t.Name != name {
			continue
		}
		if t.Key == runningKey {
			return t
		}
		found = t
	}
	return found
}

// ResolveTemplates gives every port that sources a template the settings
// it takes from it, as IOS-XE applies them: a setting on the interface
// itself wins, the template fills the rest. Each setting taken from a
// template keeps the template's line, with Via naming the template. A
// port whose template is not defined in any output read is marked
// Unknown: its switchport and port-security facts are then only its own
// lines, and rules must not read them as the port's configuration.
//
// Derived holds the ports of show derived-config, the effective
// configuration the device reports (templates bound at run time
// included): where a port is there, its settings are the derived ones.
//
// It may be called again as more outputs arrive: a setting already taken
// is not taken twice.
func (sw *Switch) ResolveTemplates(runningKey string) {
	sw.applySessions()
	derived := map[string]*SwitchPort{}
	for i := range sw.Derived {
		derived[sw.Derived[i].Name] = &sw.Derived[i]
	}
	for i := range sw.Interfaces {
		p := &sw.Interfaces[i]
		if d, ok := derived[p.Name]; ok {
			via := "show derived-config"
			if p.Template != "" {
				via = "template " + p.Template + ", show derived-config"
			}
			takeSettings(p, d, via)
			p.Unknown = ""
			continue
		}
		if p.Template == "" {
			continue
		}
		t := sw.Template(p.Template, runningKey)
		if t == nil {
			p.Unknown = "sources template " + p.Template + ", whose definition was not read (collect show template interface source built-in all, or show derived-config)"
			continue
		}
		takeSettings(p, &t.Port, "template "+t.Name)
		p.Unknown = ""
	}
}

// portAttrs are the SwitchPort settings a template can give.
var portAttrs = []string{"description", "mode", "access_vlan", "voice_vlan"}

// takeSettings copies into p every setting of from that p does not set
// itself, each with its source marked via.
func takeSettings(p, from *SwitchPort, via string) {
	for _, a := range portAttrs {
		src, ok := from.Sources.Get(a)
		if !ok {
			continue
		}
		if own, has := p.Sources.Get(a); has && own.Via == "" {
			continue
		}
		switch a {
		case "description":
			p.Description = from.Description
		case "mode":
			p.Mode = from.Mode
		case "access_vlan":
			p.AccessVLAN = from.AccessVLAN
		case "voice_vlan":
			p.VoiceVLAN = from.VoiceVLAN
		}
		src.Via = via
		p.Sources.Set(a, src)
	}
	ps, fs := &p.PortSecurity, &from.PortSecurity
	for a, src := range fs.Sources.All() {
		if own, has := ps.Sources.Get(a); has && own.Via == "" {
			continue
		}
		switch {
		case a == "enabled":
			ps.Enabled = fs.Enabled
		case a == "maximum":
			ps.Maximum = fs.Maximum
		case a == "violation":
			ps.Violation = fs.Violation
		case a == "aging_time":
			ps.AgingMinutes, ps.AgingSet = fs.AgingMinutes, fs.AgingSet
		case a == "aging_type":
			ps.AgingType = fs.AgingType
		case a == "aging_static":
			ps.AgingStatic = fs.AgingStatic
		case a == "sticky":
			ps.Sticky = fs.Sticky
		case strings.HasPrefix(a, "maximum_vlan_"):
			k := strings.TrimPrefix(a, "maximum_vlan_")
			if ps.VLANMaximum == nil {
				ps.VLANMaximum = map[string]int{}
			}
			ps.VLANMaximum[k] = fs.VLANMaximum[k]
		default:
			continue
		}
		src.Via = via
		ps.Sources.Set(a, src)
	}
	pa, fa := &p.Auth, &from.Auth
	for a, src := range fa.Sources.All() {
		if own, has := pa.Sources.Get(a); has && own.Via == "" {
			continue
		}
		switch a {
		case "port_control":
			pa.Enabled = fa.Enabled
		case "inactivity":
			pa.InactivitySeconds, pa.InactivityServer = fa.InactivitySeconds, fa.InactivityServer
		case "control_policy":
			pa.ControlPolicy = fa.ControlPolicy
		default:
			continue
		}
		src.Via = via
		pa.Sources.Set(a, src)
	}
	if len(ps.StickyMACs) == 0 {
		ps.StickyMACs = fs.StickyMACs
	}
	if len(ps.StaticMACs) == 0 {
		ps.StaticMACs = fs.StaticMACs
	}
}
