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

// Command returns the command of platform name whose key is key.
func Command(name, key string) (collectors.Command, error) {
	cmds, err := Commands(name)
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
