package facts

// Switch is what kaudit knows of an IOS/IOS-XE access switch.
type Switch struct {
	Hostname string `json:"hostname,omitempty"`
	Version  string `json:"version,omitempty"`
	// Interfaces come from the running config, merged with the runtime
	// port-security view where both exist.
	Interfaces []SwitchPort `json:"interfaces,omitempty"`
	// MACAging is nil when show mac address-table aging-time was not read.
	MACAging     *MACAging            `json:"mac_aging,omitempty"`
	Neighbors    []Neighbor           `json:"neighbors,omitempty"`
	PoE          []PoEPort            `json:"poe,omitempty"`
	PortSecurity []PortSecurityStatus `json:"port_security_status,omitempty"`
	// Templates are the interface templates defined in the running
	// config or listed as built-in by the device.
	Templates []InterfaceTemplate `json:"templates,omitempty"`
	// Derived are the ports of show derived-config: the configuration
	// each interface runs with, templates applied.
	Derived []SwitchPort `json:"derived,omitempty"`
	// TemplatesMayApply is set when the running config shows that
	// templates can shape the ports (template blocks, source template,
	// autoconf, IBNS 2.0 control policies): the effective configuration
	// is then worth reading.
	TemplatesMayApply bool `json:"templates_may_apply,omitempty"`
	// ServiceTemplates and ControlPolicies are the IBNS 2.0 blocks of
	// the running config (802.1X sessions).
	ServiceTemplates []ServiceTemplate `json:"service_templates,omitempty"`
	ControlPolicies  []ControlPolicy   `json:"control_policies,omitempty"`
	// AuthSessions says show access-session details was read: ports'
	// SessionIdleSeconds are then what the device reports.
	AuthSessions bool `json:"auth_sessions,omitempty"`
	// NAT and ZBF are a router's address translation and zone-based
	// firewall (IOS devices that route the phones' traffic).
	NAT RouterNAT `json:"nat,omitzero"`
	ZBF ZBF       `json:"zbf,omitzero"`
	// Sessions are the 802.1X / MAB sessions show access-session details
	// lists.
	Sessions []AuthSession `json:"sessions,omitempty"`
}

// SwitchPort is one interface of a switch as configured.
type SwitchPort struct {
	Name        string `json:"name"` // canonical long name, e.g. GigabitEthernet1/0/5
	Description string `json:"description,omitempty"`
	Mode        string `json:"mode,omitempty"` // access, trunk, dynamic auto, ... or "" (not set)
	AccessVLAN  int    `json:"access_vlan,omitempty"`
	VoiceVLAN   int    `json:"voice_vlan,omitempty"`
	Shutdown    bool   `json:"shutdown,omitempty"`
	// PortSecurity is the port-security configuration of the interface.
	PortSecurity PortSecurity `json:"port_security"`
	Source       Source       `json:"source"` // the "interface X" line
	// L3 is the routed side of the interface (an SVI or a router
	// subinterface): its address, VLAN and ARP timeout; zero when the
	// interface has no IP address.
	L3 L3Interface `json:"l3,omitzero"`
	// Auth is the port's 802.1X / MAB configuration.
	Auth PortAuth `json:"auth,omitzero"`
	// Template is the interface template the port sources, "" for none.
	Template string `json:"template,omitempty"`
	// Unknown says why the port's effective configuration is not known;
	// its settings are then only its own lines, not what it runs with.
	Unknown string `json:"unknown,omitempty"`

	// Sources holds the line of each configured attribute: description,
	// mode, access_vlan, voice_vlan, shutdown.
	Sources Sources `json:"sources,omitzero"`
}

// PortSecurity is the port-security configuration of one interface. Unset
// values are zero; the IOS defaults (maximum 1, violation shutdown, aging 0 =
// none, type absolute) are applied by the methods, not stored.
type PortSecurity struct {
	Enabled bool `json:"enabled"`
	// Maximum is the port-wide "maximum N" (0 = not configured).
	Maximum int `json:"maximum,omitempty"`
	// VLANMaximum holds "maximum N vlan access|voice|<id>" limits.
	VLANMaximum map[string]int `json:"vlan_maximum,omitempty"`
	Violation   string         `json:"violation,omitempty"` // protect|restrict|shutdown|shutdown vlan
	// AgingMinutes is "aging time T" in minutes; AgingSet says it was configured.
	AgingMinutes int         `json:"aging_minutes,omitempty"`
	AgingSet     bool        `json:"aging_set,omitempty"`
	AgingType    string      `json:"aging_type,omitempty"` // absolute|inactivity, "" = default absolute
	AgingStatic  bool        `json:"aging_static,omitempty"`
	Sticky       bool        `json:"sticky,omitempty"`
	StickyMACs   []StickyMAC `json:"sticky_macs,omitempty"`
	// Sources holds the line of each configured attribute: enabled,
	// maximum, violation, aging_time, aging_type, aging_static, sticky,
	// and maximum_vlan_<access|voice|N> for each VLANMaximum entry.
	Sources Sources `json:"sources,omitzero"`

	// StaticMACs are "mac-address MAC [vlan access|voice|N]" lines:
	// configured secure addresses, neither learned nor sticky.
	StaticMACs []StickyMAC `json:"static_macs,omitempty"`
}

