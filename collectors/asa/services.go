package asa

import (
	"fmt"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// Service objects and groups and protocol groups:
//
//	object service NAME
//	 service tcp|udp|tcp-udp|sctp [source OP] [destination OP]
//	 service icmp|icmp6 [TYPE [CODE]] | service PROTOCOL
//	object-group service NAME tcp|udp|tcp-udp
//	 port-object eq P | port-object range A B
//	 group-object NAME
//	object-group service NAME
//	 service-object PROTOCOL [source OP] [[destination] OP]
//	 service-object object NAME
//	 group-object NAME
//	object-group protocol NAME
//	 protocol-object PROTOCOL
//	 group-object NAME

// isPortOp reports whether w starts a port operator.
func isPortOp(w string) bool {
	switch strings.ToLower(w) {
	case "eq", "neq", "lt", "gt", "range":
		return true
	}
	return false
}

// portOp reads a port operator at f[i] and returns it with the index
// after it, or a reason it cannot.
func portOp(f []string, i int) (facts.PortMatch, int, string) {
	op := strings.ToLower(safe(f, i))
	if !isPortOp(op) {
		return facts.PortMatch{}, i, fmt.Sprintf("want eq, neq, lt, gt or range, got %q", safe(f, i))
	}
	if i+1 >= len(f) {
		return facts.PortMatch{}, i, op + " has no port"
	}
	a, ok := portValue(f[i+1])
	if !ok {
		return facts.PortMatch{}, i, fmt.Sprintf("%s: %q is not a port", op, f[i+1])
	}
	switch op {
	case "eq", "neq":
		return facts.PortMatch{Op: op, Lo: a, Hi: a}, i + 2, ""
	case "lt":
		if a == 0 {
			return facts.PortMatch{}, i, "lt 0 admits no port"
		}
		return facts.PortMatch{Op: op, Lo: 0, Hi: a - 1}, i + 2, ""
	case "gt":
		if a == 65535 {
			return facts.PortMatch{}, i, "gt 65535 admits no port"
		}
		return facts.PortMatch{Op: op, Lo: a + 1, Hi: 65535}, i + 2, ""
	}
	if i+2 >= len(f) {
		return facts.PortMatch{}, i, "range has one port, wants two"
	}
	b, ok := portValue(f[i+2])
	if !ok {
		return facts.PortMatch{}, i, fmt.Sprintf("range: %q is not a port", f[i+2])
	}
	if b < a {
		return facts.PortMatch{}, i, fmt.Sprintf("range %d %d is empty", a, b)
	}
	return facts.PortMatch{Op: op, Lo: a, Hi: b}, i + 3, ""
}

// hasPorts reports whether a protocol carries ports.
func hasPorts(proto string) bool {
	switch proto {
	case "tcp", "udp", "tcp-udp", "sctp":
		return true
	}
	return false
}

// serviceSpec reads "PROTOCOL [source OP] [[destination] OP]" (or an ICMP
// type and code after icmp) from f[i:], the words after "service" or
// "service-object". The destination keyword may be left out, also after a
// source operator.
func serviceSpec(f []string, i int) (facts.Service, string) {
	var s facts.Service
	if i >= len(f) {
		return s, "no protocol"
	}
	proto := strings.ToLower(f[i])
	if proto != "tcp-udp" {
		p, ok := protocolValue(f[i])
		if !ok {
			return s, fmt.Sprintf("%q is not a protocol", f[i])
		}
		proto = p
	}
	s.Protocol = proto
	i++
	if !hasPorts(proto) {
		if proto == "icmp" || proto == "icmp6" {
			return s, "" // the type and code say nothing about ports
		}
		if i < len(f) {
			return s, fmt.Sprintf("unexpected %q after protocol %s", f[i], proto)
		}
		return s, ""
	}
	for i < len(f) {
		var which *facts.PortMatch
		switch strings.ToLower(f[i]) {
		case "source":
			which = &s.Src
			i++
		case "destination":
			which = &s.Dst
			i++
		default:
			which = &s.Dst
		}
		if !which.IsZero() {
			return s, fmt.Sprintf("%q repeats a port operator", f[i-1])
		}
		m, next, bad := portOp(f, i)
		if bad != "" {
			return s, bad
		}
		*which, i = m, next
	}
	return s, ""
}

func (p *rcParser) openServiceObject(name string, src facts.Source) {
	openNamed(p, blkServiceObject, &p.cur, p.svcObjIndex, &p.svcObjects, name, func() facts.ServiceObject {
		return facts.ServiceObject{Name: name, Source: src}
	})
}

// openServiceGroup starts or reopens a service group; proto is the port
// group's protocol ("" for a group of service-objects).
func (p *rcParser) openServiceGroup(ln facts.Line, f []string) (func(), error) {
	name, proto := f[2], ""
	if len(f) > 4 {
		return nil, p.errf(ln, "object-group service: want a name and at most a protocol")
	}
	if len(f) == 4 {
		proto = strings.ToLower(f[3])
		if proto != "tcp" && proto != "udp" && proto != "tcp-udp" {
			return nil, p.errf(ln, "object-group service: protocol %q is not tcp, udp or tcp-udp", f[3])
		}
	}
	src := facts.At(p.d, p.key, ln)
	return func() {
		openNamed(p, blkServiceGroup, &p.cur, p.svcGroupIndex, &p.svcGroups, name, func() facts.ServiceGroup {
			return facts.ServiceGroup{Name: name, Protocol: proto, Source: src}
		})
	}, nil
}

func (p *rcParser) openProtocolGroup(name string, src facts.Source) {
	openNamed(p, blkProtocolGroup, &p.cur, p.protoGroupIndex, &p.protoGroups, name, func() facts.ProtocolGroup {
		return facts.ProtocolGroup{Name: name, Source: src}
	})
}

// parseServiceObjectSub reads "service ..." in an object service block.
func (p *rcParser) parseServiceObjectSub(ln facts.Line, f []string) (func(), error) {
	if !strings.EqualFold(f[0], "service") {
		return noop, nil
	}
	cur := p.cur
	s, bad := serviceSpec(f, 1)
	s.Source = facts.At(p.d, p.key, ln)
	if bad != "" {
		s = facts.Service{Unparsed: bad, Source: s.Source}
		return nil, p.soft(ln, func() { p.svcObjects[cur].Service = s }, "service: %s", bad)
	}
	return func() { p.svcObjects[cur].Service = s }, nil
}

// parseServiceGroupSub reads a member of a service group.
func (p *rcParser) parseServiceGroupSub(ln facts.Line, f []string) (func(), error) {
	cur := p.cur
	src := facts.At(p.d, p.key, ln)
	add := func(s facts.Service) func() {
		return func() { g := &p.svcGroups[cur]; g.Members = append(g.Members, s) }
	}
	var s facts.Service
	var bad string
	switch kw := strings.ToLower(f[0]); kw {
	case "group-object":
		if len(f) != 2 {
			bad = "group-object: want one name"
		} else {
			s.Group = f[1]
		}
	case "port-object":
		var next int
		s.Dst, next, bad = portOp(f, 1)
		if bad == "" && next != len(f) {
			bad = fmt.Sprintf("unexpected %q", f[next])
		}
		if bad == "" && p.svcGroups[cur].Protocol == "" {
			bad = "port-object in a group without a protocol"
		}
		if bad != "" {
			bad = "port-object: " + bad
		}
	case "service-object":
		if len(f) == 3 && strings.EqualFold(f[1], "object") {
			s.Object = f[2]
			break
		}
		s, bad = serviceSpec(f, 1)
		if bad != "" {
			bad = "service-object: " + bad
		}
	default:
		return noop, nil
	}
	s.Source = src
	if bad != "" {
		s = facts.Service{Unparsed: bad, Source: src}
		return nil, p.soft(ln, add(s), "%s", bad)
	}
	return add(s), nil
}

// parseProtocolGroupSub reads a member of a protocol group.
func (p *rcParser) parseProtocolGroupSub(ln facts.Line, f []string) (func(), error) {
	cur := p.cur
	switch strings.ToLower(f[0]) {
	case "group-object":
		if len(f) != 2 {
			return nil, p.soft(ln, noop, "group-object: want one name")
		}
		return func() { g := &p.protoGroups[cur]; g.Groups = append(g.Groups, f[1]) }, nil
	case "protocol-object":
		proto, ok := protocolValue(safe(f, 1))
		if len(f) != 2 || !ok {
			return nil, p.soft(ln, noop, "protocol-object: want one protocol name or number")
		}
		return func() { g := &p.protoGroups[cur]; g.Protocols = append(g.Protocols, proto) }, nil
	}
	return noop, nil
}
