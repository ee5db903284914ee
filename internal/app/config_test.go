package app

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

// The policy defaults and the rules' built-in defaults must agree, so a
// run without policy.yaml and one with an empty policy.yaml are the same.
func TestDefaultPolicyMatchesRulesDefaults(t *testing.T) {
	got := RulesConfig(policy.Default())
	want := rules.DefaultConfig()
	got.Severity, want.Severity = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("policy defaults %+v\n rules defaults %+v", got, want)
	}
}

func TestWaivers(t *testing.T) {
	pol, err := policy.Parse("policy.yaml", []byte(`waivers:
  - rule: port-security-aging-shorter-than-keepalive
    device: sw-floor1
    object: GigabitEthernet1/0/1
    reason: lobby phone, replaced next week
    owner: voice-team
    expires: 2026-12-31
  - rule: port-security-aging-shorter-than-keepalive
    device: sw-floor1
    object: GigabitEthernet1/0/2
    reason: old exception
    expires: 2025-01-31
`))
	if err != nil {
		t.Fatal(err)
	}
	fs := []rules.Finding{
		{Rule: "port-security-aging-shorter-than-keepalive", Device: "sw-floor1", Object: "GigabitEthernet1/0/1", Severity: rules.Critical},
		{Rule: "port-security-aging-shorter-than-keepalive", Device: "sw-floor1", Object: "GigabitEthernet1/0/2", Severity: rules.Critical},
		{Rule: "port-security-aging-shorter-than-keepalive", Device: "sw-floor1", Object: "GigabitEthernet1/0/4", Severity: rules.Critical},
	}
	ApplyWaivers(fs, pol, time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	if fs[0].Waived == nil || fs[0].Waived.Owner != "voice-team" || fs[0].Waived.Where != "policy.yaml:2" {
		t.Errorf("current waiver not applied: %+v", fs[0].Waived)
	}
	if fs[1].Waived != nil || len(fs[1].Notes) != 1 || !strings.Contains(fs[1].Notes[0], "expired on 2025-01-31") {
		t.Errorf("expired waiver: %+v %q", fs[1].Waived, fs[1].Notes)
	}
	if fs[2].Waived != nil || len(fs[2].Notes) != 0 {
		t.Errorf("unmatched finding touched: %+v", fs[2])
	}
	res := &report.Result{Findings: fs[:1], FailOn: rules.Warning}
	if res.ExitCode() != 0 {
		t.Errorf("a waived finding failed the run")
	}
	res.Findings = fs[:2]
	if res.ExitCode() != 1 {
		t.Errorf("a finding with an expired waiver did not fail the run")
	}
}
