package inventory

import (
	"path/filepath"
	"slices"
	"testing"
)

// FuzzFilter: any --limit expression gives an error or a selection in
// inventory order, never a panic; Limit's selection holds Filter's and
// adds only call managers.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{"", "sw-*", "a,b", "platform=ios,&tag=x,!sw1", "&", "!", "&!x", "name=[", "role=cucm-*,,", " , ", "group=*,!group=old-*"} {
		f.Add(s)
	}
	inv, err := Load(filepath.Join("testdata", "inventory.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		sel, err := Filter(inv, expr)
		lim, lerr := Limit(inv, expr)
		if (err == nil) != (lerr == nil) {
			t.Fatalf("%q: Filter error %v, Limit error %v", expr, err, lerr)
		}
		if err != nil {
			return
		}
		names := hostNames(sel)
		if !slices.IsSorted(names) {
			t.Fatalf("%q: out of order: %v", expr, names)
		}
		all := hostNames(lim)
		if !slices.IsSorted(all) {
			t.Fatalf("%q: Limit out of order: %v", expr, all)
		}
		for _, n := range names {
			if !slices.Contains(all, n) {
				t.Fatalf("%q: Limit dropped %s", expr, n)
			}
		}
		for _, n := range all {
			if !slices.Contains(names, n) && lim.Host(n).Platform != PlatformCUCM {
				t.Fatalf("%q: Limit added %s, not a call manager", expr, n)
			}
		}
		if len(all)-len(names) != len(lim.KeptCallManagers()) {
			t.Fatalf("%q: %d added, KeptCallManagers %v", expr, len(all)-len(names), lim.KeptCallManagers())
		}
	})
}
