package asa

import (
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// ParseSysopt reads show running-config all sysopt, which, unlike the
// running config, prints the default "no sysopt noproxyarp IF" (proxy ARP
// enabled) for every named interface.
func ParseSysopt(data []byte, d *facts.Device) error {
	key := KeySysopt
	lines, err := readLines(d, key, data)
	if err != nil {
		return err
	}
	var out []facts.ProxyARPSetting
	seen := 0
	for _, ln := range lines {
		t := strings.TrimSpace(ln.Text)
		if t == "" || t[0] == '!' || t[0] == ':' || isPrompt(ln.Text) {
			continue
		}
		if deviceError(t) {
			return errAt(d, key, ln.N, "the ASA refused the command: %s", t)
		}
		f := strings.Fields(t)
		if strings.EqualFold(f[0], "show") {
			continue // the echoed command
		}
		enabled := false
		if strings.EqualFold(f[0], "no") {
			enabled, f = true, f[1:]
		}
		if len(f) == 0 || !strings.EqualFold(f[0], "sysopt") {
			return errAt(d, key, ln.N, "not a sysopt line: %q", t)
		}
		seen++
		if len(f) < 2 || !strings.EqualFold(f[1], "noproxyarp") {
			continue
		}
		if len(f) != 3 {
			return errAt(d, key, ln.N, "sysopt noproxyarp: want one interface name: %q", t)
		}
		s := facts.ProxyARPSetting{Nameif: f[2], Enabled: enabled, Source: facts.At(d, key, ln)}
		out = append(out, s) // mergeProxyARP keeps the last line per nameif
	}
	if seen == 0 {
		return errAt(d, key, 0, "no sysopt lines in %d lines of output", len(lines))
	}
	a := asaOf(d)
	a.ProxyARP = mergeProxyARP(a.ProxyARP, out, key)
	return nil
}
