package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// nameRE restricts host and group names to what is safe as a directory
// name: saved outputs live in DIR/<host>/, and filters use , and = as syntax.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)

const maxName = 253

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// opt is one setting and where it was set; set distinguishes "not given"
// from a zero value so that merging only overrides what a level states.
type opt[T any] struct {
	v    T
	set  bool
	line int
}

func (o *opt[T]) over(x opt[T]) {
	if x.set {
		*o = x
	}
}

type groupRef struct {
	name string
	line int
	col  int
}

// settings is what one level (defaults, a group, a host) states.
type settings struct {
	platform, address, username, privateKey, knownHosts, jump opt[string]
	port                                                      opt[int]
	password, enable, passphrase                              opt[SecretRef]
	sshAgent, legacy                                          opt[bool]
	timeout, commandTimeout                                   opt[time.Duration]
	tags, roles                                               []string
	data                                                      map[string]string
	groups                                                    []groupRef

	// The CUCM transport and its AXL connection.
	transport, axlVersion, axlCAFile, axlFingerprint, axlKnownHosts opt[string]
	axlPort                                                         opt[int]

	// bad is set when this level (or one merged in) had an error, so that
	// a consequence such as "no platform" is not reported on top of it.
	bad bool
}

// merge applies src over s: scalars override, tags and roles add up, data
// merges key by key.
func (s *settings) merge(src *settings) {
	s.platform.over(src.platform)
	s.address.over(src.address)
	s.username.over(src.username)
	s.privateKey.over(src.privateKey)
	s.knownHosts.over(src.knownHosts)
	s.jump.over(src.jump)
	s.port.over(src.port)
	s.password.over(src.password)
	s.enable.over(src.enable)
	s.passphrase.over(src.passphrase)
	s.sshAgent.over(src.sshAgent)
	s.legacy.over(src.legacy)
	s.timeout.over(src.timeout)
	s.commandTimeout.over(src.commandTimeout)
	s.transport.over(src.transport)
	s.axlPort.over(src.axlPort)
	s.axlVersion.over(src.axlVersion)
	s.axlCAFile.over(src.axlCAFile)
	s.axlFingerprint.over(src.axlFingerprint)
	s.axlKnownHosts.over(src.axlKnownHosts)
	s.bad = s.bad || src.bad
	s.tags = append(s.tags, src.tags...)
	s.roles = append(s.roles, src.roles...)
	for k, v := range src.data {
		if s.data == nil {
			s.data = map[string]string{}
		}
		s.data[k] = v
	}
}

// level says which section a settings mapping belongs to, for messages and
// for the keys it may hold.
type level struct {
	kind string // "defaults", "group" or "host"
	name string
}

func (l level) String() string {
	if l.kind == "defaults" {
		return "defaults"
	}
	return l.kind + " " + l.name
}

// setter reads the value of one settings key into s; p.cur names the key.
type setter func(p *parser, s *settings, n *yaml.Node, at level)

var fields map[string]setter

// defaultsFieldNames is fieldNames without groups: defaults apply to every
// host, so "every host is in group X" is better written as that group's
// settings in defaults.
var defaultsFieldNames []string

var fieldNames = []string{
	"platform", "address", "port", "username", "password", "enable",
	"private_key", "passphrase", "ssh_agent", "known_hosts", "jump",
	"legacy_algorithms", "timeout", "command_timeout", "tags", "roles",
	"groups", "data", "transport", "axl_port", "axl_version", "axl_ca_file",
	"axl_fingerprint", "axl_known_hosts",
}

