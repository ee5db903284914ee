package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

// HTMLWriter renders a Result as one self-contained HTML5 page: inline CSS
// and SVG, no script, no external resource, so that it can be mailed,
// attached to a ticket or opened offline years later.
type HTMLWriter struct{}

const (
	// htmlMaxPhones phones are listed in a finding; the rest fold away.
	htmlMaxPhones = 24
	// htmlMaxLadders caps the ladders drawn; a finding on a VLAN can name
	// hundreds of phones, and the json report has them all.
	htmlMaxLadders = 12
	// htmlOpenPhones is the largest phone table shown unfolded.
	htmlOpenPhones = 50
	// htmlPrintLadders ladders are printed; the others show on screen.
	htmlPrintLadders = 2
)

//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Parse(htmlSource))

// Write renders r to w.
func (HTMLWriter) Write(w io.Writer, r *Result) error {
	var b strings.Builder
	if err := htmlTemplate.Execute(&b, htmlPageOf(r)); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}

// The view model: every string a device can influence is cleaned with
// oneLine here, and html/template escapes it on the way out.

type htmlPage struct {
	Title, Tool, Source, Started, Duration, FailOn string
	Exit                                           int
	ExitText, ExitClass                            string
	Problems                                       []string
	Severities                                     []htmlSevCount
	Findings, Failing                              int
	Dev                                            htmlDevCounts
	Index                                          []htmlFinding
	Groups                                         []htmlGroup
	Keepalives                                     []htmlKeepalive
	ByDevice                                       []htmlByDevice
	Ladders                                        []htmlLadder
	LaddersOmitted                                 int
	Diff                                           *htmlDiff
	Captures                                       []htmlCapture
	Devices                                        []htmlDevice
	Phones                                         []htmlPhone
	PhonesOpen                                     bool
	// Symptoms is the Unregistrations section (audit --events).
	Symptoms *htmlSymptoms
}

type htmlSevCount struct {
	Name, Class string
	N           int
	Fails       bool
}

type htmlDevCounts struct {
	Total, OK, Partial, Failed, Incomplete int
	Bar                                    []htmlSeg
}

type htmlSeg struct {
	X, W  float64
	Class string
	Label string
}

type htmlGroup struct {
	Name, Class string
	Findings    []htmlFinding
}

type htmlFinding struct {
	N                             int
	ID, Fingerprint               string
	Severity, SevClass            string
	Fails                         bool
	Rule, Device, Object, Message string
	PhoneCount                    int
	Phones, PhonesMore            []string
	Evidence                      []htmlEvidence
	Fix                           string
	Notes                         []string
	// Members is how many findings a group holds (0 for one finding
	// shown alone); Keepalive the ID of its shared keepalive derivation.
	Members   int
	Keepalive string
	// Drops says what the syslog shows of its phones (audit --events);
	// Dropping when some of them dropped.
	Drops    string
	Dropping bool
}

// htmlByDevice is a row of the summary by device: the devices with the
// same counts share it.
type htmlByDevice struct {
	Devices, Counts string
	Phones          int
}

// htmlKeepalive is a keepalive derivation shared by groups.
type htmlKeepalive struct {
	ID       string
	Evidence []htmlEvidence
}

type htmlEvidence struct {
	Device, What, Value string
	Where, Text         string
	Default             bool
	// Sub marks an indented input of the line above (a keepalive's
	// timers); HTML would collapse the indent.
	Sub bool
}

type htmlDiff struct {
	From, To             int64
	New, Resolved, Open  []htmlFinding
	NotVerified          []htmlFinding
	Changes              []string
	NewN, ResolvedN, OpN int
}

type htmlCapture struct {
	Title, Caption string
	SVG            template.HTML
	Err            string
}

type htmlDevice struct {
	Name, Platform, Status, StatusClass, Error string
	Missing, Errors                            []string
	Incomplete                                 bool
}

type htmlPhone struct {
	Name, Model, Protocol, IP, Switch, Port, CallManager, SIPProfile, Keepalive string
	// KeepaliveShort is the interval alone; Keepalive, its derivation,
	// shows on hover.
	KeepaliveShort string
}

