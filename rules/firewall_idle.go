package rules

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

func init() {
	register(&Rule{
		ID:       "firewall-idle-timeout-shorter-than-keepalive",
		Severity: Critical,
		Summary:  "an ASA on the phone ↔ call manager path closes idle signalling connections before the next keepalive",
		Doc: `An ASA removes a connection that has been idle for its idle timeout. A phone's
signalling connection to a call manager is idle for up to its keepalive
interval (to a backup call manager: the backup interval, 60 s for SCCP,
Timer Keep Alive Expires for SIP). When the timeout is not longer, the
connection is gone when the keepalive comes: the ASA drops it (or resets it
with "reset") and the phone unregisters.

Which timeout a connection gets depends on what the ASA's classes actually
match, and kaudit evaluates them for each phone ↔ call manager connection
through the ASA (phones and call managers on two different interfaces):
SIP over TCP 5060, SIP over TLS (TCP 5061) and SIP over UDP 5060 for SIP
phones, SCCP on TCP 2000 and 2443 (TLS) for SCCP phones; TCP from an
ephemeral port of the phone, UDP from 5060.

- A class claims a connection when its class map matches it: match
  access-list (the first extended entry matching the connection decides;
  deny exempts it; protocol names and numbers, object and object-group
  service and protocol groups, hosts, subnets, object and object-group
  network, port operators eq, neq, lt, gt, range and named ports such as
  sip, port groups; remarks, inactive entries and entries kaudit could not
  read are passed over), match port, match default-inspection-traffic (the
  default ports of the inspection engines: SIP TCP/UDP 5060 and SCCP TCP
  2000, not 5061 or 2443), match any, class-default. Other match criteria
  (dscp, tunnel-group, ...) are not evaluated: such a class is taken not to
  match. A class map with two match lines matches what both match.
- The connection settings ("set connection ...") of the first class that
  matches apply; later classes do not see the connection for that
  feature. The policy of the interface the connection enters by comes
  first, then the global policy, then the policy of the interface it
  leaves by.
- Its idle timeout is that class's "set connection timeout idle" (any
  protocol), else the global "timeout conn" (TCP, default 1:00:00) or
  "timeout udp" (UDP, default 0:02:00). A SIP connection that "inspect sip"
  inspects is a SIP control connection and gets "timeout sip" (default
  0:30:00) instead of timeout conn or udp; a class idle timeout is judged
  too.

Critical when a timeout is at most the keepalive interval of a connection it
applies to; warning within thresholds.firewall_idle_warning_margin_s above it.
UDP is at most a warning, as for the routers' NAT and zone firewall timers:
the phones' transport is not known, and the phone's next REGISTER opens a
new UDP connection (what the call manager sends in between is dropped).
The finding names the flow, the class, the class-map line, the access-list
line and the group member or port that matched. The phones' transport
(TCP, UDP or TLS, from the phone security profile) is not read: a finding on
UDP or TLS says it holds for phones that use it.

When the call managers or the phones are not in the inventory (an ASA
audited alone), the other side is any address and only class timeouts are
judged: a class matching SIP or SCCP signalling is compared with the
policy's default keepalives (the keepalive to a backup call manager, the
longest), and the finding says so.

Sources: Cisco ASA Series Firewall CLI Configuration Guide, "Connection
Settings" (timeout conn, timeout udp; set connection timeout idle applies to
any protocol), "Service Policy Using the Modular Policy Framework" (feature
matching: one class per feature, first match; interface policies take
precedence over the global policy; feature directionality), "Getting
Started with Application Layer Protocol Inspection" (default inspection
ports), "Inspection for Voice and Video Protocols" (timeout sip: idle time
of a SIP control connection).

Fix: a timeout of at least two keepalive intervals plus the margin.`,
		Check: checkFirewallIdle,
	})
}

// signalFlow is a kind of phone → call manager signalling connection.
type signalFlow struct {
	proto string
	port  int // at the call manager
	name  string
	sip   bool
	// transport is what a finding on this flow assumes of the phones, ""
	// for their default transport.
	transport string
}

