package asa

import (
	"testing"

	"github.com/kaudit/kaudit/collectors"
)

func TestCommands(t *testing.T) {
	want := map[string]struct {
		key      string
		optional bool
	}{
		"show version":                   {"show_version", true},
		"show running-config":            {"show_running-config", false},
		"show running-config all sysopt": {"show_running-config_all_sysopt", false},
		"show interface":                 {"show_interface", false},
		"show arp":                       {"show_arp", false},
	}
	cmds := Commands()
	if len(cmds) != len(want) {
		t.Fatalf("%d commands, want %d", len(cmds), len(want))
	}
	seen := map[string]bool{}
	for _, c := range cmds {
		w, ok := want[c.CLI]
		if !ok {
			t.Errorf("unexpected command %q", c.CLI)
			continue
		}
		if c.Key != w.key || c.Key != collectors.Key(c.CLI) {
			t.Errorf("%q: key %q, want %q", c.CLI, c.Key, w.key)
		}
		if c.Optional != w.optional {
			t.Errorf("%q: optional %v, want %v", c.CLI, c.Optional, w.optional)
		}
		if c.Parse == nil {
			t.Errorf("%q: no parser", c.CLI)
		}
		if seen[c.Key] {
			t.Errorf("duplicate key %q", c.Key)
		}
		seen[c.Key] = true
	}
}
