package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// MaxBytes bounds a policy file; real ones are a few KiB.
const MaxBytes = 1 << 20

// maxErrors stops a badly broken file from burying the first problems.
const maxErrors = 20

var ruleIDRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Load reads the policy file at path (see Parse).
func Load(path string) (Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return Policy{}, fmt.Errorf("policy: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return Policy{}, fmt.Errorf("policy: read %s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse reads a policy file's contents; name is used in errors. Keys the
// file does not set keep their Default values, so an empty file is the
// default policy. Unknown keys, values of the wrong type, negative or zero
// timers, bad dates, unknown severities and malformed waivers are refused:
// a policy that silently meant something else would hide findings. The
// error names name and the line; several problems are joined.
func Parse(name string, data []byte) (Policy, error) {
	p := Default()
	p.File = name
	if len(data) > MaxBytes {
		return Policy{}, &Error{File: name, Msg: fmt.Sprintf("larger than %d bytes: not a policy file", MaxBytes)}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return Policy{}, &Error{File: name, Line: 1 + bytes.Count(data[:i], []byte{'\n'}), Msg: "binary data (NUL byte): not a YAML file"}
	}
	if !utf8.Valid(data) {
		line := 1
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			if data[i] == '\n' {
				line++
			}
			i += size
		}
		return Policy{}, &Error{File: name, Line: line, Msg: "not UTF-8 text"}
	}
	root, err := parseYAML(name, data)
	if err != nil || root == nil {
		if err != nil {
			return Policy{}, err
		}
		return p, nil
	}
	d := &decoder{file: name}
	d.policy(root, &p)
	if err := d.errs.err(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// parseYAML returns the single document's root node, nil for an empty
// file. yaml.v3 has a history of panicking on hostile input; a policy file
// is user input, so a panic becomes an error.
func parseYAML(name string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, &Error{File: name, Msg: fmt.Sprintf("YAML parser failed: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlError(name, err)
	}
	var more yaml.Node
	switch err := dec.Decode(&more); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, yamlError(name, err)
	default:
		line := more.Line
		if len(more.Content) > 0 {
			line = more.Content[0].Line
		}
		return nil, &Error{File: name, Line: line, Msg: "a second YAML document (after ---): a policy file holds one"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

var yamlLineRE = regexp.MustCompile(`(?s)^yaml: line (\d+): (.*)$`)

// yamlError restates a yaml.v3 syntax error as file:line: message.
func yamlError(name string, err error) error {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{File: name, Line: n, Msg: "YAML syntax: " + m[2]}
	}
	return &Error{File: name, Msg: "YAML syntax: " + strings.TrimPrefix(err.Error(), "yaml: ")}
}

type decoder struct {
	file string
	errs errorList
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errs.add(&Error{File: d.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)})
}

// expect resolves n and reports whether it is a node of kind to decode. An
// empty value is not, and keeps the defaults; any other kind is an error,
// what followed by ", not" and what n is.
func (d *decoder) expect(n *yaml.Node, kind yaml.Kind, what string) (*yaml.Node, bool) {
	n = resolve(n)
	if isNull(n) {
		return n, false
	}
	if n.Kind != kind {
		d.errorf(n, "%s, not %s", what, describe(n))
		return n, false
	}
	return n, true
}

func (d *decoder) policy(root *yaml.Node, p *Policy) {
	root, ok := d.expect(root, yaml.MappingNode, "the policy must be a mapping of sections (defaults, thresholds, severity, waivers)")
	if !ok {
		return
	}
	d.mapping(root, "the policy", "defaults, thresholds, severity, waivers", func(key string, k, v *yaml.Node) bool {
		switch key {
		case "defaults":
			d.fields(v, "defaults", reflect.ValueOf(&p.Defaults).Elem())
		case "thresholds":
			d.fields(v, "thresholds", reflect.ValueOf(&p.Thresholds).Elem())
		case "severity":
			d.severity(v, p)
		case "waivers":
			d.waivers(v, p)
		default:
			return false
		}
		return true
	})
}

// mapping calls fn for each key of n in order; fn returns false for an
// unknown key. Duplicate and non-scalar keys are errors.
func (d *decoder) mapping(n *yaml.Node, where, known string, fn func(key string, k, v *yaml.Node) bool) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.errorf(k, "%s: keys must be plain names, not %s", where, describe(k))
			continue
		}
		if k.Value == "<<" {
			d.errorf(k, "%s: merge keys (<<) are not supported; write the keys out", where)
			continue
		}
		if seen[k.Value] {
			d.errorf(k, "%s: key %q appears twice", where, k.Value)
			continue
		}
		seen[k.Value] = true
		if !fn(k.Value, k, v) {
			d.errorf(k, "%s: unknown key %q (known: %s)", where, k.Value, known)
		}
	}
}

// fields decodes mapping n into struct v by yaml tag, checking each value
// against the field's policy tag (min=N, required, rule, glob, protocol).
func (d *decoder) fields(n *yaml.Node, where string, v reflect.Value) {
	n, ok := d.expect(n, yaml.MappingNode, where+" must be a mapping of keys to values")
	if !ok {
		return
	}
	t := v.Type()
	var names []string
	index := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		names = append(names, name)
		index[name] = i
	}
	d.mapping(n, where, strings.Join(names, ", "), func(key string, _, val *yaml.Node) bool {
		i, ok := index[key]
		if !ok {
			return false
		}
		d.scalar(val, where+"."+key, v.Field(i), t.Field(i).Tag.Get("policy"))
		return true
	})
}

