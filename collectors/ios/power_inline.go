package ios

import (
	"bytes"
	"strconv"

	"github.com/kaudit/kaudit/facts"
)

// ParsePowerInline reads show power inline into d.Switch.PoE, one row per
// port. Device and Class are kept as printed ("n/a" included). The
// layouts read, each from a real output (../shared/corpus/ios/
// show_power_inline):
//
//   - access switches (Catalyst 2960/3750/3850/9k, ISR modules):
//     Interface Admin Oper Power Device Class Max;
//   - Catalyst 4500: Interface Admin Oper Power(Watts) Device Class, the
//     power spanning two columns, From PS and To Device;
//   - Catalyst 6500/6800: Interface Admin Priority Oper Power(Watts)
//     Device Class Police ActConsumption, the power From PS and To PD.
//
// Watts is the power delivered to the device (To Device / To PD); where
// there is no Max column, MaxWatts is the power drawn From PS for the
// port, as genieparser reads the Catalyst 4500's. Chassis outputs may add module budget
// tables and a second per-port table (AdminPowerMax, AdminConsumption):
// only the rows under a header with Oper and Device are ports. A row that
// stops after the power column ("Gi1/0/4 auto off 0.0") has no device,
// class or max; any other malformed row is skipped with a warning, and
// the rest of the output stands. A switch without PoE says so ("%No
// inline power card on switch"): no PoE facts, not an error.
func ParsePowerInline(data []byte, d *facts.Device) error {
	rows, warns, err := readPowerInline(data, d)
	if err != nil {
		return withHost(err, d)
	}
	ensureSwitch(d).PoE = rows
	addWarnings(d, warns)
	return nil
}

// poeLayout says where the columns of one header's rows are.
type poeLayout struct {
	admin, oper, power int // column indexes
	fromPS             int // column of the power From PS, -1 when absent
	head               int // columns before Device
	tail               int // columns after Device
	class, max         int // indexes in the tail, -1 when absent
}

func readPowerInline(data []byte, d *facts.Device) ([]facts.PoEPort, []*facts.ParseError, error) {
	key := keyPowerInline
	if err := checkText(key, data); err != nil {
		return nil, nil, err
	}
	var (
		layout *poeLayout
		seen   bool // a port table header was read
		warns  []*facts.ParseError
		buf    [32][]byte
		// Admin, Oper, Device and Class take a handful of values over
		// all ports: each is kept once.
		strs interner
	)
	out := make([]facts.PoEPort, 0, countRows(data))
	r := newLineReader(data)
	for r.next() {
		t := trimLeft(r.line)
		if noInlinePower(t) {
			return nil, nil, nil
		}
		if skip, err := skipNoise(key, r.n, t); err != nil {
			return nil, nil, err
		} else if skip {
			continue
		}
		ws := fields(buf[:0], t)
		if string(ws[0]) == "Interface" {
			// Another table (AdminPowerMax...) ends the port rows.
			layout = poeHeader(ws)
			seen = seen || layout != nil
			continue
		}
		if layout == nil || !looksLikeInterface(ws[0]) {
			continue // power budget lines, (Watts), separators, totals, prompts
		}
		row, err := poeRow(layout, ws, &strs)
		if err != nil {
			warns = append(warns, facts.Errorf(key, r.n, "row skipped: %v", err))
			continue
		}
		row.Source, row.Interface = r.srcIf(d, key, ws[0])
		out = append(out, row)
	}
	if !seen {
		return nil, nil, facts.Errorf(key, 1, "no \"Interface Admin Oper\" header: not show power inline output")
	}
	if len(out) == 0 {
		return nil, warns, nil // no PoE port: no list, rather than an empty one
	}
	return out, warns, nil
}

// noInlinePower is the answer of a switch without PoE hardware, e.g. a
// Catalyst 6807-XL's "%No inline power card on switch" (ntc-templates'
// cisco_ios_show_power_inline_6807-XL.raw).
func noInlinePower(t []byte) bool {
	return len(t) > 0 && t[0] == '%' && bytes.Contains(bytes.ToLower(t), []byte("no inline power"))
}

// poeHeader reads the column header of the port table; nil when the
// header is another table's.
func poeHeader(ws [][]byte) *poeLayout {
	l := &poeLayout{admin: -1, oper: -1, power: -1, fromPS: -1, class: -1, max: -1}
	col, dev, priority := 0, -1, false
	for i, w := range ws {
		if dev >= 0 {
			switch string(w) {
			case "Class":
				l.class = i - dev - 1
			case "Max":
				l.max = i - dev - 1
			}
			continue
		}
		switch string(w) {
		case "Admin":
			l.admin = col
		case "Oper":
			l.oper = col
		case "Power":
			l.power = col
		case "Priority":
			priority = true
		case "Power(Watts)":
			// Two columns under one title: From PS, To Device.
			l.fromPS, l.power = col, col+1
			col++
		case "Device":
			dev, l.head = i, col
		}
		col++
	}
	if dev < 0 || l.admin < 0 || l.oper < 0 || l.power < 0 || l.head <= l.power {
		return nil
	}
	l.tail = len(ws) - dev - 1
	if priority {
		// The Catalyst 6500's From PS is not read as a maximum: no
		// parser of real outputs does (ntc-templates' 6880-X sample
		// has no rows).
		l.fromPS = -1
	}
	return l
}

func poeRow(l *poeLayout, ws [][]byte, strs *interner) (facts.PoEPort, error) {
	short := len(ws) == l.power+1 // nothing printed after the power
	if !short && len(ws) < l.head+l.tail {
		return facts.PoEPort{}, errorf("row has %d columns, want at least %d", len(ws), l.head+l.tail)
	}
	row := facts.PoEPort{
		Admin: strs.get(ws[l.admin]),
		Oper:  strs.get(ws[l.oper]),
	}
	var err error
	if row.Watts, err = watts(ws[l.power]); err != nil {
		return row, err
	}
	if short {
		return row, nil
	}
	tail := ws[len(ws)-l.tail:]
	var dev [64]byte
	row.Device = strs.get(joinWords(dev[:0], ws[l.head:len(ws)-l.tail]))
	if l.class >= 0 {
		row.Class = strs.get(tail[l.class])
	}
	switch {
	case l.max >= 0:
		row.MaxWatts, err = watts(tail[l.max])
	case l.fromPS >= 0:
		row.MaxWatts, err = watts(ws[l.fromPS])
	}
	return row, err
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
