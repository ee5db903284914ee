package rules

import (
	"fmt"

	"github.com/kaudit/kaudit/facts"
)

// fact is evidence read from a device line.
func fact(device, what, value string, src facts.Source) Evidence {
	s := src
	return Evidence{Device: device, What: what, Value: value, Source: &s}
}

// assumed is evidence that is a default, not a read fact.
func assumed(device, what, value string) Evidence {
	return Evidence{Device: device, What: what, Value: value, Default: true}
}

// attr is evidence for attribute name of sources, falling back to a
// default when the attribute was not configured.
func attr(device, what, value string, srcs facts.Sources, name string) Evidence {
	if src, ok := srcs.Get(name); ok {
		return fact(device, what, value, src)
	}
	return assumed(device, what, value)
}

// keepaliveEvidence is the phone side of a finding: the keepalive interval
// and the lines (CUCM profile, service parameters) it was computed from.
func keepaliveEvidence(p *facts.Phone, seconds int, what string) []Evidence {
	dev := p.CallManager
	if dev == "" {
		dev = "(policy)"
	}
	value := fmt.Sprintf("%d s — %s", seconds, p.Keepalive.Basis)
	if len(p.Keepalive.Sources) == 0 {
		return []Evidence{assumed(dev, what, value)}
	}
	out := []Evidence{}
	for i, src := range p.Keepalive.Sources {
		e := fact(src.Host, what, value, src)
		if i > 0 {
			e.What, e.Value = "  from", src.Text
		}
		out = append(out, e)
	}
	return out
}

// phoneEvidence places a phone on its port (the CDP/LLDP/PoE line).
func phoneEvidence(p *facts.Phone) []Evidence {
	out := []Evidence{}
	for _, s := range p.Seen {
		name := p.Name
		if name == "" {
			name = p.Model
		}
		out = append(out, fact(s.Host, "phone on "+p.Port, name, s))
		break // one line is enough to place it
	}
	return out
}

func notes(p *facts.Phone) []string {
	if p.Keepalive.Defaulted {
		return []string{"keepalive partly assumed from policy defaults: " + p.Keepalive.Basis}
	}
	return nil
}

// ceilMinutes is seconds rounded up to whole minutes.
func ceilMinutes(s int) int { return (s + 59) / 60 }
