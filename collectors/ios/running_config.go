package ios

import (
	"bytes"
	"slices"

	"github.com/kaudit/kaudit/facts"
)

// defaultMACAgingSeconds is the IOS default of mac address-table aging-time.
const defaultMACAgingSeconds = 300

// runningConfig is what ParseRunningConfig keeps before it touches d.
type runningConfig struct {
	hostname  string
	version   string
	ports     []facts.SwitchPort
	templates []facts.InterfaceTemplate
	aging     *facts.MACAging
	warns     []*facts.ParseError
	// mayApply: templates can shape the ports (see
	// facts.Switch.TemplatesMayApply).
	mayApply bool

	serviceTemplates []facts.ServiceTemplate
	controlPolicies  []facts.ControlPolicy
	nat              facts.RouterNAT
	zbf              facts.ZBF
}

// ParseRunningConfig reads show running-config, a saved or candidate
// configuration, or a "show running-config interface X" fragment: the
// hostname, every interface with its switchport and port-security
// settings, and any global "mac address-table aging-time" lines (used as
// d.Switch.MACAging only when show mac address-table aging-time has not
// filled it).
func ParseRunningConfig(data []byte, d *facts.Device) error {
	cfg, err := readRunningConfig(data, d)
	if err != nil {
		return withHost(err, d)
	}
	sw := ensureSwitch(d)
	if cfg.hostname != "" {
		sw.Hostname = cfg.hostname
	}
	if sw.Version == "" {
		sw.Version = cfg.version
	}
	sw.Interfaces = cfg.ports
	if sw.MACAging == nil {
		sw.MACAging = cfg.aging
	}
	// The running config's templates replace those of an earlier
	// running config (a candidate in a pre-change check); the device's
	// built-in list stays.
	sw.Templates = slices.DeleteFunc(sw.Templates, func(t facts.InterfaceTemplate) bool { return t.Key == keyRunningConfig })
	sw.Templates = append(sw.Templates, cfg.templates...)
	sw.TemplatesMayApply = cfg.mayApply
	sw.ServiceTemplates, sw.ControlPolicies = cfg.serviceTemplates, cfg.controlPolicies
	sw.NAT, sw.ZBF = cfg.nat, cfg.zbf
	sw.ResolveTemplates(keyRunningConfig)
	addWarnings(d, cfg.warns)
	return nil
}

// configParser holds the state of one pass over a configuration.
type configParser struct {
	d   *facts.Device
	key string
	r   *lineReader
	cfg runningConfig

	cur int // index in cfg.ports of the open interface block, -1 outside
	// inTemplate: cur indexes cfg.templates (a "template NAME" block).
	inTemplate bool
	// block is the open IBNS 2.0 block (blockServiceTemplate...).
	block  int
	base   int // indentation of the open block's commands, -1 until seen
	byName map[string]int

	// The text of the current line's Source, made once: the values read
	// from a line are substrings of it, so a kept line costs one string.
	// Only the text is kept here, not the whole Source: the host and key
	// are the same for every line, and each stored pointer is a write
	// barrier while the GC runs.
	srcLine int
	srcText string
	// lines gives identical lines one text: ports repeat the same
	// commands (" switchport mode access" on every access port). A
	// configuration has many distinct lines: its map is made at once.
	lines interner
	// psHint is the number of port-security attributes of the port
	// before the open one (see setPS).
	psHint int
	warns  []*facts.ParseError
}

func readRunningConfig(data []byte, d *facts.Device) (*runningConfig, error) {
	return readConfig(keyRunningConfig, data, d)
}