func htmlPageOf(r *Result) htmlPage {
	s := summarize(r)
	tool := oneLine(toolName(r))
	if r.Version != "" {
		tool += " " + oneLine(r.Version)
	}
	p := htmlPage{
		Tool:     tool,
		Source:   oneLine(orUnknown(r.Source)),
		Started:  formatStarted(r.Started),
		Duration: formatDuration(r.Duration),
		FailOn:   failOnName(r.FailOn),
		Exit:     s.exit,
		ExitText: oneLine(exitReason(r, s)),
		Problems: cleanAll(r.Problems),
		Findings: s.findings,
		Failing:  s.failing,
	}
	p.Title = oneLine(toolName(r)) + " audit report — " + p.Source
	switch s.exit {
	case ExitClean:
		p.ExitClass = "ok"
	case ExitFindings:
		p.ExitClass = "fail"
	default:
		p.ExitClass = "incomplete"
	}
	for _, sev := range severities {
		p.Severities = append(p.Severities, htmlSevCount{Name: sev.String(), Class: sevClass(sev), N: s.bySeverity[sev], Fails: sev >= r.FailOn})
	}

	p.Dev = htmlDevCounts{Total: s.devices, OK: s.ok, Partial: s.partial, Failed: s.failed, Incomplete: s.incomplete}
	if s.devices > 0 {
		const width = 240.0
		x := 0.0
		for _, seg := range []struct {
			n            int
			class, label string
		}{{s.ok, "ok", "ok"}, {s.partial, "partial", "partial"}, {s.failed, "failed", "failed"}} {
			if seg.n == 0 {
				continue
			}
			w := round1(width * float64(seg.n) / float64(s.devices))
			p.Dev.Bar = append(p.Dev.Bar, htmlSeg{X: round1(x), W: w, Class: seg.class, Label: fmt.Sprintf("%d %s", seg.n, seg.label)})
			x += w
		}
	}

	grouped := GroupFindings(r)
	desc := phoneDescriptions(r)
	for i, g := range grouped.Groups {
		hf := htmlFindingOfGroup(i+1, g, r, desc)
		if r.Symptoms != nil {
			d := r.Symptoms.DropsOf(g.Phones)
			hf.Drops, hf.Dropping = oneLine(d.Text()), d.Dropping > 0
		}
		p.Index = append(p.Index, hf)
		if n := len(p.Groups); n == 0 || p.Groups[n-1].Class != hf.SevClass || p.Groups[n-1].Name != hf.Severity {
			p.Groups = append(p.Groups, htmlGroup{Name: hf.Severity, Class: hf.SevClass})
		}
		g := &p.Groups[len(p.Groups)-1]
		g.Findings = append(g.Findings, hf)
	}

	for _, row := range byDeviceRows(r) {
		p.ByDevice = append(p.ByDevice, htmlByDevice{Devices: oneLine(strings.Join(row.devices, ", ")), Counts: row.counts, Phones: row.phones})
	}
	for _, k := range grouped.Keepalives {
		hk := htmlKeepalive{ID: k.ID}
		for _, e := range k.Evidence {
			hk.Evidence = append(hk.Evidence, htmlEvidenceOf(e))
		}
		p.Keepalives = append(p.Keepalives, hk)
	}

	ladders := r.Ladders
	if len(ladders) > htmlMaxLadders {
		p.LaddersOmitted = len(ladders) - htmlMaxLadders
		ladders = ladders[:htmlMaxLadders]
	}
	for i, l := range ladders {
		if hl, ok := htmlLadderOf(i+1, l); ok {
			hl.NoPrint = len(p.Ladders) >= htmlPrintLadders
			p.Ladders = append(p.Ladders, hl)
		}
	}

	if d := r.Diff; d != nil {
		hd := &htmlDiff{From: d.From, To: d.To, NewN: len(d.New), ResolvedN: len(d.Resolved), OpN: len(d.Open), Changes: cleanAll(d.Changes)}
		for _, set := range []struct {
			in  []rules.Finding
			out *[]htmlFinding
		}{{d.New, &hd.New}, {d.Resolved, &hd.Resolved}, {d.Open, &hd.Open}, {d.NotVerified, &hd.NotVerified}} {
			fs := append([]rules.Finding(nil), set.in...)
			SortFindings(fs)
			for i, f := range fs {
				*set.out = append(*set.out, htmlFindingOf(i+1, f, r))
			}
		}
		p.Diff = hd
	}

	for _, c := range r.Captures {
		hc := htmlCapture{Title: oneLine(c.Title), Caption: oneLine(c.Caption)}
		if hc.Title == "" {
			hc.Title = "capture"
		}
		svg, err := sanitizeSVG(c.SVG)
		if err != nil {
			hc.Err = oneLine(err.Error())
		} else {
			// Safe to mark as HTML: sanitizeSVG wrote it from parsed,
			// allow-listed tokens with every value escaped.
			hc.SVG = template.HTML(svg)
		}
		p.Captures = append(p.Captures, hc)
	}

	for _, d := range sortedDevices(r) {
		hd := htmlDevice{
			Name: oneLine(d.Name), Platform: oneLine(d.Platform), Status: oneLine(orUnknown(d.Status)),
			Error: oneLine(d.Error), Missing: cleanAll(d.Missing), Errors: cleanAll(d.Errors), Incomplete: d.Incomplete(),
		}
		switch d.Status {
		case facts.StatusOK:
			hd.StatusClass = "ok"
		case facts.StatusPartial:
			hd.StatusClass = "partial"
		default:
			hd.StatusClass = "failed"
		}
		p.Devices = append(p.Devices, hd)
	}
	for _, ph := range sortedPhones(r) {
		p.Phones = append(p.Phones, htmlPhone{
			Name: oneLine(ph.Name), Model: oneLine(ph.Model), Protocol: oneLine(ph.Protocol), IP: oneLine(ph.IP),
			Switch: oneLine(ph.Switch), Port: oneLine(ph.Port), CallManager: oneLine(ph.CallManager),
			SIPProfile: oneLine(ph.SIPProfile), Keepalive: oneLine(keepaliveText(ph.Keepalive)), KeepaliveShort: keepaliveShort(ph.Keepalive),
		})
	}
	p.PhonesOpen = len(p.Phones) <= htmlOpenPhones
	p.Symptoms = htmlSymptomsOf(r)
	return p
}

