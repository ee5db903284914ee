package precheck

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkApplyPatch applies a 48-port change to a 48-port switch's
// running config.
func BenchmarkApplyPatch(b *testing.B) {
	cfg := savedConfig(b, "case2-port-security-aging", "sw-floor1")
	var p strings.Builder
	for i := 1; i <= 48; i++ {
		fmt.Fprintf(&p, "interface GigabitEthernet1/0/%d\n switchport port-security aging time 5\n no switchport port-security aging type\n description port %d\n!\n", i, i)
	}
	patch := []byte(p.String())
	b.SetBytes(int64(len(cfg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ApplyPatch(cfg, patch, "p.txt"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRun is a whole check of a one-port patch against a lab: collect
// the baseline, patch, re-collect the switch, evaluate twice, diff.
func BenchmarkRun(b *testing.B) {
	o := offlineOptions(b, "case2-port-security-aging")
	ch := Change{Device: "sw-floor1", Name: "p.txt", Patch: []byte("interface GigabitEthernet1/0/1\n switchport port-security aging time 5\n")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(context.Background(), o, ch); err != nil {
			b.Fatal(err)
		}
	}
}
