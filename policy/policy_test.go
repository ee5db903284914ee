package policy

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// same compares the parts of two policies a user can set.
func same(a, b Policy) bool {
	if a.Defaults != b.Defaults || a.Thresholds != b.Thresholds || len(a.Severity) != len(b.Severity) || len(a.Waivers) != len(b.Waivers) {
		return false
	}
	for k, v := range a.Severity {
		if b.Severity[k] != v {
			return false
		}
	}
	for i, w := range a.Waivers {
		x := b.Waivers[i]
		if w.Rule != x.Rule || w.Device != x.Device || w.Object != x.Object || w.Reason != x.Reason || w.Owner != x.Owner || w.Expires != x.Expires {
			return false
		}
	}
	return true
}

func TestDefault(t *testing.T) {
	want := Policy{
		Defaults: Defaults{
			SIPStationKeepaliveSeconds: 120, SIPRegisterDeltaSeconds: 5, SIPKeepaliveExpiresSeconds: 120,
			SCCPKeepaliveSeconds: 30, SCCPBackupKeepaliveSeconds: 60, SIPT1Millis: 500, SIPT2Millis: 4000,
			SIPRegisterExpiresSeconds: 3600, CUCMExpiryGraceSeconds: 15, PhoneProtocol: "SIP", MACAgingDefaultSeconds: 300,
		},
		Thresholds: Thresholds{
			PortSecurityWarningMarginSeconds: 60, FirewallIdleWarningMarginSeconds: 60, MACAgingWarningMarginSeconds: 60,
			VoicePortMinMaximum: 2, MinRetransmissionRoomSeconds: 1,
		},
	}
	if !reflect.DeepEqual(Default(), want) {
		t.Fatalf("Default() =\n%+v, want\n%+v", Default(), want)
	}
	for _, in := range []string{"", "\n\n", "# only a comment\n", "---\n", "~\n", "{}\n", "defaults:\nthresholds:\nseverity:\nwaivers:\n", "defaults: {}\nwaivers: []\n"} {
		p, err := Parse("policy.yaml", []byte(in))
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if !same(p, want) || p.File != "policy.yaml" {
			t.Errorf("Parse(%q) = %+v, want the defaults", in, p)
		}
	}
}

