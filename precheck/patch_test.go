package precheck

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// inOrder reports the first of want that is not found in lines after the
// previous one, or "".
func inOrder(lines, want []string) string {
	i := 0
	for _, w := range want {
		j := slices.Index(lines[i:], w)
		if j < 0 {
			return w
		}
		i += j + 1
	}
	return ""
}

func TestApplyPatch(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   string
		patch string
		// want are lines of the result in this order; next pairs must be
		// adjacent; gone must not be there at all.
		want []string
		next [][2]string
		gone []string
		// body maps a header to the exact lines of its last section.
		body  map[string][]string
		delta int    // change in the number of lines
		warn  string // a warning must contain it; "" = no warning
	}{
		{
			name:  "re-entered value replaces the line in place",
			cfg:   "ios-access.txt",
			patch: "interface GigabitEthernet1/0/1\n switchport port-security aging time 5\n",
			next:  [][2]string{{" switchport port-security violation restrict", " switchport port-security aging time 5"}},
			gone:  []string{" switchport port-security aging time 1"},
		},
		{
			name:  "abbreviated interface name, word value",
			cfg:   "ios-access.txt",
			patch: "interface Gi1/0/1\n switchport port-security aging type absolute\n description Desk 1.01 (moved)\n",
			want:  []string{"interface GigabitEthernet1/0/1", " description Desk 1.01 (moved)", " switchport port-security aging type absolute"},
			gone:  []string{" switchport port-security aging type inactivity", " description Desk 1.01"},
		},
		{
			name:  "no without the value removes whatever the value",
			cfg:   "ios-access.txt",
			patch: "interface GigabitEthernet1/0/1\n no switchport port-security aging time\n",
			gone:  []string{" switchport port-security aging time 1"},
			want:  []string{" switchport port-security aging type inactivity"},
			delta: -1,
		},
		{
			name:  "no with another value removes too",
			cfg:   "ios-access.txt",
			patch: "interface GigabitEthernet1/0/1\n no switchport port-security aging time 7\n",
			gone:  []string{" switchport port-security aging time 1"},
			delta: -1,
		},
		{
			name:  "no of a keyword-only line removes only that line",
			cfg:   "ios-access.txt",
			patch: "interface GigabitEthernet1/0/1\n no switchport port-security\n",
			want:  []string{" switchport port-security maximum 3", " switchport port-security aging time 1", " spanning-tree portfast"},
			next:  [][2]string{{" switchport port-security aging type inactivity", " spanning-tree portfast"}},
			delta: -1,
		},
		{
			name:  "new command appended at the end of its section, before !",
			cfg:   "ios-access.txt",
			patch: "interface GigabitEthernet1/0/1\n switchport port-security maximum 2 vlan voice\n",
			// The per-VLAN maximum is its own command: "maximum 3" stays.
			want:  []string{" switchport port-security maximum 3"},
			next:  [][2]string{{" spanning-tree portfast", " switchport port-security maximum 2 vlan voice"}, {" switchport port-security maximum 2 vlan voice", "!"}},
			delta: 1,
		},
		{
			name:  "sticky MACs are a list",
			cfg:   "ios-access.txt",
			patch: "interface GigabitEthernet1/0/2\n switchport port-security mac-address sticky 0c11.67a3.b2c1 vlan access\n",
			want:  []string{" switchport port-security mac-address sticky 0024.142d.df24 vlan voice", " switchport port-security mac-address sticky 0c11.67a3.b2c1 vlan access"},
			delta: 1,
		},
		{
			name:  "per-VLAN and global MAC aging are kept apart",
			cfg:   "ios-access.txt",
			patch: "mac address-table aging-time 120 vlan 200\nmac address-table aging-time 600\nmac address-table aging-time 90 vlan 300\n",
			want:  []string{"mac address-table aging-time 600", "mac address-table aging-time 120 vlan 200", "mac address-table aging-time 90 vlan 300"},
			gone:  []string{"mac address-table aging-time 300", "mac address-table aging-time 60 vlan 200"},
			delta: 1,
		},
		{
			// IOS: the no form without "vlan" resets the global aging
			// time only; the per-VLAN one stays.
			name:  "no MAC aging without vlan leaves the per-VLAN aging",
			cfg:   "ios-access.txt",
			patch: "no mac address-table aging-time\n",
			want:  []string{"mac address-table aging-time 60 vlan 200"},
			gone:  []string{"mac address-table aging-time 300"},
			delta: -1,
		},
		{
			name:  "no MAC aging with vlan and no value resets that VLAN only",
			cfg:   "ios-access.txt",
			patch: "no mac address-table aging-time vlan 200\n",
			want:  []string{"mac address-table aging-time 300"},
			gone:  []string{"mac address-table aging-time 60 vlan 200"},
			delta: -1,
		},
		{
			name:  "no MAC aging with value and vlan resets that VLAN only",
			cfg:   "ios-access.txt",
			patch: "no mac address-table aging-time 60 vlan 200\n",
			want:  []string{"mac address-table aging-time 300"},
			gone:  []string{"mac address-table aging-time 60 vlan 200"},
			delta: -1,
		},
		{
			name:  "no of the voice VLAN maximum leaves the port maximum",
			cfg:   "ios-access.txt",
			patch: "interface Gi1/0/1\n switchport port-security maximum 2 vlan voice\n!\ninterface Gi1/0/1\n no switchport port-security maximum 2 vlan voice\n",
			body: map[string][]string{"interface GigabitEthernet1/0/1": {" description Desk 1.01", " switchport access vlan 20", " switchport mode access", " switchport voice vlan 200",
				" switchport port-security maximum 3", " switchport port-security violation restrict", " switchport port-security aging time 1",
				" switchport port-security aging type inactivity", " switchport port-security", " spanning-tree portfast"}},
		},
		{
			name:  "no of the port maximum leaves the voice VLAN maximum",
			cfg:   "ios-access.txt",
			patch: "interface Gi1/0/1\n switchport port-security maximum 2 vlan voice\n no switchport port-security maximum\n",
			body: map[string][]string{"interface GigabitEthernet1/0/1": {" description Desk 1.01", " switchport access vlan 20", " switchport mode access", " switchport voice vlan 200",
				" switchport port-security violation restrict", " switchport port-security aging time 1",
				" switchport port-security aging type inactivity", " switchport port-security", " spanning-tree portfast", " switchport port-security maximum 2 vlan voice"}},
		},
		{
			// A second pass removes the new line and enters it again:
			// it must land where the first pass put it.
			name:  "no then the new value takes the old line's place",
			cfg:   "ios-access.txt",
			patch: "interface Gi1/0/1\n no switchport port-security aging time\n switchport port-security aging time 5\n switchport port-security maximum 2 vlan voice\n",
			next:  [][2]string{{" switchport port-security violation restrict", " switchport port-security aging time 5"}, {" spanning-tree portfast", " switchport port-security maximum 2 vlan voice"}},
			delta: 1,
		},
		{
			name:  "a removed section entered again keeps its place",
			cfg:   "ios-access.txt",
			patch: "no interface Vlan200\ninterface Vlan200\n ip address 10.20.200.3 255.255.255.0\ninterface Vlan300\n ip address 10.30.0.2 255.255.255.0\n",
			want:  []string{"interface Vlan200", " ip address 10.20.200.3 255.255.255.0", "interface Vlan300", " ip address 10.30.0.2 255.255.255.0", "banner motd ^C"},
			delta: 2,
		},
		{
			name:  "no timeout then the timer again goes back into its line",
			cfg:   "asa-edge.txt",
			patch: "no timeout conn\ntimeout conn 0:30:00\ntimeout sip 0:30:00\n",
			want:  []string{"timeout xlate 3:00:00", "timeout conn 0:30:00 half-closed 0:10:00 udp 0:02:00 icmp 0:00:02"},
			next:  [][2]string{{"timeout igp stale-route 0:01:10", "timeout sip 0:30:00"}},
			gone:  []string{"timeout conn 1:00:00 half-closed 0:10:00 udp 0:02:00 icmp 0:00:02"},
			delta: 1,
		},
		{
			// "#" typed as a word is a word, not the mark of a value.
			name:  "a literal # is not a value",
			cfg:   "ios-access.txt",
			patch: "snmp-server chassis-id #\nsnmp-server chassis-id 5\n",
			want:  []string{"snmp-server chassis-id #", "snmp-server chassis-id 5"},
			delta: 2,
		},
		{
			name:  "shutdown and no shutdown cancel",
			cfg:   "ios-access.txt",
			patch: "interface GigabitEthernet1/0/2\n no shutdown\ninterface GigabitEthernet1/0/1\n shutdown\n",
			next:  [][2]string{{" spanning-tree portfast", " shutdown"}},
			body: map[string][]string{"interface GigabitEthernet1/0/2": {" description Desk 1.02", " switchport access vlan 20", " switchport mode access", " switchport voice vlan 200",
				" switchport port-security maximum 3", " switchport port-security mac-address sticky", " switchport port-security mac-address sticky 0024.142d.df24 vlan voice", " switchport port-security"}},
			gone: []string{" no shutdown"},
		},
		{
			name:  "entering a command removes its no form",
			cfg:   "ios-access.txt",
			patch: "interface GigabitEthernet1/0/3\n ip address 10.1.1.1 255.255.255.0\n",
			body:  map[string][]string{"interface GigabitEthernet1/0/3": {" no switchport", " ip address 10.1.1.1 255.255.255.0"}},
		},
		{
			name:  "a no that matches nothing changes nothing and is warned about",
			cfg:   "ios-access.txt",
			patch: "interface GigabitEthernet1/0/1\n no cdp enable\n",
			gone:  []string{" no cdp enable"},
			warn:  "patch.txt:2: no cdp enable: no such line in interface GigabitEthernet1/0/1; nothing removed",
		},
		{
			name:  "default interface empties it; lines after it rebuild it",
			cfg:   "ios-access.txt",
			patch: "default interface Gi1/0/1\ninterface Gi1/0/1\n switchport mode access\n",
			body:  map[string][]string{"interface GigabitEthernet1/0/1": {" switchport mode access"}},
			delta: -9,
		},
		{
			name:  "new interface after the last one, banner text untouched",
			cfg:   "ios-access.txt",
			patch: "interface Gi9/9/9\n switchport port-security aging time 5\n",
			want:  []string{"interface Vlan200", " ip address 10.20.200.2 255.255.255.0", "interface GigabitEthernet9/9/9", " switchport port-security aging time 5", "!", "banner motd ^C", "interface GigabitEthernet9/9/9", " speed 10", "^C"},
			delta: 2,
		},
		{
			name:  "no interface removes the section",
			cfg:   "ios-access.txt",
			patch: "no interface Vlan200\n",
			gone:  []string{"interface Vlan200", " ip address 10.20.200.2 255.255.255.0"},
			delta: -2,
		},
		{
			name:  "interface range applies to each",
			cfg:   "ios-access.txt",
			patch: "interface range Gi1/0/1 - 2\n switchport port-security aging time 10\n",
			want:  []string{"interface GigabitEthernet1/0/1", " switchport port-security aging time 10", "interface GigabitEthernet1/0/2", " switchport port-security aging time 10"},
			delta: 1,
		},
		{
			name:  "exit and unindented commands after it",
			cfg:   "ios-access.txt",
			patch: "configure terminal\ninterface GigabitEthernet1/0/1\n switchport port-security aging time 3\n exit\nhostname sw-new\nend\n",
			want:  []string{"hostname sw-new", " switchport port-security aging time 3"},
			gone:  []string{"hostname sw-test"},
		},
		{
			// IOS prints a banner's delimiter as ^C whatever was typed.
			name:  "multi-line banner replaces the banner",
			cfg:   "ios-access.txt",
			patch: "banner motd #\nAuthorised use only\n#\n",
			want:  []string{"!", "banner motd ^C", "Authorised use only", "^C", "!", "line vty 0 4"},
			gone:  []string{"interface GigabitEthernet9/9/9"},
			delta: -1,
		},
		{
			name:  "ASA timeout replaces the one timer on a shared line",
			cfg:   "asa-edge.txt",
			patch: "timeout conn 0:30:00\ntimeout uauth 0:10:00 inactivity\n",
			want:  []string{"timeout conn 0:30:00 half-closed 0:10:00 udp 0:02:00 icmp 0:00:02", "timeout sip-provisional-media 0:02:00 uauth 0:10:00 inactivity"},
			gone:  []string{"timeout conn 1:00:00 half-closed 0:10:00 udp 0:02:00 icmp 0:00:02"},
		},
		{
			name:  "ASA timer without a line gets one after the last timeout",
			cfg:   "asa-edge.txt",
			patch: "timeout sip 0:30:00 sip_media 0:02:00\ntimeout igp stale-route 0:02:00\n",
			next:  [][2]string{{"timeout igp stale-route 0:02:00", "timeout sip 0:30:00 sip_media 0:02:00"}, {"timeout sip 0:30:00 sip_media 0:02:00", "sysopt noproxyarp outside"}},
			delta: 1,
		},
		{
			name:  "no timeout drops the timer",
			cfg:   "asa-edge.txt",
			patch: "no timeout half-closed\nno timeout xlate\n",
			want:  []string{"timeout conn 1:00:00 udp 0:02:00 icmp 0:00:02"},
			gone:  []string{"timeout xlate 3:00:00"},
			delta: -1,
		},
		{
			// The second pass takes conn out of the line the first pass
			// wrote and must put it back in that line.
			name:  "no timeout then timers sharing a line stay on that line",
			cfg:   "asa-edge.txt",
			patch: "no timeout sip\ntimeout sip 0:45:00 sip_media 0:03:00\ntimeout sip-invite 0:03:00\n",
			next:  [][2]string{{"timeout igp stale-route 0:01:10", "timeout sip 0:45:00 sip_media 0:03:00"}, {"timeout sip 0:45:00 sip_media 0:03:00", "timeout sip-invite 0:03:00"}},
			delta: 2,
			warn:  "patch.txt:1: no timeout sip: no such line in the running config",
		},
		{
			// What the ASA parser would not read as a timer is a line like
			// any other, replaced as a whole.
			name:  "a timeout line that is not timers is replaced whole",
			cfg:   "asa-edge.txt",
			patch: "timeout 9 0:00:01\ntimeout 9 0:00:01 8 0:00:02\n",
			want:  []string{"timeout igp stale-route 0:01:10", "timeout 9 0:00:01 8 0:00:02"},
			gone:  []string{"timeout 9 0:00:01"},
			delta: 1,
		},
		{
			name:  "class timeout in a policy-map",
			cfg:   "asa-edge.txt",
			patch: "policy-map global_policy\n class voice-signalling\n  set connection timeout idle 0:10:50\n",
			next:  [][2]string{{" class voice-signalling", "  set connection timeout idle 0:10:50"}},
			gone:  []string{"  set connection timeout idle 0:04:00"},
		},
		{
			name:  "new class appended to its policy-map",
			cfg:   "asa-edge.txt",
			patch: "policy-map global_policy\n class voice-media\n  set connection timeout idle 0:05:00\n",
			next:  [][2]string{{"  set connection timeout idle 0:04:00", " class voice-media"}, {" class voice-media", "  set connection timeout idle 0:05:00"}, {"  set connection timeout idle 0:05:00", "!"}},
			delta: 2,
		},
		{
			name:  "NAT re-entered with no-proxy-arp keeps its place among the twice NATs",
			cfg:   "asa-edge.txt",
			patch: "no nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB description remote sites reach CUCM\nnat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB no-proxy-arp description remote sites reach CUCM\n",
			next:  [][2]string{{"nat (voice,outside) source static VOICE-NET VOICE-NET destination static VPN VPN no-proxy-arp route-lookup", "nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB no-proxy-arp description remote sites reach CUCM"}},
			gone:  []string{"nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB description remote sites reach CUCM"},
		},
		{
			name:  "no nat without its description, NATs are a list",
			cfg:   "asa-edge.txt",
			patch: "no nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB\nnat (inside,outside) source dynamic any interface\n",
			want:  []string{"nat (voice,outside) source static VOICE-NET VOICE-NET destination static VPN VPN no-proxy-arp route-lookup", "nat (inside,outside) source dynamic any interface", "object network VOICE-PAT"},
			gone:  []string{"nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB description remote sites reach CUCM"},
		},
		{
			name:  "NAT re-entered among new NATs keeps its place on a second pass",
			cfg:   "asa-edge.txt",
			patch: "no nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB\nnat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB no-proxy-arp description remote sites reach CUCM\nnat (inside,outside) source dynamic any interface\n",
			next:  [][2]string{{"nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB no-proxy-arp description remote sites reach CUCM", "nat (inside,outside) source dynamic any interface"}},
			delta: 1,
		},
		{
			name:  "no sysopt noproxyarp removes that interface's line only",
			cfg:   "asa-edge.txt",
			patch: "sysopt noproxyarp voice\nno sysopt noproxyarp outside\n",
			want:  []string{"sysopt noproxyarp voice"},
			gone:  []string{"sysopt noproxyarp outside"},
		},
		{
			name:  "sysopt goes after sysopt",
			cfg:   "asa-edge.txt",
			patch: "sysopt noproxyarp voice\n",
			next:  [][2]string{{"sysopt noproxyarp outside", "sysopt noproxyarp voice"}},
			delta: 1,
		},
		{
			name:  "object NAT is replaced in the object's NAT block",
			cfg:   "asa-edge.txt",
			patch: "object network VOICE-PAT\n nat (voice,outside) dynamic 203.0.113.5\n",
			body:  map[string][]string{"object network VOICE-PAT": {" nat (voice,outside) dynamic 203.0.113.5"}},
			want:  []string{"object network VOICE-PAT", " subnet 10.10.10.0 255.255.255.0"},
		},
		{
			name:  "ASA interface nameif replaces no nameif",
			cfg:   "asa-edge.txt",
			patch: "interface GigabitEthernet1/4\n nameif dmz\n security-level 50\n no shutdown\n",
			body:  map[string][]string{"interface GigabitEthernet1/4": {" no ip address", " nameif dmz", " security-level 50"}},
			delta: -1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := readTestdata(t, tc.cfg)
			out, warnings, err := ApplyPatch(cfg, []byte(tc.patch), "patch.txt")
			if err != nil {
				t.Fatal(err)
			}
			lines := splitLines(out)
			if miss := inOrder(lines, tc.want); miss != "" {
				t.Errorf("missing or out of order: %q\n%s", miss, out)
			}
			for _, p := range tc.next {
				i := slices.Index(lines, p[0])
				if i < 0 || i+1 >= len(lines) || lines[i+1] != p[1] {
					t.Errorf("%q is not followed by %q\n%s", p[0], p[1], out)
				}
			}
			for h, want := range tc.body {
				if got := lastBody(lines, h); !slices.Equal(got, want) {
					t.Errorf("section %q holds %q, want %q", h, got, want)
				}
			}
			for _, g := range tc.gone {
				if slices.Contains(lines, g) {
					t.Errorf("%q still there\n%s", g, out)
				}
			}
			if d := len(lines) - len(splitLines(cfg)); d != tc.delta {
				t.Errorf("line count changed by %d, want %d\n%s", d, tc.delta, out)
			}
			switch {
			case tc.warn == "" && len(warnings) > 0:
				t.Errorf("unexpected warnings %q", warnings)
			case tc.warn != "" && !strings.Contains(strings.Join(warnings, "\n"), tc.warn):
				t.Errorf("warnings %q lack %q", warnings, tc.warn)
			}
			// Applying the same patch again changes nothing, not even the
			// order of the lines.
			again, _, err := ApplyPatch(out, []byte(tc.patch), "patch.txt")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, again) {
				t.Errorf("not idempotent:\nfirst:\n%s\nagain:\n%s", out, again)
			}
		})
	}
}