// readConfig reads a configuration saved under key: the running config,
// the derived config, or the device's built-in templates.
func readConfig(key string, data []byte, d *facts.Device) (*runningConfig, error) {
	if err := checkText(key, data); err != nil {
		return nil, err
	}
	p := &configParser{d: d, key: key, r: newLineReader(data), cur: -1, base: -1, lines: interner{set: fewMap[string]{m: make(map[string]string, 32)}}}
	r := p.r
	// A configuration pasted with every line indented alike is read as
	// printed at the margin; its evidence lines keep the indentation.
	strip := commonIndent(data)
	var (
		header     int  // line of the "Building configuration..." / "Current configuration" header
		sawEnd     bool // the closing "end"
		recognised bool // anything that only a configuration contains
		hostname   bool // a whole configuration, not an interface fragment
		// flat is set in a "Derived configuration" output or an
		// interface fragment whose interface commands are not indented
		// (genieparser's ShowDerivedConfigInterface golden_6,
		// ShowRunInterface golden_output_19 and _20): inside an
		// interface block, every line up to "!", "end" or the next
		// interface is one of its commands. A whole configuration
		// (hostname before the interfaces) always indents them.
		flat    bool
		derived bool
	)
	for r.next() {
		line := r.line
		indent := 0
		for indent < len(line) && isBlank(line[indent]) {
			indent++
		}
		if indent == len(line) {
			continue
		}
		if strip > 0 {
			s := min(indent, strip)
			line, indent = line[s:], indent-s
		}
		body := line[indent:]
		if indent == 0 && flat && p.cur >= 0 && !startsTopLevel(line) {
			indent = max(p.base, 1)
		}
		if r.paged && p.cur >= 0 && !startsTopLevel(line) {
			// The paging prompt ate this line's indentation; inside an
			// interface block it is most likely one of its commands.
			indent = max(p.base, 1)
		}
		if indent > 0 {
			if p.cur < 0 {
				if p.block != blockNone {
					blockLine := p.blockLine
					if p.block > blockControlPolicy {
						blockLine = p.routerBlockLine
					}
					if err := blockLine(body); err != nil {
						return nil, err
					}
				}
				continue
			}
			if p.base < 0 {
				p.base = indent
			}
			if indent > p.base {
				continue // a sub-mode of an interface command (service instance, pvc, ...)
			}
			if err := p.interfaceLine(body); err != nil {
				return nil, err
			}
			continue
		}

		p.cur, p.inTemplate, p.block = -1, false, blockNone
		switch line[0] {
		case 's', 'p':
			if p.openBlock(line) || p.openRouterBlock(line) {
				continue
			}
		case 'c', 'z':
			if p.openRouterBlock(line) {
				continue
			}
		case 'i':
			if ok, err := p.routerGlobal(line); err != nil {
				return nil, err
			} else if ok {
				continue
			}
		}
		switch line[0] {
		case '!':
			// Not proof of a configuration: any text can hold a "!".
		case 'i':
			if rest, ok := keyword(line, "interface"); ok {
				if err := p.openInterface(rest); err != nil {
					return nil, err
				}
				recognised = true
				// The next line tells whether this derived config or
				// fragment indents its interface commands.
				if (derived || !hostname) && startsAtMargin(r.data, strip) {
					flat = true
				}
			}
		case 't':
			if rest, ok := keyword(line, "template"); ok {
				p.openTemplate(rest)
				recognised = true
			}
		case 'a':
			if _, ok := keyword(line, "autoconf"); ok {
				p.cfg.mayApply = true
			}
		case 'h':
			if rest, ok := keyword(line, "hostname"); ok && len(rest) > 0 {
				p.cfg.hostname = p.str(rest)
				recognised, hostname = true, true
			}
		case 'v':
			if rest, ok := keyword(line, "version"); ok && len(rest) > 0 {
				p.cfg.version = p.str(rest)
				recognised = true
			}
		case 'e':
			if string(line) == "end" {
				sawEnd, recognised = true, true
			}
		case 'b':
			if rest, ok := keyword(line, "banner"); ok {
				if err := p.skipBanner(rest); err != nil {
					return nil, err
				}
				recognised = true
			}
		case 'm':
			if err := p.macAging(line); err != nil {
				return nil, err
			}
		case 'B', 'C', 'D':
			// Building configuration... / Current configuration : N bytes /
			// Derived configuration : N bytes
			if bytes.HasPrefix(line, []byte("Building configuration")) ||
				bytes.HasPrefix(line, []byte("Current configuration")) ||
				bytes.HasPrefix(line, []byte("Derived configuration")) {
				if header == 0 {
					header = r.n
				}
				derived = derived || line[0] == 'D'
				recognised = true
			}
		}
	}
	if !recognised {
		return nil, facts.Errorf(key, 1, "not a configuration: no \"Building configuration\" or \"Current configuration\" header, hostname, version, interface or \"end\" line")
	}
	if header > 0 && !sawEnd {
		if hostname || len(p.cfg.ports) == 0 {
			return nil, facts.Errorf(key, r.n, "configuration announced at line %d has no closing \"end\": output truncated", header)
		}
		// Interface fragments (show running-config interface X, often
		// several pasted together, as in ntc-templates'
		// cisco_ios_show_running-config_interface.raw) are read without
		// their "end", and say so.
		p.warns = append(p.warns, facts.Errorf(key, r.n, "interface configuration announced at line %d has no closing \"end\": read as fragments, later interfaces may be missing", header))
	}
	if len(p.cfg.ports) == 0 && (hostname || header > 0) && len(p.cfg.templates) == 0 {
		// Every IOS device has interfaces. Below privilege 15, IOS shows
		// only the commands the user's level may configure, and the
		// configuration comes out nearly empty (Cisco tech note "IOS
		// Privilege Levels Cannot See Complete Running Configuration"):
		// unknown, never a clean switch.
		return nil, facts.Errorf(key, r.n, "configuration without any interface: the account may lack privilege 15 (IOS shows only what its level may configure), or the output is cut")
	}
	if p.cfg.ports == nil {
		p.cfg.ports = []facts.SwitchPort{} // no interface: an empty list, not none
	}
	p.cfg.warns = p.warns
	if a := p.cfg.aging; a != nil && !a.GlobalSet {
		a.GlobalSeconds = defaultMACAgingSeconds
	}
	return &p.cfg, nil
}

