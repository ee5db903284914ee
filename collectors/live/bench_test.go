package live

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/devsim"
)

// BenchmarkCollect audits 60 simulated devices (20 each of IOS, ASA and
// CUCM from the test lab) with the default 16 workers.
func BenchmarkCollect(b *testing.B) {
	c := defaultCreds
	var hosts []devsim.Host
	for i := 0; i < 20; i++ {
		hosts = append(hosts,
			simHost(fmt.Sprintf("sw%02d", i), "ios", filepath.Join(ownLab, "sw1"), c),
			simHost(fmt.Sprintf("asa%02d", i), "asa", filepath.Join(ownLab, "asa1"), c),
			simHost(fmt.Sprintf("cucm%02d", i), "cucm", filepath.Join(ownLab, "cucm1"), c))
	}
	s := startSimB(b, hosts, c)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		snap, err := Collect(context.Background(), s.inv, quick(nil))
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range snap.Devices {
			if d.Status == facts.StatusFailed {
				b.Fatalf("%s: %s", d.Name, d.Error)
			}
		}
	}
	b.ReportMetric(float64(len(hosts)*b.N)/b.Elapsed().Seconds(), "devices/s")
}
