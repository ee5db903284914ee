package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kaudit/kaudit/rules"
)

// promSeries is one parsed sample.
type promSeries struct {
	name   string
	labels map[string]string
	value  float64
}

var (
	promName      = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	promLabelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	promTypes     = map[string]bool{"counter": true, "gauge": true, "histogram": true, "summary": true, "untyped": true}
)

// parseProm is a strict reader of the text exposition format as
// node_exporter's textfile collector takes it: every line a comment or a
// sample, HELP and TYPE once per family and before its samples, the
// samples of a family together, label values quoted with only \\, \" and
// \n escapes, float values, no timestamps, no duplicate series, a final
// newline. It returns the samples keyed by "name{a="x",b="y"}" with the
// labels sorted.
func parseProm(t testing.TB, out string) map[string]promSeries {
	t.Helper()
	if out == "" || !strings.HasSuffix(out, "\n") {
		t.Fatalf("metrics do not end with a newline")
	}
	if !utf8.ValidString(out) {
		t.Fatalf("metrics are not valid UTF-8")
	}
	series := map[string]promSeries{}
	help, typ := map[string]bool{}, map[string]string{}
	done := map[string]bool{} // families whose samples have ended
	current := ""
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		ln := i + 1
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("metrics line %d %q: %s", ln, line, fmt.Sprintf(format, args...))
		}
		if line == "" {
			fail("blank line")
		}
		if strings.HasPrefix(line, "#") {
			f := strings.SplitN(line, " ", 4)
			if len(f) < 3 || f[0] != "#" || (f[1] != "HELP" && f[1] != "TYPE") {
				fail("comment is not HELP or TYPE")
			}
			name := f[2]
			if !promName.MatchString(name) {
				fail("bad metric name")
			}
			if done[name] || current == name {
				fail("%s after samples of %s", f[1], name)
			}
			switch f[1] {
			case "HELP":
				if help[name] {
					fail("second HELP")
				}
				help[name] = true
				if len(f) == 4 {
					for j := 0; j < len(f[3]); j++ {
						if f[3][j] == '\\' {
							if j+1 >= len(f[3]) || (f[3][j+1] != '\\' && f[3][j+1] != 'n') {
								fail("bad escape in HELP")
							}
							j++
						}
					}
				}
			case "TYPE":
				if typ[name] != "" {
					fail("second TYPE")
				}
				if len(f) != 4 || !promTypes[f[3]] {
					fail("bad type")
				}
				typ[name] = f[3]
			}
			continue
		}
		s, rest := parsePromSample(t, line, ln)
		if rest != "" {
			fail("trailing %q (timestamps are not allowed in textfiles)", rest)
		}
		if !help[s.name] || typ[s.name] == "" {
			fail("sample before HELP and TYPE of %s", s.name)
		}
		if done[s.name] {
			fail("samples of %s are not together", s.name)
		}
		if current != s.name {
			if current != "" {
				done[current] = true
			}
			current = s.name
		}
		key := promKey(s.name, s.labels)
		if _, dup := series[key]; dup {
			fail("duplicate series %s", key)
		}
		series[key] = s
	}
	return series
}

