package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

func TestJSONShape(t *testing.T) {
	var doc map[string]any
	out := render(t, JSONWriter{}, auditResult())
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	wantType := func(t *testing.T, obj map[string]any, key, kind string) any {
		t.Helper()
		v, ok := obj[key]
		if !ok {
			t.Errorf("key %q missing", key)
			return nil
		}
		var got string
		switch v.(type) {
		case string:
			got = "string"
		case float64:
			got = "number"
		case bool:
			got = "bool"
		case []any:
			got = "array"
		case map[string]any:
			got = "object"
		case nil:
			got = "null"
		}
		if got != kind {
			t.Errorf("%q is %s (%v), want %s", key, got, v, kind)
		}
		return v
	}
	for key, kind := range map[string]string{
		"tool": "string", "version": "string", "started": "string", "duration_ms": "number",
		"source": "string", "summary": "object", "devices": "array", "findings": "array",
		"phones": "array", "fail_on": "string", "exit_code": "number",
	} {
		wantType(t, doc, key, kind)
	}
	if _, err := time.Parse(time.RFC3339, doc["started"].(string)); err != nil {
		t.Errorf("started: %v", err)
	}
	if doc["duration_ms"] != float64(41318) || doc["exit_code"] != float64(1) || doc["fail_on"] != "warning" {
		t.Errorf("duration_ms, exit_code, fail_on = %v, %v, %v", doc["duration_ms"], doc["exit_code"], doc["fail_on"])
	}

	sum := doc["summary"].(map[string]any)
	for key, want := range map[string]float64{"devices": 3, "ok": 1, "partial": 1, "failed": 1, "incomplete": 1, "total_findings": 3, "failing_findings": 2} {
		if v := wantType(t, sum, key, "number"); v != want {
			t.Errorf("summary.%s = %v, want %v", key, v, want)
		}
	}
	bySev := wantType(t, sum, "findings", "object").(map[string]any)
	for _, sev := range []string{"critical", "warning", "info"} {
		if bySev[sev] != float64(1) {
			t.Errorf("summary.findings.%s = %v, want 1", sev, bySev[sev])
		}
	}

	devs := doc["devices"].([]any)
	var names []string
	for _, d := range devs {
		obj := d.(map[string]any)
		for key, kind := range map[string]string{"name": "string", "platform": "string", "status": "string", "error": "string", "missing": "array", "errors": "array"} {
			wantType(t, obj, key, kind)
		}
		names = append(names, obj["name"].(string))
	}
	if strings.Join(names, ",") != "asa-dmz-01,cucm-pub,sw-acc-01" {
		t.Errorf("devices order = %v, want sorted by name", names)
	}

	var sevs []string
	for _, f := range doc["findings"].([]any) {
		obj := f.(map[string]any)
		for key, kind := range map[string]string{
			"rule": "string", "severity": "string", "device": "string", "object": "string", "phones": "array",
			"message": "string", "evidence": "array", "fix": "array", "notes": "array",
		} {
			wantType(t, obj, key, kind)
		}
		for _, e := range obj["evidence"].([]any) {
			ev := e.(map[string]any)
			for _, key := range []string{"device", "what", "value"} {
				wantType(t, ev, key, "string")
			}
			if src, ok := ev["source"]; ok {
				s := src.(map[string]any)
				wantType(t, s, "key", "string")
				wantType(t, s, "line", "number")
			} else if ev["default"] != true {
				t.Errorf("evidence %v has neither a source nor default:true", ev)
			}
		}
		sevs = append(sevs, obj["severity"].(string))
	}
	if strings.Join(sevs, ",") != "critical,warning,info" {
		t.Errorf("findings order = %v, want worst first", sevs)
	}
	if n := len(doc["phones"].([]any)); n != 3 {
		t.Errorf("phones: %d, want 3", n)
	}
}

