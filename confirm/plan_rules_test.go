package confirm

import "testing"

// The rules added for issue 16 have a capture plan where a capture can
// show them: 802.1X/MAB on the phone's access port, a router's NAT or
// zone firewall at the call manager.
func TestPlanNewRules(t *testing.T) {
	for _, tc := range []struct {
		lab, rule, host, method string
	}{
		{"../testdata/labs/dot1x-inactivity", "dot1x-inactivity-shorter-than-keepalive", "sw-floor1", MethodEPC},
		{"../testdata/labs/edge-branch-router", "nat-timeout-shorter-than-keepalive", "cucm-pub", MethodCUCM},
		{"../testdata/labs/edge-branch-router", "zone-firewall-idle-shorter-than-keepalive", "cucm-pub", MethodCUCM},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			l, snap, findings := startLab(t, tc.lab, nil)
			for i := range findings {
				f := &findings[i]
				if f.Rule != tc.rule {
					continue
				}
				p, err := NewPlan(snap, l.Inventory, f, "")
				if err != nil {
					t.Fatal(err)
				}
				if p.Host != tc.host || p.Method != tc.method {
					t.Errorf("plan at %s by %s, want %s by %s", p.Host, p.Method, tc.host, tc.method)
				}
				return
			}
			t.Fatalf("lab %s has no %s finding", tc.lab, tc.rule)
		})
	}
}
