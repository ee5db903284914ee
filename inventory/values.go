package inventory

import (
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// deref follows YAML aliases. Anchors are always defined on non-alias
// nodes, but the loop is bounded anyway so a malformed tree cannot spin.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; i < 8 && n != nil && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

func kindName(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "empty"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		}
		return "a string"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

// hasControl reports control characters; ws allows tab and newlines, which
// free-form data values may hold.
func hasControl(s string, ws bool) bool {
	for _, r := range s {
		if unicode.IsControl(r) && !(ws && (r == '\t' || r == '\n' || r == '\r')) {
			return true
		}
	}
	return false
}

// scalar reads a single value; n's own position is used in messages so an
// alias is reported where it is used.
func (p *parser) scalar(n *yaml.Node, key string, at level) (string, bool) {
	d := deref(n)
	if d.Kind != yaml.ScalarNode || isNull(d) {
		p.errf(n, "%s in %s must be a single value, not %s", key, at, kindName(d))
		return "", false
	}
	if !utf8.ValidString(d.Value) || hasControl(d.Value, false) {
		p.errf(n, "%s in %s contains control characters or invalid UTF-8", key, at)
		return "", false
	}
	return d.Value, true
}

func (p *parser) nonEmpty(n *yaml.Node, key, v string, at level) bool {
	if strings.TrimSpace(v) == "" {
		p.errf(n, "%s in %s is empty", key, at)
		return false
	}
	return true
}

func checkPlatform(p *parser, n *yaml.Node, key, v string, at level) bool {
	for _, pl := range platforms {
		if v == pl {
			return true
		}
	}
	hint := ""
	l := strings.ToLower(v)
	switch {
	case strings.Contains(l, "ios"):
		hint = " (did you mean ios?)"
	case strings.Contains(l, "asa"):
		hint = " (did you mean asa?)"
	case strings.Contains(l, "ucm"), strings.Contains(l, "callmanager"):
		hint = " (did you mean cucm?)"
	}
	p.errf(n, "unknown platform %q in %s: want ios, asa or cucm%s", v, at, hint)
	// Kept as set so the hosts below do not also report "no platform".
	return true
}

func validAddress(v string) bool {
	if _, err := netip.ParseAddr(v); err == nil {
		return true
	}
	return len(v) <= maxName && hostnameRE.MatchString(v)
}

func checkAddress(p *parser, n *yaml.Node, key, v string, at level) bool {
	if validAddress(v) {
		return true
	}
	hint := ""
	switch {
	case strings.HasPrefix(v, "["):
		hint = " (write IPv6 addresses without brackets)"
	case strings.Contains(v, ":") && !strings.Contains(v, "::"):
		hint = " (put the port in port:, not in the address)"
	case strings.Contains(v, "@"):
		hint = " (put the user in username:, not in the address)"
	}
	p.errf(n, "bad address %q in %s: want a hostname or IP address%s", v, at, hint)
	return false
}

// checkJump accepts what ssh -J takes for one hop: an inventory host name
// or [user@]host[:port]. Whether a bare name is an inventory host is
// decided after all hosts are read.
func checkJump(p *parser, n *yaml.Node, key, v string, at level) bool {
	if v == "" {
		return true // explicit "no jump", overriding defaults or a group
	}
	if msg := jumpSyntax(v); msg != "" {
		p.errf(n, "bad jump %q in %s: %s", v, at, msg)
		return false
	}
	return true
}

func jumpSyntax(v string) string {
	if strings.Contains(v, ",") {
		return "one jump host only (chain hops by giving the jump host its own jump)"
	}
	hostport := v
	if i := strings.LastIndex(v, "@"); i >= 0 {
		user := v[:i]
		if user == "" || strings.ContainsAny(user, " \t@") {
			return "want [user@]host[:port]"
		}
		hostport = v[i+1:]
	}
	host := hostport
	if strings.HasPrefix(hostport, "[") || strings.Count(hostport, ":") == 1 {
		h, port, err := net.SplitHostPort(hostport)
		if err != nil {
			return "want [user@]host[:port]"
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "port must be 1-65535"
		}
		host = h
	}
	if !validAddress(host) {
		return "want [user@]host[:port] or an inventory host name"
	}
	return ""
}

func (p *parser) port(n *yaml.Node, at level) (int, bool) {
	v, ok := p.scalar(n, p.cur, at)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || i < 1 || i > 65535 {
		p.errf(n, "bad %s %q in %s: want a number 1-65535", p.cur, v, at)
		return 0, false
	}
	return i, true
}

func (p *parser) boolean(n *yaml.Node, key string, at level) (bool, bool) {
	d := deref(n)
	if d.Kind == yaml.ScalarNode && d.ShortTag() == "!!bool" {
		if b, err := strconv.ParseBool(strings.ToLower(d.Value)); err == nil {
			return b, true
		}
	}
	if d.Kind == yaml.ScalarNode && utf8.ValidString(d.Value) && !hasControl(d.Value, false) {
		p.errf(n, "%s in %s must be true or false, not %q", key, at, d.Value)
	} else {
		p.errf(n, "%s in %s must be true or false, not %s", key, at, kindName(d))
	}
	return false, false
}

func (p *parser) duration(n *yaml.Node, key string, at level) (time.Duration, bool) {
	v, ok := p.scalar(n, key, at)
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		p.errf(n, "bad %s %q in %s: want a positive Go duration such as 30s or 2m", key, v, at)
		return 0, false
	}
	return d, true
}

