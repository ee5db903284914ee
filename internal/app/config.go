package app

import (
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/rules"
)

// LoadPolicy reads policy.yaml (defaults when path is "") and checks that
// every rule it names exists.
func LoadPolicy(path string) (policy.Policy, error) {
	p := policy.Default()
	if path != "" {
		var err error
		if p, err = policy.Load(path); err != nil {
			return p, err
		}
	}
	if err := p.CheckRules(func(id string) bool { return rules.Lookup(id) != nil }); err != nil {
		return p, err
	}
	return p, nil
}

// RulesConfig turns a policy into the rules' configuration.
func RulesConfig(p policy.Policy) rules.Config {
	d, t := p.Defaults, p.Thresholds
	return rules.Config{
		Defaults: facts.Defaults{
			SIPStationKeepalive: d.SIPStationKeepaliveSeconds,
			SIPRegisterDelta:    d.SIPRegisterDeltaSeconds,
			SIPKeepaliveExpires: d.SIPKeepaliveExpiresSeconds,
			SIPRegisterExpires:  d.SIPRegisterExpiresSeconds,
			CUCMExpiryGrace:     d.CUCMExpiryGraceSeconds,
			SCCPKeepalive:       d.SCCPKeepaliveSeconds,
			SCCPBackupKeepalive: d.SCCPBackupKeepaliveSeconds,
			PhoneProtocol:       d.PhoneProtocol,
		},
		MACAgingDefault:       d.MACAgingDefaultSeconds,
		PortSecurityMargin:    t.PortSecurityWarningMarginSeconds,
		FirewallIdleMargin:    t.FirewallIdleWarningMarginSeconds,
		MACAgingMargin:        t.MACAgingWarningMarginSeconds,
		VoicePortMinMaximum:   t.VoicePortMinMaximum,
		MinRetransmissionRoom: t.MinRetransmissionRoomSeconds,
		SIPT1Millis:           d.SIPT1Millis,
		Severity:              p.Severity,
	}
}