func TestLoadTestdata(t *testing.T) {
	path := filepath.Join("testdata", "policy.yaml")
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	d := Default().Defaults
	d.SIPStationKeepaliveSeconds, d.SIPKeepaliveExpiresSeconds = 300, 300
	if p.Defaults != d {
		t.Errorf("defaults %+v, want %+v", p.Defaults, d)
	}
	th := Default().Thresholds
	th.PortSecurityWarningMarginSeconds, th.FirewallIdleWarningMarginSeconds, th.VoicePortMinMaximum = 120, 300, 3
	if p.Thresholds != th {
		t.Errorf("thresholds %+v, want %+v", p.Thresholds, th)
	}
	wantSev := map[string]string{
		"mac-aging-shorter-than-keepalive":    "info",
		"port-security-max-too-low-for-voice": "critical",
		"sip-profile-timers-inconsistent":     "off",
	}
	if !reflect.DeepEqual(p.Severity, wantSev) {
		t.Errorf("severity %v, want %v", p.Severity, wantSev)
	}
	if s, ok := p.SeverityFor("sip-profile-timers-inconsistent"); s != "off" || !ok {
		t.Errorf("SeverityFor = %q %v", s, ok)
	}
	type waiver struct {
		line                                         int
		rule, device, object, reason, owner, expires string
	}
	want := []waiver{
		{26, "firewall-idle-timeout-shorter-than-keepalive", "asa-dmz", "class voice-*", "DMZ SIP trunk only; no phones behind it (CHG0041722)", "voice-team@example.com", "2026-06-30"},
		{32, "port-security-aging-shorter-than-keepalive", "sw-lab-*", "GigabitEthernet1/0/*", "lab switches are re-cabled daily", "lab", ""},
		{37, "*", "sw-decom-07", "", "switch is being decommissioned", "", "2025-12-31"},
	}
	if len(p.Waivers) != len(want) {
		t.Fatalf("%d waivers, want %d", len(p.Waivers), len(want))
	}
	for i, w := range p.Waivers {
		got := waiver{w.Line, w.Rule, w.Device, w.Object, w.Reason, w.Owner, w.Expires.String()}
		if got != want[i] {
			t.Errorf("waiver %d = %+v, want %+v", i, got, want[i])
		}
	}
	if !p.Waivers[1].Matches("port-security-aging-shorter-than-keepalive", "sw-lab-03", "GigabitEthernet1/0/17") {
		t.Error("lab waiver does not match a lab port")
	}
	if p.File != path {
		t.Errorf("File = %q", p.File)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		line int
		sub  string
	}{
		{"unknown section", "default:\n  sccp_keepalive_s: 30\n", 1, `unknown key "default" (known: defaults, thresholds, severity, waivers)`},
		{"unknown default", "defaults:\n  sccp_keepalive_s: 30\n  sip_keepalive_s: 120\n", 3, `defaults: unknown key "sip_keepalive_s"`},
		{"unknown threshold", "thresholds:\n  port_security_margin_s: 60\n", 2, `thresholds: unknown key "port_security_margin_s"`},
		{"word for a timer", "defaults:\n  sip_t1_ms: fast\n", 2, `defaults.sip_t1_ms must be a whole number of milliseconds, not "fast"`},
		{"fraction", "defaults:\n  sccp_keepalive_s: 29.5\n", 2, `whole number of seconds, not "29.5"`},
		{"quoted number", "thresholds:\n  voice_port_min_maximum: \"2\"\n", 2, `voice_port_min_maximum must be a whole number, not "2"`},
		{"duration string", "defaults:\n  cucm_expiry_grace_s: 15s\n", 2, `not "15s"`},
		{"list for a timer", "defaults:\n  sccp_keepalive_s: [30]\n", 2, "must be a whole number of seconds, not a list"},
		{"negative timer", "defaults:\n  sip_register_delta_s: -5\n", 2, "sip_register_delta_s must not be negative (-5)"},
		{"negative margin", "thresholds:\n\n  mac_aging_warning_margin_s: -1\n", 3, "must not be negative"},
		{"zero keepalive", "defaults:\n  sip_station_keepalive_s: 0\n", 2, "sip_station_keepalive_s must be at least 1 (0)"},
		{"huge timer", "defaults:\n  mac_aging_default_s: 99999999999\n", 2, "too large"},
		{"no value", "defaults:\n  sip_t2_ms:\n", 2, "sip_t2_ms has no value"},
		{"protocol", "defaults:\n  phone_protocol: H.323\n", 2, `phone_protocol must be SIP or SCCP, not "H.323"`},
		{"defaults as list", "defaults:\n  - sccp_keepalive_s: 30\n", 2, "defaults must be a mapping of keys to values, not a list"},
		{"duplicate key", "defaults:\n  sccp_keepalive_s: 30\n  sccp_keepalive_s: 20\n", 3, `"sccp_keepalive_s" appears twice`},
		{"merge key", "base: &b {sccp_keepalive_s: 30}\n", 1, `unknown key "base"`},
		{"merge into defaults", "defaults:\n  <<: {sccp_keepalive_s: 30}\n", 2, "merge keys (<<) are not supported"},
		{"unknown severity", "severity:\n  mac-aging-shorter-than-keepalive: high\n", 2, `severity.mac-aging-shorter-than-keepalive: unknown severity "high"`},
		{"empty severity", "severity:\n  mac-aging-shorter-than-keepalive:\n", 2, "unknown severity an empty value"},
		{"severity bad rule id", "severity:\n  Port_Security: info\n", 2, `"Port_Security" is not a rule id`},
		{"severity as list", "severity:\n  - info\n", 2, "severity must be a mapping"},
		{"waivers as mapping", "waivers:\n  rule: x\n", 2, "waivers must be a list, not a mapping"},
		{"waiver as text", "waivers:\n  - sw1 Gi1/0/5\n", 2, "each waiver must be a mapping"},
		{"waiver missing fields", "waivers:\n  - rule: mac-aging-shorter-than-keepalive\n    owner: me\n", 2, "waiver: device, reason required"},
		{"waiver empty reason", "waivers:\n  - rule: r\n    device: sw1\n    reason: \"  \"\n", 4, "waiver.reason must not be empty"},
		{"waiver bad date", "waivers:\n  - rule: r\n    device: sw1\n    reason: x\n    expires: 2026-02-30\n", 5, `waiver.expires: "2026-02-30" is not a date (want YYYY-MM-DD)`},
		{"waiver european date", "waivers:\n  - rule: r\n    device: sw1\n    reason: x\n    expires: 30.06.2026\n", 5, "is not a date"},
		{"waiver timestamp", "waivers:\n  - rule: r\n    device: sw1\n    reason: x\n    expires: 2026-06-30T12:00:00Z\n", 5, "is not a date"},
		{"waiver bad glob", "waivers:\n  - rule: r\n    device: sw1\n    object: Gi[1/0/5\n    reason: x\n", 4, "unclosed ["},
		{"waiver bad rule", "waivers:\n  - rule: Port Security\n    device: sw1\n    reason: x\n", 2, `waiver.rule: "Port Security" is not a rule id`},
		{"waiver unknown key", "waivers:\n  - rule: r\n    device: sw1\n    reason: x\n    comment: y\n", 5, `waiver: unknown key "comment" (known: rule, device, object, reason, owner, expires)`},
		{"top-level list", "- defaults\n", 1, "the policy must be a mapping of sections"},
		{"top-level text", "hello\n", 1, `not "hello"`},
		{"syntax", "defaults:\n  sccp_keepalive_s: 30\n sip_t1_ms: 500\n", 2, "YAML syntax"}, // yaml.v3 names the mapping's line
		{"tab indent", "defaults:\n\tsccp_keepalive_s: 30\n", 2, "YAML syntax"},
		{"second document", "defaults: {}\n---\nthresholds: {}\n", 3, "a second YAML document"},
		{"NUL byte", "defaults:\n  sccp_keepalive_s: 3\x000\n", 2, "binary data"},
		{"not UTF-8", "defaults:\n  phone_protocol: S\xffIP\n", 2, "not UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("site.yaml", []byte(tt.in))
			if err == nil {
				t.Fatalf("no error; policy %+v", p)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is %T, not *policy.Error", err, err)
			}
			if pe.File != "site.yaml" || pe.Line != tt.line {
				t.Errorf("error at %s:%d, want site.yaml:%d: %v", pe.File, pe.Line, tt.line, err)
			}
			if !strings.Contains(err.Error(), tt.sub) {
				t.Errorf("error %q does not contain %q", err, tt.sub)
			}
			if !strings.HasPrefix(err.Error(), "site.yaml:") {
				t.Errorf("error %q does not start with the file name", err)
			}
			if !reflect.DeepEqual(p, Policy{}) {
				t.Errorf("a policy returned with the error: %+v", p)
			}
		})
	}
}

