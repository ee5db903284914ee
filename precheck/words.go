package precheck

import (
	"net/netip"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// How a configuration line is identified, so that re-entering it with a new
// value replaces the old line instead of adding a second one. IOS and the
// ASA know this from their command grammar; kaudit has no grammar, so it
// works from the shape of the words:
//
//   - A "value" is a word that starts with a digit (numbers, h:mm:ss,
//     addresses, interface numbers), a negative number, an IPv6 address or
//     a MAC address. The words before the first value are the command's
//     key: "switchport port-security aging time 5" replaces "switchport
//     port-security aging time 1".
//   - Words after the value stay part of the identity, so per-VLAN forms
//     are kept apart: "mac address-table aging-time 60 vlan 200" does not
//     replace the global "mac address-table aging-time 300", and
//     "switchport port-security maximum 2 vlan voice" not "maximum 3".
//   - A number after an identifier keyword (vlan, standby, class, ...) names
//     a thing rather than setting a value: "spanning-tree vlan 10 priority
//     4096" replaces "... vlan 10 priority 8192" but not "... vlan 20 ...".
//   - Some commands take a word rather than a number as their value
//     (valuePrefixes: "switchport port-security aging type inactivity",
//     "description ...", "nameif voice"); everything after them is the value.
//   - Some commands are lists, where each line is its own entry and nothing
//     is replaced (listPrefixes: access-list, nat, route, sticky MACs, ntp
//     server, ...), as is any command whose first value is an IP address
//     (logging host inside 10.1.1.1, ssh 10.0.0.0 255.0.0.0 inside).

// valuePrefixes are commands whose remaining words are one value, even when
// it is a word ("switchport mode trunk"): entering one replaces the line
// with the same prefix.
var valuePrefixes = splitAll(
	"description", "hostname", "domain-name", "ip domain-name", "ip domain name",
	"nameif", "security-level", "speed", "duplex", "ip address",
	"switchport mode", "switchport access vlan", "switchport voice vlan",
	"switchport trunk native vlan", "switchport trunk allowed vlan", "switchport trunk encapsulation",
	"switchport port-security violation", "switchport port-security aging type",
	"switchport port-security aging time",
	"service-policy input", "service-policy output", "power inline",
	"logging trap", "logging buffered", "logging console", "logging monitor", "logging asdm", "logging history",
	"clock timezone", "snmp-server location", "snmp-server contact", "enable secret", "enable password",
)

// objectValuePrefixes apply inside "object network NAME": an object has one
// address and one NAT rule, and re-entering either replaces it.
var objectValuePrefixes = splitAll("nat", "host", "subnet", "range", "fqdn", "description")

// objectAddress are the ways to give a network object its address; one
// replaces another.
var objectAddress = map[string]bool{"host": true, "subnet": true, "range": true, "fqdn": true}

// listPrefixes are commands that can appear many times, each line its own
// entry: entering one adds it (unless the same line is there), "no" removes
// the lines it is a prefix of.
var listPrefixes = splitAll(
	"access-list", "nat", "route", "ip route", "ipv6 route", "name", "ipv6 address",
	"network-object", "group-object", "port-object", "service-object", "protocol-object", "icmp-object",
	"switchport port-security mac-address", "ip helper-address", "ntp server", "ntp peer",
	"logging host", "snmp-server host", "snmp-server community", "username", "name-server",
	"crypto map", "match", "inspect", "permit", "deny", "remark", "aaa-server", "tunnel-group",
	"group-policy", "banner", "icmp permit", "icmp deny",
)

// identKeywords take a name or number that identifies what follows, not a
// value.
var identKeywords = map[string]bool{
	"vlan": true, "standby": true, "vrrp": true, "track": true, "interface": true,
	"class": true, "object": true, "object-group": true, "policy-map": true,
	"class-map": true, "route-map": true, "map": true, "context": true,
}

func splitAll(ss ...string) [][]string {
	out := make([][]string, len(ss))
	for i, s := range ss {
		out[i] = strings.Fields(s)
	}
	return out
}

// hasPrefix reports whether w starts with the words p.
func hasPrefix(w, p []string) bool {
	if len(w) < len(p) {
		return false
	}
	for i := range p {
		if w[i] != p[i] {
			return false
		}
	}
	return true
}

func matchPrefix(w []string, table [][]string) []string {
	var best []string
	for _, p := range table {
		if len(p) > len(best) && hasPrefix(w, p) {
			best = p
		}
	}
	return best
}

// isValue reports whether a word is a value rather than a keyword.
func isValue(t string) bool {
	if t == "" {
		return false
	}
	c := t[0]
	if c >= '0' && c <= '9' || c == '-' && len(t) > 1 && t[1] >= '0' && t[1] <= '9' {
		return true
	}
	if strings.ContainsAny(t, ".:-") && facts.NormalizeMAC(t) != "" {
		return true
	}
	if strings.Contains(t, ":") {
		if _, err := netip.ParseAddr(t); err == nil {
			return true
		}
		if _, err := netip.ParsePrefix(t); err == nil {
			return true
		}
	}
	return false
}

func isIP(t string) bool {
	if _, err := netip.ParseAddr(t); err == nil {
		return true
	}
	_, err := netip.ParsePrefix(t)
	return err == nil
}

// inObject reports whether ctx, the header of the section a line is in,
// is an "object network" block.
func inObject(ctx []string) bool {
	return len(ctx) >= 2 && ctx[0] == "object" && ctx[1] == "network"
}

// isList reports whether w (a command in the section headed by ctx) is a
// list entry: it never replaces another line.
func isList(ctx, w []string) bool {
	if len(w) == 0 {
		return false
	}
	if inObject(ctx) && matchPrefix(w, objectValuePrefixes) != nil {
		return false
	}
	if isValue(w[0]) {
		return true // a sequence-numbered entry: "10 permit ip any any"
	}
	if hasPrefix(w, []string{"ip", "address"}) {
		return w[len(w)-1] == "secondary"
	}
	if matchPrefix(w, valuePrefixes) != nil {
		return false
	}
	if matchPrefix(w, listPrefixes) != nil {
		return true
	}
	for _, t := range w[1:] {
		if isValue(t) {
			return isIP(t)
		}
	}
	return false
}

// valueMark stands for a value in a signature. It holds a tab, which no
// word holds, so that a "#" typed as a word is not taken for a value.
const valueMark = "\t#"

// ident is how a command is recognised when re-entered: sig is its words
// with values replaced by valueMark, key the number of words before the first
// value, and value whether it has one. bare is sig without its first value:
// the command as a "no" form names it when typed without the value ("mac
// address-table aging-time vlan 200" for "mac address-table aging-time 60
// vlan 200"); for a command without a value it is sig.
type ident struct {
	sig   string
	bare  string
	key   int
	value bool
}

func identify(ctx, w []string) ident {
	if inObject(ctx) {
		if p := matchPrefix(w, objectValuePrefixes); p != nil {
			if objectAddress[p[0]] {
				return ident{sig: "address " + valueMark, bare: "address", key: 1, value: true}
			}
			return prefixIdent(p)
		}
	}
	if p := matchPrefix(w, valuePrefixes); p != nil {
		return prefixIdent(p)
	}
	out := make([]string, 0, len(w))
	id := ident{key: len(w)}
	after := false
	hash := -1 // where the first value's mark is in out
	for i, t := range w {
		if after {
			out = append(out, t)
			after = false
			continue
		}
		if i > 0 && isValue(t) {
			if !id.value {
				id.value, id.key, hash = true, i, len(out)
			}
			if out[len(out)-1] != valueMark {
				out = append(out, valueMark)
			}
			continue
		}
		out = append(out, t)
		after = identKeywords[t]
	}
	id.sig = strings.Join(out, " ")
	id.bare = id.sig
	if hash >= 0 {
		id.bare = strings.Join(append(out[:hash:hash], out[hash+1:]...), " ")
	}
	return id
}

// prefixIdent identifies a command whose words after prefix p are one value.
func prefixIdent(p []string) ident {
	bare := strings.Join(p, " ")
	return ident{sig: bare + " " + valueMark, bare: bare, key: len(p), value: true}
}

func equalWords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// withoutDescription drops a trailing "description ..." (NAT rules end with
// one) so that "no nat ..." can name the rule without repeating it.
func withoutDescription(w []string) []string {
	for i := 1; i < len(w); i++ {
		if w[i] == "description" {
			return w[:i]
		}
	}
	return w
}

// cmd is a command's words with how it is recognised, worked out once.
type cmd struct {
	w    []string
	id   ident
	list bool
}

func newCmd(ctx, w []string) cmd {
	return cmd{w: w, id: identify(ctx, w), list: isList(ctx, w)}
}

// removes reports whether "no w" (typed in the section headed by ctx)
// removes the existing line e. The cases, and the Cisco documents they
// follow:
//
//   - The same line, or a NAT rule named without its trailing description.
//     No document found says how the ASA matches "no nat ..." against a
//     rule with a description; the description is not part of the rule.
//     "no sysopt noproxyarp voice" removes that interface's line only: the
//     ASA answers proxy ARP by default and prints the default "no sysopt
//     noproxyarp IF" only with show running-config all (Cisco ASA 5500
//     Series Configuration Guide using the CLI, Disabling Proxy ARPs;
//     http://www.packetu.com/2011/11/07/the-asas-arp-behavior/).
//   - A list entry: every entry the words start ("no access-list OUT",
//     "no switchport port-security mac-address sticky"). For sticky MACs:
//     "If you disable sticky learning, the sticky secure MAC addresses are
//     converted to dynamic secure addresses and are removed from the running
//     configuration" (Catalyst 2950 and 2955 Switch Command Reference,
//     switchport port-security, 78-15304-01). For ACLs and NAT lists, none
//     found.
//   - The same command with another value: "no switchport port-security
//     aging time 7" resets the aging time whatever it is ("no switchport
//     port-security aging {static | time | type}", Catalyst 3550 Multilayer
//     Switch Command Reference, OL-8566-01, switchport port-security aging).
//   - The command typed without its value, with the words that name what it
//     applies to: "no mac address-table aging-time" resets the global aging
//     time and "no mac address-table aging-time vlan 200" that of VLAN 200
//     only; the per-VLAN lines and the global one are different commands.
//     Cisco Nexus 5000 Series Layer 2 Switching Command Reference, "mac
//     address-table aging-time": "no mac address-table aging-time [vlan
//     vlan-id]", "When you use the no form of this command without the VLAN
//     parameter, only those VLANs that have not been specifically configured
//     for the aging time reset to the default value"
//     (https://www.cisco.com/c/en/us/td/docs/switches/datacenter/nexus5000/sw/layer2/command/cisco_nexus5000_layer2_switching_command_ref/m_commands.html).
//     The Catalyst guides give the set form as "mac address-table aging-time
//     [0 | 10-1000000] [vlan vlan-id]" and the no form without arguments
//     (Catalyst 3560 Switch Software Configuration Guide, OL-8553-06,
//     Changing the Address Aging Time); no Catalyst page found spells out
//     the no form with a VLAN. "no switchport port-security maximum 2 vlan
//     voice" likewise removes the voice VLAN's maximum and not the port's:
//     the per-VLAN maximum is its own setting ("switchport port-security
//     maximum value vlan vlan-list", Catalyst 3550 Command Reference;
//     "switchport port-security vlan voice", Cisco IE 4000 configuration
//     guide, Port-Based Traffic Control); no page found gives its no form.
func removes(e, w cmd) bool {
	if equalWords(e.w, w.w) || equalWords(withoutDescription(e.w), withoutDescription(w.w)) {
		return true
	}
	if w.list {
		return hasPrefix(e.w, w.w)
	}
	if w.id.value {
		return e.id.sig == w.id.sig
	}
	return e.id.value && e.id.bare == w.id.sig
}

// replaces reports whether entering w replaces the existing line e: the
// same command with another value ("When you enter a maximum secure
// address value for an interface, if the new value is greater than the
// previous value, the new value overrides the previously configured value",
// Catalyst 3550 Command Reference, switchport port-security). List entries
// never replace one another.
func replaces(e, w cmd) bool {
	return !w.list && !e.list && w.id.value && e.id.sig == w.id.sig
}

// cancels reports whether entering w removes an existing "no e" line
// ("shutdown" removes "no shutdown", "nameif voice" removes "no nameif"):
// the lines removes would match the other way round. No Cisco document
// found states it; it is how show running-config prints either state.
func cancels(e, w cmd) bool {
	if equalWords(e.w, w.w) {
		return true
	}
	if w.list {
		return hasPrefix(w.w, e.w)
	}
	if !w.id.value {
		return false
	}
	return e.id.sig == w.id.sig || !e.id.value && w.id.bare == e.id.sig
}