// commonIndent is the indentation all the configuration lines of data
// share: 0 for a configuration as a device prints it, whose global
// commands start at the margin; more for one pasted with every line
// indented alike (genieparser's ShowRunInterface golden_output_4 keeps
// the 8 blanks of the Python source it was cut from). Blank lines, "!"
// and "end" are not counted: a paste may leave them at the margin. A
// device's own output returns at its first global line.
func commonIndent(data []byte) int {
	common := -1
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, nl)
		n := 0
		for n < len(line) && isBlank(line[n]) {
			n++
		}
		body := trimRight(line[n:])
		if len(body) == 0 || body[0] == '!' || string(body) == "end" {
			continue
		}
		if n == 0 {
			return 0
		}
		if common < 0 || n < common {
			common = n
		}
	}
	return max(common, 0)
}

// startsAtMargin reports whether the next line, at the start of data, is
// printed no deeper than the configuration's margin (strip blanks) and is
// not a "!": the first command of an interface block that does not
// indent its commands.
func startsAtMargin(data []byte, strip int) bool {
	n := 0
	for n < len(data) && n < strip && isBlank(data[n]) {
		n++
	}
	return n < len(data) && !isBlank(data[n]) && data[n] != '!'
}

// startsTopLevel reports whether a configuration line can only be a
// global command.
func startsTopLevel(line []byte) bool {
	return line[0] == '!' || bytes.HasPrefix(line, []byte("interface ")) || string(line) == "end"
}

func (p *configParser) errorf(format string, args ...any) error {
	return facts.Errorf(p.key, p.r.n, format, args...)
}

// src is the Source of the current line, its text shared with the
// identical lines before it.
func (p *configParser) src() facts.Source { return p.lineSrc(true) }

// uniqueSrc is src for a line that is rarely repeated (an interface or a
// MAC address line): its text is not looked up among the others.
func (p *configParser) uniqueSrc() facts.Source { return p.lineSrc(false) }

// lineSrc makes the current line's text once, whichever of src and
// uniqueSrc asks first.
func (p *configParser) lineSrc(shared bool) facts.Source {
	if p.srcLine != p.r.n {
		if shared {
			p.srcText = p.lines.get(p.r.line)
		} else {
			p.srcText = string(p.r.line)
		}
		p.srcLine = p.r.n
	}
	return facts.At(p.d, p.key, facts.Line{N: p.r.n, Text: p.srcText})
}

// str returns b, a part of the current line, as a string that shares the
// line's source text.
func (p *configParser) str(b []byte) string { return p.strIn(p.src(), b) }

// strIn is str cut from src, the current line's Source.
func (p *configParser) strIn(src facts.Source, b []byte) string {
	off := cap(p.r.line) - cap(b)
	if off < 0 || off+len(b) > len(p.r.line) {
		return string(b)
	}
	return src.Text[off : off+len(b)]
}

