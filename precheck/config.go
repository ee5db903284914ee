package precheck

import (
	"slices"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// node is one line of a configuration and, when it heads a section, the
// lines of that section. Sections are found from indentation, as show
// running-config prints them on IOS and the ASA.
type node struct {
	// raw is the line as read, without CR; a multi-line banner keeps all
	// its lines here so that its text is never taken for commands.
	raw    []string
	indent int
	// words are the command's words; nil for a passive line.
	words []string
	// passive lines (comments, headers, prompts, "end") are kept in place
	// but never matched or changed.
	passive  bool
	children []*node
	// gone marks, in a passive node that prints nothing, the place of a
	// line a "no" of the patch removed.
	gone *removal

	// Worked out on first use; set clears them.
	hkey   string
	parsed *cmd
}

// set replaces the command of the line, keeping its indentation.
func (n *node) set(text string) {
	n.raw = []string{strings.Repeat(" ", n.indent) + text}
	n.words = strings.Fields(text)
	n.hkey, n.parsed = "", nil
}

// key is headerKey of the line, cached.
func (n *node) key() string {
	if n.hkey == "" {
		n.hkey = headerKey(n.words)
	}
	return n.hkey
}

// cmd is the line as a command in the section headed by ctx, cached: a
// line's section does not change. A "no" line is its words after "no".
func (n *node) cmd(ctx []string) cmd {
	if n.parsed == nil {
		w := n.words
		if len(w) > 1 && w[0] == "no" {
			w = w[1:]
		}
		c := newCmd(ctx, w)
		n.parsed = &c
	}
	return *n.parsed
}

// parseConfig reads a configuration into a tree rooted at a node of indent
// -1. It accepts anything but a banner that is never closed: what it cannot
// place is kept as a passive line, so rendering an unchanged tree gives
// back the input line for line.
func parseConfig(data []byte) (*node, error) {
	root := &node{indent: -1}
	stack := []*node{root}
	lines := splitLines(data)
	for i := 0; i < len(lines); i++ {
		raw := lines[i]
		t := strings.TrimSpace(raw)
		n := &node{raw: []string{raw}, indent: indentOf(raw)}
		if passiveLine(t, n.indent) {
			n.passive = true
			// "!" and blank lines at the margin close every section; an
			// indented "!" stays inside its section.
			for len(stack) > 1 && stack[len(stack)-1].indent >= n.indent {
				stack = stack[:len(stack)-1]
			}
			top := stack[len(stack)-1]
			top.children = append(top.children, n)
			continue
		}
		n.words = strings.Fields(t)
		if delim := configBannerDelim(n.words); delim != "" && n.indent == 0 {
			// The text runs to the line holding the closing delimiter.
			// Without one the capture is cut, and the IOS parser refuses
			// it too; kept, a line a patch adds after it would become
			// banner text, or close it, when the result is read again.
			j := i + 1
			for j < len(lines) && !strings.Contains(lines[j], delim) {
				j++
			}
			if j == len(lines) {
				return nil, facts.Errorf("show_running-config", i+1, "banner is not closed by %q before the end of the output", delim)
			}
			n.raw = append(n.raw, lines[i+1:j+1]...)
			i = j
		}
		for len(stack) > 1 && stack[len(stack)-1].indent >= n.indent {
			stack = stack[:len(stack)-1]
		}
		top := stack[len(stack)-1]
		top.children = append(top.children, n)
		stack = append(stack, n)
	}
	return root, nil
}

// splitLines splits data into lines without their CRs (a terminal capture
// can end a line with two); a final newline does not make an empty last
// line, but a newline alone is an empty line, as "\r\n" is.
func splitLines(data []byte) []string {
	if len(data) == 0 {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\r")
	}
	return lines
}

func indentOf(s string) int {
	n := 0
	for n < len(s) && (s[n] == ' ' || s[n] == '\t') {
		n++
	}
	return n
}

// passiveLine reports lines that are not configuration commands: blanks,
// comments, the saved-config headers, the echoed command and the prompt.
func passiveLine(t string, indent int) bool {
	if t == "" || t[0] == '!' || t[0] == ':' {
		return true
	}
	if t == "end" {
		return indent == 0
	}
	for _, p := range []string{"Building configuration", "Current configuration", "Derived configuration", "Cryptochecksum:"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return isPrompt(t)
}

// isPrompt reports a device prompt, alone or with an echoed show command:
// "sw1#", "asa-edge# show running-config".
func isPrompt(t string) bool {
	i := strings.IndexAny(t, "#>")
	if i <= 0 || i > 64 || strings.ContainsAny(t[:i], " \t:") {
		return false
	}
	rest := strings.ToLower(strings.TrimSpace(t[i+1:]))
	return rest == "" || strings.HasPrefix(rest, "sh") || strings.HasPrefix(rest, "more ") || strings.HasPrefix(rest, "term")
}

// bannerDelim returns the delimiter of a multi-line "banner TYPE ^C" whose
// text does not end on the same line, or "".
func bannerDelim(w []string) string {
	if len(w) < 3 || w[0] != "banner" {
		return ""
	}
	rest := strings.Join(w[2:], " ")
	delim := rest[:1]
	switch {
	case strings.HasPrefix(rest, "^C"):
		delim = "^C"
	case rest[0] == 3: // a raw ETX
	case rest[0] < 0x80 && !isAlnum(rest[0]):
	default:
		return "" // ASA style: the text itself, one line per command
	}
	if strings.Contains(rest[len(delim):], delim) {
		return ""
	}
	return delim
}

// configBannerDelim is bannerDelim for a running configuration, where IOS
// prints every delimiter as ^C, sometimes as a raw ETX (see the IOS
// parser's skipBanner), and an ASA prints one line per banner command
// whatever its first character ("banner motd -Authorised use only").
func configBannerDelim(w []string) string {
	if d := bannerDelim(w); d == "^C" || d == "\x03" {
		return d
	}
	return ""
}

// showBanner writes banner lines typed with delimiter delim ("banner motd
// #", text, "#") as show running-config prints them, with ^C.
func showBanner(lines []string, delim string) []string {
	if delim == "^C" || delim == "\x03" {
		return lines
	}
	out := slices.Clone(lines)
	first := out[0]
	if i := bannerTextAt(first); i >= 0 {
		out[0] = first[:i] + "^C" + first[i+len(delim):]
	}
	last := out[len(out)-1]
	if len(out) > 1 {
		if j := strings.Index(last, delim); j >= 0 {
			out[len(out)-1] = last[:j] + "^C" + last[j+len(delim):]
		}
	}
	return out
}

// bannerTextAt returns where the delimiter starts in "banner TYPE DELIM...":
// after the second word and the blanks that follow it, or -1.
func bannerTextAt(line string) int {
	i, words := 0, 0
	for words < 2 {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i == len(line) {
			return -1
		}
		for i < len(line) && line[i] != ' ' && line[i] != '\t' {
			i++
		}
		words++
	}
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i == len(line) {
		return -1
	}
	return i
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// render writes the tree back as text, one line per line, LF-terminated.
func (n *node) render(b *strings.Builder) {
	for _, c := range n.children {
		for _, r := range c.raw {
			b.WriteString(r)
			b.WriteByte('\n')
		}
		c.render(b)
	}
}

// headerKey is how a section header is compared: interface names in
// canonical long form (a patch may say Gi1/0/1), other headers word for word.
func headerKey(w []string) string {
	if len(w) >= 2 && strings.EqualFold(w[0], "interface") {
		name := w[1]
		if len(w) >= 3 && strings.IndexAny(name, "0123456789") < 0 {
			name += w[2] // "interface Gi 1/0/1"
		}
		return "interface " + facts.CanonicalInterface(name)
	}
	return strings.Join(w, " ")
}

// sections returns the children of the blocks in bs whose header is h. An
// ASA prints an object network twice (definition, then its NAT), so one
// header can have several blocks.
func sections(bs []*node, h []string) []*node {
	key := headerKey(h)
	var out []*node
	for _, b := range bs {
		for _, c := range b.children {
			if !c.passive && c.key() == key {
				out = append(out, c)
			}
		}
	}
	return out
}

// childIndent is the indentation a new command at the end of section b
// gets: that of its last command, else one more than its header. Commands
// of a section never get deeper from one to the next (a deeper line is the
// previous one's child), so a new command deeper than the last would be
// read back as its child.
func childIndent(b *node) int {
	for i := len(b.children) - 1; i >= 0; i-- {
		if c := b.children[i]; !c.passive {
			return c.indent
		}
	}
	return b.indent + 1
}

// insertAt inserts n into b's children at i.
func (b *node) insertAt(i int, n *node) {
	b.children = append(b.children, nil)
	copy(b.children[i+1:], b.children[i:])
	b.children[i] = n
}

// appendChild adds n at the end of section b: after its last command and
// before trailing comments ("!"), "end" and prompts. At the top level a
// command goes after the last one starting with the same word, where show
// running-config groups them (sysopt, nat, timeout, interface ...).
func (b *node) appendChild(n *node) {
	last := -1
	for i, c := range b.children {
		if !c.passive {
			last = i
		}
	}
	if b.indent < 0 && len(n.words) > 0 {
		for i := last; i >= 0; i-- {
			c := b.children[i]
			if !c.passive && c.words[0] == n.words[0] {
				last = i
				break
			}
		}
	}
	// Lines indented deeper than n right after the place would become its
	// commands when the text is read again: go past them.
	for last+1 < len(b.children) && b.children[last+1].indent > n.indent {
		last++
	}
	b.insertAt(last+1, n)
}

// remove drops child c of b.
func (b *node) remove(c *node) {
	for i, x := range b.children {
		if x == c {
			b.children = append(b.children[:i], b.children[i+1:]...)
			return
		}
	}
}

// removal is what removed a line: the "no" command typed in the section
// headed by ctx, or for a whole section its header key.
type removal struct {
	ctx []string
	no  cmd
	key string
}

// fits reports whether a line with words w, entered later in the same
// patch, goes where r removed a line: the same "no" would remove it, as a
// section (a header with no commands under it is a line, and a line a
// header) or as a line. A
// patch that removes a line and enters its new form ("no nat ...", then
// the rule with no-proxy-arp) then puts it back in its place, and gives
// the same text when it is applied again (the second pass removes the new
// form and enters it again), instead of moving it to the end. The ASA adds
// a twice NAT rule entered without a line number at the end of section 1
// (Cisco ASA 5500 Series Configuration Guide using the CLI, Configuring
// Twice NAT, Default Settings), so pasting such a patch twice on the device
// can reorder rules; the patcher keeps the rule where it was.
func (r *removal) fits(w []string) bool {
	if r.key != "" {
		return headerKey(w) == r.key
	}
	return removes(newCmd(r.ctx, w), r.no)
}

// drop replaces child c of b with a placeholder that remembers r.
func (b *node) drop(c *node, r *removal) {
	for i, x := range b.children {
		if x == c {
			b.children[i] = &node{passive: true, indent: c.indent, gone: r}
			return
		}
	}
}

// refill puts n, a line not yet in the tree, in the place of the first
// placeholder of the blocks bs it fits, and reports whether there was one.
func refill(bs []*node, n *node) bool {
	for _, b := range bs {
		for i, c := range b.children {
			if c.gone != nil && c.gone.fits(n.words) {
				if n.indent != c.indent {
					n.raw = []string{strings.Repeat(" ", c.indent) + strings.TrimSpace(n.raw[0])}
					n.indent = c.indent
				}
				b.children[i] = n
				return true
			}
		}
	}
	return false
}

func newLine(indent int, text string) *node {
	return &node{raw: []string{strings.Repeat(" ", indent) + text}, indent: indent, words: strings.Fields(text)}
}
