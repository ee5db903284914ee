package ios

import (
	"bytes"

	"github.com/kaudit/kaudit/facts"
)

// ParsePortSecurityInterface reads show port-security interface X output
// into d.Switch.PortSecurity. A saved file may hold several blocks, each
// after its echoed command line ("sw1#show port-security interface
// Gi1/0/5") naming the port; a single block without one is stored under
// interface "". A block the device refused (% Invalid input) is skipped.
func ParsePortSecurityInterface(data []byte, d *facts.Device) error {
	rows, err := readPortSecurityInterface(data, d)
	if err != nil {
		return withHost(err, d)
	}
	sw := ensureSwitch(d)
	sw.PortSecurity = mergeStatus(sw.PortSecurity, rows)
	return nil
}

type psBlock struct {
	s     facts.PortSecurityStatus
	line  int // where the block starts
	named bool
	bad   bool // the device refused the command
}

func readPortSecurityInterface(data []byte, d *facts.Device) ([]facts.PortSecurityStatus, error) {
	key := keyPortSecurityInterface
	if err := checkText(key, data); err != nil {
		return nil, err
	}
	var (
		out     []facts.PortSecurityStatus
		cur     *psBlock
		unnamed int // line of the first block without an echoed command
		lines   interner
	)
	finish := func() error {
		if cur == nil || cur.bad || cur.s.Sources.Len() == 0 {
			cur = nil
			return nil
		}
		if !cur.named {
			if unnamed > 0 {
				return facts.Errorf(key, cur.line, "second port-security block without an echoed command line naming its interface (first at line %d)", unnamed)
			}
			unnamed = cur.line
		}
		out = append(out, cur.s)
		cur = nil
		return nil
	}
	r := newLineReader(data)
	for r.next() {
		t := trimLeft(r.line)
		if len(t) == 0 {
			continue
		}
		if cmd, ok := isPrompt(t); ok {
			if err := finish(); err != nil {
				return nil, err
			}
			if len(cmd) > 0 {
				cur = &psBlock{line: r.n}
				cur.s.Interface = echoedInterface(cmd)
				cur.named = cur.s.Interface != ""
			}
			continue
		}
		if isCaret(t) {
			continue
		}
		if isDeviceError(t) {
			if cur == nil {
				return nil, facts.Errorf(key, r.n, "device error: %s", t)
			}
			cur.bad = true
			continue
		}
		k, v := splitKey(t)
		if v == nil {
			return nil, facts.Errorf(key, r.n, "unexpected line %q", clip(t))
		}
		if string(k) == "Port Security" && cur != nil && cur.s.Sources.Len() > 0 {
			if err := finish(); err != nil {
				return nil, err
			}
		}
		if cur == nil {
			cur = &psBlock{line: r.n}
		}
		// Blocks repeat the same lines (Port Status : Secure-up): their
		// sources share one text.
		src := facts.At(d, key, facts.Line{N: r.n, Text: lines.get(r.line)})
		attr, err := psField(&cur.s, k, v, src)
		if err != nil {
			return nil, facts.Errorf(key, r.n, "%v", err)
		}
		if attr != (facts.Attr{}) {
			cur.s.Sources.SetAttr(attr, src)
		}
	}
	if err := finish(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, facts.Errorf(key, 1, "no port-security block found")
	}
	return out, nil
}

// echoedInterface returns the canonical interface of an echoed "show
// port-security interface Gi1/0/5" (abbreviations accepted), or "".
func echoedInterface(cmd []byte) string {
	var buf [8][]byte
	ws := fields(buf[:0], cmd)
	for i := 1; i < len(ws)-1; i++ {
		if hasPrefixFold(ws[i], "int") {
			name := ws[i+1]
			if i+2 < len(ws) && ws[i+2][0] >= '0' && ws[i+2][0] <= '9' {
				name = bytes.Join(ws[i+1:i+3], nil) // "gi 1/0/4"
			}
			return facts.CanonicalInterface(string(name))
		}
	}
	return ""
}

// splitKey splits "Key   : value" at the colon after the key. The key of
// "Last Source Address:Vlan   : 0050.56be.3bd9:200" holds a colon itself,
// so the split is at the first colon preceded by a blank, else the first.
func splitKey(t []byte) (k, v []byte) {
	i := bytes.Index(t, []byte(" :"))
	if i >= 0 {
		i++
	} else if i = bytes.IndexByte(t, ':'); i < 0 {
		return nil, nil
	}
	return trim(t[:i]), trim(t[i+1:])
}

// psField reads field k of a block into s and returns the attribute it
// sets (zero for a field kaudit does not keep).
func psField(s *facts.PortSecurityStatus, k, v []byte, src facts.Source) (facts.Attr, error) {
	num := func(dst *int) error {
		n, ok := atoi(v)
		if !ok {
			return errorf("bad %s %q", k, v)
		}
		*dst = n
		return nil
	}
	var attr facts.Attr
	switch string(k) {
	case "Port Security":
		attr, s.Enabled = attrEnabled, string(v) == "Enabled"
	case "Port Status":
		attr, s.PortStatus = attrPortStatus, suffixOf(src.Text, v)
	case "Violation Mode":
		attr, s.Violation = attrViolation, violationName(v)
	case "Aging Time":
		n, unit, ok := leadingInt(v)
		unit = trim(unit)
		if !ok || !(len(unit) == 0 || hasPrefixFold(unit, "min")) {
			return facts.Attr{}, errorf("bad aging time %q", v)
		}
		attr, s.AgingMinutes = attrAgingTime, n
	case "Aging Type":
		attr, s.AgingType = attrAgingType, lower(v)
	case "SecureStatic Address Aging":
		attr, s.StaticAging = attrStaticAging, string(v) == "Enabled"
	case "Maximum MAC Addresses":
		attr = attrMaxMACs
		if err := num(&s.MaxMACs); err != nil {
			return facts.Attr{}, err
		}
	case "Total MAC Addresses":
		attr = attrTotalMACs
		if err := num(&s.TotalMACs); err != nil {
			return facts.Attr{}, err
		}
	case "Configured MAC Addresses":
		attr = attrConfiguredMACs
		if err := num(&s.ConfiguredMACs); err != nil {
			return facts.Attr{}, err
		}
	case "Sticky MAC Addresses":
		attr = attrStickyMACs
		if err := num(&s.StickyMACs); err != nil {
			return facts.Attr{}, err
		}
	case "Last Source Address:Vlan", "Last Source Address":
		mac, vlan := v, []byte(nil)
		if i := bytes.LastIndexByte(v, ':'); i > 0 {
			mac, vlan = v[:i], v[i+1:]
		}
		s.LastSourceMAC = facts.NormalizeMAC(string(mac))
		if s.LastSourceMAC == "" {
			return facts.Attr{}, errorf("bad last source address %q", v)
		}
		if len(vlan) > 0 {
			n, ok := atoi(vlan)
			if !ok {
				return facts.Attr{}, errorf("bad last source VLAN %q", vlan)
			}
			s.LastSourceVLAN = n
		}
		attr = attrLastSource
	case "Security Violation Count":
		attr = attrViolationCount
		if err := num(&s.ViolationCount); err != nil {
			return facts.Attr{}, err
		}
	default:
		return facts.Attr{}, nil // fields other releases add
	}
	return attr, nil
}