// words reads tags or roles. They may not hold the characters that
// --limit filters use as syntax, or they could never be selected.
func (p *parser) words(n *yaml.Node, key string, at level) []string {
	d := deref(n)
	if d.Kind != yaml.SequenceNode {
		p.errf(n, "%s in %s must be a list, e.g. [a, b], not %s", key, at, kindName(d))
		return nil
	}
	one := strings.TrimSuffix(key, "s")
	var out []string
	for _, e := range d.Content {
		v, ok := p.scalar(e, one, at)
		if !ok {
			continue
		}
		if v == "" || strings.ContainsAny(v, ",= \t!") {
			p.errf(e, "bad %s %q in %s: it must be non-empty without ',', '=', '!' or spaces (they are filter syntax)", one, v, at)
			continue
		}
		out = append(out, v)
	}
	return out
}

func (p *parser) groupRefs(n *yaml.Node, at level) []groupRef {
	d := deref(n)
	if d.Kind != yaml.SequenceNode {
		p.errf(n, "groups in %s must be a list of group names, e.g. [access], not %s", at, kindName(d))
		return nil
	}
	var out []groupRef
	for _, e := range d.Content {
		v, ok := p.scalar(e, "group name", at)
		if !ok {
			continue
		}
		out = append(out, groupRef{name: v, line: e.Line, col: e.Column})
	}
	return out
}

func (p *parser) data(n *yaml.Node, at level) map[string]string {
	d := deref(n)
	if d.Kind != yaml.MappingNode {
		p.errf(n, "data in %s must be a mapping of names to values, not %s", at, kindName(d))
		return nil
	}
	out := map[string]string{}
	seen := map[string]int{}
	where := "data of " + at.String()
	for i := 0; i+1 < len(d.Content); i += 2 {
		k, v := d.Content[i], d.Content[i+1]
		key, ok := p.key(k, where)
		if !ok {
			continue
		}
		if first, dup := seen[key]; dup {
			p.errf(k, "duplicate key %q in %s (first at line %d)", key, where, first)
			continue
		}
		seen[key] = k.Line
		dv := deref(v)
		switch {
		case isNull(dv):
			out[key] = ""
		case dv.Kind != yaml.ScalarNode:
			p.errf(v, "%s in %s must be a single value, not %s", key, where, kindName(dv))
		case !utf8.ValidString(dv.Value) || hasControl(dv.Value, true):
			p.errf(v, "%s in %s contains control characters or invalid UTF-8", key, where)
		default:
			out[key] = dv.Value
		}
	}
	return out
}

// secret reads a credential reference. Nothing from the value is ever put
// in a message: a mistake here is most likely a pasted password.
func (p *parser) secret(n *yaml.Node, key string, at level) (SecretRef, bool) {
	d := deref(n)
	switch d.Kind {
	case yaml.ScalarNode:
		r, msg := parseSecretString(d.Value)
		if msg != "" {
			p.errf(n, "%s in %s: %s", key, at, msg)
			return SecretRef{}, false
		}
		return r, true
	case yaml.MappingNode:
		if len(d.Content) != 2 {
			p.errf(n, "%s in %s: want exactly one of {env: NAME} or {file: PATH}", key, at)
			return SecretRef{}, false
		}
		k, v := deref(d.Content[0]), deref(d.Content[1])
		if k.Kind != yaml.ScalarNode || (k.Value != SecretEnv && k.Value != SecretFile) {
			p.errf(d.Content[0], "%s in %s: unknown reference kind; want {env: NAME} or {file: PATH}", key, at)
			return SecretRef{}, false
		}
		if isNull(v) {
			p.errf(d.Content[1], "%s in %s: %s reference is empty", key, at, k.Value)
			return SecretRef{}, false
		}
		if v.Kind != yaml.ScalarNode || !utf8.ValidString(v.Value) {
			p.errf(d.Content[1], "%s in %s: %s reference must be a single value", key, at, k.Value)
			return SecretRef{}, false
		}
		r, msg := checkSecret(k.Value, strings.TrimSpace(v.Value))
		if msg != "" {
			p.errf(d.Content[1], "%s in %s: %s", key, at, msg)
			return SecretRef{}, false
		}
		return r, true
	}
	p.errf(n, "%s in %s must be {env: NAME} or {file: PATH}, not %s", key, at, kindName(d))
	return SecretRef{}, false
}

// checkTransport accepts how a CUCM node is read: cli, axl or auto.
func checkTransport(p *parser, n *yaml.Node, key, v string, at level) bool {
	switch v {
	case TransportCLI, TransportAXL, TransportAuto:
		return true
	}
	p.errf(n, "bad transport %q in %s: want cli, axl or auto", v, at)
	return false
}

var axlVersionRE = regexp.MustCompile(`^[0-9]{1,2}\.[0-9]$`)

// checkAXLVersion accepts an AXL schema version: major.minor, as 14.0.
func checkAXLVersion(p *parser, n *yaml.Node, key, v string, at level) bool {
	if axlVersionRE.MatchString(v) {
		return true
	}
	p.errf(n, "bad axl_version %q in %s: want the schema's major.minor, such as 14.0 or 12.5", v, at)
	return false
}

// checkFingerprint accepts a SHA-256 certificate fingerprint: 64 hex
// digits, colons and a "sha256:" prefix allowed.
func checkFingerprint(p *parser, n *yaml.Node, key, v string, at level) bool {
	h := strings.TrimSpace(v)
	if len(h) > 7 && strings.EqualFold(h[:7], "sha256:") {
		h = h[7:]
	}
	h = strings.ReplaceAll(h, ":", "")
	if len(h) == 64 && strings.Trim(strings.ToLower(h), "0123456789abcdef") == "" {
		return true
	}
	p.errf(n, "bad axl_fingerprint in %s: want the certificate's SHA-256, 64 hex digits (colons allowed)", at)
	return false
}
