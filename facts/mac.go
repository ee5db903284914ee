package facts

import "strings"

// NormalizeMAC turns a MAC address in any common notation (0024.142d.df24,
// 00:24:14:2D:DF:24, 00-24-14-2d-df-24, 0024142DDF24) into Cisco dotted
// lower case. It returns "" when s is not a MAC address.
func NormalizeMAC(s string) string {
	var hex [12]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			c += 'a' - 'A'
		case c == '.' || c == ':' || c == '-':
			continue
		default:
			return ""
		}
		if n == 12 {
			return ""
		}
		hex[n] = c
		n++
	}
	if n != 12 {
		return ""
	}
	h := string(hex[:])
	return h[0:4] + "." + h[4:8] + "." + h[8:12]
}

// PhoneMAC extracts the MAC from a phone device name (SEP0024142DDF24);
// "" when name is not a SEP name.
func PhoneMAC(name string) string {
	if len(name) != 15 || !strings.EqualFold(name[:3], "SEP") {
		return ""
	}
	return NormalizeMAC(name[3:])
}
