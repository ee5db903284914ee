package facts

// PortAuth is the 802.1X / MAB configuration of a switch port: a port
// that authenticates its hosts keeps a session per host, and removes it
// when the host has been silent for the inactivity timer. A phone whose
// session is removed has its traffic dropped until it authenticates again:
// the same failure as port-security aging.
type PortAuth struct {
	// Enabled: "authentication port-control auto" (IBNS 1.0) or
	// "access-session port-control auto" (IBNS 2.0).
	Enabled bool `json:"enabled,omitempty"`
	// InactivitySeconds is "authentication timer inactivity N" (0: not
	// set, no inactivity timer).
	InactivitySeconds int `json:"inactivity_s,omitempty"`
	// InactivityServer is "authentication timer inactivity server": the
	// RADIUS server's Idle-Timeout decides, which no configuration shows.
	InactivityServer bool `json:"inactivity_server,omitempty"`
	// ControlPolicy is the IBNS 2.0 "service-policy type control
	// subscriber NAME" of the port.
	ControlPolicy string `json:"control_policy,omitempty"`
	// SessionIdleSeconds is the idle timeout show access-session reports
	// for a session on the port (0: none read): the effective value.
	SessionIdleSeconds int `json:"session_idle_s,omitempty"`
	// Sources keys: port_control, inactivity, control_policy,
	// session_idle.
	Sources Sources `json:"sources,omitzero"`
}

// IsZero reports a port without any authentication setting (json's
// omitzero).
func (a PortAuth) IsZero() bool {
	return !a.Enabled && a.InactivitySeconds == 0 && !a.InactivityServer && a.ControlPolicy == "" && a.SessionIdleSeconds == 0 && a.Sources.Len() == 0
}

// AuthSession is one session of show access-session details.
type AuthSession struct {
	Interface string `json:"interface"`
	MAC       string `json:"mac,omitempty"`
	// IdleSeconds is the session's idle (inactivity) timeout, 0 when the
	// output shows none.
	IdleSeconds int    `json:"idle_s,omitempty"`
	IdleSource  Source `json:"idle_source,omitzero"`
	// Template is the interface template bound to the port at run time
	// (Local Policies: Interface Template), e.g. by Autoconf.
	Template       string `json:"template,omitempty"`
	TemplateSource Source `json:"template_source,omitzero"`
	Source         Source `json:"source"` // the Interface: line
}

// applySessions gives each port what its sessions report: the shortest
// idle timeout of its sessions and the template bound at run time (when
// the running config names none).
func (sw *Switch) applySessions() {
	if len(sw.Sessions) == 0 {
		return
	}
	byName := map[string]*SwitchPort{}
	for i := range sw.Interfaces {
		byName[sw.Interfaces[i].Name] = &sw.Interfaces[i]
	}
	for _, s := range sw.Sessions {
		p := byName[s.Interface]
		if p == nil {
			continue
		}
		if s.IdleSeconds > 0 && (p.Auth.SessionIdleSeconds == 0 || s.IdleSeconds < p.Auth.SessionIdleSeconds) {
			p.Auth.SessionIdleSeconds = s.IdleSeconds
			p.Auth.Sources.Set("session_idle", s.IdleSource)
		}
		if s.Template != "" && p.Template == "" {
			p.Template = s.Template
			src := s.TemplateSource
			src.Via = "bound at run time"
			p.Sources.Set("template", src)
		}
	}
}

// ServiceTemplate is an IBNS 2.0 "service-template NAME" block.
type ServiceTemplate struct {
	Name string `json:"name"`
	// InactivitySeconds is "inactivity-timer N" (0: none).
	InactivitySeconds int `json:"inactivity_s,omitempty"`
	// Probe is "inactivity-timer N probe": the switch probes a silent
	// host (ARP, through device tracking) before it removes the session.
	Probe  bool   `json:"probe,omitempty"`
	Source Source `json:"source"` // the inactivity-timer line, else the block's
}

// ControlPolicy is an IBNS 2.0 "policy-map type control subscriber NAME":
// the service templates its actions activate.
type ControlPolicy struct {
	Name      string           `json:"name"`
	Activates []ActivateAction `json:"activates,omitempty"`
	Source    Source           `json:"source"`
}

// ActivateAction is one "activate service-template NAME" line.
type ActivateAction struct {
	Template string `json:"template"`
	Source   Source `json:"source"`
}

// ServiceTemplateNamed returns the service template name, or nil.
func (sw *Switch) ServiceTemplateNamed(name string) *ServiceTemplate {
	for i := range sw.ServiceTemplates {
		if sw.ServiceTemplates[i].Name == name {
			return &sw.ServiceTemplates[i]
		}
	}
	return nil
}

// ControlPolicyNamed returns the control policy name, or nil.
func (sw *Switch) ControlPolicyNamed(name string) *ControlPolicy {
	for i := range sw.ControlPolicies {
		if sw.ControlPolicies[i].Name == name {
			return &sw.ControlPolicies[i]
		}
	}
	return nil
}
