package precheck

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kaudit/kaudit/facts"
)

// A patch is configuration as an engineer types it in a change ticket:
//
//	interface GigabitEthernet1/0/1
//	 switchport port-security aging time 5
//	!
//	no nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB
//	sysopt noproxyarp voice
//
// ApplyPatch applies it to the device's running configuration the way the
// device would, as far as that can be done without the device's command
// grammar:
//
//   - Sections (interface, object network, policy-map and its classes,
//     class-map, object-group, ...) are opened by their header and hold
//     the lines indented under it, or the lines up to "exit", "!" at the
//     margin, or "end". Interface names may be abbreviated (Gi1/0/1), and
//     "interface range Gi1/0/1 - 4, Gi1/0/8" applies to each interface. A
//     section that does not exist is created after the last one of its kind
//     (as IOS creates a VLAN interface it is told to enter; no Cisco page
//     found states it for every kind of section).
//   - A line already in its section changes nothing. Re-entering a command
//     with a new value replaces the old line in place (see words.go for how
//     a command is recognised); otherwise the line is added at the end of
//     its section, or at the top level after the last line starting with the
//     same word (sysopt after sysopt, nat after nat).
//   - "no LINE" removes the matching lines (see removes in words.go for
//     the cases and the Cisco documents they follow): the same line, the
//     same command with any value ("no switchport port-security aging
//     time"), the command without its value but with what it applies to
//     ("no mac address-table aging-time" resets the global aging time and
//     leaves "... 60 vlan 200"; "no mac address-table aging-time vlan 200"
//     removes that one), the rule a list entry starts with ("no nat ..."
//     without its description), or a whole section ("no interface
//     Vlan300", "no class voice" in a policy-map). When nothing matches,
//     nothing changes and a warning says so (a "no" form that show
//     running-config prints, like "no cdp enable", is not added: the
//     parsers read none of them).
//   - A line entered after a "no" of the same patch that would remove it
//     takes the place of the line the "no" removed ("no nat ..." then the
//     rule with no-proxy-arp; "no interface Vlan200" then the interface
//     again), so that applying a patch twice gives the same text as once.
//   - Entering a command removes its "no" form ("shutdown" removes
//     "no shutdown", "nameif voice" removes "no nameif").
//   - "default interface X" empties the interface; "default LINE" removes
//     like "no". No Cisco command reference for either was found; this is
//     the common use (the interface keeps its header, as a physical
//     interface does).
//   - ASA timers: "timeout conn 0:30:00" and, in a class, "set connection
//     timeout idle 0:10:00" change that one timer where the running config
//     prints it (several timers share a line); "no timeout conn" drops it
//     (see noTimer for what the ASA documents).
//   - "configure terminal", "end" and "write memory" are accepted and do
//     nothing to the configuration.
//
// Limits: commands must be written in full, as show running-config prints
// them (keywords are not expanded, "sw po ag ti 5" is not understood);
// commands whose value is a word are only recognised for the keywords in
// valuePrefixes (for others, remove the old line with "no" first); sections
// of a saved configuration that is not indented are not recognised; lines
// the terminal wrapped at 80 columns are not rejoined.

// PatchError is a patch line that cannot be applied, located in its file.
type PatchError struct {
	File string
	Line int
	Msg  string
}

