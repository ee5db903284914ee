package facts

import "strings"

// NormalizeMAC turns a MAC address in any common notation (0024.142d.df24,
// 00:24:14:2D:DF:24, 00-24-14-2d-df-24, 0024142DDF24) into Cisco dotted
// lower case. It returns "" when s is not a MAC address.
func NormalizeMAC(s string) string { return normalizeMAC(s) }

// NormalizeMACBytes is NormalizeMAC for a word of device output, so that a
// parser need not allocate a string for every word it tries as a MAC.
func NormalizeMACBytes(b []byte) string { return normalizeMAC(b) }

func normalizeMAC[T string | []byte](s T) string {
	var out [14]byte // aabb.ccdd.eeff, built in place: one allocation
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
		if n == 4 || n == 8 {
			out[n+n/4-1] = '.'
		}
		out[n+n/4] = c
		n++
	}
	if n != 12 {
		return ""
	}
	return string(out[:])
}

// PhoneMAC extracts the MAC from a phone device name (SEP0024142DDF24);
// "" when name is not a SEP name.
func PhoneMAC(name string) string {
	if len(name) != 15 || !strings.EqualFold(name[:3], "SEP") {
		return ""
	}
	return NormalizeMAC(name[3:])
}