func parsePromSample(t testing.TB, line string, ln int) (promSeries, string) {
	t.Helper()
	fail := func(why string) {
		t.Helper()
		t.Fatalf("metrics line %d %q: %s", ln, line, why)
	}
	s := promSeries{labels: map[string]string{}}
	i := strings.IndexAny(line, "{ ")
	if i < 0 {
		fail("no value")
	}
	s.name = line[:i]
	if !promName.MatchString(s.name) {
		fail("bad metric name")
	}
	rest := line[i:]
	if rest[0] == '{' {
		rest = rest[1:]
		for {
			if strings.HasPrefix(rest, "}") {
				rest = rest[1:]
				break
			}
			eq := strings.IndexByte(rest, '=')
			if eq < 0 {
				fail("label without =")
			}
			name := rest[:eq]
			if !promLabelName.MatchString(name) || strings.HasPrefix(name, "__") {
				fail("bad label name " + name)
			}
			if _, dup := s.labels[name]; dup {
				fail("duplicate label " + name)
			}
			rest = rest[eq+1:]
			if !strings.HasPrefix(rest, `"`) {
				fail("label value not quoted")
			}
			var v strings.Builder
			j := 1
			for ; j < len(rest) && rest[j] != '"'; j++ {
				if rest[j] == '\\' {
					if j+1 >= len(rest) {
						fail("dangling backslash")
					}
					switch rest[j+1] {
					case '\\':
						v.WriteByte('\\')
					case '"':
						v.WriteByte('"')
					case 'n':
						v.WriteByte('\n')
					default:
						fail("bad escape in label value")
					}
					j++
					continue
				}
				v.WriteByte(rest[j])
			}
			if j >= len(rest) {
				fail("unterminated label value")
			}
			s.labels[name] = v.String()
			rest = rest[j+1:]
			if strings.HasPrefix(rest, ",") {
				rest = rest[1:]
			} else if !strings.HasPrefix(rest, "}") {
				fail("label not followed by , or }")
			}
		}
	}
	if !strings.HasPrefix(rest, " ") {
		fail("no space before the value")
	}
	fields := strings.Split(rest[1:], " ")
	val := fields[0]
	v, err := strconv.ParseFloat(val, 64)
	if err != nil && val != "+Inf" && val != "-Inf" && val != "NaN" {
		fail("value is not a float")
	}
	s.value = v
	return s, strings.Join(fields[1:], " ")
}

func promKey(name string, labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(name)
	if len(keys) > 0 {
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%s=%q", k, labels[k])
		}
		b.WriteByte('}')
	}
	return b.String()
}

func metricsOf(t testing.TB, r *Result, lastSuccess time.Time) (string, map[string]promSeries) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteMetrics(&buf, r, lastSuccess); err != nil {
		t.Fatalf("WriteMetrics: %v", err)
	}
	return buf.String(), parseProm(t, buf.String())
}

func TestMetricsFixture(t *testing.T) {
	r := auditResult()
	success := time.Date(2025, 3, 3, 2, 0, 47, 500e6, time.UTC)
	out, got := metricsOf(t, r, success)
	end := r.Started.Add(r.Duration)
	want := map[string]float64{
		`kaudit_findings{rule="port-security-aging-shorter-than-keepalive",severity="critical"}`: 1,
		`kaudit_findings{rule="port-security-aging-shorter-than-keepalive",severity="warning"}`:  0,
		`kaudit_findings{rule="mac-aging-shorter-than-keepalive",severity="warning"}`:            1,
		`kaudit_findings{rule="sip-profile-timers-inconsistent",severity="info"}`:                1,
		`kaudit_findings{rule="asa-proxy-arp-answers-for-call-manager",severity="critical"}`:     0,
		`kaudit_findings_failing`:               2,
		`kaudit_findings_new`:                   1, // Diff.New of the fixture
		`kaudit_findings_not_verified`:          0,
		`kaudit_devices{status="ok"}`:           1,
		`kaudit_devices{status="partial"}`:      1,
		`kaudit_devices{status="failed"}`:       1,
		`kaudit_devices_audited`:                3,
		`kaudit_devices_failed`:                 1,
		`kaudit_devices_incomplete`:             1,
		`kaudit_audit_duration_seconds`:         41.318,
		`kaudit_last_run_timestamp_seconds`:     float64(end.UnixNano()) / 1e9,
		`kaudit_last_success_timestamp_seconds`: 1740967247.5,
		`kaudit_exit_code`:                      1,
		`kaudit_build_info{version="0.4.0"}`:    1,
	}
	for key, v := range want {
		s, ok := got[key]
		if !ok {
			t.Errorf("no series %s in:\n%s", key, out)
			continue
		}
		if math.Abs(s.value-v) > 1e-6 {
			t.Errorf("%s = %v, want %v", key, s.value, v)
		}
	}
	// Every registered rule × every severity, no more.
	all := rules.All()
	if len(all) == 0 {
		t.Fatal("no rules registered")
	}
	n := 0
	for key := range got {
		if strings.HasPrefix(key, "kaudit_findings{") {
			n++
		}
	}
	if n != len(all)*3 {
		t.Errorf("%d kaudit_findings series, want %d rules × 3", n, len(all))
	}
	for _, rule := range all {
		for _, sev := range severities {
			if _, ok := got[promKey("kaudit_findings", map[string]string{"rule": rule.ID, "severity": sev.String()})]; !ok {
				t.Errorf("no zero series for %s %s", rule.ID, sev)
			}
		}
	}
	if strings.Contains(out, "e+") {
		t.Errorf("values in exponent notation:\n%s", out)
	}
}

