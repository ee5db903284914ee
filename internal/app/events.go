package app

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kaudit/kaudit/events"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/inventory"
	"github.com/kaudit/kaudit/report"
)

// OfflineEventsDir is where an offline directory keeps the CUCM syslog
// an audit of it reads, as --events would: DIR/events (unless a host of
// the inventory is called "events").
const OfflineEventsDir = "events"

// OfflineEvents returns DIR/events when it is a directory and no host of
// inv has that name, else nothing.
func OfflineEvents(dir string, inv *inventory.Inventory) []string {
	if inv != nil {
		for _, h := range inv.Hosts {
			if h.Name == OfflineEventsDir {
				return nil
			}
		}
	}
	p := filepath.Join(dir, OfflineEventsDir)
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return []string{p}
	}
	return nil
}

// ReadEvents reads the CUCM syslog of paths (files or directories).
func ReadEvents(ctx context.Context, paths []string) (*events.History, error) {
	return events.Read(ctx, paths, events.Options{})
}

// JoinEvents joins the unregistration history h to res: each finding's
// phones get their drops (the reports rank the findings whose phones drop
// first), and the phones that drop for KeepAliveTimeout with no finding
// naming them are listed with their switch port, ASA and call manager
// and what was checked there.
func JoinEvents(res *report.Result, snap *facts.Snapshot, h *events.History) {
	s := &report.Symptoms{Read: h.Stats, Phones: h.Phones()}
	s.From, s.To = h.Window()
	explained := map[string]bool{}
	for _, f := range res.Findings {
		for _, p := range f.Phones {
			explained[p] = true
		}
	}
	phones := map[string]*facts.Phone{}
	for i := range snap.Phones {
		phones[snap.Phones[i].Name] = &snap.Phones[i]
	}
	for _, p := range s.Phones {
		if p.KeepAliveTimeouts == 0 || explained[p.Name] {
			continue
		}
		s.Unexplained = append(s.Unexplained, unexplained(snap, res, p, phones[p.Name]))
	}
	res.Symptoms = s
}

// unexplained places a phone and says what was checked on its path.
func unexplained(snap *facts.Snapshot, res *report.Result, hist events.Phone, p *facts.Phone) report.Unexplained {
	u := report.Unexplained{Phone: hist}
	if p == nil {
		u.Checked = []string{"not in the audited outputs: no switch reports it as a CDP/LLDP neighbour and no call manager lists it"}
		return u
	}
	u.Switch, u.Port, u.CallManager = p.Switch, p.Port, p.CallManager
	onDevice := findingsOn(res)
	if p.Switch != "" {
		u.Checked = append(u.Checked, portChecked(snap, p, onDevice[p.Switch]))
	} else {
		u.Checked = append(u.Checked, "no switch port known: no CDP/LLDP neighbour or PoE entry names it")
	}
	ip := p.IP
	if ip == "" {
		ip = hist.IP
	}
	for _, fw := range firewallsFacing(snap, ip) {
		u.Firewalls = append(u.Firewalls, fw.name)
		u.Checked = append(u.Checked, fmt.Sprintf("%s interface %s (%s): idle timeouts on the phone ↔ call manager path and proxy ARP judged, %s",
			fw.name, fw.nameif, fw.prefix, noneFor(onDevice[fw.name])))
	}
	if p.CallManager != "" {
		u.Checked = append(u.Checked, fmt.Sprintf("%s: keepalive %s judged against every timer on the path; SIP profile %s: %s",
			p.CallManager, keepaliveWords(p.Keepalive), orNone(p.SIPProfile), noneFor(onDevice[p.CallManager])))
	}
	return u
}

// findingsOn counts the findings of each device.
func findingsOn(res *report.Result) map[string]int {
	n := map[string]int{}
	for _, f := range res.Findings {
		n[f.Device]++
	}
	return n
}

// noneFor says there is no finding for the phone there, and how many the
// device has for others.
func noneFor(others int) string {
	if others == 0 {
		return "no finding"
	}
	return fmt.Sprintf("no finding for this phone (%d for others)", others)
}

// portChecked says what the phone's access port runs with.
func portChecked(snap *facts.Snapshot, p *facts.Phone, others int) string {
	where := p.Switch + " " + p.Port
	d := snap.Device(p.Switch)
	if d == nil || d.Switch == nil {
		return where + ": the switch was not read"
	}
	var port *facts.SwitchPort
	for i := range d.Switch.Interfaces {
		if d.Switch.Interfaces[i].Name == p.Port {
			port = &d.Switch.Interfaces[i]
		}
	}
	if port == nil {
		return where + ": the port is not in the switch's configuration"
	}
	var what []string
	ps := port.PortSecurity
	switch {
	case !ps.Enabled:
		what = append(what, "port-security off")
	case ps.AgingMinutes == 0:
		what = append(what, "port-security without aging")
	default:
		what = append(what, fmt.Sprintf("port-security aging %d min %s", ps.AgingMinutes, ps.EffectiveAgingType()))
	}
	switch a := port.Auth; {
	case !a.Enabled:
		what = append(what, "no 802.1X/MAB")
	case a.SessionIdleSeconds > 0:
		what = append(what, fmt.Sprintf("802.1X/MAB session idle %d s", a.SessionIdleSeconds))
	case a.InactivityServer:
		what = append(what, "802.1X/MAB inactivity from the RADIUS server")
	case a.InactivitySeconds > 0:
		what = append(what, fmt.Sprintf("802.1X/MAB inactivity %d s", a.InactivitySeconds))
	default:
		what = append(what, "802.1X/MAB without inactivity timer")
	}
	if m := d.Switch.MACAging; m != nil && port.VoiceVLAN > 0 {
		sec, _ := m.ForVLAN(port.VoiceVLAN)
		what = append(what, fmt.Sprintf("MAC aging %d s in voice VLAN %d", sec, port.VoiceVLAN))
	}
	if port.Unknown != "" {
		what = append(what, "effective configuration unknown: "+port.Unknown)
	}
	return where + ": " + strings.Join(what, ", ") + "; " + noneFor(others)
}

type firewall struct{ name, nameif, prefix string }

// firewallsFacing lists the ASAs with an interface whose subnet holds ip.
func firewallsFacing(snap *facts.Snapshot, ip string) []firewall {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return nil
	}
	var out []firewall
	for _, d := range snap.Devices {
		if d.ASA == nil {
			continue
		}
		for _, ifc := range d.ASA.Interfaces {
			if ifc.Prefix.IsValid() && ifc.Prefix.Masked().Contains(addr) {
				out = append(out, firewall{name: d.Name, nameif: orNone(ifc.Nameif), prefix: ifc.Prefix.Masked().String()})
			}
		}
	}
	slices.SortFunc(out, func(a, b firewall) int { return strings.Compare(a.name+a.nameif, b.name+b.nameif) })
	return out
}

func keepaliveWords(k facts.Keepalive) string {
	if k.PrimarySeconds <= 0 {
		return "unknown"
	}
	s := fmt.Sprintf("%d s", k.ShortestSeconds())
	if k.Protocol != "" {
		s += " (" + k.Protocol + ")"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
