package live

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/devsim"
)

// TestOutputsCallback: Options.Outputs hands out exactly what SaveRaw
// writes (redacted), by inventory position, and nothing of a device that
// failed.
func TestOutputsCallback(t *testing.T) {
	lab := repoLab(t, "case1-proxy-arp")
	hosts, labInv := labSim(t, lab, defaultCreds)
	failed := hosts[len(hosts)-1].Name
	hosts[len(hosts)-1].Faults = devsim.Faults{AuthFail: true}
	s := startSim(t, hosts, devsim.Options{}, defaultCreds, labInv)
	opt := quick(nil)
	opt.SaveRaw = t.TempDir()
	var mu sync.Mutex
	got := map[int]map[string][]byte{}
	opt.Outputs = func(i int, outs map[string][]byte) {
		mu.Lock()
		defer mu.Unlock()
		if _, ok := got[i]; ok {
			t.Errorf("outputs of host %d handed out twice", i)
		}
		got[i] = outs
	}
	snap, err := Collect(context.Background(), s.inv, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range snap.Devices {
		outs, ok := got[i]
		if d.Name == failed {
			if ok || d.Status != facts.StatusFailed {
				t.Errorf("%s (%s): outputs handed out for a device that failed", d.Name, d.Status)
			}
			continue
		}
		if !ok || len(outs) == 0 {
			t.Errorf("%s: no outputs handed out", d.Name)
			continue
		}
		ents, err := os.ReadDir(filepath.Join(opt.SaveRaw, d.Name))
		if err != nil || len(ents) != len(outs) {
			t.Errorf("%s: %d outputs handed out, %d saved (%v)", d.Name, len(outs), len(ents), err)
		}
		for key, out := range outs {
			saved, err := os.ReadFile(filepath.Join(opt.SaveRaw, d.Name, key+".txt"))
			if err != nil || !bytes.Equal(saved, out) {
				t.Errorf("%s/%s: handed out differs from saved (%v)", d.Name, key, err)
			}
		}
	}
}
