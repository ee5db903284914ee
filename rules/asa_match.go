package rules

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// conn is one connection asked about: its protocol, its ends (an invalid
// address is a side kaudit does not know: any address), the ports its
// source may use and its destination port.
type conn struct {
	proto    string // tcp or udp
	src, dst netip.Addr
	sport    portSpan
	dport    int
}

// portSpan is an inclusive range of ports.
type portSpan struct{ lo, hi int }

// ephemeralPorts is where a phone's TCP source port lies: unknown, so a
// source-port condition matches only when it admits all of them.
var ephemeralPorts = portSpan{1024, 65535}

// asaPolicy answers, for one ASA, which class of which applied service
// policy handles a connection: the class maps, access lists, objects and
// groups it refers to, indexed once.
type asaPolicy struct {
	addrs       *asaAddrs
	acls        map[string]*facts.AccessList
	svcObjs     map[string]*facts.ServiceObject
	svcGroups   map[string]*facts.ServiceGroup
	protoGroups map[string]*facts.ProtocolGroup
	classMaps   map[string]*facts.ClassMap
	policyMaps  map[string]*facts.PolicyMap
	timeouts    map[string]*facts.ClassTimeout // by policyClassKey
	inspects    map[string][]*facts.Inspect    // by policyClassKey
	global      *facts.ServicePolicy
	perIf       map[string]*facts.ServicePolicy // by nameif
	ranges      map[string][]addrRange          // resolved objects and groups
}

func policyClassKey(policy, class string) string { return policy + "\x00" + class }

func newASAPolicy(a *facts.ASA) *asaPolicy {
	pp := &asaPolicy{
		addrs:       newASAAddrs(a),
		acls:        byName(a.AccessLists, func(x *facts.AccessList) string { return x.Name }),
		svcObjs:     byName(a.ServiceObjects, func(x *facts.ServiceObject) string { return x.Name }),
		svcGroups:   byName(a.ServiceGroups, func(x *facts.ServiceGroup) string { return x.Name }),
		protoGroups: byName(a.ProtocolGroups, func(x *facts.ProtocolGroup) string { return x.Name }),
		classMaps:   byName(a.ClassMaps, func(x *facts.ClassMap) string { return x.Name }),
		policyMaps:  byName(a.PolicyMaps, func(x *facts.PolicyMap) string { return x.Name }),
		timeouts:    map[string]*facts.ClassTimeout{},
		inspects:    map[string][]*facts.Inspect{},
		perIf:       map[string]*facts.ServicePolicy{},
		ranges:      map[string][]addrRange{},
	}
	for i := range a.ClassTimeouts {
		ct := &a.ClassTimeouts[i]
		pp.timeouts[policyClassKey(ct.PolicyMap, ct.Class)] = ct // the last line wins, as on the ASA
	}
	for i := range a.Inspects {
		in := &a.Inspects[i]
		k := policyClassKey(in.PolicyMap, in.Class)
		pp.inspects[k] = append(pp.inspects[k], in)
	}
	for i := range a.ServicePolicy {
		sp := &a.ServicePolicy[i]
		if sp.Interface == "" {
			pp.global = sp
		} else {
			pp.perIf[sp.Interface] = sp
		}
	}
	return pp
}

// byName indexes list by name; a later element of the same name wins.
func byName[T any](list []T, name func(*T) string) map[string]*T {
	m := make(map[string]*T, len(list))
	for i := range list {
		m[name(&list[i])] = &list[i]
	}
	return m
}

// order lists the applied policies a connection meets, in the order they
// claim it for a feature: the policy of the interface it enters by, the
// global policy (applied on ingress of every interface), then the policy
// of the interface it leaves by (interface policies act in both
// directions). "" is an interface kaudit does not know.
func (pp *asaPolicy) order(ingress, egress string) []*facts.ServicePolicy {
	var out []*facts.ServicePolicy
	add := func(sp *facts.ServicePolicy) {
		if sp == nil || pp.policyMaps[sp.PolicyMap] == nil {
			return
		}
		for _, o := range out {
			if o == sp {
				return
			}
		}
		out = append(out, sp)
	}
	if ingress != "" {
		add(pp.perIf[ingress])
	}
	add(pp.global)
	if egress != "" {
		add(pp.perIf[egress])
	}
	return out
}

// classHit is a class of an applied policy that handles a connection,
// with why its class map matches it.
type classHit struct {
	binding *facts.ServicePolicy
	policy  *facts.PolicyMap
	class   *facts.PolicyClass
	cmap    *facts.ClassMap // nil for class-default
	why     []matchWhy
}

// matchWhy is one match line of a class and what in it matched.
type matchWhy struct {
	match *facts.ClassMatch
	acl   string
	ace   *facts.ACE // the access-list entry that matched
	note  string     // e.g. which default inspection the port belongs to
}

