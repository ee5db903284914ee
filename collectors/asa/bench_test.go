package asa

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// largeConfig is the voice config plus n objects, each with a static NAT
// rule, an access-list line and a twice NAT rule, the shape of a big
// edge firewall's configuration.
func largeConfig(tb testing.TB, n int) []byte {
	var b bytes.Buffer
	b.Write(testdata(tb, "asa-voice.cfg"))
	b.WriteString("\n")
	for i := range n {
		a, c := i/250, i%250
		fmt.Fprintf(&b, "object network SRV-%05d\n host 10.%d.%d.%d\n description server %d of the bench farm\n", i, 100+a%100, a, c+1, i)
		fmt.Fprintf(&b, "access-list outside_access_in extended permit tcp any object SRV-%05d eq https log\n", i)
	}
	for i := range n {
		fmt.Fprintf(&b, "object network SRV-%05d\n nat (inside,outside) static 198.18.%d.%d no-proxy-arp route-lookup\n", i, (i/250)%256, i%250+1)
		fmt.Fprintf(&b, "nat (inside,outside) source static SRV-%05d SRV-%05d destination static REMOTE-VPN-NET REMOTE-VPN-NET no-proxy-arp\n", i, i)
	}
	return b.Bytes()
}

// BenchmarkParseRunningConfig reports MB/s; run with -cpu 1.
func BenchmarkParseRunningConfig(b *testing.B) {
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"voice", testdata(b, "asa-voice.cfg")},
		{"large-20k-objects", largeConfig(b, 20000)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				d := &facts.Device{Name: "asa1"}
				if err := ParseRunningConfig(c.data, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestLargeConfig(t *testing.T) {
	d := &facts.Device{Name: "asa1"}
	if err := ParseRunningConfig(largeConfig(t, 500), d); err != nil {
		t.Fatal(err)
	}
	if len(d.ASA.Objects) != 9+500 || len(d.ASA.NAT) != 6+1000 {
		t.Errorf("%d objects, %d NAT rules", len(d.ASA.Objects), len(d.ASA.NAT))
	}
}
