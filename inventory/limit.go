package inventory

// Limit is Filter for an audit: when the selection holds a switch or an
// ASA, it also keeps every call manager of inv that the filter left out.
// The rules judge a switch's or a firewall's timers against the phones'
// keepalives, and those come from the call managers (SIP profiles,
// service parameters): without them every keepalive would silently be a
// default. A call manager that a ! term matches stays out: that is the
// user's explicit word. KeptCallManagers names what was added.
func Limit(inv *Inventory, expr string) (*Inventory, error) {
	sel, err := Filter(inv, expr)
	if err != nil {
		return nil, err
	}
	dependent := false
	for _, h := range sel.Hosts {
		dependent = dependent || h.Platform == PlatformIOS || h.Platform == PlatformASA
	}
	if !dependent {
		return sel, nil
	}
	terms, _ := parseFilter(expr) // checked by Filter
	selected := make(map[string]bool, len(sel.Hosts))
	for _, h := range sel.Hosts {
		selected[h.Name] = true
	}
	out := &Inventory{all: sel.all}
	for _, h := range inv.Hosts {
		switch {
		case selected[h.Name]:
		case h.Platform == PlatformCUCM && !excluded(h, terms):
			out.kept = append(out.kept, h.Name)
		default:
			continue
		}
		// inv order, so that Host's binary search still works
		out.Hosts = append(out.Hosts, h)
	}
	return out, nil
}

// excluded reports whether a ! term matches h.
func excluded(h Host, terms []term) bool {
	for _, t := range terms {
		if t.kind == termNot && t.match(h) {
			return true
		}
	}
	return false
}

// KeptCallManagers names the call managers Limit added to the selection
// for the switches' and ASAs' sake, in inventory order; nil when none.
func (inv *Inventory) KeptCallManagers() []string { return inv.kept }