// StickyMAC is a "mac-address sticky MAC [vlan access|voice]" line (or, in
// StaticMACs, a "mac-address MAC [vlan ...]" line).
type StickyMAC struct {
	MAC    string `json:"mac"`
	VLAN   string `json:"vlan,omitempty"` // access, voice, or a number
	Source Source `json:"source"`
}

// EffectiveMaximum is the port-wide maximum with the IOS default of 1.
func (p PortSecurity) EffectiveMaximum() int {
	if p.Maximum > 0 {
		return p.Maximum
	}
	return 1
}

// EffectiveAgingType is the aging type with the IOS default (absolute).
func (p PortSecurity) EffectiveAgingType() string {
	if p.AgingType == "" {
		return "absolute"
	}
	return p.AgingType
}

// MACAging is show mac address-table aging-time, in seconds.
type MACAging struct {
	GlobalSeconds int         `json:"global_seconds"`
	GlobalSet     bool        `json:"global_set"`
	Global        Source      `json:"source"`
	VLANs         []VLANAging `json:"vlans,omitempty"`
}

// VLANAging is a per-VLAN MAC aging time in seconds.
type VLANAging struct {
	VLAN    int    `json:"vlan"`
	Seconds int    `json:"seconds"`
	Source  Source `json:"source"`
}

// ForVLAN returns the aging time that applies to vlan and its source.
func (m *MACAging) ForVLAN(vlan int) (int, Source) {
	for _, v := range m.VLANs {
		if v.VLAN == vlan {
			return v.Seconds, v.Source
		}
	}
	return m.GlobalSeconds, m.Global
}

// Neighbor is a CDP or LLDP neighbour on a local port.
type Neighbor struct {
	Protocol        string   `json:"protocol"` // cdp|lldp
	LocalInterface  string   `json:"local_interface"`
	DeviceID        string   `json:"device_id"`
	Platform        string   `json:"platform,omitempty"`
	IP              string   `json:"ip,omitempty"`
	PortID          string   `json:"port_id,omitempty"`
	Capabilities    []string `json:"capabilities,omitempty"`
	SoftwareVersion string   `json:"software_version,omitempty"`
	VoiceVLAN       int      `json:"voice_vlan,omitempty"`
	Source          Source   `json:"source"` // the Device ID / System Name line

	// ChassisID and PortDescription are LLDP TLVs (empty for CDP).
	ChassisID       string `json:"chassis_id,omitempty"`
	PortDescription string `json:"port_description,omitempty"`
}

// PoEPort is one row of show power inline.
type PoEPort struct {
	Interface string  `json:"interface"`
	Admin     string  `json:"admin"`
	Oper      string  `json:"oper"`
	Watts     float64 `json:"watts"`
	Device    string  `json:"device,omitempty"`
	Class     string  `json:"class,omitempty"`
	MaxWatts  float64 `json:"max_watts,omitempty"`
	Source    Source  `json:"source"`
}

// PortSecurityStatus is the runtime view of one port (show port-security
// summary rows, or show port-security interface X blocks).
type PortSecurityStatus struct {
	Interface      string  `json:"interface"`
	Enabled        bool    `json:"enabled"`
	PortStatus     string  `json:"port_status,omitempty"`
	Violation      string  `json:"violation,omitempty"`
	AgingMinutes   int     `json:"aging_minutes"`
	AgingType      string  `json:"aging_type,omitempty"`
	MaxMACs        int     `json:"max_macs"`
	TotalMACs      int     `json:"total_macs"`
	StickyMACs     int     `json:"sticky_macs"`
	LastSourceMAC  string  `json:"last_source_mac,omitempty"`
	LastSourceVLAN int     `json:"last_source_vlan,omitempty"`
	ViolationCount int     `json:"violation_count"`
	Sources        Sources `json:"sources,omitzero"`
	// Sources keys: enabled, port_status, violation, aging_time,
	// aging_type, static_aging, max_macs, total_macs, configured_macs,
	// sticky_macs, last_source, violation_count.

	// ConfiguredMACs is "Configured MAC Addresses"; StaticAging is
	// "SecureStatic Address Aging : Enabled".
	ConfiguredMACs int  `json:"configured_macs,omitempty"`
	StaticAging    bool `json:"static_aging,omitempty"`
}
