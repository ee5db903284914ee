package rules

import (
	"net/netip"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// addrRange is an inclusive range of IPv4 or IPv6 addresses.
type addrRange struct{ first, last netip.Addr }

func (r addrRange) contains(a netip.Addr) bool {
	return r.first.BitLen() == a.BitLen() && !a.Less(r.first) && !r.last.Less(a)
}

// overlaps reports whether r and prefix p share an address.
func (r addrRange) overlaps(p netip.Prefix) bool {
	p = p.Masked()
	first := p.Addr()
	last := lastAddr(p)
	if first.BitLen() != r.first.BitLen() {
		return false
	}
	return !last.Less(r.first) && !r.last.Less(first)
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	bits := p.Bits()
	for i := range b {
		for j := 0; j < 8; j++ {
			if i*8+j >= bits {
				b[i] |= 0x80 >> j
			}
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

var anyV4 = addrRange{netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("255.255.255.255")}

// asaAddrs resolves object and object-group names of one ASA.
type asaAddrs struct {
	objects map[string]*facts.NetworkObject
	groups  map[string]*facts.ObjectGroup
}

func newASAAddrs(a *facts.ASA) *asaAddrs {
	x := &asaAddrs{objects: map[string]*facts.NetworkObject{}, groups: map[string]*facts.ObjectGroup{}}
	for i := range a.Objects {
		x.objects[a.Objects[i].Name] = &a.Objects[i]
	}
	for i := range a.ObjectGroups {
		x.groups[a.ObjectGroups[i].Name] = &a.ObjectGroups[i]
	}
	return x
}

// resolve turns a NAT operand (object, group, literal IP, "any") into
// address ranges. "interface" and unknown names resolve to nothing.
func (x *asaAddrs) resolve(name string) []addrRange {
	return x.resolveDepth(name, 0)
}

func (x *asaAddrs) resolveDepth(name string, depth int) []addrRange {
	if depth > 16 { // group cycles in a broken config
		return nil
	}
	switch strings.ToLower(name) {
	case "", "interface":
		return nil
	case "any", "any4":
		return []addrRange{anyV4}
	}
	if o, ok := x.objects[name]; ok {
		switch {
		case o.Host.IsValid():
			return []addrRange{{o.Host, o.Host}}
		case o.Subnet.IsValid():
			return []addrRange{{o.Subnet.Masked().Addr(), lastAddr(o.Subnet)}}
		case o.RangeFirst.IsValid() && o.RangeLast.IsValid():
			return []addrRange{{o.RangeFirst, o.RangeLast}}
		}
		return nil
	}
	if g, ok := x.groups[name]; ok {
		var out []addrRange
		for _, h := range g.Hosts {
			out = append(out, addrRange{h, h})
		}
		for _, s := range g.Subnets {
			out = append(out, addrRange{s.Masked().Addr(), lastAddr(s)})
		}
		for _, o := range g.Objects {
			out = append(out, x.resolveDepth(o, depth+1)...)
		}
		return out
	}
	if a, err := netip.ParseAddr(name); err == nil {
		return []addrRange{{a, a}}
	}
	return nil
}

// proxyTargets are the addresses an ASA answers ARP for on an interface
// because of one NAT rule.
type proxyTargets struct {
	nameif string // "any" for every interface
	ranges []addrRange
}

// natProxyTargets returns where rule n makes the ASA answer ARP: on the
// mapped interface for the mapped (source) addresses and, for twice NAT with
// a destination, on the real interface for the mapped destination addresses.
func (x *asaAddrs) natProxyTargets(n *facts.NATRule) []proxyTargets {
	if n.NoProxyARP {
		return nil
	}
	var out []proxyTargets
	switch n.Kind {
	case "object":
		mapped := n.Mapped
		if mapped == "" {
			mapped = n.Object
		}
		if r := x.resolve(mapped); len(r) > 0 {
			out = append(out, proxyTargets{n.MappedIf, r})
		}
	default:
		if r := x.resolve(n.SourceMapped); len(r) > 0 {
			out = append(out, proxyTargets{n.MappedIf, r})
		}
		if n.DestMapped != "" {
			if r := x.resolve(n.DestMapped); len(r) > 0 {
				out = append(out, proxyTargets{n.RealIf, r})
			}
		}
	}
	return out
}

// proxyARPOn reports whether proxy ARP is on for nameif, with the line that
// says so (nil when only the default applies).
func proxyARPOn(a *facts.ASA, nameif string) (bool, *facts.Source) {
	for i := range a.ProxyARP {
		if strings.EqualFold(a.ProxyARP[i].Nameif, nameif) {
			src := a.ProxyARP[i].Source
			return a.ProxyARP[i].Enabled, &src
		}
	}
	return true, nil
}
