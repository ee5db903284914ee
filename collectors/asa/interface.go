package asa

import (
	"net/netip"
	"regexp"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// ifHeader is the first line of each interface in show interface:
//
//	Interface GigabitEthernet0/1 "inside", is up, line protocol is up
var ifHeader = regexp.MustCompile(`^Interface (\S+) "(.*)", is (.+?), line protocol is (.+)$`)

// ParseInterface reads show interface (or show interface detail): each
// interface's name, nameif, link state, MAC and IPv4 address. The result is
// merged by name with the running config's interfaces, whichever is parsed
// first; the running config wins where both set a value.
func ParseInterface(data []byte, d *facts.Device) error {
	key := KeyInterface
	lines, err := readLines(d, key, data)
	if err != nil {
		return err
	}
	var out []facts.ASAInterface
	var cur *facts.ASAInterface
	for _, ln := range lines {
		t := strings.TrimSpace(ln.Text)
		if t == "" || isPrompt(ln.Text) {
			continue
		}
		if deviceError(t) {
			return errAt(d, key, ln.N, "the ASA refused the command: %s", t)
		}
		src := facts.At(d, key, ln)
		if strings.HasPrefix(ln.Text, "Interface ") {
			m := ifHeader.FindStringSubmatch(ln.Text)
			if m == nil {
				return errAt(d, key, ln.N, "malformed interface header: %q", t)
			}
			out = append(out, facts.ASAInterface{
				Name:         facts.CanonicalInterface(m[1]),
				Nameif:       m[2],
				LinkStatus:   m[3],
				LineProtocol: strings.TrimSpace(m[4]),
			})
			cur = &out[len(out)-1]
			cur.Sources.Set("interface", src)
			cur.Sources.Set("status", src)
			if m[2] != "" {
				cur.Sources.Set("nameif", src)
			}
			if strings.HasPrefix(m[3], "admin") {
				cur.Shutdown = true
				cur.Sources.Set("shutdown", src)
			}
			continue
		}
		if cur == nil {
			continue // before the first interface: echoed command, banner
		}
		if i := strings.Index(t, "MAC address "); i >= 0 {
			v, _, _ := strings.Cut(t[i+len("MAC address "):], ",")
			v = strings.TrimSpace(v)
			if v != "N/A" {
				mac := facts.NormalizeMAC(v)
				if mac == "" {
					return errAt(d, key, ln.N, "%s: %q is not a MAC address", cur.Name, v)
				}
				cur.MAC = mac
				cur.Sources.Set("mac", src)
			}
		}
		if rest, ok := strings.CutPrefix(t, "IP address "); ok && rest != "unassigned" {
			a, m, ok := strings.Cut(rest, ", subnet mask ")
			ip, err := netip.ParseAddr(a)
			var pfx netip.Prefix
			if ok && err == nil {
				pfx, ok = prefixOf(ip, strings.TrimSpace(m))
			}
			if !ok || err != nil {
				return errAt(d, key, ln.N, "%s: want IP address A, subnet mask M: %q", cur.Name, t)
			}
			cur.Prefix = pfx
			cur.Sources.Set("ip_address", src)
		}
	}
	if len(out) == 0 {
		return errAt(d, key, 0, "no Interface lines in %d lines of output", len(lines))
	}
	a := asaOf(d)
	a.Interfaces = mergeInterfaces(a.Interfaces, out, key)
	return nil
}