// lastBody returns the lines of the last section headed by header.
func lastBody(lines []string, header string) []string {
	var body []string
	for i, l := range lines {
		if l != header {
			continue
		}
		body = []string{}
		for _, b := range lines[i+1:] {
			if indentOf(b) == 0 {
				break
			}
			body = append(body, b)
		}
	}
	return body
}

// applyTwice applies patch to cfg, then again to the result, fails t unless
// both give the same text, and returns it.
func applyTwice(t *testing.T, cfg, patch []byte) []byte {
	t.Helper()
	once, _, err := ApplyPatch(cfg, patch, "patch.txt")
	if err != nil {
		t.Fatal(err)
	}
	twice, _, err := ApplyPatch(once, patch, "patch.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(once, twice) {
		t.Errorf("second pass gave\n%s\nfirst\n%s", twice, once)
	}
	return once
}

func TestApplyPatchKeepsUnchangedConfig(t *testing.T) {
	for _, name := range []string{"ios-access.txt", "asa-edge.txt"} {
		cfg := readTestdata(t, name)
		out, warnings, err := ApplyPatch(cfg, []byte("!\n! nothing\n"), "empty.txt")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(splitLines(out), splitLines(cfg)) {
			t.Errorf("%s: an empty patch changed the config:\n%s", name, out)
		}
		if len(warnings) != 1 || !strings.Contains(warnings[0], "nothing changes") {
			t.Errorf("%s: warnings %q", name, warnings)
		}
	}
}

