package rules

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

func init() {
	register(&Rule{
		ID:       "asa-proxy-arp-answers-for-call-manager",
		Severity: Critical,
		Summary:  "an ASA answers ARP for the call manager (or phones) on a voice segment",
		Doc: `Proxy ARP is on by default on every ASA interface ("no sysopt noproxyarp IF"
shows only in show running-config all sysopt). A NAT rule makes the ASA answer
ARP requests for its mapped addresses on the mapped interface (and, for twice
NAT with a destination, for the mapped destination on the real interface),
unless the rule says no-proxy-arp. When those addresses include the call
manager and the interface sits on the phones' segment, the phone may take the
ASA's MAC for the call manager's: keepalives go to the firewall, the call
manager never sees them and unregisters the phone (case 1 of the note).

Critical when the ASA would answer for a call manager or a phone address on
an interface facing phones or call managers; warning when it would answer
for other addresses on such a segment. "sysopt noproxyarp IF" and a rule's
no-proxy-arp are honoured.

Fix: add no-proxy-arp to the NAT rule (re-enter it), or sysopt noproxyarp on
the interface when nothing there relies on proxy ARP.`,
		Check: checkASAProxyARP,
	})
}

func checkASAProxyARP(c *Context) []Finding {
	var out []Finding
	for _, d := range c.Snap.Devices {
		a := d.ASA
		if a == nil {
			continue
		}
		addrs := newASAAddrs(a)
		for i := range a.Interfaces {
			ifc := &a.Interfaces[i]
			if ifc.Nameif == "" || !ifc.Prefix.IsValid() || ifc.Shutdown {
				continue
			}
			phones := c.phonesIn(ifc.Prefix)
			var cms []cmAddr
			for _, cm := range c.idx.cucms {
				if ifc.Prefix.Contains(cm.ip) {
					cms = append(cms, cm)
				}
			}
			if len(phones) == 0 && len(cms) == 0 {
				continue // faces neither phones nor call managers
			}
			on, sysoptSrc := proxyARPOn(a, ifc.Nameif)
			if !on {
				continue
			}
			for j := range a.NAT {
				n := &a.NAT[j]
				for _, t := range addrs.natProxyTargets(n) {
					if t.nameif != "any" && !strings.EqualFold(t.nameif, ifc.Nameif) {
						continue
					}
					f, ok := proxyFinding(c, d, ifc, n, t.ranges, phones, cms, sysoptSrc)
					if ok {
						out = append(out, f)
					}
				}
			}
		}
	}
	return out
}

func proxyFinding(c *Context, d *facts.Device, ifc *facts.ASAInterface, n *facts.NATRule, ranges []addrRange,
	phones []*facts.Phone, cms []cmAddr, sysoptSrc *facts.Source) (Finding, bool) {
	covers := func(ip netip.Addr) bool {
		for _, r := range ranges {
			if r.contains(ip) {
				return true
			}
		}
		return false
	}
	var hitCMs []cmAddr
	for _, cm := range cms {
		if covers(cm.ip) {
			hitCMs = append(hitCMs, cm)
		}
	}
	var hitPhones []*facts.Phone
	for _, p := range phones {
		if ip, err := netip.ParseAddr(p.IP); err == nil && covers(ip) {
			hitPhones = append(hitPhones, p)
		}
	}
	overlap := false
	for _, r := range ranges {
		if r.overlaps(ifc.Prefix) {
			overlap = true
		}
	}
	if !overlap {
		return Finding{}, false
	}
	sev := Warning
	what := "addresses on the segment"
	switch {
	case len(hitCMs) > 0:
		sev, what = Critical, "the call manager "+hitCMs[0].device.Name+" ("+hitCMs[0].ip.String()+")"
	case len(hitPhones) > 0:
		sev, what = Critical, fmt.Sprintf("%d phone address(es)", len(hitPhones))
	}
	// Every phone on the segment can be misled, not only those covered.
	affected := phones
	if len(affected) == 0 {
		for _, cm := range hitCMs {
			affected = append(affected, c.phonesByCM(cm.device.Name)...)
		}
	}
	ev := []Evidence{
		fact(d.Name, "interface "+ifc.Nameif, ifc.Prefix.String(), ifSource(ifc)),
	}
	if sysoptSrc != nil {
		ev = append(ev, fact(d.Name, "proxy ARP on "+ifc.Nameif, "enabled", *sysoptSrc))
	} else {
		ev = append(ev, assumed(d.Name, "proxy ARP on "+ifc.Nameif, "enabled (ASA default: no sysopt noproxyarp "+ifc.Nameif+")"))
	}
	ev = append(ev, fact(d.Name, natEvidence, strings.TrimSpace(n.Source.Text), n.Source))
	for _, cm := range hitCMs {
		ev = append(ev, Evidence{Device: cm.device.Name, What: "call manager address", Value: cm.ip.String(), Default: false})
	}
	for _, p := range hitPhones {
		ev = append(ev, phoneEvidence(p)...)
	}
	f := Finding{
		Severity: sev,
		Device:   d.Name,
		Object:   fmt.Sprintf("%s / %s", ifc.Nameif, natObject(n)),
		Phones:   phoneNames(affected),
		Message: fmt.Sprintf("ASA answers ARP on %s (%s) for %s because of NAT rule %q with proxy ARP on: phones can send their keepalives to the firewall's MAC",
			ifc.Nameif, ifc.Prefix, what, strings.TrimSpace(n.Source.Text)),
		Evidence: ev,
		Fix:      natFix(n),
	}
	f.Fix = append(f.Fix, "! or, when nothing on "+ifc.Nameif+" needs proxy ARP:", "sysopt noproxyarp "+ifc.Nameif)
	return f, true
}

func ifSource(ifc *facts.ASAInterface) facts.Source {
	for _, k := range []string{"ip_address", "nameif", "interface"} {
		if s, ok := ifc.Sources.Get(k); ok {
			return s
		}
	}
	return facts.Source{}
}

func natObject(n *facts.NATRule) string {
	if n.Kind == "object" {
		return "object " + n.Object + " nat"
	}
	// The rule's text, not its line: lines move with every edit above
	// them, and a live run numbers them differently from a saved file.
	return NATIdentity(n.Source.Text)
}

// natFix re-enters rule n with no-proxy-arp.
func natFix(n *facts.NATRule) []string {
	line := strings.TrimSpace(n.Source.Text)
	// no-proxy-arp goes before route-lookup and before a description,
	// which runs to the end of the line.
	with := line + " no-proxy-arp"
	for _, kw := range []string{" route-lookup", " description "} {
		if i := strings.Index(line, kw); i >= 0 {
			with = line[:i] + " no-proxy-arp" + line[i:]
			break
		}
	}
	if n.Kind == "object" {
		return []string{"object network " + n.Object, " no " + line, " " + with}
	}
	return []string{"no " + line, with}
}
