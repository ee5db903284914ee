package ios

import (
	"strconv"

	"github.com/kaudit/kaudit/facts"
)

// ParsePowerInline reads show power inline into d.Switch.PoE, one row per
// port. Device and Class are kept as printed ("n/a" included). Both the
// access-switch layout (Interface Admin Oper Power Device Class Max) and
// the Catalyst 6500/6800 one (with Priority, From PS / To PD power,
// Police and ActConsumption) are read; Watts is the power delivered (To
// PD) on the latter.
func ParsePowerInline(data []byte, d *facts.Device) error {
	rows, err := readPowerInline(data, d)
	if err != nil {
		return withHost(err, d)
	}
	ensureSwitch(d).PoE = rows
	return nil
}

// poeLayout says where the columns of one header's rows are.
type poeLayout struct {
	admin, oper, power int // column indexes
	head               int // columns before Device
	tail               int // columns after Device
	class, max         int // indexes in the tail, -1 when absent
}

func readPowerInline(data []byte, d *facts.Device) ([]facts.PoEPort, error) {
	key := keyPowerInline
	if err := checkText(key, data); err != nil {
		return nil, err
	}
	var (
		layout *poeLayout
		buf    [32][]byte
		// Admin, Oper, Device and Class take a handful of values over
		// all ports: each is kept once.
		strs interner
	)
	out := make([]facts.PoEPort, 0, countRows(data))
	r := newLineReader(data)
	for r.next() {
		t := trimLeft(r.line)
		if skip, err := skipNoise(key, r.n, t); err != nil {
			return nil, err
		} else if skip {
			continue
		}
		ws := fields(buf[:0], t)
		if string(ws[0]) == "Interface" {
			l, ok := poeHeader(ws)
			if ok {
				layout = l
			}
			continue
		}
		if layout == nil || !looksLikeInterface(ws[0]) {
			continue // power budget lines, (Watts), separators, totals, prompts
		}
		row, err := poeRow(layout, ws, &strs)
		if err != nil {
			return nil, facts.Errorf(key, r.n, "%v", err)
		}
		row.Source, row.Interface = r.srcIf(d, key, ws[0])
		out = append(out, row)
	}
	if layout == nil {
		return nil, facts.Errorf(key, 1, "no \"Interface Admin Oper\" header: not show power inline output")
	}
	if len(out) == 0 {
		return nil, nil // no PoE port: no list, rather than an empty one
	}
	return out, nil
}

func poeHeader(ws [][]byte) (*poeLayout, bool) {
	dev := -1
	priority := false
	oper := -1
	for i, w := range ws {
		switch string(w) {
		case "Device":
			dev = i
		case "Priority":
			priority = true
		case "Oper":
			oper = i
		}
	}
	if dev < 0 || oper < 0 {
		return nil, false
	}
	l := &poeLayout{admin: 1, oper: 2, power: 3, head: dev, tail: len(ws) - dev - 1, class: -1, max: -1}
	if priority {
		// Power(Watts) spans two columns: From PS and To PD.
		l.oper, l.power, l.head = 3, 5, dev+1
	}
	for i, w := range ws[dev+1:] {
		switch string(w) {
		case "Class":
			l.class = i
		case "Max":
			l.max = i
		}
	}
	return l, l.head > l.power
}

func poeRow(l *poeLayout, ws [][]byte, strs *interner) (facts.PoEPort, error) {
	if len(ws) < l.head+l.tail {
		return facts.PoEPort{}, errorf("row has %d columns, want at least %d: output truncated or garbled", len(ws), l.head+l.tail)
	}
	row := facts.PoEPort{
		Admin: strs.get(ws[l.admin]),
		Oper:  strs.get(ws[l.oper]),
	}
	var err error
	if row.Watts, err = watts(ws[l.power]); err != nil {
		return row, err
	}
	tail := ws[len(ws)-l.tail:]
	var dev [64]byte
	row.Device = strs.get(joinWords(dev[:0], ws[l.head:len(ws)-l.tail]))
	if l.class >= 0 {
		row.Class = strs.get(tail[l.class])
	}
	if l.max >= 0 {
		if row.MaxWatts, err = watts(tail[l.max]); err != nil {
			return row, err
		}
	}
	return row, nil
}

func watts(w []byte) (float64, error) {
	if string(w) == "n/a" {
		return 0, nil
	}
	if w[0] < '0' || w[0] > '9' { // also refuses NaN, Inf and signs
		return 0, errorf("bad power value %q", w)
	}
	v, err := strconv.ParseFloat(string(w), 64)
	if err != nil {
		return 0, errorf("bad power value %q", w)
	}
	return v, nil
}
