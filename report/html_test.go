package report

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

// voidElements never have an end tag in HTML.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true,
}

// checkWellFormed is stricter than HTML5 needs: the doctype comes first,
// every element that is not void is closed explicitly, in order. The
// writer never relies on implied end tags, so any imbalance is a bug in
// the template (or text that escaped its escaping).
func checkWellFormed(t testing.TB, out string) {
	t.Helper()
	z := xhtml.NewTokenizer(strings.NewReader(out))
	var stack []string
	first := true
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			if z.Err() != io.EOF {
				t.Fatalf("html tokenizer: %v", z.Err())
			}
			break
		}
		tok := z.Token()
		if first {
			if tt != xhtml.DoctypeToken || !strings.EqualFold(tok.Data, "html") {
				t.Fatalf("html does not start with <!DOCTYPE html>: %v %q", tt, tok.Data)
			}
			first = false
			continue
		}
		switch tt {
		case xhtml.DoctypeToken:
			t.Fatalf("second doctype")
		case xhtml.StartTagToken:
			if !voidElements[tok.Data] {
				stack = append(stack, tok.Data)
			}
		case xhtml.SelfClosingTagToken:
			if !voidElements[tok.Data] && !slices.Contains(stack, "svg") {
				t.Fatalf("self-closing <%s/> outside svg", tok.Data)
			}
		case xhtml.EndTagToken:
			if voidElements[tok.Data] {
				t.Fatalf("end tag for void element </%s>", tok.Data)
			}
			if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
				t.Fatalf("</%s> closes %v", tok.Data, stack)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements at the end: %v", stack)
	}
}

// parseHTML parses out the way a browser would and checks what no report
// may contain: script, event handlers, anything fetched from elsewhere,
// duplicate ids.
func parseHTML(t testing.TB, out string) *xhtml.Node {
	t.Helper()
	checkWellFormed(t, out)
	doc, err := xhtml.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	ids := map[string]bool{}
	walk(doc, func(n *xhtml.Node) {
		if n.Type != xhtml.ElementNode {
			return
		}
		switch n.Data {
		case "script", "iframe", "object", "embed", "link", "img", "image", "foreignObject", "foreignobject", "base", "form":
			t.Fatalf("report contains <%s>", n.Data)
		}
		for _, a := range n.Attr {
			k := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(k, "on"):
				t.Fatalf("<%s> has event handler %s=%q", n.Data, a.Key, a.Val)
			case k == "href" || k == "src" || k == "xlink:href" || a.Namespace == "xlink":
				if !strings.HasPrefix(a.Val, "#") {
					t.Fatalf("<%s %s=%q> points outside the document", n.Data, a.Key, a.Val)
				}
			case externalURL.MatchString(a.Val):
				t.Fatalf("<%s %s=%q> loads a resource", n.Data, a.Key, a.Val)
			case k == "id":
				if ids[a.Val] {
					t.Fatalf("duplicate id %q", a.Val)
				}
				ids[a.Val] = true
			}
		}
		if n.Data == "style" {
			css := strings.ToLower(text(n))
			if externalURL.MatchString(css) || strings.Contains(css, "@import") {
				t.Fatalf("stylesheet loads a resource")
			}
		}
	})
	return doc
}

// externalURL is a CSS url() that does not point into the document.
var externalURL = regexp.MustCompile(`(?i)url\(\s*['"]?\s*[^#'"\s)]`)

