package main

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/kaudit/kaudit/internal/labsim"
	"github.com/kaudit/kaudit/inventory"
)

func newDevsimCmd() *cobra.Command {
	var lab, dir string
	cmd := &cobra.Command{
		Use:   "devsim --lab DIR",
		Short: "Serve a lab directory as simulated devices over SSH on 127.0.0.1",
		Long: `devsim plays every host of a lab (the offline layout: DIR/inventory.yaml and
DIR/<host>/<key>.txt) as an SSH server on 127.0.0.1, with real prompts,
enable, paging and the platform's error messages. It writes an inventory that
points at the simulator, with a known_hosts file and a password file, so that
a live audit can be run against it:

  kaudit devsim --lab testdata/labs/case1-proxy-arp --dir /tmp/lab1 &
  kaudit audit -i /tmp/lab1/inventory.yaml

It listens on 127.0.0.1 only and never connects anywhere. Ctrl-C stops it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if lab == "" {
				return usageErr("devsim needs --lab DIR")
			}
			if dir == "" {
				return usageErr("devsim needs --dir DIR for the inventory, known_hosts and password files")
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return usageErr("--dir: %v", err)
			}
			l, err := labsim.Serve(cmd.Context(), lab, labsim.Options{Dir: dir})
			if err != nil {
				return usageErr("%v", err)
			}
			defer l.Close()
			invPath := filepath.Join(dir, "inventory.yaml")
			if err := os.WriteFile(invPath, inventory.Marshal(l.Inventory), 0o600); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for _, h := range l.Inventory.Hosts {
				fmt.Fprintf(w, "%-20s %-5s ssh -p %d %s@%s\n", h.Name, h.Platform, h.Port, h.Username, h.Address)
				if h.AXLPort != 0 {
					fmt.Fprintf(w, "%-20s %-5s https://%s/axl/ (certificate SHA-256 %s)\n", "", "axl", net.JoinHostPort(h.Address, strconv.Itoa(h.AXLPort)), h.AXLFingerprint)
				}
			}
			fmt.Fprintf(w, "inventory:   %s\nknown_hosts: %s\npassword:    %s\n", invPath, l.KnownHosts, filepath.Join(dir, "password"))
			stop := make(chan os.Signal, 1)
			signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
			select {
			case <-stop:
			case <-cmd.Context().Done():
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&lab, "lab", "", "lab directory to serve")
	cmd.Flags().StringVar(&dir, "dir", "", "directory for the generated inventory, known_hosts and password files")
	return cmd
}