// A Result with nothing in it must still give arrays, not nulls, and every
// severity count.
func TestJSONEmpty(t *testing.T) {
	out := render(t, JSONWriter{}, &Result{})
	for _, want := range []string{`"devices": []`, `"findings": []`, `"phones": []`, `"critical": 0`, `"warning": 0`, `"info": 0`, `"started": ""`, `"tool": "kaudit"`} {
		if !strings.Contains(out, want) {
			t.Errorf("empty result JSON lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "null") {
		t.Errorf("empty result JSON contains null:\n%s", out)
	}
	// Nil lists inside a finding or device are arrays too.
	out = render(t, JSONWriter{}, &Result{
		Devices:  []DeviceResult{{Name: "sw1", Status: facts.StatusOK}},
		Findings: []rules.Finding{{Rule: "r", Severity: rules.Info}},
	})
	if strings.Contains(out, "null") {
		t.Errorf("JSON with nil inner lists contains null:\n%s", out)
	}
}

// Test-side JUnit model, kept apart from the writer's so that a change in
// one does not silently pass the other.
type xSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []xSuite `xml:"testsuite"`
}

type xSuite struct {
	Name     string  `xml:"name,attr"`
	Tests    int     `xml:"tests,attr"`
	Failures int     `xml:"failures,attr"`
	Errors   int     `xml:"errors,attr"`
	Cases    []xCase `xml:"testcase"`
}

type xCase struct {
	Classname string     `xml:"classname,attr"`
	Name      string     `xml:"name,attr"`
	Failures  []xOutcome `xml:"failure"`
	Errors    []xOutcome `xml:"error"`
	SystemOut string     `xml:"system-out"`
}

type xOutcome struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

func parseJUnit(t testing.TB, out string) xSuites {
	t.Helper()
	// Token by token first: Unmarshal skips what it has no field for, the
	// decoder in strict mode checks the whole document.
	dec := xml.NewDecoder(strings.NewReader(out))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("invalid XML: %v\n%s", err, out)
		}
	}
	var doc xSuites
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("unmarshal junit: %v", err)
	}
	return doc
}

