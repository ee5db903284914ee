package ios

import (
	"github.com/kaudit/kaudit/facts"
)

// ParseMACAging reads show mac address-table aging-time into
// d.Switch.MACAging: the global time and the per-VLAN rows, in seconds
// (0 = no aging). Both the IOS-XE form (Global Aging Time line, then a
// Vlan table) and the older one-line form are read; a "Global" row in the
// table counts as the global time. When only VLAN rows are shown, the
// global time is the IOS default, 300 s, with GlobalSet false.
func ParseMACAging(data []byte, d *facts.Device) error {
	a, err := readMACAging(data, d)
	if err != nil {
		return withHost(err, d)
	}
	ensureSwitch(d).MACAging = a
	return nil
}

func readMACAging(data []byte, d *facts.Device) (*facts.MACAging, error) {
	key := keyMACAging
	if err := checkText(key, data); err != nil {
		return nil, err
	}
	a := &facts.MACAging{}
	var buf [4][]byte
	r := newLineReader(data)
	for r.next() {
		t := trimLeft(r.line)
		if skip, err := skipFraming(key, r.n, t); err != nil {
			return nil, err
		} else if skip {
			continue
		}
		if hasPrefixFold(t, "no vlan age") {
			continue // Catalyst 6500: "no vlan age other than global age configured"
		}
		if hasPrefixFold(t, "global aging time") {
			_, v := cutColon(t)
			secs, rest, ok := leadingInt(v)
			if !ok || len(rest) > 0 && !isBlank(rest[0]) {
				return nil, facts.Errorf(key, r.n, "bad global aging time %q", v)
			}
			a.GlobalSeconds, a.GlobalSet, a.Global = secs, true, r.src(d, key)
			continue
		}
		ws := fields(buf[:0], t)
		if hasPrefixFold(ws[0], "vlan") && len(ws) > 1 && hasPrefixFold(ws[1], "aging") {
			continue // table header
		}
		if len(ws) != 2 {
			return nil, facts.Errorf(key, r.n, "unexpected line %q", clip(t))
		}
		secs, ok := atoi(ws[1])
		if !ok {
			return nil, facts.Errorf(key, r.n, "bad aging time %q", ws[1])
		}
		if hasPrefixFold(ws[0], "global") {
			a.GlobalSeconds, a.GlobalSet, a.Global = secs, true, r.src(d, key)
			continue
		}
		vlan, ok := atoi(ws[0])
		if !ok || vlan > 4095 {
			return nil, facts.Errorf(key, r.n, "bad VLAN %q", ws[0])
		}
		a.VLANs = append(a.VLANs, facts.VLANAging{VLAN: vlan, Seconds: secs, Source: r.src(d, key)})
	}
	if !a.GlobalSet && len(a.VLANs) == 0 {
		return nil, facts.Errorf(key, 1, "no global or VLAN aging time found")
	}
	if !a.GlobalSet {
		a.GlobalSeconds = defaultMACAgingSeconds
	}
	return a, nil
}
