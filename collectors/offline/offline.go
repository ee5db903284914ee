// Package offline replays saved device outputs: DIR/inventory.yaml and
// DIR/<host>/<key>.txt, the layout live collection writes with --save-raw.
package offline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/collectors/platform"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/inventory"
)

// InventoryFile is the inventory's name inside an offline directory.
const InventoryFile = "inventory.yaml"

// Load reads the inventory of dir. Errors name the file and line.
func Load(dir string) (*inventory.Inventory, error) {
	p := filepath.Join(dir, InventoryFile)
	// inventory.Load opens the file as it is: a FIFO would block it, and
	// a link out of dir would be followed.
	st, err := statInDir(dir, InventoryFile)
	if err == nil {
		err = regular(p, st)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	return inventory.Load(p)
}

// Collect builds the snapshot of every host of inv from the outputs saved
// under dir. A host whose outputs are missing or broken is reported on its
// device entry; the others are collected in full. ctx is checked between
// hosts so a huge directory can be interrupted.
func Collect(ctx context.Context, dir string, inv *inventory.Inventory) (*facts.Snapshot, error) {
	snap := &facts.Snapshot{}
	for i := range inv.Hosts {
		if err := ctx.Err(); err != nil {
			return snap, err
		}
		snap.Devices = append(snap.Devices, CollectHost(dir, &inv.Hosts[i]))
	}
	return snap, nil
}

// CollectHost reads one host's saved outputs.
func CollectHost(dir string, h *inventory.Host) *facts.Device {
	d := collectors.NewDevice(h)
	cmds, err := platform.Commands(h.Platform)
	if err != nil {
		d.Status, d.Error = facts.StatusFailed, err.Error()
		return d
	}
	hostDir := filepath.Join(dir, h.Name)
	st, err := statInDir(dir, h.Name)
	if err == nil && !st.IsDir() || errors.Is(err, fs.ErrNotExist) {
		d.Status = facts.StatusFailed
		d.Error = fmt.Sprintf("no saved outputs: %s is not a directory", hostDir)
		return d
	}
	if err != nil {
		d.Status, d.Error = facts.StatusFailed, "no saved outputs: "+err.Error()
		return d
	}
	// CUCM outputs saved over AXL are read with AXL's parsers.
	cmds, err = platform.SavedCommands(h.Platform, func(key string) bool {
		_, err := statInDir(dir, filepath.Join(h.Name, key+".txt"))
		return err == nil
	})
	if err != nil {
		d.Status, d.Error = facts.StatusFailed, err.Error()
		return d
	}
	collectors.Apply(d, cmds, DirReader(hostDir))
	// Files that no command of the platform reads are reported, so a typo
	// in a file name does not silently leave a fact unknown.
	known := map[string]bool{}
	for _, c := range cmds {
		known[c.Key+".txt"] = true
	}
	entries, _ := os.ReadDir(hostDir)
	var unknown []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".txt") && !known[e.Name()] {
			unknown = append(unknown, e.Name())
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		d.Errors = append(d.Errors, &facts.ParseError{Host: h.Name, Key: strings.TrimSuffix(name, ".txt"),
			Msg: fmt.Sprintf("unknown command key for platform %s: file ignored", h.Platform)})
	}
	if len(unknown) > 0 && d.Status == facts.StatusOK {
		d.Status = facts.StatusPartial
	}
	return d
}
