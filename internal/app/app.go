// Package app wires the flow of an audit together: snapshot → join → rules
// → report result. The CLI, the demo and the tests call it.
package app

import (
	"time"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

// Evaluate joins the snapshot, runs the rules, applies the policy's waivers
// and builds the report result.
func Evaluate(snap *facts.Snapshot, pol policy.Policy, source string, started time.Time, failOn rules.Severity) *report.Result {
	cfg := RulesConfig(pol)
	snap.Join(cfg.Defaults)
	findings := rules.Evaluate(snap, cfg)
	now := started
	if now.IsZero() {
		now = time.Now()
	}
	ApplyWaivers(findings, pol, now)
	res := &report.Result{
		Tool:     "kaudit",
		Version:  BuildVersion(),
		Started:  started,
		Source:   source,
		Findings: findings,
		Phones:   snap.Phones,
		FailOn:   failOn,
	}
	for _, d := range snap.Devices {
		res.Devices = append(res.Devices, DeviceResult(d))
	}
	if !started.IsZero() {
		res.Duration = time.Since(started)
	}
	return res
}

// DeviceResult summarises how collecting one device went.
func DeviceResult(d *facts.Device) report.DeviceResult {
	r := report.DeviceResult{
		Name:     d.Name,
		Platform: d.Platform,
		Status:   d.Status,
		Error:    d.Error,
		Missing:  d.Missing,
	}
	for _, e := range d.Errors {
		r.Errors = append(r.Errors, e.Error())
	}
	for _, w := range d.Warnings {
		r.Warnings = append(r.Warnings, w.Error())
	}
	return r
}
