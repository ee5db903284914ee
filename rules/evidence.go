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
// and each value (CUCM profile timers, service parameters, or defaults) it
// was computed from.
func keepaliveEvidence(p *facts.Phone, seconds int, what string) []Evidence {
	dev := p.CallManager
	if dev == "" {
		dev = "(policy)"
	}
	out := []Evidence{{Device: dev, What: what, Value: fmt.Sprintf("%d s — %s", seconds, p.Keepalive.Basis), Default: p.Keepalive.Defaulted && len(p.Keepalive.Inputs) == 0}}
	for _, in := range p.Keepalive.Inputs {
		v := fmt.Sprintf("%d s", in.Seconds)
		if in.Source != nil {
			out = append(out, fact(in.Source.Host, "  "+in.What, v, *in.Source))
		} else {
			out = append(out, assumed(dev, "  "+in.What, v))
		}
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
