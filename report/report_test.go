package report

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func render(t *testing.T, w Writer, r *Result) string {
	t.Helper()
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.String()
}

func mustNew(t *testing.T, format string) Writer {
	t.Helper()
	w, err := New(format)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestGolden(t *testing.T) {
	fixtures := map[string]func() *Result{"audit": auditResult, "clean": cleanResult}
	type tc struct {
		name   string
		result string
		writer Writer
	}
	var cases []tc
	for _, fx := range []string{"audit", "clean"} {
		for _, f := range Formats() {
			cases = append(cases, tc{fx + "." + f, fx, mustNew(t, f)})
		}
	}
	cases = append(cases, tc{"audit.table-color", "audit", &TableWriter{Color: true}})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := render(t, c.writer, fixtures[c.result]())
			path := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./report -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from golden (run with -update if the change is intended):\n%s", path, firstDiff(string(want), got))
			}
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\nwant: " + w + "\ngot:  " + g
		}
	}
	return "(no line differs)"
}

func TestExitCode(t *testing.T) {
	ok := DeviceResult{Name: "sw1", Platform: facts.PlatformIOS, Status: facts.StatusOK}
	failed := DeviceResult{Name: "asa1", Platform: facts.PlatformASA, Status: facts.StatusFailed, Error: "connection refused"}
	missingOnly := DeviceResult{Name: "cucm1", Platform: facts.PlatformCUCM, Status: facts.StatusPartial, Missing: []string{"show_risdb_query_phone"}}
	parseErrs := DeviceResult{Name: "sw2", Platform: facts.PlatformIOS, Status: facts.StatusPartial, Errors: []string{"sw2/show_running-config.txt:12: bad aging time"}}
	partialErr := DeviceResult{Name: "sw3", Platform: facts.PlatformIOS, Status: facts.StatusPartial, Error: "show port-security: timeout after 30s"}
	okWithErrs := DeviceResult{Name: "sw4", Platform: facts.PlatformIOS, Status: facts.StatusOK, Errors: []string{"sw4/show_cdp_neighbors_detail.txt:7: truncated entry"}}
	noStatus := DeviceResult{Name: "sw5", Platform: facts.PlatformIOS}

	fnd := func(s rules.Severity) rules.Finding { return rules.Finding{Rule: "r", Severity: s, Device: "sw1"} }

	cases := []struct {
		name     string
		devices  []DeviceResult
		findings []rules.Finding
		failOn   rules.Severity
		want     int
	}{
		{"empty run", nil, nil, rules.Warning, ExitClean},
		{"all ok, no findings", []DeviceResult{ok}, nil, rules.Warning, ExitClean},
		{"info below warning", []DeviceResult{ok}, []rules.Finding{fnd(rules.Info)}, rules.Warning, ExitClean},
		{"warning at warning", []DeviceResult{ok}, []rules.Finding{fnd(rules.Warning)}, rules.Warning, ExitFindings},
		{"critical above warning", []DeviceResult{ok}, []rules.Finding{fnd(rules.Critical)}, rules.Warning, ExitFindings},
		{"warning below critical", []DeviceResult{ok}, []rules.Finding{fnd(rules.Warning), fnd(rules.Info)}, rules.Critical, ExitClean},
		{"info at info", []DeviceResult{ok}, []rules.Finding{fnd(rules.Info)}, rules.Info, ExitFindings},
		{"unset fail-on fails on any finding", []DeviceResult{ok}, []rules.Finding{fnd(rules.Info)}, 0, ExitFindings},
		{"failed device", []DeviceResult{ok, failed}, nil, rules.Warning, ExitIncomplete},
		{"failed device and failing finding: findings win", []DeviceResult{ok, failed}, []rules.Finding{fnd(rules.Critical)}, rules.Warning, ExitFindings},
		{"failed device and finding below threshold", []DeviceResult{failed}, []rules.Finding{fnd(rules.Info)}, rules.Warning, ExitIncomplete},
		{"missing outputs only is complete", []DeviceResult{ok, missingOnly}, nil, rules.Warning, ExitClean},
		{"parse errors are incomplete", []DeviceResult{parseErrs}, nil, rules.Warning, ExitIncomplete},
		{"partial with error is incomplete", []DeviceResult{partialErr}, nil, rules.Warning, ExitIncomplete},
		{"ok status but parse errors", []DeviceResult{okWithErrs}, nil, rules.Warning, ExitIncomplete},
		{"empty status counts as failed", []DeviceResult{noStatus}, nil, rules.Warning, ExitIncomplete},
		{"fixture", auditResult().Devices, auditResult().Findings, rules.Warning, ExitFindings},
		{"fixture, fail on critical", auditResult().Devices, auditResult().Findings, rules.Critical, ExitFindings},
		{"clean fixture", cleanResult().Devices, nil, rules.Warning, ExitClean},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &Result{Devices: c.devices, Findings: c.findings, FailOn: c.failOn}
			if got := r.ExitCode(); got != c.want {
				t.Errorf("ExitCode() = %d, want %d", got, c.want)
			}
		})
	}
}