func init() {
	for _, f := range fieldNames {
		if f != "groups" {
			defaultsFieldNames = append(defaultsFieldNames, f)
		}
	}
	str := func(get func(*settings) *opt[string], check func(p *parser, n *yaml.Node, key, v string, at level) bool) setter {
		return func(p *parser, s *settings, n *yaml.Node, at level) {
			v, ok := p.scalar(n, p.cur, at)
			if ok && check(p, n, p.cur, v, at) {
				*get(s) = opt[string]{v: v, set: true, line: n.Line}
			}
		}
	}
	secret := func(get func(*settings) *opt[SecretRef]) setter {
		return func(p *parser, s *settings, n *yaml.Node, at level) {
			if r, ok := p.secret(n, p.cur, at); ok {
				*get(s) = opt[SecretRef]{v: r, set: true, line: n.Line}
			}
		}
	}
	boolean := func(get func(*settings) *opt[bool]) setter {
		return func(p *parser, s *settings, n *yaml.Node, at level) {
			if b, ok := p.boolean(n, p.cur, at); ok {
				*get(s) = opt[bool]{v: b, set: true, line: n.Line}
			}
		}
	}
	duration := func(get func(*settings) *opt[time.Duration]) setter {
		return func(p *parser, s *settings, n *yaml.Node, at level) {
			if d, ok := p.duration(n, p.cur, at); ok {
				*get(s) = opt[time.Duration]{v: d, set: true, line: n.Line}
			}
		}
	}
	list := func(get func(*settings) *[]string) setter {
		return func(p *parser, s *settings, n *yaml.Node, at level) {
			*get(s) = append(*get(s), p.words(n, p.cur, at)...)
		}
	}
	nonEmpty := (*parser).nonEmpty
	fields = map[string]setter{
		"platform":    str(func(s *settings) *opt[string] { return &s.platform }, checkPlatform),
		"address":     str(func(s *settings) *opt[string] { return &s.address }, checkAddress),
		"username":    str(func(s *settings) *opt[string] { return &s.username }, nonEmpty),
		"private_key": str(func(s *settings) *opt[string] { return &s.privateKey }, nonEmpty),
		"known_hosts": str(func(s *settings) *opt[string] { return &s.knownHosts }, nonEmpty),
		"jump":        str(func(s *settings) *opt[string] { return &s.jump }, checkJump),
		"port": func(p *parser, s *settings, n *yaml.Node, at level) {
			if v, ok := p.port(n, at); ok {
				s.port = opt[int]{v: v, set: true, line: n.Line}
			}
		},
		"password":          secret(func(s *settings) *opt[SecretRef] { return &s.password }),
		"enable":            secret(func(s *settings) *opt[SecretRef] { return &s.enable }),
		"passphrase":        secret(func(s *settings) *opt[SecretRef] { return &s.passphrase }),
		"ssh_agent":         boolean(func(s *settings) *opt[bool] { return &s.sshAgent }),
		"legacy_algorithms": boolean(func(s *settings) *opt[bool] { return &s.legacy }),
		"timeout":           duration(func(s *settings) *opt[time.Duration] { return &s.timeout }),
		"command_timeout":   duration(func(s *settings) *opt[time.Duration] { return &s.commandTimeout }),
		"tags":              list(func(s *settings) *[]string { return &s.tags }),
		"roles":             list(func(s *settings) *[]string { return &s.roles }),
		"groups": func(p *parser, s *settings, n *yaml.Node, at level) {
			s.groups = append(s.groups, p.groupRefs(n, at)...)
		},
		"data": func(p *parser, s *settings, n *yaml.Node, at level) {
			if d := p.data(n, at); d != nil {
				if s.data == nil {
					s.data = map[string]string{}
				}
				for k, v := range d {
					s.data[k] = v
				}
			}
		},
	}
	// The CUCM transport and its AXL connection.
	fields["transport"] = str(func(s *settings) *opt[string] { return &s.transport }, checkTransport)
	fields["axl_version"] = str(func(s *settings) *opt[string] { return &s.axlVersion }, checkAXLVersion)
	fields["axl_ca_file"] = str(func(s *settings) *opt[string] { return &s.axlCAFile }, nonEmpty)
	fields["axl_fingerprint"] = str(func(s *settings) *opt[string] { return &s.axlFingerprint }, checkFingerprint)
	fields["axl_known_hosts"] = str(func(s *settings) *opt[string] { return &s.axlKnownHosts }, nonEmpty)
	fields["axl_port"] = func(p *parser, s *settings, n *yaml.Node, at level) {
		if v, ok := p.port(n, at); ok {
			s.axlPort = opt[int]{v: v, set: true, line: n.Line}
		}
	}
}

