// Package policy reads policy.yaml, the optional file in which a site states
// what kaudit should assume when a device does not say (defaults), how close
// a timer may come to a keepalive before it is flagged (thresholds), which
// rules weigh how much (severity) and which findings are accepted (waivers).
package policy

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Policy is the whole policy.yaml. The zero value is not useful: start from
// Default, which Parse and Load do.
type Policy struct {
	// File is where the policy was read from; "" for the built-in defaults.
	File string `yaml:"-"`

	Defaults   Defaults   `yaml:"defaults"`
	Thresholds Thresholds `yaml:"thresholds"`
	// Severity overrides a rule's severity, by rule id: info, warning,
	// critical, or off to disable the rule.
	Severity map[string]string `yaml:"severity,omitempty"`
	// Waivers accept known findings until they expire.
	Waivers []Waiver `yaml:"waivers,omitempty"`

	severityLines map[string]int // rule id -> line, for CheckRules
}

// Defaults are what the rules assume when a fact is unknown: the CUCM was
// not audited, a query failed, or a phone's protocol is not known. They
// are CUCM's and the switches' factory values, so an unknown fact is
// judged as an untouched installation would be.
type Defaults struct {
	// SIPStationKeepaliveSeconds is the Expires CUCM grants a SIP phone's
	// REGISTER: the SIP Station KeepAlive Interval service parameter
	// (default 120 s). The phone re-registers this minus the register
	// delta after each registration.
	SIPStationKeepaliveSeconds int `yaml:"sip_station_keepalive_s" policy:"min=1"`
	// SIPRegisterDeltaSeconds is the SIP profile's Timer Register Delta
	// (default 5 s): how long before expiry the phone re-registers.
	SIPRegisterDeltaSeconds int `yaml:"sip_register_delta_s"`
	// SIPKeepaliveExpiresSeconds is the SIP profile's Timer Keep Alive
	// Expires (default 120 s): the interval of the keepalive REGISTER a
	// SIP phone sends its backup call manager.
	SIPKeepaliveExpiresSeconds int `yaml:"sip_keepalive_expires_s" policy:"min=1"`
	// SCCPKeepaliveSeconds is the Station KeepAlive Interval service
	// parameter (default 30 s): how often an SCCP phone sends a KeepAlive
	// to its primary.
	SCCPKeepaliveSeconds int `yaml:"sccp_keepalive_s" policy:"min=1"`
	// SCCPBackupKeepaliveSeconds is the Station and Backup Server
	// KeepAlive Interval (default 60 s): SCCP keepalives to the backup.
	SCCPBackupKeepaliveSeconds int `yaml:"sccp_backup_keepalive_s" policy:"min=1"`
	// SIPT1Millis and SIPT2Millis are the SIP profile's Timer T1 and T2
	// (defaults 500 and 4000 ms, RFC 3261's values): they set how fast a
	// lost SIP request is retransmitted.
	SIPT1Millis int `yaml:"sip_t1_ms" policy:"min=1"`
	SIPT2Millis int `yaml:"sip_t2_ms" policy:"min=1"`
	// SIPRegisterExpiresSeconds is the SIP profile's Timer Register
	// Expires (default 3600 s): what the phone asks for; CUCM grants the
	// SIP station keepalive instead.
	SIPRegisterExpiresSeconds int `yaml:"sip_register_expires_s" policy:"min=1"`
	// CUCMExpiryGraceSeconds is how long past the keepalive interval CUCM
	// waits before it unregisters a silent phone (Reason=13). About 15 s
	// was observed in the seed's case study 2.
	CUCMExpiryGraceSeconds int `yaml:"cucm_expiry_grace_s"`
	// PhoneProtocol is assumed for a phone whose protocol is unknown: SIP
	// (the default, and what current Cisco phones run) or SCCP.
	PhoneProtocol string `yaml:"phone_protocol" policy:"protocol"`
	// MACAgingDefaultSeconds is a switch's MAC table aging time when its
	// output does not show it (the IOS default is 300 s).
	MACAgingDefaultSeconds int `yaml:"mac_aging_default_s" policy:"min=1"`
}

