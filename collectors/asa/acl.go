package asa

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// parseACL reads one access-list line:
//
//	access-list NAME [line N] extended|advanced permit|deny PROTOCOL SRC [PORT] DST [PORT|ICMP-TYPE] [options]
//	access-list NAME [line N] remark TEXT
//	access-list NAME [line N] standard permit|deny ADDR
//	access-list NAME [line N] webtype|ethertype ...
//	access-list NAME permit|deny ...          (the PIX form, without extended)
//
// PROTOCOL is a name or number, object SERVICE or object-group GROUP; SRC
// and DST are any, any4, any6, host A, A MASK, an IPv6 prefix, object N,
// object-group N or interface N; PORT is eq, neq, lt, gt, range or
// object-group N of a service group. Options are log, time-range,
// inactive, rule-id and event-log.
//
// An entry kaudit cannot read (identity or security-group criteria, a
// form of a later release) is kept, marked Unparsed, with a warning: it
// must not cost the rest of the configuration.
func (p *rcParser) parseACL(ln facts.Line, f []string) (func(), error) {
	e := facts.ACE{Source: facts.At(p.d, p.key, ln)}
	closeBlock := func() { p.recognised, p.blk = true, blkNone }
	if len(f) < 3 {
		return nil, p.soft(ln, closeBlock, "access-list: want a name and an entry")
	}
	name := f[1]
	i := 2
	if strings.EqualFold(f[i], "line") {
		if _, ok := number(safe(f, i+1), 6); !ok {
			return nil, p.soft(ln, closeBlock, "access-list %s: line wants a number", name)
		}
		i += 2
	}
	var bad string
	switch kind := strings.ToLower(safe(f, i)); kind {
	case "remark":
		e.Kind = kind
	case "webtype", "ethertype":
		e.Kind = kind // never matches a connection through the ASA
	case "standard":
		e.Kind = kind
		bad = p.standardACE(&e, f, i+1)
	case "extended", "advanced":
		e.Kind = "extended"
		bad = p.extendedACE(&e, f, i+1)
	case "permit", "deny":
		e.Kind = "extended"
		bad = p.extendedACE(&e, f, i)
	default:
		bad = fmt.Sprintf("unknown access-list type %q", safe(f, i))
		e.Kind = "extended"
	}
	if bad != "" {
		e = facts.ACE{Kind: e.Kind, Unparsed: bad, Source: e.Source}
		return nil, p.soft(ln, p.addACE(name, e), "access-list %s: %s", name, bad)
	}
	return p.addACE(name, e), nil
}

// addACE appends e to list name, numbering it, when applied.
func (p *rcParser) addACE(name string, e facts.ACE) func() {
	return func() {
		p.recognised, p.blk = true, blkNone
		i, ok := p.aclIndex[name]
		if !ok {
			i = len(p.acls)
			p.aclIndex[name] = i
			p.acls = append(p.acls, facts.AccessList{Name: name})
		}
		l := &p.acls[i]
		e.Line = len(l.Entries) + 1
		l.Entries = append(l.Entries, e)
	}
}

func action(e *facts.ACE, w string) string {
	switch strings.ToLower(w) {
	case "permit":
		e.Permit = true
	case "deny":
	default:
		return fmt.Sprintf("want permit or deny, got %q", w)
	}
	return ""
}

func (p *rcParser) standardACE(e *facts.ACE, f []string, i int) string {
	if bad := action(e, safe(f, i)); bad != "" {
		return bad
	}
	a, next, bad := p.aclAddr(f, i+1)
	if bad != "" {
		return bad
	}
	if next != len(f) {
		return fmt.Sprintf("unexpected %q", f[next])
	}
	e.Dst = a
	return ""
}

func (p *rcParser) extendedACE(e *facts.ACE, f []string, i int) string {
	if bad := action(e, safe(f, i)); bad != "" {
		return bad
	}
	i++
	switch w := strings.ToLower(safe(f, i)); w {
	case "object", "object-group":
		if i+1 >= len(f) {
			return w + " has no name"
		}
		if w == "object" {
			e.Protocol.Object = f[i+1]
		} else {
			e.Protocol.Group = f[i+1]
		}
		i += 2
	default:
		proto, ok := protocolValue(safe(f, i))
		if !ok {
			return fmt.Sprintf("%q is not a protocol", safe(f, i))
		}
		e.Protocol.Name = proto
		i++
	}
	var bad string
	if e.Src, i, bad = p.aclAddr(f, i); bad != "" {
		return "source: " + bad
	}
	if e.SrcPort, i, bad = p.aclPort(f, i); bad != "" {
		return "source port: " + bad
	}
	if e.Dst, i, bad = p.aclAddr(f, i); bad != "" {
		return "destination: " + bad
	}
	if e.DstPort, i, bad = p.aclPort(f, i); bad != "" {
		return "destination port: " + bad
	}
	if proto := e.Protocol.Name; (proto == "icmp" || proto == "icmp6") && e.DstPort.IsZero() && i < len(f) && !aclOption(f[i]) {
		// An ICMP type (name, number or icmp-type group) after the
		// destination: it says nothing about ports.
		if strings.EqualFold(f[i], "object-group") {
			i++
		}
		i++
	}
	return aclOptions(e, f, i)
}

