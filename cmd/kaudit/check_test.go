package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/rules"
	"github.com/kaudit/kaudit/store"
)

// writeTemp writes a patch or candidate into the test's temporary
// directory and returns its path.
func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const case1NAT = "nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB"

func TestCheck(t *testing.T) {
	case2Config, err := os.ReadFile(filepath.Join(labs, "case2-port-security-aging", "sw-floor1", "show_running-config.txt"))
	if err != nil {
		t.Fatal(err)
	}
	fixedAll := strings.ReplaceAll(string(case2Config), " switchport port-security aging time 1\n", " switchport port-security aging time 5\n")
	for _, tc := range []struct {
		name   string
		lab    string
		device string
		patch  string // or
		cand   string
		extra  []string
		code   int
		stdout []string // substrings of stdout
		stderr []string // substrings of stderr
	}{
		{
			name: "case 2: aging time 5 resolves the port's critical", lab: "case2-port-security-aging", device: "sw-floor1",
			patch: "interface GigabitEthernet1/0/1\n switchport port-security aging time 5\n",
			code:  0,
			stdout: []string{"findings: 0 (0 critical", "0 introduced, 1 resolved, 0 less severe, 7 unchanged",
				"resolved by this change (1):\n  critical port-security-aging-shorter-than-keepalive  sw-floor1  GigabitEthernet1/0/1  (SEP0C1167A3B2C1)",
				"evidence lines of sw-floor1/show_running-config.txt refer to the candidate"},
		},
		{
			name: "case 2: --all lists the unchanged findings", lab: "case2-port-security-aging", device: "sw-floor1",
			patch: "interface GigabitEthernet1/0/1\n switchport port-security aging time 5\n", extra: []string{"--all"},
			code:   0,
			stdout: []string{"unchanged by this change (7):", "critical port-security-aging-shorter-than-keepalive  sw-floor1  GigabitEthernet1/0/20", "warning  port-security-aging-shorter-than-keepalive  sw-floor1  GigabitEthernet1/0/15"},
		},
		{
			name: "case 2: a new warning fails on warning", lab: "case2-port-security-aging", device: "sw-floor1",
			patch: "interface GigabitEthernet1/0/16\n switchport port-security aging time 2\n",
			code:  1, stdout: []string{"[1] WARNING port-security-aging-shorter-than-keepalive", "1 introduced, 0 resolved"},
		},
		{
			name: "case 2: a new warning passes with --fail-on critical", lab: "case2-port-security-aging", device: "sw-floor1",
			patch: "interface GigabitEthernet1/0/16\n switchport port-security aging time 2\n", extra: []string{"--fail-on", "critical"},
			code: 0, stdout: []string{"1 introduced"},
		},
		{
			name: "case 2: full candidate", lab: "case2-port-security-aging", device: "sw-floor1",
			cand: fixedAll,
			code: 0, stdout: []string{"0 introduced, 7 resolved, 0 less severe, 1 unchanged", "refer to the candidate config"},
		},
		{
			name: "clean: aging on a phone port introduces a critical", lab: "clean", device: "sw-floor2",
			patch: "interface GigabitEthernet1/0/1\n switchport port-security aging time 1\n switchport port-security aging type inactivity\n",
			code:  1,
			stdout: []string{"[1] CRITICAL port-security-aging-shorter-than-keepalive", "sw-floor2 GigabitEthernet1/0/1",
				"1 introduced, 0 resolved"},
		},
		{
			name: "case 1: NAT re-entered with no-proxy-arp", lab: "case1-proxy-arp", device: "asa-edge",
			patch: "no " + case1NAT + " description remote sites reach CUCM untranslated\n" +
				case1NAT + " no-proxy-arp description remote sites reach CUCM untranslated\n",
			code:   0,
			stdout: []string{"resolved by this change (1):\n  critical asa-proxy-arp-answers-for-call-manager  asa-edge  voice / " + case1NAT},
		},
		{
			name: "case 1: sysopt noproxyarp voice", lab: "case1-proxy-arp", device: "asa-edge",
			patch:  "sysopt noproxyarp voice\n",
			code:   0,
			stdout: []string{"0 introduced, 1 resolved", "asa-proxy-arp-answers-for-call-manager  asa-edge  voice / " + case1NAT},
		},
		{
			// The ASA matches a NAT rule without its description, so a
			// typo has to be in the rule itself.
			name: "a no that matches nothing is warned about", lab: "case1-proxy-arp", device: "asa-edge",
			patch: "no nat (outside,voice) source static any any destination static CUCM-SUB CUCM-SUB\n",
			code:  0, stdout: []string{"0 introduced, 0 resolved, 0 less severe, 1 unchanged"},
			stderr: []string{"kaudit: warning: ", ":1: no nat (outside,voice)", "nothing removed"},
		},
		{
			name: "unknown device", lab: "clean", device: "sw-nope",
			patch: "hostname x\n", code: 2, stderr: []string{`unknown device "sw-nope"`},
		},
		{
			name: "CUCM device", lab: "clean", device: "cucm-pub",
			patch: "hostname x\n", code: 2, stderr: []string{"cucm-pub is a cucm device"},
		},
		{
			name: "binary byte in the patch", lab: "clean", device: "sw-floor2",
			patch: "interface GigabitEthernet1/0/1\n shut\x00down\n", code: 2, stderr: []string{"change.txt:2: binary data"},
		},
		{
			name: "unindented section body", lab: "clean", device: "sw-floor2",
			patch: "interface GigabitEthernet1/0/1\nswitchport port-security aging time 1\n", code: 2, stderr: []string{"change.txt:2:", "without indentation"},
		},
		{
			name: "patch that breaks the config", lab: "clean", device: "sw-floor2",
			patch: "interface GigabitEthernet1/0/1\n switchport access vlan 9999\n", code: 2,
			stderr: []string{`change.txt:2: bad VLAN "9999" (line 163 of the running config of sw-floor2 once patched)`},
		},
		{
			name: "candidate that is not a config", lab: "clean", device: "asa-core",
			cand: "this is not\na configuration\n", code: 2, stderr: []string{"change.txt:"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"check", "--device", tc.device, "--offline", filepath.Join(labs, tc.lab)}
			if tc.cand != "" {
				args = append(args, "--candidate", writeTemp(t, "change.txt", tc.cand))
			} else {
				args = append(args, "--patch", writeTemp(t, "change.txt", tc.patch))
			}
			args = append(args, tc.extra...)
			code, out, errOut := kaudit(t, "", args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %.1500s\nstderr: %s", code, tc.code, out, errOut)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q: %s", s, errOut)
				}
			}
		})
	}
}

