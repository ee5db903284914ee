package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

// JSONWriter renders a Result as one indented JSON document. Every list is
// an array, never null, and every key is always present, so consumers
// (jq, dashboards, the history store) need no special cases. The
// exceptions are "problems" (Result.Problems), present only when the run
// had one, so that the report of every other run stays as it was, and a
// finding's "waived", present only when a waiver accepts it.
type JSONWriter struct{}

type jsonReport struct {
	Tool       string        `json:"tool"`
	Version    string        `json:"version"`
	Started    string        `json:"started"`
	DurationMS int64         `json:"duration_ms"`
	Source     string        `json:"source"`
	FailOn     string        `json:"fail_on"`
	ExitCode   int           `json:"exit_code"`
	Problems   []string      `json:"problems,omitempty"`
	Summary    jsonSummary   `json:"summary"`
	Devices    []jsonDevice  `json:"devices"`
	Findings   []jsonFinding `json:"findings"`
	// Groups are the findings as the other formats show them: one per
	// rule, device and cause; each lists its findings by their index in
	// Findings, so that every affected object keeps its own record.
	Groups []jsonGroup   `json:"groups"`
	Phones []facts.Phone `json:"phones"`
	// Events is present only when syslog was read (audit --events).
	Events *jsonEvents `json:"events,omitempty"`
}

type jsonSummary struct {
	Devices    int            `json:"devices"`
	OK         int            `json:"ok"`
	Partial    int            `json:"partial"`
	Failed     int            `json:"failed"`
	Incomplete int            `json:"incomplete"`
	Findings   map[string]int `json:"findings"`
	Total      int            `json:"total_findings"`
	Failing    int            `json:"failing_findings"`
	// NotVerified counts the findings of earlier runs this run carried
	// without checking them; they follow the others in "findings" and
	// are not in the counts above.
	NotVerified int `json:"not_verified_findings"`
}

type jsonDevice struct {
	Name     string   `json:"name"`
	Platform string   `json:"platform"`
	Status   string   `json:"status"`
	Error    string   `json:"error"`
	Missing  []string `json:"missing"`
	Errors   []string `json:"errors"`
	Warnings []string `json:"warnings"`
}

// jsonFinding is a finding for machines: its fingerprint (what
// confirm --finding and the history know it by); its status against the
// previous run of the same scope ("new", "open", "not verified") and when
// it was first seen (RFC 3339), both "" when the run was not compared with
// a history (--no-store); and, when a waiver accepts it, "waived": the
// waiver's reason, owner, expires and where (absent otherwise, so that
// jq's select(.waived | not) keeps what is live). The keys are those of
// rules.Finding, so a report's findings decode into it.
type jsonFinding struct {
	Fingerprint string           `json:"fingerprint"`
	Rule        string           `json:"rule"`
	Severity    rules.Severity   `json:"severity"`
	Device      string           `json:"device"`
	Object      string           `json:"object"`
	Status      string           `json:"status"`
	FirstSeen   string           `json:"first_seen"`
	Waived      *rules.Waived    `json:"waived,omitempty"`
	Phones      []string         `json:"phones"`
	Message     string           `json:"message"`
	Evidence    []rules.Evidence `json:"evidence"`
	Fix         []string         `json:"fix"`
	Notes       []string         `json:"notes"`
}

func jsonFindingOf(f rules.Finding) jsonFinding {
	ev := f.Evidence
	if ev == nil {
		ev = []rules.Evidence{}
	}
	return jsonFinding{
		Fingerprint: rules.Fingerprint(f),
		Rule:        f.Rule,
		Severity:    f.Severity,
		Device:      f.Device,
		Object:      f.Object,
		Status:      f.Status,
		FirstSeen:   f.FirstSeen,
		Waived:      f.Waived,
		Phones:      nonNil(f.Phones),
		Message:     f.Message,
		Evidence:    ev,
		Fix:         nonNil(f.Fix),
		Notes:       nonNil(f.Notes),
	}
}