// aclOption reports whether w starts an entry option.
func aclOption(w string) bool {
	switch strings.ToLower(w) {
	case "log", "time-range", "inactive", "rule-id", "event-log":
		return true
	}
	return false
}

var logLevels = map[string]bool{
	"emergencies": true, "alerts": true, "critical": true, "errors": true, "warnings": true,
	"notifications": true, "informational": true, "debugging": true, "disable": true, "default": true,
}

// aclOptions reads the options that end an entry.
func aclOptions(e *facts.ACE, f []string, i int) string {
	for i < len(f) {
		switch w := strings.ToLower(f[i]); w {
		case "log":
			i++
			if i < len(f) {
				if n, ok := number(f[i], 1); (ok && n <= 7) || logLevels[strings.ToLower(f[i])] {
					i++
				}
			}
			if i+1 < len(f) && strings.EqualFold(f[i], "interval") {
				if _, ok := number(f[i+1], 3); !ok {
					return fmt.Sprintf("log interval %q is not a number of seconds", f[i+1])
				}
				i += 2
			}
		case "time-range", "rule-id", "event-log":
			if i+1 >= len(f) {
				return w + " has no value"
			}
			if w == "time-range" {
				e.TimeRange = f[i+1]
			}
			i += 2
		case "inactive":
			e.Inactive = true
			i++
		default:
			return fmt.Sprintf("unexpected %q", f[i])
		}
	}
	return ""
}

// aclAddr reads a source or destination at f[i].
func (p *rcParser) aclAddr(f []string, i int) (facts.ACLAddr, int, string) {
	w := strings.ToLower(safe(f, i))
	switch w {
	case "":
		return facts.ACLAddr{}, i, "missing"
	case "any", "any4", "any6":
		return facts.ACLAddr{Kind: w}, i + 1, ""
	case "host":
		a, ok := p.addr(safe(f, i+1))
		if !ok {
			return facts.ACLAddr{}, i, fmt.Sprintf("host %q is not an IP address", safe(f, i+1))
		}
		return facts.ACLAddr{Kind: "prefix", Prefix: netip.PrefixFrom(a, a.BitLen())}, i + 2, ""
	case "object", "interface":
		if i+1 >= len(f) {
			return facts.ACLAddr{}, i, w + " has no name"
		}
		return facts.ACLAddr{Kind: w, Name: f[i+1]}, i + 2, ""
	case "object-group":
		if i+1 >= len(f) {
			return facts.ACLAddr{}, i, w + " has no name"
		}
		if _, svc := p.svcGroupIndex[f[i+1]]; svc {
			return facts.ACLAddr{}, i, fmt.Sprintf("object-group %s is a service group where addresses belong", f[i+1])
		}
		return facts.ACLAddr{Kind: "group", Name: f[i+1]}, i + 2, ""
	case "user", "user-group", "object-group-user", "security-group", "object-group-security":
		return facts.ACLAddr{}, i, w + " criteria are not read by kaudit"
	}
	if pfx, err := netip.ParsePrefix(f[i]); err == nil && pfx.Addr().Is6() {
		return facts.ACLAddr{Kind: "prefix", Prefix: pfx.Masked()}, i + 1, ""
	}
	a, ok := p.addr(f[i])
	if !ok {
		return facts.ACLAddr{}, i, fmt.Sprintf("%q is not an address", f[i])
	}
	pfx, ok := prefixOf(a, safe(f, i+1))
	if !ok {
		return facts.ACLAddr{}, i, fmt.Sprintf("%s: %q is not a netmask", f[i], safe(f, i+1))
	}
	return facts.ACLAddr{Kind: "prefix", Prefix: pfx.Masked()}, i + 2, ""
}

// aclPort reads an optional port operand at f[i]: an operator, or
// object-group N when N is a service group (a network group there is the
// next address).
func (p *rcParser) aclPort(f []string, i int) (facts.PortMatch, int, string) {
	w := safe(f, i)
	if isPortOp(w) {
		return portOp(f, i)
	}
	if strings.EqualFold(w, "object-group") && i+1 < len(f) {
		if _, svc := p.svcGroupIndex[f[i+1]]; svc {
			return facts.PortMatch{Group: f[i+1]}, i + 2, ""
		}
	}
	return facts.PortMatch{}, i, ""
}
