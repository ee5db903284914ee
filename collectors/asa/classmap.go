package asa

import (
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// openClassMap starts or reopens a layer 3/4 "class-map NAME".
func (p *rcParser) openClassMap(name string, src facts.Source) {
	openNamed(p, blkClassMap, &p.cur, p.classMapIndex, &p.classMaps, name, func() facts.ClassMap {
		return facts.ClassMap{Name: name, Source: src}
	})
}

// parseClassMapSub reads a match line of a class map:
//
//	match access-list NAME
//	match port tcp|udp|sctp eq P | range A B
//	match default-inspection-traffic
//	match any
//	match dscp|precedence|rtp|tunnel-group|flow ...   (kept by kind, not evaluated)
func (p *rcParser) parseClassMapSub(ln facts.Line, f []string) (func(), error) {
	if !strings.EqualFold(f[0], "match") {
		return noop, nil
	}
	cur := p.cur
	m := facts.ClassMatch{Kind: strings.ToLower(safe(f, 1)), Source: facts.At(p.d, p.key, ln)}
	add := func(m facts.ClassMatch) func() {
		return func() { c := &p.classMaps[cur]; c.Matches = append(c.Matches, m) }
	}
	var bad string
	switch m.Kind {
	case "":
		bad = "match: missing criterion"
	case "access-list":
		if len(f) != 3 {
			bad = "match access-list: want one access-list name"
		} else {
			m.ACL = f[2]
		}
	case "port":
		bad = matchPort(&m, f)
	case "default-inspection-traffic", "any":
		if len(f) != 2 {
			bad = "match " + m.Kind + ": unexpected words after it"
		}
	}
	if bad != "" {
		m = facts.ClassMatch{Kind: m.Kind, Unparsed: bad, Source: m.Source}
		return nil, p.soft(ln, add(m), "class-map %s: %s", p.classMaps[cur].Name, bad)
	}
	return add(m), nil
}

// matchPort reads "match port PROTOCOL eq P|range A B" into m.Port.
func matchPort(m *facts.ClassMatch, f []string) string {
	proto := strings.ToLower(safe(f, 2))
	if proto != "tcp" && proto != "udp" && proto != "sctp" {
		return "match port: want tcp, udp or sctp, got " + safe(f, 2)
	}
	op := strings.ToLower(safe(f, 3))
	if op != "eq" && op != "range" {
		return "match port: want eq or range, got " + safe(f, 3)
	}
	dst, next, bad := portOp(f, 3)
	if bad != "" {
		return "match port: " + bad
	}
	if next != len(f) {
		return "match port: unexpected " + f[next]
	}
	m.Port = facts.Service{Protocol: proto, Dst: dst, Source: m.Source}
	return ""
}

// openPolicyMap starts or reopens a layer 3/4 "policy-map NAME".
func (p *rcParser) openPolicyMap(name string, src facts.Source) {
	p.policyMap, p.class = name, ""
	openNamed(p, blkPolicy, &p.curPolicy, p.policyMapIndex, &p.policyMaps, name, func() facts.PolicyMap {
		return facts.PolicyMap{Name: name, Source: src}
	})
}

// openPolicyClass adds "class NAME" to the open policy map.
func (p *rcParser) openPolicyClass(name string, src facts.Source) {
	p.class, p.blk = name, blkClass
	pm := &p.policyMaps[p.curPolicy]
	p.curClass = len(pm.Classes)
	pm.Classes = append(pm.Classes, facts.PolicyClass{Class: name, Source: src})
}

// claimConnections marks the open class as one with a "set connection"
// action.
func (p *rcParser) claimConnections() {
	p.policyMaps[p.curPolicy].Classes[p.curClass].Connection = true
}
