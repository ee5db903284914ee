package ios

import (
	"net/netip"

	"github.com/kaudit/kaudit/facts"
)

var (
	attrIPAddress  = facts.NewAttr("ip_address")
	attrEncap      = facts.NewAttr("encapsulation")
	attrARPTimeout = facts.NewAttr("arp_timeout")
)

// l3Line reads the routed settings of an interface: "ip address A M",
// "encapsulation dot1Q N" and "arp timeout N". It reports whether t was
// one of them.
func (p *configParser) l3Line(port *facts.SwitchPort, t []byte) (bool, error) {
	l := &port.L3
	if rest, ok := keyword(t, "ip"); ok {
		rest, ok := keyword(rest, "address")
		if !ok {
			return false, nil
		}
		a, rest := cut(rest)
		m, rest := cut(rest)
		if len(rest) > 0 { // "secondary": the primary address stands
			return true, nil
		}
		addr, err1 := netip.ParseAddr(string(a))
		mask, err2 := netip.ParseAddr(string(m))
		if err1 != nil || err2 != nil || !addr.Is4() || !mask.Is4() {
			return true, nil // dhcp, negotiated, pool: no address to read
		}
		bits := maskBits(mask.As4())
		if bits < 0 {
			return true, p.errorf("bad netmask %q", m)
		}
		l.Prefix = netip.PrefixFrom(addr, bits)
		l.Sources.SetAttr(attrIPAddress, p.src())
		return true, nil
	}
	if rest, ok := keyword(t, "encapsulation"); ok {
		w, rest := cut(rest)
		if lower(w) != "dot1q" {
			return true, nil
		}
		v, _ := cut(rest)
		n, ok := atoi(v)
		if !ok || n < 1 || n > 4094 {
			return true, p.errorf("bad dot1Q VLAN %q", v)
		}
		l.VLAN = n
		l.Sources.SetAttr(attrEncap, p.src())
		return true, nil
	}
	if rest, ok := keyword(t, "arp"); ok {
		rest, ok := keyword(rest, "timeout")
		if !ok {
			return true, nil
		}
		v, _ := cut(rest)
		n, ok := atoi(v)
		if !ok {
			return true, p.errorf("bad arp timeout %q", v)
		}
		l.ARPTimeoutSeconds = n
		l.Sources.SetAttr(attrARPTimeout, p.src())
		return true, nil
	}
	return false, nil
}

// maskBits is the prefix length of a contiguous netmask, -1 otherwise.
func maskBits(m [4]byte) int {
	v := uint32(m[0])<<24 | uint32(m[1])<<16 | uint32(m[2])<<8 | uint32(m[3])
	n := 0
	for v&0x80000000 != 0 {
		n++
		v <<= 1
	}
	if v != 0 {
		return -1
	}
	return n
}
