package inventory

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// y strips the newline after the opening backquote so that line 1 of the
// YAML is the first line written, and line numbers in tests read true.
func y(s string) []byte { return []byte(strings.TrimPrefix(s, "\n")) }

func mustParse(t *testing.T, data []byte) *Inventory {
	t.Helper()
	inv, err := Parse("inventory.yaml", data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return inv
}

func host(t *testing.T, inv *Inventory, name string) Host {
	t.Helper()
	h := inv.Host(name)
	if h == nil {
		t.Fatalf("host %s not in inventory", name)
	}
	return *h
}

func TestLoadTestdata(t *testing.T) {
	inv, err := Load(filepath.Join("testdata", "inventory.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	lyon := map[string]string{"site": "lyon", "contact": "voice-team@example.net"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range lyon {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	want := []Host{
		{
			Name: "asa-edge-1", Platform: "asa", Address: "198.18.3.1", Port: 22,
			Username:   "netops",
			Password:   SecretRef{"file", "~/.kaudit/netops.pass"},
			Enable:     SecretRef{"env", "KAUDIT_ASA_ENABLE"},
			KnownHosts: "~/.kaudit/known_hosts",
			Timeout:    20 * time.Second, CommandTimeout: 2 * time.Minute,
			Tags: []string{"lyon", "primary"}, Roles: []string{"voice-firewall"},
			Groups: []string{"firewalls"}, Data: with(), Line: 73,
		},
		{
			Name: "asa-edge-2", Platform: "asa", Address: "198.18.3.2", Port: 22,
			Username:   "netops",
			Password:   SecretRef{"file", "~/.kaudit/netops.pass"},
			Enable:     SecretRef{"env", "KAUDIT_ASA_ENABLE"},
			KnownHosts: "~/.kaudit/known_hosts",
			Timeout:    20 * time.Second, CommandTimeout: 2 * time.Minute,
			Tags: []string{"lyon", "standby"}, Roles: []string{"voice-firewall"},
			Groups: []string{"firewalls"}, Data: with(), Line: 77,
		},
		{
			Name: "core-1", Platform: "ios", Address: "198.18.0.1", Port: 22,
			Username:   "kaudit",
			Password:   SecretRef{"env", "KAUDIT_PASSWORD"},
			PrivateKey: "~/.ssh/kaudit_ed25519",
			Passphrase: SecretRef{"file", "~/.kaudit/key.pass"},
			SSHAgent:   true,
			KnownHosts: "~/.kaudit/known_hosts",
			Timeout:    20 * time.Second, CommandTimeout: time.Minute,
			Tags: []string{"lyon"}, Roles: []string{"core-switch"},
			Data: with(), Line: 49,
		},
		{
			Name: "cucm-pub", Platform: "cucm", Address: "cucm-pub.voice.example.net", Port: 22,
			Username: "ccmadmin",
			// relative to the inventory file, not the working directory
			Password:   SecretRef{"file", filepath.Join(abs, "secrets", "cucm.pass")},
			KnownHosts: "~/.kaudit/known_hosts",
			Timeout:    20 * time.Second, CommandTimeout: 3 * time.Minute,
			Tags: []string{"lyon", "uc"}, Roles: []string{"cucm-primary"},
			Groups: []string{"cucm"}, Data: with(), Line: 81,
		},
		{
			Name: "cucm-sub1", Platform: "cucm", Address: "198.18.4.11", Port: 22,
			Username:   "ccmadmin",
			Password:   SecretRef{"file", filepath.Join(abs, "secrets", "cucm.pass")},
			KnownHosts: "~/.kaudit/known_hosts",
			Timeout:    20 * time.Second, CommandTimeout: 3 * time.Minute,
			Tags: []string{"lyon", "uc"}, Roles: []string{"cucm-backup"},
			Groups: []string{"cucm"}, Data: with(), Line: 85,
		},
		{
			Name: "sw-a-floor1", Platform: "ios", Address: "198.18.1.11", Port: 22,
			Username:   "audit",
			Password:   SecretRef{"env", "KAUDIT_PASSWORD"},
			Enable:     SecretRef{"env", "KAUDIT_ENABLE"},
			KnownHosts: "~/.kaudit/known_hosts",
			Timeout:    20 * time.Second, CommandTimeout: time.Minute,
			Tags: []string{"building-a", "lyon"}, Roles: []string{"access-switch"},
			Groups: []string{"switches", "building-a"},
			Data:   with("floor_plan", "a-levels-0-4"), Line: 58,
		},
		{
			Name: "sw-a-floor2", Platform: "ios", Address: "198.18.1.12", Port: 22,
			Username:         "audit",
			Password:         SecretRef{"env", "KAUDIT_PASSWORD"},
			Enable:           SecretRef{"env", "KAUDIT_ENABLE"},
			KnownHosts:       "~/.kaudit/known_hosts",
			LegacyAlgorithms: true,
			Timeout:          45 * time.Second, CommandTimeout: time.Minute,
			Tags: []string{"building-a", "lyon"}, Roles: []string{"access-switch"},
			Groups: []string{"switches", "building-a", "old-ios"},
			Data:   with("floor_plan", "a-levels-0-4", "rack", "A2-07"), Line: 61,
		},
		{
			Name: "sw-b-floor1", Platform: "ios", Address: "198.18.2.11", Port: 22,
			Username:   "audit",
			Password:   SecretRef{"env", "KAUDIT_PASSWORD"},
			Enable:     SecretRef{"env", "KAUDIT_ENABLE"},
			KnownHosts: "~/.kaudit/known_hosts",
			Jump:       "kaudit@198.18.0.10:2022",
			Timeout:    20 * time.Second, CommandTimeout: time.Minute,
			Tags: []string{"building-b", "lyon"}, Roles: []string{"access-switch"},
			Groups: []string{"switches", "building-b"}, Data: with(), Line: 66,
		},
		{
			Name: "sw-b-floor2", Platform: "ios", Address: "198.18.2.12", Port: 2222,
			Username:         "audit",
			Password:         SecretRef{"env", "KAUDIT_PASSWORD"},
			Enable:           SecretRef{"env", "KAUDIT_ENABLE"},
			KnownHosts:       "~/.kaudit/known_hosts",
			Jump:             "kaudit@198.18.0.10:2022",
			LegacyAlgorithms: true,
			Timeout:          45 * time.Second, CommandTimeout: time.Minute,
			Tags: []string{"building-b", "lyon"}, Roles: []string{"access-switch"},
			Groups: []string{"switches", "building-b", "old-ios"}, Data: with(), Line: 69,
		},
	}
	if len(inv.Hosts) != len(want) {
		t.Fatalf("got %d hosts, want %d", len(inv.Hosts), len(want))
	}
	for i, w := range want {
		if got := inv.Hosts[i]; !reflect.DeepEqual(got, w) {
			t.Errorf("host %d:\n got  %+v\n want %+v", i, got, w)
		}
	}
}

func TestPrecedence(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		check func(t *testing.T, h Host)
	}{
		{
			name: "built-in defaults fill what nobody sets",
			yaml: `
hosts:
  sw1: {platform: ios}
`,
			check: func(t *testing.T, h Host) {
				if h.Address != "sw1" || h.Port != DefaultPort || h.Timeout != DefaultTimeout ||
					h.CommandTimeout != DefaultCommandTimeout || h.Username != "" || !h.Password.IsZero() ||
					h.Groups != nil || h.Tags != nil {
					t.Errorf("got %+v", h)
				}
			},
		},
		{
			name: "group overrides defaults, host overrides group",
			yaml: `
defaults: {platform: ios, port: 2200, username: d, timeout: 10s}
groups:
  g: {port: 2300, username: g}
hosts:
  sw1: {groups: [g], port: 2400}
`,
			check: func(t *testing.T, h Host) {
				if h.Port != 2400 || h.Username != "g" || h.Timeout != 10*time.Second || h.Platform != "ios" {
					t.Errorf("got port %d user %q timeout %v platform %q", h.Port, h.Username, h.Timeout, h.Platform)
				}
			},
		},
		{
			name: "later listed group wins",
			yaml: `
groups:
  a: {platform: ios, username: a, port: 2201}
  b: {platform: asa, username: b}
hosts:
  fw1: {groups: [a, b]}
  sw1: {groups: [b, a]}
`,
			check: func(t *testing.T, h Host) {
				want := map[string][3]string{"fw1": {"asa", "b", "2201"}, "sw1": {"ios", "a", "2201"}}[h.Name]
				if h.Platform != want[0] || h.Username != want[1] || h.Port != 2201 {
					t.Errorf("%s: got %s/%s/%d, want %v", h.Name, h.Platform, h.Username, h.Port, want)
				}
			},
		},
		{
			name: "a group overrides its parent, depth first",
			yaml: `
groups:
  parent: {platform: ios, username: parent, port: 2201, command_timeout: 5m}
  child: {groups: [parent], username: child}
hosts:
  sw1: {groups: [child]}
`,
			check: func(t *testing.T, h Host) {
				if h.Username != "child" || h.Port != 2201 || h.CommandTimeout != 5*time.Minute {
					t.Errorf("got %q %d %v", h.Username, h.Port, h.CommandTimeout)
				}
				if !reflect.DeepEqual(h.Groups, []string{"parent", "child"}) {
					t.Errorf("groups %v", h.Groups)
				}
			},
		},
		{
			name: "a later group's parent beats an earlier group",
			yaml: `
groups:
  a: {platform: ios, username: a}
  pb: {username: pb}
  b: {groups: [pb]}
hosts:
  sw1: {groups: [a, b]}
`,
			check: func(t *testing.T, h Host) {
				if h.Username != "pb" || !reflect.DeepEqual(h.Groups, []string{"a", "pb", "b"}) {
					t.Errorf("got %q groups %v", h.Username, h.Groups)
				}
			},
		},
		{
			name: "diamond: a shared parent is applied once, first",
			yaml: `
groups:
  base: {platform: ios, username: base, port: 2201}
  left: {groups: [base], username: left}
  right: {groups: [base], port: 2202}
hosts:
  sw1: {groups: [left, right]}
`,
			check: func(t *testing.T, h Host) {
				if h.Username != "left" || h.Port != 2202 {
					t.Errorf("got %q %d", h.Username, h.Port)
				}
				if !reflect.DeepEqual(h.Groups, []string{"base", "left", "right"}) {
					t.Errorf("groups %v", h.Groups)
				}
			},
		},
		{
			name: "tags and roles are unioned and sorted, data merges per key",
			yaml: `
defaults: {platform: ios, tags: [z, a], data: {site: lyon, owner: net}}
groups:
  g: {tags: [a, m], roles: [access-switch], data: {owner: voice}}
hosts:
  sw1: {groups: [g], tags: [b], roles: [access-switch, uplink], data: {rack: r1}}
`,
			check: func(t *testing.T, h Host) {
				if !reflect.DeepEqual(h.Tags, []string{"a", "b", "m", "z"}) ||
					!reflect.DeepEqual(h.Roles, []string{"access-switch", "uplink"}) ||
					!reflect.DeepEqual(h.Data, map[string]string{"site": "lyon", "owner": "voice", "rack": "r1"}) {
					t.Errorf("got tags %v roles %v data %v", h.Tags, h.Roles, h.Data)
				}
			},
		},
		{
			name: "secrets override by level and keep their kind",
			yaml: `
defaults: {platform: ios, password: {env: D_PASS}, enable: "env:D_EN"}
groups:
  g: {password: "file:/etc/kaudit/g.pass"}
hosts:
  sw1: {groups: [g], enable: {file: ~/en}}
`,
			check: func(t *testing.T, h Host) {
				if h.Password != (SecretRef{"file", "/etc/kaudit/g.pass"}) || h.Enable != (SecretRef{"file", "~/en"}) {
					t.Errorf("got %v %v", h.Password, h.Enable)
				}
			},
		},
		{
			name: "empty value states nothing; empty jump clears an inherited one",
			yaml: `
defaults: {platform: ios, username: d, jump: bastion.example.net}
hosts:
  sw1:
    username:
    jump: ""
`,
			check: func(t *testing.T, h Host) {
				if h.Username != "d" || h.Jump != "" {
					t.Errorf("got %q %q", h.Username, h.Jump)
				}
			},
		},
		{
			name: "booleans override both ways",
			yaml: `
defaults: {platform: ios, ssh_agent: true, legacy_algorithms: true}
hosts:
  sw1: {ssh_agent: false}
`,
			check: func(t *testing.T, h Host) {
				if h.SSHAgent || !h.LegacyAlgorithms {
					t.Errorf("got agent %v legacy %v", h.SSHAgent, h.LegacyAlgorithms)
				}
			},
		},
		{
			name: "aliases are followed",
			yaml: `
defaults: {platform: ios, tags: &t [voice, lyon]}
hosts:
  sw1: {roles: *t, address: &a 198.18.0.7}
`,
			check: func(t *testing.T, h Host) {
				if !reflect.DeepEqual(h.Roles, []string{"lyon", "voice"}) || h.Address != "198.18.0.7" {
					t.Errorf("got %v %q", h.Roles, h.Address)
				}
			},
		},
		{
			name: "jump to another inventory host and to user@host:port",
			yaml: `
defaults: {platform: ios}
hosts:
  sw1: {jump: sw2}
  sw2: {jump: "ops@[2001:db8::1]:2022"}
`,
			check: func(t *testing.T, h Host) {
				want := map[string]string{"sw1": "sw2", "sw2": "ops@[2001:db8::1]:2022"}[h.Name]
				if h.Jump != want {
					t.Errorf("%s: got %q, want %q", h.Name, h.Jump, want)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := mustParse(t, y(tt.yaml))
			for _, h := range inv.Hosts {
				tt.check(t, h)
			}
		})
	}
}

func TestTrailingEmptyDocument(t *testing.T) {
	inv := mustParse(t, []byte("hosts:\n  sw1: {platform: ios}\n---\n# end\n"))
	if len(inv.Hosts) != 1 {
		t.Errorf("got %d hosts", len(inv.Hosts))
	}
}

func TestHostsSortedAndLine(t *testing.T) {
	inv := mustParse(t, y(`
defaults:
  platform: ios
hosts:
  zz: {}
  aa:
  mm: {address: 198.18.0.1}
`))
	var names []string
	var lines []int
	for _, h := range inv.Hosts {
		names = append(names, h.Name)
		lines = append(lines, h.Line)
	}
	if !reflect.DeepEqual(names, []string{"aa", "mm", "zz"}) || !reflect.DeepEqual(lines, []int{5, 6, 4}) {
		t.Errorf("got %v %v", names, lines)
	}
	if inv.Host("mm") == nil || inv.Host("m") != nil || inv.Host("zzz") != nil {
		t.Error("Host lookup")
	}
}

// TestRoundTrip checks that Marshal writes what Parse reads back to the same
// hosts, and that writing again is byte-identical.
func TestRoundTrip(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "inventory.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]byte{
		"testdata": data,
		"odd values": y(`
defaults: {platform: cucm}
groups:
  "007": {tags: ["true", "1.5", "null"]}
hosts:
  "1234": {groups: ["007"], data: {"y": "n", empty: "", multi: "a\nb", "k: v": "x # y"}}
  h.example.net: {address: "::1", port: 65535, timeout: 1h30m, command_timeout: 1500ms, jump: "u@h:1"}
`),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			inv := mustParse(t, in)
			out := Marshal(inv)
			back, err := Parse("marshalled.yaml", out)
			if err != nil {
				t.Fatalf("Parse(Marshal): %v\n%s", err, out)
			}
			assertSameHosts(t, inv, back)
			if again := Marshal(back); !bytes.Equal(again, out) {
				t.Errorf("Marshal not stable:\n%s\n---\n%s", out, again)
			}
			if inv.Digest() != back.Digest() {
				t.Error("digest changed across round trip")
			}
		})
	}
}

