// Package confirm proves or clears a finding on the wire: it picks the
// device on the phone's path where a capture shows the failure (the
// access port for port-security and MAC aging, the ASA for firewall
// findings, the call manager for SIP profile findings), captures there
// over the same SSH CLI the audit uses, bounded in time and packets,
// fetches the capture (as a hex dump; CUCM pushes its file over SFTP),
// always removes it, and lets the capture package judge the keepalives.
// Proxy-ARP findings are the exception to "capture on the device the
// finding names": an ASA capture sees IP only, so they capture on the
// phone's access port, where the phone's ARP for its call manager and the
// answers to it pass.
package confirm

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/inventory"
	"github.com/kaudit/kaudit/rules"
)

// Capture methods.
const (
	MethodEPC  = "IOS-XE Embedded Packet Capture"
	MethodASA  = "ASA capture"
	MethodCUCM = "CUCM utils network capture"
)

// DefaultPackets bounds a capture when the caller gives no count.
const DefaultPackets = 10000

// margin is added to two keepalive intervals for the default duration:
// enough for one keepalive to be late by a grace period and still show.
const margin = 30 * time.Second

// ARPDuration is the default duration of a proxy-ARP confirmation. A
// phone ARPs for its call manager only when its cache entry expires, and
// how long phones keep one is not documented (unconfirmed; Linux-based
// phones probe within minutes): ten minutes catches most, and a capture
// without ARP for the call manager says so instead of clearing the finding.
const ARPDuration = 10 * time.Minute

// Plan is where and how one confirmation captures.
type Plan struct {
	Rule      string // the finding's rule; "" when confirming a phone
	Finding   string // its fingerprint
	Host      string // inventory host to capture on
	Platform  string
	Method    string
	Interface string // switch port or ASA nameif
	Phone     string // SEP name
	PhoneIP   string
	CMIP      string // call manager the phone keeps alive to
	Protocol  string // SIP or SCCP
	Interval  time.Duration
	Name      string // capture name on the device
	Duration  time.Duration
	Packets   int
	// Match is the EPC filter after "match"; "" takes the port's IPv4
	// traffic (both directions). Proxy-ARP plans need "any": ARP is not
	// IPv4.
	Match string
	// ASA is the firewall a proxy-ARP finding names, and ASAMACs its
	// interface MACs: an ARP answer for the call manager from one of them
	// is the proof.
	ASA     string
	ASAMACs []string
	// Confirming are the capture verdict IDs that prove the finding.
	Confirming []string
}

// Capture points NewPlanAt may be asked for.
const (
	AtAuto = ""     // where the finding says the keepalives break
	AtCUCM = "cucm" // the call manager node the phone registers to
)

// NewPlan picks the capture point for finding f (nil when only a phone is
// given) and phone (a SEP name; "" takes the finding's first phone with a
// known address).
func NewPlan(snap *facts.Snapshot, inv *inventory.Inventory, f *rules.Finding, phone string) (*Plan, error) {
	return NewPlanAt(snap, inv, f, phone, AtAuto)
}

