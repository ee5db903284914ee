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

// TestLimitKeepsCallManagers: --limit on a switch keeps the call managers
// its phones' keepalives come from, and says so, instead of judging the
// switch against default keepalives.
func TestLimitKeepsCallManagers(t *testing.T) {
	code, out, errOut := kaudit(t, "", "audit", "--no-store", "--format", "json", "--offline", labs+"/case2-port-security-aging", "--limit", "sw-floor1")
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var doc struct {
		Source   string
		Devices  []struct{ Name string }
		Findings []struct{ Notes []string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range doc.Devices {
		names = append(names, d.Name)
	}
	slices.Sort(names)
	if want := []string{"cucm-pub", "cucm-sub", "sw-floor1"}; !slices.Equal(names, want) {
		t.Errorf("devices %v, want %v", names, want)
	}
	for _, f := range doc.Findings {
		for _, n := range f.Notes {
			if strings.Contains(n, "no CUCM") {
				t.Errorf("a finding still judged without the call managers: %s", n)
			}
		}
	}
	for what, s := range map[string]string{"stderr": errOut, "the report's source": doc.Source} {
		if !strings.Contains(s, "cucm-pub, cucm-sub") || !strings.Contains(s, "call managers") {
			t.Errorf("%s does not say the call managers were kept: %q", what, s)
		}
	}

	// A ! term naming them is obeyed, and nothing is said.
	got, errOut := auditDevices(t, "--offline", labs+"/case2-port-security-aging", "--limit", "sw-floor1,!platform=cucm")
	if !slices.Equal(got, []string{"sw-floor1"}) || strings.Contains(errOut, "call managers") {
		t.Errorf("--limit sw-floor1,!platform=cucm: devices %v, stderr %q", got, errOut)
	}
}