func TestCheckUsage(t *testing.T) {
	patch := writeTemp(t, "p.txt", "hostname x\n")
	clean := filepath.Join(labs, "clean")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"check", "--patch", patch, "--offline", clean}, "--device"},
		{[]string{"check", "--device", "sw-floor2", "--offline", clean}, "--candidate FILE and --patch FILE"},
		{[]string{"check", "--device", "sw-floor2", "--patch", patch, "--candidate", patch, "--offline", clean}, "one of --candidate"},
		{[]string{"check", "--device", "sw-floor2", "--patch", patch}, "--offline DIR and --store PATH"},
		{[]string{"check", "--device", "sw-floor2", "--patch", patch, "--store", filepath.Join(t.TempDir(), "k.db")}, "--store: no run history at"},
		{[]string{"check", "--device", "sw-floor2", "--patch", patch, "--offline", clean, "--format", "nope"}, "--format"},
		{[]string{"check", "--device", "sw-floor2", "--patch", patch, "--offline", clean, "--fail-on", "nope"}, "--fail-on"},
		{[]string{"check", "--device", "sw-floor2", "--patch", filepath.Join(t.TempDir(), "missing.txt"), "--offline", clean}, "missing.txt"},
		{[]string{"check", "--device", "sw-floor2", "--candidate", t.TempDir(), "--offline", clean}, "--candidate"},
		{[]string{"check", "--device", "sw-floor2", "--patch", patch, "--offline", "/nonexistent"}, "inventory.yaml"},
	} {
		code, _, errOut := kaudit(t, "", tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.msg) {
			t.Errorf("kaudit %s: exit %d, stderr %q; want 2 and %q", strings.Join(tc.args, " "), code, errOut, tc.msg)
		}
	}
}

