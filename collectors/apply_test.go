package collectors

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

func TestApply(t *testing.T) {
	parsed := map[string]int{}
	cmds := []Command{
		{Key: "good", Parse: func(b []byte, d *facts.Device) error { parsed["good"]++; return nil }},
		{Key: "bad", Parse: func(b []byte, d *facts.Device) error { return facts.Errorf("bad", 7, "garbled") }},
		{Key: "panics", Parse: func(b []byte, d *facts.Device) error { panic("boom") }},
		{Key: "absent", Parse: func(b []byte, d *facts.Device) error { return nil }},
		{Key: "nopoe", Optional: true, Parse: func(b []byte, d *facts.Device) error { return fmt.Errorf("should not run") }},
	}
	out := map[string]string{
		"good": "ok", "bad": "x", "panics": "x",
		"nopoe": "sw1#show power inline\n                    ^\n% Invalid input detected at '^' marker.\n",
	}
	d := &facts.Device{Name: "sw1"}
	Apply(d, cmds, func(k string) ([]byte, error) {
		if v, ok := out[k]; ok {
			return []byte(v), nil
		}
		return nil, fs.ErrNotExist
	})
	if d.Status != facts.StatusPartial || parsed["good"] != 1 {
		t.Fatalf("status %s parsed %v", d.Status, parsed)
	}
	if len(d.Errors) != 2 || d.Errors[0].Error() != "sw1/bad.txt:7: garbled" || !strings.Contains(d.Errors[1].Error(), "sw1/panics.txt: parser failed: boom") {
		t.Fatalf("errors %v", d.Errors)
	}
	if strings.Join(d.Missing, ",") != "absent" || strings.Join(d.Keys, ",") != "bad,good,panics" {
		t.Fatalf("missing %v keys %v", d.Missing, d.Keys)
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"show running-config all sysopt":     "show_running-config_all_sysopt",
		"show  mac address-table aging-time": "show_mac_address-table_aging-time",
		"Show Version":                       "show_version",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}
