package rules

import (
	"fmt"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// Severity orders findings; higher is worse.
type Severity int

// Severities, in increasing order.
const (
	Info Severity = iota + 1
	Warning
	Critical
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Critical:
		return "critical"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText renders the severity as its name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity parses info, warning or critical.
func ParseSeverity(name string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "info":
		return Info, nil
	case "warning", "warn":
		return Warning, nil
	case "critical", "crit":
		return Critical, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want info, warning or critical)", name)
}

// Evidence is one fact behind a finding: what it is, its value, and the
// device output line it was read from (absent when a default was assumed).
type Evidence struct {
	Device string        `json:"device"`
	What   string        `json:"what"`
	Value  string        `json:"value"`
	Source *facts.Source `json:"source,omitempty"`
	// Default is set when Value is an assumed default, not a read fact.
	Default bool `json:"default,omitempty"`
}

// Finding is one problem: a rule, the device and object at fault, the phones
// it affects, why, the evidence from every device involved, and the fix.
type Finding struct {
	Rule     string     `json:"rule"`
	Severity Severity   `json:"severity"`
	Device   string     `json:"device"`
	Object   string     `json:"object"`
	Phones   []string   `json:"phones"`
	Message  string     `json:"message"`
	Evidence []Evidence `json:"evidence"`
	// Fix is the configuration to apply on Device, one command a line, in
	// the order typed (mode changes included).
	Fix []string `json:"fix"`
	// Notes say which facts were unknown and which defaults stood in.
	Notes []string `json:"notes,omitempty"`
	// Waived is set when a policy waiver accepts the finding: it is
	// reported apart and does not fail the run.
	Waived *Waived `json:"waived,omitempty"`
	// Status and FirstSeen are set by the run history, not by the rules:
	// StatusNew, StatusOpen or StatusNotVerified against the previous run
	// of the same scope, and when the run that first reported the finding
	// started (RFC 3339, UTC). Both are empty when the run was not
	// compared with a history (--no-store).
	Status    string `json:"status,omitempty"`
	FirstSeen string `json:"first_seen,omitempty"`
}

// Finding statuses against the previous run of the same scope.
const (
	// StatusNew: not reported by the previous run (or no previous run).
	StatusNew = "new"
	// StatusOpen: reported by the previous run too.
	StatusOpen = "open"
	// StatusNotVerified: reported before, but this run could not check
	// it (its device failed or was partial, or a fact it rests on became
	// unknown); carried, never "resolved".
	StatusNotVerified = "not verified"
)

// Waived says which waiver accepted a finding.
type Waived struct {
	Reason  string `json:"reason"`
	Owner   string `json:"owner,omitempty"`
	Expires string `json:"expires,omitempty"` // YYYY-MM-DD, "" = never
	Where   string `json:"where"`             // policy.yaml:LINE
}