func TestJUnitStructure(t *testing.T) {
	cases := []struct {
		name                        string
		result                      func() *Result
		tests, failures, errs, outs int
		failTypes                   []string
	}{
		{"audit, fail on warning", auditResult, 6, 2, 1, 1, []string{"critical", "warning"}},
		{"audit, fail on critical", func() *Result { r := auditResult(); r.FailOn = rules.Critical; return r }, 6, 1, 1, 2, []string{"critical"}},
		{"audit, fail on info", func() *Result { r := auditResult(); r.FailOn = rules.Info; return r }, 6, 3, 1, 0, []string{"info", "critical", "warning"}}, // document order: by device
		{"clean", cleanResult, 2, 0, 0, 0, nil},
		{"finding on an unlisted device", func() *Result {
			r := cleanResult()
			r.Findings = []rules.Finding{{
				Rule: "asa-proxy-arp-answers-for-call-manager", Severity: rules.Critical, Device: "asa-core.example.net", Object: "inside",
				Evidence: []rules.Evidence{{Device: "asa-core.example.net", What: "proxy ARP on inside", Value: "enabled", Default: true}},
			}}
			return r
		}, 3, 1, 0, 0, []string{"critical"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.result()
			doc := parseJUnit(t, render(t, JUnitWriter{}, r))
			if len(doc.Suites) != 1 || doc.Suites[0].Name != "kaudit" {
				t.Fatalf("want one testsuite kaudit, got %+v", doc.Suites)
			}
			s := doc.Suites[0]
			var failures, errs, outs int
			var types []string
			for _, tc := range s.Cases {
				if len(tc.Failures) > 1 || len(tc.Errors) > 1 {
					t.Errorf("testcase %s %s has %d failures, %d errors: viewers show only the first", tc.Classname, tc.Name, len(tc.Failures), len(tc.Errors))
				}
				for _, f := range tc.Failures {
					failures++
					types = append(types, f.Type)
					rule, _, ok := strings.Cut(f.Message, ": ")
					if !ok || !strings.HasPrefix(tc.Name, rule) {
						t.Errorf("failure message %q should start with the testcase's rule %q", f.Message, tc.Name)
					}
					if !strings.Contains(f.Body, "evidence:") {
						t.Errorf("failure body lacks evidence:\n%s", f.Body)
					}
				}
				errs += len(tc.Errors)
				if tc.SystemOut != "" && len(tc.Failures) > 0 {
					t.Errorf("testcase %s has both a failure and system-out", tc.Name)
				}
				// Findings below the threshold pass and carry their detail
				// as system-out.
				if tc.Name != "collect" && len(tc.Failures) == 0 {
					if !strings.Contains(tc.SystemOut, "evidence:") {
						t.Errorf("passing finding %s has no detail in system-out: %q", tc.Name, tc.SystemOut)
					}
					outs++
				}
			}
			if s.Tests != c.tests || len(s.Cases) != c.tests || doc.Tests != c.tests {
				t.Errorf("tests: suite %d, cases %d, root %d; want %d", s.Tests, len(s.Cases), doc.Tests, c.tests)
			}
			if s.Failures != c.failures || failures != c.failures || doc.Failures != c.failures {
				t.Errorf("failures: suite %d, elements %d, root %d; want %d", s.Failures, failures, doc.Failures, c.failures)
			}
			if s.Errors != c.errs || errs != c.errs || doc.Errors != c.errs {
				t.Errorf("errors: suite %d, elements %d, root %d; want %d", s.Errors, errs, doc.Errors, c.errs)
			}
			if outs != c.outs {
				t.Errorf("findings reported as system-out: %d, want %d", outs, c.outs)
			}
			if strings.Join(types, ",") != strings.Join(c.failTypes, ",") {
				t.Errorf("failure types %v, want %v", types, c.failTypes)
			}
			for _, tc := range s.Cases {
				if strings.Count(tc.Classname, ".") != 1 && tc.Classname != "kaudit" {
					t.Errorf("classname %q: a device name's dots would split it into Jenkins packages", tc.Classname)
				}
			}
		})
	}
}

func TestJUnitFailedDevice(t *testing.T) {
	doc := parseJUnit(t, render(t, JUnitWriter{}, auditResult()))
	var found bool
	for _, tc := range doc.Suites[0].Cases {
		if tc.Classname == "kaudit.asa-dmz-01" && tc.Name == "collect" {
			found = true
			if len(tc.Errors) != 1 || tc.Errors[0].Type != "failed" || !strings.Contains(tc.Errors[0].Message, "unable to authenticate") {
				t.Errorf("asa-dmz-01 collect: %+v, want one error of type failed naming the cause", tc.Errors)
			}
		}
		if tc.Name == "collect" && tc.Classname != "kaudit.asa-dmz-01" && len(tc.Errors) > 0 {
			t.Errorf("%s: unexpected error %+v", tc.Classname, tc.Errors)
		}
	}
	if !found {
		t.Error("no collect testcase for the failed device")
	}
}

var hostile = []string{
	"\x1b[2J\x1b[31mowned\x1b[0m",
	"]]>",
	"a]]]]><![CDATA[b",
	"\x00\x01\x08\x0b\x0c\x7f",
	"\xff\xfe\xc3 invalid",
	`a|b\|c` + "`d```e",
	"<script>alert(1)</script>&amp;",
	`"'><img src=x onerror=alert(2)><svg onload=alert(3)>`,
	"\u202eevil\u2028line\u0085next\ufeff",
	"line1\r\nline2\n### heading\n```\n- item",
	"\ufffe\uffff",
	"\ud7ff\ue000\U0010ffff",
}

