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
		out    []facts.PortSecurityStatus
		header bool
		buf    [16][]byte
	)
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
		src := r.src(d, key)
		s := facts.PortSecurityStatus{
			Interface:      facts.CanonicalInterface(string(ws[0])),
			Enabled:        true, // only secured ports are listed
			MaxMACs:        n[0],
			TotalMACs:      n[1],
			ViolationCount: n[2],
			Violation:      violationName(bytes.Join(ws[4:], []byte(" "))),
		}
		for _, k := range []string{"enabled", "max_macs", "total_macs", "violation_count", "violation"} {
			s.Sources.Set(k, src)
		}
		out = append(out, s)
	}
	if !header {
		return nil, facts.Errorf(key, 1, "no \"Secure Port\" table header: not show port-security output")
	}
	return out, nil
}

// violationName turns "Shutdown", "Restrict", "Shutdown-VLAN" into the
// running-config words: shutdown, restrict, shutdown vlan.
func violationName(b []byte) string {
	s := []byte(lower(b))
	for i, c := range s {
		if c == '-' {
			s[i] = ' '
		}
	}
	return string(s)
}

// mergeStatus adds the statuses in add to old: a port already there gets
// the fields add read for it (those named in its Sources), others are
// appended. Statuses without an interface name are never merged.
func mergeStatus(old, add []facts.PortSecurityStatus) []facts.PortSecurityStatus {
	out := append([]facts.PortSecurityStatus(nil), old...)
	idx := make(map[string]int, len(out))
	for i, s := range out {
		if s.Interface != "" {
			idx[s.Interface] = i
		}
	}
	for _, s := range add {
		i, ok := idx[s.Interface]
		if !ok || s.Interface == "" {
			if s.Interface != "" {
				idx[s.Interface] = len(out)
			}
			out = append(out, s)
			continue
		}
		e := &out[i]
		// A fresh list: old's elements may still be shared.
		srcs := make(facts.Sources, len(e.Sources), len(e.Sources)+len(s.Sources))
		copy(srcs, e.Sources)
		for _, ns := range s.Sources {
			srcs.Set(ns.Name, ns.Source)
			switch ns.Name {
			case "enabled":
				e.Enabled = s.Enabled
			case "port_status":
				e.PortStatus = s.PortStatus
			case "violation":
				e.Violation = s.Violation
			case "aging_time":
				e.AgingMinutes = s.AgingMinutes
			case "aging_type":
				e.AgingType = s.AgingType
			case "static_aging":
				e.StaticAging = s.StaticAging
			case "max_macs":
				e.MaxMACs = s.MaxMACs
			case "total_macs":
				e.TotalMACs = s.TotalMACs
			case "configured_macs":
				e.ConfiguredMACs = s.ConfiguredMACs
			case "sticky_macs":
				e.StickyMACs = s.StickyMACs
			case "last_source":
				e.LastSourceMAC, e.LastSourceVLAN = s.LastSourceMAC, s.LastSourceVLAN
			case "violation_count":
				e.ViolationCount = s.ViolationCount
			}
		}
		e.Sources = srcs
	}
	return out
}
