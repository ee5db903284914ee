package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/kaudit/kaudit/rules"
)

// JUnitWriter renders a Result as JUnit XML for CI test-report views
// (Jenkins junit, GitLab artifacts:reports:junit, Azure, GitHub actions).
//
// Layout: one testsuite "kaudit". Each device is a class
// ("kaudit.<device>", dots in the name replaced by "_" because Jenkins
// splits class names on dots into packages) holding:
//   - a "collect" testcase, with an <error> when the device is incomplete
//     (failed, or read with errors);
//   - one testcase per finding, named "<rule> <object>", with a <failure>
//     when the finding is at or above FailOn, <skipped> when a waiver
//     accepts it (CI shows an accepted problem as neither passing nor
//     failing) and <system-out> otherwise;
//   - one <skipped> testcase per finding of an earlier run this run could
//     not check (Diff.NotVerified): neither fixed nor confirmed.
//
// One testcase per finding, rather than several <failure> elements in one
// testcase per device, because Jenkins, Azure DevOps and most JUnit viewers
// show only the first <failure> of a testcase, and they disagree on whether
// "failures" counts elements or testcases. This way every finding is visible
// and failures == number of failing findings for every reader.
type JUnitWriter struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitOutcome `xml:"failure,omitempty"`
	Error     *junitOutcome `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// junitText is element text kept as CDATA so that multi-line bodies stay
// readable in the raw file; encoding/xml splits any "]]>" inside, and
// oneLine has already removed what XML cannot carry.
type junitText struct {
	Text string `xml:",cdata"`
}

type junitOutcome struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

// Write renders r to w.
func (JUnitWriter) Write(w io.Writer, r *Result) error {
	suite := junitSuite{
		Name: "kaudit",
		Time: fmt.Sprintf("%.3f", r.Duration.Seconds()),
		Properties: []junitProperty{
			{Name: "tool", Value: oneLine(toolName(r))},
			{Name: "version", Value: oneLine(r.Version)},
			{Name: "source", Value: oneLine(r.Source)},
			{Name: "fail_on", Value: failOnName(r.FailOn)},
			{Name: "exit_code", Value: fmt.Sprint(r.ExitCode())},
		},
	}
	if !r.Started.IsZero() {
		// The JUnit schema's timestamp has no zone; UTC keeps it unambiguous.
		suite.Timestamp = r.Started.UTC().Format("2006-01-02T15:04:05")
	}

	if len(r.Problems) > 0 {
		// The run's own problems come first, as one errored testcase:
		// they concern no device.
		body := cleanAll(r.Problems)
		suite.Cases = append(suite.Cases, junitCase{Classname: className(""), Name: "run", Time: "0",
			Error: &junitOutcome{Message: body[0], Type: "incomplete", Body: strings.Join(body, "\n")}})
		suite.Errors++
	}

	byDevice := map[string][]int{}
	fs := sortedFindings(r)
	if r.Diff != nil {
		nv := slices.Clone(r.Diff.NotVerified)
		SortFindings(nv)
		fs = append(fs, nv...)
	}
	for i, f := range fs {
		byDevice[f.Device] = append(byDevice[f.Device], i)
	}
	addFindings := func(device string) {
		for _, i := range byDevice[device] {
			f := fs[i]
			tc := junitCase{Classname: className(device), Name: caseName(f.Rule, f.Object), Time: "0"}
			body := strings.Join(findingBody(f), "\n")
			if skip := skipReason(f); skip != "" {
				tc.Skipped = &junitSkipped{Message: oneLine(skip)}
				tc.SystemOut = &junitText{f.Severity.String() + ": " + oneLine(f.Rule+": "+f.Message) + "\n" + body}
				suite.Skipped++
			} else if r.fails(f) {
				tc.Failure = &junitOutcome{
					Message: oneLine(f.Rule + ": " + f.Message),
					Type:    f.Severity.String(),
					Body:    body,
				}
				suite.Failures++
			} else {
				tc.SystemOut = &junitText{f.Severity.String() + ": " + oneLine(f.Rule+": "+f.Message) + "\n" + body}
			}
			suite.Cases = append(suite.Cases, tc)
		}
		delete(byDevice, device)
	}

	for _, d := range sortedDevices(r) {
		tc := junitCase{Classname: className(d.Name), Name: "collect", Time: "0"}
		var body []string
		if d.Error != "" {
			body = append(body, cleanLines(d.Error)...)
		}
		if len(d.Missing) > 0 {
			body = append(body, "missing (defaults used): "+strings.Join(cleanAll(d.Missing), ", "))
		}
		for _, e := range d.Errors {
			body = append(body, oneLine(e))
		}
		if d.Incomplete() {
			msg := orUnknown(d.Status)
			if d.Error != "" {
				msg += ": " + d.Error
			} else if len(d.Errors) > 0 {
				msg += fmt.Sprintf(": %d parse error(s)", len(d.Errors))
			}
			tc.Error = &junitOutcome{Message: oneLine(msg), Type: oneLine(orUnknown(d.Status)), Body: strings.Join(body, "\n")}
			suite.Errors++
		} else if len(body) > 0 {
			tc.SystemOut = &junitText{strings.Join(body, "\n")}
		}
		suite.Cases = append(suite.Cases, tc)
		addFindings(d.Name)
	}
	// Findings on devices the result does not list (a rule may blame a
	// device known only from another's facts) must not vanish.
	var rest []string
	for dev := range byDevice {
		rest = append(rest, dev)
	}
	sort.Strings(rest)
	for _, dev := range rest {
		addFindings(dev)
	}
	suite.Tests = len(suite.Cases)

	doc := junitSuites{
		Name:     "kaudit",
		Tests:    suite.Tests,
		Failures: suite.Failures,
		Errors:   suite.Errors,
		Skipped:  suite.Skipped,
		Time:     suite.Time,
		Suites:   []junitSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit report: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit report: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write junit report: %w", err)
	}
	return nil
}

// skipReason is why a finding is a skipped testcase: a waiver accepts it,
// or this run could not check it; "" for neither.
func skipReason(f rules.Finding) string {
	if w := f.Waived; w != nil {
		return fmt.Sprintf("waived: %s (owner %s, until %s, %s)", w.Reason, orUnknown(w.Owner), orNever(w.Expires), w.Where)
	}
	if f.Status == rules.StatusNotVerified {
		return "not verified this run: carried from an earlier run (" + f.Severity.String() + ")"
	}
	return ""
}

func className(device string) string {
	if device == "" {
		return "kaudit"
	}
	return "kaudit." + strings.ReplaceAll(oneLine(device), ".", "_")
}

func caseName(rule, object string) string {
	if object == "" {
		return oneLine(rule)
	}
	return oneLine(rule + " " + object)
}

// findingBody is the plain-text detail of a finding for the junit bodies:
// where, phones (all of them: CI logs are not a terminal), evidence, fix
// and notes.
func findingBody(f rules.Finding) []string {
	var out []string
	if where := strings.TrimSpace(oneLine(f.Device) + " " + oneLine(f.Object)); where != "" {
		out = append(out, where)
	}
	if len(f.Phones) > 0 {
		out = append(out, fmt.Sprintf("phones (%d): %s", len(f.Phones), strings.Join(cleanAll(f.Phones), ", ")))
	}
	if len(f.Evidence) > 0 {
		out = append(out, "evidence:")
	}
	for _, e := range f.Evidence {
		out = append(out, "  "+oneLine(evidenceText(e)))
	}
	if len(f.Fix) > 0 {
		out = append(out, "fix on "+oneLine(orUnknown(f.Device))+":")
	}
	for _, c := range f.Fix {
		for _, l := range cleanLines(c) {
			out = append(out, "  "+l)
		}
	}
	for _, n := range f.Notes {
		out = append(out, "note: "+oneLine(n))
	}
	return out
}
