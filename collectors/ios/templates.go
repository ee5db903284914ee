package ios

import (
	"bytes"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/facts"
)

// CLI commands that show what IOS-XE interface templates make of a port.
const (
	// cliDerivedConfig prints the configuration each interface runs
	// with, interface templates applied, including those Autoconf and
	// ISE bind at run time, which the running config does not show
	// (Cisco: "show derived-config", Catalyst 9000 Interface Templates
	// configuration guide; genieparser's ShowDerivedConfigInterface
	// samples show its shape, ../shared/corpus/ios/show_running-config).
	cliDerivedConfig = "show derived-config"
	// cliBuiltinTemplates lists the built-in templates' definitions
	// (Catalyst 9000 Interface Templates configuration guide).
	cliBuiltinTemplates = "show template interface source built-in all"
)

var (
	keyDerivedConfig    = collectors.Key(cliDerivedConfig)
	keyBuiltinTemplates = collectors.Key(cliBuiltinTemplates)
)

// ParseDerivedConfig reads show derived-config into d.Switch.Derived and
// gives each port the settings it runs with (facts.Switch.ResolveTemplates).
func ParseDerivedConfig(data []byte, d *facts.Device) error {
	cfg, err := readConfig(keyDerivedConfig, data, d)
	if err != nil {
		return withHost(err, d)
	}
	sw := ensureSwitch(d)
	sw.Derived = cfg.ports
	sw.ResolveTemplates(keyRunningConfig)
	addWarnings(d, cfg.warns)
	return nil
}

// ParseBuiltinTemplates reads the built-in interface templates' definitions
// into d.Switch.Templates. Two shapes are read: "template NAME" blocks as
// in a running config, and "Template Name : NAME" / "Template Definition :"
// headers followed by the commands. No public transcript of this
// command's output was found: the second shape is assumed from Cisco's
// configuration guide, and the parser accepts commands indented or not.
func ParseBuiltinTemplates(data []byte, d *facts.Device) error {
	cfg, err := readConfig(keyBuiltinTemplates, normaliseTemplateList(data), d)
	if err != nil {
		return withHost(err, d)
	}
	if len(cfg.templates) == 0 {
		return withHost(facts.Errorf(keyBuiltinTemplates, 1, "no template definition found"), d)
	}
	sw := ensureSwitch(d)
	kept := sw.Templates[:0:0]
	for _, t := range sw.Templates {
		if t.Key != keyBuiltinTemplates {
			kept = append(kept, t)
		}
	}
	sw.Templates = append(kept, cfg.templates...)
	sw.ResolveTemplates(keyRunningConfig)
	addWarnings(d, cfg.warns)
	return nil
}

// normaliseTemplateList rewrites "Template Name : X" headers as
// "template X" and indents the commands under "Template Definition :",
// line for line, so that line numbers stay those of the output.
func normaliseTemplateList(data []byte) []byte {
	if !bytes.Contains(data, []byte("Template Name")) {
		return data
	}
	out := make([]byte, 0, len(data)+len(data)/16)
	inDef := false
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, nl)
		data = rest
		t := trim(line)
		switch {
		case hasPrefix(t, "Template Name"):
			_, v := cutColon(t)
			out = append(out, "template "...)
			out = append(out, v...)
			inDef = false
		case hasPrefix(t, "Template Definition"):
			inDef = true
		case len(t) == 0 || t[0] == '!' || string(t) == "end":
			inDef = false
			out = append(out, t...)
		case inDef:
			out = append(out, ' ')
			out = append(out, t...)
		default:
			out = append(out, line...)
		}
		out = append(out, '\n')
	}
	return out
}

// needsBuiltinTemplates: a port sources a template the running config
// does not define (a built-in one, unmodified).
func needsBuiltinTemplates(d *facts.Device) bool {
	if d.Switch == nil {
		return false
	}
	for _, p := range d.Switch.Interfaces {
		if p.Template != "" && d.Switch.Template(p.Template, keyRunningConfig) == nil {
			return true
		}
	}
	return false
}

func templatesMayApply(d *facts.Device) bool {
	return d.Switch != nil && d.Switch.TemplatesMayApply
}