var (
	sipFlows = []signalFlow{
		{"tcp", 5060, "SIP over TCP 5060", true, ""},
		{"tcp", 5061, "SIP over TLS (TCP 5061)", true, "SIP over TLS (a secure phone security profile)"},
		{"udp", 5060, "SIP over UDP 5060", true, "SIP over UDP (transport UDP in the phone security profile)"},
	}
	sccpFlows = []signalFlow{
		{"tcp", 2000, "SCCP (TCP 2000)", false, ""},
		{"tcp", 2443, "SCCP over TLS (TCP 2443)", false, "SCCP over TLS (an encrypted or authenticated phone security profile)"},
	}
)

func flowsOf(p *facts.Phone) []signalFlow {
	if p.Keepalive.Protocol == "SCCP" {
		return sccpFlows
	}
	return sipFlows
}

// open is the connection a phone opens for f.
func (f signalFlow) open(phone, cm netip.Addr) conn {
	c := conn{proto: f.proto, src: phone, dst: cm, sport: ephemeralPorts, dport: f.port}
	if f.proto == "udp" {
		c.sport = portSpan{5060, 5060} // the phone's SIP port
	}
	return c
}

// idleTimer is one timer that closes a connection, and why it applies.
type idleTimer struct {
	object  string // "timeout conn", "policy-map P class C idle"
	seconds int
	src     *facts.Source
	fix     []string
	hit     *classHit      // the class that applies it
	inspect *facts.Inspect // for timeout sip: the inspect line
}

// globalTimers are the global timeouts of an ASA, defaults when not set.
type globalTimers struct{ conn, udp, sip idleTimer }

func globalsOf(a *facts.ASA) globalTimers {
	g := globalTimers{
		conn: idleTimer{object: "timeout conn", seconds: 3600},
		udp:  idleTimer{object: "timeout udp", seconds: 120},
		sip:  idleTimer{object: "timeout sip", seconds: 1800},
	}
	for i := range a.Timeouts {
		t := &a.Timeouts[i]
		switch t.Name {
		case "conn":
			g.conn.seconds, g.conn.src = t.Seconds, &t.Source
		case "udp":
			g.udp.seconds, g.udp.src = t.Seconds, &t.Source
		case "sip":
			g.sip.seconds, g.sip.src = t.Seconds, &t.Source
		}
	}
	return g
}

// timersFor appends to out the timers that close connection c of flow f,
// met by the policies of order. With globals false only a class's own
// idle timeout is given (a side of the connection is not known, so the
// global timers say nothing about phone traffic through the ASA).
func (pp *asaPolicy) timersFor(out []idleTimer, g *globalTimers, order []*facts.ServicePolicy, f signalFlow, c conn, globals bool) []idleTimer {
	var classIdle bool
	if claim := pp.connClaim(order, c); claim != nil {
		if ct := pp.timeouts[policyClassKey(claim.policy.Name, claim.class.Class)]; ct != nil {
			classIdle = true
			out = append(out, idleTimer{
				object:  fmt.Sprintf("policy-map %s class %s idle", ct.PolicyMap, ct.Class),
				seconds: ct.IdleSeconds,
				src:     &ct.Source,
				fix:     []string{"policy-map " + ct.PolicyMap, " class " + ct.Class},
				hit:     claim,
			})
		}
	}
	if !globals {
		return out
	}
	if f.sip {
		if hit, in := pp.sipInspection(order, c); hit != nil {
			t := g.sip
			t.hit, t.inspect = hit, in
			return append(out, t)
		}
	}
	switch {
	case classIdle:
	case c.proto == "udp":
		out = append(out, g.udp)
	default:
		out = append(out, g.conn)
	}
	return out
}

// judged gathers, per timer, the connections it breaks and the worst of
// them: the highest severity, then the one idle longest between keepalives
// (the one it breaks first).
type judged struct {
	t        idleTimer
	sev      Severity
	ka       int
	phone    *facts.Phone
	cm       *facts.Device // nil: not in the inventory
	flow     signalFlow
	conn     conn
	affected map[*facts.Phone]bool
	flows    []string
	virtual  bool // phones not in the inventory: policy defaults
}

