package capture

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/google/gopacket/layers"
	"github.com/kaudit/kaudit/facts"
)

// arpState collects who answered ARP for which IPv4 address.
type arpState struct {
	byIP map[netip.Addr]*arpIP
	// asked counts the requests per target address: whether a host asked
	// at all tells "nobody answered" from "nobody asked".
	asked map[netip.Addr]int
}

type arpIP struct {
	macs []arpMAC
}

type arpMAC struct {
	mac                 [6]byte
	replies, gratuitous int
	first, last         Timestamp
	firstFrame          int
}

func (a *analyzer) onARP(p *arpLayer, f *frame) {
	c := &a.fa.Counts
	switch p.op {
	case layers.ARPRequest:
		c.ARPRequests++
	case layers.ARPReply:
		c.ARPReplies++
	}
	// Only Ethernet/IPv4 ARP says who has an IPv4 address.
	if p.hwSize != 6 || p.protoSize != 4 || p.sha == nil {
		return
	}
	sender := netip.AddrFrom4([4]byte(p.spa))
	target := netip.AddrFrom4([4]byte(p.tpa))
	reply := p.op == layers.ARPReply
	grat := sender == target && !sender.IsUnspecified()
	if grat {
		c.ARPGratuitous++
	}
	if p.op == layers.ARPRequest && !grat {
		if a.arp.asked == nil {
			a.arp.asked = map[netip.Addr]int{}
		}
		a.arp.asked[target]++
	}
	if (!reply && !grat) || sender.IsUnspecified() {
		return
	}
	if a.arp.byIP == nil {
		a.arp.byIP = map[netip.Addr]*arpIP{}
	}
	e := a.arp.byIP[sender]
	if e == nil {
		e = &arpIP{}
		a.arp.byIP[sender] = e
	}
	mac := [6]byte(p.sha)
	var m *arpMAC
	for i := range e.macs {
		if e.macs[i].mac == mac {
			m = &e.macs[i]
		}
	}
	if m == nil {
		e.macs = append(e.macs, arpMAC{mac: mac, first: f.ts, firstFrame: f.num})
		m = &e.macs[len(e.macs)-1]
	}
	if grat {
		m.gratuitous++
	} else {
		m.replies++
	}
	m.last = f.ts
}

func macString(m [6]byte) string {
	return fmt.Sprintf("%02x%02x.%02x%02x.%02x%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

// finishARP builds the table and its verdicts.
func (a *analyzer) finishARP() {
	ips := make([]netip.Addr, 0, len(a.arp.byIP))
	for ip := range a.arp.byIP {
		ips = append(ips, ip)
	}
	sort.Slice(ips, func(i, j int) bool { return ips[i].Less(ips[j]) })
	a.fa.arpAsked = a.arp.asked
	t := &a.fa.ARP
	t.Answers = []ARPAnswer{}
	t.Conflicts = []string{}
	for _, ip := range ips {
		e := a.arp.byIP[ip]
		ans := ARPAnswer{IP: ip.String(), CallManager: a.cms[ip], Conflict: len(e.macs) > 1}
		var asa, other []string
		for _, m := range e.macs {
			am := ARPMAC{MAC: macString(m.mac), Replies: m.replies, Gratuitous: m.gratuitous, First: m.first, FirstFrame: m.firstFrame, Last: m.last, ASA: a.asaMACs[m.mac]}
			ans.MACs = append(ans.MACs, am)
			if am.ASA {
				asa = append(asa, am.MAC)
			} else {
				other = append(other, am.MAC)
			}
		}
		ans.ProxyARP = len(asa) > 0 && (len(other) > 0 || ans.CallManager)
		t.Answers = append(t.Answers, ans)
		if ans.Conflict {
			t.Conflicts = append(t.Conflicts, ans.IP)
		}
		who := "address " + ans.IP
		if ans.CallManager {
			who = "call manager " + ans.IP
		}
		// The MAC that answered first is the one a host that just asked
		// will use.
		first := e.macs[0]
		for _, m := range e.macs[1:] {
			if m.first < first.first {
				first = m
			}
		}
		nums := map[string]float64{"macs": float64(len(e.macs))}
		switch {
		case ans.ProxyARP:
			sev := Warning
			if ans.CallManager {
				sev = Critical
			}
			msg := fmt.Sprintf("ASA interface MAC %s answers ARP for %s (proxy ARP)", strings.Join(asa, ", "), who)
			if len(other) > 0 {
				msg += fmt.Sprintf("; %s also answers for it", strings.Join(other, ", "))
			}
			msg += fmt.Sprintf("; first answer came from %s at frame %d. Hosts that take the ASA's answer send their traffic (and keepalives) to the firewall: disable proxy ARP on that interface (sysopt noproxyarp IF) or add no-proxy-arp to the NAT rule that covers %s",
				macString(first.mac), first.firstFrame, ans.IP)
			a.verdict(Verdict{ID: "proxy-arp", Severity: sev, CallManager: cmIf(ans.CallManager, ans.IP), Time: first.first, Message: msg, Numbers: nums})
		case ans.Conflict:
			sev := Warning
			var macs []string
			for _, m := range ans.MACs {
				macs = append(macs, m.MAC)
			}
			msg := fmt.Sprintf("%d MACs answer ARP for %s: %s; the first answer (%s, frame %d) wins on the asking host",
				len(macs), who, strings.Join(macs, ", "), macString(first.mac), first.firstFrame)
			if len(a.asaMACs) == 0 {
				msg += "; give the ASA interface MACs to tell proxy ARP from an address conflict"
			}
			a.verdict(Verdict{ID: "arp-conflict", Severity: sev, CallManager: cmIf(ans.CallManager, ans.IP), Time: first.first, Message: msg, Numbers: nums})
		}
	}
}

// Answer is the entry for ip in the table: who claimed it.
func (t ARPTable) Answer(ip string) (ARPAnswer, bool) {
	for _, a := range t.Answers {
		if a.IP == ip {
			return a, true
		}
	}
	return ARPAnswer{}, false
}

// ARPRequestsFor counts the ARP requests (gratuitous ones excluded) that
// asked for ip. It is not part of the JSON: an analysis read back from
// JSON says 0.
func (fa *FileAnalysis) ARPRequestsFor(ip string) int {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return 0
	}
	return fa.arpAsked[addr.Unmap()]
}

func cmIf(ok bool, ip string) string {
	if ok {
		return ip
	}
	return ""
}

// parseMACs normalises the ASA MAC option.
func parseMACs(in []string) (map[[6]byte]bool, error) {
	out := map[[6]byte]bool{}
	for _, s := range in {
		n := facts.NormalizeMAC(strings.TrimSpace(s))
		if n == "" {
			return nil, fmt.Errorf("ASA MAC %q is not a MAC address", s)
		}
		var m [6]byte
		h := strings.ReplaceAll(n, ".", "")
		for i := range m {
			fmt.Sscanf(h[2*i:2*i+2], "%02x", &m[i])
		}
		out[m] = true
	}
	return out, nil
}