// NewPlanAt is NewPlan with the capture point chosen by the caller: at
// AtCUCM the capture runs on the call manager the phone registers to,
// which sees the keepalives that arrive (SIP profile timers, and any
// finding whose effect should show at the call manager).
func NewPlanAt(snap *facts.Snapshot, inv *inventory.Inventory, f *rules.Finding, phone, at string) (*Plan, error) {
	if at != AtAuto && at != AtCUCM {
		return nil, fmt.Errorf("capture point %q: want %q or nothing", at, AtCUCM)
	}
	p := &Plan{}
	var cand []string
	if phone != "" {
		cand = []string{strings.ToUpper(phone)}
	} else if f != nil {
		cand = f.Phones
	}
	rule := ""
	if f != nil {
		rule = f.Rule
	}
	// A proxy-ARP capture needs the phone's switch port; unless the caller
	// named the phone, take one whose port is known.
	arp := at == AtAuto && isProxyARP(rule)
	ph := pickPhone(snap, cand, arp && phone == "")
	if ph == nil {
		what := "a known IP address"
		if arp && phone == "" {
			what += " and switch port"
		}
		return nil, fmt.Errorf("no phone with %s among %s", what, strings.Join(cand, ", "))
	}
	p.Phone, p.PhoneIP, p.Protocol = ph.Name, ph.IP, ph.Keepalive.Protocol
	if p.Protocol == "" {
		p.Protocol = "SIP"
	}
	p.Interval = time.Duration(ph.Keepalive.PrimarySeconds) * time.Second
	if p.Interval <= 0 {
		p.Interval = 115 * time.Second
		if p.Protocol == "SCCP" {
			p.Interval = 30 * time.Second
		}
	}
	p.CMIP = cmIP(snap, ph.CallManager)
	if f != nil {
		p.Rule, p.Finding = f.Rule, rules.Fingerprint(*f)
	}
	keepaliveProof := []string{"registration-lost", "keepalive-first-copy-dropped", "keepalive-not-received"}
	switch {
	case at == AtCUCM || strings.HasPrefix(rule, "sip-profile-") ||
		// A router's NAT or zone firewall: what the call manager
		// receives shows the lost connection.
		strings.HasPrefix(rule, "nat-") || strings.HasPrefix(rule, "zone-firewall-"):
		if err := p.atCUCM(snap, inv, ph); err != nil {
			return nil, err
		}
		p.Confirming = append(keepaliveProof, "keepalive-late", "keepalive-missing")
	case arp:
		if err := p.atAccessPortForARP(snap, f, ph); err != nil {
			return nil, err
		}
	case rule == "" || strings.HasPrefix(rule, "port-security-") || strings.HasPrefix(rule, "mac-aging-") ||
		strings.HasPrefix(rule, "dot1x-") || rule == "port-config-unknown":
		if ph.Switch == "" || ph.Port == "" {
			return nil, fmt.Errorf("phone %s: the switch port it is on is unknown (no CDP/LLDP/PoE entry)", ph.Name)
		}
		p.Host, p.Interface, p.Method = ph.Switch, ph.Port, MethodEPC
		p.Confirming = keepaliveProof
		if rule == "" {
			p.Confirming = append(p.Confirming, "keepalive-late", "keepalive-missing")
		}
	case strings.HasPrefix(rule, "asa-") || strings.HasPrefix(rule, "firewall-"):
		d := device(snap, f.Device)
		if d == nil || d.ASA == nil {
			return nil, fmt.Errorf("finding's device %s is not an ASA in the snapshot", f.Device)
		}
		ip, err := netip.ParseAddr(p.PhoneIP)
		if err != nil {
			return nil, fmt.Errorf("phone %s: address %q: %w", ph.Name, p.PhoneIP, err)
		}
		if ifc := phoneInterface(d, ip); ifc != nil {
			p.Interface = ifc.Nameif
		}
		if p.Interface == "" {
			return nil, fmt.Errorf("%s: no interface holds the phone's address %s", d.Name, p.PhoneIP)
		}
		if p.CMIP == "" {
			return nil, fmt.Errorf("phone %s: call manager address unknown", ph.Name)
		}
		p.Host, p.Method = d.Name, MethodASA
		p.Confirming = keepaliveProof
	default:
		return nil, fmt.Errorf("rule %s: no capture point known for it", rule)
	}
	h := findHost(inv, p.Host)
	if h == nil {
		return nil, fmt.Errorf("%s is not in the inventory", p.Host)
	}
	p.Platform = h.Platform
	want := map[string]string{MethodEPC: inventory.PlatformIOS, MethodASA: inventory.PlatformASA, MethodCUCM: inventory.PlatformCUCM}[p.Method]
	if p.Platform != want {
		return nil, fmt.Errorf("%s: platform %s cannot run an %s", p.Host, p.Platform, p.Method)
	}
	p.Name = "KAUD" + strings.ToUpper(randHex(2))
	return p, nil
}