func walk(n *xhtml.Node, fn func(*xhtml.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func text(n *xhtml.Node) string {
	var b strings.Builder
	walk(n, func(c *xhtml.Node) {
		if c.Type == xhtml.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

func attr(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *xhtml.Node, class string) bool {
	return n.Type == xhtml.ElementNode && slices.Contains(strings.Fields(attr(n, "class")), class)
}

// find returns the elements named tag (any tag when "") with class.
func find(root *xhtml.Node, tag, class string) []*xhtml.Node {
	var out []*xhtml.Node
	walk(root, func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode && (tag == "" || n.Data == tag) && (class == "" || hasClass(n, class)) {
			out = append(out, n)
		}
	})
	return out
}

func byID(root *xhtml.Node, id string) *xhtml.Node {
	var found *xhtml.Node
	walk(root, func(n *xhtml.Node) {
		if found == nil && n.Type == xhtml.ElementNode && attr(n, "id") == id {
			found = n
		}
	})
	return found
}

// checkHTML is the html part of checkHostile: the document keeps its
// structure and shows the device's text, cleaned, as text.
func checkHTML(t testing.TB, out, s string) {
	t.Helper()
	doc := parseHTML(t, out)
	clean := oneLine(s)
	msgs := find(doc, "p", "msg")
	switch {
	case clean == "" && len(msgs) != 0:
		t.Fatalf("html: %d messages for empty text", len(msgs))
	case clean != "" && (len(msgs) != 2 || text(msgs[0]) != clean):
		t.Fatalf("html: %d messages, want 2 reading %q", len(msgs), clean)
	}
	titles := find(doc, "title", "")
	if len(titles) == 0 || !strings.Contains(text(titles[0]), clean) {
		t.Fatalf("html: <title> does not carry the source %q", clean)
	}
	if n := len(find(doc, "article", "finding")); n != 2 {
		t.Fatalf("html: %d finding articles, want 2", n)
	}
	if n := len(find(doc, "rect", "timer")); n != 3 {
		t.Fatalf("html: %d timer bars, want 3", n)
	}
	// The first drawing is not SVG at all and must be refused.
	omitted := find(doc, "p", "omitted")
	if len(omitted) == 0 {
		t.Fatalf("html: the capture %q was not refused", s)
	}
	for _, fig := range find(doc, "figure", "capture") {
		for _, svg := range find(fig, "svg", "") {
			// XML turns CR and CRLF into LF; the sanitiser then cleans
			// each line as the rest of the report does.
			lf := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
			texts := find(svg, "text", "")
			if len(texts) != 1 {
				t.Fatalf("html: capture drawing has %d text elements, want 1", len(texts))
			}
			if got, want := text(texts[0]), strings.Join(cleanLines(lf), "\n"); got != want {
				t.Fatalf("html: capture text %q, want %q", got, want)
			}
		}
	}
}

// Markup and quotes in every field come out as text: in element content,
// in attribute values (aria-label, title) and inside the SVG.
func TestHTMLEscapesMarkup(t *testing.T) {
	for _, s := range []string{`"'><img src=x onerror=alert(2)><script>alert(1)</script>`, `</title></svg></textarea><!--`, `{{.Tool}} ${x} &amp; &lt;`} {
		t.Run(s, func(t *testing.T) {
			out := render(t, HTMLWriter{}, hostileResult(s))
			checkHTML(t, out, s)
			for _, raw := range []string{"<img", "<script", "<svg onload", "<!--"} {
				if strings.Contains(s, raw) && strings.Contains(out, raw) {
					t.Errorf("raw %q in the output", raw)
				}
			}
			if strings.Contains(s, `"`) && !strings.Contains(out, `aria-label="Timer ladder of &#34;`) {
				t.Errorf("quote in an attribute not escaped")
			}
			if strings.Contains(s, "{{") && !strings.Contains(out, "{{.Tool}}") {
				t.Errorf("template syntax in data was not kept as text")
			}
		})
	}
}

func TestHTMLDocument(t *testing.T) {
	r := auditResult()
	out := render(t, HTMLWriter{}, r)
	doc := parseHTML(t, out)

	if html := find(doc, "html", ""); attr(html[0], "lang") != "en" {
		t.Error(`<html> lacks lang="en"`)
	}
	var charset bool
	for _, m := range find(doc, "meta", "") {
		charset = charset || strings.EqualFold(attr(m, "charset"), "utf-8")
	}
	if !charset {
		t.Error("no <meta charset=utf-8>")
	}

	// Summary: the verdict and one card per severity with its count.
	if v := find(doc, "div", "verdict"); len(v) != 1 || !strings.Contains(text(v[0]), "exit 1") || !strings.Contains(text(v[0]), "2 finding(s) at or above warning") {
		t.Errorf("verdict: %q", text(v[0]))
	}
	cards := map[string]string{}
	for _, c := range find(doc, "div", "card") {
		num, lbl := find(c, "div", "num"), find(c, "div", "lbl")
		cards[text(lbl[0])] = text(num[0])
	}
	for lbl, want := range map[string]string{"critical": "1", "warning": "1", "info": "1", "devices": "3", "new": "1", "resolved": "1", "still open": "2"} {
		if cards[lbl] != want {
			t.Errorf("card %q = %q, want %q (cards %v)", lbl, cards[lbl], want, cards)
		}
	}

	// Findings: grouped worst first, each under its fingerprint id, with
	// its evidence, fix and notes.
	var groups []string
	for _, g := range find(doc, "h3", "group") {
		groups = append(groups, text(find(g, "span", "badge")[0]))
	}
	if strings.Join(groups, ",") != "critical,warning,info" {
		t.Errorf("groups %v", groups)
	}
	for _, f := range r.Findings {
		a := byID(doc, "f-"+rules.Fingerprint(f))
		if a == nil {
			t.Fatalf("no article for %s on %s", f.Rule, f.Object)
		}
		if !hasClass(a, "sev-"+f.Severity.String()) {
			t.Errorf("%s: class %q", f.Rule, attr(a, "class"))
		}
		if got := text(find(a, "code", "rule")[0]); got != f.Rule {
			t.Errorf("rule %q, want %q", got, f.Rule)
		}
		// The keepalive derivation is shown once, in the Keepalives
		// section, and referenced from the finding's last row.
		ka, ev := splitKeepalive(f.Evidence)
		rows := find(find(a, "table", "evidence")[0], "tr", "")
		want := len(ev) + 1
		if len(ka) > 0 {
			want++
			last := find(rows[len(rows)-1], "td", "")
			kid := text(last[2])
			if text(last[1]) != "keepalive" || byID(doc, kid) == nil {
				t.Errorf("%s: keepalive row %q → %q, want a reference to the Keepalives section", f.Rule, text(last[1]), kid)
			} else if krows := find(byID(doc, kid), "tr", ""); len(krows) != len(ka)+1 {
				t.Errorf("%s: keepalive %s has %d rows, want %d", f.Rule, kid, len(krows)-1, len(ka))
			}
		}
		if len(rows) != want {
			t.Errorf("%s: %d evidence rows, want %d", f.Rule, len(rows)-1, want-1)
		}
		for i, e := range ev {
			cells := find(rows[i+1], "td", "")
			if text(cells[0]) != e.Device || text(cells[1]) != strings.TrimSpace(e.What) || text(cells[2]) != e.Value {
				t.Errorf("%s evidence %d: %q %q %q", f.Rule, i, text(cells[0]), text(cells[1]), text(cells[2]))
			}
			src := cells[3]
			if hasDefault := len(find(src, "span", "default")) > 0; hasDefault != e.Default {
				t.Errorf("%s evidence %d: default badge %v, want %v", f.Rule, i, hasDefault, e.Default)
			}
			if e.Source != nil {
				want := fmt.Sprintf("%s/%s.txt:%d", e.Source.Host, e.Source.Key, e.Source.Line)
				if got := text(find(src, "span", "loc")[0]); got != want {
					t.Errorf("%s evidence %d: location %q, want %q", f.Rule, i, got, want)
				}
				if got := text(find(src, "code", "line")[0]); got != strings.TrimSpace(e.Source.Text) {
					t.Errorf("%s evidence %d: line %q", f.Rule, i, got)
				}
			}
		}
		if len(f.Fix) > 0 {
			if got := text(find(a, "pre", "")[0]); got != strings.Join(f.Fix, "\n") {
				t.Errorf("%s fix %q", f.Rule, got)
			}
		}
		if got := len(find(a, "code", "chip")); got != len(f.Phones) {
			t.Errorf("%s: %d phone chips, want %d", f.Rule, got, len(f.Phones))
		}
		notes := find(a, "li", "")
		if len(notes) != len(f.Notes) {
			t.Errorf("%s: %d notes, want %d", f.Rule, len(notes), len(f.Notes))
		}
	}

	// Devices: failed first by name, with the error.
	dev := byID(doc, "devices")
	rows := find(dev, "tr", "")
	if len(rows) != 4 {
		t.Fatalf("devices table has %d rows", len(rows))
	}
	asa := find(rows[1], "td", "")
	if text(asa[0]) != "asa-dmz-01" || text(asa[2]) != "failed" || !strings.Contains(text(asa[3]), "unable to authenticate") || !hasClass(rows[1], "incomplete") {
		t.Errorf("asa row: %q %q %q", text(asa[0]), text(asa[2]), text(asa[3]))
	}

	// Captures: the drawing is embedded, the one with a script is not.
	caps := find(byID(doc, "captures"), "figure", "capture")
	if len(caps) != 2 || len(find(caps[0], "circle", "")) != 7 || len(find(caps[1], "svg", "")) != 0 || !strings.Contains(text(caps[1]), "<script> is not allowed") {
		t.Errorf("captures not rendered as expected: %d figures", len(caps))
	}
}

// The ladders drawn must be the ladders given, bar for bar, coloured by
// how each timer compares with the keepalive that refreshes it.
func TestHTMLLadders(t *testing.T) {
	r := auditResult()
	doc := parseHTML(t, render(t, HTMLWriter{}, r))
	figs := find(byID(doc, "ladders"), "figure", "ladder")
	if len(figs) != len(r.Ladders) || len(figs) == 0 {
		t.Fatalf("%d ladder figures, want %d", len(figs), len(r.Ladders))
	}
	for i, l := range r.Ladders {
		fig := figs[i]
		if got := text(find(fig, "span", "phone")[0]); got != l.Phone {
			t.Errorf("ladder %d is %q, want %q", i, got, l.Phone)
		}
		bars := find(fig, "rect", "timer")
		if len(bars) != len(l.Timers) {
			t.Fatalf("%s: %d bars, want %d", l.Phone, len(bars), len(l.Timers))
		}
		marks := find(fig, "line", "mark")
		if len(marks) == 0 {
			t.Errorf("%s: no keepalive line", l.Phone)
		}
		var prevW float64
		for j, tm := range l.Timers {
			b := bars[j]
			var w float64
			fmt.Sscan(attr(b, "width"), &w)
			// The ladder is sorted shortest first on a linear axis here,
			// so widths never shrink.
			if w < prevW {
				t.Errorf("%s: bar %d narrower than the one above", l.Phone, j)
			}
			prevW = w
			if tm.Kind == TimerKeepalive && !hasClass(b, "keepalive") {
				t.Errorf("%s: keepalive bar %q has class %q", l.Phone, tm.Name, attr(b, "class"))
			}
		}
	}

	// SEP0021D8BA0965 on Gi1/0/5: both 60 s agings are red against its
	// 115 s keepalive, the 300 s global aging is green, the expiry is
	// drawn as such.
	var fig *xhtml.Node
	for i, l := range r.Ladders {
		if l.Phone == "SEP0021D8BA0965" {
			fig = figs[i]
		}
	}
	if fig == nil {
		t.Fatal("no ladder for SEP0021D8BA0965")
	}
	var states []string
	for _, b := range find(fig, "rect", "timer") {
		states = append(states, strings.TrimPrefix(attr(b, "class"), "timer "))
	}
	if want := "bad,bad,keepalive,expiry,ok"; strings.Join(states, ",") != want {
		t.Errorf("SEP0021D8BA0965 bars %v, want %s", states, want)
	}
	if v := find(fig, "span", "verdict-inline"); !hasClass(v[0], "bad") || !strings.HasPrefix(text(v[0]), "2 timers run out") {
		t.Errorf("verdict %q", text(v[0]))
	}
	if m := find(fig, "text", "mark-label"); len(m) != 1 || text(m[0]) != "keepalive 115 s" {
		t.Errorf("marks %d", len(m))
	}
}

func TestHTMLLadderLayout(t *testing.T) {
	ka := func(s int) Timer {
		return Timer{Name: "keepalive to primary", Device: "cucm", Seconds: s, Kind: TimerKeepalive}
	}
	idle := func(name string, s, ref int) Timer {
		return Timer{Name: name, Device: "d", Seconds: s, Kind: TimerIdle, KeepaliveSeconds: ref}
	}
	cases := []struct {
		name    string
		l       TimerLadder
		states  []string
		log     bool
		zones   int
		verdict string
	}{
		{"equal is red", TimerLadder{Timers: []Timer{ka(115), idle("a", 115, 0)}}, []string{"keepalive", "bad"}, false, 2, "bad"},
		{"margin is amber, inclusive", TimerLadder{Timers: []Timer{ka(115), idle("a", 175, 0), idle("b", 176, 0)}}, []string{"keepalive", "tight", "ok"}, false, 2, "tight"},
		{"custom margin", TimerLadder{MarginSeconds: 10, Timers: []Timer{ka(115), idle("a", 130, 0)}}, []string{"keepalive", "ok"}, false, 2, "ok"},
		{"own keepalive beats the shortest", TimerLadder{Timers: []Timer{ka(115), {Name: "keepalive to backup", Seconds: 295, Kind: TimerKeepalive}, idle("policy idle", 240, 295)}},
			[]string{"keepalive", "bad", "keepalive"}, false, 2, "bad"},
		{"two references, no zones", TimerLadder{Timers: []Timer{ka(30), idle("a", 60, 0), idle("b", 240, 295)}}, []string{"keepalive", "tight", "bad"}, false, 0, "bad"},
		{"conn timeout forces a log axis", TimerLadder{Timers: []Timer{ka(30), idle("timeout conn", 3600, 0)}}, []string{"keepalive", "ok"}, true, 2, "ok"},
		{"no keepalive", TimerLadder{Timers: []Timer{idle("a", 60, 0)}}, []string{"unknown"}, false, 0, "ok"},
		{"zero timers are skipped", TimerLadder{Timers: []Timer{ka(30), idle("off", 0, 0)}}, []string{"keepalive"}, false, 0, "ok"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, ok := htmlLadderOf(1, c.l)
			if !ok {
				t.Fatal("no ladder")
			}
			var states []string
			for _, b := range h.Bars {
				states = append(states, b.State)
				if b.X != ladderX0 || b.W <= 0 || b.X+b.W > ladderX1+0.05 {
					t.Errorf("bar %q at %v+%v outside the plot", b.Name, b.X, b.W)
				}
			}
			if !slices.Equal(states, c.states) {
				t.Errorf("states %v, want %v", states, c.states)
			}
			if got := strings.Contains(h.AxisTitle, "log"); got != c.log {
				t.Errorf("axis %q", h.AxisTitle)
			}
			if len(h.Zones) != c.zones {
				t.Errorf("%d zones, want %d", len(h.Zones), c.zones)
			}
			if h.VerdictClass != c.verdict {
				t.Errorf("verdict %s (%q), want %s", h.VerdictClass, h.Verdict, c.verdict)
			}
			for _, tk := range h.Ticks {
				if tk.X < ladderX0-0.05 || tk.X > ladderX1+0.05 {
					t.Errorf("tick %q at %v outside the axis", tk.Label, tk.X)
				}
			}
		})
	}
	if _, ok := htmlLadderOf(1, TimerLadder{Phone: "SEP1", Timers: []Timer{{Seconds: 0}}}); ok {
		t.Error("a ladder with nothing to draw was drawn")
	}
}

// Sections that have no data are left out, and a clean run says so.
func TestHTMLSections(t *testing.T) {
	cases := []struct {
		name     string
		r        *Result
		present  []string
		absent   []string
		contains []string
	}{
		{"full", auditResult(), []string{"summary", "changes", "findings", "ladders", "captures", "devices", "phones"}, nil, nil},
		{"clean", cleanResult(), []string{"summary", "findings", "devices"}, []string{"changes", "ladders", "captures", "phones"}, []string{"No findings.", "exit 0", "verdict-ok"}},
		{"empty", &Result{}, []string{"summary", "findings", "devices"}, []string{"changes", "ladders"}, []string{"No devices.", "Started</dt><dd>unknown"}},
		{"too many ladders", func() *Result {
			r := cleanResult()
			for i := range htmlMaxLadders + 3 {
				r.Ladders = append(r.Ladders, TimerLadder{Phone: fmt.Sprintf("SEP%012d", i), Timers: []Timer{{Name: "k", Seconds: 30, Kind: TimerKeepalive}}})
			}
			return r
		}(), []string{"ladders"}, nil, []string{"3 more ladders not drawn"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := render(t, HTMLWriter{}, c.r)
			doc := parseHTML(t, out)
			for _, id := range c.present {
				if byID(doc, id) == nil {
					t.Errorf("section %q missing", id)
				}
			}
			for _, id := range c.absent {
				if byID(doc, id) != nil {
					t.Errorf("section %q present", id)
				}
			}
			for _, s := range c.contains {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q", s)
				}
			}
		})
	}
}

// A finding naming hundreds of phones lists the first ones and folds the
// rest away, all still in the document.
func TestHTMLManyPhones(t *testing.T) {
	var phones []string
	for i := range 300 {
		phones = append(phones, fmt.Sprintf("SEP%012X", i))
	}
	r := cleanResult()
	r.Findings = []rules.Finding{{Rule: "mac-aging-shorter-than-keepalive", Severity: rules.Warning, Device: "sw1", Object: "vlan 200", Phones: phones}}
	r.Phones = make([]facts.Phone, 80)
	for i := range r.Phones {
		r.Phones[i] = facts.Phone{Name: phones[i]}
	}
	doc := parseHTML(t, render(t, HTMLWriter{}, r))
	art := find(doc, "article", "finding")[0]
	more := find(art, "details", "more")
	if len(find(art, "code", "chip")) != 300 || len(more) != 1 || len(find(more[0], "code", "chip")) != 300-htmlMaxPhones {
		t.Errorf("phones not folded after %d", htmlMaxPhones)
	}
	if d := find(byID(doc, "phones"), "details", ""); len(d) != 1 || hasAttr(d[0], "open") {
		t.Errorf("a phone table of 80 should start folded")
	}
}

func hasAttr(n *xhtml.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

var svgSamples = []string{
	captureSVG,
	`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><defs><marker id="m"><path d="M0 0L5 5"></path></marker></defs><use xlink:href="#m"/><rect fill="url(#g)" width="1" height="1"/><style>.a > b { fill: red }</style></svg>`,
}

func TestSanitizeSVG(t *testing.T) {
	ok := []struct {
		name, in string
		want     []string // substrings of the output
		not      []string
	}{
		{"capture drawing", captureSVG, []string{"<svg ", "<circle cx=\"20\"", "0 s REGISTER"}, []string{"/>"}},
		{"controls made visible, lines kept", "<svg><path d=\"M0 0\nL1 1\"></path><text>a\u202eb\tc</text></svg>", []string{"M0 0\nL1 1", `a\u202eb c`}, []string{"\u202e", "\t"}},
		{"fragment links and css", svgSamples[1], []string{`xlink:href="#m"`, `fill="url(#g)"`, ".a &gt; b"}, nil},
		{"comments and processing instructions dropped", `<svg><!-- a --><?pi x?><g></g></svg>`, []string{"<svg><g></g></svg>"}, []string{"<!--", "<?"}},
		{"text escaped", `<svg><text>a &lt;b&gt; &amp; "c"</text></svg>`, []string{"a &lt;b&gt; &amp; &#34;c&#34;"}, nil},
		{"leading blank", "\n  <svg></svg>\n", []string{"<svg></svg>"}, nil},
		// An HTML parser would end this comment at "<!-->" and run the
		// script; the XML parser reads it all as a comment, which is
		// dropped, so the browser never sees it.
		{"html comment trick", `<svg><!--><script>alert(1)</script>--></svg>`, []string{"<svg></svg>"}, []string{"script"}},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			got, err := sanitizeSVG(c.in)
			if err != nil {
				t.Fatalf("sanitizeSVG: %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			for _, n := range c.not {
				if strings.Contains(got, n) {
					t.Errorf("output has %q:\n%s", n, got)
				}
			}
			if again, err := sanitizeSVG(got); err != nil || again != got {
				t.Errorf("not idempotent: %v\n%s\n%s", err, got, again)
			}
		})
	}
	bad := []struct{ name, in, why string }{
		{"script", `<svg><script>alert(1)</script></svg>`, "<script>"},
		{"script in namespace", `<svg xmlns="http://www.w3.org/2000/svg"><script xlink:href="x"/></svg>`, "<script>"},
		{"event handler", `<svg onload="alert(1)"></svg>`, "onload"},
		{"event handler, upper case", `<svg><rect ONCLICK="x"/></svg>`, "ONCLICK"},
		{"external href", `<svg><use href="https://evil.example/x.svg#a"/></svg>`, "not a link inside"},
		{"external xlink", `<svg xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="//evil.example/a"/></svg>`, "not a link inside"},
		{"javascript href", `<svg><use href=" javascript:alert(1)"/></svg>`, "not a link inside"},
		{"link element", `<svg><a href="#x"><text>x</text></a></svg>`, "<a>"},
		{"image", `<svg><image href="#x"/></svg>`, "<image>"},
		{"foreignObject", `<svg><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject></svg>`, "foreignObject"},
		{"animate sets href", `<svg><animate attributeName="href" to="javascript:alert(1)"/></svg>`, "<animate>"},
		{"css import", `<svg><style>@import url(https://evil.example/a.css);</style></svg>`, "@import"},
		{"css external url", `<svg><rect style="fill: url( 'https://x/y' )"/></svg>`, "url()"},
		{"css escape", `<svg><style>.a{background:u\72l(x)}</style></svg>`, "backslash"},
		{"attribute url", `<svg><rect fill="url(http://x/#a)"/></svg>`, "url()"},
		{"doctype entity", `<svg><!DOCTYPE svg [<!ENTITY x "y">]><text>&x;</text></svg>`, ""},
		{"not svg", `<div>x</div>`, "does not start with <svg"},
		{"html root later", `<svgx></svgx>`, "not allowed"},
		{"two roots", `<svg></svg><svg></svg>`, "after the closing"},
		{"text after root", `<svg></svg>trailing`, "text outside"},
		{"truncated", `<svg><g>`, ""},
		{"unbalanced", `<svg><g></svg>`, ""},
		{"invalid utf-8", "<svg><text>\xff</text></svg>", "UTF-8"},
		{"other namespace", `<svg xmlns="http://www.w3.org/1999/xhtml"></svg>`, "is not SVG"},
		{"too deep", "<svg>" + strings.Repeat("<g>", maxSVGDepth) + strings.Repeat("</g>", maxSVGDepth) + "</svg>", "deeper"},
		{"too big", "<svg>" + strings.Repeat(" ", maxSVGBytes) + "</svg>", "bytes"},
		{"empty", "", "does not start"},
	}
	for _, c := range bad {
		t.Run("refuse/"+c.name, func(t *testing.T) {
			got, err := sanitizeSVG(c.in)
			if err == nil {
				t.Fatalf("accepted:\n%s", got)
			}
			if !strings.Contains(err.Error(), c.why) {
				t.Errorf("error %q does not say %q", err, c.why)
			}
		})
	}
}

// scriptish finds elements that must never be written; event handlers and
// links are checked on the parsed document (text may contain "onx=").
var scriptish = regexp.MustCompile(`(?i)<\s*/?\s*(script|iframe|foreignobject|image|a)[\s>/]`)

func FuzzSanitizeSVG(f *testing.F) {
	for _, s := range svgSamples {
		f.Add(s)
	}
	f.Add(`<svg><!--><script>alert(1)</script>--></svg>`)
	f.Add(`<svg><text>&lt;script&gt;</text><style>.a{fill:url(#b)}</style></svg>`)
	f.Fuzz(func(t *testing.T, s string) {
		out, err := sanitizeSVG(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(out, "<svg") || scriptish.MatchString(out) {
			t.Fatalf("accepted unsafe output %q from %q", out, s)
		}
		again, err := sanitizeSVG(out)
		if err != nil || again != out {
			t.Fatalf("output does not re-sanitise to itself: %v\n%q\n%q", err, out, again)
		}
		// What the browser parses must be what was checked: a single svg,
		// nothing that runs.
		parseHTML(t, "<!DOCTYPE html><html><head><title>t</title></head><body>"+out+"</body></html>")
	})
}

// bigResult is a large site: 400 findings over 2000 phones.
func bigResult() *Result {
	r := auditResult()
	base := r.Findings
	for i := range 400 {
		f := base[i%len(base)]
		f.Object = fmt.Sprintf("GigabitEthernet%d/0/%d", i/48+1, i%48+1)
		f.Phones = []string{fmt.Sprintf("SEP%012X", i)}
		r.Findings = append(r.Findings, f)
	}
	for i := range 2000 {
		r.Phones = append(r.Phones, facts.Phone{Name: fmt.Sprintf("SEP%012X", i), Keepalive: facts.Keepalive{PrimarySeconds: 115, ExpirySeconds: 120}})
	}
	r.Ladders = LaddersFrom(&facts.Snapshot{Phones: r.Phones}, r.Findings)
	return r
}

func BenchmarkHTMLWriter(b *testing.B) {
	r := bigResult()
	var n int
	for b.Loop() {
		var buf strings.Builder
		if err := (HTMLWriter{}).Write(&buf, r); err != nil {
			b.Fatal(err)
		}
		n = buf.Len()
	}
	b.ReportMetric(float64(n), "bytes/report")
}

func BenchmarkLaddersFrom(b *testing.B) {
	r := bigResult()
	snap := &facts.Snapshot{Phones: r.Phones}
	for b.Loop() {
		LaddersFrom(snap, r.Findings)
	}
}
