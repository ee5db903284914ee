package cucm

import "github.com/kaudit/kaudit/facts"

// ParseProcessConfig reads the sql_processconfig output into
// d.CUCM.ServiceParams, replacing what was there. Columns other than
// paramname and paramvalue (fkprocessnode, processnoderole, tkservice when
// a wider query is saved) are ignored: the same parameter then appears
// once per node, which KeepaliveParams resolves.
func ParseProcessConfig(data []byte, d *facts.Device) error {
	return fromCLI(KeyProcessConfig, processConfigFrom)(data, d)
}

// processConfigFrom fills d from the rows of t, a run sql table or AXL rows.
func processConfigFrom(d *facts.Device, t *Table) error {
	name, err := requireColumn(d, t, "paramname")
	if err != nil {
		return err
	}
	value, err := requireColumn(d, t, "paramvalue")
	if err != nil {
		return err
	}
	params := make([]facts.ServiceParam, 0, len(t.Rows))
	for _, r := range t.Rows {
		p := facts.ServiceParam{Name: r.Value(name), Value: r.Value(value), Source: facts.At(d, t.Key, r.Line)}
		if IsNull(p.Name) {
			return errAt(d, t.Key, r.Line.N, "service parameter without a name")
		}
		if p.Value == "NULL" {
			p.Value = ""
		}
		params = append(params, p)
	}
	cucmOf(d).ServiceParams = params
	return nil
}
