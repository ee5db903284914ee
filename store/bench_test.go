package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kaudit/kaudit/facts"
)

// The 10,000-device run of the budget: under 5 s to store, and
// under 1 MB of growth for an unchanged second run. The run carries its
// outputs (about 57 KB a switch, and the publisher's list of 470,000
// phones), compressed before SaveRun as a live audit compresses them
// while it collects.
var big struct {
	once sync.Once
	rec  RunRecord
	snap *facts.Snapshot
}

func bigRun(b *testing.B) (RunRecord, *facts.Snapshot) {
	b.Helper()
	big.once.Do(func() {
		big.rec, big.snap = synthRun(10000, 12)
		big.rec.Outputs, big.rec.Inventory = synthOutputs(b, big.snap)
	})
	return big.rec, big.snap
}

// BenchmarkSaveRun10k measures storing the 10,000-device run into a new
// store, again unchanged, and again with one device changed (its facts
// and its running config); the db-bytes metrics are the file size
// (first) and its growth per run (the others), after a checkpoint.
//
//	go test ./store -run '^$' -bench SaveRun10k -benchtime 3x
func BenchmarkSaveRun10k(b *testing.B) {
	ctx := context.Background()
	rec, snap := bigRun(b)
	b.Logf("%d devices, %d findings", len(snap.Devices), len(rec.Findings))
	b.Run("first", func(b *testing.B) {
		var size int64
		var cpu time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			dir := filepath.Join(b.TempDir(), fmt.Sprint(i))
			s, err := Open(ctx, filepath.Join(dir, "h.db"), Options{})
			if err != nil {
				b.Fatal(err)
			}
			c0 := cpuTime()
			b.StartTimer()
			if _, err := s.SaveRun(ctx, rec, snap); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			cpu += cpuTime() - c0
			size = dbSize(b, s)
			s.Close()
			os.RemoveAll(dir)
			b.StartTimer()
		}
		b.ReportMetric(float64(size), "db-bytes")
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	})
	for _, change := range []bool{false, true} {
		name := "unchanged"
		if change {
			name = "one-device-changed"
		}
		b.Run(name, func(b *testing.B) {
			s, _ := openTemp(b, Options{})
			if _, err := s.SaveRun(ctx, rec, snap); err != nil {
				b.Fatal(err)
			}
			before := dbSize(b, s)
			last := len(snap.Devices) - 1
			sw := snap.Devices[last]
			tags := sw.Tags
			outs, _ := rec.Outputs.get(last)
			defer func() { sw.Tags = tags; rec.Outputs.devs[last] = outs }()
			c0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if change {
					b.StopTimer()
					sw.Tags = []string{fmt.Sprint("change-", i)}
					rec.Outputs.Set(last, map[string][]byte{"show_running-config": fmt.Appendf(nil, "hostname %s\n! change %d\n", sw.Name, i)})
					b.StartTimer()
				}
				if _, err := s.SaveRun(ctx, rec, snap); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric((cpuTime()-c0).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(dbSize(b, s)-before)/float64(b.N), "db-bytes/run")
		})
	}
}

// BenchmarkRead10k measures reading the 10,000-device run back: its
// findings (Run) and its whole snapshot. cpu-s/op is the process's CPU
// time, which a loaded machine disturbs less than the wall time.
//
//	go test ./store -run '^$' -bench Read10k -benchtime 2x
func BenchmarkRead10k(b *testing.B) {
	ctx := context.Background()
	rec, snap := bigRun(b)
	s, _ := openTemp(b, Options{})
	id, err := s.SaveRun(ctx, rec, snap)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Run", func(b *testing.B) {
		c0 := cpuTime()
		for i := 0; i < b.N; i++ {
			r, err := s.Run(ctx, id)
			if err != nil || len(r.Findings) != len(rec.Findings) {
				b.Fatalf("%v", err)
			}
		}
		b.ReportMetric((cpuTime()-c0).Seconds()/float64(b.N), "cpu-s/op")
	})
	b.Run("Snapshot", func(b *testing.B) {
		c0 := cpuTime()
		for i := 0; i < b.N; i++ {
			got, err := s.Snapshot(ctx, id)
			if err != nil || len(got.Devices) != len(snap.Devices) {
				b.Fatalf("%v", err)
			}
		}
		b.ReportMetric((cpuTime()-c0).Seconds()/float64(b.N), "cpu-s/op")
	})
}