var dateType = reflect.TypeFor[Date]()

func (d *decoder) scalar(n *yaml.Node, path string, v reflect.Value, checks string) {
	n = resolve(n)
	var want string
	switch {
	case v.Type() == dateType:
		want = "date (YYYY-MM-DD)"
	case v.Kind() == reflect.Int:
		want = "whole number" + unit(path)
	default:
		want = "text value"
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "%s must be a %s, not %s", path, want, describe(n))
		return
	}
	if isNull(n) {
		d.errorf(n, "%s has no value (remove the key to use the default)", path)
		return
	}
	rules := strings.Split(checks, ",")
	switch {
	case v.Type() == dateType:
		date, err := ParseDate(n.Value)
		if err != nil {
			d.errorf(n, "%s: %v", path, err)
			return
		}
		v.Set(reflect.ValueOf(date))
	case v.Kind() == reflect.Int:
		var x int64
		if n.ShortTag() != "!!int" || n.Decode(&x) != nil {
			d.errorf(n, "%s must be a %s, not %q", path, want, n.Value)
			return
		}
		low := int64(0)
		for _, r := range rules {
			if s, ok := strings.CutPrefix(r, "min="); ok {
				low, _ = strconv.ParseInt(s, 10, 64)
			}
		}
		switch {
		case x < 0:
			d.errorf(n, "%s must not be negative (%d)", path, x)
			return
		case x < low:
			d.errorf(n, "%s must be at least %d (%d)", path, low, x)
			return
		case x > math.MaxInt32:
			d.errorf(n, "%s is too large (%d)", path, x)
			return
		}
		v.SetInt(x)
	default:
		s := strings.TrimSpace(n.Value)
		for _, r := range rules {
			switch r {
			case "required":
				if s == "" {
					d.errorf(n, "%s must not be empty", path)
					return
				}
			case "rule":
				if s != "*" && !ruleIDRE.MatchString(s) {
					d.errorf(n, "%s: %q is not a rule id (lower-case words joined by -, or *)", path, s)
					return
				}
			case "glob":
				if _, err := compileGlob(s); err != nil {
					d.errorf(n, "%s: %v", path, err)
					return
				}
			case "protocol":
				s = strings.ToUpper(s)
				if s != "SIP" && s != "SCCP" {
					d.errorf(n, "%s must be SIP or SCCP, not %q", path, n.Value)
					return
				}
			}
		}
		v.SetString(s)
	}
}

