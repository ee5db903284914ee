package rules

import (
	"fmt"

	"github.com/kaudit/kaudit/facts"
)

func init() {
	register(&Rule{
		ID:       "nat-timeout-shorter-than-keepalive",
		Severity: Critical,
		Summary:  "a router's NAT translation for the phones' signalling expires before the next keepalive",
		Doc: `A branch router that translates the phones' addresses ("ip nat inside" on the
phones' gateway interface, "ip nat outside" toward the call manager, an "ip
nat inside source" rule) keeps one translation per signalling connection
and removes it after the connection has been idle for the translation
timeout: "ip nat translation tcp-timeout" for TCP (IOS default 86400 s),
"udp-timeout" for UDP (default 300 s) (Cisco IOS XE IP Addressing: NAT
Configuration Guide, "Configuring NAT ... Translation Timeouts"). A phone's
connection to its backup call manager is idle for the backup keepalive
interval (120 s by default), to its primary for 115 s. A translation that
expires first breaks the next keepalive: the call manager's answer, or the
phone's next REGISTER on a new port, no longer matches the connection, and
the phone unregisters (Reason=13).

Judged for each IOS device in the inventory whose interface holds phones
and is "ip nat inside" while another interface is "ip nat outside". TCP is
judged critical/warning as the other idle timers; UDP (phones whose SIP
transport is UDP) as a warning, since the transport is not known.

Fix: a translation timeout that outlasts a lost keepalive (two intervals
plus thresholds.firewall_idle_warning_margin_s).

Confirm: a capture at the call manager ("kaudit confirm --phone P --at cucm")
shows the keepalive arriving from a new source port after the translation
was lost.`,
		Check: checkNATTimeout,
	})
}

func checkNATTimeout(c *Context) []Finding {
	var out []Finding
	for _, d := range c.Snap.Devices {
		sw := d.Switch
		if sw == nil || len(sw.NAT.Rules) == 0 {
			continue
		}
		outside := false
		for i := range sw.Interfaces {
			outside = outside || sw.Interfaces[i].L3.NAT == "outside"
		}
		if !outside {
			continue
		}
		for _, leg := range c.routerPhoneLegs(d) {
			if leg.port.L3.NAT != "inside" {
				continue
			}
			for _, proto := range []string{"tcp", "udp"} {
				secs, set, dflt := sw.NAT.TCPTimeoutSeconds, "tcp_timeout", facts.DefaultNATTCPTimeoutSeconds
				if proto == "udp" {
					secs, set, dflt = sw.NAT.UDPTimeoutSeconds, "udp_timeout", facts.DefaultNATUDPTimeoutSeconds
				}
				src, configured := sw.NAT.Sources.Get(set)
				if !configured {
					secs = dflt
				}
				sev, bad := judge(secs, leg.ka, c.Config.FirewallIdleMargin)
				if !bad {
					continue
				}
				var note []string
				if proto == "udp" {
					sev = Warning
					note = append(note, "applies to phones that register over UDP (the phone security profile's transport); TCP is CUCM's default")
				}
				what := "ip nat translation " + proto + "-timeout"
				ev := []Evidence{assumed(d.Name, what, fmt.Sprintf("%d s (IOS default)", secs))}
				if configured {
					ev = []Evidence{fact(d.Name, what, fmt.Sprintf("%d s", secs), src)}
				}
				ev = append(ev,
					attr(d.Name, "ip nat inside on "+leg.port.Name, leg.port.L3.Prefix.String(), leg.port.L3.Sources, "nat"),
					fact(d.Name, "NAT rule", "translates inside addresses", sw.NAT.Rules[0]))
				if len(leg.worst.Seen) > 0 {
					ev = append(ev, phoneEvidence(leg.worst)...)
				}
				ev = append(ev, keepaliveEvidence(leg.worst, leg.ka, "longest keepalive interval (to the backup)")...)
				out = append(out, Finding{
					Severity: sev,
					Device:   d.Name,
					Object:   what,
					Phones:   phoneNames(leg.phones),
					Message: fmt.Sprintf("%s %d s on %s is %s the %d s keepalive interval of the phones behind %s: the translation of an idle signalling connection is removed before the next keepalive",
						what, secs, d.Name, cmpWord(secs, leg.ka), leg.ka, leg.port.Name),
					Evidence: ev,
					Fix:      []string{fmt.Sprintf("ip nat translation %s-timeout %d", proto, 2*leg.ka+c.Config.FirewallIdleMargin)},
					Notes:    append(note, notes(leg.worst)...),
				})
			}
		}
	}
	return out
}
