package ios

import (
	"github.com/kaudit/kaudit/facts"
)

// Blocks of the running config that are neither interfaces nor templates
// but hold settings kaudit reads (IBNS 2.0).
const (
	blockNone = iota
	blockServiceTemplate
	blockControlPolicy
)

// Attribute names of a port's 802.1X settings.
var (
	attrPortControl   = facts.NewAttr("port_control")
	attrInactivity    = facts.NewAttr("inactivity")
	attrControlPolicy = facts.NewAttr("control_policy")
)

// authLine reads an interface's 802.1X / MAB commands (t starts with
// "authentication" or "access-session"):
//
//	authentication port-control auto          (IBNS 1.0)
//	authentication timer inactivity N|server  (IBNS 1.0)
//	access-session port-control auto          (IBNS 2.0)
//
// Cisco IOS-XE Security Configuration Guide, "Configuring IEEE 802.1x
// Port-Based Authentication" and "Identity-Based Networking Services".
func (p *configParser) authLine(port *facts.SwitchPort, t []byte) error {
	a := &port.Auth
	if rest, ok := keyword(t, "authentication"); ok {
		if rest, ok := keyword(rest, "port-control"); ok {
			if w, _ := cut(rest); string(w) == "auto" {
				a.Enabled = true
				a.Sources.SetAttr(attrPortControl, p.src())
			}
			return nil
		}
		if rest, ok := keyword(rest, "timer"); ok {
			if rest, ok := keyword(rest, "inactivity"); ok {
				w, _ := cut(rest)
				if string(w) == "server" {
					a.InactivityServer, a.InactivitySeconds = true, 0
					a.Sources.SetAttr(attrInactivity, p.src())
					return nil
				}
				n, ok := atoi(w)
				if !ok {
					return p.errorf("bad authentication timer inactivity %q", w)
				}
				a.InactivitySeconds, a.InactivityServer = n, false
				a.Sources.SetAttr(attrInactivity, p.src())
			}
		}
		return nil
	}
	if rest, ok := keyword(t, "access-session"); ok {
		if rest, ok := keyword(rest, "port-control"); ok {
			if w, _ := cut(rest); string(w) == "auto" {
				a.Enabled = true
				a.Sources.SetAttr(attrPortControl, p.src())
			}
		}
	}
	return nil
}

// controlPolicyLine reads "service-policy type control subscriber NAME".
func (p *configParser) controlPolicyLine(port *facts.SwitchPort, rest []byte) {
	rest, ok := keyword(rest, "type")
	if !ok {
		return
	}
	rest, ok = keyword(rest, "control")
	if !ok {
		return
	}
	p.cfg.mayApply = true // the policy may activate an interface template
	if rest, ok := keyword(rest, "subscriber"); ok {
		if name, _ := cut(rest); len(name) > 0 {
			port.Auth.ControlPolicy = p.str(name)
			port.Auth.Sources.SetAttr(attrControlPolicy, p.src())
		}
	}
}

// openBlock starts a top-level IBNS 2.0 block when line is one:
// "service-template NAME" or "policy-map type control subscriber NAME".
func (p *configParser) openBlock(line []byte) bool {
	if rest, ok := keyword(line, "service-template"); ok {
		name, _ := cut(rest)
		if len(name) == 0 {
			return false
		}
		p.block = blockServiceTemplate
		p.cfg.serviceTemplates = append(p.cfg.serviceTemplates, facts.ServiceTemplate{Name: p.str(name), Source: p.uniqueSrc()})
		return true
	}
	if rest, ok := keyword(line, "policy-map"); ok {
		rest, ok := keyword(rest, "type")
		if !ok {
			return false
		}
		if rest, ok = keyword(rest, "control"); !ok {
			return false
		}
		if rest, ok = keyword(rest, "subscriber"); !ok {
			return false
		}
		name, _ := cut(rest)
		if len(name) == 0 {
			return false
		}
		p.block = blockControlPolicy
		p.cfg.controlPolicies = append(p.cfg.controlPolicies, facts.ControlPolicy{Name: p.str(name), Source: p.uniqueSrc()})
		return true
	}
	return false
}

// blockLine reads one indented line of an open IBNS 2.0 block:
//
//	service-template NAME
//	 inactivity-timer N [probe]
//	policy-map type control subscriber NAME
//	 event authentication-success match-all
//	  10 class always do-until-failure
//	   20 activate service-template NAME
func (p *configParser) blockLine(t []byte) error {
	switch p.block {
	case blockServiceTemplate:
		st := &p.cfg.serviceTemplates[len(p.cfg.serviceTemplates)-1]
		if rest, ok := keyword(t, "inactivity-timer"); ok {
			w, rest := cut(rest)
			n, ok := atoi(w)
			if !ok {
				return p.errorf("bad inactivity-timer %q", w)
			}
			st.InactivitySeconds, st.Source = n, p.src()
			st.Probe = false
			for len(rest) > 0 {
				var x []byte
				x, rest = cut(rest)
				if string(x) == "probe" {
					st.Probe = true
				}
			}
		}
	case blockControlPolicy:
		cp := &p.cfg.controlPolicies[len(p.cfg.controlPolicies)-1]
		// "20 activate service-template NAME": the sequence number first.
		if _, rest, ok := leadingInt(t); ok {
			t = trimLeft(rest)
		}
		if rest, ok := keyword(t, "activate"); ok {
			if rest, ok := keyword(rest, "service-template"); ok {
				if name, _ := cut(rest); len(name) > 0 {
					cp.Activates = append(cp.Activates, facts.ActivateAction{Template: p.str(name), Source: p.src()})
				}
			}
		}
	}
	return nil
}