type judgements struct {
	margin   int // thresholds.firewall_idle_warning_margin_s
	byObject map[string]*judged
	order    []string
}

// idleSeverity judges a timer of t seconds on a connection of flow f idle
// for up to ka seconds: critical when it is not longer, a warning within
// margin above. UDP is at most a warning, as for the routers' NAT and zone
// firewall timers: the phones' transport is not known, and the phone's
// next REGISTER opens a new UDP connection.
func idleSeverity(t, ka, margin int, f signalFlow) Severity {
	var sev Severity
	switch {
	case t <= ka:
		sev = Critical
	case t <= ka+margin:
		sev = Warning
	}
	if f.proto == "udp" && sev == Critical {
		sev = Warning
	}
	return sev
}

func (js *judgements) add(t idleTimer, p *facts.Phone, ka int, cm *facts.Device, f signalFlow, c conn, virtual bool) {
	if t.seconds <= 0 {
		return // 0 disables the timeout
	}
	sev := idleSeverity(t.seconds, ka, js.margin, f)
	if sev == 0 {
		return
	}
	if js.byObject == nil {
		js.byObject = map[string]*judged{}
	}
	j := js.byObject[t.object]
	if j == nil {
		j = &judged{affected: map[*facts.Phone]bool{}, virtual: virtual}
		js.byObject[t.object] = j
		js.order = append(js.order, t.object)
	}
	if !virtual {
		j.affected[p] = true
	}
	if !slices.Contains(j.flows, f.name) {
		j.flows = append(j.flows, f.name)
	}
	if sev > j.sev || sev == j.sev && ka > j.ka {
		j.t, j.sev, j.ka, j.phone, j.cm, j.flow, j.conn = t, sev, ka, p, cm, f, c
	}
}

// cmLeg is a call manager on an interface of the ASA.
type cmLeg struct {
	cm     cmAddr
	nameif string
}

func checkFirewallIdle(c *Context) []Finding {
	var out []Finding
	var virtual []*facts.Phone // default phones, for a side not in the inventory
	for _, d := range c.Snap.Devices {
		a := d.ASA
		if a == nil {
			continue
		}
		phoneIfs, phones := c.phoneInterfaces(a)
		var legs []cmLeg
		for i := range a.Interfaces {
			ifc := &a.Interfaces[i]
			if ifc.Nameif == "" || !ifc.Prefix.IsValid() {
				continue
			}
			for _, cm := range c.idx.cucms {
				if ifc.Prefix.Contains(cm.ip) {
					legs = append(legs, cmLeg{cm, ifc.Nameif})
				}
			}
		}
		knownPhones, knownCMs := c.anyPhoneIP(), len(c.idx.cucms) > 0
		if (!knownPhones || !knownCMs) && len(a.ClassTimeouts) == 0 {
			continue // only class timeouts are judged then, and there are none
		}
		if virtual == nil && !knownPhones {
			virtual = c.defaultPhones()
		}
		pp := newASAPolicy(a)
		g := globalsOf(a)
		js := judgements{margin: c.Config.FirewallIdleMargin}
		var buf []idleTimer // reused: a phone's flows are many, their timers few
		switch {
		case knownPhones && knownCMs:
			for _, l := range legs {
				for _, nameif := range phoneIfs {
					if nameif == l.nameif {
						continue // same segment: the ASA is not on the path
					}
					order := pp.order(nameif, l.nameif)
					for _, p := range phones[nameif] {
						ka := legKeepalive(p, l.cm.backup)
						pip, _ := netip.ParseAddr(p.IP)
						for _, f := range flowsOf(p) {
							cn := f.open(pip, l.cm.ip)
							buf = pp.timersFor(buf[:0], &g, order, f, cn, true)
							for _, t := range buf {
								js.add(t, p, ka, l.cm.device, f, cn, false)
							}
						}
					}
				}
			}
		case knownPhones:
			for _, nameif := range phoneIfs {
				for _, egress := range pp.otherSides(a, nameif) {
					order := pp.order(nameif, egress)
					for _, p := range phones[nameif] {
						ka := max(p.Keepalive.PrimarySeconds, p.Keepalive.BackupSeconds)
						pip, _ := netip.ParseAddr(p.IP)
						for _, f := range flowsOf(p) {
							cn := f.open(pip, netip.Addr{})
							buf = pp.timersFor(buf[:0], &g, order, f, cn, false)
							for _, t := range buf {
								js.add(t, p, ka, nil, f, cn, false)
							}
						}
					}
				}
			}
		case knownCMs:
			for _, l := range legs {
				for _, ingress := range pp.otherSides(a, l.nameif) {
					order := pp.order(ingress, l.nameif)
					for _, p := range virtual {
						ka := legKeepalive(p, l.cm.backup)
						for _, f := range flowsOf(p) {
							cn := f.open(netip.Addr{}, l.cm.ip)
							buf = pp.timersFor(buf[:0], &g, order, f, cn, false)
							for _, t := range buf {
								js.add(t, p, ka, l.cm.device, f, cn, true)
							}
						}
					}
				}
			}
		default:
			for _, ingress := range pp.otherSides(a, "") {
				order := pp.order(ingress, "")
				for _, p := range virtual {
					ka := max(p.Keepalive.PrimarySeconds, p.Keepalive.BackupSeconds)
					for _, f := range flowsOf(p) {
						cn := f.open(netip.Addr{}, netip.Addr{})
						buf = pp.timersFor(buf[:0], &g, order, f, cn, false)
						for _, t := range buf {
							js.add(t, p, ka, nil, f, cn, true)
						}
					}
				}
			}
		}
		for _, obj := range js.order {
			out = append(out, c.idleFinding(d, pp, js.byObject[obj], knownPhones, knownCMs))
		}
	}
	return out
}

