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

// aclConfig is the voice config plus objects network objects (hosts and
// subnets), objects/10 service groups and acls access-list entries over
// them in the forms a big firewall's rule base uses: objects, groups,
// literal addresses, named and numeric ports, ranges and port groups.
func aclConfig(tb testing.TB, objects, acls int) []byte {
	var b bytes.Buffer
	b.Write(testdata(tb, "asa-voice.cfg"))
	b.WriteString("\n")
	for i := range objects {
		if i%2 == 0 {
			fmt.Fprintf(&b, "object network H-%05d\n host 10.%d.%d.%d\n", i, 100+i/62500, i/250%250, i%250+1)
		} else {
			fmt.Fprintf(&b, "object network N-%05d\n subnet 172.%d.%d.0 255.255.255.0\n", i, 16+i/250%16, i%250)
		}
	}
	for g := range objects / 10 {
		fmt.Fprintf(&b, "object-group service SVC-%04d tcp-udp\n port-object eq %d\n port-object range %d %d\n", g, 1024+g, 20000+g, 20010+g)
	}
	for i := range acls {
		o := i % objects
		name := fmt.Sprintf("H-%05d", o-o%2)
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "access-list outside_access_in extended permit tcp any object %s eq https log\n", name)
		case 1:
			fmt.Fprintf(&b, "access-list outside_access_in extended permit udp object N-%05d object %s object-group SVC-%04d\n", o|1, name, i%(objects/10))
		case 2:
			fmt.Fprintf(&b, "access-list inside_access_in extended permit tcp 10.%d.%d.0 255.255.255.0 host 192.0.2.%d range 8000 8100\n", i/250%250, i%250, i%250+1)
		case 3:
			fmt.Fprintf(&b, "access-list inside_access_in extended deny ip object-group VOICE-ALL object N-%05d\n", o|1)
		default:
			fmt.Fprintf(&b, "access-list inside_access_in remark rule %d of the bench rule base\n", i)
		}
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
		{"acl-20k-entries-2k-objects", aclConfig(b, 2000, 20000)},
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

func TestLargeACLConfig(t *testing.T) {
	d := &facts.Device{Name: "asa1"}
	if err := ParseRunningConfig(aclConfig(t, 2000, 20000), d); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range d.ASA.AccessLists {
		n += len(l.Entries)
	}
	// asa-voice.cfg has 4 entries of its own.
	if n != 20000+4 || len(d.ASA.Objects) != 2000+9 || len(d.ASA.ServiceGroups) != 200+1 || len(d.Warnings) != 0 {
		t.Errorf("%d entries, %d objects, %d service groups, warnings %v", n, len(d.ASA.Objects), len(d.ASA.ServiceGroups), d.Warnings)
	}
}
