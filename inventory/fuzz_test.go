package inventory

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, must
// either return a valid inventory or located errors, and what it accepts
// must survive Marshal and Parse unchanged.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, c := range errCases {
		f.Add(y(c.yaml))
	}
	f.Add([]byte("hosts:\n  a: &x {platform: ios, groups: *x}\n"))
	f.Add([]byte("hosts: &h\n  a: *h\n"))
	f.Add([]byte("groups: {a: {groups: [b]}, b: {groups: [a]}}\nhosts: {x: {groups: [a], platform: asa}}\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := Parse("fuzz.yaml", data)
		if err != nil {
			if inv != nil {
				t.Fatal("inventory returned with an error")
			}
			errs := Errors(err)
			if len(errs) == 0 {
				t.Fatalf("error without located errors: %v", err)
			}
			if !sort.SliceIsSorted(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line }) {
				t.Fatalf("errors not sorted by line: %v", err)
			}
			for _, e := range errs {
				if e.File != "fuzz.yaml" || e.Line < 0 || e.Msg == "" {
					t.Fatalf("bad error %#v", e)
				}
			}
			return
		}
		if len(inv.Hosts) == 0 {
			t.Fatal("inventory without hosts accepted")
		}
		seen := map[string]bool{}
		for i, h := range inv.Hosts {
			if i > 0 && inv.Hosts[i-1].Name >= h.Name {
				t.Fatalf("hosts not sorted/unique: %q then %q", inv.Hosts[i-1].Name, h.Name)
			}
			if seen[strings.ToLower(h.Name)] || !nameRE.MatchString(h.Name) {
				t.Fatalf("bad host name %q", h.Name)
			}
			seen[strings.ToLower(h.Name)] = true
			if inv.Host(h.Name) == nil {
				t.Fatalf("Host(%q) not found", h.Name)
			}
			if h.Platform != PlatformIOS && h.Platform != PlatformASA && h.Platform != PlatformCUCM {
				t.Fatalf("host %s platform %q", h.Name, h.Platform)
			}
			if h.Port < 1 || h.Port > 65535 || h.Timeout <= 0 || h.CommandTimeout <= 0 || h.Address == "" || h.Line < 1 {
				t.Fatalf("host not fully resolved: %+v", h)
			}
			for _, s := range []SecretRef{h.Password, h.Enable, h.Passphrase} {
				if !s.IsZero() && s.Kind != SecretEnv && s.Kind != SecretFile {
					t.Fatalf("secret kind %q", s.Kind)
				}
			}
			if !sort.StringsAreSorted(h.Tags) || !sort.StringsAreSorted(h.Roles) {
				t.Fatalf("tags/roles not sorted: %v %v", h.Tags, h.Roles)
			}
		}
		out := Marshal(inv)
		back, err := Parse("marshalled.yaml", out)
		if err != nil {
			t.Fatalf("Parse(Marshal) failed: %v\n%s", err, out)
		}
		if len(back.Hosts) != len(inv.Hosts) {
			t.Fatalf("round trip: %d hosts vs %d", len(back.Hosts), len(inv.Hosts))
		}
		for i := range inv.Hosts {
			a, b := inv.Hosts[i], back.Hosts[i]
			a.Line, b.Line = 0, 0
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("round trip changed host:\n%+v\n%+v\n%s", a, b, out)
			}
		}
		if inv.Digest() != back.Digest() {
			t.Fatal("digest changed across round trip")
		}
	})
}
