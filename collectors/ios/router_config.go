package ios

import (
	"github.com/kaudit/kaudit/facts"
)

// Router blocks of the running config (zone-based firewall).
const (
	blockZonePair = blockControlPolicy + 1 + iota
	blockInspectPolicy
	blockInspectClass
	blockInspectParams
)

var (
	attrNAT  = facts.NewAttr("nat")
	attrZone = facts.NewAttr("zone")
)

// routerGlobal reads the router's top-level NAT lines (Cisco IOS XE IP
// Addressing: NAT Configuration Guide):
//
//	ip nat translation timeout|tcp-timeout|udp-timeout N
//	ip nat inside source list|static|route-map ...
//
// It reports whether line was one of them.
func (p *configParser) routerGlobal(line []byte) (bool, error) {
	rest, ok := keyword(line, "ip")
	if !ok {
		return false, nil
	}
	rest, ok = keyword(rest, "nat")
	if !ok {
		return false, nil
	}
	n := &p.cfg.nat
	if r, ok := keyword(rest, "translation"); ok {
		w, r := cut(r)
		name := map[string]string{"timeout": "timeout", "tcp-timeout": "tcp_timeout", "udp-timeout": "udp_timeout"}[string(w)]
		if name == "" {
			return true, nil // finrst-timeout, max-entries, ...
		}
		v, _ := cut(r)
		secs, ok := atoi(v)
		if !ok {
			if string(v) == "never" {
				secs = 0
			} else {
				return true, p.errorf("bad ip nat translation %s %q", w, v)
			}
		}
		switch name {
		case "timeout":
			n.TimeoutSeconds = secs
		case "tcp_timeout":
			n.TCPTimeoutSeconds = secs
		case "udp_timeout":
			n.UDPTimeoutSeconds = secs
		}
		n.Sources.Set(name, p.src())
		return true, nil
	}
	if r, ok := keyword(rest, "inside"); ok {
		if _, ok := keyword(r, "source"); ok {
			n.Rules = append(n.Rules, p.uniqueSrc())
		}
		return true, nil
	}
	return true, nil
}

// routerInterfaceLine reads "ip nat inside|outside" and "zone-member
// security ZONE" of an interface; it reports whether t was one of them.
func (p *configParser) routerInterfaceLine(port *facts.SwitchPort, t []byte) bool {
	if rest, ok := keyword(t, "zone-member"); ok {
		if rest, ok := keyword(rest, "security"); ok {
			if z, _ := cut(rest); len(z) > 0 {
				port.L3.Zone = p.str(z)
				port.L3.Sources.SetAttr(attrZone, p.src())
			}
		}
		return true
	}
	rest, ok := keyword(t, "ip")
	if !ok {
		return false
	}
	rest, ok = keyword(rest, "nat")
	if !ok {
		return false
	}
	if w, _ := cut(rest); string(w) == "inside" || string(w) == "outside" {
		port.L3.NAT = p.str(w)
		port.L3.Sources.SetAttr(attrNAT, p.src())
	}
	return true
}

