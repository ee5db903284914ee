package ios

import (
	"bytes"

	"github.com/kaudit/kaudit/facts"
)

// ParsePortSecurity reads the show port-security summary table into
// d.Switch.PortSecurity: for each secured port, its maximum, current
// address count, violation count and action. Rows merge with what show
// port-security interface gave for the same port. The system totals at the
// bottom are not kept.
func ParsePortSecurity(data []byte, d *facts.Device) error {
	rows, err := readPortSecurity(data, d)
	if err != nil {
		return withHost(err, d)
	}
	sw := ensureSwitch(d)
	sw.PortSecurity = mergeStatus(sw.PortSecurity, rows)
	return nil
}

func readPortSecurity(data []byte, d *facts.Device) ([]facts.PortSecurityStatus, error) {
	key := keyPortSecurity
	if err := checkText(key, data); err != nil {
		return nil, err
	}
	var (
		header bool
		buf    [16][]byte
	)
	out := make([]facts.PortSecurityStatus, 0, countRows(data))
	r := newLineReader(data)
	for r.next() {
		t := trimLeft(r.line)
		if skip, err := skipFraming(key, r.n, t); err != nil {
			return nil, err
		} else if skip {
			continue
		}
		if bytes.HasPrefix(t, []byte("Secure Port")) {
			header = true
			continue
		}
		ws := fields(buf[:0], t)
		if string(ws[0]) == "(Count)" {
			continue
		}
		if (string(ws[0]) == "Total" || string(ws[0]) == "Max") && bytes.IndexByte(t, ':') > 0 {
			continue // system totals
		}
		if !header || !looksLikeInterface(ws[0]) || len(ws) < 5 {
			return nil, facts.Errorf(key, r.n, "unexpected line %q", clip(t))
		}
		var n [3]int
		for i := range n {
			v, ok := atoi(ws[i+1])
			if !ok {
				return nil, facts.Errorf(key, r.n, "bad count %q", ws[i+1])
			}
			n[i] = v
		}
		src, name := r.srcIf(d, key, ws[0])
		var action [32]byte
		s := facts.PortSecurityStatus{
			Interface:      name,
			Enabled:        true, // only secured ports are listed
			MaxMACs:        n[0],
			TotalMACs:      n[1],
			ViolationCount: n[2],
			Violation:      violationName(joinWords(action[:0], ws[4:])),
		}
		s.Sources.Grow(len(rowAttrs))
		for _, a := range rowAttrs {
			s.Sources.SetAttr(a, src)
		}
		out = append(out, s)
	}
	if !header {
		return nil, facts.Errorf(key, 1, "no \"Secure Port\" table header: not show port-security output")
	}
	return out, nil
}

// Attribute names of port-security statuses, interned once.
var (
	attrEnabled        = facts.NewAttr("enabled")
	attrPortStatus     = facts.NewAttr("port_status")
	attrViolation      = facts.NewAttr("violation")
	attrAgingTime      = facts.NewAttr("aging_time")
	attrAgingType      = facts.NewAttr("aging_type")
	attrStaticAging    = facts.NewAttr("static_aging")
	attrMaxMACs        = facts.NewAttr("max_macs")
	attrTotalMACs      = facts.NewAttr("total_macs")
	attrConfiguredMACs = facts.NewAttr("configured_macs")
	attrStickyMACs     = facts.NewAttr("sticky_macs")
	attrLastSource     = facts.NewAttr("last_source")
	attrViolationCount = facts.NewAttr("violation_count")
)

// rowAttrs are the attributes every row of show port-security sets.
var rowAttrs = [...]facts.Attr{attrEnabled, attrMaxMACs, attrTotalMACs, attrViolation, attrViolationCount}

// violationName turns "Shutdown", "Restrict", "Shutdown-VLAN" into the
// running-config words: shutdown, restrict, shutdown vlan.
func violationName(b []byte) string {
	var buf [32]byte
	s := buf[:0]
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c == '-':
			c = ' '
		}
		s = append(s, c)
	}
	// The actions IOS prints, without allocating.
	switch string(s) {
	case "shutdown":
		return "shutdown"
	case "restrict":
		return "restrict"
	case "protect":
		return "protect"
	case "shutdown vlan":
		return "shutdown vlan"
	}
	return string(s)
}

// statusFields copies each attribute a port-security output can report,
// by its name in Sources, from a freshly read status onto the one kept.
var statusFields = map[string]func(dst, src *facts.PortSecurityStatus){
	"enabled":         func(dst, src *facts.PortSecurityStatus) { dst.Enabled = src.Enabled },
	"port_status":     func(dst, src *facts.PortSecurityStatus) { dst.PortStatus = src.PortStatus },
	"violation":       func(dst, src *facts.PortSecurityStatus) { dst.Violation = src.Violation },
	"aging_time":      func(dst, src *facts.PortSecurityStatus) { dst.AgingMinutes = src.AgingMinutes },
	"aging_type":      func(dst, src *facts.PortSecurityStatus) { dst.AgingType = src.AgingType },
	"static_aging":    func(dst, src *facts.PortSecurityStatus) { dst.StaticAging = src.StaticAging },
	"max_macs":        func(dst, src *facts.PortSecurityStatus) { dst.MaxMACs = src.MaxMACs },
	"total_macs":      func(dst, src *facts.PortSecurityStatus) { dst.TotalMACs = src.TotalMACs },
	"configured_macs": func(dst, src *facts.PortSecurityStatus) { dst.ConfiguredMACs = src.ConfiguredMACs },
	"sticky_macs":     func(dst, src *facts.PortSecurityStatus) { dst.StickyMACs = src.StickyMACs },
	"last_source": func(dst, src *facts.PortSecurityStatus) {
		dst.LastSourceMAC, dst.LastSourceVLAN = src.LastSourceMAC, src.LastSourceVLAN
	},
	"violation_count": func(dst, src *facts.PortSecurityStatus) { dst.ViolationCount = src.ViolationCount },
}

// mergeStatus adds the statuses in add to old: a port already there gets
// the fields add read for it (those named in its Sources), others are
// appended. Statuses without an interface name are never merged.
func mergeStatus(old, add []facts.PortSecurityStatus) []facts.PortSecurityStatus {
	out := make([]facts.PortSecurityStatus, len(old), len(old)+len(add))
	copy(out, old)
	idx := make(map[string]int, len(out)+len(add))
	for i, s := range out {
		if s.Interface != "" {
			idx[s.Interface] = i
		}
	}
	for j := range add {
		s := &add[j] // not a copy: the copy funcs would move it to the heap
		i, ok := idx[s.Interface]
		if !ok || s.Interface == "" {
			if s.Interface != "" {
				idx[s.Interface] = len(out)
			}
			out = append(out, *s)
			continue
		}
		e := &out[i]
		// A fresh list: old's elements may still be shared.
		srcs := e.Sources.Clone()
		for name, src := range s.Sources.All() {
			srcs.Set(name, src)
			if f, ok := statusFields[name]; ok {
				f(e, s)
			}
		}
		e.Sources = srcs
	}
	return out
}
