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
expires: every (SIP Station KeepAlive Interval − delta) s to the primary. Cisco's
phone stack drops a registration whose expires − delta is under 20 s, so a
delta that leaves less than that (or nothing) loses the registration
(critical). Mobile and dual-mode clients (the shipped "Standard SIP Profile For
Mobile Device") register on the profile's Timer Register Expires instead, and
are judged on it. The keepalive REGISTER to the backup is re-armed every Timer
Keep Alive Expires itself (no delta subtracted, never below 120 s), so the
delta does not shorten it. When the delta is smaller than one retransmission
(thresholds.min_retransmission_room_s, and SIP T1), a single lost REGISTER lets
the registration expire before the retransmission arrives (warning).
The formulas and their sources: facts.KeepaliveFormulas (kaudit rules -l).

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
			// Mobile and dual-mode profiles register on Timer Register
			// Expires, the others on what CUCM grants.
			regGranted, regEv, regWhat := granted, grantedEv, "the registration CUCM grants"
			if facts.MobileDevice("", prof.Name) {
				regGranted, regWhat = def.SIPRegisterExpires, "Timer Register Expires (a mobile-device profile)"
				if _, ok := prof.Sources.Get("register_expires"); ok {
					regGranted = prof.RegisterExpiresSeconds
				}
				regEv = attr(d.Name, "Timer Register Expires", fmt.Sprintf("%d s", regGranted), prof.Sources, "register_expires")
			}
			var sev Severity
			var msg string
			var ev []Evidence
			switch {
			case regGranted-delta < facts.SIPRegistrationFloor:
				sev = Critical
				msg = fmt.Sprintf("SIP profile %q: register delta %d s leaves %d s of the %d s of %s, under the %d s a phone needs: the phone drops the registration", prof.Name, delta, regGranted-delta, regGranted, regWhat, facts.SIPRegistrationFloor)
				ev = []Evidence{deltaEv, regEv}
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
					fmt.Sprintf("# Timer Register Delta = %d", def.SIPRegisterDelta),
				},
			})
		}
	}
	return out
}