func (e *PatchError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// maxRange bounds how many interfaces one "interface range" can name, and
// maxOps the commands a whole patch expands to: each costs a pass over its
// section, and a hostile patch must not make the check run for hours.
const (
	maxRange = 4096
	maxOps   = 1 << 16
)

type opKind int

const (
	opSet opKind = iota
	opNo
	opDefault
	opDefaultInterface
)

// op is one patch line resolved to the section it applies to.
type op struct {
	kind   opKind
	path   [][]string // the headers of the enclosing sections, outermost first
	words  []string   // the command, without "no" or "default"
	text   string     // the command as typed, trimmed, without "no" or "default"
	header bool       // the line opens a section
	banner []string   // all lines of a multi-line banner
	line   int
}

type patchLine struct {
	n      int
	raw    string
	text   string
	indent int
}

// openSection is a section the patch has entered; an interface range is
// several sections at once.
type openSection struct {
	headers [][]string
	indent  int
}

// ApplyPatch applies patch (named name in errors and warnings) to config,
// a device's running configuration, and returns the patched configuration
// and warnings about lines that did not do what they seem to.
func ApplyPatch(config, patch []byte, name string) ([]byte, []string, error) {
	if err := facts.CheckText("show_running-config", config); err != nil {
		return nil, nil, fmt.Errorf("current running config: %w", err)
	}
	ops, warnings, err := parsePatch(patch, name)
	if err != nil {
		return nil, warnings, err
	}
	root, err := parseConfig(config)
	if err != nil {
		return nil, warnings, fmt.Errorf("current running config: %w", err)
	}
	a := &applier{root: root, file: name}
	for _, o := range ops {
		a.apply(o)
	}
	var b strings.Builder
	b.Grow(len(config) + len(patch))
	root.render(&b)
	out := []byte(b.String())
	// The result is read as device output next; refused there, it would
	// fail with no word of the patch.
	if err := facts.CheckText("show_running-config", out); err != nil {
		return nil, warnings, fmt.Errorf("running config once patched: %w", err)
	}
	return out, append(warnings, a.warnings...), nil
}

func parsePatch(patch []byte, name string) ([]op, []string, error) {
	if err := facts.CheckText(name, patch); err != nil {
		var pe *facts.ParseError
		if errors.As(err, &pe) {
			return nil, nil, &PatchError{File: name, Line: pe.Line, Msg: pe.Msg}
		}
		return nil, nil, &PatchError{File: name, Msg: err.Error()}
	}
	var lines []patchLine
	for i, raw := range splitLines(patch) {
		for _, c := range []byte(raw) {
			if c < 0x20 && c != '\t' && c != 3 || c == 0x7f {
				return nil, nil, &PatchError{File: name, Line: i + 1, Msg: fmt.Sprintf("control character 0x%02x: not a configuration line", c)}
			}
		}
		// The patched configuration is read again as device output, which
		// refuses binary data: a line that is not text must be refused
		// here, where its line is known.
		if !utf8.ValidString(raw) {
			return nil, nil, &PatchError{File: name, Line: i + 1, Msg: "not UTF-8 text: save the patch as UTF-8"}
		}
		t := strings.TrimSpace(raw)
		if t == "" {
			continue
		}
		lines = append(lines, patchLine{n: i + 1, raw: raw, text: t, indent: indentOf(raw)})
	}
	p := &patchParser{file: name, lines: lines}
	if err := p.run(); err != nil {
		return nil, p.warnings, err
	}
	if len(p.ops) == 0 {
		p.warnf(0, "no configuration lines: nothing changes")
	}
	return p.ops, p.warnings, nil
}

type patchParser struct {
	file     string
	lines    []patchLine
	stack    []openSection
	ops      []op
	warnings []string
}

func (p *patchParser) errf(n int, format string, args ...any) error {
	return &PatchError{File: p.file, Line: n, Msg: fmt.Sprintf(format, args...)}
}

func (p *patchParser) warnf(n int, format string, args ...any) {
	w := p.file
	if n > 0 {
		w += ":" + strconv.Itoa(n)
	}
	p.warnings = append(p.warnings, w+": "+fmt.Sprintf(format, args...))
}

func (p *patchParser) run() error {
	for i := 0; i < len(p.lines); i++ {
		ln := p.lines[i]
		t := ln.text
		if t[0] == '!' {
			if ln.indent == 0 {
				p.stack = nil
			}
			continue
		}
		if strings.Contains(t, "(config") && strings.Contains(t, ")#") || isPrompt(t) {
			return p.errf(ln.n, "terminal prompt in the patch (%q): give only the configuration commands", t)
		}
		if passiveLine(t, ln.indent) && t != "end" {
			continue // ASA ": " comments, a pasted "Building configuration..."
		}
		w := strings.Fields(t)
		switch strings.ToLower(strings.Join(w, " ")) {
		case "configure terminal", "conf t", "config t", "configure", "conf term":
			continue
		case "end":
			p.stack = nil
			continue
		case "exit":
			p.exit(ln.indent)
			continue
		case "write", "write memory", "wr", "wr mem", "copy running-config startup-config", "copy run start":
			p.warnf(ln.n, "%q ignored: the check never writes to a device", t)
			continue
		}
		for len(p.stack) > 0 && p.stack[len(p.stack)-1].indent >= ln.indent {
			p.stack = p.stack[:len(p.stack)-1]
		}
		if ln.indent > 0 && len(p.stack) == 0 {
			return p.errf(ln.n, "indented line %q is not under a section header (interface, object network, policy-map ...)", t)
		}
		ctx := p.context()
		o := op{kind: opSet, words: w, text: t, line: ln.n}
		switch w[0] {
		case "no":
			o.kind = opNo
		case "default":
			o.kind = opDefault
			if len(w) > 1 && w[1] == "interface" && len(p.stack) == 0 {
				o.kind = opDefaultInterface
			}
		}
		if o.kind != opSet {
			if len(w) == 1 {
				return p.errf(ln.n, "%q without a command", w[0])
			}
			o.words = w[1:]
			o.text = strings.TrimSpace(strings.TrimPrefix(t, w[0]))
		}
		if o.kind == opSet {
			if delim := bannerDelim(w); delim != "" {
				o.banner = []string{strings.TrimSpace(ln.raw)}
				closed := false
				for i+1 < len(p.lines) && !closed {
					i++
					o.banner = append(o.banner, p.lines[i].raw)
					closed = strings.Contains(p.lines[i].raw, delim)
				}
				if !closed {
					return p.errf(ln.n, "banner is not closed by %q before the end of the patch", delim)
				}
				if delim != "^C" && delim != "\x03" {
					// Written back with ^C, as show running-config
					// prints it, a ^C in the text would end it there.
					text := strings.Join(o.banner, "\n")[bannerTextAt(o.banner[0])+len(delim):]
					if strings.Contains(text, "^C") || strings.Contains(text, "\x03") {
						return p.errf(ln.n, "banner text holds ^C, where show running-config would end it: choose another text")
					}
					o.banner = showBanner(o.banner, delim)
				}
				if err := p.emit(o); err != nil {
					return err
				}
				continue
			}
		}
		next := p.next(i)
		indented := next != nil && next.indent > ln.indent
		opener := isOpener(ctx, o.words)
		if indented && o.kind != opSet {
			return p.errf(ln.n, "%q cannot open a section: the lines indented under it belong nowhere", t)
		}
		if o.kind == opSet && (indented || opener) {
			o.header = true
			if !indented && next != nil && next.indent <= ln.indent && strictOpener(ctx, o.words) && !endsSection(ctx, next.text) {
				return p.errf(next.n, "%q follows section header %q without indentation: indent the commands of a section (one space, as show running-config does), or end the section with \"!\" or \"exit\" first", next.text, t)
			}
		}
		if o.kind == opDefaultInterface {
			if len(o.words) < 2 {
				return p.errf(ln.n, "default interface without an interface name")
			}
		}
		if err := p.emit(o); err != nil {
			return err
		}
		if o.header {
			hs, err := p.expand(o.words, ln.n)
			if err != nil {
				return err
			}
			p.stack = append(p.stack, openSection{headers: hs, indent: ln.indent})
		}
	}
	return nil
}

// emit adds o once for every combination of enclosing sections (an
// interface range is several) and, for an interface range line, once per
// interface.
func (p *patchParser) emit(o op) error {
	targets := [][]string{o.words}
	if o.header || o.kind == opDefaultInterface || o.kind == opNo && len(p.stack) == 0 {
		hs, err := p.expand(o.words, o.line)
		if err != nil {
			return err
		}
		targets = hs
	}
	paths := [][][]string{nil}
	for _, s := range p.stack {
		var next [][][]string
		for _, base := range paths {
			for _, h := range s.headers {
				next = append(next, append(append([][]string(nil), base...), h))
			}
		}
		paths = next
	}
	if len(paths)*len(targets) > maxRange {
		return p.errf(o.line, "line applies to %d sections, more than %d", len(paths)*len(targets), maxRange)
	}
	if len(p.ops)+len(paths)*len(targets) > maxOps {
		return p.errf(o.line, "the patch expands to more than %d commands", maxOps)
	}
	for _, path := range paths {
		for _, t := range targets {
			x := o
			x.path = path
			if len(targets) > 1 || !equalWords(t, o.words) {
				x.words = t
				x.text = strings.Join(t, " ")
			}
			p.ops = append(p.ops, x)
		}
	}
	return nil
}

// expand turns "interface range Gi1/0/1 - 3, Gi1/0/8" into the headers of
// each interface; any other header is itself.
func (p *patchParser) expand(w []string, n int) ([][]string, error) {
	if len(w) < 2 || w[0] != "interface" || w[1] != "range" {
		return [][]string{w}, nil
	}
	spec := strings.Join(w[2:], " ")
	if strings.TrimSpace(spec) == "" {
		return nil, p.errf(n, "interface range without interfaces")
	}
	var out [][]string
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, p.errf(n, "interface range %q: empty item", spec)
		}
		first, last, isRange := splitRange(part)
		name := facts.CanonicalInterface(strings.ReplaceAll(first, " ", ""))
		if !isRange {
			out = append(out, []string{"interface", name})
			continue
		}
		j := len(name)
		for j > 0 && name[j-1] >= '0' && name[j-1] <= '9' {
			j--
		}
		start, err := strconv.Atoi(name[j:])
		if err != nil || last < start || last-start >= maxRange {
			return nil, p.errf(n, "interface range %q: bad range %q", spec, part)
		}
		for k := start; k <= last; k++ {
			out = append(out, []string{"interface", name[:j] + strconv.Itoa(k)})
		}
		if len(out) > maxRange {
			return nil, p.errf(n, "interface range %q names more than %d interfaces", spec, maxRange)
		}
	}
	return out, nil
}