// lowerStr is str in lower case, still sharing the text when b has no
// upper-case letter (configurations write keywords in lower case).
func (p *configParser) lowerStr(b []byte) string {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			return lower(b)
		}
	}
	return p.str(b)
}

// openInterface starts the block of "interface NAME [point-to-point|...]".
// A name seen twice (concatenated fragments) continues the first block.
func (p *configParser) openInterface(rest []byte) error {
	name, _ := cut(rest)
	var long string
	if isCanonicalInterface(name) {
		long = p.strIn(p.uniqueSrc(), name) // the long form configurations write
	} else {
		long = ifName(name)
	}
	if long == "" {
		return p.errorf("interface line without a name")
	}
	p.base = -1
	if p.cfg.ports == nil {
		// The first interface: the others follow it, so counting the
		// interface lines from here sizes the list once.
		n := 1 + countLines(p.r.data, "interface ", 5)
		p.cfg.ports = make([]facts.SwitchPort, 0, n)
		p.byName = make(map[string]int, n)
	}
	if i, ok := p.byName[long]; ok {
		p.cur = i
		return nil
	}
	p.cur = len(p.cfg.ports)
	if p.cur > 0 {
		p.psHint = p.cfg.ports[p.cur-1].PortSecurity.Sources.Len()
	}
	p.byName[long] = p.cur
	p.cfg.ports = append(p.cfg.ports, facts.SwitchPort{Name: long, Source: p.uniqueSrc()})
	return nil
}

// openTemplate starts the block of "template NAME": its commands are read
// as a port's.
func (p *configParser) openTemplate(rest []byte) {
	name, _ := cut(rest)
	if len(name) == 0 {
		return
	}
	p.base = -1
	p.cfg.mayApply = true
	p.cur, p.inTemplate = len(p.cfg.templates), true
	p.cfg.templates = append(p.cfg.templates, facts.InterfaceTemplate{
		Name: p.str(name), Key: p.key,
		Port: facts.SwitchPort{Name: "template " + string(name), Source: p.uniqueSrc()},
	})
}

// port is the port or template whose block is open.
func (p *configParser) port() *facts.SwitchPort {
	if p.inTemplate {
		return &p.cfg.templates[p.cur].Port
	}
	return &p.cfg.ports[p.cur]
}

// interfaceLine reads one command of the open interface block (t has no
// leading indentation).
func (p *configParser) interfaceLine(t []byte) error {
	port := p.port()
	switch t[0] {
	case 'd':
		if rest, ok := keyword(t, "description"); ok {
			port.Description = p.str(rest)
			port.Sources.SetAttr(attrDescription, p.src())
		}
	case 'n':
		if string(t) == "no shutdown" {
			port.Shutdown = false
			port.Sources.Delete("shutdown")
		}
	case 's':
		if string(t) == "shutdown" {
			port.Shutdown = true
			port.Sources.SetAttr(attrShutdown, p.src())
			return nil
		}
		if rest, ok := keyword(t, "switchport"); ok {
			return p.switchport(port, rest)
		}
		if rest, ok := keyword(t, "source"); ok {
			if rest, ok := keyword(rest, "template"); ok && !p.inTemplate {
				if name, _ := cut(rest); len(name) > 0 {
					port.Template = p.str(name)
					port.Sources.SetAttr(attrTemplate, p.src())
					p.cfg.mayApply = true
				}
			}
			return nil
		}
		if rest, ok := keyword(t, "service-policy"); ok {
			// An IBNS 2.0 control policy can also activate an
			// interface template at run time (ISE, or the policy).
			p.controlPolicyLine(port, rest)
		}
	case 'a':
		if ok, err := p.l3Line(port, t); ok || err != nil {
			return err
		}
		return p.authLine(port, t)
	case 'i':
		if p.routerInterfaceLine(port, t) {
			return nil
		}
		_, err := p.l3Line(port, t)
		return err
	case 'e':
		_, err := p.l3Line(port, t)
		return err
	case 'z':
		p.routerInterfaceLine(port, t)
	}
	return nil
}