func TestCheckJUnitGate(t *testing.T) {
	patch := writeTemp(t, "p.txt", "interface GigabitEthernet1/0/1\n switchport port-security aging time 1\n switchport port-security aging type inactivity\n")
	xmlOut := filepath.Join(t.TempDir(), "check.xml")
	code, stdout, errOut := kaudit(t, "", "check", "--device", "sw-floor2", "--patch", patch, "--offline", filepath.Join(labs, "clean"), "--format", "junit", "--out", xmlOut)
	if code != 1 || stdout != "" {
		t.Fatalf("exit %d stdout %q stderr %q", code, stdout, errOut)
	}
	data, err := os.ReadFile(xmlOut)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &suites); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil {
				failed++
				if !strings.Contains(c.Name, "GigabitEthernet1/0/1") {
					t.Errorf("failing case %q", c.Name)
				}
			}
		}
	}
	if suites.Failures != 1 || failed != 1 {
		t.Errorf("failures attr %d, failing cases %d; want 1 (only what the change introduces)\n%s", suites.Failures, failed, data)
	}

	// The same gate on a change that only fixes things passes.
	fix := writeTemp(t, "fix.txt", "interface GigabitEthernet1/0/1\n switchport port-security aging time 5\n")
	code, _, errOut = kaudit(t, "", "check", "--device", "sw-floor1", "--patch", fix, "--offline", filepath.Join(labs, "case2-port-security-aging"), "--format", "junit", "--out", xmlOut)
	if code != 0 {
		t.Fatalf("fix: exit %d: %s", code, errOut)
	}
	data, _ = os.ReadFile(xmlOut)
	if err := xml.Unmarshal(data, &suites); err != nil || suites.Failures != 0 {
		t.Errorf("fix: %v failures=%d", err, suites.Failures)
	}
}

