package inventory

import (
	"fmt"
	"strings"
	"testing"
)

// errCase is an inventory that must be rejected with exactly the listed
// errors, in order: each "LINE: text" where text is part of the message.
type errCase struct {
	name string
	yaml string
	want []string
}

var errCases = []errCase{
	// --- file level
	{"empty file", ``, []string{"1: empty inventory"}},
	{"only blanks", "\n  \n\t\n", []string{"1: empty inventory"}},
	{"only comments", "# nothing yet\n# really\n", []string{"1: empty inventory"}},
	{"document marker only", "---\n", []string{"1: empty inventory"}},
	{"top level is a list", `
- sw1
- sw2
`, []string{"1: top level must be a mapping with defaults, groups and hosts sections, not a list"}},
	{"top level is a string", `
sw1 sw2
`, []string{"1: top level must be a mapping with defaults, groups and hosts sections, not a string"}},
	{"binary", "hosts:\n  sw1:\x00\x01\n", []string{"2: binary data"}},
	{"syntax error", `
hosts:
  sw1: {platform: ios
  sw2: {}
`, []string{"2: invalid YAML: did not find expected ',' or '}'"}},
	{"tab indentation", "hosts:\n\tsw1: {}\n", []string{"2: invalid YAML"}},
	{"two documents", `
hosts:
  sw1: {platform: ios}
---
hosts:
  sw2: {platform: ios}
`, []string{"3: more than one YAML document"}},
	{"no hosts section", `
defaults:
  platform: ios
`, []string{"1: no hosts section"}},
	{"hosts empty", `
hosts: {}
`, []string{"1: hosts is empty"}},
	{"hosts is a list", `
hosts:
  - sw1
  - sw2
`, []string{"2: hosts must be a mapping of host name to settings, not a list"}},
	{"unknown top-level key", `
defaults: {platform: ios}
host:
  sw1: {}
hosts:
  sw2: {}
`, []string{`2: unknown top-level key "host" (did you mean hosts?)`}},
	{"duplicate section", `
hosts:
  sw1: {platform: ios}
hosts:
  sw2: {platform: ios}
`, []string{`3: duplicate section "hosts" (first at line 1)`}},
	{"merge key", `
defaults: &d {platform: ios}
hosts:
  sw1:
    <<: *d
    port: 2201
`, []string{"4: YAML merge keys (<<) are not supported in host sw1; use groups"}},

	// --- unknown keys at every level
	{"unknown key in host", `
defaults:
  platform: ios
hosts:
  sw-floor1:
    adress: 127.0.0.1
`, []string{`5: unknown key "adress" in host sw-floor1 (did you mean address?)`}},
	{"unknown key in group", `
groups:
  access:
    platfrom: ios
hosts:
  sw1: {platform: ios, groups: [access]}
`, []string{`3: unknown key "platfrom" in group access (did you mean platform?)`}},
	{"unknown key in defaults", `
defaults:
  timout: 30s
hosts:
  sw1: {platform: ios}
`, []string{`2: unknown key "timout" in defaults (did you mean timeout?)`}},
	{"nornir hostname key", `
hosts:
  sw1:
    platform: ios
    hostname: 198.18.0.1
`, []string{`4: unknown key "hostname" in host sw1 (did you mean address?)`}},
	{"unknown key without suggestion", `
hosts:
  sw1:
    platform: ios
    snmp_community: x
`, []string{`4: unknown key "snmp_community" in host sw1`}},
	{"groups in defaults", `
defaults:
  platform: ios
  groups: [a]
hosts:
  sw1: {}
`, []string{"3: groups is not allowed in defaults"}},
	{"duplicate key in host", `
hosts:
  sw1:
    platform: ios
    port: 22
    port: 2222
`, []string{`5: duplicate key "port" in host sw1 (first at line 4)`}},
	{"duplicate key in data", `
hosts:
  sw1:
    platform: ios
    data:
      rack: a
      rack: b
`, []string{`6: duplicate key "rack" in data of host sw1 (first at line 5)`}},

	// --- hosts and groups
	{"duplicate host", `
defaults: {platform: ios}
hosts:
  sw1:
    address: 198.18.0.1
  sw2: {}
  sw1:
    address: 198.18.0.2
`, []string{`6: duplicate host "sw1" (first defined at line 3)`}},
	{"hosts differing only in case", `
defaults: {platform: ios}
hosts:
  sw1: {}
  SW1: {}
`, []string{`4: host "SW1" differs from host "sw1" (line 3) only in case`}},
	{"duplicate group", `
groups:
  access: {platform: ios}
  access: {platform: asa}
hosts:
  sw1: {groups: [access]}
`, []string{`3: duplicate group "access" (first defined at line 2)`}},
	{"bad host name", `
defaults: {platform: ios}
hosts:
  ../etc: {}
  "sw 1": {}
`, []string{`3: bad host name "../etc"`, `4: bad host name "sw 1"`}},
	{"host is a scalar", `
hosts:
  sw1: 198.18.0.1
`, []string{"2: host sw1 must be a mapping of settings, not a string (to set its address write address: ...)"}},
	{"undefined group in host", `
defaults: {platform: ios}
groups:
  access: {}
hosts:
  sw1:
    groups: [acess]
`, []string{`6: undefined group "acess" in host sw1 (did you mean access?)`}},
	{"undefined group in group", `
groups:
  access:
    groups:
      - base
      - voice
  voice: {platform: ios}
hosts:
  sw1: {groups: [access]}
`, []string{`4: undefined group "base" in group access`}},
	{"group cycle of one", `
groups:
  a:
    platform: ios
    groups: [a]
hosts:
  sw1: {groups: [a]}
`, []string{"4: group cycle: a -> a"}},
	{"group cycle of three", `
groups:
  a:
    platform: ios
    groups: [b]
  b:
    groups: [c]
  c:
    groups: [a]
hosts:
  sw1: {groups: [b]}
`, []string{"8: group cycle: a -> b -> c -> a"}},
	{"groups not a list", `
groups:
  a: {platform: ios}
hosts:
  sw1: {groups: a}
`, []string{"4: groups in host sw1 must be a list of group names, e.g. [access], not a string"}},

	// --- platform
	{"unknown platform in host", `
hosts:
  sw1:
    platform: nxos
`, []string{`3: unknown platform "nxos" in host sw1: want ios, asa or cucm`}},
	{"unknown platform with hint", `
groups:
  edge:
    platform: cisco_asa
hosts:
  fw1: {groups: [edge]}
`, []string{`3: unknown platform "cisco_asa" in group edge: want ios, asa or cucm (did you mean asa?)`}},
	{"missing platform after resolution", `
defaults:
  username: audit
groups:
  g: {port: 2201}
hosts:
  sw1: {groups: [g]}
  cucm-pub:
    roles: [cucm-primary]
`, []string{"6: host sw1 has no platform: set platform (ios, asa or cucm) in the host, one of its groups or defaults", "7: host cucm-pub has no platform"}},

	// --- values
	{"bad ports", `
defaults: {platform: ios}
hosts:
  sw1: {port: 0}
  sw2: {port: 70000}
  sw3:
    port: ssh
  sw4: {port: [22]}
`, []string{`3: bad port "0" in host sw1: want a number 1-65535`, `4: bad port "70000"`, `6: bad port "ssh"`, "7: port in host sw4 must be a single value, not a list"}},
	{"bad durations", `
defaults:
  platform: ios
  timeout: 30
hosts:
  sw1: {command_timeout: -1s}
  sw2: {timeout: soon}
  sw3: {timeout: 0s}
`, []string{`3: bad timeout "30" in defaults: want a positive Go duration such as 30s or 2m`, `5: bad command_timeout "-1s" in host sw1`, `6: bad timeout "soon"`, `7: bad timeout "0s"`}},
	{"bad booleans", `
defaults: {platform: ios}
hosts:
  sw1: {ssh_agent: "yes"}
  sw2: {legacy_algorithms: 1}
`, []string{`3: ssh_agent in host sw1 must be true or false, not "yes"`, `4: legacy_algorithms in host sw2 must be true or false, not "1"`}},
	{"bad addresses", `
defaults: {platform: ios}
hosts:
  sw1: {address: "[2001:db8::1]"}
  sw2: {address: "198.18.0.1:22"}
  sw3: {address: "admin@sw3"}
  sw4: {address: "two words"}
`, []string{`3: bad address "[2001:db8::1]" in host sw1: want a hostname or IP address (write IPv6 addresses without brackets)`, "4: (put the port in port:", "5: (put the user in username:", `6: bad address "two words"`}},
	{"empty strings", `
defaults: {platform: ios}
hosts:
  sw1: {username: "", private_key: " "}
`, []string{"3: username in host sw1 is empty", "3: private_key in host sw1 is empty"}},
	{"bad tags and roles", `
defaults: {platform: ios}
hosts:
  sw1:
    tags: [ok, "a,b", "x=y"]
    roles: cucm-primary
`, []string{`4: bad tag "a,b" in host sw1`, `4: bad tag "x=y"`, "5: roles in host sw1 must be a list, e.g. [a, b], not a string"}},
	{"bad data", `
defaults: {platform: ios}
hosts:
  sw1:
    data:
      rack: [a, b]
  sw2:
    data: rack-a
`, []string{"5: rack in data of host sw1 must be a single value, not a list", "7: data in host sw2 must be a mapping"}},
	{"bad jumps", `
defaults: {platform: ios}
hosts:
  sw1: {jump: "a,b"}
  sw2: {jump: "u@h:99999"}
  sw3: {jump: "@h"}
`, []string{`3: bad jump "a,b" in host sw1: one jump host only`, `4: bad jump "u@h:99999" in host sw2: port must be 1-65535`, `5: bad jump "@h"`}},
	{"jump through itself via defaults", `
defaults:
  platform: ios
  jump: bastion
hosts:
  bastion: {}
  sw1: {}
`, []string{`5: host bastion jumps through itself (jump: bastion set at line 3); set jump: "" on the host`}},
	{"jump loop", `
defaults: {platform: ios}
hosts:
  b: {jump: a}
  a:
    jump: c
  c: {jump: b}
`, []string{"5: jump loop: a -> c -> b -> a"}},

	// --- secrets
	{"inline password", `
defaults: {platform: ios}
hosts:
  sw1:
    password: Cisco123
`, []string{"4: password in host sw1: inline secrets are not allowed; use {env: ...} or {file: ...}"}},
	{"inline secrets of every kind", `
defaults:
  platform: ios
  enable: 12345
groups:
  g:
    passphrase: "vault:kv/sw"
hosts:
  sw1: {groups: [g], password: true}
`, []string{"3: enable in defaults: inline secrets", "6: passphrase in group g: inline secrets", "8: password in host sw1: inline secrets"}},
	{"bad secret references", `
defaults: {platform: ios}
hosts:
  sw1: {password: {env: }}
  sw2: {password: {env: "not a name"}}
  sw3: {password: {env: A, file: B}}
  sw4: {password: {}}
  sw5: {password: [env, A]}
  sw6: {password: "env:"}
  sw7: {password: {vault: kv/sw7}}
  sw8: {password: {file: [a]}}
`, []string{
		"3: password in host sw1: env reference is empty",
		"4: password in host sw2: env reference is not a variable name",
		"5: password in host sw3: want exactly one of {env: NAME} or {file: PATH}",
		"6: password in host sw4: want exactly one of",
		"7: password in host sw5 must be {env: NAME} or {file: PATH}, not a list",
		"8: password in host sw6: env reference is empty",
		"9: password in host sw7: unknown reference kind; want {env: NAME} or {file: PATH}",
		"10: password in host sw8: file reference must be a single value",
	}},

	// --- several problems at once, reported in line order
	{"all errors sorted by line", `
defaults:
  platform: ios
  port: 99999
groups:
  access:
    groups: [nope]
hosts:
  sw1:
    adress: x
    password: hunter2
  sw2:
    groups: [access]
    timeout: 5
`, []string{
		`3: bad port "99999" in defaults`,
		`6: undefined group "nope" in group access`,
		`9: unknown key "adress" in host sw1 (did you mean address?)`,
		"10: password in host sw1: inline secrets are not allowed",
		`13: bad timeout "5" in host sw2`,
	}},
}