func TestMetricsCases(t *testing.T) {
	cases := []struct {
		name   string
		r      *Result
		last   time.Time
		want   map[string]float64
		absent []string
	}{
		{
			"rules listed", &Result{Rules: []string{"b-rule", "a-rule", "a-rule"}, Findings: []rules.Finding{{Rule: "c-rule", Severity: rules.Warning}}},
			time.Time{},
			map[string]float64{
				`kaudit_findings{rule="a-rule",severity="info"}`:     0,
				`kaudit_findings{rule="b-rule",severity="critical"}`: 0,
				`kaudit_findings{rule="c-rule",severity="warning"}`:  1,
				`kaudit_exit_code`:                      1,
				`kaudit_last_run_timestamp_seconds`:     0,
				`kaudit_last_success_timestamp_seconds`: 0,
				`kaudit_devices_audited`:                0,
			},
			[]string{`kaudit_findings{rule="port-security-aging-shorter-than-keepalive",severity="info"}`},
		},
		{
			"clean", cleanResult(), time.Unix(1741140016, 0),
			map[string]float64{`kaudit_exit_code`: 0, `kaudit_devices{status="ok"}`: 2, `kaudit_devices{status="failed"}`: 0, `kaudit_findings_failing`: 0,
				`kaudit_last_success_timestamp_seconds`: 1741140016, `kaudit_audit_duration_seconds`: 12.04},
			nil,
		},
		{
			"incomplete", func() *Result { r := cleanResult(); r.Devices[0].Status = "failed"; return r }(), time.Time{},
			map[string]float64{`kaudit_exit_code`: 3, `kaudit_devices_failed`: 1, `kaudit_devices_incomplete`: 1},
			nil,
		},
		{
			"unknown severity gets its own series", &Result{Rules: []string{}, Findings: []rules.Finding{{Rule: "r", Severity: 7}}}, time.Time{},
			map[string]float64{`kaudit_findings{rule="r",severity="severity(7)"}`: 1, `kaudit_findings{rule="r",severity="critical"}`: 0},
			nil,
		},
		{
			"hostile label values", &Result{Rules: []string{}, Version: "1\"\\\n2", Findings: []rules.Finding{
				{Rule: "a\"b\\c\nd", Severity: rules.Critical}, {Rule: "x\xffy", Severity: rules.Info}, {Rule: "x\xfey", Severity: rules.Info},
			}}, time.Time{},
			map[string]float64{
				promKey("kaudit_findings", map[string]string{"rule": "a\"b\\c\nd", "severity": "critical"}): 1,
				promKey("kaudit_findings", map[string]string{"rule": "x\ufffdy", "severity": "info"}):       2,
				promKey("kaudit_build_info", map[string]string{"version": "1\"\\\n2"}):                      1,
			},
			nil,
		},
		{
			"negative duration", &Result{Rules: []string{}, Duration: -time.Second, Started: time.Unix(100, 0)}, time.Time{},
			map[string]float64{`kaudit_audit_duration_seconds`: 0, `kaudit_last_run_timestamp_seconds`: 100},
			nil,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, got := metricsOf(t, c.r, c.last)
			for key, v := range c.want {
				s, ok := got[key]
				if !ok {
					t.Errorf("no series %s in:\n%s", key, out)
				} else if s.value != v {
					t.Errorf("%s = %v, want %v", key, s.value, v)
				}
			}
			for _, key := range c.absent {
				if _, ok := got[key]; ok {
					t.Errorf("unexpected series %s", key)
				}
			}
		})
	}
}