type parser struct {
	file string
	errs []*Error
	cur  string // the settings key being read, named in messages
}

func (p *parser) errf(n *yaml.Node, format string, args ...any) {
	e := &Error{File: p.file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

func (p *parser) errAt(line, col int, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
}

// section is one named entry of groups or hosts, in file order.
type section struct {
	name string
	line int
	col  int
	s    *settings
}

func (p *parser) parse(data []byte) *Inventory {
	if len(data) > maxFile {
		p.errAt(0, 0, "file larger than %d bytes", maxFile)
		return nil
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		p.errAt(bytes.Count(data[:i], []byte("\n"))+1, 0, "binary data (NUL byte), not a YAML inventory")
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		p.errAt(1, 1, "empty inventory (want a hosts section, optionally defaults and groups)")
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errAt(1, 1, "empty inventory (want a hosts section, optionally defaults and groups)")
		} else {
			p.yamlErr(data, err)
		}
		return nil
	}
	// A stray "---" at the end is harmless; a second document with content
	// would be silently ignored by a plain Unmarshal, so it is refused.
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.yamlErr(data, err)
			return nil
		}
		if len(next.Content) > 0 && !isNull(next.Content[0]) {
			p.errf(&next, "more than one YAML document; an inventory is one document")
			return nil
		}
	}
	top := &doc
	if top.Kind == yaml.DocumentNode && len(top.Content) > 0 {
		top = top.Content[0]
	}
	top = deref(top)
	if isNull(top) {
		p.errAt(1, 1, "empty inventory (want a hosts section, optionally defaults and groups)")
		return nil
	}
	if top.Kind != yaml.MappingNode {
		p.errf(top, "top level must be a mapping with defaults, groups and hosts sections, not %s", kindName(top))
		return nil
	}

	var defaults *settings
	var groups, hosts []section
	var hostsNode *yaml.Node
	seen := map[string]int{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		key, ok := p.key(k, "the top level")
		if !ok {
			continue
		}
		if first, dup := seen[key]; dup {
			p.errf(k, "duplicate section %q (first at line %d)", key, first)
			continue
		}
		seen[key] = k.Line
		switch key {
		case "defaults":
			defaults = p.settings(v, level{kind: "defaults"})
		case "groups":
			groups = p.sections(v, "group")
		case "hosts":
			hostsNode = k
			hosts = p.sections(v, "host")
		default:
			p.errf(k, "unknown top-level key %q%s", key, didYouMean(key, []string{"defaults", "groups", "hosts"}))
		}
	}
	if hostsNode == nil {
		p.errf(top, "no hosts section")
	} else if len(hosts) == 0 && len(p.errs) == 0 {
		p.errf(hostsNode, "hosts is empty")
	}
	if defaults == nil {
		defaults = &settings{}
	}
	return p.resolve(defaults, groups, hosts)
}

// yamlErr turns a yaml.v3 syntax error into a located Error. yaml.v3
// reports the line where the enclosing block started (often the line of
// "hosts:"), or none at all, so the line is found again by parsing ever
// shorter prefixes of the file: the problem is on the first line whose
// prefix fails the same way.
func (p *parser) yamlErr(data []byte, err error) {
	msg := yamlMsg(err)
	p.errAt(locateYAMLError(data, msg), 0, "invalid YAML: %s", msg)
}

func yamlMsg(err error) string {
	s := err.Error()
	if m := yamlLineRE.FindStringSubmatch(s); m != nil {
		return m[2]
	}
	return strings.TrimPrefix(s, "yaml: ")
}

// locateYAMLError returns the first line n such that the file cut after
// line n fails with msg (binary search; 0 if no prefix reproduces it).
func locateYAMLError(data []byte, msg string) int {
	var ends []int // ends[i] is the offset just past line i+1
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	fails := func(n int) bool {
		return prefixError(data[:ends[n-1]]) == msg
	}
	lo, hi := 1, len(ends)
	if !fails(hi) {
		return 0
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// prefixError is the message of the first document's parse error, or "".
func prefixError(b []byte) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = ""
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for i := 0; i < 2; i++ {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return ""
			}
			return yamlMsg(err)
		}
	}
	return ""
}

