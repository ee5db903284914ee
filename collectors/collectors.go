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
}

// Key derives the offline file key from a CLI command: lower case, spaces
// replaced by underscores.
func Key(cli string) string {
	return strings.ReplaceAll(strings.ToLower(strings.Join(strings.Fields(cli), " ")), " ", "_")
}
