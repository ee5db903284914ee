package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/kaudit/kaudit/collectors/live"
	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/collectors/platform"
	"github.com/kaudit/kaudit/inventory"
	"github.com/kaudit/kaudit/store"
)

// offlineOutputs reads, for the run history, the outputs an offline
// audit of dir read: every saved file of a command of each host's
// platform. A host without any gets none, as a live device that failed.
func offlineOutputs(ctx context.Context, dir string, inv *inventory.Inventory) *store.Outputs {
	outs := store.NewOutputs()
	next := make(chan int)
	var wg sync.WaitGroup
	// Compressing is the cost; a large directory uses every core.
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if m := hostOutputs(dir, &inv.Hosts[i]); m != nil {
					outs.Set(i, m)
				}
			}
		}()
	}
	for i := range inv.Hosts {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return outs
}

// hostOutputs is what the offline collector reads of host h, nil when
// it reads nothing (the device failed).
func hostOutputs(dir string, h *inventory.Host) map[string][]byte {
	cmds, err := platform.AllCommands(h.Platform)
	if err != nil {
		return nil
	}
	read := offline.DirReader(filepath.Join(dir, h.Name))
	m := map[string][]byte{}
	for _, c := range cmds {
		if data, err := read(c.Key); err == nil {
			m[c.Key] = data
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// writeRunRaw writes run id back out into dir in the offline layout, as
// audit --save-raw wrote it (the same care for what dir already holds).
func writeRunRaw(ctx context.Context, stderr io.Writer, st *store.Store, id int64, dir string) error {
	ro, err := st.RunOutputs(ctx, id)
	if err != nil {
		return usageErr("%v", err)
	}
	if !ro.Any() || ro.Inventory == nil {
		return usageErr("--save-raw: run #%d recorded no outputs (a kaudit older than the outputs store recorded it, or no device was collected): nothing to write to %s", id, dir)
	}
	inv, err := inventory.Parse(fmt.Sprintf("%s run #%d inventory", st.Path(), id), ro.Inventory)
	if err != nil {
		return usageErr("--save-raw: %v", err)
	}
	if err := live.WriteInventory(dir, inv); err != nil {
		return usageErr("--save-raw: %v", err)
	}
	written, none := 0, 0
	for i, d := range ro.Devices {
		if !d.Recorded {
			// As a live audit leaves no outputs of a device that failed.
			none++
			if err := live.RemoveHost(dir, d.Name); err != nil {
				return usageErr("--save-raw: %v", err)
			}
			continue
		}
		outs := make(map[string][]byte, len(d.Keys))
		for _, k := range d.Keys {
			if outs[k], err = ro.Read(ctx, i, k); err != nil {
				return usageErr("--save-raw: %v", err)
			}
		}
		if err := live.WriteHost(dir, d.Name, outs); err != nil {
			return usageErr("--save-raw: %v", err)
		}
		written++
	}
	fmt.Fprintf(stderr, "kaudit: run #%d written to %s in the offline layout: %d device(s)", id, dir, written)
	if none > 0 {
		fmt.Fprintf(stderr, ", %d without outputs (they failed in that run)", none)
	}
	fmt.Fprintln(stderr)
	return nil
}
