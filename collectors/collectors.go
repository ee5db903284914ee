// Package collectors turns device output into facts. Each platform package
// (ios, asa, cucm) lists the read-only commands it runs and the parser of
// each; live SSH and offline replay of saved outputs both feed them.
package collectors

import (
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// Command is one read-only command of a platform and its parser.
type Command struct {
	// Key names the output in the offline layout: DIR/<host>/<Key>.txt.
	Key string
	// CLI is what is typed on the device.
	CLI string
	// Parse reads the output into d. It must leave d unchanged when it
	// returns an error, and that error should be a *facts.ParseError
	// naming the line.
	Parse func(data []byte, d *facts.Device) error
	// Optional commands are not expected on every device (their absence
	// is not reported as missing).
	Optional bool
	// OfflineOnly outputs are read from saved files but never typed live:
	// the command needs an argument the audit does not have (IOS's
	// show port-security interface wants an interface name, and the
	// saved file holds the blocks of the ports someone chose).
	OfflineOnly bool
	// When, if set, is asked before a live audit types the command, with
	// the facts read so far: a command worth its time only on some
	// devices (IOS-XE's derived config, where templates shape ports) is
	// skipped on the others. Offline, a saved output is read either way.
	When func(d *facts.Device) bool
}

// Live is cmds without the offline-only ones: what a live audit types.
func Live(cmds []Command) []Command {
	out := make([]Command, 0, len(cmds))
	for _, c := range cmds {
		if !c.OfflineOnly {
			out = append(out, c)
		}
	}
	return out
}

// Key derives the offline file key from a CLI command: lower case, spaces
// replaced by underscores.
func Key(cli string) string {
	return strings.ReplaceAll(strings.ToLower(strings.Join(strings.Fields(cli), " ")), " ", "_")
}