func TestApplyPatchErrors(t *testing.T) {
	for _, tc := range []struct {
		name, patch string
		line        int
		msg         string
	}{
		{"binary", "interface Gi1/0/1\n switchport\x00\n", 2, "binary"},
		{"control character", "hostname a\x1bb\n", 1, "control character 0x1b"},
		{"not UTF-8", "interface Gi1/0/1\n description Caf\xe9 5\n", 2, "not UTF-8"},
		{"unindented section body", "interface GigabitEthernet1/0/1\nswitchport port-security aging time 5\n", 2, "without indentation"},
		{"unindented class body", "policy-map global_policy\nclass voice\n", 2, "without indentation"},
		{"indented line at the top", " switchport port-security aging time 5\n", 1, "not under a section header"},
		{"no alone", "interface Gi1/0/1\n no\n", 2, `"no" without a command`},
		{"no opening a section", "no interface Gi1/0/1\n shutdown\n", 1, "cannot open a section"},
		{"terminal prompt", "sw1(config-if)#switchport port-security aging time 5\n", 1, "terminal prompt"},
		{"open banner", "banner motd ^C\nhello\n", 1, "not closed"},
		{"^C in a banner's text", "banner motd #\npress ^C to stop\n#\n", 1, "^C"},
		{"bad range", "interface range Gi1/0/9 - 2\n shutdown\n", 1, "bad range"},
		{"huge range", "interface range Gi1/0/1 - 99999\n shutdown\n", 1, "bad range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ApplyPatch(readTestdata(t, "ios-access.txt"), []byte(tc.patch), "change.txt")
			var pe *PatchError
			if !errors.As(err, &pe) {
				t.Fatalf("err %v, want a PatchError", err)
			}
			if pe.File != "change.txt" || pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got %q (line %d), want change.txt line %d with %q", err, pe.Line, tc.line, tc.msg)
			}
		})
	}
}

