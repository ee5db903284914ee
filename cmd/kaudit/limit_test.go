package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// auditDevices runs an offline audit as json and returns the devices it
// read and its stderr.
func auditDevices(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	args = append([]string{"audit", "--no-store", "--format", "json"}, args...)
	code, out, errOut := kaudit(t, "", args...)
	if code != 0 && code != 1 {
		t.Fatalf("kaudit %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	var doc struct{ Devices []struct{ Name string } }
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("json: %v\n%.300s", err, out)
	}
	var names []string
	for _, d := range doc.Devices {
		names = append(names, d.Name)
	}
	slices.Sort(names)
	return names, errOut
}

// TestLimitOr: --limit a,b audits a and b, as Ansible's --limit does.
func TestLimitOr(t *testing.T) {
	got, _ := auditDevices(t, "--offline", labs+"/case1-proxy-arp", "--limit", "asa-edge,sw-floor1,!platform=cucm")
	if want := []string{"asa-edge", "sw-floor1"}; !slices.Equal(got, want) {
		t.Errorf("--limit asa-edge,sw-floor1: devices %v, want %v", got, want)
	}
	got, _ = auditDevices(t, "--offline", labs+"/case1-proxy-arp", "--limit", "platform=cucm,&cucm-p*")
	if want := []string{"cucm-pub"}; !slices.Equal(got, want) {
		t.Errorf("--limit platform=cucm,&cucm-p*: devices %v, want %v", got, want)
	}
}
