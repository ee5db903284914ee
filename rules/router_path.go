package rules

import (
	"github.com/kaudit/kaudit/facts"
)

// routerLeg is an IOS router's interface facing phones, with the phones
// behind it and the longest silence among their signalling connections.
type routerLeg struct {
	port   *facts.SwitchPort
	phones []*facts.Phone
	worst  *facts.Phone
	ka     int // the longest keepalive interval: the connection idle longest
}

// routerPhoneLegs lists the interfaces of an IOS device whose subnet holds
// phones (their gateway). Each phone keeps a connection to its primary
// and one to its backup call manager; the backup's is idle longest, so
// that interval is what a per-connection timer must outlast.
func (c *Context) routerPhoneLegs(d *facts.Device) []routerLeg {
	var out []routerLeg
	for i := range d.Switch.Interfaces {
		p := &d.Switch.Interfaces[i]
		if p.Shutdown || !p.L3.Prefix.IsValid() {
			continue
		}
		ps := c.phonesIn(p.L3.Prefix)
		if len(ps) == 0 {
			continue
		}
		l := routerLeg{port: p, phones: ps}
		for _, ph := range ps {
			ka := ph.Keepalive.PrimarySeconds
			if ph.Keepalive.BackupSeconds > ka {
				ka = ph.Keepalive.BackupSeconds
			}
			if l.worst == nil || ka > l.ka {
				l.worst, l.ka = ph, ka
			}
		}
		out = append(out, l)
	}
	return out
}

// cucmFacing lists the router's interfaces whose subnet holds a call
// manager; when none does (the call managers are beyond a WAN), every
// other interface may lead to them, and direct says so.
func (c *Context) cucmFacing(d *facts.Device, except *facts.SwitchPort) (ifs []*facts.SwitchPort, direct bool) {
	for i := range d.Switch.Interfaces {
		p := &d.Switch.Interfaces[i]
		if p == except || !p.L3.Prefix.IsValid() {
			continue
		}
		for _, cm := range c.idx.cucms {
			if p.L3.Prefix.Contains(cm.ip) {
				ifs = append(ifs, p)
				break
			}
		}
	}
	if len(ifs) > 0 {
		return ifs, true
	}
	for i := range d.Switch.Interfaces {
		p := &d.Switch.Interfaces[i]
		if p != except && p.L3.Prefix.IsValid() && !p.Shutdown {
			ifs = append(ifs, p)
		}
	}
	return ifs, false
}

// judge is the severity of a timer against a keepalive; ok false when the
// timer outlasts it by more than margin (or is 0, disabled).
func judge(timer, ka, margin int) (Severity, bool) {
	switch {
	case timer <= 0:
		return 0, false
	case timer <= ka:
		return Critical, true
	case timer <= ka+margin:
		return Warning, true
	}
	return 0, false
}
