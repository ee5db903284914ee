// Package platform picks a platform's command list by the inventory's
// platform name.
package platform

import (
	"fmt"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/collectors/asa"
	"github.com/kaudit/kaudit/collectors/cucm"
	"github.com/kaudit/kaudit/collectors/ios"
	"github.com/kaudit/kaudit/facts"
)

// Names lists the platforms kaudit knows.
func Names() []string { return []string{facts.PlatformIOS, facts.PlatformASA, facts.PlatformCUCM} }

// Commands returns the read-only commands of platform name.
func Commands(name string) ([]collectors.Command, error) {
	switch name {
	case facts.PlatformIOS:
		return ios.Commands(), nil
	case facts.PlatformASA:
		return asa.Commands(), nil
	case facts.PlatformCUCM:
		return cucm.Commands(), nil
	}
	return nil, fmt.Errorf("unknown platform %q (want ios, asa or cucm)", name)
}

// AllCommands is every command of platform name over every transport:
// for CUCM, the CLI's run sql queries and the same queries over AXL. A
// saved host directory holds the outputs of one of them.
func AllCommands(name string) ([]collectors.Command, error) {
	cmds, err := Commands(name)
	if err != nil || name != facts.PlatformCUCM {
		return cmds, err
	}
	return append(cmds, cucm.AXLCommands()...), nil
}

// SavedCommands is the command list that reads a host's saved outputs,
// has telling which keys have one: for CUCM, the AXL queries' when the
// outputs were collected over AXL (an AXL key and no CLI key saved),
// else the platform's Commands.
func SavedCommands(name string, has func(key string) bool) ([]collectors.Command, error) {
	cmds, err := Commands(name)
	if err != nil || name != facts.PlatformCUCM {
		return cmds, err
	}
	for _, c := range cmds {
		if has(c.Key) {
			return cmds, nil
		}
	}
	axl := cucm.AXLCommands()
	for _, c := range axl {
		if has(c.Key) {
			return axl, nil
		}
	}
	return cmds, nil
}

// Command returns the command of platform name whose key is key.
func Command(name, key string) (collectors.Command, error) {
	cmds, err := AllCommands(name)
	if err != nil {
		return collectors.Command{}, err
	}
	var keys []string
	for _, c := range cmds {
		if c.Key == key || c.CLI == key {
			return c, nil
		}
		keys = append(keys, c.Key)
	}
	return collectors.Command{}, fmt.Errorf("unknown %s command key %q (known: %v)", name, key, keys)
}
