package sshx

import (
	"fmt"
	"strings"

	"github.com/kaudit/kaudit/inventory"
)

// SecretsError lists the secret references of an audit that cannot be
// resolved. It is an input error: the inventory or the environment is
// wrong, not a device, so the caller fails the whole audit before any
// device is dialled instead of reporting each device failed after
// dialling the others.
type SecretsError struct {
	// Problems are one line per distinct failure: the hosts it hits
	// (inventory order, at most maxNamed named), which secret, and the
	// reason, which names the reference, never a value.
	Problems []string
}

func (e *SecretsError) Error() string {
	return "secret references that cannot be resolved (nothing was contacted):\n  " + strings.Join(e.Problems, "\n  ")
}

// maxNamed bounds the hosts named per problem: an unset variable in the
// inventory's defaults hits every host.
const maxNamed = 5

// CheckSecrets resolves every secret reference a connection to the hosts
// of inv would use — each host's password, enable and passphrase, and
// the password and passphrase of each inventory jump host on its way —
// through cache, so that the values read here are the ones the
// connections use. A passphrase is checked even when its key turns out
// not to be encrypted: a reference that is set but cannot be read is a
// mistake worth stopping for. It returns a *SecretsError, or nil.
func CheckSecrets(inv *inventory.Inventory, cache *SecretCache) error {
	type problem struct {
		what  string // "password: secret env:X: environment variable is not set"
		hosts []string
	}
	var problems []*problem
	byWhat := map[string]*problem{}
	note := func(host, what string) {
		p := byWhat[what]
		if p == nil {
			p = &problem{what: what}
			byWhat[what] = p
			problems = append(problems, p)
		}
		if len(p.hosts) == 0 || p.hosts[len(p.hosts)-1] != host {
			p.hosts = append(p.hosts, host)
		}
	}
	check := func(host, prefix string, h *inventory.Host, enable bool) {
		refs := map[string]inventory.SecretRef{"password": h.Password, "passphrase": h.Passphrase}
		if enable {
			refs["enable"] = h.Enable
		}
		for _, name := range []string{"password", "enable", "passphrase"} {
			if ref := refs[name]; !ref.IsZero() {
				if _, err := cache.resolve(ref); err != nil {
					note(host, prefix+name+": "+err.Error())
				}
			}
		}
	}
	for i := range inv.Hosts {
		h := &inv.Hosts[i]
		check(h.Name, "", h, true)
		// The jump chain, as dialChain walks it; the inventory refuses
		// jump loops, and the depth bound keeps this loop finite anyway.
		for j, depth := inv.JumpHost(h), 0; j != nil && depth <= maxJumpDepth; j, depth = inv.JumpHost(j), depth+1 {
			check(h.Name, "jump "+j.Name+" ", j, false)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	e := &SecretsError{}
	for _, p := range problems {
		named := p.hosts
		more := ""
		if len(named) > maxNamed {
			more = fmt.Sprintf(" and %d more", len(named)-maxNamed)
			named = named[:maxNamed]
		}
		e.Problems = append(e.Problems, strings.Join(named, ", ")+more+": "+p.what)
	}
	return e
}