func TestSortFindings(t *testing.T) {
	f := func(sev rules.Severity, rule, dev, obj, msg string) rules.Finding {
		return rules.Finding{Severity: sev, Rule: rule, Device: dev, Object: obj, Message: msg}
	}
	cases := []struct {
		name string
		in   []rules.Finding
		want []string // messages in expected order
	}{
		{"empty", nil, nil},
		{"severity first", []rules.Finding{
			f(rules.Info, "a", "a", "a", "info"),
			f(rules.Critical, "z", "z", "z", "crit"),
			f(rules.Warning, "a", "a", "a", "warn"),
		}, []string{"crit", "warn", "info"}},
		{"then rule, device, object", []rules.Finding{
			f(rules.Warning, "r2", "sw1", "Gi1", "r2"),
			f(rules.Warning, "r1", "sw2", "Gi1", "r1 sw2"),
			f(rules.Warning, "r1", "sw1", "Gi2", "r1 sw1 Gi2"),
			f(rules.Warning, "r1", "sw1", "Gi1", "r1 sw1 Gi1"),
		}, []string{"r1 sw1 Gi1", "r1 sw1 Gi2", "r1 sw2", "r2"}},
		{"stable on equal keys", []rules.Finding{
			f(rules.Warning, "r", "d", "o", "first"),
			f(rules.Critical, "r", "d", "o", "crit"),
			f(rules.Warning, "r", "d", "o", "second"),
			f(rules.Warning, "r", "d", "o", "third"),
		}, []string{"crit", "first", "second", "third"}},
		{"unknown severities sort by value", []rules.Finding{
			f(0, "r", "d", "o", "zero"),
			f(rules.Info, "r", "d", "o", "info"),
			f(7, "r", "d", "o", "seven"),
		}, []string{"seven", "info", "zero"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := slices.Clone(c.in)
			SortFindings(fs)
			var got []string
			for _, x := range fs {
				got = append(got, x.Message)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("order = %q, want %q", got, c.want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	want := []string{"html", "json", "junit", "markdown", "table"}
	if got := Formats(); !slices.Equal(got, want) {
		t.Fatalf("Formats() = %q, want %q", got, want)
	}
	for _, name := range append(want, "JSON", " Table ") {
		w, err := New(name)
		if err != nil || w == nil {
			t.Errorf("New(%q) = %v, %v", name, w, err)
		}
	}
	_, err := New("pdf")
	if err == nil {
		t.Fatal(`New("pdf") succeeded`)
	}
	for _, f := range want {
		if !strings.Contains(err.Error(), f) || !strings.Contains(err.Error(), `"pdf"`) {
			t.Errorf("error %q should name the bad format and list %q", err, f)
		}
	}
}

// Writers must not reorder the caller's findings or devices: the CLI hands
// the same Result to several writers and to the history store.
func TestWritersDoNotMutate(t *testing.T) {
	for _, f := range Formats() {
		t.Run(f, func(t *testing.T) {
			r := auditResult()
			before := auditResult()
			render(t, mustNew(t, f), r)
			for i := range r.Findings {
				if r.Findings[i].Rule != before.Findings[i].Rule {
					t.Fatalf("findings reordered: %d is %s, was %s", i, r.Findings[i].Rule, before.Findings[i].Rule)
				}
			}
			for i := range r.Devices {
				if r.Devices[i].Name != before.Devices[i].Name {
					t.Fatalf("devices reordered: %d is %s, was %s", i, r.Devices[i].Name, before.Devices[i].Name)
				}
			}
		})
	}
}

type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}

func TestWriteErrorsPropagate(t *testing.T) {
	for _, f := range Formats() {
		t.Run(f, func(t *testing.T) {
			err := mustNew(t, f).Write(&failingWriter{}, auditResult())
			if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), f) {
				t.Errorf("Write to a failing writer = %v, want an error naming %s and wrapping the cause", err, f)
			}
		})
	}
}

func TestEvidenceText(t *testing.T) {
	src := &facts.Source{Host: "sw1", Key: "show_running-config", Line: 212, Text: " switchport port-security aging time 1  "}
	cases := []struct {
		name string
		e    rules.Evidence
		want string
	}{
		{"read fact", rules.Evidence{Device: "sw1", What: "aging time", Value: "1 min", Source: src},
			"sw1: aging time = 1 min  (sw1/show_running-config.txt:212: switchport port-security aging time 1)"},
		{"default", rules.Evidence{Device: "cucm1", What: "keepalive", Value: "115 s", Default: true},
			"cucm1: keepalive = 115 s  (default)"},
		{"default pointing at a line", rules.Evidence{Device: "sw1", What: "aging type", Value: "absolute", Default: true, Source: src},
			"sw1: aging type = absolute  (default; sw1/show_running-config.txt:212: switchport port-security aging time 1)"},
		{"no source, not default", rules.Evidence{Device: "sw1", What: "phones", Value: "3"}, "sw1: phones = 3"},
		{"no device", rules.Evidence{What: "policy keepalive", Value: "115 s", Default: true}, "policy keepalive = 115 s  (default)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := evidenceText(c.e); got != c.want {
				t.Errorf("evidenceText = %q, want %q", got, c.want)
			}
		})
	}
}

func TestPhoneList(t *testing.T) {
	ps := []string{"SEP1", "SEP2", "SEP3", "SEP4"}
	cases := []struct {
		max  int
		want string
	}{
		{0, "SEP1, SEP2, SEP3, SEP4"},
		{-1, "SEP1, SEP2, SEP3, SEP4"},
		{4, "SEP1, SEP2, SEP3, SEP4"},
		{3, "SEP1, SEP2, SEP3 +1 more"},
		{1, "SEP1 +3 more"},
	}
	for _, c := range cases {
		if got := phoneList(ps, c.max); got != c.want {
			t.Errorf("phoneList(max %d) = %q, want %q", c.max, got, c.want)
		}
	}
}