// key reads a mapping key. Merge keys are refused: they would silently
// bypass the resolution order that groups make explicit.
func (p *parser) key(k *yaml.Node, where string) (string, bool) {
	d := deref(k)
	if d.Kind != yaml.ScalarNode || isNull(d) {
		p.errf(k, "keys in %s must be names, not %s", where, kindName(d))
		return "", false
	}
	// A quoted "<<" is a plain string to YAML, but Marshal would write it
	// back unquoted as a merge key, so it is refused in every spelling.
	if d.ShortTag() == "!!merge" || d.Value == "<<" {
		p.errf(k, "YAML merge keys (<<) are not supported in %s; use groups to share settings", where)
		return "", false
	}
	if !utf8.ValidString(d.Value) || hasControl(d.Value, false) {
		p.errf(k, "key in %s contains control characters or invalid UTF-8", where)
		return "", false
	}
	return d.Value, true
}

// sections reads the groups or hosts mapping: name -> settings.
func (p *parser) sections(n *yaml.Node, kind string) []section {
	d := deref(n)
	if isNull(d) {
		return nil
	}
	if d.Kind != yaml.MappingNode {
		p.errf(n, "%ss must be a mapping of %s name to settings, not %s", kind, kind, kindName(d))
		return nil
	}
	var out []section
	seen := map[string]int{}
	folded := map[string]string{}
	for i := 0; i+1 < len(d.Content); i += 2 {
		k, v := d.Content[i], d.Content[i+1]
		name, ok := p.key(k, kind+"s")
		if !ok {
			continue
		}
		if first, dup := seen[name]; dup {
			p.errf(k, "duplicate %s %q (first defined at line %d)", kind, name, first)
			continue
		}
		seen[name] = k.Line
		if !nameRE.MatchString(name) || len(name) > maxName {
			p.errf(k, "bad %s name %q: use letters, digits, '.', '_' and '-' (it names a directory of saved outputs)", kind, name)
			continue
		}
		// Saved outputs go to DIR/<host>/; on case-insensitive file systems
		// SW1 and sw1 would share a directory.
		if other, ok := folded[strings.ToLower(name)]; ok && kind == "host" {
			p.errf(k, "host %q differs from host %q (line %d) only in case; host names must be unique ignoring case", name, other, seen[other])
			continue
		}
		folded[strings.ToLower(name)] = name
		out = append(out, section{name: name, line: k.Line, col: k.Column, s: p.settings(v, level{kind: kind, name: name})})
	}
	return out
}

// settings reads one defaults, group or host mapping.
func (p *parser) settings(n *yaml.Node, at level) *settings {
	s := &settings{}
	before := len(p.errs)
	defer func() { s.bad = len(p.errs) > before }()
	d := deref(n)
	if isNull(d) {
		return s
	}
	if d.Kind != yaml.MappingNode {
		hint := ""
		if at.kind == "host" && d.Kind == yaml.ScalarNode {
			hint = " (to set its address write address: ...)"
		}
		p.errf(n, "%s must be a mapping of settings, not %s%s", at, kindName(d), hint)
		return s
	}
	allowed := fieldNames
	if at.kind == "defaults" {
		allowed = defaultsFieldNames
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(d.Content); i += 2 {
		k, v := d.Content[i], d.Content[i+1]
		key, ok := p.key(k, at.String())
		if !ok {
			continue
		}
		if first, dup := seen[key]; dup {
			p.errf(k, "duplicate key %q in %s (first at line %d)", key, at, first)
			continue
		}
		seen[key] = k.Line
		f, known := fields[key]
		if key == "groups" && at.kind == "defaults" {
			p.errf(k, "groups is not allowed in defaults (defaults apply to every host; list groups in hosts or groups)")
			continue
		}
		if !known {
			p.errf(k, "unknown key %q in %s%s", key, at, didYouMean(key, allowed))
			continue
		}
		if isNull(deref(v)) {
			continue // "key:" with no value states nothing
		}
		p.cur = key
		f(p, s, v, at)
	}
	return s
}
