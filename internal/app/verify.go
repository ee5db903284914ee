package app

import (
	"slices"

	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

// checker says whether a run checked a finding an earlier run reported:
// whether its absence from the run means it is resolved.
type checker struct {
	devices   map[string]report.DeviceResult // nil: not known
	sameScope bool
}

func newChecker(devs []report.DeviceResult, sameScope bool) checker {
	c := checker{sameScope: sameScope}
	if devs != nil {
		c.devices = make(map[string]report.DeviceResult, len(devs))
		for _, d := range devs {
			c.devices[d.Name] = d
		}
	}
	return c
}

// verifies reports whether the run read everything f rests on: each
// device f names (its own and its evidence's) completely, and each output
// its evidence lines come from.
func (c checker) verifies(f rules.Finding) bool {
	if c.devices == nil {
		return true
	}
	if !c.read(f.Device) {
		return false
	}
	for _, e := range f.Evidence {
		if !c.read(e.Device) {
			return false
		}
		if e.Source != nil && e.Source.Key != "" {
			if d, ok := c.devices[e.Device]; ok && slices.Contains(d.Missing, e.Source.Key) {
				return false // the fact became unknown
			}
		}
	}
	return true
}

// read reports whether the run read device completely. A device the run
// did not list left the inventory when the runs share a scope, and was
// not audited otherwise. "" and "-" name no device.
func (c checker) read(device string) bool {
	if device == "" || device == "-" {
		return true
	}
	d, ok := c.devices[device]
	if !ok {
		return c.sameScope
	}
	return !d.Incomplete()
}