// Thresholds tune when a finding is raised. A margin widens a rule's
// critical comparison into a warning band: an idle timer that outlasts the
// keepalive by less than the margin is a warning, since one retransmission
// or a late keepalive eats that slack.
type Thresholds struct {
	// PortSecurityWarningMarginSeconds: port-security inactivity aging
	// less than this above a phone's keepalive is a warning (default 60 s).
	PortSecurityWarningMarginSeconds int `yaml:"port_security_warning_margin_s"`
	// FirewallIdleWarningMarginSeconds: the same for a firewall
	// connection idle timeout on the phone-CUCM path (default 60 s).
	FirewallIdleWarningMarginSeconds int `yaml:"firewall_idle_warning_margin_s"`
	// MACAgingWarningMarginSeconds: the same for MAC table aging
	// (default 60 s).
	MACAgingWarningMarginSeconds int `yaml:"mac_aging_warning_margin_s"`
	// VoicePortMinMaximum is the least port-security maximum on a port
	// with a voice VLAN (default 2: the phone and the PC behind it).
	VoicePortMinMaximum int `yaml:"voice_port_min_maximum" policy:"min=1"`
	// MinRetransmissionRoomSeconds is the least time a SIP profile must
	// leave between the re-REGISTER and the registration's expiry for one
	// retransmission to get through (default 1 s, the order of the first
	// retransmission's delay: T1 = 500 ms for SIP over UDP, an initial
	// RTO of about 1 s over TCP).
	MinRetransmissionRoomSeconds int `yaml:"min_retransmission_room_s"`
}

// Severities a policy may give a rule.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
	SeverityOff      = "off" // the rule does not run
)

// Default is the policy with no policy.yaml.
func Default() Policy {
	return Policy{
		Defaults: Defaults{
			SIPStationKeepaliveSeconds: 120,
			SIPRegisterDeltaSeconds:    5,
			SIPKeepaliveExpiresSeconds: 120,
			SCCPKeepaliveSeconds:       30,
			SCCPBackupKeepaliveSeconds: 60,
			SIPT1Millis:                500,
			SIPT2Millis:                4000,
			SIPRegisterExpiresSeconds:  3600,
			CUCMExpiryGraceSeconds:     15,
			PhoneProtocol:              "SIP",
			MACAgingDefaultSeconds:     300,
		},
		Thresholds: Thresholds{
			PortSecurityWarningMarginSeconds: 60,
			FirewallIdleWarningMarginSeconds: 60,
			MACAgingWarningMarginSeconds:     60,
			VoicePortMinMaximum:              2,
			MinRetransmissionRoomSeconds:     1,
		},
	}
}

// SeverityFor returns the severity the policy gives rule id, if any.
func (p Policy) SeverityFor(id string) (string, bool) {
	s, ok := p.Severity[id]
	return s, ok
}

// CheckRules reports severity overrides and waivers naming a rule that
// known does not recognise, with their lines: a typo there would otherwise
// silently keep a rule at its severity or a finding unwaived. The rules
// package calls it with its registry, which this package cannot import.
func (p Policy) CheckRules(known func(id string) bool) error {
	var errs errorList
	for id, line := range p.severityLines {
		if !known(id) {
			errs.add(&Error{File: p.File, Line: line, Msg: fmt.Sprintf("severity: unknown rule %q", id)})
		}
	}
	for _, w := range p.Waivers {
		if w.Rule != "*" && !known(w.Rule) {
			errs.add(&Error{File: p.File, Line: w.Line, Msg: fmt.Sprintf("waiver: unknown rule %q", w.Rule)})
		}
	}
	errs.sort()
	return errs.err()
}

