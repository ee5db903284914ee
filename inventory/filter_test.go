package inventory

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// campus is the example inventory of testdata: switches in two
// buildings, an ASA pair, a CUCM cluster.
func campus(t *testing.T) *Inventory {
	t.Helper()
	inv, err := Load(filepath.Join("testdata", "inventory.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// hostNames lists the hosts of inv in order.
func hostNames(inv *Inventory) []string {
	var names []string
	for _, h := range inv.Hosts {
		names = append(names, h.Name)
	}
	return names
}

func TestFilter(t *testing.T) {
	inv := campus(t)
	all := []string{"asa-edge-1", "asa-edge-2", "core-1", "cucm-pub", "cucm-sub1", "sw-a-floor1", "sw-a-floor2", "sw-b-floor1", "sw-b-floor2"}
	tests := []struct {
		expr string
		want []string
	}{
		{"", all},
		{"  ", all},
		{"sw-*", []string{"sw-a-floor1", "sw-a-floor2", "sw-b-floor1", "sw-b-floor2"}},
		{"cucm-pub", []string{"cucm-pub"}},
		{"name=asa-edge-?", []string{"asa-edge-1", "asa-edge-2"}},
		{"platform=ios", []string{"core-1", "sw-a-floor1", "sw-a-floor2", "sw-b-floor1", "sw-b-floor2"}},
		{"platform=cucm", []string{"cucm-pub", "cucm-sub1"}},
		// inherited membership counts: building-a hosts are in switches too
		{"group=switches", []string{"sw-a-floor1", "sw-a-floor2", "sw-b-floor1", "sw-b-floor2"}},
		{"group=old-ios", []string{"sw-a-floor2", "sw-b-floor2"}},
		{"tag=building-b", []string{"sw-b-floor1", "sw-b-floor2"}},
		{"tag=lyon", all},
		{"role=cucm-primary", []string{"cucm-pub"}},
		{"role=cucm-*", []string{"cucm-pub", "cucm-sub1"}},
		// A comma is OR, as in Ansible's --limit: a,b is every host a or b
		// matches.
		{"cucm-pub,asa-edge-1", []string{"asa-edge-1", "cucm-pub"}},
		{"platform=asa,tag=uc", []string{"asa-edge-1", "asa-edge-2", "cucm-pub", "cucm-sub1"}},
		{"sw-a-floor1, sw-b-*", []string{"sw-a-floor1", "sw-b-floor1", "sw-b-floor2"}},
		{"platform=ios,group=old-ios", []string{"core-1", "sw-a-floor1", "sw-a-floor2", "sw-b-floor1", "sw-b-floor2"}},
		{"nothing-matches,cucm-sub1", []string{"cucm-sub1"}},
		// & narrows: the host must match it as well.
		{"platform=ios,&group=old-ios", []string{"sw-a-floor2", "sw-b-floor2"}},
		{"platform=ios, &tag=building-a, &sw-*-floor2", []string{"sw-a-floor2"}},
		{"platform=asa,&tag=uc", nil},
		{"tag=building-a,tag=building-b,&*-floor1", []string{"sw-a-floor1", "sw-b-floor1"}},
		// Only & or ! terms: they apply to every host.
		{"&role=cucm-*", []string{"cucm-pub", "cucm-sub1"}},
		{"nothing-matches", nil},
		{"platform=*", all},
		{"!platform=ios", []string{"asa-edge-1", "asa-edge-2", "cucm-pub", "cucm-sub1"}},
		{"platform=ios, !group=building-*", []string{"core-1"}},
		{"tag=uc,!cucm-pub", []string{"cucm-sub1"}},
		// ! removes whatever the other terms selected, wherever it stands.
		{"!cucm-pub,tag=uc,asa-edge-1", []string{"asa-edge-1", "cucm-sub1"}},
		{"platform=cucm,platform=asa,!tag=standby", []string{"asa-edge-1", "cucm-pub", "cucm-sub1"}},
	}
	for _, tt := range tests {
		got, err := Filter(inv, tt.expr)
		if err != nil {
			t.Errorf("%q: %v", tt.expr, err)
			continue
		}
		if names := hostNames(got); !reflect.DeepEqual(names, tt.want) {
			t.Errorf("%q: got %v, want %v", tt.expr, names, tt.want)
		}
	}
}

func TestFilterErrors(t *testing.T) {
	inv := mustParse(t, y(`
hosts:
  sw1: {platform: ios}
`))
	tests := []struct{ expr, want string }{
		{"platfrom=ios", `unknown key "platfrom", want name, platform, group, tag or role (did you mean platform?)`},
		{"tag=", "tag= needs a value"},
		{"sw1,,sw2", "empty term"},
		{"sw1,", "empty term"},
		{"name=[", "bad pattern"},
		{"platform=nxos", `unknown platform "nxos"`},
		{"!", "empty term"},
		{"&", "empty term"},
		{"&!sw1", "at most one & or !"},
		{"!&sw1", "at most one & or !"},
		{"&&sw1", "at most one & or !"},
	}
	for _, tt := range tests {
		got, err := Filter(inv, tt.expr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, %v; want error %q", tt.expr, got, err, tt.want)
		}
		if err != nil && !strings.Contains(err.Error(), tt.expr) {
			t.Errorf("%q: error %q does not quote the filter", tt.expr, err)
		}
	}
}

func TestJumpHost(t *testing.T) {
	inv := mustParse(t, y(`
defaults: {platform: ios}
hosts:
  gw: {address: 198.18.0.1, jump: ""}
  sw1: {jump: gw, tags: [floor]}
  sw2: {jump: "ops@198.18.0.9:2022", tags: [floor]}
  sw3: {jump: bastion.example.net, tags: [floor]}
  sw4: {tags: [floor]}
`))
	floor, err := Filter(inv, "tag=floor")
	if err != nil {
		t.Fatal(err)
	}
	if floor.Host("gw") != nil {
		t.Fatal("gw selected")
	}
	// A filter result must still find the jump host it filtered out.
	for _, in := range []*Inventory{inv, floor} {
		if j := in.JumpHost(in.Host("sw1")); j == nil || j.Address != "198.18.0.1" {
			t.Errorf("sw1 jump host: %+v", j)
		}
		for _, n := range []string{"sw2", "sw3", "sw4"} {
			if j := in.JumpHost(in.Host(n)); j != nil {
				t.Errorf("%s: jump host %s, want none", n, j.Name)
			}
		}
	}
	again, err := Filter(floor, "sw1")
	if err != nil {
		t.Fatal(err)
	}
	if j := again.JumpHost(again.Host("sw1")); j == nil || j.Name != "gw" {
		t.Errorf("filter of a filter lost the jump host: %+v", j)
	}
}

func TestSplitJump(t *testing.T) {
	tests := []struct {
		in         string
		user, host string
		port       int
		err        bool
	}{
		{"bastion", "", "bastion", 0, false},
		{"ops@bastion", "ops", "bastion", 0, false},
		{"bastion:2022", "", "bastion", 2022, false},
		{"ops@198.18.0.9:2022", "ops", "198.18.0.9", 2022, false},
		{"ops@[2001:db8::1]:22", "ops", "2001:db8::1", 22, false},
		{"2001:db8::1", "", "2001:db8::1", 0, false},
		{"a,b", "", "", 0, true},
		{"ops@h:0", "", "", 0, true},
		{"@h", "", "", 0, true},
		{"h:x", "", "", 0, true},
	}
	for _, tt := range tests {
		u, h, p, err := SplitJump(tt.in)
		if (err != nil) != tt.err || u != tt.user || h != tt.host || p != tt.port {
			t.Errorf("%q: got %q %q %d %v", tt.in, u, h, p, err)
		}
	}
}