// jsonFindings renders fs; never null.
func jsonFindings(fs []rules.Finding) []jsonFinding {
	out := make([]jsonFinding, 0, len(fs))
	for _, f := range fs {
		out = append(out, jsonFindingOf(f))
	}
	return out
}

// Write renders r to w.
func (JSONWriter) Write(w io.Writer, r *Result) error {
	s := summarize(r)
	out := jsonReport{
		Tool:       toolName(r),
		Version:    r.Version,
		DurationMS: r.Duration.Milliseconds(),
		Source:     r.Source,
		FailOn:     failOnName(r.FailOn),
		ExitCode:   s.exit,
		Problems:   r.Problems,
		Summary: jsonSummary{
			Devices:    s.devices,
			OK:         s.ok,
			Partial:    s.partial,
			Failed:     s.failed,
			Incomplete: s.incomplete,
			Findings:   map[string]int{},
			Total:      s.findings,
			Failing:    s.failing,
		},
		Devices:  []jsonDevice{},
		Findings: []jsonFinding{},
		Phones:   sortedPhones(r),
	}
	if !r.Started.IsZero() {
		out.Started = r.Started.Format(time.RFC3339)
	}
	out.Events = jsonEventsOf(r)
	// Every known severity is present, zero or not, so that
	// .summary.findings.critical is always a number.
	for _, sev := range severities {
		out.Summary.Findings[sev.String()] = s.bySeverity[sev]
	}
	for sev, n := range s.bySeverity {
		out.Summary.Findings[sev.String()] = n
	}
	if out.Phones == nil {
		out.Phones = []facts.Phone{}
	}
	for _, d := range sortedDevices(r) {
		out.Devices = append(out.Devices, jsonDevice{
			Name:     d.Name,
			Platform: d.Platform,
			Status:   d.Status,
			Error:    d.Error,
			Missing:  nonNil(d.Missing),
			Errors:   nonNil(d.Errors),
			Warnings: nonNil(d.Warnings),
		})
	}
	out.Findings = jsonFindings(sortedFindings(r))
	out.Groups = jsonGroups(r)
	if r.Diff != nil {
		// What the run could not check stays visible, marked so that
		// nothing takes it for a finding of this run or a fix.
		nv := slices.Clone(r.Diff.NotVerified)
		SortFindings(nv)
		out.Findings = append(out.Findings, jsonFindings(nv)...)
		out.Summary.NotVerified = len(nv)
	}

	return encodeJSON(w, out, "report")
}

// jsonGroup is a Group for scripts.
type jsonGroup struct {
	ID        string   `json:"id"`
	Rule      string   `json:"rule"`
	Severity  string   `json:"severity"`
	Device    string   `json:"device"`
	Objects   []string `json:"objects"`
	Ranges    []string `json:"ranges"`
	Phones    []string `json:"phones"`
	Message   string   `json:"message"`
	Fix       []string `json:"fix"`
	Keepalive string   `json:"keepalive,omitempty"`
	Notes     []string `json:"notes"`
	// Findings are indexes into the report's findings.
	Findings []int `json:"findings"`
}

func jsonGroups(r *Result) []jsonGroup {
	out := []jsonGroup{}
	for _, g := range GroupFindings(r).Groups {
		out = append(out, jsonGroup{
			ID: g.ID, Rule: g.Rule, Severity: g.Severity.String(), Device: g.Device,
			Objects: nonNil(g.Objects), Ranges: nonNil(g.Ranges), Phones: nonNil(g.Phones),
			Message: g.Message, Fix: nonNil(g.Fix), Keepalive: g.Keepalive, Notes: nonNil(g.Notes),
			Findings: g.Indexes,
		})
	}
	return out
}

// encodeJSON writes v indented. The document is read by tools, not
// embedded in HTML; "<" and "&" appear in messages and configs and should
// stay legible.
func encodeJSON(w io.Writer, v any, what string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json %s: %w", what, err)
	}
	return nil
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}
