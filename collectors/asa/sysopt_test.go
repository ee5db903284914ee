package asa

import (
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

func TestSysopt(t *testing.T) {
	a := mustParse(t, ParseSysopt, testdata(t, "show_running-config_all_sysopt.txt"))
	want := []struct {
		nameif  string
		enabled bool
		line    int
	}{{"outside", false, 9}, {"inside", true, 10}, {"voice", true, 11}, {"management", true, 12}}
	if len(a.ProxyARP) != len(want) {
		t.Fatalf("proxy ARP %+v", a.ProxyARP)
	}
	for i, w := range want {
		g := a.ProxyARP[i]
		if g.Nameif != w.nameif || g.Enabled != w.enabled || g.Source.Line != w.line || g.Source.Key != KeySysopt {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestSysoptErrors(t *testing.T) {
	for _, c := range []struct {
		name, data string
		line       int
		msg        string
	}{
		{"binary", "\x00\x01", 1, "binary"},
		{"garbage", "interface GigabitEthernet0/0\n nameif outside\n", 1, "not a sysopt line"},
		{"empty", "fw# show running-config all sysopt\nfw# ", 0, "no sysopt lines"},
		{"truncated", "no sysopt connection timewait\nno sysopt noproxyarp", 2, "want one interface"},
		{"bare no", "no\n", 1, "not a sysopt line"},
		{"device error", "ERROR: % Invalid input detected at '^' marker.", 1, "refused"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := &facts.Device{Name: "asa1", ASA: &facts.ASA{ProxyARP: []facts.ProxyARPSetting{{Nameif: "x", Source: facts.Source{Key: KeySysopt}}}}}
			before := snapshot(t, d)
			err := ParseSysopt([]byte(c.data), d)
			if err == nil {
				t.Fatal("no error")
			}
			pe := asParseError(t, err, KeySysopt, "asa1")
			if pe.Line != c.line || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q at line %d, want line %d containing %q", err, pe.Line, c.line, c.msg)
			}
			if after := snapshot(t, d); after != before {
				t.Errorf("failed parse changed d: %s", after)
			}
		})
	}
}
