package rules

import (
	"fmt"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

func init() {
	register(&Rule{
		ID:       "sip-profile-timers-inconsistent",
		Severity: Critical,
		Summary:  "SIP profile timers leave no time to re-register before the registration expires",
		Doc: `A SIP phone re-registers Timer Register Delta seconds before its registration
expires: every (SIP Station KeepAlive Interval − delta) s to the primary, and
every (Timer Keep Alive Expires − delta) s to the backup. When the delta is not
smaller than the expires, the interval is zero or negative: the phone
re-registers in a loop or lets the registration lapse (critical). When the
delta is smaller than one retransmission (thresholds.min_retransmission_room_s,
and SIP T1), a single lost REGISTER lets the registration expire before the
retransmission arrives (warning).

Fix: restore the delta (default 5 s) or raise the expires in the SIP profile
(Device > Device Settings > SIP Profile).`,
		Check: checkSIPProfiles,
	})
}

func checkSIPProfiles(c *Context) []Finding {
	var out []Finding
	def := c.Config.Defaults
	// SIP profiles live in the cluster-wide database: every node prints
	// the same table. Judge each profile once, on the first node (the
	// primary first), with the phones of every node.
	seen := map[string]bool{}
	var byProfile map[string][]*facts.Phone // built when a profile is bad
	for _, d := range c.Snap.CallManagers() {
		if d.CUCM == nil {
			continue
		}
		granted, grantedSrc := def.SIPStationKeepalive, (*facts.Source)(nil)
		if ka := facts.KeepalivesOf(d); ka.SIP > 0 {
			granted, grantedSrc = ka.SIP, ka.SIPSrc
		}
		for i := range d.CUCM.SIPProfiles {
			prof := &d.CUCM.SIPProfiles[i]
			if _, ok := prof.Sources.Get("register_delta"); !ok {
				continue // delta unknown: nothing to compare
			}
			if seen[strings.ToLower(prof.Name)] {
				continue
			}
			seen[strings.ToLower(prof.Name)] = true
			delta := prof.RegisterDeltaSeconds
			kaExp := prof.KeepaliveExpiresSeconds
			_, kaKnown := prof.Sources.Get("keepalive_expires")
			if !kaKnown {
				kaExp = def.SIPKeepaliveExpires
			}
			t1 := prof.T1Millis
			if _, ok := prof.Sources.Get("t1"); !ok || t1 <= 0 {
				t1 = c.Config.SIPT1Millis
			}
			room := c.Config.MinRetransmissionRoom * 1000
			if t1 > room {
				room = t1
			}
			grantedEv := assumed(d.Name, "SIP Station KeepAlive Interval", fmt.Sprintf("%d s", granted))
			if grantedSrc != nil {
				grantedEv = fact(d.Name, "SIP Station KeepAlive Interval", fmt.Sprintf("%d s", granted), *grantedSrc)
			}
			deltaEv := attr(d.Name, "Timer Register Delta", fmt.Sprintf("%d s", delta), prof.Sources, "register_delta")
			kaEv := attr(d.Name, "Timer Keep Alive Expires", fmt.Sprintf("%d s", kaExp), prof.Sources, "keepalive_expires")
			var sev Severity
			var msg string
			var ev []Evidence
			switch {
			case delta >= kaExp:
				sev = Critical
				msg = fmt.Sprintf("SIP profile %q: register delta %d s is not smaller than keepalive expires %d s: the keepalive REGISTER to the backup has no interval left", prof.Name, delta, kaExp)
				ev = []Evidence{deltaEv, kaEv}
			case delta >= granted:
				sev = Critical
				msg = fmt.Sprintf("SIP profile %q: register delta %d s is not smaller than the %d s registration CUCM grants: phones cannot re-register in time", prof.Name, delta, granted)
				ev = []Evidence{deltaEv, grantedEv}
			case delta*1000 < room:
				sev = Warning
				msg = fmt.Sprintf("SIP profile %q: register delta %d s leaves less than one retransmission (%d ms) before the registration expires: one lost REGISTER unregisters the phone", prof.Name, delta, room)
				ev = []Evidence{deltaEv, attr(d.Name, "Timer T1", fmt.Sprintf("%d ms", t1), prof.Sources, "t1")}
			default:
				continue
			}
			if src, ok := prof.Sources.Get("row"); ok {
				ev = append([]Evidence{fact(d.Name, "SIP profile", prof.Name, src)}, ev...)
			}
			if byProfile == nil {
				byProfile = map[string][]*facts.Phone{}
				for _, p := range c.idx.ptrs {
					if p.CallManager != "" && p.SIPProfile != "" {
						k := strings.ToLower(p.SIPProfile)
						byProfile[k] = append(byProfile[k], p)
					}
				}
			}
			phones := byProfile[strings.ToLower(prof.Name)]
			out = append(out, Finding{
				Severity: sev,
				Device:   d.Name,
				Object:   "sip-profile " + prof.Name,
				Phones:   phoneNames(phones),
				Message:  msg,
				Evidence: ev,
				Fix: []string{
					fmt.Sprintf("# CUCM Administration > Device > Device Settings > SIP Profile > %s", prof.Name),
					fmt.Sprintf("# Timer Register Delta = %d, Timer Keep Alive Expires = %d", def.SIPRegisterDelta, maxInt(kaExp, def.SIPKeepaliveExpires)),
				},
			})
		}
	}
	return out
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