// legKeepalive is how long p's connection to a call manager idles: the
// backup interval toward a backup, else the primary one.
func legKeepalive(p *facts.Phone, backup bool) int {
	if backup && p.Keepalive.BackupSeconds > 0 {
		return p.Keepalive.BackupSeconds
	}
	return p.Keepalive.PrimarySeconds
}

// phoneInterfaces returns, in interface order, the nameifs of a whose
// subnet holds phones, and the phones on each.
func (c *Context) phoneInterfaces(a *facts.ASA) ([]string, map[string][]*facts.Phone) {
	var names []string
	phones := map[string][]*facts.Phone{}
	for i := range a.Interfaces {
		ifc := &a.Interfaces[i]
		if ifc.Nameif == "" || !ifc.Prefix.IsValid() {
			continue
		}
		if ps := c.phonesIn(ifc.Prefix); len(ps) > 0 {
			if _, dup := phones[ifc.Nameif]; !dup {
				names = append(names, ifc.Nameif)
			}
			phones[ifc.Nameif] = append(phones[ifc.Nameif], ps...)
		}
	}
	return names, phones
}

// anyPhoneIP reports whether the snapshot places any phone by address.
func (c *Context) anyPhoneIP() bool {
	for _, p := range c.idx.ptrs {
		if p.IP != "" {
			return true
		}
	}
	return false
}

// defaultPhones are a SIP and an SCCP phone with the keepalives the
// policy (and the call managers, when known) give a phone kaudit knows
// nothing of.
func (c *Context) defaultPhones() []*facts.Phone {
	var out []*facts.Phone
	for _, proto := range []string{"SIP", "SCCP"} {
		p := &facts.Phone{Protocol: proto}
		p.Keepalive = c.Snap.Keepalive(p, c.Config.Defaults)
		out = append(out, p)
	}
	return out
}

