package rules

import (
	"fmt"
	"slices"

	"github.com/kaudit/kaudit/facts"
)

func init() {
	register(&Rule{
		ID:       "zone-firewall-idle-shorter-than-keepalive",
		Severity: Critical,
		Summary:  "a router's zone-based firewall closes the phones' idle signalling session before the next keepalive",
		Doc: `A router with a zone-based policy firewall inspects the traffic of a zone
pair ("zone-pair security N source A destination B" with "service-policy
type inspect P"). Each inspected connection is a session that the router
removes after the idle time of the class's parameter map: "tcp idle-time"
(IOS default 3600 s) and "udp idle-time" (default 30 s) in "parameter-map
type inspect" (Cisco IOS XE Security Configuration Guide: Zone-Based Policy
Firewall, "Configuring an Inspect Parameter Map"). A session removed between
two keepalives drops the next one (the router no longer knows the
connection, and the return traffic is not allowed back), and the phone
unregisters.

Judged for each IOS device in the inventory whose interface holds phones
(zone A) toward the interfaces of the call managers (zone B; every other
zone when the call managers are not on a connected subnet, said in the
notes). The first class of the zone pair's policy that can carry the
signalling decides: "match protocol sip", "skinny", "tcp" or "udp", an
access group (its ACL is not evaluated: assumed to match, said in the
notes), or class-default; only a class that inspects keeps a session. TCP
is judged critical/warning; UDP as a warning (phones whose SIP transport is
UDP), since the transport is not known — with the 30 s default most such
phones are affected.

Fix: "tcp idle-time" / "udp idle-time" in the class's parameter map that
outlasts a lost keepalive (two intervals plus
thresholds.firewall_idle_warning_margin_s).

Confirm: a capture at the call manager shows the keepalive after the
session was lost arriving as a new connection, or not at all.`,
		Check: checkZBFIdle,
	})
}

// sigProtocols are the inspect protocols that can carry phone signalling.
var sigProtocols = []string{"sip", "skinny", "tcp", "udp", "sip-tls"}

func checkZBFIdle(c *Context) []Finding {
	var out []Finding
	for _, d := range c.Snap.Devices {
		sw := d.Switch
		if sw == nil || len(sw.ZBF.ZonePairs) == 0 {
			continue
		}
		for _, leg := range c.routerPhoneLegs(d) {
			from := leg.port.L3.Zone
			if from == "" {
				continue
			}
			facing, direct := c.cucmFacing(d, leg.port)
			var toZones []string
			for _, p := range facing {
				if z := p.L3.Zone; z != "" && z != from && !slices.Contains(toZones, z) {
					toZones = append(toZones, z)
				}
			}
			for _, zp := range sw.ZBF.ZonePairs {
				if zp.From != from || !slices.Contains(toZones, zp.To) || zp.Policy == "" {
					continue
				}
				pol := sw.ZBF.Policy(zp.Policy)
				if pol == nil {
					continue
				}
				cl, assumedACL := signallingClass(&sw.ZBF, pol)
				if cl == nil || cl.Action != "inspect" {
					continue // not inspected: no session to time out (pass), or dropped
				}
				pm := sw.ZBF.Params(cl.ParamMap)
				for _, proto := range []string{"tcp", "udp"} {
					secs, key, dflt := 0, "tcp_idle", facts.DefaultZBFTCPIdleSeconds
					if pm != nil {
						secs = pm.TCPIdleSeconds
					}
					if proto == "udp" {
						key, dflt = "udp_idle", facts.DefaultZBFUDPIdleSeconds
						secs = 0
						if pm != nil {
							secs = pm.UDPIdleSeconds
						}
					}
					var src facts.Source
					configured := false
					if pm != nil {
						src, configured = pm.Sources.Get(key)
					}
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
					if !direct {
						note = append(note, "no interface of "+d.Name+" is on a call manager's subnet: zone pairs from the phones' zone to every other zone were judged")
					}
					if assumedACL {
						note = append(note, "the class matches an access group whose ACL kaudit does not evaluate: assumed to match the signalling")
					}
					what := fmt.Sprintf("zone-pair %s class %s %s idle-time", zp.Name, cl.Class, proto)
					ev := []Evidence{assumed(d.Name, proto+" idle-time", fmt.Sprintf("%d s (IOS default)", secs))}
					if configured {
						ev = []Evidence{fact(d.Name, proto+" idle-time", fmt.Sprintf("%d s", secs), src)}
					}
					ev = append(ev,
						fact(d.Name, "zone pair", zp.From+" → "+zp.To, zp.Source),
						fact(d.Name, "class", cl.Class+" inspect "+cl.ParamMap, cl.Source),
						attr(d.Name, "phones' zone on "+leg.port.Name, from, leg.port.L3.Sources, "zone"))
					if len(leg.worst.Seen) > 0 {
						ev = append(ev, phoneEvidence(leg.worst)...)
					}
					ev = append(ev, keepaliveEvidence(leg.worst, leg.ka, "longest keepalive interval (to the backup)")...)
					pmName := cl.ParamMap
					if pmName == "" {
						pmName = "PHONE-SIGNALLING"
						note = append(note, "the class inspects with the default parameter map: the fix names a new one to attach with \"inspect "+pmName+"\"")
					}
					out = append(out, Finding{
						Severity: sev,
						Device:   d.Name,
						Object:   what,
						Phones:   phoneNames(leg.phones),
						Message: fmt.Sprintf("%s idle-time %d s in zone pair %s (class %s) on %s is %s the %d s keepalive interval of the phones behind %s: the inspected session is removed before the next keepalive",
							proto, secs, zp.Name, cl.Class, d.Name, cmpWord(secs, leg.ka), leg.ka, leg.port.Name),
						Evidence: ev,
						Fix:      []string{"parameter-map type inspect " + pmName, fmt.Sprintf(" %s idle-time %d", proto, 2*leg.ka+c.Config.FirewallIdleMargin)},
						Notes:    append(note, notes(leg.worst)...),
					})
				}
			}
		}
	}
	return out
}

// signallingClass is the first class of pol that can carry phone
// signalling; assumedACL when that is only because it matches an ACL.
func signallingClass(z *facts.ZBF, pol *facts.InspectPolicy) (*facts.InspectClass, bool) {
	for i := range pol.Classes {
		cl := &pol.Classes[i]
		if cl.Class == "class-default" {
			return cl, false
		}
		cm := z.ClassMap(cl.Class)
		if cm == nil {
			continue
		}
		for _, p := range cm.Protocols {
			if slices.Contains(sigProtocols, p) {
				return cl, false
			}
		}
		if len(cm.ACLs) > 0 {
			return cl, true
		}
	}
	return nil, false
}