// isProxyARP says whether rule is about an ASA answering ARP for others.
func isProxyARP(rule string) bool {
	return strings.HasPrefix(rule, "asa-") && strings.Contains(rule, "proxy-arp")
}

// ProvesARP says whether the plan judges ARP answers rather than
// keepalives.
func (p *Plan) ProvesARP() bool { return slices.Contains(p.Confirming, "proxy-arp") }

// atAccessPortForARP plans a proxy-ARP confirmation on the phone's access
// port. The ASA must sit on the phone's segment (else it never hears the
// phone's ARP), and the call manager must be on that segment too (else
// the phone ARPs for its gateway, not for the call manager).
func (p *Plan) atAccessPortForARP(snap *facts.Snapshot, f *rules.Finding, ph *facts.Phone) error {
	d := device(snap, f.Device)
	if d == nil || d.ASA == nil {
		return fmt.Errorf("finding's device %s is not an ASA in the snapshot", f.Device)
	}
	if ph.Switch == "" || ph.Port == "" {
		return fmt.Errorf("phone %s: the switch port it is on is unknown (no CDP/LLDP/PoE entry); an ASA capture cannot see ARP", ph.Name)
	}
	ip, err := netip.ParseAddr(ph.IP)
	if err != nil {
		return fmt.Errorf("phone %s: address %q: %w", ph.Name, ph.IP, err)
	}
	ifc := phoneInterface(d, ip)
	if ifc == nil {
		return fmt.Errorf("%s: no interface holds the phone's address %s, so it cannot answer the phone's ARP", d.Name, ph.IP)
	}
	seg := ifc.Prefix.Masked()
	if !onSegment(p.CMIP, seg) {
		// The phone also keeps alive to its backup: any call manager on
		// the segment is one the phone ARPs for.
		p.CMIP = ""
		for _, cm := range snap.Devices {
			if cm != nil && cm.Platform == facts.PlatformCUCM && onSegment(cm.IP, seg) {
				p.CMIP = cm.IP
				break
			}
		}
	}
	if p.CMIP == "" {
		return fmt.Errorf("phone %s: no call manager on its segment %s: the phone never ARPs for one", ph.Name, seg)
	}
	seen := map[string]bool{}
	for _, ifc := range d.ASA.Interfaces {
		// Proxy ARP answers with the interface's MAC; taking every
		// interface's also covers subinterfaces and a moved cable.
		if m := facts.NormalizeMAC(ifc.MAC); m != "" && !seen[m] {
			seen[m] = true
			p.ASAMACs = append(p.ASAMACs, m)
		}
	}
	p.Host, p.Interface, p.Method, p.Match = ph.Switch, ph.Port, MethodEPC, "any"
	p.ASA = d.Name
	p.Confirming = []string{"proxy-arp", "arp-conflict"}
	return nil
}

// phoneInterface is the ASA interface, named and addressed, whose subnet
// holds the phone's address ip (the last one listed when several do), or
// nil.
func phoneInterface(d *facts.Device, ip netip.Addr) *facts.ASAInterface {
	var found *facts.ASAInterface
	for i := range d.ASA.Interfaces {
		if ifc := &d.ASA.Interfaces[i]; ifc.Nameif != "" && ifc.Prefix.IsValid() && ifc.Prefix.Contains(ip) {
			found = ifc
		}
	}
	return found
}

func onSegment(ip string, seg netip.Prefix) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && seg.Contains(a)
}

// SetBounds fills the duration and packet bounds: two keepalive intervals
// plus a margin (at least ARPDuration for a proxy-ARP plan), and
// DefaultPackets, unless given.
func (p *Plan) SetBounds(d time.Duration, packets int) {
	p.Duration, p.Packets = d, packets
	if p.Duration <= 0 {
		p.Duration = 2*p.Interval + margin
		if p.ProvesARP() {
			p.Duration = max(p.Duration, ARPDuration)
		}
	}
	if p.Packets <= 0 {
		p.Packets = DefaultPackets
	}
}

