// Package precheck answers "will this change break phones?" before it is
// made: it swaps one device's running configuration for a candidate (a full
// configuration, or a patch applied to the current one), evaluates the
// rules on the network before and after, and reports the findings the
// change introduces and the ones it resolves.
package precheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/collectors/asa"
	"github.com/kaudit/kaudit/collectors/platform"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/app"
	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

// RunningConfigKey is the command key whose output a change replaces; IOS
// and the ASA share it.
var RunningConfigKey = collectors.Key("show running-config")

var (
	keyMACAging = collectors.Key("show mac address-table aging-time")
	keySysopt   = asa.KeySysopt
)

// Errors a check returns for bad input; the CLI maps them to exit 2.
var (
	ErrUnknownDevice = errors.New("unknown device")
	ErrUnsupported   = errors.New("unsupported device")
	ErrNoBaseline    = errors.New("no current state")
)

// Baseline returns the current snapshot of every device (not yet joined).
// The offline replay of saved outputs and the history store both provide
// one.
type Baseline func(ctx context.Context) (*facts.Snapshot, error)

// Options say where the current state comes from and how to judge it.
type Options struct {
	Baseline Baseline
	// Saved returns a reader of a host's saved outputs (the offline layout
	// DIR/<host>/<key>.txt: see offline.DirReader). The changed device is
	// re-collected from them with the candidate as its running config, and
	// a patch is applied to its saved running config. It may be nil when
	// the baseline keeps facts only: a full candidate is then parsed over a
	// copy of the device's facts, and a patch cannot be applied.
	Saved func(host string) collectors.Reader
	// Policy holds the thresholds, defaults, severity overrides and waivers
	// (policy.Default() when there is no policy.yaml).
	Policy  policy.Policy
	FailOn  rules.Severity
	Source  string    // where the baseline came from, for the report
	Started time.Time // when the check started, for the report
}

// Change is the proposed change to one device: a full candidate running
// config or a patch, named Name (the file) in errors.
type Change struct {
	Device    string
	Candidate []byte
	Patch     []byte
	Name      string
}

// Result is what a check found.
type Result struct {
	// Report has the introduced findings as its findings and the devices as
	// they are after the change, so every report format and the exit code
	// work on the change alone.
	Report *report.Result
	Diff   Diff
	// Candidate is the running config that was evaluated: the patched
	// text for a patch. Evidence lines of the changed device's
	// show_running-config refer to it.
	Candidate []byte
	// Warnings are patch lines that changed nothing or were ignored.
	Warnings []string
	// Notes say how the after state was built where it differs from a
	// plain re-collection.
	Notes []string
}

// InputError is a candidate configuration the device's parser refused.
// Name and Line locate it for the user: the candidate file, or for a patch
// the patch line that brought the refused line in when there is one. Err
// is the parser's error, its line counted in the candidate text.
type InputError struct {
	Name string
	Line int
	Err  *facts.ParseError
	// Where says where the line is in the candidate when Name is a patch.
	Where string
}

func (e *InputError) Error() string {
	s := e.Name
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	s += ": " + e.Err.Msg
	if e.Where != "" {
		s += " (" + e.Where + ")"
	}
	return s
}

