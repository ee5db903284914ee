package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

// A problem of the run itself (the history store could not record it)
// makes the run incomplete with the same precedence as a device that was
// not fully read: exit 3, unless findings give 1.
func TestProblemsExitCode(t *testing.T) {
	ok := DeviceResult{Name: "sw1", Platform: facts.PlatformIOS, Status: facts.StatusOK}
	failed := DeviceResult{Name: "asa1", Platform: facts.PlatformASA, Status: facts.StatusFailed, Error: "connection refused"}
	crit := rules.Finding{Rule: "r", Severity: rules.Critical, Device: "sw1"}
	info := rules.Finding{Rule: "r", Severity: rules.Info, Device: "sw1"}
	prob := []string{"run not recorded in the history: disk full"}
	for _, c := range []struct {
		name     string
		r        Result
		want     int
		wantText string
	}{
		{"problem alone", Result{Devices: []DeviceResult{ok}, Problems: prob}, ExitIncomplete, "audit incomplete: 1 problem(s) with the run"},
		{"problem and finding below fail-on", Result{Devices: []DeviceResult{ok}, Findings: []rules.Finding{info}, Problems: prob}, ExitIncomplete, "audit incomplete: 1 problem(s) with the run"},
		{"problem and failing finding: findings win", Result{Devices: []DeviceResult{ok}, Findings: []rules.Finding{crit}, Problems: prob}, ExitFindings, "1 finding(s) at or above warning"},
		{"problem and failed device", Result{Devices: []DeviceResult{ok, failed}, Problems: prob}, ExitIncomplete, "audit incomplete: 1 device(s) not fully read, 1 problem(s) with the run"},
		{"no problem", Result{Devices: []DeviceResult{ok}}, ExitClean, "clean"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.r.FailOn = rules.Warning
			if got := c.r.ExitCode(); got != c.want {
				t.Errorf("ExitCode() = %d, want %d", got, c.want)
			}
			if got := exitReason(&c.r, summarize(&c.r)); got != c.wantText {
				t.Errorf("exit reason %q, want %q", got, c.wantText)
			}
		})
	}
}

// Every format says what went wrong with the run, also when findings
// decide the exit code and the verdict does not mention it.
func TestProblemsShown(t *testing.T) {
	const prob = "run not recorded in the history: store /var/lib/kaudit/history.db: disk full"
	for _, findings := range []bool{false, true} {
		r := cleanResult()
		r.Problems = []string{prob}
		if findings {
			r = auditResult()
			r.Problems = []string{prob}
		}
		for _, format := range Formats() {
			out := render(t, mustNew(t, format), r)
			if !strings.Contains(out, prob) {
				t.Errorf("%s (findings %v) does not show the problem:\n%.2000s", format, findings, out)
			}
		}
		var doc struct {
			ExitCode int      `json:"exit_code"`
			Problems []string `json:"problems"`
		}
		if err := json.Unmarshal([]byte(render(t, JSONWriter{}, r)), &doc); err != nil || len(doc.Problems) != 1 || doc.Problems[0] != prob || doc.ExitCode != r.ExitCode() {
			t.Errorf("json: %+v, %v", doc, err)
		}
		doc2 := parseJUnit(t, render(t, JUnitWriter{}, r))
		var run *xCase
		for i, tc := range doc2.Suites[0].Cases {
			if tc.Classname == "kaudit" && tc.Name == "run" {
				run = &doc2.Suites[0].Cases[i]
			}
		}
		if run == nil || len(run.Errors) != 1 || run.Errors[0].Message != prob {
			t.Errorf("junit: no errored testcase kaudit.run for the problem: %+v", run)
		}
	}
	// A run without a problem keeps its json as it was: no problems key.
	if out := render(t, JSONWriter{}, cleanResult()); strings.Contains(out, `"problems"`) {
		t.Errorf("json of a run without problems has a problems key:\n%.400s", out)
	}
}
