package facts

import "net/netip"

// ASA is what kaudit knows of a Cisco ASA.
type ASA struct {
	Hostname   string         `json:"hostname,omitempty"`
	Version    string         `json:"version,omitempty"`
	Interfaces []ASAInterface `json:"interfaces,omitempty"`
	// ProxyARP holds sysopt noproxyarp state per nameif, from the running
	// config ("sysopt noproxyarp IF": disabled) and, when read, from
	// show running-config all sysopt ("no sysopt noproxyarp IF": enabled).
	// A nameif absent here has the default: proxy ARP enabled.
	ProxyARP     []ProxyARPSetting `json:"proxy_arp,omitempty"`
	Objects      []NetworkObject   `json:"objects,omitempty"`
	ObjectGroups []ObjectGroup     `json:"object_groups,omitempty"`
	NAT          []NATRule         `json:"nat,omitempty"`
	// Timeouts are the global "timeout NAME h:mm:ss" values, in seconds.
	Timeouts      []Timeout       `json:"timeouts,omitempty"`
	ClassTimeouts []ClassTimeout  `json:"class_timeouts,omitempty"`
	Inspects      []Inspect       `json:"inspects,omitempty"`
	ServicePolicy []ServicePolicy `json:"service_policies,omitempty"`
	ARP           []ARPEntry      `json:"arp,omitempty"`
	// What the classes match (asa_policy.go): access lists, service
	// objects and groups, protocol groups, class maps, and the class
	// order of each policy map.
	AccessLists    []AccessList    `json:"access_lists,omitempty"`
	ServiceObjects []ServiceObject `json:"service_objects,omitempty"`
	ServiceGroups  []ServiceGroup  `json:"service_groups,omitempty"`
	ProtocolGroups []ProtocolGroup `json:"protocol_groups,omitempty"`
	ClassMaps      []ClassMap      `json:"class_maps,omitempty"`
	PolicyMaps     []PolicyMap     `json:"policy_maps,omitempty"`
}

// ASAInterface merges the running config's interface block with show
// interface (MAC address, line state).
type ASAInterface struct {
	Name          string       `json:"name"` // physical or logical, e.g. GigabitEthernet0/1
	Nameif        string       `json:"nameif,omitempty"`
	SecurityLevel int          `json:"security_level,omitempty"`
	Prefix        netip.Prefix `json:"prefix,omitzero"` // address with mask, e.g. 10.1.1.1/24
	MAC           string       `json:"mac,omitempty"`   // aabb.ccdd.eeff
	Shutdown      bool         `json:"shutdown,omitempty"`
	Sources       Sources      `json:"sources,omitzero"` // interface, nameif, ip_address, mac
	// StandbyIP is the failover standby address ("ip address A M standby S"):
	// the standby unit answers ARP for it.
	StandbyIP netip.Addr `json:"standby_ip,omitzero"`
	// VLAN is the 802.1Q tag of a subinterface ("vlan N"), 0 if none.
	VLAN int `json:"vlan,omitempty"`
	// LinkStatus and LineProtocol are as show interface prints them: "up",
	// "down", "admin down" or "administratively down"; "" when not read.
	LinkStatus   string `json:"link_status,omitempty"`
	LineProtocol string `json:"line_protocol,omitempty"`
}

// ProxyARPSetting is the proxy-ARP state of one nameif with its line.
type ProxyARPSetting struct {
	Nameif  string `json:"nameif"`
	Enabled bool   `json:"enabled"`
	Source  Source `json:"source"`
}

// NetworkObject is an "object network NAME" with its definition.
type NetworkObject struct {
	Name   string       `json:"name"`
	Host   netip.Addr   `json:"host,omitzero"`
	Subnet netip.Prefix `json:"subnet,omitzero"`
	// Range is [first,last] for "range A B".
	RangeFirst netip.Addr `json:"range_first,omitzero"`
	RangeLast  netip.Addr `json:"range_last,omitzero"`
	FQDN       string     `json:"fqdn,omitempty"`
	Source     Source     `json:"source"`
}

// ObjectGroup is an "object-group network NAME".
type ObjectGroup struct {
	Name string `json:"name"`
	// Objects are "network-object object X" and "group-object X" names.
	Objects []string       `json:"objects,omitempty"`
	Hosts   []netip.Addr   `json:"hosts,omitempty"`
	Subnets []netip.Prefix `json:"subnets,omitempty"`
	Source  Source         `json:"source"`
}

// NATRule is an object NAT (inside "object network") or a twice NAT line.
type NATRule struct {
	Kind     string `json:"kind"` // object|twice
	RealIf   string `json:"real_if"`
	MappedIf string `json:"mapped_if"` // "any" when so written or when the line names no interfaces
	Type     string `json:"type"`      // static|dynamic
	// Object NAT: Object is the object the rule sits in, Mapped its mapped
	// address (object name, IP, "interface").
	Object string `json:"object,omitempty"`
	Mapped string `json:"mapped,omitempty"`
	// Twice NAT: source real/mapped and optional destination real/mapped.
	SourceReal   string `json:"source_real,omitempty"`
	SourceMapped string `json:"source_mapped,omitempty"`
	DestReal     string `json:"dest_real,omitempty"`
	DestMapped   string `json:"dest_mapped,omitempty"`
	NoProxyARP   bool   `json:"no_proxy_arp"`
	RouteLookup  bool   `json:"route_lookup,omitempty"`
	// Inactive rules ("... inactive") translate nothing and answer no ARP.
	Inactive bool   `json:"inactive,omitempty"`
	Source   Source `json:"source"`
}

// Timeout is one global "timeout NAME value" setting, in seconds (0 = disabled).
type Timeout struct {
	Name    string `json:"name"` // conn, half-closed, udp, sip, sip_media, ...
	Seconds int    `json:"seconds"`
	Source  Source `json:"source"`
}

// ClassTimeout is "set connection timeout idle H:MM:SS [reset]" in a class of a policy map.
type ClassTimeout struct {
	PolicyMap   string `json:"policy_map"`
	Class       string `json:"class"`
	IdleSeconds int    `json:"idle_seconds"`
	Reset       bool   `json:"reset,omitempty"`
	Source      Source `json:"source"`
}

// Inspect is an "inspect PROTO" line in a class of a policy map.
type Inspect struct {
	PolicyMap string `json:"policy_map"`
	Class     string `json:"class"`
	Protocol  string `json:"protocol"` // sip, skinny, ...
	Source    Source `json:"source"`
}

// ServicePolicy is "service-policy NAME global|interface IF".
type ServicePolicy struct {
	PolicyMap string `json:"policy_map"`
	Interface string `json:"interface,omitempty"` // "" = global
	Source    Source `json:"source"`
}

// ARPEntry is one row of show arp.
type ARPEntry struct {
	Interface string     `json:"interface"`
	IP        netip.Addr `json:"ip"`
	MAC       string     `json:"mac"`
	Age       string     `json:"age,omitempty"` // seconds, "-" or "alias"
	Source    Source     `json:"source"`
}