// connClaim returns the class that sets the connection settings of c: the
// first class with a "set connection" action that matches c, in the first
// policy of order that has one (a connection meets one class per feature).
func (pp *asaPolicy) connClaim(order []*facts.ServicePolicy, c conn) *classHit {
	for _, sp := range order {
		pm := pp.policyMaps[sp.PolicyMap]
		for i := range pm.Classes {
			pc := &pm.Classes[i]
			if !pc.Connection {
				continue
			}
			if cm, why, ok := pp.classMatches(pc.Class, c); ok {
				return &classHit{binding: sp, policy: pm, class: pc, cmap: cm, why: why}
			}
		}
	}
	return nil
}

// sipInspection returns the class whose "inspect sip" inspects c, or nil:
// the first class in order that matches c and has an inspection that
// applies to it decides (in a class matching default-inspection-traffic
// each engine inspects only its own default ports).
func (pp *asaPolicy) sipInspection(order []*facts.ServicePolicy, c conn) (*classHit, *facts.Inspect) {
	for _, sp := range order {
		pm := pp.policyMaps[sp.PolicyMap]
		for i := range pm.Classes {
			pc := &pm.Classes[i]
			ins := pp.inspects[policyClassKey(pm.Name, pc.Class)]
			if len(ins) == 0 {
				continue
			}
			cm, why, ok := pp.classMatches(pc.Class, c)
			if !ok {
				continue
			}
			byPort := false
			for _, w := range why {
				byPort = byPort || w.match.Kind == "default-inspection-traffic"
			}
			engine := defaultInspectionEngine(c.proto, c.dport)
			var applies []*facts.Inspect
			for _, in := range ins {
				if !byPort || inspectEngine(in.Protocol) == engine {
					applies = append(applies, in)
				}
			}
			if len(applies) == 0 {
				continue
			}
			for _, in := range applies {
				if in.Protocol == "sip" {
					return &classHit{binding: sp, policy: pm, class: pc, cmap: cm, why: why}, in
				}
			}
			return nil, nil // another inspection has the connection
		}
	}
	return nil, nil
}

// inspectEngine maps an inspect keyword to the engine name of
// defaultInspectionPorts.
func inspectEngine(proto string) string {
	switch proto {
	case "smtp":
		return "esmtp"
	case "rpc":
		return "sunrpc"
	case "radius-accounting", "radius-accouting":
		return "radius-accounting"
	}
	return proto
}

// classMatches reports whether class name matches c: every match line of
// its class map must (class-default matches everything).
func (pp *asaPolicy) classMatches(name string, c conn) (*facts.ClassMap, []matchWhy, bool) {
	if name == "class-default" {
		return nil, nil, true
	}
	cm := pp.classMaps[name]
	if cm == nil || len(cm.Matches) == 0 {
		return nil, nil, false
	}
	why := make([]matchWhy, 0, len(cm.Matches))
	for i := range cm.Matches {
		m := &cm.Matches[i]
		w := matchWhy{match: m}
		if m.Unparsed != "" {
			return nil, nil, false
		}
		switch m.Kind {
		case "any":
		case "access-list":
			ace, permit := pp.aclMatch(m.ACL, c)
			if !permit {
				return nil, nil, false
			}
			w.acl, w.ace = m.ACL, ace
		case "port":
			if !protoCovers(m.Port.Protocol, c.proto) || !m.Port.Dst.Contains(c.dport) {
				return nil, nil, false
			}
		case "default-inspection-traffic":
			engine := defaultInspectionEngine(c.proto, c.dport)
			if engine == "" {
				return nil, nil, false
			}
			w.note = fmt.Sprintf("%s %d is a default port of %s inspection", strings.ToUpper(c.proto), c.dport, engine)
		default:
			// dscp, precedence, tunnel-group, flow, rtp: not evaluated.
			return nil, nil, false
		}
		why = append(why, w)
	}
	return cm, why, true
}

// aclMatch returns the first entry of list name that matches c and
// whether it permits (a deny in a class's list exempts the traffic).
// Remarks, inactive and unreadable entries are passed over.
func (pp *asaPolicy) aclMatch(name string, c conn) (*facts.ACE, bool) {
	l := pp.acls[name]
	if l == nil {
		return nil, false
	}
	for i := range l.Entries {
		e := &l.Entries[i]
		if e.Kind != "extended" || e.Unparsed != "" || e.Inactive {
			continue
		}
		if pp.aceMatches(e, c) {
			return e, e.Permit
		}
	}
	return nil, false
}

func (pp *asaPolicy) aceMatches(e *facts.ACE, c conn) bool {
	return pp.protoMatches(e.Protocol, c) &&
		pp.addrMatches(e.Src, c.src) && pp.portMatches(e.SrcPort, c.proto, c.sport) &&
		pp.addrMatches(e.Dst, c.dst) && pp.portMatches(e.DstPort, c.proto, portSpan{c.dport, c.dport})
}

// protoCovers reports whether protocol name admits proto.
func protoCovers(name, proto string) bool {
	return name == "ip" || name == proto || name == "tcp-udp" && (proto == "tcp" || proto == "udp")
}

// maxDepth bounds nested groups (a broken config may nest them in a cycle).
const maxDepth = 16

