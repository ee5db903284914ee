package app

import (
	"reflect"
	"testing"

	"github.com/kaudit/kaudit/policy"
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