func (p *configParser) switchport(port *facts.SwitchPort, t []byte) error {
	if rest, ok := keyword(t, "mode"); ok {
		if len(rest) > 0 {
			port.Mode = p.lowerStr(rest)
			port.Sources.SetAttr(attrMode, p.src())
		}
	} else if rest, ok := keyword(t, "access"); ok {
		if rest, ok := keyword(rest, "vlan"); ok {
			v, err := p.vlan(rest)
			if err != nil {
				return err
			}
			port.AccessVLAN = v
			port.Sources.SetAttr(attrAccessVLAN, p.src())
		}
	} else if rest, ok := keyword(t, "voice"); ok {
		if rest, ok := keyword(rest, "vlan"); ok {
			// dot1p, none and untagged carry voice without a voice VLAN: 0.
			v, err := p.vlan(rest)
			if err != nil {
				return err
			}
			port.VoiceVLAN = v
			port.Sources.SetAttr(attrVoiceVLAN, p.src())
		}
	} else if rest, ok := keyword(t, "port-security"); ok {
		return p.portSecurity(&port.PortSecurity, rest)
	}
	return nil
}

// vlan reads a VLAN number; a keyword (dynamic, dot1p, none, untagged,
// name ...) is 0, a malformed number an error.
func (p *configParser) vlan(t []byte) (int, error) {
	w, _ := cut(t)
	if len(w) == 0 || w[0] < '0' || w[0] > '9' {
		return 0, nil
	}
	v, ok := atoi(w)
	if !ok || v > 4095 {
		return 0, p.errorf("bad VLAN %q", w)
	}
	return v, nil
}

func (p *configParser) number(what string, w []byte) (int, error) {
	n, ok := atoi(w)
	if !ok {
		return 0, p.errorf("bad port-security %s %q", what, w)
	}
	return n, nil
}

func (p *configParser) portSecurity(ps *facts.PortSecurity, t []byte) error {
	if len(t) == 0 {
		ps.Enabled = true
		p.setPS(ps, attrEnabled)
		return nil
	}
	if rest, ok := keyword(t, "maximum"); ok {
		w, rest := cut(rest)
		n, err := p.number("maximum", w)
		if err != nil {
			return err
		}
		if rest, ok := keyword(rest, "vlan"); ok {
			scope, _ := cut(rest)
			k := p.str(scope)
			if k == "" {
				k = "all" // "maximum N vlan" on a trunk: each VLAN
			}
			if ps.VLANMaximum == nil {
				ps.VLANMaximum = map[string]int{}
			}
			ps.VLANMaximum[k] = n
			p.setPS(ps, vlanMaximumAttr(k))
			return nil
		}
		ps.Maximum = n
		p.setPS(ps, attrMaximum)
	} else if rest, ok := keyword(t, "violation"); ok {
		if len(rest) > 0 {
			ps.Violation = p.lowerStr(rest)
			p.setPS(ps, attrViolation)
		}
	} else if aging, ok := keyword(t, "aging"); ok {
		if rest, ok := keyword(aging, "time"); ok {
			v, _ := cut(rest)
			n, err := p.number("aging time", v)
			if err != nil {
				return err
			}
			ps.AgingMinutes, ps.AgingSet = n, true
			p.setPS(ps, attrAgingTime)
		} else if rest, ok := keyword(aging, "type"); ok {
			if v, _ := cut(rest); len(v) > 0 {
				ps.AgingType = p.lowerStr(v)
				p.setPS(ps, attrAgingType)
			}
		} else if _, ok := keyword(aging, "static"); ok {
			ps.AgingStatic = true
			p.setPS(ps, attrAgingStatic)
		}
	} else if rest, ok := keyword(t, "mac-address"); ok {
		w, rest := cut(rest)
		sticky := string(w) == "sticky"
		if sticky {
			if len(rest) == 0 {
				ps.Sticky = true
				p.setPS(ps, attrSticky)
				return nil
			}
			w, rest = cut(rest)
		}
		mac := facts.NormalizeMACBytes(w)
		if mac == "" {
			if bytes.ContainsAny(w, ".:") {
				return p.errorf("bad secure MAC address %q", w)
			}
			return nil // a keyword this version added, or nothing
		}
		m := facts.StickyMAC{MAC: mac, Source: p.uniqueSrc()}
		if v, rest := cut(rest); string(v) == "vlan" {
			scope, _ := cut(rest)
			m.VLAN = p.str(scope)
		}
		if sticky {
			ps.StickyMACs = append(ps.StickyMACs, m)
		} else {
			ps.StaticMACs = append(ps.StaticMACs, m)
		}
	}
	return nil
}

