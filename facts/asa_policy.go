package facts

import "net/netip"

// The facts below say which traffic an ASA class matches: access lists,
// service objects and groups, protocol groups, class maps and the class
// order of policy maps. The rules evaluate them; the collector only
// records what the configuration says.

// AccessList is one access-list NAME with its lines in configuration order.
type AccessList struct {
	Name    string `json:"name"`
	Entries []ACE  `json:"entries"`
}

// ACE is one access-list line.
type ACE struct {
	// Line is the line's position in its list, remarks included, as
	// show access-list numbers it ("access-list NAME line 3 ...").
	Line int `json:"line"`
	// Kind is extended (also "advanced" on FTD and the keyword-less
	// PIX form), standard, remark, webtype or ethertype. Only extended
	// entries match connections.
	Kind     string    `json:"kind"`
	Permit   bool      `json:"permit,omitempty"`
	Protocol ACLProto  `json:"protocol,omitzero"`
	Src      ACLAddr   `json:"src,omitzero"`
	SrcPort  PortMatch `json:"src_port,omitzero"`
	Dst      ACLAddr   `json:"dst,omitzero"`
	DstPort  PortMatch `json:"dst_port,omitzero"`
	// Inactive entries match nothing; TimeRange entries only match while
	// the range is active.
	Inactive  bool   `json:"inactive,omitempty"`
	TimeRange string `json:"time_range,omitempty"`
	// Unparsed says why kaudit could not read the entry: what it
	// matches is unknown.
	Unparsed string `json:"unparsed,omitempty"`
	Source   Source `json:"source"`
}

// ACLProto is the protocol part of an entry: a protocol name ("ip" for
// any, "tcp", "udp", "icmp", or a number kaudit has no name for), a
// service object ("object NAME") or an object group of protocols or
// services ("object-group NAME").
type ACLProto struct {
	Name   string `json:"name,omitempty"`
	Object string `json:"object,omitempty"`
	Group  string `json:"group,omitempty"`
}

// ACLAddr is a source or destination of an entry.
type ACLAddr struct {
	// Kind is any (any address), any4, any6, prefix (host A, A MASK or
	// an IPv6 prefix), object, group or interface.
	Kind   string       `json:"kind"`
	Prefix netip.Prefix `json:"prefix,omitzero"`
	Name   string       `json:"name,omitempty"` // object, group or interface name
}

// PortMatch is a port operator: eq, neq, lt, gt or range, kept as the
// inclusive range it admits ([Lo, Hi]; for neq the one port it excludes),
// or an object group of ports (Group). The zero value matches any port.
type PortMatch struct {
	Op    string `json:"op,omitempty"`
	Lo    int    `json:"lo,omitempty"`
	Hi    int    `json:"hi,omitempty"`
	Group string `json:"group,omitempty"`
}

// IsZero reports a port operand that was not given.
func (m PortMatch) IsZero() bool { return m.Op == "" && m.Group == "" }

// Contains reports whether port satisfies the operator; a group operand
// is resolved by the caller and never contains a port here.
func (m PortMatch) Contains(port int) bool {
	switch m.Op {
	case "":
		return m.Group == ""
	case "neq":
		return port != m.Lo
	}
	return port >= m.Lo && port <= m.Hi
}

// Service is what one service object, service-object line or port-object
// line matches.
type Service struct {
	// Protocol is tcp, udp, tcp-udp, sctp, icmp, icmp6, ip or another
	// protocol name or number; "" for a port-object, which takes the
	// protocol of its group.
	Protocol string    `json:"protocol,omitempty"`
	Src      PortMatch `json:"src,omitzero"`
	Dst      PortMatch `json:"dst,omitzero"`
	// Object is "service-object object NAME", Group "group-object NAME".
	Object   string `json:"object,omitempty"`
	Group    string `json:"group,omitempty"`
	Unparsed string `json:"unparsed,omitempty"`
	Source   Source `json:"source"`
}

// ServiceObject is an "object service NAME".
type ServiceObject struct {
	Name    string  `json:"name"`
	Service Service `json:"service"`
	Source  Source  `json:"source"`
}

// ServiceGroup is an "object-group service NAME [tcp|udp|tcp-udp]": with a
// protocol its members are port-objects (destination or source ports of
// that protocol), without one service-objects.
type ServiceGroup struct {
	Name     string    `json:"name"`
	Protocol string    `json:"protocol,omitempty"`
	Members  []Service `json:"members,omitempty"`
	Source   Source    `json:"source"`
}

// ProtocolGroup is an "object-group protocol NAME".
type ProtocolGroup struct {
	Name      string   `json:"name"`
	Protocols []string `json:"protocols,omitempty"`
	Groups    []string `json:"groups,omitempty"`
	Source    Source   `json:"source"`
}

// ClassMap is a layer 3/4 "class-map NAME". A class matches traffic that
// every one of its match lines matches (the ASA allows two only for
// default-inspection-traffic or tunnel-group with one other).
type ClassMap struct {
	Name    string       `json:"name"`
	Matches []ClassMatch `json:"matches,omitempty"`
	Source  Source       `json:"source"`
}

// ClassMatch is one match line of a class map.
type ClassMatch struct {
	// Kind is access-list, port, default-inspection-traffic, any, or
	// the match keyword kaudit does not evaluate (dscp, tunnel-group,
	// flow, precedence, rtp, ...).
	Kind string `json:"kind"`
	ACL  string `json:"acl,omitempty"`
	// Port is "match port tcp|udp|sctp eq P|range A B": destination ports.
	Port     Service `json:"port,omitzero"`
	Unparsed string  `json:"unparsed,omitempty"`
	Source   Source  `json:"source"`
}

// PolicyMap is a layer 3/4 "policy-map NAME" with its classes in order.
type PolicyMap struct {
	Name    string        `json:"name"`
	Classes []PolicyClass `json:"classes,omitempty"`
	Source  Source        `json:"source"`
}

// PolicyClass is one "class NAME" of a policy map.
type PolicyClass struct {
	Class string `json:"class"`
	// Connection is set when the class has a "set connection" action
	// (limits, timeouts, normalisation): for that feature it claims the
	// connections it matches, and later classes of the policy no longer
	// see them.
	Connection bool   `json:"connection,omitempty"`
	Source     Source `json:"source"`
}