// Commands are the lines the capture takes, in order: create and start,
// the status poll, stop, fetch, and the cleanup (sent in every case).
type Commands struct {
	Start   []string
	Status  string
	Stop    []string
	Fetch   string
	Cleanup []string
	Format  string
	// Brief lists the packets with their times: asked only when the
	// fetched dump prints none (IOS-XE 16 routers, IOS-XE 17).
	Brief string
}

// Commands builds the CLI for the plan.
func (p *Plan) Commands() Commands {
	n := p.Name
	secs := int((p.Duration + time.Second - 1) / time.Second)
	switch p.Method {
	case MethodCUCM:
		return cucmCommands(p)
	case MethodASA:
		// The ASA has no packet limit; its buffer stops the capture when
		// full, so it is sized for the packet bound.
		buf := min(int64(p.Packets)*1550, 32<<20)
		return Commands{
			Start:   []string{fmt.Sprintf("capture %s buffer %d interface %s match ip host %s host %s", n, buf, p.Interface, p.PhoneIP, p.CMIP)},
			Status:  "show capture",
			Fetch:   "show capture " + n + " dump",
			Cleanup: []string{"no capture " + n},
			Format:  FormatASA,
		}
	default:
		// EPC's inline filter is one-way: "match ipv4 host PHONE any"
		// shows on the device as "Source IP: host PHONE, Destination IP:
		// any" (a public CSR1000v transcript) and would drop what the call
		// manager sends back. The phone's access port carries only the
		// phone and the PC behind it, so all its IPv4 is taken, and the
		// analysis keeps the phone's.
		match := "match ipv4 any any"
		if p.Match != "" {
			match = "match " + p.Match
		}
		return Commands{
			Start: []string{
				fmt.Sprintf("monitor capture %s interface %s both", n, p.Interface),
				fmt.Sprintf("monitor capture %s %s", n, match),
				fmt.Sprintf("monitor capture %s buffer size 10", n),
				fmt.Sprintf("monitor capture %s limit duration %d packets %d", n, secs, p.Packets),
				fmt.Sprintf("monitor capture %s start", n),
			},
			Status:  "show monitor capture " + n,
			Stop:    []string{"monitor capture " + n + " stop"},
			Fetch:   "show monitor capture " + n + " buffer dump",
			Brief:   "show monitor capture " + n + " buffer brief",
			Cleanup: []string{"monitor capture " + n + " stop", "no monitor capture " + n},
			Format:  FormatEPC,
		}
	}
}

// all is every non-show line of c, for the session's capture opt-in.
func (c Commands) all() []string {
	var out []string
	out = append(out, c.Start...)
	out = append(out, c.Stop...)
	return append(out, c.Cleanup...)
}

func pickPhone(snap *facts.Snapshot, names []string, needPort bool) *facts.Phone {
	for _, n := range names {
		for i := range snap.Phones {
			if ph := &snap.Phones[i]; strings.EqualFold(ph.Name, n) && ph.IP != "" && (!needPort || ph.Switch != "" && ph.Port != "") {
				return ph
			}
		}
	}
	return nil
}

func cmIP(snap *facts.Snapshot, name string) string {
	if d := device(snap, name); d != nil && d.IP != "" {
		return d.IP
	}
	for _, d := range snap.Devices {
		if d.Platform == facts.PlatformCUCM && d.IP != "" {
			return d.IP
		}
	}
	return ""
}

func device(snap *facts.Snapshot, name string) *facts.Device {
	for _, d := range snap.Devices {
		if d != nil && d.Name == name {
			return d
		}
	}
	return nil
}

func findHost(inv *inventory.Inventory, name string) *inventory.Host {
	for i := range inv.Hosts {
		if inv.Hosts[i].Name == name {
			return &inv.Hosts[i]
		}
	}
	return nil
}