func TestErrors(t *testing.T) {
	for _, tt := range errCases {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := Parse("inventory.yaml", y(tt.yaml))
			if err == nil {
				t.Fatalf("no error; got %d hosts", len(inv.Hosts))
			}
			if inv != nil {
				t.Error("inventory returned along with an error")
			}
			errs := Errors(err)
			var got []string
			for _, e := range errs {
				got = append(got, fmt.Sprintf("%d: %s", e.Line, e.Msg))
				if e.File != "inventory.yaml" {
					t.Errorf("file %q", e.File)
				}
				want := fmt.Sprintf("inventory.yaml:%d: %s", e.Line, e.Msg)
				if e.Line == 0 {
					want = "inventory.yaml: " + e.Msg
				}
				if e.Error() != want {
					t.Errorf("Error() = %q, want %q", e.Error(), want)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				line, text, _ := strings.Cut(w, ": ")
				gl, gt, _ := strings.Cut(got[i], ": ")
				if gl != line || !strings.Contains(gt, text) {
					t.Errorf("error %d:\n got  %s\n want %s", i, got[i], w)
				}
			}
			if !strings.Contains(err.Error(), errs[0].Error()) {
				t.Errorf("joined error %q lacks %q", err, errs[0])
			}
		})
	}
}

// TestUnknownKeyMessage pins the exact message users see for the most common
// mistake.
func TestUnknownKeyMessage(t *testing.T) {
	data := y(`
defaults:
  port: 22
  platform: ios
groups:
  access:
    username: netops
    password: {file: ~/.kaudit/netops.pass}
hosts:
  sw-floor1:
    groups: [access]
    adress: 127.0.0.1
`)
	_, err := Parse("inventory.yaml", data)
	const want = `inventory.yaml:11: unknown key "adress" in host sw-floor1 (did you mean address?)`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct{ word, want string }{
		{"adress", "address"},
		{"Platform", "platform"},
		{"usernme", "username"},
		{"prot", "port"},
		{"hostname", "address"},
		{"proxyjump", "jump"},
		{"identity_file", "private_key"},
		{"xyz", ""},
		{"snmp_community", ""},
		{strings.Repeat("a", 200), ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.word, fieldNames); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

// TestSyntaxErrorLines checks that YAML syntax errors point at the line
// with the problem, not where yaml.v3 says (the enclosing block's start).
func TestSyntaxErrorLines(t *testing.T) {
	tests := []struct {
		yaml string
		line int
	}{
		{"hosts:\n  sw1:\n    a: 1\n    b: 2\n   c: 3\n", 5},
		{"hosts:\n  sw1:\n    a: 1\n    b: 2\n  - c\n", 5},
		{"hosts:\n  sw1:\n    a: [1, 2\n    b: 2\n", 3},
		{"hosts:\n  sw1:\n    a: 1\n    b: 2\n\tc: 1\n", 5},
		{"hosts:\n  sw1:\n    a: 1\n    c: *nope\n", 4},
		{"x: 1\ny: 2\nz: 3\n}\n", 4},
		{"a\nb\nc\nd: 1\n", 4},
		{"hosts:\n  sw1: {platform: ios\n  sw2: {}\n", 2},
	}
	for _, tt := range tests {
		_, err := Parse("inventory.yaml", []byte(tt.yaml))
		errs := Errors(err)
		if len(errs) != 1 || errs[0].Line != tt.line || !strings.Contains(errs[0].Msg, "invalid YAML") {
			t.Errorf("%q: got %v, want one invalid YAML error at line %d", tt.yaml, err, tt.line)
		}
	}
}
