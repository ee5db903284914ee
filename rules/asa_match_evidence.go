package rules

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// hitEvidence says why class hit h handles connection c (named flow) on
// device dev: the policy binding, the class, each match line and, for an
// access list, the entry that matched and the object, group member or
// port that made it match.
func (pp *asaPolicy) hitEvidence(dev string, h *classHit, c conn, flow string) []Evidence {
	var out []Evidence
	where := "globally"
	if h.binding.Interface != "" {
		where = "on interface " + h.binding.Interface
	}
	out = append(out, fact(dev, "service-policy", "policy-map "+h.policy.Name+" applied "+where, h.binding.Source))
	out = append(out, fact(dev, "policy-map "+h.policy.Name, "class "+h.class.Class, h.class.Source))
	if h.cmap == nil {
		out = append(out, Evidence{Device: dev, What: "class " + h.class.Class, Value: "class-default matches all traffic"})
		return out
	}
	for _, w := range h.why {
		v := strings.TrimSpace(w.match.Source.Text)
		if w.note != "" {
			v += " (" + w.note + ")"
		}
		out = append(out, fact(dev, "class-map "+h.cmap.Name, v, w.match.Source))
		if w.ace != nil {
			out = append(out, fact(dev, fmt.Sprintf("access-list %s line %d", w.acl, w.ace.Line),
				fmt.Sprintf("%s: matches %s %s", verb(w.ace.Permit), flow, ends(c)), w.ace.Source))
			out = append(out, pp.aceDetails(dev, w.ace, c)...)
		}
	}
	return out
}

func verb(permit bool) string {
	if permit {
		return "permit"
	}
	return "deny"
}

// ends renders the two ends of c.
func ends(c conn) string {
	end := func(a netip.Addr, port string) string {
		if !a.IsValid() {
			return "any address" + port
		}
		return a.String() + port
	}
	return "from " + end(c.src, "") + " to " + end(c.dst, fmt.Sprintf(" port %d", c.dport))
}

// aceDetails names what in entry e matched c when e refers to objects or
// groups: the service, the group member, the port-object.
func (pp *asaPolicy) aceDetails(dev string, e *facts.ACE, c conn) []Evidence {
	var out []Evidence
	switch {
	case e.Protocol.Object != "":
		if o := pp.svcObjs[e.Protocol.Object]; o != nil {
			out = append(out, fact(dev, "  service", "object "+o.Name+": "+strings.TrimSpace(o.Service.Source.Text), o.Service.Source))
		}
	case e.Protocol.Group != "":
		if g := pp.svcGroups[e.Protocol.Group]; g != nil {
			if m, ok := pp.serviceGroupMember(g, c, 0); ok {
				out = append(out, fact(dev, "  service", "object-group "+g.Name+": "+strings.TrimSpace(m.Source.Text), m.Source))
			}
		} else if g := pp.protoGroups[e.Protocol.Group]; g != nil {
			out = append(out, fact(dev, "  protocol", "object-group "+g.Name+" includes "+c.proto, g.Source))
		}
	}
	out = append(out, pp.addrDetail(dev, "  source", e.Src, c.src)...)
	out = append(out, pp.portDetail(dev, "  source port", e.SrcPort, c.proto, c.sport)...)
	out = append(out, pp.addrDetail(dev, "  destination", e.Dst, c.dst)...)
	out = append(out, pp.portDetail(dev, "  destination port", e.DstPort, c.proto, portSpan{c.dport, c.dport})...)
	return out
}

func (pp *asaPolicy) addrDetail(dev, what string, a facts.ACLAddr, ip netip.Addr) []Evidence {
	if a.Kind != "object" && a.Kind != "group" {
		return nil // a literal address: the entry's own line says it
	}
	if !ip.IsValid() {
		kw := "object"
		if a.Kind == "group" {
			kw = "object-group"
		}
		return []Evidence{{Device: dev, What: what, Value: kw + " " + a.Name + " (any address of it: that side is not in the inventory)"}}
	}
	path, src, ok := pp.whereAddr(a.Name, ip.Unmap(), 0)
	if !ok {
		return nil
	}
	return []Evidence{fact(dev, what, path, src)}
}

// whereAddr names the member of object or group name that holds ip, with
// the line that defines it.
func (pp *asaPolicy) whereAddr(name string, ip netip.Addr, depth int) (string, facts.Source, bool) {
	if depth > maxDepth {
		return "", facts.Source{}, false
	}
	if o := pp.addrs.objects[name]; o != nil {
		for _, r := range pp.rangesOf(name) {
			if r.contains(ip) {
				return "object " + name + " (" + objectValue(o) + ")", o.Source, true
			}
		}
		return "", facts.Source{}, false
	}
	g := pp.addrs.groups[name]
	if g == nil {
		return "", facts.Source{}, false
	}
	for _, h := range g.Hosts {
		if h == ip {
			return "object-group " + name + ": network-object host " + h.String(), g.Source, true
		}
	}
	for _, s := range g.Subnets {
		if s.Contains(ip) {
			return "object-group " + name + ": network-object " + s.String(), g.Source, true
		}
	}
	for _, o := range g.Objects {
		if path, src, ok := pp.whereAddr(o, ip, depth+1); ok {
			return "object-group " + name + " → " + path, src, true
		}
	}
	return "", facts.Source{}, false
}

func objectValue(o *facts.NetworkObject) string {
	switch {
	case o.Host.IsValid():
		return "host " + o.Host.String()
	case o.Subnet.IsValid():
		return "subnet " + o.Subnet.String()
	case o.RangeFirst.IsValid():
		return "range " + o.RangeFirst.String() + "-" + o.RangeLast.String()
	}
	return "fqdn " + o.FQDN
}

func (pp *asaPolicy) portDetail(dev, what string, m facts.PortMatch, proto string, s portSpan) []Evidence {
	if m.Group == "" {
		return nil
	}
	g := pp.svcGroups[m.Group]
	if g == nil {
		return nil
	}
	hit, ok := pp.portGroupMember(g, proto, s, 0)
	if !ok {
		return nil
	}
	v := "object-group " + g.Name + ": " + strings.TrimSpace(hit.Source.Text)
	if hit.Dst.Op == "eq" && !strings.Contains(hit.Source.Text, fmt.Sprint(hit.Dst.Lo)) {
		v += fmt.Sprintf(" (%d)", hit.Dst.Lo) // a named port
	}
	return []Evidence{fact(dev, what, v, hit.Source)}
}
