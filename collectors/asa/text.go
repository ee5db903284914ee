package asa

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// errAt is a ParseError for device d, command key, line n.
func errAt(d *facts.Device, key string, n int, format string, args ...any) *facts.ParseError {
	e := facts.Errorf(key, n, format, args...)
	e.Host = d.Name
	return e
}

// readLines checks data and splits it into cleaned lines.
func readLines(d *facts.Device, key string, data []byte) ([]facts.Line, error) {
	if d == nil {
		return nil, facts.Errorf(key, 0, "no device to fill")
	}
	if err := facts.CheckText(key, data); err != nil {
		if pe, ok := err.(*facts.ParseError); ok {
			pe.Host = d.Name
			return nil, pe
		}
		return nil, err
	}
	var lines []facts.Line
	facts.Lines(data, func(ln facts.Line) bool {
		ln.Text = clean(ln.Text)
		lines = append(lines, ln)
		return true
	})
	return lines, nil
}

// clean undoes what a terminal leaves in captured output: a pager prompt
// erased with CR and spaces, backspaces, and the CR of overwritten text.
func clean(s string) string {
	if !strings.ContainsAny(s, "\r\b-") {
		return s
	}
	for _, more := range []string{"<--- More --->", "--More--", "-- More --"} {
		s = strings.ReplaceAll(s, more, "")
	}
	if i := strings.LastIndexByte(s, '\r'); i >= 0 {
		// What follows the last CR overwrote what came before it.
		if rest := s[i+1:]; strings.TrimSpace(rest) != "" {
			s = rest
		} else {
			s = s[:i]
		}
		s = strings.ReplaceAll(s, "\r", "")
	}
	if strings.IndexByte(s, '\b') >= 0 {
		// A backspace erases the character before it, as on the terminal.
		out := make([]rune, 0, len(s))
		for _, r := range s {
			switch {
			case r != '\b':
				out = append(out, r)
			case len(out) > 0:
				out = out[:len(out)-1]
			}
		}
		s = string(out)
	}
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return strings.TrimRight(s, " \t")
}

// isPrompt reports whether s is an ASA prompt, alone or with the command
// echoed after it: "asa1# show arp", "fw/admin(config)#", "asa1>".
func isPrompt(s string) bool {
	s = strings.TrimLeft(s, " \t")
	if s == "" {
		return false
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '#' || c == '>':
			return i+1 == len(s) || s[i+1] == ' '
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == '/', c == '(', c == ')', c == ':':
		default:
			return false
		}
	}
	return false
}

// deviceError recognises the ASA's own complaint about a command, which
// means the saved output is not the output of that command.
func deviceError(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "ERROR:") || strings.HasPrefix(s, "% ") ||
		strings.HasPrefix(s, "%Invalid") || strings.HasPrefix(s, "Command authorization failed") ||
		strings.HasPrefix(s, "Type help or '?'")
}

// parseHMS reads an ASA duration h:mm:ss (also h:m:s) into seconds.
func parseHMS(s string) (int, bool) {
	h, rest, ok := strings.Cut(s, ":")
	if !ok {
		return 0, false
	}
	m, sec, ok := strings.Cut(rest, ":")
	if !ok {
		return 0, false
	}
	hv, ok1 := number(h, 6)
	mv, ok2 := number(m, 2)
	sv, ok3 := number(sec, 2)
	if !ok1 || !ok2 || !ok3 || mv > 59 || sv > 59 {
		return 0, false
	}
	return hv*3600 + mv*60 + sv, true
}

// isHMS reports whether s is shaped like a duration.
func isHMS(s string) bool {
	_, ok := parseHMS(s)
	return ok
}

// number parses a non-negative decimal of at most max digits.
func number(s string, max int) (int, bool) {
	if s == "" || len(s) > max {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// maskBits returns the prefix length of a dotted IPv4 netmask, or false
// when the mask is not contiguous.
func maskBits(s string) (int, bool) {
	m, err := netip.ParseAddr(s)
	if err != nil || !m.Is4() {
		return 0, false
	}
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	bits := 0
	for v&0x80000000 != 0 {
		bits++
		v <<= 1
	}
	if v != 0 {
		return 0, false
	}
	return bits, true
}

// prefixOf combines an IPv4 address and a dotted netmask.
func prefixOf(a netip.Addr, mask string) (netip.Prefix, bool) {
	bits, ok := maskBits(mask)
	if !ok || !a.Is4() {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, bits), true
}

// indented reports whether a config line starts with a blank, i.e. is a
// sub-command of the block above it.
func indented(s string) bool {
	return s != "" && (s[0] == ' ' || s[0] == '\t')
}
