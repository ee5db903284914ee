package ios

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/facts"
)

func TestCommands(t *testing.T) {
	want := []struct {
		cli, key string
		optional bool
	}{
		{"show version", "show_version", true},
		{"show running-config", "show_running-config", false},
		{"show derived-config", "show_derived-config", true},
		{"show template interface source built-in all", "show_template_interface_source_built-in_all", true},
		{"show access-session details", "show_access-session_details", true},
		{"show cdp neighbors detail", "show_cdp_neighbors_detail", false},
		{"show lldp neighbors detail", "show_lldp_neighbors_detail", true},
		{"show power inline", "show_power_inline", true},
		{"show mac address-table aging-time", "show_mac_address-table_aging-time", false},
		{"show port-security", "show_port-security", false},
		{"show port-security interface", "show_port-security_interface", true},
	}
	cmds := Commands()
	if len(cmds) != len(want) {
		t.Fatalf("%d commands, want %d", len(cmds), len(want))
	}
	for i, w := range want {
		c := cmds[i]
		if c.CLI != w.cli || c.Key != w.key || c.Key != collectors.Key(c.CLI) || c.Optional != w.optional || c.Parse == nil {
			t.Errorf("command %d = {%q %q optional=%v parse=%v}, want {%q %q optional=%v}", i, c.CLI, c.Key, c.Optional, c.Parse != nil, w.cli, w.key, w.optional)
		}
		if !strings.HasPrefix(c.CLI, "show ") {
			t.Errorf("%q is not a read-only show command", c.CLI)
		}
	}
}

// Every parser refuses input that cannot be device text, or is empty, with
// an error naming the device and key, and leaves the device alone.
func TestBadInputAllParsers(t *testing.T) {
	huge := bytes.Repeat([]byte("interface Gi1/0/1\n"), facts.MaxOutputBytes/18+1)
	inputs := []struct {
		name string
		data []byte
		msg  string
	}{
		{"NUL bytes", []byte("sw1#show x\r\nabc\x00def"), "binary data"},
		{"random binary", []byte{0xde, 0xad, 0xbe, 0xef, 0xff, 0xfe, 0x80, 0x81, 0x82, 0xc0}, "binary data"},
		{"empty", nil, "empty output"},
		{"blank lines", []byte("\r\n   \r\n\t\n"), "empty output"},
		{"huge", huge, "more than"},
	}
	for _, c := range Commands() {
		for _, in := range inputs {
			t.Run(c.Key+"/"+in.name, func(t *testing.T) {
				d := seedDevice()
				err := c.Parse(in.data, d)
				pe, ok := err.(*facts.ParseError)
				if !ok {
					t.Fatalf("error %v (%T), want *facts.ParseError", err, err)
				}
				if pe.Key != c.Key || pe.Host != "sw1" || !strings.Contains(pe.Msg, in.msg) {
					t.Errorf("error %q, want sw1/%s and %q", pe, c.Key, in.msg)
				}
				unchanged(t, d)
			})
		}
	}
}

// Every parser accepts its own testdata and creates d.Switch on a bare device.
func TestTestdataParses(t *testing.T) {
	for _, c := range Commands() {
		files := seedFiles(t, c.Key)
		if len(files) == 0 {
			t.Errorf("no testdata for %s", c.Key)
		}
		for name, data := range files {
			if name == "truncated.txt" {
				continue
			}
			d := &facts.Device{Name: "sw1"}
			if err := c.Parse(data, d); err != nil {
				t.Errorf("%s/%s: %v", c.Key, name, err)
				continue
			}
			if d.Switch == nil {
				t.Errorf("%s/%s: no switch facts", c.Key, name)
			}
			checkSources(t, d, c.Key, data)
		}
	}
}