// hostileResult puts s into every string a device can influence.
func hostileResult(s string) *Result {
	src := &facts.Source{Host: s, Key: s, Line: 7, Text: s}
	r := &Result{
		Tool: s, Version: s, Source: s, FailOn: rules.Warning,
		Started:  time.Date(2025, 3, 4, 2, 0, 0, 0, time.UTC),
		Duration: time.Second,
		Devices: []DeviceResult{
			{Name: s, Platform: s, Status: facts.StatusFailed, Error: s, Missing: []string{s}, Errors: []string{s, s}},
			{Name: "sw1" + s, Platform: facts.PlatformIOS, Status: facts.StatusPartial, Missing: []string{s}},
		},
		Findings: []rules.Finding{
			{
				Rule: s, Severity: rules.Critical, Device: s, Object: s, Phones: []string{s, s, s, s, s, s, s},
				Message: s, Fix: []string{s, " " + s}, Notes: []string{s},
				Evidence: []rules.Evidence{
					{Device: s, What: s, Value: s, Source: src},
					{Device: s, What: s, Value: s, Default: true},
					{Device: s, What: s, Value: s, Default: true, Source: src},
				},
			},
			{Rule: "r-" + s, Severity: rules.Info, Device: "sw1" + s, Object: s, Message: s, Fix: []string{s}},
		},
		Phones: []facts.Phone{{Name: s, Model: s, Protocol: s, IP: s, Switch: s, Port: s, CallManager: s, SIPProfile: s,
			Keepalive: facts.Keepalive{PrimarySeconds: 115, Basis: s}}},
		Rules:    []string{s, "r-" + s},
		Problems: []string{s},
	}
	// The optional sections only html draws.
	r.Ladders = []TimerLadder{{Phone: s, Path: s, Timers: []Timer{
		{Name: s, Device: s, Object: s, Seconds: 60, Kind: TimerIdle, Source: s},
		{Name: s, Device: s, Seconds: 115, Kind: TimerKeepalive, Source: s},
		{Name: s, Device: s, Seconds: 120, Kind: s, Source: s},
	}}}
	r.Diff = &DiffSummary{From: 1, To: 2, New: r.Findings[:1], Resolved: r.Findings[1:], Open: r.Findings, Changes: []string{s}}
	r.Captures = []CaptureTimeline{
		{Title: s, Caption: s, SVG: s},
		{Title: s, Caption: s, SVG: `<svg xmlns="http://www.w3.org/2000/svg"><text x="1" y="1">` + html.EscapeString(s) + `</text><title>` + html.EscapeString(s) + `</title></svg>`},
	}
	return r
}

// ansiOurs matches the colour sequences TableWriter itself emits.
var ansiOurs = regexp.MustCompile(`\x1b\[(0|1|2|1;31|33|36)m`)

