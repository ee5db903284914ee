package ios_test

// An external test package: collectors/platform imports this package, so
// the package's own tests cannot import it.

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/collectors/platform"
	"github.com/kaudit/kaudit/facts"
)

// labSwitch is a 48-port access switch of the lab cases, with phones on
// half its ports: the device a live-audit scale test simulates.
const labSwitch = "../../testdata/labs/case2-port-security-aging/sw-floor1"

// labOutputs reads the lab switch's output of every IOS command, or of
// those a live audit types.
func labOutputs(b *testing.B, live bool) ([]collectors.Command, map[string][]byte) {
	cmds, err := platform.Commands(facts.PlatformIOS)
	if err != nil {
		b.Fatal(err)
	}
	if live {
		cmds = collectors.Live(cmds)
	}
	files := map[string][]byte{}
	for _, c := range cmds {
		data, err := os.ReadFile(filepath.Join(labSwitch, c.Key+".txt"))
		if err != nil {
			b.Fatal(err)
		}
		files[c.Key] = data
	}
	return cmds, files
}

// labDevice collects one device the way a live audit does. Each read hands
// out a fresh copy, as an SSH read would, so that a parser keeping a piece
// of its input alive shows up in the live heap.
func labDevice(cmds []collectors.Command, files map[string][]byte) *facts.Device {
	d := &facts.Device{Name: "sw-floor1", Platform: facts.PlatformIOS}
	collectors.Apply(d, cmds, func(key string) ([]byte, error) {
		data, ok := files[key]
		if !ok {
			return nil, fmt.Errorf("%s: %w", key, fs.ErrNotExist)
		}
		return bytes.Clone(data), nil
	})
	return d
}

// BenchmarkLabDevice parses every output a live audit collects from one
// lab switch (all but the offline-only show port-security interface) into
// one device, and reports what the device keeps alive: the heap still in
// use, after a collection, per device of a batch.
func BenchmarkLabDevice(b *testing.B) {
	cmds, files := labOutputs(b, true)
	if d := labDevice(cmds, files); d.Status != facts.StatusOK || len(d.Switch.Interfaces) < 48 || len(d.Switch.PoE) < 48 {
		b.Fatalf("lab device parsed badly: status %s, errors %v", d.Status, d.Errors)
	}
	b.ReportAllocs()
	for b.Loop() {
		labDevice(cmds, files)
	}
	b.StopTimer()

	const batch = 200
	keep := make([]*facts.Device, batch)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keep {
		keep[i] = labDevice(cmds, files)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/batch, "live-B/device")
	runtime.KeepAlive(keep)
}

// BenchmarkLabOutput parses each of the lab switch's outputs alone.
func BenchmarkLabOutput(b *testing.B) {
	cmds, files := labOutputs(b, false)
	for _, c := range cmds {
		b.Run(c.Key, func(b *testing.B) {
			data := files[c.Key]
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				d := &facts.Device{Name: "sw-floor1"}
				if err := c.Parse(data, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
