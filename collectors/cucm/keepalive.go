package cucm

import (
	"strconv"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// Service parameter names whose meaning is confirmed (REFERENCE.md).
const (
	ParamSCCPKeepalive       = "StationKeepaliveInterval"
	ParamSCCPBackupKeepalive = "Station2ndKeepaliveInterval"
	// ParamSIPKeepalive is the likely name of the SIP Station KeepAlive
	// Interval; it is unconfirmed, so other spellings are accepted too.
	ParamSIPKeepalive = "SIPStationKeepaliveInterval"
)

// KeepaliveParam is one keepalive interval read from processconfig.
type KeepaliveParam struct {
	// Found is false when no row classified as this parameter carried a
	// whole number; Seconds and Source are then zero.
	Found   bool
	Name    string // the paramname as CUCM spells it
	Seconds int
	Source  facts.Source
	// Conflict is set when rows (one per node, typically) disagree;
	// Seconds is then the largest of them.
	Conflict bool
}

// Keepalives are the three keepalive service parameters the rules compare
// idle timers against.
type Keepalives struct {
	SCCP       KeepaliveParam // Station KeepAlive Interval (default 30 s)
	SCCPBackup KeepaliveParam // Station and Backup Server KeepAlive Interval (60 s)
	SIP        KeepaliveParam // SIP Station KeepAlive Interval (120 s)
}

// KeepaliveParams classifies c's service parameters.
//
// An exact known name wins over a name that merely looks right, so an
// unrelated parameter matching the loose patterns cannot displace the real
// one. Loosely: SIP is any name containing "sip" and "keepalive" but not
// "2nd"/"backup"; SCCP backup is any name without "sip" containing
// "keepalive" and "2nd" or "backup". When several rows qualify (processconfig has one row per
// node), the largest interval is kept: every idle timer on the path must
// outlast the longest keepalive any node asks phones for. Rows whose value
// is not a whole number are skipped.
func KeepaliveParams(c *facts.CUCM) Keepalives {
	var k Keepalives
	if c == nil {
		return k
	}
	pick := func(exact string, loose func(lower string) bool) KeepaliveParam {
		var best KeepaliveParam
		for pass := 0; pass < 2 && !best.Found; pass++ {
			for _, p := range c.ServiceParams {
				lower := strings.ToLower(p.Name)
				if pass == 0 && !strings.EqualFold(p.Name, exact) || pass == 1 && !loose(lower) {
					continue
				}
				n, err := strconv.Atoi(strings.TrimSpace(p.Value))
				if err != nil || n < 0 {
					continue
				}
				switch {
				case !best.Found:
					best = KeepaliveParam{Found: true, Name: p.Name, Seconds: n, Source: p.Source}
				case n != best.Seconds:
					best.Conflict = true
					if n > best.Seconds {
						best.Name, best.Seconds, best.Source = p.Name, n, p.Source
					}
				}
			}
		}
		return best
	}
	isBackup := func(s string) bool { return strings.Contains(s, "2nd") || strings.Contains(s, "backup") }
	k.SCCP = pick(ParamSCCPKeepalive, func(string) bool { return false })
	k.SCCPBackup = pick(ParamSCCPBackupKeepalive, func(s string) bool {
		return !strings.Contains(s, "sip") && strings.Contains(s, "keepalive") && isBackup(s)
	})
	k.SIP = pick(ParamSIPKeepalive, func(s string) bool {
		return strings.Contains(s, "sip") && strings.Contains(s, "keepalive") && !isBackup(s)
	})
	return k
}
