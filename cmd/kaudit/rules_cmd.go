package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

func newRulesCmd() *cobra.Command {
	var long bool
	cmd := &cobra.Command{
		Use:   "rules [ID]",
		Short: "List the rules, or explain one",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			if len(args) == 1 {
				r := rules.Lookup(args[0])
				if r == nil {
					return usageErr("unknown rule %q (kaudit rules lists them)", args[0])
				}
				fmt.Fprintf(w, "%s (%s)\n%s\n\n%s\n", r.ID, r.Severity, r.Summary, r.Doc)
				return nil
			}
			for _, r := range rules.All() {
				fmt.Fprintf(w, "%-46s %-8s %s\n", r.ID, r.Severity, r.Summary)
				if long {
					fmt.Fprintf(w, "\n%s\n\n", indent(r.Doc, "    "))
				}
			}
			if long {
				// Every rule compares a timer with these.
				fmt.Fprintf(w, "\nPhone keepalives (how long a phone can stay silent):\n\n")
				for _, f := range facts.KeepaliveFormulas {
					fmt.Fprintf(w, "  %s\n    %s\n    source: %s\n", f.What, f.Formula, f.Source)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&long, "long", "l", false, "print every rule's documentation")
	return cmd
}

func indent(s, by string) string {
	return by + strings.ReplaceAll(s, "\n", "\n"+by)
}
