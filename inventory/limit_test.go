package inventory

import (
	"reflect"
	"testing"
)

// TestLimitKeepsCallManagers: a selection with a switch or an ASA keeps
// the call managers, whose SIP profiles and service parameters give the
// phones' keepalives; without them the rules fall back to defaults.
func TestLimitKeepsCallManagers(t *testing.T) {
	inv := campus(t)
	tests := []struct {
		expr       string
		want, kept []string
	}{
		{"sw-a-floor1", []string{"cucm-pub", "cucm-sub1", "sw-a-floor1"}, []string{"cucm-pub", "cucm-sub1"}},
		{"asa-edge-1,sw-b-floor2", []string{"asa-edge-1", "cucm-pub", "cucm-sub1", "sw-b-floor2"}, []string{"cucm-pub", "cucm-sub1"}},
		// one call manager selected: the other is kept too
		{"sw-a-floor1,cucm-pub", []string{"cucm-pub", "cucm-sub1", "sw-a-floor1"}, []string{"cucm-sub1"}},
		// & narrows what is audited, not what it depends on
		{"platform=ios,&tag=building-b", []string{"cucm-pub", "cucm-sub1", "sw-b-floor1", "sw-b-floor2"}, []string{"cucm-pub", "cucm-sub1"}},
		// a ! term naming a call manager is the user's word
		{"sw-a-floor1,!cucm-sub1", []string{"cucm-pub", "sw-a-floor1"}, []string{"cucm-pub"}},
		{"sw-a-floor1,!platform=cucm", []string{"sw-a-floor1"}, nil},
		// nothing depends on them: nothing added
		{"platform=cucm", []string{"cucm-pub", "cucm-sub1"}, nil},
		{"cucm-sub1", []string{"cucm-sub1"}, nil},
		{"nothing-matches", nil, nil},
		{"", []string{"asa-edge-1", "asa-edge-2", "core-1", "cucm-pub", "cucm-sub1", "sw-a-floor1", "sw-a-floor2", "sw-b-floor1", "sw-b-floor2"}, nil},
	}
	for _, tt := range tests {
		got, err := Limit(inv, tt.expr)
		if err != nil {
			t.Errorf("%q: %v", tt.expr, err)
			continue
		}
		names := hostNames(got)
		if !reflect.DeepEqual(names, tt.want) {
			t.Errorf("%q: hosts %v, want %v", tt.expr, names, tt.want)
		}
		if k := got.KeptCallManagers(); !reflect.DeepEqual(k, tt.kept) {
			t.Errorf("%q: kept %v, want %v", tt.expr, k, tt.kept)
		}
		// Host looks names up by binary search: the order must hold.
		for _, n := range names {
			if got.Host(n) == nil {
				t.Errorf("%q: Host(%s) not found in the selection", tt.expr, n)
			}
		}
	}
	if _, err := Limit(inv, "platfrom=ios"); err == nil {
		t.Error("a bad filter: no error")
	}
}
