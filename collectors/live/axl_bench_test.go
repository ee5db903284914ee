package live

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/devsim"
	"github.com/kaudit/kaudit/internal/testutil"
	"github.com/kaudit/kaudit/inventory"
)

// BenchmarkCUCMTransport reads one call manager (case2's cucm-pub: 5 SIP
// profiles, 6 keepalive parameters, 13 phones) over the admin CLI and
// over AXL in turn, every command and every request answered after 50 ms,
// and reports the median of each (cli-ms, axl-ms). The two alternate in
// one loop, so that the machine's load falls on both alike. The login
// variant adds what a CUCM's CLI login costs before its first prompt
// ("login takes tens of seconds", issue 17); run it with -benchtime=5x.
//
//	go test -run '^$' -bench CUCMTransport -benchtime 15x ./collectors/live/
func BenchmarkCUCMTransport(b *testing.B) {
	for _, login := range []time.Duration{0, 20 * time.Second} {
		b.Run(fmt.Sprintf("login=%s", login), func(b *testing.B) {
			lab := filepath.Join(testutil.RepoRoot(b), "testdata", "labs", "case2-port-security-aging", "cucm-pub")
			h := simHost("cucm-pub", devsim.PlatformCUCM, lab, defaultCreds)
			h.Latency = 50 * time.Millisecond
			h.Faults.CUCMLoginDelay = login
			h.AXL = &devsim.AXL{}
			s := startSim(b, []devsim.Host{h}, devsim.Options{}, defaultCreds, nil)
			s.setWait(time.Minute, time.Minute, h.Name)
			viaCLI, viaAXL := s.inv, s.useAXL(b, inventory.TransportAXL)
			opt := quick(nil)
			opt.DeviceTimeout = 2 * time.Minute
			read := func(inv *inventory.Inventory) time.Duration {
				t0 := time.Now()
				snap, err := Collect(context.Background(), inv, opt)
				d := time.Since(t0)
				if err != nil || snap.Devices[0].Status != facts.StatusOK || len(snap.Devices[0].CUCM.Phones) != 13 {
					b.Fatalf("%v %+v", err, snap.Devices[0])
				}
				return d
			}
			var cli, axl []time.Duration
			b.ResetTimer()
			for range b.N {
				cli = append(cli, read(viaCLI))
				axl = append(axl, read(viaAXL))
			}
			median := func(ds []time.Duration) float64 {
				slices.Sort(ds)
				return float64(ds[len(ds)/2]) / float64(time.Millisecond)
			}
			b.ReportMetric(median(cli), "cli-ms")
			b.ReportMetric(median(axl), "axl-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