// Run checks one change.
func Run(ctx context.Context, o Options, ch Change) (*Result, error) {
	if o.Baseline == nil {
		return nil, fmt.Errorf("%w: no baseline", ErrNoBaseline)
	}
	if (ch.Candidate == nil) == (ch.Patch == nil) {
		return nil, errors.New("precheck: give exactly one of a candidate config and a patch")
	}
	before, err := o.Baseline(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoBaseline, err)
	}
	dev := before.Device(ch.Device)
	if dev == nil {
		var names []string
		for _, d := range before.Devices {
			names = append(names, d.Name)
		}
		return nil, fmt.Errorf("%w %q (the inventory has %s)", ErrUnknownDevice, ch.Device, strings.Join(names, ", "))
	}
	if dev.Platform != facts.PlatformIOS && dev.Platform != facts.PlatformASA {
		return nil, fmt.Errorf("%w: %s is a %s device; a pre-change check takes an IOS switch or an ASA", ErrUnsupported, dev.Name, dev.Platform)
	}
	cmds, err := platform.Commands(dev.Platform)
	if err != nil {
		return nil, err
	}
	var saved collectors.Reader
	if o.Saved != nil {
		saved = o.Saved(dev.Name)
	}
	res := &Result{}
	name := ch.Name
	var current []byte
	if saved != nil {
		if current, err = saved(RunningConfigKey); err != nil && ch.Patch != nil {
			return nil, fmt.Errorf("%s: reading the current running config to patch: %w", dev.Name, err)
		}
	}
	switch {
	case ch.Candidate != nil:
		if err := facts.CheckText(name, ch.Candidate); err != nil {
			pe := &facts.ParseError{Msg: err.Error()}
			errors.As(err, &pe)
			return nil, &InputError{Name: name, Line: pe.Line, Err: pe}
		}
		res.Candidate = ch.Candidate
	default:
		if saved == nil {
			return nil, fmt.Errorf("%w: a patch needs the current running config of %s, and the baseline keeps no saved outputs: give the full candidate config instead", ErrNoBaseline, dev.Name)
		}
		patched, warnings, err := ApplyPatch(current, ch.Patch, name)
		res.Warnings = warnings
		if err != nil {
			return res, err
		}
		res.Candidate = patched
	}

	var after *facts.Device
	if saved != nil {
		after, res.Notes = recollect(dev, cmds, saved, current, res.Candidate)
	} else {
		after, res.Notes = reparse(dev, cmds, res.Candidate)
	}
	for _, e := range after.Errors {
		if e.Key != RunningConfigKey {
			continue
		}
		for _, old := range dev.Errors {
			if old.Key == RunningConfigKey && ch.Patch != nil {
				return res, fmt.Errorf("%w: the saved running config of %s does not parse (%v): re-collect it before checking a patch, or give the full candidate", ErrNoBaseline, dev.Name, old)
			}
		}
		return res, refused(dev.Name, ch, res.Candidate, e)
	}
	if h := hostname(after); h != "" && hostname(dev) != "" && h != hostname(dev) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s: the candidate's hostname is %s, the device's %s: is it the config of another device?", ch.Name, h, hostname(dev)))
	}
	if ch.Patch != nil {
		res.Notes = append(res.Notes, fmt.Sprintf("evidence lines of %s/%s.txt refer to the candidate: the saved running config with %s applied, not the saved file", dev.Name, RunningConfigKey, ch.Name))
	} else {
		res.Notes = append(res.Notes, fmt.Sprintf("evidence lines of %s/%s.txt refer to the candidate config %s, not to the saved file", dev.Name, RunningConfigKey, ch.Name))
	}

	afterSnap := &facts.Snapshot{Devices: slices.Clone(before.Devices)}
	for i, d := range afterSnap.Devices {
		if d == dev {
			afterSnap.Devices[i] = after
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	resBefore := app.Evaluate(before, o.Policy, o.Source, o.Started, o.FailOn)
	rep := app.Evaluate(afterSnap, o.Policy, o.Source, o.Started, o.FailOn)
	res.Diff = DiffFindings(resBefore.Findings, rep.Findings)
	// rep.Diff stays nil: html titles it "changes since run #From", which a
	// comparison with a candidate is not.
	rep.Findings = res.Diff.Introduced
	res.Report = rep
	return res, nil
}

// refused locates a parse error of the candidate: in the candidate file,
// or in the patch line that brought the refused line in.
func refused(device string, ch Change, cand []byte, e *facts.ParseError) *InputError {
	if ch.Patch == nil {
		return &InputError{Name: ch.Name, Line: e.Line, Err: e}
	}
	var text string
	facts.Lines(cand, func(ln facts.Line) bool {
		if ln.N == e.Line {
			text = strings.Join(strings.Fields(ln.Text), " ")
			return false
		}
		return true
	})
	where := fmt.Sprintf("line %d of the running config of %s once patched", e.Line, device)
	if text != "" {
		n := 0
		facts.Lines(ch.Patch, func(ln facts.Line) bool {
			f := strings.Fields(ln.Text)
			if strings.Join(f, " ") == text {
				n = ln.N
				return false
			}
			return true
		})
		if n > 0 {
			return &InputError{Name: ch.Name, Line: n, Err: e, Where: where}
		}
		where += ": " + strconv.Quote(text)
	}
	return &InputError{Name: ch.Name, Err: e, Where: where}
}

func hostname(d *facts.Device) string {
	switch {
	case d.Switch != nil:
		return d.Switch.Hostname
	case d.ASA != nil:
		return d.ASA.Hostname
	}
	return ""
}

// identity is a new device entry with d's inventory data and no facts.
func identity(d *facts.Device) *facts.Device {
	return &facts.Device{
		Name: d.Name, Platform: d.Platform, Address: d.Address, IP: d.IP,
		Roles: slices.Clone(d.Roles), Tags: slices.Clone(d.Tags),
	}
}

// recollect reads the device again from its saved outputs with the
// candidate as its running config. Outputs the device derives from its
// running config would contradict the candidate; they are adjusted to it:
// the ASA's show running-config all sysopt gets the candidate's proxy-ARP
// setting per interface, and an IOS switch's show mac address-table
// aging-time is set aside when the candidate changes the aging lines.
func recollect(d *facts.Device, cmds []collectors.Command, saved collectors.Reader, current, cand []byte) (*facts.Device, []string) {
	var notes []string
	dropMAC := false
	if d.Platform == facts.PlatformIOS && !slices.Equal(macAgingLines(current), macAgingLines(cand)) {
		dropMAC = true
		notes = append(notes, fmt.Sprintf("the change edits mac address-table aging-time: %s/%s.txt is set aside and the candidate's aging lines stand in", d.Name, keyMACAging))
	}
	read := func(key string) ([]byte, error) {
		switch {
		case key == RunningConfigKey:
			return cand, nil
		case key == keyMACAging && dropMAC:
			return nil, fs.ErrNotExist
		}
		data, err := saved(key)
		if err == nil && key == keySysopt && d.Platform == facts.PlatformASA {
			data = sysoptFor(data, cand)
		}
		return data, err
	}
	out := identity(d)
	collectors.Apply(out, cmds, read)
	if dropMAC {
		out.Missing = slices.DeleteFunc(out.Missing, func(k string) bool { return k == keyMACAging })
	}
	return out, notes
}

// reparse parses a candidate over a copy of d's facts, for a baseline
// without saved outputs. The running-config parsers replace what the
// running config set and keep what other commands reported.
func reparse(d *facts.Device, cmds []collectors.Command, cand []byte) (*facts.Device, []string) {
	out := *d
	out.Keys = slices.Clone(d.Keys)
	out.Missing = slices.DeleteFunc(slices.Clone(d.Missing), func(k string) bool { return k == RunningConfigKey })
	out.Errors = slices.DeleteFunc(slices.Clone(d.Errors), func(e *facts.ParseError) bool { return e.Key == RunningConfigKey })
	notes := []string{fmt.Sprintf("no saved outputs: the candidate was parsed over the stored facts of %s", d.Name)}
	if d.Switch != nil {
		sw := *d.Switch
		if len(macAgingLines(cand)) > 0 {
			// The stored MAC aging facts may predate the change.
			sw.MACAging = nil
			notes = append(notes, "the candidate sets mac address-table aging-time: its lines stand in for the stored MAC aging")
		}
		out.Switch = &sw
	}
	if d.ASA != nil {
		a := *d.ASA
		// Proxy ARP from show running-config all sysopt describes the old
		// config; the candidate's sysopt lines and the default decide.
		a.ProxyARP = slices.DeleteFunc(slices.Clone(a.ProxyARP), func(p facts.ProxyARPSetting) bool { return p.Source.Key == keySysopt })
		out.ASA = &a
	}
	for _, c := range cmds {
		if c.Key != RunningConfigKey {
			continue
		}
		if !slices.Contains(out.Keys, c.Key) {
			out.Keys = append(out.Keys, c.Key)
			slices.Sort(out.Keys)
		}
		if perr := collectors.ParseOne(c, cand, &out); perr != nil {
			out.Errors = append(out.Errors, perr)
		}
	}
	out.Status, out.Error = facts.StatusOK, ""
	switch {
	case len(out.Errors) > 0 && len(out.Keys) <= len(out.Errors):
		out.Status = facts.StatusFailed
		out.Error = out.Errors[0].Error()
	case len(out.Errors) > 0:
		out.Status = facts.StatusPartial
	}
	return &out, notes
}

// macAgingLines returns the global "mac address-table aging-time" lines
// of an IOS configuration, normalised.
func macAgingLines(cfg []byte) []string {
	var out []string
	facts.Lines(cfg, func(ln facts.Line) bool {
		t := ln.Text
		if strings.HasPrefix(t, "mac address-table aging-time") || strings.HasPrefix(t, "mac-address-table aging-time") {
			out = append(out, strings.Join(strings.Fields(t), " "))
		}
		return true
	})
	slices.Sort(out)
	return out
}

// sysoptFor rewrites the "[no] sysopt noproxyarp IF" lines of a saved
// show running-config all sysopt so that each says what the candidate
// config sets for IF (proxy ARP on unless the candidate turns it off), the
// way the ASA would print it after the change. Other lines, and line
// numbers, stay as they were.
func sysoptFor(saved, cand []byte) []byte {
	off := map[string]bool{}
	facts.Lines(cand, func(ln facts.Line) bool {
		f := strings.Fields(ln.Text)
		switch {
		case len(f) == 3 && f[0] == "sysopt" && f[1] == "noproxyarp":
			off[f[2]] = true
		case len(f) == 4 && f[0] == "no" && f[1] == "sysopt" && f[2] == "noproxyarp":
			off[f[3]] = false
		}
		return true
	})
	lines := bytes.SplitAfter(saved, []byte("\n"))
	for i, l := range lines {
		body := bytes.TrimRight(l, "\r\n")
		f := strings.Fields(string(body))
		var nameif string
		switch {
		case len(f) == 3 && f[0] == "sysopt" && f[1] == "noproxyarp":
			nameif = f[2]
		case len(f) == 4 && f[0] == "no" && f[1] == "sysopt" && f[2] == "noproxyarp":
			nameif = f[3]
		default:
			continue
		}
		text := "no sysopt noproxyarp " + nameif
		if off[nameif] {
			text = "sysopt noproxyarp " + nameif
		}
		lines[i] = append([]byte(text), l[len(body):]...)
	}
	return bytes.Join(lines, nil)
}
