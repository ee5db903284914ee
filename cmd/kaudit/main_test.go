package main

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const labs = "../../testdata/labs"

// kaudit runs the CLI in-process and returns its exit code and output.
func kaudit(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	oldOut, oldErr := os.Stdout, os.Stderr
	ro, wo, _ := os.Pipe()
	re, we, _ := os.Pipe()
	os.Stdout, os.Stderr = wo, we
	outc, errc := make(chan string), make(chan string)
	go func() { b, _ := io.ReadAll(ro); outc <- string(b) }()
	go func() { b, _ := io.ReadAll(re); errc <- string(b) }()
	root := newRoot()
	root.SetOut(wo)
	root.SetErr(we)
	root.SetIn(strings.NewReader(stdin))
	code := execute(root, args)
	wo.Close()
	we.Close()
	os.Stdout, os.Stderr = oldOut, oldErr
	return code, <-outc, <-errc
}

func TestAuditExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"audit", "--offline", labs + "/clean"}, 0},
		{[]string{"audit", "--offline", labs + "/case2-port-security-aging"}, 1},
		{[]string{"audit", "--offline", labs + "/case1-proxy-arp", "--fail-on", "critical"}, 1},
		// Only warnings and info: clean when failing on critical.
		{[]string{"audit", "--offline", labs + "/edge-sccp-only", "--fail-on", "critical"}, 0},
		{[]string{"audit", "--offline", labs + "/edge-sccp-only", "--fail-on", "info"}, 1},
		// Broken devices with a critical finding on a good one: findings win.
		{[]string{"audit", "--offline", labs + "/edge-bad-input"}, 1},
		{[]string{"audit", "--offline", labs + "/edge-bad-input", "--limit", "!sw-good"}, 3},
		{[]string{"audit", "--offline", labs + "/clean", "--format", "nope"}, 2},
		{[]string{"audit", "--offline", labs + "/clean", "--fail-on", "nope"}, 2},
		{[]string{"audit", "--offline", "/nonexistent"}, 2},
		{[]string{"audit"}, 2},
		{[]string{"audit", "--bogus"}, 2},
	} {
		code, out, errOut := kaudit(t, "", tc.args...)
		if code != tc.code {
			t.Errorf("kaudit %s: exit %d, want %d\nstdout: %.400s\nstderr: %s", strings.Join(tc.args, " "), code, tc.code, out, errOut)
		}
	}
}

func TestAuditJSONAndJUnit(t *testing.T) {
	code, out, _ := kaudit(t, "", "audit", "--offline", labs+"/case2-port-security-aging", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Findings []struct {
			Rule, Severity, Device, Object, Message string
			Phones                                  []string
			Evidence                                []json.RawMessage
			Fix                                     []string
		}
		Devices []struct{ Name, Platform, Status, Error string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) == 0 || len(doc.Devices) != 3 {
		t.Fatalf("findings %d devices %d", len(doc.Findings), len(doc.Devices))
	}
	f := doc.Findings[0]
	if f.Rule != "port-security-aging-shorter-than-keepalive" || f.Severity != "critical" || len(f.Evidence) < 4 || len(f.Fix) == 0 || len(f.Phones) == 0 {
		t.Errorf("first finding: %+v", f)
	}

	out2 := filepath.Join(t.TempDir(), "k.xml")
	code, stdout, _ := kaudit(t, "", "audit", "--offline", labs+"/case2-port-security-aging", "--format", "junit", "--out", out2)
	if code != 1 || stdout != "" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	data, err := os.ReadFile(out2)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(data, &suites); err != nil || suites.Failures == 0 {
		t.Fatalf("junit: %v failures=%d", err, suites.Failures)
	}
}

func TestAuditBadInventory(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "inventory.yaml"), []byte("hosts:\n  sw1:\n    platform: ios\n    adress: 1.2.3.4\n"), 0o644)
	code, _, errOut := kaudit(t, "", "audit", "--offline", dir)
	if code != 2 || !strings.Contains(errOut, "inventory.yaml:4") || !strings.Contains(errOut, "adress") {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
}