func (pp *asaPolicy) protoMatches(p facts.ACLProto, c conn) bool {
	switch {
	case p.Name != "":
		return protoCovers(p.Name, c.proto)
	case p.Object != "":
		o := pp.svcObjs[p.Object]
		return o != nil && pp.serviceMatches(o.Service, "", c, 0)
	case p.Group != "":
		if g := pp.protoGroups[p.Group]; g != nil {
			return pp.protoGroupHas(g, c.proto, 0)
		}
		if g := pp.svcGroups[p.Group]; g != nil {
			return pp.serviceGroupMatches(g, c, 0)
		}
	}
	return false
}

func (pp *asaPolicy) protoGroupHas(g *facts.ProtocolGroup, proto string, depth int) bool {
	if depth > maxDepth {
		return false
	}
	for _, p := range g.Protocols {
		if protoCovers(p, proto) {
			return true
		}
	}
	for _, n := range g.Groups {
		if sub := pp.protoGroups[n]; sub != nil && pp.protoGroupHas(sub, proto, depth+1) {
			return true
		}
	}
	return false
}

// serviceGroupMatches reports whether a member of service group g matches c.
func (pp *asaPolicy) serviceGroupMatches(g *facts.ServiceGroup, c conn, depth int) bool {
	_, ok := pp.serviceGroupMember(g, c, depth)
	return ok
}

// serviceGroupMember returns the member of g that matches c.
func (pp *asaPolicy) serviceGroupMember(g *facts.ServiceGroup, c conn, depth int) (*facts.Service, bool) {
	if depth > maxDepth {
		return nil, false
	}
	for i := range g.Members {
		if pp.serviceMatches(g.Members[i], g.Protocol, c, depth) {
			return &g.Members[i], true
		}
	}
	return nil, false
}

// serviceMatches reports whether service s (a member of a group of
// protocol groupProto, or "") matches c's protocol and ports.
func (pp *asaPolicy) serviceMatches(s facts.Service, groupProto string, c conn, depth int) bool {
	switch {
	case depth > maxDepth || s.Unparsed != "":
		return false
	case s.Object != "":
		o := pp.svcObjs[s.Object]
		return o != nil && pp.serviceMatches(o.Service, "", c, depth+1)
	case s.Group != "":
		g := pp.svcGroups[s.Group]
		return g != nil && pp.serviceGroupMatches(g, c, depth+1)
	}
	proto := s.Protocol
	if proto == "" {
		proto = groupProto
	}
	return protoCovers(proto, c.proto) &&
		spanIn(s.Src, c.sport) && spanIn(s.Dst, portSpan{c.dport, c.dport})
}

// spanIn reports whether every port of s satisfies operator m.
func spanIn(m facts.PortMatch, s portSpan) bool {
	switch m.Op {
	case "":
		return m.Group == ""
	case "neq":
		return s.hi < m.Lo || s.lo > m.Lo
	}
	return m.Lo <= s.lo && s.hi <= m.Hi
}

// portMatches checks a port operand of an entry: an operator or a group.
func (pp *asaPolicy) portMatches(m facts.PortMatch, proto string, s portSpan) bool {
	if m.Group == "" {
		return spanIn(m, s)
	}
	g := pp.svcGroups[m.Group]
	if g == nil {
		return false
	}
	_, ok := pp.portGroupMember(g, proto, s, 0)
	return ok
}

// portGroupMember returns the port-object of port group g that admits
// every port of s.
func (pp *asaPolicy) portGroupMember(g *facts.ServiceGroup, proto string, s portSpan, depth int) (*facts.Service, bool) {
	if depth > maxDepth {
		return nil, false
	}
	for i := range g.Members {
		m := &g.Members[i]
		switch {
		case m.Unparsed != "":
		case m.Group != "":
			if sub := pp.svcGroups[m.Group]; sub != nil {
				if hit, ok := pp.portGroupMember(sub, proto, s, depth+1); ok {
					return hit, true
				}
			}
		case m.Object == "":
			p := m.Protocol
			if p == "" {
				p = g.Protocol
			}
			if protoCovers(p, proto) && spanIn(m.Dst, s) {
				return m, true
			}
		}
	}
	return nil, false
}

// rangesOf resolves a network object or group, once.
func (pp *asaPolicy) rangesOf(name string) []addrRange {
	if r, ok := pp.ranges[name]; ok {
		return r
	}
	r := pp.addrs.resolve(name)
	pp.ranges[name] = r
	return r
}

// addrMatches reports whether entry address a holds ip; an unknown ip
// (a side not in the inventory) is held by any address but the ASA's own.
func (pp *asaPolicy) addrMatches(a facts.ACLAddr, ip netip.Addr) bool {
	switch a.Kind {
	case "any":
		return true
	case "any4":
		return !ip.IsValid() || ip.Unmap().Is4()
	case "any6":
		return !ip.IsValid() || ip.Is6() && !ip.Is4In6()
	case "prefix":
		return !ip.IsValid() || a.Prefix.Contains(ip.Unmap())
	case "object", "group":
		rs := pp.rangesOf(a.Name)
		if !ip.IsValid() {
			return len(rs) > 0
		}
		for _, r := range rs {
			if r.contains(ip.Unmap()) {
				return true
			}
		}
	}
	return false // interface: the ASA's own address
}
