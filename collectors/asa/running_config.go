package asa

import (
	"bytes"
	"net/netip"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// wrapMin is the shortest line a terminal of at least 80 columns can have
// wrapped: 80 characters, or 79 when the 80th was a blank that the line
// reader trimmed.
const wrapMin = 79

// maxJoin bounds how many wrapped pieces one config line is rebuilt from.
const maxJoin = 8

// ParseRunningConfig reads show running-config: hostname, interfaces,
// network objects and groups, object and twice NAT, sysopt noproxyarp,
// global timeouts, what the policy classes match (access lists, service
// objects and groups, protocol groups, class maps), policy-map class
// order, timeouts and inspections, and service-policy bindings. It
// tolerates the saved-config headers, echoed prompts, pager remnants,
// configs with or without indentation, and lines a terminal wrapped at its
// width. Access-list entries and service members it cannot read are kept
// as unreadable, each with a warning naming its line.
func ParseRunningConfig(data []byte, d *facts.Device) error {
	lines, err := readLines(d, KeyRunningConfig, data)
	if err != nil {
		return err
	}
	p := &rcParser{
		d:               d,
		key:             KeyRunningConfig,
		ifIndex:         map[string]int{},
		objIndex:        map[string]int{},
		groupIndex:      map[string]int{},
		aclIndex:        map[string]int{},
		svcObjIndex:     map[string]int{},
		svcGroupIndex:   map[string]int{},
		protoGroupIndex: map[string]int{},
		classMapIndex:   map[string]int{},
		policyMapIndex:  map[string]int{},
	}
	// Sized up front: NAT rules and objects are large and a big edge
	// firewall has tens of thousands of them.
	p.nat = make([]facts.NATRule, 0, bytes.Count(data, []byte("nat ")))
	p.objects = make([]facts.NetworkObject, 0, bytes.Count(data, []byte("object network ")))
	if err := p.run(lines); err != nil {
		return err
	}
	if !p.recognised {
		return errAt(d, p.key, 0, "no ASA configuration found in %d lines (no hostname, interface, object, nat, timeout or policy-map)", len(lines))
	}
	p.commit()
	return nil
}

// commit moves the parsed facts into the device. The running config owns
// every list it reads; interfaces and proxy-ARP settings are merged with
// what other commands reported.
func (p *rcParser) commit() {
	a := asaOf(p.d)
	if p.hostname != "" {
		a.Hostname = p.hostname
	}
	if a.Version == "" {
		// show version, when read, is more precise (9.8(2)20 vs 9.8(2)).
		a.Version = p.version
	}
	a.Interfaces = mergeInterfaces(a.Interfaces, p.ifaces, p.key)
	a.ProxyARP = mergeProxyARP(a.ProxyARP, p.proxy, p.key)
	a.Objects = nilIfEmpty(p.objects)
	a.ObjectGroups = p.groups
	a.NAT = nilIfEmpty(p.nat)
	a.Timeouts = p.timeouts
	a.ClassTimeouts = p.classTO
	a.Inspects = p.inspects
	a.ServicePolicy = p.policies
	a.AccessLists = nilIfEmpty(p.acls)
	a.ServiceObjects = nilIfEmpty(p.svcObjects)
	a.ServiceGroups = nilIfEmpty(p.svcGroups)
	a.ProtocolGroups = nilIfEmpty(p.protoGroups)
	a.ClassMaps = nilIfEmpty(p.classMaps)
	a.PolicyMaps = nilIfEmpty(p.policyMaps)
	// The warnings of an earlier read of this output are replaced.
	var keep []*facts.ParseError
	for _, w := range p.d.Warnings {
		if w.Key != p.key {
			keep = append(keep, w)
		}
	}
	p.d.Warnings = append(keep, p.warns...)
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

type block int

const (
	blkNone block = iota
	blkInterface
	blkObject
	blkGroup
	blkPolicy
	blkClass
	blkServiceObject
	blkServiceGroup
	blkProtocolGroup
	blkClassMap
	blkOther // a block kaudit does not read (inspection maps, icmp-type groups, ...)
)

// rcParser collects facts in locals; commit moves them into the device.
type rcParser struct {
	d   *facts.Device
	key string

	hostname string
	version  string
	ifaces   []facts.ASAInterface
	proxy    []facts.ProxyARPSetting
	objects  []facts.NetworkObject
	groups   []facts.ObjectGroup
	nat      []facts.NATRule
	timeouts []facts.Timeout
	classTO  []facts.ClassTimeout
	inspects []facts.Inspect
	policies []facts.ServicePolicy
	names    map[string]netip.Addr

	acls        []facts.AccessList
	svcObjects  []facts.ServiceObject
	svcGroups   []facts.ServiceGroup
	protoGroups []facts.ProtocolGroup
	classMaps   []facts.ClassMap
	policyMaps  []facts.PolicyMap
	// warns are the lines kept as unreadable (softError).
	warns []*facts.ParseError

	ifIndex         map[string]int
	objIndex        map[string]int
	groupIndex      map[string]int
	aclIndex        map[string]int
	svcObjIndex     map[string]int
	svcGroupIndex   map[string]int
	protoGroupIndex map[string]int
	classMapIndex   map[string]int
	policyMapIndex  map[string]int

	blk        block
	cur        int    // the open interface, object, group or class map
	policyMap  string // the open policy-map
	class      string // the open class in it
	curPolicy  int    // index of the open policy map in policyMaps
	curClass   int    // index of the open class in it
	recognised bool
}

// softError is a line kaudit cannot read that need not cost the rest of
// the configuration (an access-list entry of a form it does not know):
// when no rejoining of a wrapped line reads it either, apply records it
// as unreadable and the error becomes a warning.
type softError struct {
	err   *facts.ParseError
	apply func()
}

func (e *softError) Error() string { return e.err.Error() }

// soft is a softError for line ln.
func (p *rcParser) soft(ln facts.Line, apply func(), format string, args ...any) error {
	return &softError{err: errAt(p.d, p.key, ln.N, format+": %q", append(args, strings.TrimSpace(ln.Text))...), apply: apply}
}

// run parses every line. A line that does not parse, or a long line, is
// retried joined with the lines that follow it when they look like the
// rest of a terminal-wrapped line rather than commands of their own.
func (p *rcParser) run(lines []facts.Line) error {
	for i := 0; i < len(lines); i++ {
		ln := lines[i]
		if deviceError(ln.Text) {
			return errAt(p.d, p.key, ln.N, "the ASA refused the command: %s", strings.TrimSpace(ln.Text))
		}
		apply, err := p.parse(ln)
		if err != nil || (apply != nil && len(ln.Text) >= wrapMin) {
			if j, a, ok := p.join(lines, i, err != nil); ok {
				apply, err, i = a, nil, j
			}
		}
		if se, ok := err.(*softError); ok {
			p.warns = append(p.warns, se.err)
			apply, err = se.apply, nil
		}
		if err != nil {
			return err
		}
		if apply != nil {
			apply()
		}
	}
	return nil
}

// join rebuilds a wrapped line from lines[i] and its continuations and
// returns the index of the last line used and the parsed statement. A wrap
// splits anywhere, even inside a word, and the reader trims a blank the
// wrap left at the end, so both "a"+"b" and "a"+" "+"b" are tried. The
// piece after a wrap may start with a keyword ("ip" of "sip"); that is
// only accepted when the line before it filled the terminal and did not
// parse on its own.
func (p *rcParser) join(lines []facts.Line, i int, failed bool) (int, func(), bool) {
	text := lines[i].Text
	seg := len(text)
	for j := i + 1; j < len(lines) && j <= i+maxJoin; j++ {
		next := lines[j].Text
		if !isContinuation(next, failed && seg >= wrapMin) {
			break
		}
		seps := [2]string{"", " "}
		if seg < 80 {
			seps = [2]string{" ", ""}
		}
		for _, sep := range seps {
			cand := facts.Line{N: lines[i].N, Text: text + sep + next}
			if a, err := p.parse(cand); err == nil && a != nil {
				return j, a, true
			}
		}
		text += seps[0] + next
		seg = len(next)
	}
	return i, nil, false
}

// isContinuation reports whether s can be the rest of a wrapped line: not
// blank, not a separator, comment, prompt or error, and, unless anyKeyword,
// not starting with a configuration keyword.
func isContinuation(s string, anyKeyword bool) bool {
	t := strings.TrimSpace(s)
	if t == "" || t[0] == '!' || t == ":" || strings.HasPrefix(t, ": ") || isPrompt(s) || deviceError(s) {
		return false
	}
	if anyKeyword {
		return true
	}
	first, _, _ := strings.Cut(t, " ")
	return !keywords[strings.ToLower(first)] && !strings.HasPrefix(first, "Cryptochecksum:")
}

// keywords are the ASA configuration words a line can start with, top
// level or in a block. A wrapped line's continuation starts with none of
// them (conservatively: one that does is taken as a command).
var keywords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
aaa aaa-server access-group access-list address-pool allocate-interface anyconnect arp asa asdm
auth-prompt authentication banner boot call-home channel-group class class-map clock cluster
community-list config-url console context crypto csc ctl-file default-group-policy delay
description dhcpd dhcprelay dns dns-guard domain-name drop duplex dynamic-access-policy-record
dynamic-filter enable end exit failover firewall flow-export fqdn fragment ftp global group-object
group-policy host hostname hpm http icmp icmp-object ikev1 ikev2 inspect interface ip ips ipv6
jumbo-frame ldap license log logging mac-address mac-address-table management-access
management-only match media-termination member-interface mode monitor-interface mtu
multicast-routing name nameif names nat network-object no ntp object object-group pager
parameters passwd phone-proxy police policy-map port-object pppoe pre-shared-key prefix-list
priority privilege prompt protocol-object quit range reset route route-map router
same-security-traffic scansafe security-level service service-object service-policy set shape
show shutdown snmp-server speed split-tunnel-policy ssh ssl static subnet sysopt telnet
terminal tftp-server threat-detection timeout tls-proxy tunnel-group uc-ime user-identity
user-statistics username vlan vpdn vpn-addr-assign vpn-tunnel-protocol wccp webvpn xlate zone`) {
		m[w] = true
	}
	return m
}()

// parse reads one line without changing p and returns what to do with it:
// nil for lines that carry nothing (blank, comments, prompts), a function
// that records the facts or moves between blocks otherwise.
func (p *rcParser) parse(ln facts.Line) (func(), error) {
	t := strings.TrimSpace(ln.Text)
	switch {
	case t == "" || t[0] == ':' || isPrompt(ln.Text) || strings.HasPrefix(t, "Cryptochecksum:"):
		return nil, nil
	case t[0] == '!':
		return func() { p.blk = blkNone }, nil
	}
	f := strings.Fields(t)
	kw := strings.ToLower(f[0])
	switch kw {
	case "asa":
		if len(f) >= 3 && strings.EqualFold(f[1], "version") {
			v := f[2]
			return func() { p.version, p.recognised, p.blk = v, true, blkNone }, nil
		}
	case "show", "building", "current":
		// The echoed command, or IOS-style headers of a saved copy.
		return nil, nil
	}
	if p.blk != blkNone && (indented(ln.Text) || p.isSub(f)) {
		if p.blk == blkOther {
			return noop, nil
		}
		return p.parseSub(ln, f)
	}
	return p.parseTop(ln, f)
}

func noop() {}

// isSub reports whether an unindented line f is a command of the open
// block. Some saved configs (and old releases) print blocks without
// indentation; the block's own commands then tell where it ends.
func (p *rcParser) isSub(f []string) bool {
	kw := strings.ToLower(f[0])
	arg := ""
	if len(f) > 1 {
		arg = strings.ToLower(f[1])
	}
	switch p.blk {
	case blkInterface:
		switch kw {
		case "nameif", "security-level", "shutdown", "vlan", "description", "speed", "duplex",
			"management-only", "channel-group", "member-interface", "pppoe", "ipv6", "delay":
			return true
		case "ip":
			return arg == "address"
		case "no":
			switch arg {
			case "nameif", "security-level", "shutdown", "description", "management-only", "ipv6":
				return true
			case "ip":
				return len(f) > 2 && strings.EqualFold(f[2], "address")
			}
		}
	case blkObject:
		switch kw {
		case "host", "subnet", "range", "fqdn", "description":
			return true
		case "nat":
			twice, _ := natIsTwice(f)
			return !twice
		}
	case blkGroup:
		return kw == "network-object" || kw == "group-object" || kw == "description"
	case blkServiceObject:
		return kw == "service" || kw == "description"
	case blkServiceGroup:
		return kw == "port-object" || kw == "service-object" || kw == "group-object" || kw == "description"
	case blkProtocolGroup:
		return kw == "protocol-object" || kw == "group-object" || kw == "description"
	case blkClassMap:
		return kw == "match" || kw == "description"
	case blkPolicy:
		return kw == "class" || kw == "description"
	case blkClass:
		switch kw {
		case "class", "inspect", "set", "police", "priority", "description", "user-statistics",
			"flow-export", "shape", "csc", "ips":
			return true
		case "service-policy":
			return len(f) == 2 // a nested policy, not a binding
		case "no":
			return arg == "inspect"
		}
	}
	return false
}

// parseTop reads a top-level command; any of them closes the open block.
func (p *rcParser) parseTop(ln facts.Line, f []string) (func(), error) {
	src := facts.At(p.d, p.key, ln)
	switch strings.ToLower(f[0]) {
	case "hostname":
		if len(f) != 2 {
			return nil, p.errf(ln, "hostname: want one name, got %d words", len(f)-1)
		}
		return func() { p.hostname, p.recognised, p.blk = f[1], true, blkNone }, nil
	case "interface":
		if len(f) < 2 {
			return nil, p.errf(ln, "interface: missing interface name")
		}
		// Words after the name (PIX-era speed settings) carry nothing kaudit reads.
		name := facts.CanonicalInterface(f[1])
		return func() { p.openInterface(name, src) }, nil
	case "object":
		if len(f) != 3 {
			return nil, p.errf(ln, "object: want a type and a name")
		}
		switch strings.ToLower(f[1]) {
		case "network":
			return func() { p.openObject(f[2], src) }, nil
		case "service":
			return func() { p.openServiceObject(f[2], src) }, nil
		}
		return func() { p.blk = blkOther }, nil
	case "object-group":
		if len(f) < 3 {
			return nil, p.errf(ln, "object-group: want a type and a name")
		}
		switch strings.ToLower(f[1]) {
		case "network":
			return func() { p.openGroup(f[2], src) }, nil
		case "service":
			return p.openServiceGroup(ln, f)
		case "protocol":
			return func() { p.openProtocolGroup(f[2], src) }, nil
		}
		return func() { p.blk = blkOther }, nil
	case "access-list":
		return p.parseACL(ln, f)
	case "class-map":
		if len(f) < 2 {
			return nil, p.errf(ln, "class-map: missing name")
		}
		if len(f) != 2 {
			// class-map type inspect|management|regex ...: not a
			// layer 3/4 class of through traffic.
			return func() { p.blk = blkOther }, nil
		}
		return func() { p.openClassMap(f[1], src) }, nil
	case "policy-map":
		if len(f) < 2 {
			return nil, p.errf(ln, "policy-map: missing name")
		}
		if strings.EqualFold(f[1], "type") {
			// Inspection parameter maps hold no classes with timeouts.
			return func() { p.blk = blkOther }, nil
		}
		if len(f) != 2 {
			return nil, p.errf(ln, "policy-map: want one name")
		}
		return func() { p.openPolicyMap(f[1], src) }, nil
	case "nat":
		apply, err := p.parseNAT(ln, f)
		if err != nil {
			return nil, err
		}
		return func() { apply(); p.blk = blkNone }, nil
	case "timeout":
		return p.parseTimeouts(ln, f)
	case "sysopt":
		if len(f) >= 2 && strings.EqualFold(f[1], "noproxyarp") {
			return p.proxyARP(ln, f[2:], false)
		}
	case "no":
		if len(f) >= 3 && strings.EqualFold(f[1], "sysopt") && strings.EqualFold(f[2], "noproxyarp") {
			return p.proxyARP(ln, f[3:], true)
		}
	case "service-policy":
		return p.parseServicePolicy(ln, f)
	case "name":
		if len(f) < 3 {
			return nil, p.errf(ln, "name: want an address and a name")
		}
		a, err := netip.ParseAddr(f[1])
		if err != nil {
			return nil, p.errf(ln, "name: %q is not an IP address", f[1])
		}
		return func() {
			if p.names == nil {
				p.names = map[string]netip.Addr{}
			}
			p.names[f[2]] = a
			p.blk = blkNone
		}, nil
	}
	// Any other command may open a block kaudit does not read (dns
	// server-group, tunnel-group attributes, webvpn): the indented lines
	// after it are its own, "timeout 5" under dns server-group included.
	return func() { p.blk = blkOther }, nil
}

func (p *rcParser) errf(ln facts.Line, format string, args ...any) error {
	return errAt(p.d, p.key, ln.N, format+": %q", append(args, strings.TrimSpace(ln.Text))...)
}

func (p *rcParser) openInterface(name string, src facts.Source) {
	p.blk, p.recognised = blkInterface, true
	if i, ok := p.ifIndex[name]; ok {
		p.cur = i
		return
	}
	ifc := facts.ASAInterface{Name: name}
	ifc.Sources.Set("interface", src)
	p.cur = len(p.ifaces)
	p.ifIndex[name] = p.cur
	p.ifaces = append(p.ifaces, ifc)
}

// openObject starts or reopens an object: show running-config lists an
// object's definition first and its NAT rule in a later block of the
// same name.
func (p *rcParser) openObject(name string, src facts.Source) {
	openNamed(p, blkObject, &p.cur, p.objIndex, &p.objects, name, func() facts.NetworkObject {
		return facts.NetworkObject{Name: name, Source: src}
	})
}

func (p *rcParser) openGroup(name string, src facts.Source) {
	openNamed(p, blkGroup, &p.cur, p.groupIndex, &p.groups, name, func() facts.ObjectGroup {
		return facts.ObjectGroup{Name: name, Source: src}
	})
}

// openNamed opens block blk on the element of *list called name, appending
// the one mk makes when there is none yet (show running-config may list a
// name twice, and a later block adds to the first), and sets *cur to its
// index.
func openNamed[T any](p *rcParser, blk block, cur *int, index map[string]int, list *[]T, name string, mk func() T) {
	p.blk, p.recognised = blk, true
	if i, ok := index[name]; ok {
		*cur = i
		return
	}
	*cur = len(*list)
	index[name] = *cur
	*list = append(*list, mk())
}

func (p *rcParser) proxyARP(ln facts.Line, rest []string, enabled bool) (func(), error) {
	if len(rest) != 1 {
		return nil, p.errf(ln, "sysopt noproxyarp: want one interface name")
	}
	s := facts.ProxyARPSetting{Nameif: rest[0], Enabled: enabled, Source: facts.At(p.d, p.key, ln)}
	return func() {
		// mergeProxyARP keeps the last line per nameif.
		p.recognised, p.blk = true, blkNone
		p.proxy = append(p.proxy, s)
	}, nil
}

func (p *rcParser) parseServicePolicy(ln facts.Line, f []string) (func(), error) {
	if len(f) < 3 {
		return nil, p.errf(ln, "service-policy: want a policy map and global or interface")
	}
	sp := facts.ServicePolicy{PolicyMap: f[1], Source: facts.At(p.d, p.key, ln)}
	switch strings.ToLower(f[2]) {
	case "global":
		if len(f) != 3 {
			return nil, p.errf(ln, "service-policy: unexpected words after global")
		}
	case "interface":
		if len(f) != 4 {
			return nil, p.errf(ln, "service-policy: want one interface name after interface")
		}
		sp.Interface = f[3]
	default:
		return nil, p.errf(ln, "service-policy: want global or interface, got %q", f[2])
	}
	return func() {
		p.policies = append(p.policies, sp)
		p.recognised, p.blk = true, blkNone
	}, nil
}

// parseTimeouts reads "timeout NAME h:mm:ss [NAME h:mm:ss ...]". A name
// can be two words (igp stale-route) and a value can be followed by a
// modifier (uauth 0:05:00 absolute).
func (p *rcParser) parseTimeouts(ln facts.Line, f []string) (func(), error) {
	src := facts.At(p.d, p.key, ln)
	var out []facts.Timeout
	var name []string
	for _, tok := range f[1:] {
		if secs, ok := parseHMS(tok); ok {
			if len(name) == 0 {
				return nil, p.errf(ln, "timeout: value %s has no name", tok)
			}
			out = append(out, facts.Timeout{Name: strings.Join(name, " "), Seconds: secs, Source: src})
			name = nil
			continue
		}
		lt := strings.ToLower(tok)
		if len(name) == 0 && len(out) > 0 && (lt == "absolute" || lt == "inactivity") {
			continue
		}
		if !timeoutName(tok) {
			return nil, p.errf(ln, "timeout: %q is neither a timer name nor h:mm:ss", tok)
		}
		name = append(name, tok)
		if len(name) > 2 {
			return nil, p.errf(ln, "timeout: want h:mm:ss after %q", strings.Join(name[:2], " "))
		}
	}
	if len(name) > 0 {
		return nil, p.errf(ln, "timeout: %s has no h:mm:ss value", strings.Join(name, " "))
	}
	if len(out) == 0 {
		return nil, p.errf(ln, "timeout: no values")
	}
	return func() {
		p.timeouts = append(p.timeouts, out...)
		p.recognised, p.blk = true, blkNone
	}, nil
}

// timeoutName accepts the shape of ASA timer names: conn, half-closed,
// sip_media, mgcp-pat, h323, stale-route.
func timeoutName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// parseSub reads a command inside the open block.
func (p *rcParser) parseSub(ln facts.Line, f []string) (func(), error) {
	switch p.blk {
	case blkInterface:
		return p.parseInterfaceSub(ln, f)
	case blkObject:
		return p.parseObjectSub(ln, f)
	case blkGroup:
		return p.parseGroupSub(ln, f)
	case blkServiceObject:
		return p.parseServiceObjectSub(ln, f)
	case blkServiceGroup:
		return p.parseServiceGroupSub(ln, f)
	case blkProtocolGroup:
		return p.parseProtocolGroupSub(ln, f)
	case blkClassMap:
		return p.parseClassMapSub(ln, f)
	case blkPolicy, blkClass:
		return p.parseClassSub(ln, f)
	}
	return noop, nil
}

func (p *rcParser) parseInterfaceSub(ln facts.Line, f []string) (func(), error) {
	src := facts.At(p.d, p.key, ln)
	cur := p.cur
	set := func(fn func(ifc *facts.ASAInterface), attr string) func() {
		return func() {
			ifc := &p.ifaces[cur]
			fn(ifc)
			if attr != "" {
				ifc.Sources.Set(attr, src)
			}
		}
	}
	kw := strings.ToLower(f[0])
	switch kw {
	case "nameif":
		if len(f) != 2 {
			return nil, p.errf(ln, "nameif: want one name")
		}
		return set(func(i *facts.ASAInterface) { i.Nameif = f[1] }, "nameif"), nil
	case "security-level":
		n, ok := number(safe(f, 1), 3)
		if len(f) != 2 || !ok || n > 100 {
			return nil, p.errf(ln, "security-level: want 0-100")
		}
		return set(func(i *facts.ASAInterface) { i.SecurityLevel = n }, "security_level"), nil
	case "shutdown":
		return set(func(i *facts.ASAInterface) { i.Shutdown = true }, "shutdown"), nil
	case "vlan":
		n, ok := number(safe(f, 1), 4)
		if !ok || n < 1 || n > 4094 {
			return nil, p.errf(ln, "vlan: want 1-4094")
		}
		return set(func(i *facts.ASAInterface) { i.VLAN = n }, "vlan"), nil
	case "ip":
		if len(f) >= 2 && strings.EqualFold(f[1], "address") {
			return p.parseIPAddress(ln, f, set)
		}
	case "no":
		switch strings.ToLower(safe(f, 1)) {
		case "nameif":
			return set(func(i *facts.ASAInterface) { i.Nameif = "" }, ""), nil
		case "shutdown":
			return set(func(i *facts.ASAInterface) { i.Shutdown = false }, ""), nil
		}
	}
	return noop, nil
}

// parseIPAddress reads "ip address A M [standby S]"; dhcp and pppoe
// addresses are learnt at run time and carry no prefix in the config.
func (p *rcParser) parseIPAddress(ln facts.Line, f []string, set func(func(*facts.ASAInterface), string) func()) (func(), error) {
	if len(f) < 3 {
		return nil, p.errf(ln, "ip address: missing address")
	}
	switch strings.ToLower(f[2]) {
	case "dhcp", "pppoe":
		return noop, nil
	}
	if len(f) < 4 {
		return nil, p.errf(ln, "ip address: missing netmask")
	}
	a, ok := p.addr(f[2])
	if !ok {
		return nil, p.errf(ln, "ip address: %q is not an IPv4 address", f[2])
	}
	pfx, ok := prefixOf(a, f[3])
	if !ok {
		return nil, p.errf(ln, "ip address: %q is not a netmask for %s", f[3], f[2])
	}
	var standby netip.Addr
	for j := 4; j < len(f); j++ {
		if strings.EqualFold(f[j], "standby") {
			if j+1 >= len(f) {
				return nil, p.errf(ln, "ip address: missing standby address")
			}
			s, ok := p.addr(f[j+1])
			if !ok || !s.Is4() {
				return nil, p.errf(ln, "ip address: standby %q is not an IPv4 address", f[j+1])
			}
			standby = s
			j++
		}
	}
	return set(func(i *facts.ASAInterface) { i.Prefix, i.StandbyIP = pfx, standby }, "ip_address"), nil
}

// addr reads an IP address or a name defined by a "name" command.
func (p *rcParser) addr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, true
	}
	a, ok := p.names[s]
	return a, ok
}

func safe(f []string, i int) string {
	if i < len(f) {
		return f[i]
	}
	return ""
}

func (p *rcParser) parseObjectSub(ln facts.Line, f []string) (func(), error) {
	cur := p.cur
	def := func(fn func(o *facts.NetworkObject)) func() {
		return func() { fn(&p.objects[cur]) }
	}
	switch strings.ToLower(f[0]) {
	case "host":
		a, ok := p.addr(safe(f, 1))
		if len(f) != 2 || !ok {
			return nil, p.errf(ln, "host: want one IP address")
		}
		return def(func(o *facts.NetworkObject) { o.Host = a }), nil
	case "subnet":
		var pfx netip.Prefix
		switch len(f) {
		case 2:
			v, err := netip.ParsePrefix(f[1])
			if err != nil {
				return nil, p.errf(ln, "subnet: %q is not a prefix", f[1])
			}
			pfx = v
		case 3:
			a, ok := p.addr(f[1])
			if !ok {
				return nil, p.errf(ln, "subnet: %q is not an IPv4 address", f[1])
			}
			if pfx, ok = prefixOf(a, f[2]); !ok {
				return nil, p.errf(ln, "subnet: %q is not a netmask", f[2])
			}
		default:
			return nil, p.errf(ln, "subnet: want an address and a netmask")
		}
		return def(func(o *facts.NetworkObject) { o.Subnet = pfx }), nil
	case "range":
		a, ok1 := p.addr(safe(f, 1))
		b, ok2 := p.addr(safe(f, 2))
		if len(f) != 3 || !ok1 || !ok2 || a.BitLen() != b.BitLen() {
			return nil, p.errf(ln, "range: want two IP addresses")
		}
		return def(func(o *facts.NetworkObject) { o.RangeFirst, o.RangeLast = a, b }), nil
	case "fqdn":
		rest := f[1:]
		if len(rest) == 2 && (strings.EqualFold(rest[0], "v4") || strings.EqualFold(rest[0], "v6")) {
			rest = rest[1:]
		}
		if len(rest) != 1 {
			return nil, p.errf(ln, "fqdn: want one name")
		}
		return def(func(o *facts.NetworkObject) { o.FQDN = rest[0] }), nil
	case "nat":
		return p.parseNAT(ln, f)
	}
	return noop, nil
}

func (p *rcParser) parseGroupSub(ln facts.Line, f []string) (func(), error) {
	cur := p.cur
	add := func(fn func(g *facts.ObjectGroup)) func() {
		return func() { fn(&p.groups[cur]) }
	}
	switch strings.ToLower(f[0]) {
	case "group-object":
		if len(f) != 2 {
			return nil, p.errf(ln, "group-object: want one name")
		}
		return add(func(g *facts.ObjectGroup) { g.Objects = append(g.Objects, f[1]) }), nil
	case "network-object":
		switch {
		case len(f) == 3 && strings.EqualFold(f[1], "object"):
			return add(func(g *facts.ObjectGroup) { g.Objects = append(g.Objects, f[2]) }), nil
		case len(f) == 3 && strings.EqualFold(f[1], "host"):
			a, ok := p.addr(f[2])
			if !ok {
				return nil, p.errf(ln, "network-object host: %q is not an IP address", f[2])
			}
			return add(func(g *facts.ObjectGroup) { g.Hosts = append(g.Hosts, a) }), nil
		case len(f) == 3:
			a, ok := p.addr(f[1])
			if !ok {
				return nil, p.errf(ln, "network-object: %q is not an IPv4 address", f[1])
			}
			pfx, ok := prefixOf(a, f[2])
			if !ok {
				return nil, p.errf(ln, "network-object: %q is not a netmask", f[2])
			}
			return add(func(g *facts.ObjectGroup) { g.Subnets = append(g.Subnets, pfx) }), nil
		case len(f) == 2:
			pfx, err := netip.ParsePrefix(f[1])
			if err != nil {
				return nil, p.errf(ln, "network-object: %q is not a prefix", f[1])
			}
			return add(func(g *facts.ObjectGroup) { g.Subnets = append(g.Subnets, pfx) }), nil
		}
		return nil, p.errf(ln, "network-object: want host A, A M, a prefix or object NAME")
	}
	return noop, nil
}

// parseClassSub reads the commands of a policy-map and its classes.
func (p *rcParser) parseClassSub(ln facts.Line, f []string) (func(), error) {
	kw := strings.ToLower(f[0])
	if kw == "class" {
		if len(f) != 2 {
			return nil, p.errf(ln, "class: want one name")
		}
		src := facts.At(p.d, p.key, ln)
		return func() { p.openPolicyClass(f[1], src) }, nil
	}
	if p.blk != blkClass {
		return noop, nil
	}
	src := facts.At(p.d, p.key, ln)
	pm, class := p.policyMap, p.class
	switch kw {
	case "inspect":
		if len(f) < 2 {
			return nil, p.errf(ln, "inspect: missing protocol")
		}
		in := facts.Inspect{PolicyMap: pm, Class: class, Protocol: strings.ToLower(f[1]), Source: src}
		return func() { p.inspects = append(p.inspects, in) }, nil
	case "set":
		if len(f) < 2 || !strings.EqualFold(f[1], "connection") {
			return noop, nil
		}
		if len(f) < 3 || !strings.EqualFold(f[2], "timeout") {
			return p.claimConnections, nil
		}
		idle, reset, ok, err := classTimeout(f[3:])
		if err != "" {
			return nil, p.errf(ln, "set connection timeout: %s", err)
		}
		if !ok {
			return p.claimConnections, nil
		}
		ct := facts.ClassTimeout{PolicyMap: pm, Class: class, IdleSeconds: idle, Reset: reset, Source: src}
		return func() { p.claimConnections(); p.classTO = append(p.classTO, ct) }, nil
	}
	return noop, nil
}

// classTimeout reads the words after "set connection timeout": any of
// embryonic T, half-closed T, idle T [reset], dcd [T [N]]. ok is false
// when there is no idle value; tcp T is the pre-8.2(2) spelling of idle.
func classTimeout(f []string) (idle int, reset, ok bool, err string) {
	if len(f) == 0 {
		return 0, false, false, "no values"
	}
	for j := 0; j < len(f); j++ {
		switch w := strings.ToLower(f[j]); w {
		case "embryonic", "half-closed", "idle", "tcp":
			if j+1 >= len(f) {
				return 0, false, false, w + " has no value"
			}
			secs, good := parseHMS(f[j+1])
			if !good {
				return 0, false, false, w + " value " + f[j+1] + " is not h:mm:ss"
			}
			if w == "idle" || w == "tcp" {
				idle, ok = secs, true
			}
			j++
		case "reset":
			reset = true
		case "dcd":
			if j+1 < len(f) && isHMS(f[j+1]) {
				j++
				if _, isNum := number(safe(f, j+1), 3); isNum {
					j++
				}
			}
		default:
			return 0, false, false, "unexpected " + f[j]
		}
	}
	return idle, reset, ok, ""
}
