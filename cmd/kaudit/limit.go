package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/kaudit/kaudit/inventory"
)

// limit selects the hosts of --limit expr ("" keeps all), with the call
// managers the selected switches and ASAs depend on (inventory.Limit).
func limit(inv *inventory.Inventory, expr string) (*inventory.Inventory, error) {
	if expr == "" {
		return inv, nil
	}
	out, err := inventory.Limit(inv, expr)
	if err != nil {
		return nil, usageErr("--limit: %v", err)
	}
	if len(out.Hosts) == 0 {
		return nil, usageErr("--limit %q matches no host", expr)
	}
	return out, nil
}

// limitSource names the audit's source with its --limit and the call
// managers it kept, so that every report format tells a limited run
// from a full one, and says on stderr, before any device is read, which
// call managers were added. A user who limited an audit to one switch
// would otherwise wonder why CUCM nodes were contacted.
func limitSource(stderr io.Writer, source, expr string, inv *inventory.Inventory) string {
	if expr == "" {
		return source
	}
	source += fmt.Sprintf(" (--limit %s", expr)
	if kept := inv.KeptCallManagers(); len(kept) > 0 {
		names := strings.Join(kept, ", ")
		fmt.Fprintf(stderr, "kaudit: --limit %q keeps the call managers %s: the phones' keepalive timers come from them (leave them out with !platform=cucm)\n", expr, names)
		source += ", with the call managers " + names
	}
	return source + ")"
}
