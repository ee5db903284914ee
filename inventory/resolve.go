package inventory

import (
	"sort"
	"strings"
)

// resolve merges each host's settings: defaults, then its groups in the
// order linearize gives, then the host's own, later levels winning.
func (p *parser) resolve(defaults *settings, groups, hosts []section) *Inventory {
	byName := map[string]*section{}
	names := make([]string, 0, len(groups))
	for i := range groups {
		byName[groups[i].name] = &groups[i]
		names = append(names, groups[i].name)
	}
	for _, g := range groups {
		p.checkRefs(g.s.groups, level{kind: "group", name: g.name}, byName, names)
	}
	for _, h := range hosts {
		p.checkRefs(h.s.groups, level{kind: "host", name: h.name}, byName, names)
	}
	p.findCycles(groups, byName)

	l := &linearizer{byName: byName, memo: map[string][]string{}, state: map[string]int{}}
	inv := &Inventory{Hosts: make([]Host, 0, len(hosts))}
	jumpLines := map[string]int{}
	for _, sec := range hosts {
		order := l.of(sec.s.groups)
		r := &settings{}
		r.merge(defaults)
		for _, g := range order {
			r.merge(byName[g].s)
		}
		r.merge(sec.s)
		h := Host{
			Name:             sec.name,
			Platform:         r.platform.v,
			Address:          r.address.v,
			Port:             r.port.v,
			Username:         r.username.v,
			Password:         r.password.v,
			Enable:           r.enable.v,
			PrivateKey:       r.privateKey.v,
			Passphrase:       r.passphrase.v,
			SSHAgent:         r.sshAgent.v,
			KnownHosts:       r.knownHosts.v,
			Jump:             r.jump.v,
			LegacyAlgorithms: r.legacy.v,
			Timeout:          r.timeout.v,
			CommandTimeout:   r.commandTimeout.v,
			Transport:        r.transport.v,
			AXLPort:          r.axlPort.v,
			AXLVersion:       r.axlVersion.v,
			AXLCAFile:        r.axlCAFile.v,
			AXLFingerprint:   r.axlFingerprint.v,
			AXLKnownHosts:    r.axlKnownHosts.v,
			Tags:             uniqSorted(r.tags),
			Roles:            uniqSorted(r.roles),
			Groups:           order,
			Data:             r.data,
			Line:             sec.line,
		}
		if !r.platform.set && !r.bad {
			p.errAt(sec.line, sec.col, "host %s has no platform: set platform (ios, asa or cucm) in the host, one of its groups or defaults", sec.name)
		}
		if h.Transport == TransportAXL && r.platform.set && h.Platform != PlatformCUCM {
			p.errAt(r.transport.line, 0, "host %s: transport axl reads a CUCM node, not a %s device (set it on the call managers, or use auto, which reads others over the CLI)", sec.name, h.Platform)
		}
		if h.Address == "" {
			h.Address = h.Name
		}
		if h.Port == 0 {
			h.Port = DefaultPort
		}
		if h.Timeout == 0 {
			h.Timeout = DefaultTimeout
		}
		if h.CommandTimeout == 0 {
			h.CommandTimeout = DefaultCommandTimeout
		}
		jumpLines[h.Name] = r.jump.line
		inv.Hosts = append(inv.Hosts, h)
	}
	sort.Slice(inv.Hosts, func(i, j int) bool { return inv.Hosts[i].Name < inv.Hosts[j].Name })
	p.checkJumps(inv, jumpLines)
	return inv
}

func (p *parser) checkRefs(refs []groupRef, at level, byName map[string]*section, names []string) {
	for _, r := range refs {
		if byName[r.name] == nil {
			p.errAt(r.line, r.col, "undefined group %q in %s%s", r.name, at, didYouMean(r.name, names))
		}
	}
}

// findCycles reports each group cycle once, at the reference that closes it.
func (p *parser) findCycles(groups []section, byName map[string]*section) {
	const (
		fresh = iota
		onStack
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(g *section)
	visit = func(g *section) {
		state[g.name] = onStack
		stack = append(stack, g.name)
		for _, r := range g.s.groups {
			t := byName[r.name]
			if t == nil {
				continue
			}
			switch state[t.name] {
			case onStack:
				i := len(stack) - 1
				for stack[i] != t.name {
					i--
				}
				path := append(append([]string{}, stack[i:]...), t.name)
				p.errAt(r.line, r.col, "group cycle: %s", strings.Join(path, " -> "))
			case fresh:
				visit(t)
			}
		}
		stack = stack[:len(stack)-1]
		state[g.name] = done
	}
	for i := range groups {
		if state[groups[i].name] == fresh {
			visit(&groups[i])
		}
	}
}

// linearizer orders a host's groups: for each listed group, its parents
// (recursively, in their listed order) and then the group itself; a group
// reached twice keeps its first place. Applying them in this order makes a
// group override its parents and a later listed group override an earlier.
type linearizer struct {
	byName map[string]*section
	memo   map[string][]string
	state  map[string]int // 1 while being expanded: cycles are skipped (reported by findCycles)
}

func (l *linearizer) of(refs []groupRef) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range refs {
		for _, g := range l.group(r.name) {
			if !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out
}

func (l *linearizer) group(name string) []string {
	g := l.byName[name]
	if g == nil || l.state[name] == 1 {
		return nil
	}
	if m, ok := l.memo[name]; ok {
		return m
	}
	l.state[name] = 1
	out := append(l.of(g.s.groups), name)
	l.state[name] = 0
	// With a cycle, a group's order depends on where its expansion was
	// entered; the inventory is rejected then, so memoizing is still safe.
	l.memo[name] = out
	return out
}

// checkJumps rejects a host that jumps through itself, directly or via a
// loop of inventory hosts, which would never connect.
func (p *parser) checkJumps(inv *Inventory, jumpLines map[string]int) {
	next := inv.JumpHost
	for i := range inv.Hosts {
		h := &inv.Hosts[i]
		j := next(h)
		if j == nil {
			continue
		}
		if j.Name == h.Name {
			p.errAt(h.Line, 0, "host %s jumps through itself (jump: %s set at line %d); set jump: \"\" on the host", h.Name, h.Jump, jumpLines[h.Name])
			continue
		}
		path := []string{h.Name}
		for cur, steps := j, 0; cur != nil && steps <= len(inv.Hosts); cur, steps = next(cur), steps+1 {
			path = append(path, cur.Name)
			if cur.Name == h.Name {
				// Report a loop once, from its alphabetically first host.
				if minName(path) == h.Name {
					p.errAt(jumpLines[h.Name], 0, "jump loop: %s", strings.Join(path, " -> "))
				}
				break
			}
			if cur.Name == cur.Jump {
				break // reported for that host itself
			}
		}
	}
}

func minName(names []string) string {
	m := names[0]
	for _, n := range names[1:] {
		if n < m {
			m = n
		}
	}
	return m
}

func uniqSorted(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := append([]string(nil), in...)
	sort.Strings(out)
	w := 1
	for _, s := range out[1:] {
		if s != out[w-1] {
			out[w] = s
			w++
		}
	}
	return out[:w]
}