func TestAuditBadPolicy(t *testing.T) {
	pol := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(pol, []byte("thresholds:\n  port_security_warning_margin_s: -5\n"), 0o644)
	code, _, errOut := kaudit(t, "", "audit", "--offline", labs+"/clean", "--policy", pol)
	if code != 2 || !strings.Contains(errOut, "policy.yaml:2") {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
	// A policy with no margin turns case 2's 2-minute warning into nothing.
	os.WriteFile(pol, []byte("thresholds:\n  port_security_warning_margin_s: 0\n"), 0o644)
	_, out, _ := kaudit(t, "", "audit", "--offline", labs+"/case2-port-security-aging", "--policy", pol, "--format", "json")
	if strings.Contains(out, `"severity": "warning"`) {
		t.Fatalf("margin 0 still warns:\n%.600s", out)
	}
}

func TestParse(t *testing.T) {
	cdp := "Device ID: SEP0024142DDF24\nEntry address(es): \n  IP address: 10.1.1.20\nPlatform: Cisco IP Phone 8961,  Capabilities: Host Phone Two-port Mac Relay \nInterface: GigabitEthernet1/0/5,  Port ID (outgoing port): Port 1\nHoldtime : 150 sec\n"
	code, out, errOut := kaudit(t, cdp, "parse", "ios", "show cdp neighbors detail", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sw struct {
		Neighbors []struct {
			DeviceID       string `json:"device_id"`
			IP             string `json:"ip"`
			LocalInterface string `json:"local_interface"`
		} `json:"neighbors"`
	}
	if err := json.Unmarshal([]byte(out), &sw); err != nil || len(sw.Neighbors) != 1 {
		t.Fatalf("%v: %s", err, out)
	}
	n := sw.Neighbors[0]
	if n.DeviceID != "SEP0024142DDF24" || n.IP != "10.1.1.20" || n.LocalInterface != "GigabitEthernet1/0/5" {
		t.Errorf("%+v", n)
	}
	code, _, errOut = kaudit(t, "a\x00b", "parse", "ios", "show_running-config")
	if code != 2 || !strings.Contains(errOut, "binary") {
		t.Errorf("binary input: exit %d %q", code, errOut)
	}
	code, _, _ = kaudit(t, "", "parse", "junos", "show_running-config")
	if code != 2 {
		t.Errorf("unknown platform: exit %d", code)
	}
}

func TestRulesCommand(t *testing.T) {
	code, out, _ := kaudit(t, "", "rules")
	if code != 0 || strings.Count(out, "\n") < 6 || !strings.Contains(out, "asa-proxy-arp-answers-for-call-manager") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	code, out, _ = kaudit(t, "", "rules", "sip-profile-timers-inconsistent")
	if code != 0 || !strings.Contains(out, "Timer Register Delta") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if code, _, _ := kaudit(t, "", "rules", "no-such-rule"); code != 2 {
		t.Fatalf("exit %d", code)
	}
}

func TestAuditWaiver(t *testing.T) {
	pol := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(pol, []byte(`waivers:
  - rule: port-security-aging-shorter-than-keepalive
    device: sw-branch7
    object: GigabitEthernet1/0/*
    reason: branch closes in December
    owner: noc
`), 0o644)
	code, out, _ := kaudit(t, "", "audit", "--offline", labs+"/edge-no-cucm", "--policy", pol)
	if code != 0 || !strings.Contains(out, "WAIVED") || !strings.Contains(out, "branch closes in December") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

// The README's first command: bundled labs audited live over SSH on
// 127.0.0.1, with the findings of the offline audit of the same labs.
func TestDemo(t *testing.T) {
	code, out, errOut := kaudit(t, "", "demo", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	var rules []string
	for dec.More() {
		var doc struct {
			Source   string
			Findings []struct{ Rule, Severity string }
			Devices  []struct{ Status string }
		}
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		for _, d := range doc.Devices {
			if d.Status != "ok" {
				t.Errorf("%s: device status %s", doc.Source, d.Status)
			}
		}
		rules = append(rules, doc.Source)
		for _, f := range doc.Findings {
			rules = append(rules, f.Severity+" "+f.Rule)
		}
	}
	got := strings.Join(rules, "\n")
	for _, want := range []string{
		"lab case1-proxy-arp\ncritical asa-proxy-arp-answers-for-call-manager",
		"lab case2-port-security-aging\ncritical port-security-aging-shorter-than-keepalive",
		"lab clean",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q:\n%s", want, got)
		}
	}
	if strings.HasSuffix(got, "lab clean") == false {
		t.Errorf("clean lab has findings:\n%s", got)
	}
}

// The nightly workflow: two audits into one store, the second after a
// change on a switch; runs lists both, diff names the finding resolved and
// the fact behind it, show re-renders a run, metrics are written.
func TestHistory(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "h.db")
	lab := filepath.Join(t.TempDir(), "lab")
	copyDir(t, labs+"/case2-port-security-aging", lab)
	if code, _, errOut := kaudit(t, "", "audit", "--offline", lab, "--store", db); code != 1 {
		t.Fatalf("first audit: exit %d %s", code, errOut)
	}
	cfg := filepath.Join(lab, "sw-floor1", "show_running-config.txt")
	data, _ := os.ReadFile(cfg)
	// Fix Gi1/0/1 only: its aging time goes from 1 to 5 minutes.
	i := strings.Index(string(data), "interface GigabitEthernet1/0/1\n")
	j := i + strings.Index(string(data[i:]), "aging time 1")
	fixed := string(data[:j]) + "aging time 5" + string(data[j+len("aging time 1"):])
	os.WriteFile(cfg, []byte(fixed), 0o644)
	metrics := filepath.Join(t.TempDir(), "kaudit.prom")
	code, out, errOut := kaudit(t, "", "audit", "--offline", lab, "--store", db, "--metrics", metrics)
	if code != 1 || !strings.HasPrefix(out, "since run #1: 0 new, 1 resolved, 7 still open") {
		t.Fatalf("second audit: exit %d %s\n%.600s", code, errOut, out)
	}
	if !strings.Contains(out, "sw-floor1 GigabitEthernet1/0/1 aging time 1 → 5 min") {
		t.Errorf("fact change missing:\n%.800s", out)
	}
	code, out, _ = kaudit(t, "", "runs", "--store", db)
	if code != 0 || strings.Count(out, "\n") != 3 {
		t.Errorf("runs: exit %d\n%s", code, out)
	}
	code, out, _ = kaudit(t, "", "diff", "--store", db)
	if code != 0 || !strings.Contains(out, "run #1 → #2: 0 new, 1 resolved") || !strings.Contains(out, "resolved  critical port-security-aging-shorter-than-keepalive sw-floor1 GigabitEthernet1/0/1") {
		t.Errorf("diff: exit %d\n%s", code, out)
	}
	code, out, _ = kaudit(t, "", "show", "1", "--store", db, "--format", "json")
	var shown struct {
		Findings []struct{ Rule string } `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatalf("show 1 --format json: %v", err)
	}
	n := 0
	for _, f := range shown.Findings {
		if f.Rule == "port-security-aging-shorter-than-keepalive" {
			n++
		}
	}
	if code != 1 || n != 8 {
		t.Errorf("show 1: exit %d, %d port-security findings, want 1 and 8", code, n)
	}
	prom, err := os.ReadFile(metrics)
	if err != nil || !strings.Contains(string(prom), `kaudit_findings{rule="port-security-aging-shorter-than-keepalive",severity="critical"} 6`) {
		t.Errorf("metrics: %v\n%s", err, prom)
	}
	if code, _, _ := kaudit(t, "", "show", "99", "--store", db); code != 2 {
		t.Errorf("show of a missing run: exit %d", code)
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"180MiB", 180 << 20}, {"2GiB", 2 << 30}, {"512KiB", 512 << 10}, {"1000000", 1000000}, {"64B", 64},
		{"", -1}, {"0", -1}, {"-5MiB", -1}, {"1.5GiB", -1}, {"10MB", -1}, {"huge", -1}, {"9999999TiB", -1},
	}
	for _, tc := range tests {
		got, err := parseSize(tc.in)
		if tc.want < 0 {
			if err == nil {
				t.Errorf("parseSize(%q) = %d, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}