// otherSides lists the interfaces the unknown end of a connection may be
// on, as far as the policies go: "" (no interface policy) and every
// interface with a policy of its own but known.
func (pp *asaPolicy) otherSides(a *facts.ASA, known string) []string {
	out := []string{""}
	for i := range a.ServicePolicy {
		n := a.ServicePolicy[i].Interface
		if n != "" && n != known && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// idleFinding judges one timer against the longest-idle connection it
// applies to.
func (c *Context) idleFinding(d *facts.Device, pp *asaPolicy, j *judged, knownPhones, knownCMs bool) Finding {
	t := j.t
	var ev []Evidence
	if t.src != nil {
		ev = append(ev, fact(d.Name, t.object, fmtHMS(t.seconds), *t.src))
	} else {
		ev = append(ev, assumed(d.Name, t.object, fmtHMS(t.seconds)))
	}
	if t.inspect != nil {
		ev = append(ev, fact(d.Name, "SIP inspection", strings.TrimSpace(t.inspect.Source.Text), t.inspect.Source))
	}
	if t.hit != nil {
		ev = append(ev, pp.hitEvidence(d.Name, t.hit, j.conn, j.flow.name)...)
	}
	peer := "a call manager"
	if j.cm != nil {
		peer = j.cm.Name
		ev = append(ev, Evidence{Device: j.cm.Name, What: "call manager address", Value: j.cm.IP})
	}
	var ps []*facts.Phone
	for p := range j.affected {
		ps = append(ps, p)
	}
	if !j.virtual {
		ev = append(ev, phoneEvidence(j.phone)...)
	}
	ev = append(ev, keepaliveEvidence(j.phone, j.ka, "keepalive interval to "+peer)...)
	var ns []string
	if !knownCMs {
		ns = append(ns, fmt.Sprintf("no call manager in the inventory: the class is judged for signalling to any address, against the %d s keepalive to a backup call manager (the longest a phone's connection idles)", j.ka))
	}
	if !knownPhones {
		ns = append(ns, fmt.Sprintf("no phones in the inventory: the class is judged for %s from any address with the policy's default keepalives (%s)", j.flow.name, j.phone.Keepalive.Basis))
	} else {
		ns = append(ns, notes(j.phone)...)
	}
	if j.flow.transport != "" {
		ns = append(ns, "kaudit does not read the phones' transport: this holds for phones that use "+j.flow.transport)
	}
	if j.flow.proto == "udp" && t.seconds <= j.ka {
		ns = append(ns, "a warning, not critical: the transport is not known, and the phone's next REGISTER opens a new UDP connection (what the call manager sends meanwhile is dropped)")
	}
	if t.hit != nil {
		for _, w := range t.hit.why {
			if w.ace != nil && w.ace.TimeRange != "" {
				ns = append(ns, fmt.Sprintf("access-list %s line %d applies only while time-range %s is active", w.acl, w.ace.Line, w.ace.TimeRange))
			}
		}
	}
	how := strings.Join(j.flows, ", ")
	if t.hit != nil {
		how += ", class " + t.hit.class.Class
	}
	msg := fmt.Sprintf("%s (%d s) on %s is %s the %d s keepalive interval of phones talking to %s through it (%s): the idle signalling connection is removed before the next keepalive",
		t.object, t.seconds, d.Name, cmpWord(t.seconds, j.ka), j.ka, peer, how)
	if t.seconds > j.ka {
		msg = fmt.Sprintf("%s (%d s) on %s leaves only %d s over the %d s keepalive interval of phones talking to %s through it (%s): one late keepalive and the idle signalling connection is removed",
			t.object, t.seconds, d.Name, t.seconds-j.ka, j.ka, peer, how)
	}
	return Finding{
		Severity: j.sev,
		Device:   d.Name,
		Object:   t.object,
		Phones:   phoneNames(ps),
		Message:  msg,
		Evidence: ev,
		Fix:      fixIdle(t, 2*j.ka+c.Config.FirewallIdleMargin),
		Notes:    ns,
	}
}

func fixIdle(t idleTimer, seconds int) []string {
	switch t.object {
	case "timeout conn":
		return []string{"timeout conn " + fmtHMS(max(seconds, 3600))} // the ASA default: no reason to go below it
	case "timeout udp":
		return []string{"timeout udp " + fmtHMS(max(seconds, 120))}
	case "timeout sip":
		return []string{"timeout sip " + fmtHMS(max(seconds, 1800))}
	}
	reset := ""
	if t.src != nil && strings.Contains(t.src.Text, " reset") {
		reset = " reset"
	}
	return append(append([]string{}, t.fix...), "  set connection timeout idle "+fmtHMS(seconds)+reset)
}

// fmtHMS formats seconds the way the ASA writes timeouts.
func fmtHMS(s int) string {
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}