// openRouterBlock starts a zone-based firewall block (Cisco IOS XE
// Security Configuration Guide, Zone-Based Policy Firewall):
//
//	zone-pair security NAME source A destination B
//	policy-map type inspect NAME
//	class-map type inspect [match-any|match-all] NAME
//	parameter-map type inspect NAME | parameter-map type inspect-global
func (p *configParser) openRouterBlock(line []byte) bool {
	z := &p.cfg.zbf
	if rest, ok := keyword(line, "zone-pair"); ok {
		rest, ok := keyword(rest, "security")
		if !ok {
			return false
		}
		name, rest := cut(rest)
		zp := facts.ZonePair{Name: p.str(name), Source: p.uniqueSrc()}
		for len(rest) > 0 {
			var w, v []byte
			w, rest = cut(rest)
			v, rest = cut(rest)
			switch string(w) {
			case "source":
				zp.From = p.str(v)
			case "destination":
				zp.To = p.str(v)
			}
		}
		z.ZonePairs = append(z.ZonePairs, zp)
		p.block = blockZonePair
		return true
	}
	kind, rest := cut(line)
	switch string(kind) {
	case "policy-map", "class-map", "parameter-map":
	default:
		return false
	}
	rest, ok := keyword(rest, "type")
	if !ok {
		return false
	}
	t, rest := cut(rest)
	switch {
	case string(kind) == "parameter-map" && string(t) == "inspect-global":
		z.ParamMaps = append(z.ParamMaps, facts.InspectParams{Name: "inspect-global", Source: p.uniqueSrc()})
		p.block = blockInspectParams
		return true
	case string(t) != "inspect":
		return false
	}
	name, r := cut(rest)
	if string(name) == "match-any" || string(name) == "match-all" {
		name, _ = cut(r)
	}
	if len(name) == 0 {
		return false
	}
	switch string(kind) {
	case "policy-map":
		z.Policies = append(z.Policies, facts.InspectPolicy{Name: p.str(name), Source: p.uniqueSrc()})
		p.block = blockInspectPolicy
	case "class-map":
		z.ClassMaps = append(z.ClassMaps, facts.InspectClassMap{Name: p.str(name), Source: p.uniqueSrc()})
		p.block = blockInspectClass
	case "parameter-map":
		z.ParamMaps = append(z.ParamMaps, facts.InspectParams{Name: p.str(name), Source: p.uniqueSrc()})
		p.block = blockInspectParams
	}
	return true
}

// routerBlockLine reads one indented line of an open zone-based firewall
// block.
func (p *configParser) routerBlockLine(t []byte) error {
	z := &p.cfg.zbf
	switch p.block {
	case blockZonePair:
		if rest, ok := keyword(t, "service-policy"); ok {
			if rest, ok := keyword(rest, "type"); ok {
				if rest, ok := keyword(rest, "inspect"); ok {
					zp := &z.ZonePairs[len(z.ZonePairs)-1]
					name, _ := cut(rest)
					zp.Policy, zp.PolicyLine = p.str(name), p.src()
				}
			}
		}
	case blockInspectPolicy:
		pol := &z.Policies[len(z.Policies)-1]
		if rest, ok := keyword(t, "class"); ok {
			// "class type inspect C" or "class class-default"
			if r, ok := keyword(rest, "type"); ok {
				_, rest = cut(r)
			}
			name, _ := cut(rest)
			pol.Classes = append(pol.Classes, facts.InspectClass{Class: p.str(name), Source: p.src()})
			return nil
		}
		if len(pol.Classes) == 0 {
			return nil
		}
		cl := &pol.Classes[len(pol.Classes)-1]
		w, rest := cut(t)
		switch string(w) {
		case "inspect":
			cl.Action = "inspect"
			if pm, _ := cut(rest); len(pm) > 0 {
				cl.ParamMap = p.str(pm)
			}
			cl.Source = p.src()
		case "pass", "drop":
			cl.Action = string(w)
			cl.Source = p.src()
		}
	case blockInspectClass:
		cm := &z.ClassMaps[len(z.ClassMaps)-1]
		rest, ok := keyword(t, "match")
		if !ok {
			return nil
		}
		w, rest := cut(rest)
		switch string(w) {
		case "protocol":
			if proto, _ := cut(rest); len(proto) > 0 {
				cm.Protocols = append(cm.Protocols, lower(proto))
			}
		case "access-group":
			if r, ok := keyword(rest, "name"); ok {
				rest = r
			}
			if acl, _ := cut(rest); len(acl) > 0 {
				cm.ACLs = append(cm.ACLs, p.str(acl))
			}
		}
	case blockInspectParams:
		pm := &z.ParamMaps[len(z.ParamMaps)-1]
		w, rest := cut(t)
		if string(w) != "tcp" && string(w) != "udp" {
			return nil
		}
		rest, ok := keyword(rest, "idle-time")
		if !ok {
			return nil
		}
		v, _ := cut(rest)
		n, ok := atoi(v)
		if !ok {
			return p.errorf("bad %s idle-time %q", w, v)
		}
		if string(w) == "tcp" {
			pm.TCPIdleSeconds = n
			pm.Sources.Set("tcp_idle", p.src())
		} else {
			pm.UDPIdleSeconds = n
			pm.Sources.Set("udp_idle", p.src())
		}
	}
	return nil
}