func htmlFindingOf(n int, f rules.Finding, r *Result) htmlFinding {
	fp := rules.Fingerprint(f)
	hf := htmlFinding{
		N: n, ID: "f-" + fp, Fingerprint: fp,
		Severity: oneLine(f.Severity.String()), SevClass: sevClass(f.Severity), Fails: r.fails(f),
		Rule: oneLine(f.Rule), Device: oneLine(orUnknown(f.Device)), Object: oneLine(orUnknown(f.Object)),
		Message: oneLine(f.Message), PhoneCount: len(f.Phones), Notes: cleanAll(f.Notes),
	}
	phones := cleanAll(f.Phones)
	if len(phones) > htmlMaxPhones {
		hf.Phones, hf.PhonesMore = phones[:htmlMaxPhones], phones[htmlMaxPhones:]
	} else {
		hf.Phones = phones
	}
	for _, e := range f.Evidence {
		hf.Evidence = append(hf.Evidence, htmlEvidenceOf(e))
	}
	var lines []string
	for _, c := range f.Fix {
		lines = append(lines, cleanLines(c)...)
	}
	hf.Fix = strings.Join(lines, "\n")
	return hf
}

func htmlEvidenceOf(e rules.Evidence) htmlEvidence {
	he := htmlEvidence{Device: oneLine(e.Device), What: oneLine(strings.TrimSpace(e.What)), Value: oneLine(e.Value), Default: e.Default, Sub: indented(e.What)}
	if e.Source != nil {
		where := e.Source.Key + ".txt"
		if e.Source.Host != "" {
			where = e.Source.Host + "/" + where
		}
		he.Where = oneLine(fmt.Sprintf("%s:%d", where, e.Source.Line))
		he.Text = oneLine(strings.TrimSpace(e.Source.Text))
		if e.Source.Via != "" {
			he.Text += " (via " + oneLine(e.Source.Via) + ")"
		}
	}
	return he
}

// htmlFindingOfGroup is a group shown as one finding: its objects as
// ranges, its phones with their CUCM description, its evidence merged
// and the shared keepalive referenced, one fix.
func htmlFindingOfGroup(n int, g Group, r *Result, desc map[string]string) htmlFinding {
	first := g.Members[0]
	full := rules.Fingerprint(first)
	fp := full
	if len(fp) > 16 {
		fp = fp[:16] // shown: enough to tell groups apart; json has the whole ones
	}
	seen, _ := splitUnseen(g.Phones)
	hf := htmlFinding{
		N: n, ID: "f-" + full, Fingerprint: fp,
		Severity: oneLine(g.Severity.String()), SevClass: sevClass(g.Severity), Fails: r.fails(first),
		Rule: oneLine(g.Rule), Device: oneLine(orUnknown(g.Device)), Object: oneLine(orUnknown(strings.Join(g.Ranges, ", "))),
		Message: oneLine(g.ShortMessage()), PhoneCount: len(seen), Notes: cleanAll(g.Notes), Members: len(g.Members),
	}
	phones := withDescriptions(cleanAll(seen), desc)
	if len(phones) > htmlMaxPhones {
		hf.Phones, hf.PhonesMore = phones[:htmlMaxPhones], phones[htmlMaxPhones:]
	} else {
		hf.Phones = phones
	}
	for _, e := range g.Evidence {
		he := htmlEvidence{Device: oneLine(e.Device), What: oneLine(strings.TrimSpace(e.What)), Value: oneLine(e.Value), Default: e.Default}
		if loc := e.linesText(e.Device); loc != "" {
			he.Where, he.Text = oneLine(loc), oneLine(e.Text)
			if e.Via != "" {
				he.Text += " (via " + oneLine(e.Via) + ")"
			}
		}
		hf.Evidence = append(hf.Evidence, he)
	}
	if g.Keepalive != "" {
		hf.Keepalive = g.Keepalive
	}
	var lines []string
	for _, c := range g.Fix {
		lines = append(lines, cleanLines(c)...)
	}
	hf.Fix = strings.Join(lines, "\n")
	return hf
}

func keepaliveShort(k facts.Keepalive) string {
	if k.PrimarySeconds <= 0 {
		return "unknown"
	}
	s := fmt.Sprintf("%d s", k.ShortestSeconds())
	if k.Defaulted {
		s += " (default)"
	}
	return s
}

func sevClass(s rules.Severity) string {
	switch s {
	case rules.Critical:
		return "critical"
	case rules.Warning:
		return "warning"
	case rules.Info:
		return "info"
	}
	return "unknown"
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
