package live

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/devsim"
)

// TestPasswordIsAConfigWord is issue 12's worst case: with the login
// password "aging", redacting every occurrence turned case2's
// "switchport port-security aging time 1" into "<redacted> time 1" and
// the audit came out clean. The live facts must equal the offline ones,
// and a device's own copy of the password (after "password 0") must
// still be redacted, and said so.
func TestPasswordIsAConfigWord(t *testing.T) {
	c := creds{password: "aging", enable: "aging"}
	lab := repoLab(t, "case2-port-security-aging")
	hosts, labInv := labSim(t, lab, c)
	var sw string
	for i, h := range hosts {
		if h.Platform != "ios" || sw != "" {
			continue
		}
		sw = h.Name
		cfg, err := os.ReadFile(filepath.Join(h.Dir, "show_running-config.txt"))
		if err != nil {
			t.Fatal(err)
		}
		hosts[i].Handler = func(cli string) (string, bool) {
			if cli == "show running-config" {
				return strings.Replace(string(cfg), "\nhostname ", "\nusername netops privilege 15 password 0 aging\nhostname ", 1), true
			}
			return "", false
		}
	}
	if sw == "" {
		t.Fatal("case2 has no switch")
	}
	s := startSim(t, hosts, devsim.Options{}, c, labInv)
	opt := quick(nil)
	opt.SaveRaw = t.TempDir()
	snap, err := Collect(context.Background(), s.inv, opt)
	if err != nil {
		t.Fatal(err)
	}
	want, err := offline.Collect(context.Background(), liveLab(t, lab), labInv)
	if err != nil {
		t.Fatal(err)
	}
	d, w := device(t, snap, sw), device(t, want, sw)
	inactivity := 0
	for _, p := range d.Switch.Interfaces {
		if p.PortSecurity.AgingSet && p.PortSecurity.AgingType == "inactivity" {
			inactivity++
		}
	}
	if inactivity == 0 {
		t.Fatalf("%s: no port with inactivity aging read live: the password hid the finding", sw)
	}
	type view struct{ Ports, PS, Aging any }
	if g, x := withoutLines(t, view{len(d.Switch.Interfaces), d.Switch.PortSecurity, d.Switch.MACAging}), withoutLines(t, view{len(w.Switch.Interfaces), w.Switch.PortSecurity, w.Switch.MACAging}); g != x {
		t.Errorf("live facts differ from offline:\n%s", firstDiff(g, x))
	}
	saved, err := os.ReadFile(filepath.Join(opt.SaveRaw, sw, "show_running-config.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(saved, []byte("password 0 <redacted>")) || bytes.Contains(saved, []byte("password 0 aging")) {
		t.Error("the device's copy of the password is not redacted in the saved output")
	}
	if !bytes.Contains(saved, []byte("port-security aging time")) {
		t.Error("the saved output lost the aging lines")
	}
	found := false
	for _, wn := range d.Warnings {
		found = found || strings.Contains(wn.Error(), "redacted")
	}
	if !found {
		t.Errorf("%s: no warning says a secret was redacted: %v", sw, d.Warnings)
	}
	if d.Status != facts.StatusOK {
		t.Errorf("%s: %s %s", sw, d.Status, d.Error)
	}
}

// TestTemplatedSwitchLive audits the Catalyst 9k template lab live: where
// the running config shows templates, the derived config and the built-in
// definitions are asked for, and the templated ports come out as offline.
func TestTemplatedSwitchLive(t *testing.T) {
	lab := repoLab(t, "cat9k-templates")
	hosts, labInv := labSim(t, lab, defaultCreds)
	s := startSim(t, hosts, devsim.Options{}, defaultCreds, labInv)
	snap, err := Collect(context.Background(), s.inv, quick(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sw-floor1", "sw-floor2"} {
		got := s.srv.Commands(name)
		for _, want := range []string{"show derived-config", "show template interface source built-in all"} {
			if !slices.Contains(got, want) {
				t.Errorf("%s was not asked %q: %q", name, want, got)
			}
		}
	}
	d := device(t, snap, "sw-floor1")
	for _, p := range d.Switch.Interfaces {
		if p.Name != "GigabitEthernet1/0/7" {
			continue
		}
		src := p.PortSecurity.Sources.Of("aging_time")
		if p.PortSecurity.AgingMinutes != 2 || src.Via != "template IP_PHONE_INTERFACE_TEMPLATE" {
			t.Errorf("Gi1/0/7 aging %d via %q, want 2 via the built-in template", p.PortSecurity.AgingMinutes, src.Via)
		}
	}
	d2 := device(t, snap, "sw-floor2")
	if d2.Switch.Interfaces[0].Unknown == "" {
		t.Error("sw-floor2 Gi1/0/1: the unread built-in template is not unknown")
	}
}
