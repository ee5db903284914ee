// Package asa reads what kaudit needs from a Cisco ASA: interfaces and
// their MACs, proxy-ARP state, network objects and NAT, idle timeouts, SIP
// inspection and the ARP table. Each command output has its own parser.
package asa

import (
	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/facts"
)

// The commands, as typed on the ASA.
const (
	CLIVersion       = "show version"
	CLIRunningConfig = "show running-config"
	CLISysopt        = "show running-config all sysopt"
	CLIInterface     = "show interface"
	CLIARP           = "show arp"
)

// Command keys (collectors.Key of each CLI), which name saved outputs.
var (
	KeyVersion       = collectors.Key(CLIVersion)
	KeyRunningConfig = collectors.Key(CLIRunningConfig)
	KeySysopt        = collectors.Key(CLISysopt)
	KeyInterface     = collectors.Key(CLIInterface)
	KeyARP           = collectors.Key(CLIARP)
)

// Commands lists the read-only commands kaudit runs on an ASA. The parsers
// merge into the same facts (interfaces, proxy ARP) in any order, so the
// order here is only the order they are sent in.
func Commands() []collectors.Command {
	return []collectors.Command{
		{Key: KeyVersion, CLI: CLIVersion, Parse: ParseVersion, Optional: true},
		{Key: KeyRunningConfig, CLI: CLIRunningConfig, Parse: ParseRunningConfig},
		{Key: KeySysopt, CLI: CLISysopt, Parse: ParseSysopt},
		{Key: KeyInterface, CLI: CLIInterface, Parse: ParseInterface},
		{Key: KeyARP, CLI: CLIARP, Parse: ParseARP},
	}
}

// asaOf returns d's ASA facts, creating them. Parsers call it only once
// they have succeeded, so a failed parse leaves d as it was.
func asaOf(d *facts.Device) *facts.ASA {
	if d.ASA == nil {
		d.ASA = &facts.ASA{}
	}
	return d.ASA
}
