package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	bundled "github.com/kaudit/kaudit"
	"github.com/kaudit/kaudit/collectors/live"
	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/internal/labsim"
	"github.com/kaudit/kaudit/report"
)

// demoLabs are the labs the demo plays: the note's two case studies and a
// healthy site.
var demoLabs = []string{"case1-proxy-arp", "case2-port-security-aging", "clean"}

func newDemoCmd() *cobra.Command {
	var o outputOpts
	var labs []string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Audit bundled labs live over SSH, played by the device simulator on 127.0.0.1",
		Long: `demo starts the bundled labs — the troubleshooting note's case 1 (an ASA
answering ARP for the call manager), case 2 (port-security inactivity aging
shorter than the SIP keepalive) and a clean site — as simulated switches, ASAs
and CUCM nodes on 127.0.0.1, audits each one live over SSH exactly as a real
network would be audited (host keys checked, read-only commands only), and
prints the reports. A lab with CUCM syslog (its events/ directory; case 2:
Reason=13 every 16 min for its phones) shows the symptom side too, as
audit --events does. Nothing leaves the machine.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), cmd.OutOrStdout(), &o, labs)
		},
	}
	o.register(cmd)
	cmd.Flags().StringSliceVar(&labs, "lab", demoLabs, "bundled labs to play (see testdata/labs)")
	return cmd
}

func runDemo(ctx context.Context, stdout io.Writer, o *outputOpts, labs []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	failOn, err := o.severity()
	if err != nil {
		return err
	}
	pol, err := loadPolicy(o.policy)
	if err != nil {
		return err
	}
	w, err := report.New(o.format)
	if err != nil {
		return usageErr("--format: %v", err)
	}
	out, closeOut, err := openOut(stdout, o.out)
	if err != nil {
		return err
	}
	defer closeOut()
	tmp, err := os.MkdirTemp("", "kaudit-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	code := 0
	for i, name := range labs {
		dir := filepath.Join(tmp, name)
		if err := extractLab(name, dir); err != nil {
			return usageErr("lab %s: %v", name, err)
		}
		started := time.Now()
		lab, err := labsim.Serve(ctx, dir, labsim.Options{Dir: filepath.Join(tmp, name+".sim")})
		if err != nil {
			return fmt.Errorf("lab %s: %w", name, err)
		}
		snap, err := live.Collect(ctx, lab.Inventory, live.Options{KnownHostsFile: lab.KnownHosts})
		lab.Close()
		if err != nil {
			return &exitError{code: report.ExitIncomplete, err: fmt.Errorf("lab %s: %w", name, err)}
		}
		res := app.Evaluate(snap, pol, "live (simulated on 127.0.0.1) lab "+name, started, failOn)
		if ev := app.OfflineEvents(dir, lab.Inventory); len(ev) > 0 {
			h, err := app.ReadEvents(ctx, ev)
			if err != nil {
				return fmt.Errorf("lab %s: %w", name, err)
			}
			app.JoinEvents(res, snap, h)
		}
		if i > 0 && (o.format == "table" || o.format == "markdown") {
			fmt.Fprintln(out)
		}
		if o.format == "table" {
			fmt.Fprintf(out, "=== lab %s ===\n", name)
		}
		if err := w.Write(out, res); err != nil {
			return err
		}
		code = worseExit(code, res.ExitCode())
	}
	if code != 0 {
		return &exitError{code: code}
	}
	return nil
}

// worseExit keeps the exit code that matters most: findings, then an
// incomplete audit, then clean.
func worseExit(a, b int) int {
	rank := map[int]int{report.ExitClean: 0, report.ExitIncomplete: 1, report.ExitFindings: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// extractLab copies a bundled lab out of the binary into dir.
func extractLab(name, dir string) error {
	root := "testdata/labs/" + name
	if _, err := fs.Stat(bundled.Labs, root+"/inventory.yaml"); err != nil {
		return fmt.Errorf("no bundled lab %q", name)
	}
	return fs.WalkDir(bundled.Labs, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := fs.ReadFile(bundled.Labs, p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}
