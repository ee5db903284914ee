package capture

import (
	"testing"

	"github.com/kaudit/kaudit/capture/internal/pcapgen"
)

// TestARPAccessors: confirm reads who answered and who asked for one
// address through these, so they must agree with the generated capture.
func TestARPAccessors(t *testing.T) {
	fa := analyzeFile(t, "testdata/proxy_arp.pcap", Options{})
	for _, tc := range []struct {
		ip       string
		asked    int
		answered bool
		macs     int
	}{
		// Two requests from the phone; CUCM's gratuitous ARP is not one.
		{pcapgen.ARPCUCM.IP.String(), 2, true, 2},
		{pcapgen.ASA.IP.String(), 1, true, 1},
		{pcapgen.ARPPhone.IP.String(), 0, false, 0},
		{"not an address", 0, false, 0},
	} {
		if got := fa.ARPRequestsFor(tc.ip); got != tc.asked {
			t.Errorf("ARPRequestsFor(%s) = %d, want %d", tc.ip, got, tc.asked)
		}
		ans, ok := fa.ARP.Answer(tc.ip)
		if ok != tc.answered || len(ans.MACs) != tc.macs || (ok && ans.IP != tc.ip) {
			t.Errorf("Answer(%s) = %+v, %v; want %d MACs, found %v", tc.ip, ans, ok, tc.macs, tc.answered)
		}
	}
	if fa.Counts.ARPRequests != 4 {
		t.Errorf("ARP requests %d, want 4 (the per-address count must not change the total)", fa.Counts.ARPRequests)
	}
}