// setPS records the current line as the source of port-security
// attribute a. A port's list is first made with room for as many
// attributes as the port before had (port-security ports have five or
// more): it is then allocated once rather than made for four and grown.
func (p *configParser) setPS(ps *facts.PortSecurity, a facts.Attr) {
	if ps.Sources.Len() == 0 && p.psHint > 4 {
		ps.Sources.Grow(p.psHint)
	}
	ps.Sources.SetAttr(a, p.src())
}

// Attribute names of the running config, interned once (facts.Attr);
// aging_time, enabled and violation are shared with the status parsers.
var (
	attrDescription = facts.NewAttr("description")
	attrShutdown    = facts.NewAttr("shutdown")
	attrMode        = facts.NewAttr("mode")
	attrAccessVLAN  = facts.NewAttr("access_vlan")
	attrVoiceVLAN   = facts.NewAttr("voice_vlan")
	attrMaximum     = facts.NewAttr("maximum")
	attrAgingStatic = facts.NewAttr("aging_static")
	attrSticky      = facts.NewAttr("sticky")
	attrTemplate    = facts.NewAttr("template")

	attrMaximumVLANAccess = facts.NewAttr("maximum_vlan_access")
	attrMaximumVLANVoice  = facts.NewAttr("maximum_vlan_voice")
	attrMaximumVLANAll    = facts.NewAttr("maximum_vlan_all")
)

// vlanMaximumAttr is the attribute of a "maximum N vlan K" line, made
// only for a VLAN number.
func vlanMaximumAttr(k string) facts.Attr {
	switch k {
	case "access":
		return attrMaximumVLANAccess
	case "voice":
		return attrMaximumVLANVoice
	case "all":
		return attrMaximumVLANAll
	}
	return facts.NewAttr("maximum_vlan_" + k)
}

// skipBanner consumes a banner's text, which may hold anything, even lines
// that look like commands. IOS shows the delimiter as "^C" (sometimes a raw
// ETX) after "banner TYPE" and again where the text ends.
func (p *configParser) skipBanner(t []byte) error {
	_, rest := cut(t) // motd, login, exec, incoming, ...
	if len(rest) == 0 {
		return nil
	}
	delim := rest[:1]
	if bytes.HasPrefix(rest, []byte("^C")) {
		delim = rest[:2]
	}
	if bytes.Contains(rest[len(delim):], delim) {
		return nil
	}
	start := p.r.n
	for p.r.next() {
		if bytes.Contains(p.r.line, delim) {
			return nil
		}
	}
	return facts.Errorf(p.key, start, "banner is not closed by %q before the end of the output", delim)
}

// macAging reads "mac address-table aging-time N [vlan V]" (and the 12.1
// spelling mac-address-table).
func (p *configParser) macAging(line []byte) error {
	word, rest := cut(line)
	switch string(word) {
	case "mac":
		w, r := cut(rest)
		if string(w) != "address-table" {
			return nil
		}
		rest = r
	case "mac-address-table":
	default:
		return nil
	}
	w, rest := cut(rest)
	if string(w) != "aging-time" {
		return nil
	}
	v, rest := cut(rest)
	secs, ok := atoi(v)
	if !ok {
		return p.errorf("bad MAC aging time %q", v)
	}
	if p.cfg.aging == nil {
		p.cfg.aging = &facts.MACAging{}
	}
	a := p.cfg.aging
	if w, rest := cut(rest); string(w) == "vlan" {
		vw, _ := cut(rest)
		vlan, ok := atoi(vw)
		if !ok {
			return p.errorf("bad VLAN %q", vw)
		}
		a.VLANs = append(a.VLANs, facts.VLANAging{VLAN: vlan, Seconds: secs, Source: p.src()})
		return nil
	}
	a.GlobalSeconds, a.GlobalSet, a.Global = secs, true, p.src()
	return nil
}