// splitRange reads "Gi1/0/1 - 4", "Gi1/0/1-4" or "Gi1/0/1 - Gi1/0/4".
func splitRange(part string) (first string, last int, ok bool) {
	i := strings.LastIndex(part, "-")
	if i <= 0 {
		return part, 0, false
	}
	before, after := strings.TrimSpace(part[:i]), strings.TrimSpace(part[i+1:])
	if before == "" || before[len(before)-1] < '0' || before[len(before)-1] > '9' {
		return part, 0, false // Port-channel1
	}
	j := len(after)
	for j > 0 && after[j-1] >= '0' && after[j-1] <= '9' {
		j--
	}
	if j == len(after) || len(after)-j > 6 {
		return part, 0, false
	}
	n, err := strconv.Atoi(after[j:])
	if err != nil {
		return part, 0, false
	}
	return before, n, true
}

// exit closes the section an "exit" typed at indent ends: the sections at
// or below that indentation, else the innermost one.
func (p *patchParser) exit(indent int) {
	if len(p.stack) == 0 {
		return
	}
	if p.stack[len(p.stack)-1].indent < indent {
		p.stack = p.stack[:len(p.stack)-1]
		return
	}
	for len(p.stack) > 0 && p.stack[len(p.stack)-1].indent >= indent {
		p.stack = p.stack[:len(p.stack)-1]
	}
}

