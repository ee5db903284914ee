package facts

import (
	"net/netip"
	"strconv"
	"strings"
)

// DefaultARPTimeoutSeconds is the IOS default of "arp timeout" (4 hours).
const DefaultARPTimeoutSeconds = 14400

// L3Interface is the routed side of an interface: an SVI ("interface
// Vlan200") or a router subinterface ("encapsulation dot1Q 200").
type L3Interface struct {
	// Prefix is "ip address A M" as a prefix (the address, its length).
	Prefix netip.Prefix `json:"prefix,omitzero"`
	// VLAN is the VLAN the interface routes: N of "interface VlanN" or of
	// "encapsulation dot1Q N".
	VLAN int `json:"vlan,omitempty"`
	// ARPTimeoutSeconds is "arp timeout N" (0: not set, the default
	// 14400 s applies).
	ARPTimeoutSeconds int `json:"arp_timeout_s,omitempty"`
	// NAT is "ip nat inside" or "ip nat outside", "" for neither.
	NAT string `json:"nat,omitempty"`
	// Zone is "zone-member security ZONE".
	Zone string `json:"zone,omitempty"`
	// Sources keys: ip_address, encapsulation, arp_timeout, nat, zone.
	Sources Sources `json:"sources,omitzero"`
}

// IsZero reports an interface without an IP address (json's omitzero).
func (l L3Interface) IsZero() bool {
	return !l.Prefix.IsValid() && l.VLAN == 0 && l.ARPTimeoutSeconds == 0 && l.NAT == "" && l.Zone == ""
}

// RoutedVLAN is the VLAN an interface routes: its dot1Q VLAN, or N of an
// SVI named VlanN; 0 for none.
func (p *SwitchPort) RoutedVLAN() int {
	if p.L3.VLAN > 0 {
		return p.L3.VLAN
	}
	if n, ok := strings.CutPrefix(p.Name, "Vlan"); ok {
		if v, err := strconv.Atoi(n); err == nil {
			return v
		}
	}
	return 0
}

// ARPTimeout is the interface's ARP timeout and whether it was
// configured (else the IOS default).
func (p *SwitchPort) ARPTimeout() (int, bool) {
	if p.L3.ARPTimeoutSeconds > 0 {
		return p.L3.ARPTimeoutSeconds, true
	}
	return DefaultARPTimeoutSeconds, false
}