// Waiver accepts the findings of one rule on matching devices and objects,
// for a stated reason, until it expires.
type Waiver struct {
	// Rule is the rule id, or "*" for every rule.
	Rule string `yaml:"rule" policy:"required,rule"`
	// Device is the device name or a glob pattern (see Object).
	Device string `yaml:"device" policy:"required,glob"`
	// Object is the finding's object (interface, NAT rule, SIP profile) or
	// a glob pattern: * matches any text, "/" included, ? one character,
	// [abc] or [!abc] one of a set; matching ignores case. Empty matches
	// every object. Interfaces are named in full (GigabitEthernet1/0/5),
	// as findings name them.
	Object string `yaml:"object,omitempty" policy:"glob"`
	// Reason says why the finding is accepted; it is shown in reports.
	Reason string `yaml:"reason" policy:"required"`
	// Owner is who answers for the waiver.
	Owner string `yaml:"owner,omitempty"`
	// Expires is the last day the waiver applies; zero is never.
	Expires Date `yaml:"expires,omitempty"`
	// Line is where the waiver starts in the policy file.
	Line int `yaml:"-"`

	device, object *regexp.Regexp
}

// Matches reports whether the waiver covers a finding of rule on device
// and object (expiry aside: see Expired).
func (w Waiver) Matches(rule, device, object string) bool {
	if w.Rule != "*" && w.Rule != rule {
		return false
	}
	if !globMatch(w.device, w.Device, device) {
		return false
	}
	return w.Object == "" || globMatch(w.object, w.Object, object)
}

// globMatch matches s against pattern, compiling it when Parse did not
// (a Waiver built in code).
func globMatch(re *regexp.Regexp, pattern, s string) bool {
	if re == nil {
		var err error
		if re, err = compileGlob(pattern); err != nil {
			return false
		}
	}
	return re.MatchString(s)
}

// Expired reports whether the waiver no longer applies at now: after the
// end of its expiry day in now's time zone.
func (w Waiver) Expired(now time.Time) bool {
	if w.Expires.IsZero() {
		return false
	}
	y, m, d := now.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).After(w.Expires.t)
}

// Date is a calendar day written YYYY-MM-DD. It has no time zone: a waiver
// lasts through its expiry day wherever the audit runs.
type Date struct{ t time.Time } // midnight UTC; zero is no date

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	return Date{t}, nil
}

// IsZero reports whether no date is set.
func (d Date) IsZero() bool { return d.t.IsZero() }

// String renders the date as YYYY-MM-DD, or "" when unset.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// MarshalYAML writes the date as YYYY-MM-DD.
func (d Date) MarshalYAML() (any, error) { return d.String(), nil }

// Error is one problem in a policy file, located to its line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	file := e.File
	if file == "" {
		file = "policy"
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", file, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", file, e.Msg)
}

// compileGlob turns a glob into an anchored, case-insensitive regexp.
func compileGlob(g string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString(`(?is)^`)
	rs := []rune(g)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		case '\\':
			if i+1 == len(rs) {
				return nil, fmt.Errorf("pattern %q ends in a lone backslash", g)
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case '[':
			j := i + 1
			if j < len(rs) && (rs[j] == '!' || rs[j] == '^') {
				j++
			}
			if j < len(rs) && rs[j] == ']' {
				j++ // a leading ] is a member, as in shell globs
			}
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("pattern %q has an unclosed [", g)
			}
			set := rs[i+1 : j]
			b.WriteByte('[')
			if len(set) > 0 && (set[0] == '!' || set[0] == '^') {
				b.WriteByte('^')
				set = set[1:]
			}
			for _, r := range set {
				if r == '\\' || r == '[' || r == ']' || r == '^' {
					b.WriteByte('\\')
				}
				b.WriteRune(r)
			}
			b.WriteByte(']')
			i = j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteByte('$')
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %v", g, err)
	}
	return re, nil
}