// The validator itself must reject what node_exporter rejects, or the
// tests above prove nothing.
func TestPromValidatorRejects(t *testing.T) {
	head := "# HELP m x\n# TYPE m gauge\n"
	cases := map[string]string{
		"no newline":       head + "m 1",
		"bad name":         "# HELP 1m x\n# TYPE 1m gauge\n1m 1\n",
		"no type":          "# HELP m x\nm 1\n",
		"timestamp":        head + "m 1 1700000000000\n",
		"bad value":        head + "m one\n",
		"unquoted label":   head + "m{a=b} 1\n",
		"bad escape":       head + `m{a="\t"} 1` + "\n",
		"duplicate series": head + "m{a=\"1\"} 1\nm{a=\"1\"} 2\n",
		"split family":     head + "m 1\n# HELP n x\n# TYPE n gauge\nn 1\nm{a=\"x\"} 1\n",
		"help after":       head + "m 1\n# HELP m y\n",
		"reserved label":   head + `m{__name__="x"} 1` + "\n",
		"blank line":       head + "\nm 1\n",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			ft := &fatalRecorder{TB: t}
			func() {
				defer func() { recover() }()
				parseProm(ft, in)
			}()
			if !ft.failed {
				t.Errorf("validator accepted:\n%s", in)
			}
		})
	}
}

// fatalRecorder turns Fatalf into a recorded failure and a panic, so that a
// test can check that a validator rejects its input.
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.failed = true
	panic("fatal")
}

func (f *fatalRecorder) Helper() {}

func TestWriteMetricsErrors(t *testing.T) {
	err := WriteMetrics(&failingWriter{}, auditResult(), time.Time{})
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "metrics") {
		t.Errorf("WriteMetrics to a failing writer = %v", err)
	}
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "kaudit.prom")
	err = WriteMetricsFile(missing, auditResult(), time.Time{})
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("WriteMetricsFile into a missing directory = %v, want an error naming the path", err)
	}
}

func TestWriteMetricsFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kaudit.prom")
	if err := os.WriteFile(path, []byte("stale\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := auditResult()
	if err := WriteMetricsFile(path, r, time.Time{}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := metricsOf(t, r, time.Time{})
	if string(got) != want {
		t.Errorf("file differs from WriteMetrics output")
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644 so node_exporter can read it", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v: a temporary file was left behind", names)
	}
}

// A reader polling the file while runs rewrite it, as node_exporter does,
// must only ever see one complete set of metrics.
func TestWriteMetricsFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kaudit.prom")
	results := []*Result{auditResult(), cleanResult()}
	// Make the two outputs differ in length a lot, so a torn read shows.
	for i := range 200 {
		results[1].Devices = append(results[1].Devices, DeviceResult{Name: fmt.Sprint("sw", i), Status: "ok"})
	}
	if err := WriteMetricsFile(path, results[0], time.Time{}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 150; i++ {
			if err := WriteMetricsFile(path, results[i%2], time.Time{}); err != nil {
				t.Error(err)
				break
			}
		}
		close(stop)
	}()
	reads := 0
	for done := false; !done; {
		select {
		case <-stop:
			done = true
		default:
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read while writing: %v", err)
		}
		s := parseProm(t, string(data))
		if _, ok := s["kaudit_exit_code"]; !ok {
			t.Fatalf("read a partial file:\n%s", data)
		}
		reads++
	}
	wg.Wait()
	t.Logf("%d reads during 150 writes", reads)
}

func FuzzMetrics(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("port-security-aging-shorter-than-keepalive")
	f.Fuzz(func(t *testing.T, s string) {
		r := hostileResult(s)
		_, got := metricsOf(t, r, time.Unix(1741053646, 0))
		key := promKey("kaudit_findings", map[string]string{"rule": strings.ToValidUTF8(s, "\ufffd"), "severity": "critical"})
		if got[key].value != 1 {
			t.Fatalf("%s = %v, want 1", key, got[key].value)
		}
		if got["kaudit_exit_code"].value != float64(r.ExitCode()) {
			t.Fatalf("exit code %v, want %d", got["kaudit_exit_code"].value, r.ExitCode())
		}
	})
}

func BenchmarkWriteMetrics(b *testing.B) {
	r := bigResult()
	for b.Loop() {
		if err := WriteMetrics(io.Discard, r, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
}

// Without a comparison (--no-store, a first run) the history series are
// there and 0, so that an alert on them never reads "no data".
func TestMetricsWithoutHistory(t *testing.T) {
	r := auditResult()
	r.Diff = nil
	out, got := metricsOf(t, r, time.Time{})
	for _, key := range []string{"kaudit_findings_new", "kaudit_findings_not_verified"} {
		if s, ok := got[key]; !ok || s.value != 0 {
			t.Errorf("%s = %+v (present %v), want 0 in:\n%s", key, s, ok, out)
		}
	}
}
