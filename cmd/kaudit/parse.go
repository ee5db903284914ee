package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/collectors/platform"
	"github.com/kaudit/kaudit/facts"
)

func newParseCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "parse PLATFORM KEY [FILE|-]",
		Short: "Parse one saved command output and print its facts as JSON",
		Long: `Parse runs one parser on a saved output (FILE, or standard input with - or no
FILE) and prints the facts as JSON, like genie parse. PLATFORM is ios, asa or
cucm; KEY is the command key (show_running-config, show_cdp_neighbors_detail,
sql_sipprofile, ...) or the command itself in quotes.

  kaudit parse ios show_cdp_neighbors_detail sw1/show_cdp_neighbors_detail.txt`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			key := args[1]
			if strings.Contains(key, " ") {
				key = collectors.Key(key)
			}
			c, err := platform.Command(args[0], key)
			if err != nil {
				return usageErr("%v", err)
			}
			name := "-"
			var data []byte
			if len(args) == 3 && args[2] != "-" {
				name = args[2]
				// Bounded, regular files only: /dev/zero or a FIFO
				// would read or wait without end.
				data, err = offline.ReadOutput(name)
			} else {
				data, err = io.ReadAll(io.LimitReader(cmd.InOrStdin(), facts.MaxOutputBytes+1))
			}
			if err != nil {
				return usageErr("%v", err)
			}
			// No host: parse prints facts of one output, not of a device.
			d := &facts.Device{Platform: args[0]}
			if perr := collectors.ParseOne(c, data, d); perr != nil {
				perr.Host = ""
				return usageErr("%s: %v", name, perr)
			}
			var v any
			switch {
			case d.Switch != nil:
				v = d.Switch
			case d.ASA != nil:
				v = d.ASA
			case d.CUCM != nil:
				v = d.CUCM
			default:
				v = struct{}{}
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			if err := enc.Encode(v); err != nil {
				return fmt.Errorf("writing JSON: %w", err)
			}
			return nil
		},
	}
}