func TestParseManyErrors(t *testing.T) {
	in := "defaults:\n  sccp_keepalive_s: -1\n  sip_t1_ms: x\nthresholds:\n  nope: 1\nseverity:\n  r: loud\n"
	_, err := Parse("p.yaml", []byte(in))
	var lines []int
	for _, e := range unwrap(err) {
		var pe *Error
		if !errors.As(e, &pe) {
			t.Fatalf("%v is not a *policy.Error", e)
		}
		lines = append(lines, pe.Line)
	}
	if !reflect.DeepEqual(lines, []int{2, 3, 5, 7}) {
		t.Errorf("errors on lines %v, want 2 3 5 7: %v", lines, err)
	}
	var b strings.Builder
	b.WriteString("defaults:\n")
	for range 30 {
		b.WriteString("  sccp_keepalive_s: -1\n")
	}
	_, err = Parse("p.yaml", []byte(b.String()))
	if n := len(unwrap(err)); n != maxErrors+1 || !strings.Contains(err.Error(), "more errors") {
		t.Errorf("%d errors for a badly broken file: %v", n, err)
	}
}

func unwrap(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

func TestParseAliasesAndCase(t *testing.T) {
	p, err := Parse("p.yaml", []byte("thresholds:\n  port_security_warning_margin_s: &m 90\n  firewall_idle_warning_margin_s: *m\ndefaults:\n  phone_protocol: sccp\nseverity:\n  mac-aging-shorter-than-keepalive: WARNING\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Thresholds.PortSecurityWarningMarginSeconds != 90 || p.Thresholds.FirewallIdleWarningMarginSeconds != 90 {
		t.Errorf("alias not followed: %+v", p.Thresholds)
	}
	if p.Defaults.PhoneProtocol != "SCCP" || p.Severity["mac-aging-shorter-than-keepalive"] != "warning" {
		t.Errorf("not normalised: %q %v", p.Defaults.PhoneProtocol, p.Severity)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", MaxBytes)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "big.yaml: larger than") {
		t.Errorf("oversized file: %v", err)
	}
}

func TestCheckRules(t *testing.T) {
	p, err := Load(filepath.Join("testdata", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	all := func(string) bool { return true }
	if err := p.CheckRules(all); err != nil {
		t.Errorf("all rules known: %v", err)
	}
	known := map[string]bool{"mac-aging-shorter-than-keepalive": true, "port-security-aging-shorter-than-keepalive": true, "sip-profile-timers-inconsistent": true}
	err = p.CheckRules(func(id string) bool { return known[id] })
	got := []string{}
	for _, e := range unwrap(err) {
		got = append(got, e.Error())
	}
	want := []string{
		`testdata/policy.yaml:22: severity: unknown rule "port-security-max-too-low-for-voice"`,
		`testdata/policy.yaml:26: waiver: unknown rule "firewall-idle-timeout-shorter-than-keepalive"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CheckRules = %q, want %q", got, want)
	}
}

func TestWaiver(t *testing.T) {
	w := func(rule, device, object, expires string) Waiver {
		in := "waivers:\n  - rule: '" + rule + "'\n    device: '" + device + "'\n    object: '" + object + "'\n    reason: test\n"
		if expires != "" {
			in += "    expires: " + expires + "\n"
		}
		p, err := Parse("w.yaml", []byte(in))
		if err != nil {
			t.Fatal(err)
		}
		return p.Waivers[0]
	}
	const rule = "port-security-aging-shorter-than-keepalive"
	matches := []struct {
		w                    Waiver
		rule, device, object string
		want                 bool
	}{
		{w(rule, "sw1", "", ""), rule, "sw1", "GigabitEthernet1/0/5", true},
		{w(rule, "sw1", "", ""), "mac-aging-shorter-than-keepalive", "sw1", "GigabitEthernet1/0/5", false},
		{w("*", "sw1", "", ""), "mac-aging-shorter-than-keepalive", "sw1", "Vlan200", true},
		{w(rule, "sw-*", "GigabitEthernet1/0/*", ""), rule, "SW-Floor2", "gigabitethernet1/0/45", true},
		{w(rule, "sw-*", "GigabitEthernet1/0/*", ""), rule, "sw-floor2", "GigabitEthernet2/0/45", false},
		{w(rule, "sw-*", "GigabitEthernet1/0/*", ""), rule, "asa1", "GigabitEthernet1/0/45", false},
		{w(rule, "sw?", "GigabitEthernet1/0/[1-4]", ""), rule, "sw7", "GigabitEthernet1/0/3", true},
		{w(rule, "sw?", "GigabitEthernet1/0/[!1-4]", ""), rule, "sw7", "GigabitEthernet1/0/3", false},
		{w(rule, "sw?", "", ""), rule, "sw10", "x", false},
		{w(rule, "sw1", `nat \*`, ""), rule, "sw1", "nat *", true},
		{w(rule, "sw1", `nat \*`, ""), rule, "sw1", "nat any", false},
		{w(rule, "sw1", "class voice.*", ""), rule, "sw1", "class voiceXsig", false}, // . is literal
		{Waiver{Rule: rule, Device: "sw-*", Object: "Gi*"}, rule, "sw-2", "Gi1/0/1", true},
	}
	for i, m := range matches {
		if got := m.w.Matches(m.rule, m.device, m.object); got != m.want {
			t.Errorf("%d: waiver %s/%s/%s Matches(%s, %s, %s) = %v", i, m.w.Rule, m.w.Device, m.w.Object, m.rule, m.device, m.object, got)
		}
	}
	shanghai := time.FixedZone("CST", 8*3600)
	expiry := []struct {
		expires string
		now     time.Time
		want    bool
	}{
		{"", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"2026-06-30", time.Date(2026, 6, 30, 23, 59, 59, 0, time.UTC), false},
		{"2026-06-30", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), true},
		{"2026-06-30", time.Date(2026, 7, 1, 0, 30, 0, 0, shanghai), true},   // still June 30 in UTC
		{"2026-06-30", time.Date(2026, 6, 30, 23, 0, 0, 0, shanghai), false}, // local day counts
		{"2024-02-29", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), true},
	}
	for _, e := range expiry {
		if got := w(rule, "sw1", "", e.expires).Expired(e.now); got != e.want {
			t.Errorf("expires %q at %v: Expired = %v, want %v", e.expires, e.now, got, e.want)
		}
	}
}