// context is the header of the innermost open section (nil at the top).
func (p *patchParser) context() []string {
	if len(p.stack) == 0 {
		return nil
	}
	return p.stack[len(p.stack)-1].headers[0]
}

func (p *patchParser) next(i int) *patchLine {
	if i+1 < len(p.lines) {
		return &p.lines[i+1]
	}
	return nil
}

// isOpener reports commands that open a section even with nothing under
// them in the patch.
func isOpener(ctx, w []string) bool {
	if len(w) < 2 {
		return false
	}
	if ctx != nil {
		return ctx[0] == "policy-map" && w[0] == "class"
	}
	switch w[0] {
	case "interface", "object", "object-group", "policy-map", "class-map", "router", "line", "route-map", "vrf":
		return true
	case "ip", "ipv6":
		return w[1] == "access-list" && len(w) >= 4
	case "vlan":
		return isValue(w[1])
	}
	return false
}

// strictOpener are the headers after which an unindented command is far
// more likely a forgotten indentation than a global command.
func strictOpener(ctx, w []string) bool {
	if len(w) < 2 {
		return false
	}
	if ctx != nil {
		return ctx[0] == "policy-map" && w[0] == "class"
	}
	switch w[0] {
	case "interface", "object", "object-group", "policy-map", "class-map":
		return true
	}
	return false
}

// endsSection reports lines that may follow a section header with an
// empty body: a comment, exit, end, or another header.
func endsSection(ctx []string, t string) bool {
	w := strings.Fields(t)
	if t[0] == '!' || w[0] == "exit" || w[0] == "end" {
		return true
	}
	if (w[0] == "no" || w[0] == "default") && len(w) > 1 {
		w = w[1:]
	}
	return isOpener(ctx, w) || isOpener(nil, w)
}

