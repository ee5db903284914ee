package facts

import "strings"

// The phone stack's own limits (see KeepaliveFormulas).
const (
	// SIPBackupKeepaliveFloor: the keepalive REGISTER to the backup is
	// re-armed every Timer Keep Alive Expires, never below 120 s.
	SIPBackupKeepaliveFloor = 120
	// SIPRegistrationFloor: the phone drops a registration whose granted
	// expires − Timer Register Delta is under 20 s.
	SIPRegistrationFloor = 20
)

// Formula is one way kaudit works out how long a phone can stay silent,
// with the source it rests on.
type Formula struct {
	What    string
	Formula string
	Source  string
}

// KeepaliveFormulas documents every keepalive formula kaudit uses, in one
// place: Snapshot.Keepalive computes them, the rules compare timers with
// them, and `kaudit rules -l` prints this table.
var KeepaliveFormulas = []Formula{
	{"SIP phone, to the primary", "SIP Station KeepAlive Interval (the Expires CUCM grants, default 120 s) − Timer Register Delta (default 5 s) = 115 s",
		"Cisco TAC document 200410; Cisco's SIP phone stack (sipcc ccsip_register.c: re-REGISTER at expires − delta)"},
	{"SIP phone, registration floor", "a registration whose granted expires − delta is under 20 s is dropped by the phone",
		"sipcc ccsip_register.c (the stack's minimum registration time)"},
	{"SIP phone, to the backup", "Timer Keep Alive Expires itself (no delta subtracted), never below 120 s: the keepalive REGISTER with Expires: 0 and cisco-keep-alive",
		"sipcc ccsip_register.c (keepalive timer re-armed at the keepalive expires, minimum 120 s)"},
	{"Mobile and dual-mode SIP clients (Jabber for iPhone, Android, tablet; Standard SIP Profile For Mobile Device)", "Timer Register Expires − Timer Register Delta, not the SIP Station KeepAlive Interval",
		"CUCM 12.5(1)SU1 Feature Configuration Guide, Mobility (dual-mode devices register on the SIP profile's Timer Register Expires)"},
	{"SCCP phone, to the primary", "Station KeepAlive Interval (default 30 s)",
		"CUCM service parameter help, Cisco CallManager service"},
	{"SCCP phone, to the backup", "Station and Backup Server KeepAlive Interval (default 60 s)",
		"CUCM service parameter help, Cisco CallManager service"},
	{"CUCM, unregistering", "about 15 s past the interval (policy cucm_expiry_grace_s) with no keepalive: EndPointUnregistered Reason=13",
		"Cisco TAC document 200410 (\"waits for only 15 seconds (after the 115s)\")"},
	{"Shortest silence", "the shortest of the phone's intervals: what every idle timer on its path is compared with",
		"kaudit"},
}

// MobileDevice reports whether a phone registers like a dual-mode or
// mobile client: its model is a Jabber mobile or dual-mode device, or its
// SIP profile is one for mobile devices (the shipped "Standard SIP Profile
// For Mobile Device").
func MobileDevice(model, sipProfile string) bool {
	m := strings.ToLower(model)
	for _, k := range []string{"dual mode", "jabber for tablet", "jabber for iphone", "jabber for android", "mobile"} {
		if strings.Contains(m, k) {
			return true
		}
	}
	return strings.Contains(strings.ToLower(sipProfile), "mobile device")
}