// checkHostile asserts the invariants every format must keep whatever the
// devices said; s is the hostile string that went in.
func checkHostile(t testing.TB, format, out, s string) {
	t.Helper()
	text := out
	if format == "table-color" {
		text = ansiOurs.ReplaceAllString(out, "")
	}
	if !utf8.ValidString(text) {
		t.Fatalf("%s: output is not valid UTF-8", format)
	}
	if format != "json" {
		for i, r := range text {
			if r == '\n' {
				continue
			}
			if unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp, unicode.Bidi_Control) || r == '\ufffe' || r == '\uffff' {
				t.Fatalf("%s: raw %U at byte %d in output for input %q:\n%s", format, r, i, s, out)
			}
		}
	}
	switch format {
	case "json":
		var doc struct {
			Findings []struct {
				Message string `json:"message"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("json: %v", err)
		}
		// JSON keeps the device's text, only invalid UTF-8 is replaced.
		if len(doc.Findings) != 2 || doc.Findings[0].Message != toValidUTF8(s) {
			t.Fatalf("json: message did not round-trip: got %+v, want %q", doc.Findings, toValidUTF8(s))
		}
	case "junit":
		doc := parseJUnit(t, out)
		// Errors: the failed device and the run's problem.
		if len(doc.Suites) != 1 || doc.Failures != 1 || doc.Errors != 2 || len(doc.Suites[0].Cases) != 5 {
			t.Fatalf("junit: counts tests %d failures %d errors %d, want 5/1/2:\n%s", doc.Tests, doc.Failures, doc.Errors, out)
		}
		if strings.Contains(s, "]]>") && !strings.Contains(out, "]]]]><![CDATA[>") {
			t.Fatalf("junit: ]]> in text not split across CDATA sections:\n%s", out)
		}
		var msgs []string
		for _, tc := range doc.Suites[0].Cases {
			for _, f := range tc.Failures {
				msgs = append(msgs, f.Message, f.Body)
			}
		}
		if clean := oneLine(s); !strings.Contains(strings.Join(msgs, "\n"), clean) {
			t.Fatalf("junit: failure does not carry the cleaned text %q", clean)
		}
	case "markdown":
		checkMarkdown(t, out)
	case "html":
		checkHTML(t, out, s)
	}
}

func toValidUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += w
	}
	return b.String()
}

// checkMarkdown checks the structure hostile text could break: every row of
// a table has as many cell separators as its header, fenced blocks close
// only on their own fence, and the only headings are the writer's.
func checkMarkdown(t testing.TB, out string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	heading := regexp.MustCompile(`^(# .* audit report|## (Findings|Devices|Phones)|### \d+\. \w+: .*)$`)
	var header int
	var fence string
	for i, l := range lines {
		if fence != "" {
			if strings.HasPrefix(strings.TrimLeft(l, " "), "`") && longestRun(l, '`') >= len(fence) && l != fence {
				t.Fatalf("markdown line %d: %q could close the fence %q", i+1, l, fence)
			}
			if l == fence {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(l, "```") {
			fence = l
			continue
		}
		if strings.HasPrefix(l, "#") && !heading.MatchString(l) {
			t.Fatalf("markdown line %d is a stray heading: %q", i+1, l)
		}
		if !strings.HasPrefix(l, "|") {
			header = 0
			continue
		}
		n := unescapedPipes(l)
		if header == 0 {
			header = n
		} else if n != header {
			t.Fatalf("markdown line %d has %d cell separators, its header %d: %q", i+1, n, header, l)
		}
	}
	if fence != "" {
		t.Fatalf("markdown: fence %q never closed", fence)
	}
}

// unescapedPipes counts cell separators the way cmark-gfm splits rows: a
// backslash and the ASCII punctuation after it are one escaped pair (so
// "\\|" is an escaped backslash and then a separator).
func unescapedPipes(l string) int {
	const asciiPunct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	n := 0
	for i := 0; i < len(l); i++ {
		switch {
		case l[i] == '\\' && i+1 < len(l) && strings.IndexByte(asciiPunct, l[i+1]) >= 0:
			i++
		case l[i] == '|':
			n++
		}
	}
	return n
}

func hostileWriters() map[string]Writer {
	return map[string]Writer{
		"table":       &TableWriter{},
		"table-color": &TableWriter{Color: true},
		"json":        JSONWriter{},
		"junit":       JUnitWriter{},
		"markdown":    MarkdownWriter{},
		"html":        HTMLWriter{},
	}
}

func TestHostileStrings(t *testing.T) {
	all := strings.Join(hostile, "")
	for i, s := range append(hostile, all) {
		for name, w := range hostileWriters() {
			t.Run(name+"/"+string(rune('a'+i)), func(t *testing.T) {
				var buf bytes.Buffer
				if err := w.Write(&buf, hostileResult(s)); err != nil {
					t.Fatalf("Write: %v", err)
				}
				checkHostile(t, name, buf.String(), s)
			})
		}
	}
}

func FuzzWriters(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("GigabitEthernet1/0/5")
	f.Fuzz(func(t *testing.T, s string) {
		for name, w := range hostileWriters() {
			var buf bytes.Buffer
			if err := w.Write(&buf, hostileResult(s)); err != nil {
				t.Fatalf("%s: Write: %v", name, err)
			}
			checkHostile(t, name, buf.String(), s)
		}
	})
}

func TestOneLine(t *testing.T) {
	cases := []struct{ in, want string }{
		{"switchport port-security aging time 1", "switchport port-security aging time 1"},
		{"≤ 115 s − delta", "≤ 115 s − delta"},
		{"a\tb", "a b"},
		{"a\r\nb", `a\r\nb`},
		{"\x1b[31mred", `\x1b[31mred`},
		{"\x00\x7f", `\x00\x7f`},
		{"\xffok", "\ufffdok"},
		{"\u202eabc\u2028", `\u202eabc\u2028`},
		{"\u0085", `\u0085`},
		{"\ufffe", `\ufffe`},
	}
	for _, c := range cases {
		if got := oneLine(c.in); got != c.want {
			t.Errorf("oneLine(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	cases := []struct {
		fn       func(string) string
		in, want string
	}{
		{mdText, "Device > Settings", `Device \> Settings`},
		{mdText, "a|b", `a\|b`},
		{mdText, `a\|b`, `a\\\|b`},
		{mdText, "show_run *x* [l](u) <b> &amp; #1 ~s~ !", `show\_run \*x\* \[l\](u) \<b\> \&amp; \#1 \~s\~ \!`},
		{mdCode, "switchport port-security", "`switchport port-security`"},
		{mdCode, "a|b", "`a\\|b`"},
		{mdCode, "a`b", "``a`b``"},
		{mdCode, "`x", "`` `x ``"},
		{mdCode, " x ", "`  x  `"},
		{mdCode, "", ""},
		{mdCode, `a\|b`, `a\\\|b`},
	}
	for _, c := range cases {
		if got := c.fn(c.in); got != c.want {
			t.Errorf("escape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTablePhonesAndColor(t *testing.T) {
	cases := []struct {
		name string
		w    *TableWriter
		want []string
		not  []string
	}{
		{"default caps at 5", &TableWriter{}, []string{"phones (8): SEP0021D8BA0965, SEP0024142DDF24, SEP00270D3C8A11, SEP001B54C2E6A0, SEP0021A0F33B12 +3 more"}, []string{"\x1b["}},
		{"cap 2", &TableWriter{MaxPhones: 2}, []string{"phones (8): SEP0021D8BA0965, SEP0024142DDF24 +6 more"}, nil},
		{"no cap", &TableWriter{MaxPhones: -1}, []string{"SEP2C3124A9D0F1, SEPF87B204C1E77\n"}, []string{"more"}},
		{"color", &TableWriter{Color: true}, []string{"\x1b[1;31mCRITICAL\x1b[0m", "\x1b[33mWARNING\x1b[0m", "\x1b[36mINFO\x1b[0m"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := render(t, c.w, auditResult())
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range c.not {
				if strings.Contains(out, n) {
					t.Errorf("output contains %q:\n%s", n, out)
				}
			}
		})
	}
}

// A row a parser skipped is shown in every format that lists devices, so
// that a partly read output is never silent.
func TestDeviceWarningsShown(t *testing.T) {
	r := &Result{Tool: "kaudit", FailOn: rules.Warning, Devices: []DeviceResult{{
		Name: "sw1", Platform: facts.PlatformIOS, Status: facts.StatusOK,
		Warnings: []string{"sw1/show_power_inline.txt:12: row skipped: bad power value \"x\""},
	}}}
	for name, w := range map[string]Writer{"table": &TableWriter{}, "json": JSONWriter{}, "markdown": MarkdownWriter{}} {
		var buf bytes.Buffer
		if err := w.Write(&buf, r); err != nil {
			t.Fatal(err)
		}
		if out := buf.String(); !strings.Contains(out, ".txt:12: row skipped") || !strings.Contains(out, "power") {
			t.Errorf("%s report does not show the skipped row:\n%s", name, buf.String())
		}
	}
}
