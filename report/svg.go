package report

import (
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"strings"
	"unicode/utf8"
)

// CaptureTimeline is a drawing of a packet capture (keepalives, ARP
// replies, retransmissions on a time axis) made by the capture package,
// which the html report embeds.
type CaptureTimeline struct {
	Title string
	// SVG is the drawing: one complete <svg> element.
	SVG string
	// Caption says what the drawing shows.
	Caption string
}

const (
	maxSVGBytes = 4 << 20
	maxSVGDepth = 64

	svgNS   = "http://www.w3.org/2000/svg"
	xlinkNS = "http://www.w3.org/1999/xlink"
	xmlNS   = "http://www.w3.org/XML/1998/namespace"
)

// svgElements are the drawing elements a timeline may use. Everything that
// runs code, loads a resource, links away or embeds HTML (script,
// foreignObject, image, a, iframe) and the animation elements (which can
// set an href to javascript:) are refused.
var svgElements = map[string]bool{
	"svg": true, "g": true, "defs": true, "symbol": true, "use": true,
	"title": true, "desc": true, "style": true,
	"rect": true, "circle": true, "ellipse": true, "line": true,
	"polyline": true, "polygon": true, "path": true,
	"text": true, "tspan": true,
	"marker": true, "clipPath": true, "mask": true, "pattern": true,
	"linearGradient": true, "radialGradient": true, "stop": true,
	"filter": true, "feDropShadow": true, "feGaussianBlur": true, "feOffset": true,
	"feFlood": true, "feComposite": true, "feMerge": true, "feMergeNode": true, "feBlend": true,
}

// sanitizeSVG checks that s is one self-contained SVG drawing and returns
// it re-serialised from its parsed tokens.
//
// Re-serialising, rather than embedding s after checking it, matters: the
// XML parser that checks and the browser's HTML parser that renders do not
// agree on every input (an HTML parser ends "<!-->" as a comment, an XML
// parser does not), so checked bytes could still hide a script from the
// check. What is written here is only what was parsed and allowed:
// elements from svgElements, attributes without event handlers, links only
// to fragments of the same document, no external url() in styles, no
// comments, processing instructions or DTDs.
func sanitizeSVG(s string) (string, error) {
	if len(s) > maxSVGBytes {
		return "", fmt.Errorf("svg is %d bytes, more than %d", len(s), maxSVGBytes)
	}
	if !utf8.ValidString(s) {
		return "", errors.New("svg is not valid UTF-8")
	}
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "<svg") {
		return "", errors.New("svg does not start with <svg")
	}
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.Strict = true
	var b strings.Builder
	b.Grow(len(s))
	var stack []string
	done := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("svg line %d: %w", line(dec), err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if done {
				return "", fmt.Errorf("svg line %d: content after the closing </svg>", line(dec))
			}
			name := t.Name.Local
			if t.Name.Space != "" && t.Name.Space != svgNS {
				return "", fmt.Errorf("svg line %d: element %s:%s is not SVG", line(dec), t.Name.Space, name)
			}
			if !svgElements[name] {
				return "", fmt.Errorf("svg line %d: element <%s> is not allowed", line(dec), name)
			}
			if len(stack) == 0 && name != "svg" {
				return "", fmt.Errorf("svg line %d: root element is <%s>", line(dec), name)
			}
			if len(stack) >= maxSVGDepth {
				return "", fmt.Errorf("svg line %d: nested deeper than %d", line(dec), maxSVGDepth)
			}
			stack = append(stack, name)
			b.WriteByte('<')
			b.WriteString(name)
			for _, a := range t.Attr {
				an, err := svgAttr(a)
				if err != nil {
					return "", fmt.Errorf("svg line %d: <%s>: %w", line(dec), name, err)
				}
				b.WriteByte(' ')
				b.WriteString(an)
				b.WriteString(`="`)
				b.WriteString(html.EscapeString(cleanSVGText(a.Value)))
				b.WriteByte('"')
			}
			b.WriteByte('>')
		case xml.EndElement:
			// The decoder in strict mode has matched it with its start.
			stack = stack[:len(stack)-1]
			b.WriteString("</")
			b.WriteString(t.Name.Local)
			b.WriteByte('>')
			if len(stack) == 0 {
				done = true
			}
		case xml.CharData:
			text := string(t)
			if len(stack) == 0 {
				if strings.TrimSpace(text) != "" {
					return "", fmt.Errorf("svg line %d: text outside the <svg> element", line(dec))
				}
				continue
			}
			if stack[len(stack)-1] == "style" {
				if err := checkCSS(text); err != nil {
					return "", fmt.Errorf("svg line %d: <style>: %w", line(dec), err)
				}
			}
			b.WriteString(html.EscapeString(cleanSVGText(text)))
		case xml.Comment, xml.ProcInst:
			// Dropped: comments are where parsers disagree, and a
			// processing instruction means nothing in HTML.
		case xml.Directive:
			return "", fmt.Errorf("svg line %d: <!%s> is not allowed", line(dec), firstWord(string(t)))
		}
	}
	if len(stack) != 0 || !done {
		return "", errors.New("svg ends before its closing </svg>")
	}
	return b.String(), nil
}

