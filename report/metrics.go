package report

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

// WriteMetrics writes r in the Prometheus text exposition format (0.0.4)
// for node_exporter's textfile collector, so that a nightly audit can be
// graphed and alerted on next to the rest of the network.
//
// Every series is a gauge describing the latest run. kaudit_findings has a
// series for every rule × severity, zeros included, for the rules in
// r.Rules (every registered rule when nil) and any other rule a finding
// names: a problem that is fixed must read 0, not vanish, or an alert on it
// would never resolve cleanly. Timestamps are in seconds since the epoch;
// one that is unknown (zero time) is written as 0, which a freshness alert
// ("time() - kaudit_last_success_timestamp_seconds > 86400") reads as
// "never". lastSuccess is the end of the latest run whose audit was
// complete; the caller knows it from the history store, or passes this
// run's end when r.ExitCode() is not ExitIncomplete.
func WriteMetrics(w io.Writer, r *Result, lastSuccess time.Time) error {
	s := summarize(r)
	bw := bufio.NewWriter(w)
	m := metricsWriter{w: bw}

	m.family("kaudit_findings", "Findings of the last audit by rule and severity.")
	counts := map[string]map[rules.Severity]int{}
	ids := ruleIDs(r)
	for _, id := range ids {
		counts[id] = map[rules.Severity]int{}
	}
	for _, f := range r.Findings {
		// Two ids that differ only in invalid UTF-8 would escape to the
		// same series; count them as one.
		id := strings.ToValidUTF8(f.Rule, "\uFFFD")
		if counts[id] == nil {
			counts[id] = map[rules.Severity]int{}
			ids = append(ids, id)
		}
		counts[id][f.Severity]++
	}
	slices.Sort(ids)
	sevs := slices.Clone(severities)
	for _, f := range r.Findings {
		// An unknown severity still counts; it gets its own series.
		if !slices.Contains(sevs, f.Severity) {
			sevs = append(sevs, f.Severity)
		}
	}
	for _, id := range ids {
		for _, sev := range sevs {
			m.sample("kaudit_findings", float64(counts[id][sev]), "rule", id, "severity", sev.String())
		}
	}

	m.family("kaudit_findings_failing", "Findings of the last audit at or above the fail-on severity.")
	m.sample("kaudit_findings_failing", float64(s.failing))

	// Against the previous run of the same scope (0 when the run was not
	// compared): alert on new findings, and notice findings that could
	// not be checked rather than taking their absence for a fix.
	var fresh, unverified int
	if r.Diff != nil {
		fresh, unverified = len(r.Diff.New), len(r.Diff.NotVerified)
	}
	m.family("kaudit_findings_new", "Findings of the last audit that the previous run of its scope did not report.")
	m.sample("kaudit_findings_new", float64(fresh))
	m.family("kaudit_findings_not_verified", "Findings of earlier runs the last audit could not check (a device failed or was partial, an output was missing).")
	m.sample("kaudit_findings_not_verified", float64(unverified))

	m.family("kaudit_devices", "Devices of the last audit by collection status.")
	m.sample("kaudit_devices", float64(s.ok), "status", facts.StatusOK)
	m.sample("kaudit_devices", float64(s.partial), "status", facts.StatusPartial)
	m.sample("kaudit_devices", float64(s.failed), "status", facts.StatusFailed)

	m.family("kaudit_devices_audited", "Devices in the last audit.")
	m.sample("kaudit_devices_audited", float64(s.devices))
	m.family("kaudit_devices_failed", "Devices that could not be read at all in the last audit.")
	m.sample("kaudit_devices_failed", float64(s.failed))
	m.family("kaudit_devices_incomplete", "Devices whose audit cannot be trusted (failed, or read with errors).")
	m.sample("kaudit_devices_incomplete", float64(s.incomplete))

	m.family("kaudit_audit_duration_seconds", "Wall time of the last audit.")
	m.sample("kaudit_audit_duration_seconds", math.Max(r.Duration.Seconds(), 0))

	var end time.Time
	if !r.Started.IsZero() {
		end = r.Started.Add(max(r.Duration, 0))
	}
	m.family("kaudit_last_run_timestamp_seconds", "When the last audit ended, in seconds since the epoch.")
	m.sample("kaudit_last_run_timestamp_seconds", unixSeconds(end))
	m.family("kaudit_last_success_timestamp_seconds", "When the last complete audit ended, in seconds since the epoch; 0 if none.")
	m.sample("kaudit_last_success_timestamp_seconds", unixSeconds(lastSuccess))

	m.family("kaudit_exit_code", "Exit code of the last audit: 0 clean, 1 findings, 3 incomplete.")
	m.sample("kaudit_exit_code", float64(s.exit))

	m.family("kaudit_build_info", "The kaudit that wrote these metrics.")
	m.sample("kaudit_build_info", 1, "version", r.Version)

	if m.err != nil {
		return fmt.Errorf("write metrics: %w", m.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write metrics: %w", err)
	}
	return nil
}

// WriteMetricsFile writes the metrics to path atomically: node_exporter
// reads the textfile directory whenever it is scraped, and a half-written
// file would be a scrape error or, worse, a partial set of series. The
// temporary file is in the same directory (rename is atomic only within a
// file system) and does not end in .prom, so the collector never reads it.
func WriteMetricsFile(path string, r *Result, lastSuccess time.Time) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write metrics %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := WriteMetrics(tmp, r, lastSuccess); err != nil {
		return fmt.Errorf("write metrics %s: %w", path, err)
	}
	// CreateTemp makes the file private; node_exporter usually runs as
	// another user.
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write metrics %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write metrics %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write metrics %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write metrics %s: %w", path, err)
	}
	return nil
}

// ruleIDs are the rules that get zero series.
func ruleIDs(r *Result) []string {
	if r.Rules != nil {
		ids := make([]string, len(r.Rules))
		for i, id := range r.Rules {
			ids[i] = strings.ToValidUTF8(id, "\uFFFD")
		}
		slices.Sort(ids)
		return slices.Compact(ids)
	}
	var ids []string
	for _, rule := range rules.All() {
		ids = append(ids, rule.ID)
	}
	return ids
}

func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

type metricsWriter struct {
	w   *bufio.Writer
	err error
}

func (m *metricsWriter) printf(format string, args ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, args...)
	}
}

func (m *metricsWriter) family(name, help string) {
	m.printf("# HELP %s %s\n# TYPE %s gauge\n", name, escapeHelp(help), name)
}

// sample writes one series; labels are name, value pairs.
func (m *metricsWriter) sample(name string, v float64, labels ...string) {
	var b strings.Builder
	b.WriteString(name)
	if len(labels) > 0 {
		b.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(labels[i])
			b.WriteString(`="`)
			b.WriteString(escapeLabelValue(labels[i+1]))
			b.WriteByte('"')
		}
		b.WriteByte('}')
	}
	b.WriteByte(' ')
	b.WriteString(formatMetricValue(v))
	b.WriteByte('\n')
	m.printf("%s", b.String())
}

// escapeLabelValue escapes a label value as the text format requires
// (backslash, double quote, newline) and replaces invalid UTF-8, which
// Prometheus rejects.
func escapeLabelValue(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// escapeHelp escapes HELP text: backslash and newline only.
func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

func formatMetricValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
