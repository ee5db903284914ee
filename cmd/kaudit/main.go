// Command kaudit audits IP-telephony networks: it reads access switches,
// ASAs and CUCM nodes (live over SSH or from saved outputs), builds one
// snapshot and runs cross-device keepalive rules on it.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/report"
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErr marks an input or usage error (exit 2).
func usageErr(format string, args ...any) error {
	return &exitError{code: report.ExitUsage, err: fmt.Errorf(format, args...)}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "kaudit",
		Short:         "Audit an IP-telephony network for timers that unregister phones",
		Long:          "kaudit logs into access switches, ASAs and CUCM nodes (read-only), builds one snapshot of the voice network and runs cross-device rules on it: a timer on one box shorter than a keepalive on another is a finding.",
		Version:       app.BuildVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// The same first line as `kaudit version`.
	root.SetVersionTemplate("kaudit {{.Version}}\n")
	root.AddCommand(newAuditCmd(), newCheckCmd(), newParseCmd(), newRulesCmd(), newDevsimCmd(), newDemoCmd(), newPcapCmd(), newConfirmCmd(), newRunsCmd(), newShowCmd(), newDiffCmd(), newVersionCmd())
	return root
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	return execute(newRoot(), args)
}

func execute(root *cobra.Command, args []string) int {
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(root.ErrOrStderr(), "kaudit:", ee.err)
		}
		return ee.code
	}
	// cobra's own errors (unknown flag, bad args) are usage errors.
	fmt.Fprintln(root.ErrOrStderr(), "kaudit:", err)
	return report.ExitUsage
}
