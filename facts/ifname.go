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

// ifTypes maps each abbreviation and lower-case long name to the long
// name, and ifLongLower holds the long names in lower case, in table
// order: both are built once rather than per name.
var ifTypes, ifLongLower = func() (map[string]string, []string) {
	m := make(map[string]string, len(ifPrefixes))
	lower := make([]string, len(ifPrefixes))
	for i, p := range ifPrefixes {
		m[p.abbr] = p.long
		lower[i] = strings.ToLower(p.long)
	}
	return m, lower
}()

// InterfaceType returns the long type name for typ, an interface type in
// lower case that is exactly one of the abbreviations or long names
// CanonicalInterface knows ("gi", "gigabitethernet"), and whether it is.
// Parsers that have lower-cased the type themselves use it to expand a
// name without CanonicalInterface's allocations.
func InterfaceType(typ string) (string, bool) {
	long, ok := ifTypes[typ]
	return long, ok
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
	if long, ok := ifTypes[typ]; ok {
		return long + rest
	}
	// A prefix of a long name, e.g. "Gig" or "TenGig": the first in
	// table order.
	if len(typ) >= 2 {
		for i, low := range ifLongLower {
			if strings.HasPrefix(low, typ) {
				return ifPrefixes[i].long + rest
			}
		}
	}
	return name
}

// IsInterfaceName reports whether name is an interface name of a type
// CanonicalInterface knows, in long or short form ("GigabitEthernet1/0/5",
// "Gi1/0/5"), with nothing after its number.
func IsInterfaceName(name string) bool {
	i := strings.IndexAny(name, "0123456789")
	if i <= 0 || strings.ContainsAny(name, " \t") {
		return false
	}
	_, ok := ifTypes[strings.ToLower(name[:i])]
	return ok
}