// applier applies ops to a configuration tree.
type applier struct {
	root     *node
	file     string
	warnings []string
	gaps     []timerGap
}

// timerGap is where a "no timeout NAME" of the patch took a timer out of a
// line that still prints others. The timer entered again later in the
// patch goes back there: a second pass takes it out of the line the first
// pass wrote, and must not then write it on a line of its own.
type timerGap struct {
	line *node
	at   int // how many timers of the line came before it
	name []string
}

func (a *applier) warnf(o op, format string, args ...any) {
	a.warnings = append(a.warnings, fmt.Sprintf("%s:%d: ", a.file, o.line)+fmt.Sprintf(format, args...))
}

// resolve returns the blocks of the section at path, creating what is
// missing.
func (a *applier) resolve(path [][]string) []*node {
	bs := []*node{a.root}
	for _, h := range path {
		found := sections(bs, h)
		if len(found) == 0 {
			parent := bs[len(bs)-1]
			text := strings.Join(h, " ")
			if h[0] == "interface" {
				text = headerKey(h)
			}
			indent := 0
			if parent != a.root {
				indent = childIndent(parent)
			}
			n := newLine(indent, text)
			if !refill(bs, n) {
				parent.appendChild(n)
			}
			found = []*node{n}
		}
		bs = found
	}
	return bs
}

func (a *applier) apply(o op) {
	var ctx []string
	if len(o.path) > 0 {
		ctx = o.path[len(o.path)-1]
	}
	switch o.kind {
	case opSet:
		if o.header {
			a.resolve(append(append([][]string(nil), o.path...), o.words))
			return
		}
		a.set(a.resolve(o.path), ctx, o)
	case opNo, opDefault:
		a.no(a.resolve(o.path), ctx, o)
	case opDefaultInterface:
		bs := sections([]*node{a.root}, o.words)
		if len(bs) == 0 {
			a.warnf(o, "default %s: no such interface in the running config; nothing changed", o.text)
		}
		for _, b := range bs {
			b.children = nil
		}
	}
}

// commands calls fn for every command line of the blocks (not comments).
func commands(bs []*node, fn func(b, c *node)) {
	for _, b := range bs {
		for _, c := range append([]*node(nil), b.children...) {
			if !c.passive {
				fn(b, c)
			}
		}
	}
}

func positive(c *node) bool { return c.words[0] != "no" }

func (a *applier) set(bs []*node, ctx []string, o op) {
	if o.banner != nil {
		a.setBanner(o)
		return
	}
	if a.setTimer(bs, ctx, o) {
		return
	}
	a.setLine(bs, ctx, o.words, o.text)
}

// setLine enters the command words (typed as text) in the blocks bs of the
// section headed by ctx: nothing if it is there, else in place of the line
// it replaces, else at the end.
func (a *applier) setLine(bs []*node, ctx, words []string, text string) {
	// The "no" forms go even when the line is already there, so that a
	// second pass finds nothing more to do.
	w := newCmd(ctx, words)
	commands(bs, func(b, c *node) {
		if !positive(c) && len(c.words) > 1 && len(c.children) == 0 && cancels(c.cmd(ctx), w) {
			b.remove(c)
		}
	})
	there := false
	commands(bs, func(_, c *node) { there = there || equalWords(c.words, words) })
	if there {
		return
	}
	var first *node
	commands(bs, func(b, c *node) {
		if !positive(c) || len(c.children) > 0 || !replaces(c.cmd(ctx), w) {
			return
		}
		if first == nil {
			first = c
			c.set(text)
			return
		}
		b.remove(c)
	})
	if first != nil {
		return
	}
	a.add(bs, text)
}

// add appends a command to the last block of a section, or puts it where
// the patch removed a line it replaces (see removal.fits).
func (a *applier) add(bs []*node, text string) {
	last := bs[len(bs)-1]
	indent := 0
	if last != a.root {
		indent = childIndent(last)
	}
	n := newLine(indent, text)
	if !refill(bs, n) {
		last.appendChild(n)
	}
}