func (d *decoder) severity(n *yaml.Node, p *Policy) {
	n, ok := d.expect(n, yaml.MappingNode, "severity must be a mapping of rule id to info, warning, critical or off")
	if !ok {
		return
	}
	d.mapping(n, "severity", "rule ids", func(id string, k, v *yaml.Node) bool {
		if !ruleIDRE.MatchString(id) {
			d.errorf(k, "severity: %q is not a rule id (lower-case words joined by -)", id)
			return true
		}
		v = resolve(v)
		s := strings.ToLower(strings.TrimSpace(v.Value))
		if v.Kind != yaml.ScalarNode || !slices.Contains([]string{SeverityInfo, SeverityWarning, SeverityCritical, SeverityOff}, s) {
			d.errorf(v, "severity.%s: unknown severity %s (want info, warning, critical or off)", id, describe(v))
			return true
		}
		if p.Severity == nil {
			p.Severity = map[string]string{}
			p.severityLines = map[string]int{}
		}
		p.Severity[id] = s
		p.severityLines[id] = k.Line
		return true
	})
}

func (d *decoder) waivers(n *yaml.Node, p *Policy) {
	n, ok := d.expect(n, yaml.SequenceNode, "waivers must be a list")
	if !ok {
		return
	}
	for _, item := range n.Content {
		item = resolve(item)
		if item.Kind != yaml.MappingNode {
			d.errorf(item, "waivers: each waiver must be a mapping (rule, device, object, reason, owner, expires), not %s", describe(item))
			continue
		}
		before := d.errs.count()
		w := Waiver{Line: item.Line}
		d.fields(item, "waiver", reflect.ValueOf(&w).Elem())
		if d.errs.count() > before {
			continue
		}
		var missing []string
		for _, f := range []struct{ name, v string }{{"rule", w.Rule}, {"device", w.Device}, {"reason", w.Reason}} {
			if f.v == "" {
				missing = append(missing, f.name)
			}
		}
		if len(missing) > 0 {
			d.errorf(item, "waiver: %s required", strings.Join(missing, ", "))
			continue
		}
		// Validated above, so these compile.
		w.device, _ = compileGlob(w.Device)
		if w.Object != "" {
			w.object, _ = compileGlob(w.Object)
		}
		p.Waivers = append(p.Waivers, w)
	}
}

// resolve follows aliases (*name) to the anchored node.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; i < 8 && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if isNull(n) {
			return "an empty value"
		}
		return strconv.Quote(n.Value)
	}
	return "nothing"
}

func unit(path string) string {
	switch {
	case strings.HasSuffix(path, "_ms"):
		return " of milliseconds"
	case strings.HasSuffix(path, "_s"):
		return " of seconds"
	}
	return ""
}

type errorList struct {
	errs    []*Error
	dropped int
}

func (l *errorList) add(e *Error) {
	if len(l.errs) >= maxErrors {
		l.dropped++
		return
	}
	l.errs = append(l.errs, e)
}

func (l *errorList) count() int { return len(l.errs) + l.dropped }

func (l *errorList) sort() {
	slices.SortStableFunc(l.errs, func(a, b *Error) int { return a.Line - b.Line })
}

// err is nil, the one error, or all of them joined (one per line).
func (l *errorList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	if len(l.errs) == 1 && l.dropped == 0 {
		return l.errs[0]
	}
	out := make([]error, 0, len(l.errs)+1)
	for _, e := range l.errs {
		out = append(out, e)
	}
	if l.dropped > 0 {
		out = append(out, &Error{File: l.errs[0].File, Msg: fmt.Sprintf("and %d more errors", l.dropped)})
	}
	return errors.Join(out...)
}