func TestCheckJSON(t *testing.T) {
	patch := writeTemp(t, "p.txt", "interface Gi1/0/1\n switchport port-security aging time 2\ninterface Gi1/0/2\n no switchport port-security aging time\n")
	for _, all := range []bool{false, true} {
		args := []string{"check", "--device", "sw-floor1", "--patch", patch, "--offline", filepath.Join(labs, "case2-port-security-aging"), "--format", "json"}
		if all {
			args = append(args, "--all")
		}
		code, out, errOut := kaudit(t, "", args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var doc struct {
			Introduced struct {
				ExitCode int               `json:"exit_code"`
				Findings []json.RawMessage `json:"findings"`
				Devices  []json.RawMessage `json:"devices"`
			} `json:"introduced"`
			Resolved []struct{ Rule, Severity, Device, Object string } `json:"resolved"`
			Lowered  []struct {
				Finding struct{ Severity, Object string } `json:"finding"`
				Was     string                            `json:"was"`
			} `json:"lowered"`
			Unchanged         int               `json:"unchanged"`
			UnchangedFindings []json.RawMessage `json:"unchanged_findings"`
			Notes             []string          `json:"notes"`
			Warnings          []string          `json:"warnings"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if doc.Introduced.ExitCode != 0 || len(doc.Introduced.Findings) != 0 || len(doc.Introduced.Devices) != 3 {
			t.Errorf("introduced: %+v", doc.Introduced)
		}
		if len(doc.Resolved) != 1 || doc.Resolved[0].Object != "GigabitEthernet1/0/2" || doc.Resolved[0].Severity != "critical" {
			t.Errorf("resolved: %+v", doc.Resolved)
		}
		if len(doc.Lowered) != 1 || doc.Lowered[0].Finding.Object != "GigabitEthernet1/0/1" || doc.Lowered[0].Finding.Severity != "warning" || doc.Lowered[0].Was != "critical" {
			t.Errorf("lowered: %+v", doc.Lowered)
		}
		if doc.Unchanged != 6 || (len(doc.UnchangedFindings) == 6) != all {
			t.Errorf("unchanged %d, listed %d (--all %v)", doc.Unchanged, len(doc.UnchangedFindings), all)
		}
		if len(doc.Notes) == 0 || doc.Warnings == nil {
			t.Errorf("notes %q warnings %v", doc.Notes, doc.Warnings)
		}
	}
}

func TestCheckMarkdownAndSavedCandidate(t *testing.T) {
	patch := writeTemp(t, "p.txt", "sysopt noproxyarp voice\n")
	saved := filepath.Join(t.TempDir(), "cand.txt")
	code, out, errOut := kaudit(t, "", "check", "--device", "asa-edge", "--patch", patch, "--offline", filepath.Join(labs, "case1-proxy-arp"), "--format", "markdown", "--save-candidate", saved)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, s := range []string{"# kaudit", "## Resolved by this change (1)", "| critical | asa-proxy-arp-answers-for-call-manager | asa-edge | voice / " + case1NAT + " |"} {
		if !strings.Contains(out, s) {
			t.Errorf("markdown lacks %q:\n%s", s, out)
		}
	}
	cand, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cand), "sysopt noproxyarp outside\nsysopt noproxyarp voice\n") {
		t.Errorf("saved candidate lacks the patched lines:\n%s", cand)
	}
}

// With --store the current state is the latest stored run: a candidate is
// judged against its facts; a patch needs saved outputs.
func TestCheckStore(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "history.db")
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(labs, "case1-proxy-arp")
	inv, err := offline.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := offline.Collect(ctx, dir, inv)
	if err != nil {
		t.Fatal(err)
	}
	res := app.Evaluate(snap, policy.Default(), "offline "+dir, time.Now(), rules.Warning)
	snap.Phones = nil
	if _, err := st.SaveRun(ctx, store.RunRecord{Started: res.Started, Ended: time.Now(), Source: res.Source, Devices: res.Devices, Findings: res.Findings, ExitCode: res.ExitCode()}, snap); err != nil {
		t.Fatal(err)
	}
	st.Close()

	cur, err := os.ReadFile(filepath.Join(dir, "asa-edge", "show_running-config.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cand := writeTemp(t, "cand.txt", strings.Replace(string(cur), "sysopt noproxyarp outside", "sysopt noproxyarp outside\nsysopt noproxyarp voice", 1))
	code, out, errOut := kaudit(t, "", "check", "--device", "asa-edge", "--candidate", cand, "--store", db)
	if code != 0 || !strings.Contains(out, "0 introduced, 1 resolved") || !strings.Contains(out, "run #1") || !strings.Contains(out, "parsed over the stored facts of asa-edge") {
		t.Errorf("candidate against the store: exit %d\n%s\n%s", code, out, errOut)
	}
	patch := writeTemp(t, "p.txt", "sysopt noproxyarp voice\n")
	code, _, errOut = kaudit(t, "", "check", "--device", "asa-edge", "--patch", patch, "--store", db)
	if code != 2 || !strings.Contains(errOut, "give the full candidate config") {
		t.Errorf("patch against the store: exit %d: %s", code, errOut)
	}

	empty := filepath.Join(t.TempDir(), "empty.db")
	if st, err := store.Open(ctx, empty, store.Options{}); err != nil {
		t.Fatal(err)
	} else {
		st.Close()
	}
	code, _, errOut = kaudit(t, "", "check", "--device", "asa-edge", "--candidate", cand, "--store", empty)
	if code != 2 || !strings.Contains(errOut, "holds no run yet") {
		t.Errorf("empty store: exit %d: %s", code, errOut)
	}
}