// cleanSVGText keeps a drawing's text to what every report promises: line
// breaks stay (path data and layout use them), control and bidi characters
// become visible escapes as in the rest of the report.
func cleanSVGText(s string) string {
	if plain(s) {
		return s
	}
	return strings.Join(cleanLines(s), "\n")
}

func line(dec *xml.Decoder) int {
	l, _ := dec.InputPos()
	return l
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// svgAttr returns the attribute's name as HTML writes it, or why it is
// refused.
func svgAttr(a xml.Attr) (string, error) {
	local := a.Name.Local
	var name string
	switch a.Name.Space {
	case "":
		name = local
		if local == "xmlns" && a.Value != svgNS {
			return "", fmt.Errorf("default namespace %q is not SVG", a.Value)
		}
	case "xmlns":
		if local != "xlink" || a.Value != xlinkNS {
			return "", fmt.Errorf("namespace declaration xmlns:%s is not allowed", local)
		}
		name = "xmlns:xlink"
	case xlinkNS, "xlink":
		if local != "href" && local != "title" {
			return "", fmt.Errorf("attribute xlink:%s is not allowed", local)
		}
		name = "xlink:" + local
	case xmlNS, "xml":
		if local != "space" && local != "lang" {
			return "", fmt.Errorf("attribute xml:%s is not allowed", local)
		}
		name = "xml:" + local
	default:
		return "", fmt.Errorf("attribute in namespace %q is not allowed", a.Name.Space)
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return "", fmt.Errorf("attribute name %q is not allowed", local)
		}
	}
	low := strings.ToLower(local)
	if strings.HasPrefix(low, "on") {
		return "", fmt.Errorf("event handler %s is not allowed", local)
	}
	if low == "href" || low == "src" || low == "action" || low == "formaction" {
		if !strings.HasPrefix(strings.TrimSpace(a.Value), "#") {
			return "", fmt.Errorf("%s=%q is not a link inside the drawing", local, a.Value)
		}
	}
	if err := checkCSS(a.Value); err != nil {
		return "", fmt.Errorf("attribute %s: %w", local, err)
	}
	return name, nil
}

// checkCSS refuses style text (or an attribute value, where fill="url(…)"
// works too) that could load something from outside the document or run
// script.
func checkCSS(s string) error {
	// Browsers ignore whitespace and CSS escapes in odd places; compare
	// on a squeezed, lower-cased copy and refuse backslashes outright.
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case ' ', '\t', '\n', '\r', '\f':
			continue
		case '\\':
			return errors.New("backslash escapes are not allowed")
		}
		b.WriteRune(r)
	}
	low := b.String()
	for _, bad := range []string{"javascript:", "vbscript:", "@import", "expression(", "</", "-moz-binding", "behavior:"} {
		if strings.Contains(low, bad) {
			return fmt.Errorf("%q is not allowed", bad)
		}
	}
	for rest := low; ; {
		i := strings.Index(rest, "url(")
		if i < 0 {
			break
		}
		rest = strings.TrimLeft(rest[i+4:], `"'`)
		if !strings.HasPrefix(rest, "#") {
			return errors.New("url() outside the drawing is not allowed")
		}
	}
	return nil
}
