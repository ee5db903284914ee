package rules

import (
	"fmt"
	"sort"

	"github.com/kaudit/kaudit/facts"
)

func init() {
	register(&Rule{
		ID:       "arp-timeout-longer-than-mac-aging",
		Severity: Warning,
		Summary:  "the voice VLAN's gateway keeps ARP entries longer than the switches keep MAC addresses: unknown-unicast flooding",
		Doc: `The gateway of the voice VLAN (an SVI "interface VlanN" or a router
subinterface "encapsulation dot1Q N") keeps each phone's ARP entry for its ARP
timeout (IOS default 4 hours), and goes on sending the phone's traffic to its
MAC address. The access switches forget that MAC address after their MAC
aging time (default 300 s) when the phone is silent, and then flood every
frame for it to all ports of the VLAN as unknown unicast until the phone
speaks again. With hundreds of phones in a VLAN, calls and keepalive answers
toward silent phones flood the voice VLAN; Cisco's design guides therefore
set the ARP timeout no longer than the MAC aging time (or the MAC aging time
at least as long as the ARP timeout) in the same VLAN.

Flagged, as a warning, for every voice VLAN (a VLAN some switch port uses as
its voice VLAN) whose gateway is in the inventory, against each switch that
carries that voice VLAN and ages MAC addresses sooner than the gateway's ARP
timeout.

Fix: "arp timeout" on the gateway interface no longer than the MAC aging time,
or "mac address-table aging-time" for the VLAN at least the ARP timeout.

Confirm: not planned: flooding shows on a capture of any other port in the
VLAN (frames to a silent phone's MAC), which kaudit does not set up.`,
		Check: checkARPTimeout,
	})
}

func checkARPTimeout(c *Context) []Finding {
	// Switches that carry each voice VLAN, with the phones on it.
	type carrier struct {
		d      *facts.Device
		phones []*facts.Phone
	}
	voice := map[int][]*carrier{}
	for _, d := range c.Snap.Devices {
		if d.Switch == nil {
			continue
		}
		mine := map[int]*carrier{}
		for i := range d.Switch.Interfaces {
			p := &d.Switch.Interfaces[i]
			if p.VoiceVLAN == 0 || p.Shutdown {
				continue
			}
			cr := mine[p.VoiceVLAN]
			if cr == nil {
				cr = &carrier{d: d}
				mine[p.VoiceVLAN] = cr
				voice[p.VoiceVLAN] = append(voice[p.VoiceVLAN], cr)
			}
			cr.phones = append(cr.phones, c.PhonesOn(d.Name, p.Name)...)
		}
	}
	var out []Finding
	for _, d := range c.Snap.Devices {
		if d.Switch == nil {
			continue
		}
		for i := range d.Switch.Interfaces {
			gw := &d.Switch.Interfaces[i]
			vlan := gw.RoutedVLAN()
			if vlan == 0 || gw.Shutdown || !gw.L3.Prefix.IsValid() || len(voice[vlan]) == 0 {
				continue
			}
			arp, set := gw.ARPTimeout()
			arpEv := assumed(d.Name, "ARP timeout", fmt.Sprintf("%d s (IOS default)", arp))
			if set {
				arpEv = fact(d.Name, "ARP timeout", fmt.Sprintf("%d s", arp), gw.L3.Sources.Of("arp_timeout"))
			}
			carriers := voice[vlan]
			sort.Slice(carriers, func(a, b int) bool { return carriers[a].d.Name < carriers[b].d.Name })
			for _, cr := range carriers {
				aging := c.Config.MACAgingDefault
				agingEv := assumed(cr.d.Name, fmt.Sprintf("MAC aging (VLAN %d)", vlan), fmt.Sprintf("%d s", aging))
				var note []string
				if a := cr.d.Switch.MACAging; a != nil {
					var src facts.Source
					aging, src = a.ForVLAN(vlan)
					agingEv = fact(cr.d.Name, fmt.Sprintf("MAC aging (VLAN %d)", vlan), fmt.Sprintf("%d s", aging), src)
				} else {
					note = append(note, "show mac address-table aging-time was not read on "+cr.d.Name+": the default is assumed")
				}
				if aging <= 0 || arp <= aging {
					continue // addresses never age, or the gateway forgets first
				}
				ev := []Evidence{
					attr(d.Name, "gateway "+gw.Name, gw.L3.Prefix.String(), gw.L3.Sources, "ip_address"),
					arpEv, agingEv,
				}
				out = append(out, Finding{
					Severity: Warning,
					Device:   d.Name,
					Object:   fmt.Sprintf("%s vlan %d / %s", gw.Name, vlan, cr.d.Name),
					Phones:   phoneNames(cr.phones),
					Message: fmt.Sprintf("ARP timeout %d s on %s %s (voice VLAN %d) is longer than the MAC aging of %d s on %s: traffic to a silent phone is flooded to every port of the voice VLAN after the switch forgets its MAC",
						arp, d.Name, gw.Name, vlan, aging, cr.d.Name),
					Evidence: ev,
					Fix:      []string{"interface " + gw.Name, fmt.Sprintf(" arp timeout %d", aging)},
					Notes: append(note, fmt.Sprintf("or, on %s: mac address-table aging-time %d vlan %d", cr.d.Name, arp, vlan),
						"Cisco's campus design guides keep the ARP timeout at most the MAC aging time in the same VLAN"),
				})
			}
		}
	}
	return out
}
