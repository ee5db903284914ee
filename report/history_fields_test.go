package report

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

// historyResult has a failing finding new since the previous run, a
// waived one, and one carried unverified from an earlier run.
func historyResult() *Result {
	failing := rules.Finding{Rule: "port-security-aging-shorter-than-keepalive", Severity: rules.Critical, Device: "sw1",
		Object: "GigabitEthernet1/0/5", Message: "aging 1 min", Status: rules.StatusNew, FirstSeen: "2025-03-02T02:30:00Z"}
	waived := rules.Finding{Rule: "mac-aging-shorter-than-keepalive", Severity: rules.Warning, Device: "sw1", Object: "vlan 200",
		Message: "aging 60 s", Status: rules.StatusOpen, FirstSeen: "2025-03-01T02:30:00Z",
		Waived: &rules.Waived{Reason: "vendor advice", Owner: "netops", Expires: "2025-12-31", Where: "policy.yaml:12"}}
	carried := rules.Finding{Rule: "port-security-aging-shorter-than-keepalive", Severity: rules.Critical, Device: "sw2",
		Object: "GigabitEthernet1/0/9", Message: "aging 1 min", Status: rules.StatusNotVerified, FirstSeen: "2025-02-27T02:30:00Z"}
	return &Result{
		Devices: []DeviceResult{
			{Name: "sw1", Platform: "ios", Status: facts.StatusOK},
			{Name: "sw2", Platform: "ios", Status: facts.StatusFailed, Error: "connection refused"},
		},
		Findings: []rules.Finding{failing, waived},
		FailOn:   rules.Warning,
		Diff:     &DiffSummary{From: 1, To: 2, New: []rules.Finding{failing}, Open: []rules.Finding{waived}, NotVerified: []rules.Finding{carried}},
	}
}

// Issue 14.3: JSON findings carry their fingerprint, whether they are
// waived and by which waiver, their status and first sighting; the
// findings carried unverified follow, marked so.
func TestJSONHistoryFields(t *testing.T) {
	r := historyResult()
	var doc struct {
		Summary struct {
			Total       int `json:"total_findings"`
			NotVerified int `json:"not_verified_findings"`
		} `json:"summary"`
		Findings []map[string]any `json:"findings"`
	}
	out := render(t, JSONWriter{}, r)
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Summary.Total != 2 || doc.Summary.NotVerified != 1 || len(doc.Findings) != 3 {
		t.Fatalf("summary %+v, %d findings; want 2 total, 1 not verified, 3 listed\n%s", doc.Summary, len(doc.Findings), out)
	}
	want := []struct {
		object, status, firstSeen string
		waived                    bool
		f                         rules.Finding
	}{
		{"GigabitEthernet1/0/5", "new", "2025-03-02T02:30:00Z", false, r.Findings[0]},
		{"vlan 200", "open", "2025-03-01T02:30:00Z", true, r.Findings[1]},
		{"GigabitEthernet1/0/9", "not verified", "2025-02-27T02:30:00Z", false, r.Diff.NotVerified[0]},
	}
	for i, w := range want {
		g := doc.Findings[i]
		if g["object"] != w.object || g["status"] != w.status || g["first_seen"] != w.firstSeen || g["fingerprint"] != rules.Fingerprint(w.f) {
			t.Errorf("finding %d: %v", i, g)
		}
		if _, waived := g["waived"]; waived != w.waived {
			t.Errorf("finding %d: waived present %v, want %v", i, waived, w.waived)
		}
	}
	// A report's findings decode into rules.Finding, waiver included.
	var back struct{ Findings []rules.Finding }
	if err := json.Unmarshal([]byte(out), &back); err != nil || len(back.Findings) != 3 || back.Findings[1].Waived == nil ||
		*back.Findings[1].Waived != *r.Findings[1].Waived || back.Findings[2].Status != rules.StatusNotVerified {
		t.Errorf("decoding the report into rules.Finding: %v %+v", err, back.Findings)
	}
	waiver, _ := doc.Findings[1]["waived"].(map[string]any)
	if waiver["reason"] != "vendor advice" || waiver["owner"] != "netops" || waiver["expires"] != "2025-12-31" || waiver["where"] != "policy.yaml:12" {
		t.Errorf("waiver %v", waiver)
	}
	// Without a history the keys are there, empty.
	if out := render(t, JSONWriter{}, &Result{Findings: []rules.Finding{{Rule: "r", Severity: rules.Info}}}); !strings.Contains(out, `"status": ""`) ||
		!strings.Contains(out, `"first_seen": ""`) || strings.Contains(out, `"waived"`) {
		t.Errorf("finding without history or waiver:\n%s", out)
	}
}

// Issue 14.3: JUnit marks a waived finding <skipped> (not a passing
// case), and a finding carried unverified too; only the new critical
// fails.
func TestJUnitSkipsWaivedAndUnverified(t *testing.T) {
	out := render(t, JUnitWriter{}, historyResult())
	var doc struct {
		Skipped int `xml:"skipped,attr"`
		Suites  []struct {
			Skipped  int `xml:"skipped,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	parseJUnit(t, out)
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.Suites[0]
	if doc.Skipped != 2 || s.Skipped != 2 || s.Failures != 1 {
		t.Errorf("skipped %d/%d, failures %d; want 2, 2, 1\n%s", doc.Skipped, s.Skipped, s.Failures, out)
	}
	skipped := map[string]string{}
	for _, c := range s.Cases {
		if c.Skipped != nil {
			skipped[c.Name] = c.Skipped.Message
			if c.Failure != nil {
				t.Errorf("%s both skipped and failed", c.Name)
			}
		}
	}
	if m := skipped["mac-aging-shorter-than-keepalive vlan 200"]; !strings.Contains(m, "waived: vendor advice") || !strings.Contains(m, "netops") || !strings.Contains(m, "2025-12-31") {
		t.Errorf("waived case: %q", m)
	}
	if m := skipped["port-security-aging-shorter-than-keepalive GigabitEthernet1/0/9"]; !strings.Contains(m, "not verified") {
		t.Errorf("unverified case: %q", m)
	}
}

// The html report's changes section lists the findings carried
// unverified apart from the resolved ones.
func TestHTMLNotVerified(t *testing.T) {
	out := render(t, HTMLWriter{}, historyResult())
	i := strings.Index(out, "Not verified this run (1)")
	if i < 0 || !strings.Contains(out[i:], "GigabitEthernet1/0/9") {
		t.Errorf("html lacks the not-verified section with the carried finding")
	}
	if strings.Contains(render(t, HTMLWriter{}, auditResult()), "Not verified this run") {
		t.Errorf("html shows a not-verified section without any")
	}
}