func TestLineReader(t *testing.T) {
	data := "a \r\n\tb\t\r\n\r\n --More-- \b\b\b\b\b\b\b\b\b         \b\b\b\b\b\b\b\b\b switchport\n --More-- \r          \rinterface x\n --More--    hostname y\nlast"
	type ln struct {
		n     int
		text  string
		paged bool
	}
	want := []ln{{1, "a", false}, {2, "\tb", false}, {3, "", false}, {4, " switchport", false}, {5, "interface x", false}, {6, "hostname y", true}, {7, "last", false}}
	r := newLineReader([]byte(data))
	var got []ln
	for r.next() {
		got = append(got, ln{r.n, string(r.line), r.paged})
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i+1, got[i], want[i])
		}
	}
}

func TestIsPrompt(t *testing.T) {
	tests := []struct {
		line, cmd string
		ok        bool
	}{
		{"sw1#", "", true},
		{"sw1#show running-config", "show running-config", true},
		{"Device# show cdp neighbors detail", "show cdp neighbors detail", true},
		{"NAV-XXXXXXXE#sh cdp ne det", "sh cdp ne det", true},
		{"#show running-config interface Gi1/0/13", "show running-config interface Gi1/0/13", true},
		{"sw1>show version", "show version", true},
		{"sw-floor3(config)#", "", true},
		{"#", "", false},
		{"Linux 2.6.32 #1 SMP", "", false},
		{"Device ID: SEP001122334455", "", false},
		{"host#configure terminal", "", false},
		{"Interface: Gi1/0/5#", "", false},
	}
	for _, tt := range tests {
		cmd, ok := isPrompt([]byte(tt.line))
		if ok != tt.ok || string(cmd) != tt.cmd {
			t.Errorf("isPrompt(%q) = %q, %v; want %q, %v", tt.line, cmd, ok, tt.cmd, tt.ok)
		}
	}
}

func TestSmallHelpers(t *testing.T) {
	for w, want := range map[string]bool{
		"Gi1/0/5": true, "FastEthernet0/1": true, "Port-channel12": true, "Vl200": true, "Serial0/0/0:1": true,
		"Interface": false, "Available:370.0(w)": false, "1": false, "-Gi1": false, "Gi1/0/5x": false, "": false,
	} {
		if got := looksLikeInterface([]byte(w)); got != want {
			t.Errorf("looksLikeInterface(%q) = %v", w, got)
		}
	}
	for cmd, want := range map[string]string{
		"show port-security interface Gi1/0/5":         "GigabitEthernet1/0/5",
		"sh port-sec int gi1/0/3":                      "GigabitEthernet1/0/3",
		"show port-security interface gi 1/0/4":        "GigabitEthernet1/0/4",
		"show port-security":                           "",
		"show port-security interface Gi1/0/5 address": "GigabitEthernet1/0/5",
	} {
		if got := echoedInterface([]byte(cmd)); got != want {
			t.Errorf("echoedInterface(%q) = %q, want %q", cmd, got, want)
		}
	}
	for line, want := range map[string][2]string{
		"Last Source Address:Vlan   : 0050.56be.3bd9:200": {"Last Source Address:Vlan", "0050.56be.3bd9:200"},
		"Port Security              : Enabled":            {"Port Security", "Enabled"},
		"Aging Time: 2 mins":                              {"Aging Time", "2 mins"},
	} {
		k, v := splitKey([]byte(line))
		if string(k) != want[0] || string(v) != want[1] {
			t.Errorf("splitKey(%q) = %q, %q", line, k, v)
		}
	}
	for in, want := range map[string]int{"0": 0, "4094": 4094, "123456789": 123456789} {
		if n, ok := atoi([]byte(in)); !ok || n != want {
			t.Errorf("atoi(%q) = %d, %v", in, n, ok)
		}
	}
	for _, in := range []string{"", "-1", "1234567890", "12a", " 1"} {
		if _, ok := atoi([]byte(in)); ok {
			t.Errorf("atoi(%q) accepted", in)
		}
	}
	if !hasPrefixFold([]byte("GLOBAL Aging Time: 3"), "global aging time") || hasPrefixFold([]byte("Global_"), "global ") {
		t.Error("hasPrefixFold")
	}
	if got := violationName([]byte("Shutdown-VLAN")); got != "shutdown vlan" {
		t.Errorf("violationName = %q", got)
	}
}