func assertSameHosts(t *testing.T, a, b *Inventory) {
	t.Helper()
	if len(a.Hosts) != len(b.Hosts) {
		t.Fatalf("%d hosts vs %d", len(a.Hosts), len(b.Hosts))
	}
	for i := range a.Hosts {
		x, y := a.Hosts[i], b.Hosts[i]
		x.Line, y.Line = 0, 0
		if !reflect.DeepEqual(x, y) {
			t.Errorf("host %s changed:\n %+v\n %+v", x.Name, x, y)
		}
	}
}

func TestMarshalGolden(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "inventory.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := Marshal(mustParse(t, data))
	golden := filepath.Join("testdata", "inventory.resolved.yaml")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Marshal differs from %s (go test -update after checking):\n%s", golden, got)
	}
}

func TestDigest(t *testing.T) {
	base := y(`
defaults: {platform: ios, username: audit, password: {env: P}}
groups:
  floor: {tags: [floor], port: 2201}
hosts:
  sw1: {groups: [floor]}
  sw2: {address: 198.18.0.2}
`)
	// Same effective settings: hosts reordered, defaults spelled out, flow
	// style changed, comments added, the secret in string form.
	same := y(`
# reformatted
groups:
  floor:
    port: 2201
    tags:
      - floor
hosts:
  sw2:
    platform: ios
    address: 198.18.0.2
    username: audit
    password: env:P
    port: 22
    timeout: 30s
  sw1:
    platform: ios
    username: audit
    password: {env: P}
    groups: [floor]
`)
	changed := map[string][]byte{
		"port":        bytes.Replace(base, []byte("port: 2201"), []byte("port: 2202"), 1),
		"secret ref":  bytes.Replace(base, []byte("{env: P}"), []byte("{env: Q}"), 1),
		"secret kind": bytes.Replace(base, []byte("{env: P}"), []byte("{file: P}"), 1),
		"tag":         bytes.Replace(base, []byte("198.18.0.2}"), []byte("198.18.0.2, tags: [x]}"), 1),
		"host name":   bytes.Replace(base, []byte("sw2:"), []byte("sw3:"), 1),
	}
	d := mustParse(t, base).Digest()
	if len(d) != 64 || strings.Trim(d, "0123456789abcdef") != "" {
		t.Fatalf("digest %q is not hex sha256", d)
	}
	if d2 := mustParse(t, base).Digest(); d2 != d {
		t.Errorf("digest not stable: %s vs %s", d, d2)
	}
	if ds := mustParse(t, same).Digest(); ds != d {
		t.Errorf("equivalent inventory has another digest: %s vs %s", ds, d)
	}
	for name, data := range changed {
		if bytes.Equal(data, base) {
			t.Fatalf("%s: replacement did not apply", name)
		}
		if dc := mustParse(t, data).Digest(); dc == d {
			t.Errorf("changing %s kept the digest", name)
		}
	}
	// Pinned so an accidental change of the canonical form (which would
	// make every stored run look changed) is caught.
	const pinned = "ae24d6301afcd2519aa41011d38fa10e2c9f74661eedd6fcd5b4ed100bd5a47a"
	if d != pinned {
		t.Errorf("digest %s, pinned %s", d, pinned)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "inventory.yaml")
	if err := os.WriteFile(bad, y(`
hosts:
  sw1: {platform: nxos}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(bad)
	if err == nil || !strings.HasPrefix(err.Error(), bad+":2: unknown platform") {
		t.Errorf("got %v", err)
	}
}

func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "inventory.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("inventory.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