func (a *applier) no(bs []*node, ctx []string, o op) {
	removed := 0
	key := headerKey(o.words)
	commands(bs, func(b, c *node) {
		if c.key() == key && (len(c.children) > 0 || isOpener(ctx, o.words)) {
			b.drop(c, &removal{key: key})
			removed++
		}
	})
	// The lines the words start go too, section or not: with no commands
	// under it the header is such a line, and a second pass of a patch
	// that gave it commands must remove the same lines as the first.
	// A timer no line prints is looked for as a line: "timeout 0" is not
	// a timer line, but "no timeout 0" removes it like any other.
	if a.noTimer(bs, ctx, o) {
		return
	}
	w := newCmd(ctx, o.words)
	gone := &removal{ctx: ctx, no: w}
	commands(bs, func(b, c *node) {
		if positive(c) && len(c.children) == 0 && removes(c.cmd(ctx), w) {
			b.drop(c, gone)
			removed++
		}
	})
	if removed > 0 {
		return
	}
	already := false
	commands(bs, func(_, c *node) {
		already = already || !positive(c) && equalWords(c.words[1:], o.words)
	})
	if already {
		return
	}
	where := "the running config"
	if len(o.path) > 0 {
		where = strings.Join(o.path[len(o.path)-1], " ")
	}
	verb := "no"
	if o.kind == opDefault {
		verb = "default"
	}
	a.warnf(o, "%s %s: no such line in %s; nothing removed", verb, o.text, where)
}

// setBanner replaces the banner of the same type (a multi-line banner is
// one command).
func (a *applier) setBanner(o op) {
	typ := ""
	if len(o.words) > 1 {
		typ = o.words[1]
	}
	var at int = -1
	kept := a.root.children[:0]
	for _, c := range a.root.children {
		if !c.passive && len(c.words) > 1 && c.words[0] == "banner" && c.words[1] == typ {
			if at < 0 {
				at = len(kept)
			}
			continue
		}
		kept = append(kept, c)
	}
	a.root.children = kept
	n := &node{raw: o.banner, words: o.words}
	if at >= 0 {
		a.root.insertAt(at, n)
		return
	}
	a.root.appendChild(n)
}

// timerPrefix returns the length of the prefix of an ASA timer line:
// "timeout" at the top level, "set connection timeout" in a class; 0 for
// any other line.
func timerPrefix(ctx, w []string) int {
	switch {
	case ctx == nil && len(w) >= 2 && w[0] == "timeout":
		return 1
	case ctx != nil && len(w) >= 4 && w[0] == "set" && w[1] == "connection" && w[2] == "timeout":
		return 3
	}
	return 0
}

type timerSeg struct {
	name  []string
	value string
	mods  []string
}

// timerMods are words that follow a timer's value.
var timerMods = map[string]bool{"absolute": true, "inactivity": true, "reset": true}

// parseTimers reads "NAME h:mm:ss [mod] NAME h:mm:ss ...". A name starts
// with a lower-case letter, as the ASA parser wants (timeoutName): a line it
// would not read as timers ("timeout 9 0:00:01") is a line like any other.
func parseTimers(w []string) ([]timerSeg, bool) {
	var segs []timerSeg
	var cur timerSeg
	for _, t := range w {
		switch {
		case isHMS(t):
			if len(cur.name) == 0 {
				return nil, false
			}
			cur.value = t
			segs = append(segs, cur)
			cur = timerSeg{}
		case len(cur.name) == 0 && len(segs) > 0 && timerMods[t]:
			s := &segs[len(segs)-1]
			s.mods = append(s.mods, t)
		default:
			if t[0] < 'a' || t[0] > 'z' {
				return nil, false
			}
			cur.name = append(cur.name, t)
			if len(cur.name) > 2 {
				return nil, false
			}
		}
	}
	return segs, len(cur.name) == 0 && len(segs) > 0
}

// lastPerName keeps the last setting of each timer, in first-seen order.
func lastPerName(segs []timerSeg) []timerSeg {
	var out []timerSeg
	for _, s := range segs {
		i := slices.IndexFunc(out, func(o timerSeg) bool { return equalWords(o.name, s.name) })
		if i < 0 {
			out = append(out, s)
			continue
		}
		out[i] = s
	}
	return out
}

func isHMS(t string) bool {
	parts := strings.Split(t, ":")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 4 {
			return false
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
		}
	}
	return true
}

func timerText(prefix []string, segs []timerSeg) string {
	w := append([]string(nil), prefix...)
	for _, s := range segs {
		w = append(w, s.name...)
		w = append(w, s.value)
		w = append(w, s.mods...)
	}
	return strings.Join(w, " ")
}

