package asa

import (
	"net/netip"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// ParseARP reads show arp: "  inside 10.1.1.20 0024.142d.df24 15", the age
// in seconds, "-" or "alias" (an address the ASA itself answers for).
func ParseARP(data []byte, d *facts.Device) error {
	key := KeyARP
	lines, err := readLines(d, key, data)
	if err != nil {
		return err
	}
	var out []facts.ARPEntry
	for _, ln := range lines {
		t := strings.TrimSpace(ln.Text)
		if t == "" || isPrompt(ln.Text) || strings.HasPrefix(t, "Total ") || strings.HasPrefix(t, "show ") {
			continue
		}
		if deviceError(t) {
			return errAt(d, key, ln.N, "the ASA refused the command: %s", t)
		}
		f := strings.Fields(t)
		n := len(f)
		if n < 4 {
			return errAt(d, key, ln.N, "want INTERFACE IP MAC AGE: %q", t)
		}
		// Counted from the right, so a nameif with blanks stays whole.
		age, macTok, ipTok := f[n-1], f[n-2], f[n-3]
		ipStr, plen, hasLen := strings.Cut(ipTok, "/")
		ip, err := netip.ParseAddr(ipStr)
		if _, ok := number(plen, 3); err != nil || hasLen && !ok {
			return errAt(d, key, ln.N, "%q is not an IP address: %q", ipTok, t)
		}
		mac := facts.NormalizeMAC(macTok)
		if mac == "" {
			return errAt(d, key, ln.N, "%q is not a MAC address: %q", macTok, t)
		}
		if _, ok := number(age, 10); !ok && age != "-" && age != "alias" {
			return errAt(d, key, ln.N, "age %q is not seconds, - or alias: %q", age, t)
		}
		out = append(out, facts.ARPEntry{
			Interface: strings.Join(f[:n-3], " "),
			IP:        ip,
			MAC:       mac,
			Age:       age,
			Source:    facts.At(d, key, ln),
		})
	}
	asaOf(d).ARP = out
	return nil
}
