package facts

import "strings"

// ifPrefixes maps abbreviations to canonical IOS interface type names. The
// longest matching abbreviation wins, so order does not matter.
var ifPrefixes = []struct{ abbr, long string }{
	{"gigabitethernet", "GigabitEthernet"},
	{"gi", "GigabitEthernet"},
	{"ge", "GigabitEthernet"},
	{"fastethernet", "FastEthernet"},
	{"fa", "FastEthernet"},
	{"tengigabitethernet", "TenGigabitEthernet"},
	{"te", "TenGigabitEthernet"},
	{"twentyfivegige", "TwentyFiveGigE"},
	{"twe", "TwentyFiveGigE"},
	{"twogigabitethernet", "TwoGigabitEthernet"},
	{"tw", "TwoGigabitEthernet"},
	{"fivegigabitethernet", "FiveGigabitEthernet"},
	{"fi", "FiveGigabitEthernet"},
	{"fortygigabitethernet", "FortyGigabitEthernet"},
	{"fo", "FortyGigabitEthernet"},
	{"hundredgige", "HundredGigE"},
	{"hu", "HundredGigE"},
	{"ethernet", "Ethernet"},
	{"eth", "Ethernet"},
	{"et", "Ethernet"},
	{"port-channel", "Port-channel"},
	{"po", "Port-channel"},
	{"vlan", "Vlan"},
	{"vl", "Vlan"},
	{"loopback", "Loopback"},
	{"lo", "Loopback"},
	{"management", "Management"},
	{"ma", "Management"},
	{"tunnel", "Tunnel"},
	{"tu", "Tunnel"},
}

// CanonicalInterface expands an abbreviated interface name (Gi1/0/5,
// gi 1/0/5, Fa0/1, Po1) to the long form IOS uses in its running config.
// Names it does not recognise are returned trimmed but otherwise unchanged.
func CanonicalInterface(name string) string {
	name = strings.TrimSpace(name)
	i := strings.IndexAny(name, "0123456789")
	if i <= 0 {
		return name
	}
	typ := strings.ToLower(strings.TrimSpace(name[:i]))
	rest := name[i:]
	best := ""
	for _, p := range ifPrefixes {
		if typ == p.abbr {
			return p.long + rest
		}
		// An unambiguous prefix of a long name, e.g. "Gig" or "TenGig".
		if len(typ) >= 2 && strings.HasPrefix(strings.ToLower(p.long), typ) && len(p.long) > len(best) {
			if best == "" {
				best = p.long
			}
		}
	}
	if best != "" {
		return best + rest
	}
	return name
}
