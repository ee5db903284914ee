package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/inventory"
)

// labDevice is a lab device whose outputs stand for every synthetic
// device of its platform.
var labDevice = map[string]struct{ lab, host string }{
	facts.PlatformIOS:  {"case2-port-security-aging", "sw-floor1"},
	facts.PlatformASA:  {"case1-proxy-arp", "asa-edge"},
	facts.PlatformCUCM: {"case2-port-security-aging", "cucm-pub"},
}

// synthOutputs gives each device of a synthetic snapshot the outputs of
// the lab device of its platform, with the lab's host name replaced by
// its own (prompts name the device, so no two devices' outputs are
// equal), and a CUCM node that lists phones a sql_phones of all of them.
// It returns them with the run's inventory.
func synthOutputs(t testing.TB, snap *facts.Snapshot) (*Outputs, []byte) {
	t.Helper()
	tmpl := map[string]map[string][]byte{}
	for platform, ld := range labDevice {
		dir := filepath.Join(repoRoot(t), "testdata", "labs", ld.lab, ld.host)
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		tmpl[platform] = map[string][]byte{}
		for _, e := range ents {
			if tmpl[platform][strings.TrimSuffix(e.Name(), ".txt")], err = os.ReadFile(filepath.Join(dir, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	o := NewOutputs()
	inv := &inventory.Inventory{}
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				d := snap.Devices[i]
				ld := labDevice[d.Platform]
				outs := map[string][]byte{}
				for k, v := range tmpl[d.Platform] {
					outs[k] = bytes.ReplaceAll(v, []byte(ld.host), []byte(d.Name))
				}
				if d.CUCM != nil && len(d.CUCM.Phones) > 0 {
					outs["sql_phones"] = phoneList(d.CUCM.Phones)
				}
				o.Set(i, outs)
			}
		}()
	}
	for i, d := range snap.Devices {
		inv.Hosts = append(inv.Hosts, inventory.Host{Name: d.Name, Platform: d.Platform, Address: fmt.Sprintf("10.%d.%d.%d", 100+i>>16, i>>8&255, i&255),
			Username: "kaudit", Password: inventory.SecretRef{Kind: inventory.SecretFile, Ref: "/etc/kaudit/password"}})
		next <- i
	}
	close(next)
	wg.Wait()
	return o, inventory.Marshal(inv)
}

// phoneList is the run sql output listing phones.
func phoneList(phones []facts.CUCMPhone) []byte {
	var b bytes.Buffer
	b.WriteString("name            description      model      protocol sipprofile\n")
	b.WriteString("=============== ================ ========== ======== ====================\n")
	for _, p := range phones {
		fmt.Fprintf(&b, "%-15s %-16s %-10s %-8s %s\n", p.Name, "Auto "+p.Name, strings.ReplaceAll(p.Model, " ", "_"), p.Protocol, p.SIPProfile)
	}
	return b.Bytes()
}