// setTimer sets each timer of a timer line where the running config
// prints it, and adds the ones it does not have on a new line.
func (a *applier) setTimer(bs []*node, ctx []string, o op) bool {
	n := timerPrefix(ctx, o.words)
	if n == 0 {
		return false
	}
	segs, ok := parseTimers(o.words[n:])
	if !ok {
		return false
	}
	// A timer named twice in one line takes its last value, as the ASA
	// would after reading both.
	segs = lastPerName(segs)
	prefix := o.words[:n]
	var rest []timerSeg
	for _, s := range segs {
		done := a.fillGap(bs, n, s)
		commands(bs, func(_, c *node) {
			if len(c.words) <= n || !hasPrefix(c.words, prefix) {
				return
			}
			have, ok := parseTimers(c.words[n:])
			if !ok {
				return
			}
			hit := false
			for i := range have {
				if equalWords(have[i].name, s.name) {
					have[i].value, have[i].mods = s.value, s.mods
					hit = true
				}
			}
			if hit {
				c.set(timerText(prefix, have))
				done = true
			}
		})
		if !done {
			rest = append(rest, s)
		}
	}
	if len(rest) > 0 {
		// As any command: a line of the same shape that is not a timer
		// line ("timeout A 00000") is replaced, not kept beside it.
		text := timerText(prefix, rest)
		a.setLine(bs, ctx, strings.Fields(text), text)
	}
	return true
}

// fillGap puts timer s back into the line a "no" of the patch took it out
// of, if that line is still in the blocks bs, and reports whether it did.
func (a *applier) fillGap(bs []*node, n int, s timerSeg) bool {
	for i, g := range a.gaps {
		if !equalWords(g.name, s.name) {
			continue
		}
		a.gaps = slices.Delete(a.gaps, i, i+1)
		there := false
		commands(bs, func(_, c *node) { there = there || c == g.line })
		if !there {
			return false
		}
		have, ok := parseTimers(g.line.words[n:])
		if !ok {
			return false
		}
		have = slices.Insert(have, min(g.at, len(have)), s)
		g.line.set(timerText(g.line.words[:n], have))
		return true
	}
	return false
}

// noTimer drops the timers "no timeout NAME [h:mm:ss] [NAME h:mm:ss ...]"
// names from the lines that print them, and a line whose timers are all
// gone. It reports whether it dropped any.
//
// Cisco ASA Series Firewall CLI Configuration Guide, Connection Settings,
// Configure Global Timeouts: "Use the no timeout command to reset all
// timeouts to their default values. If you want to simply reset one timer
// to the default, enter the timeout command for that setting with the
// default value." No document found gives a no form for one timer, nor one
// for "set connection timeout" in a class. The timer is dropped: the rules
// then see it unset, not at its default value. "no timeout" alone is not
// modelled (it names no timer and matches no line).
func (a *applier) noTimer(bs []*node, ctx []string, o op) (found bool) {
	n := timerPrefix(ctx, o.words)
	if n == 0 {
		return false
	}
	var names [][]string
	if segs, ok := parseTimers(o.words[n:]); ok {
		for _, s := range segs {
			names = append(names, s.name)
		}
	} else {
		var name []string
		for _, t := range o.words[n:] {
			if isHMS(t) {
				break
			}
			name = append(name, t)
		}
		if len(name) == 0 || len(name) > 2 {
			return false
		}
		names = [][]string{name}
	}
	prefix := o.words[:n]
	gone := &removal{ctx: ctx, no: newCmd(ctx, o.words)}
	commands(bs, func(b, c *node) {
		if len(c.words) <= n || !hasPrefix(c.words, prefix) {
			return
		}
		have, ok := parseTimers(c.words[n:])
		if !ok {
			return
		}
		var kept []timerSeg
		var gaps []timerGap
		for _, s := range have {
			if slices.ContainsFunc(names, func(name []string) bool { return equalWords(s.name, name) }) {
				found = true
				gaps = append(gaps, timerGap{line: c, at: len(kept), name: s.name})
				continue
			}
			kept = append(kept, s)
		}
		switch {
		case len(kept) == len(have):
		case len(kept) == 0:
			b.drop(c, gone)
		default:
			c.set(timerText(prefix, kept))
			a.gaps = append(a.gaps, gaps...)
		}
	})
	return found
}