// A banner typed with its own delimiter is written as IOS prints it, and a
// second pass finds it in place.
func TestApplyPatchBannerDelimiter(t *testing.T) {
	once := applyTwice(t, readTestdata(t, "ios-access.txt"), []byte("banner login %Authorised\nuse only%\nhostname sw-new\n"))
	if miss := inOrder(splitLines(once), []string{"banner motd ^C", "banner login ^CAuthorised", "use only^C", "line vty 0 4"}); miss != "" {
		t.Errorf("missing or out of order: %q\n%s", miss, once)
	}
}

// TestApplyPatchText checks the whole text of small configs patched, and
// that a second pass gives the same text.
func TestApplyPatchText(t *testing.T) {
	for _, tc := range []struct{ name, cfg, patch, want string }{
		{
			// A terminal capture can end lines with two CRs.
			name:  "lines ending in two CRs",
			cfg:   "hostname sw\r\r\n!\r\r\ninterface Vlan1\r\r\n shutdown\r\r\n",
			patch: "interface Vlan1\n no shutdown\n",
			want:  "hostname sw\n!\ninterface Vlan1\n",
		},
		// A blank line is a line whether it ends in LF or CRLF.
		{name: "one blank line, LF", cfg: "\n", want: "\n"},
		{name: "one blank line, CRLF", cfg: "\r\n", want: "\n"},
		{name: "one blank line, CR", cfg: "\r", want: "\n"},
		{
			// Only ^C (or a raw ETX), which show running-config prints,
			// opens a banner of several lines in a running config: an ASA
			// prints one line per banner command, whatever its first
			// character.
			name:  "ASA banner lines are one line each",
			cfg:   "hostname asa\nbanner motd -Authorised use only\nbanner motd -Second line\n!\nsysopt noproxyarp outside\n",
			patch: "sysopt noproxyarp voice\n",
			want:  "hostname asa\nbanner motd -Authorised use only\nbanner motd -Second line\n!\nsysopt noproxyarp outside\nsysopt noproxyarp voice\n",
		},
		{
			// "no crypto map VPN" removes the section and the entries it
			// starts, whether the header has commands under it (second
			// pass) or not (first pass).
			name:  "no of a header removes the section and the lines it starts",
			cfg:   "crypto map VPN\n",
			patch: "crypto map VPN 10 match address A\nno crypto map VPN\ncrypto map VPN\n set peer 192.0.2.1\n",
			want:  "crypto map VPN\n set peer 192.0.2.1\n",
		},
		{
			// The header entered after "no" of its section takes the
			// section's place, with commands (second pass) or without.
			name:  "a header without commands takes its removed section's place",
			cfg:   "crypto map VPN\ncrypto map OTHER\n",
			patch: "crypto map VPN\n set peer 192.0.2.1\nno crypto map VPN\ncrypto map VPN\n",
			want:  "crypto map VPN\ncrypto map OTHER\n",
		},
		{
			// A section indented unevenly (a hand-edited file) gets a new
			// command at the depth of its last one: deeper, it would be
			// read back as that command's child.
			name:  "uneven indentation",
			cfg:   "interface GigabitEthernet1/0/1\n   description Desk\n switchport mode access\n!\n",
			patch: "interface GigabitEthernet1/0/1\n switchport port-security aging time 5\n",
			want:  "interface GigabitEthernet1/0/1\n   description Desk\n switchport mode access\n switchport port-security aging time 5\n!\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := applyTwice(t, []byte(tc.cfg), []byte(tc.patch)); string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestApplyPatchRefusesConfig checks running configs a patch cannot be
// applied to: the error is a ParseError of the config.
func TestApplyPatchRefusesConfig(t *testing.T) {
	for _, tc := range []struct {
		name, cfg, patch, msg string
		line                  int
	}{
		{
			// A cut capture, refused as the IOS parser refuses it: a line
			// added after it would become banner text, or close it, when
			// the result is read again.
			name: "banner never closed", cfg: "hostname sw\nbanner motd ^C\nAuthorised use only\n", patch: "hostname sw2\n",
			line: 2, msg: `banner is not closed by "^C"`,
		},
		{
			// The patch shortens a config holding a few bytes that are not
			// text past the binary limit: handed on, the result would be
			// refused with no word of the patch.
			name: "result not text", cfg: "hostname 00000000\n\xe3\xe3", patch: "hostname 0\n",
			msg: "binary data",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ApplyPatch([]byte(tc.cfg), []byte(tc.patch), "patch.txt")
			var pe *facts.ParseError
			if !errors.As(err, &pe) || pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Fatalf("err %v, want line %d with %q", err, tc.line, tc.msg)
			}
		})
	}
}
