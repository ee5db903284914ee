package facts

// IOS defaults of the timers a branch router holds per connection.
const (
	// NAT translations: "ip nat translation timeout|tcp-timeout|udp-timeout".
	DefaultNATTimeoutSeconds    = 86400
	DefaultNATTCPTimeoutSeconds = 86400
	DefaultNATUDPTimeoutSeconds = 300
	// Zone-based firewall sessions: "parameter-map type inspect" tcp and
	// udp idle-time.
	DefaultZBFTCPIdleSeconds = 3600
	DefaultZBFUDPIdleSeconds = 30
)

// RouterNAT is the NAT of an IOS router: its translation timeouts and the
// rules that translate inside addresses.
type RouterNAT struct {
	// Timeouts in seconds; 0 when not configured (the default applies).
	TimeoutSeconds    int `json:"timeout_s,omitempty"`
	TCPTimeoutSeconds int `json:"tcp_timeout_s,omitempty"`
	UDPTimeoutSeconds int `json:"udp_timeout_s,omitempty"`
	// Rules are the "ip nat inside source ..." lines.
	Rules []Source `json:"rules,omitempty"`
	// Sources keys: timeout, tcp_timeout, udp_timeout.
	Sources Sources `json:"sources,omitzero"`
}

// IsZero reports a router without NAT (json's omitzero).
func (n RouterNAT) IsZero() bool {
	return len(n.Rules) == 0 && n.Sources.Len() == 0
}

// ZonePair is "zone-pair security NAME source A destination B" with its
// "service-policy type inspect P".
type ZonePair struct {
	Name       string `json:"name"`
	From       string `json:"source"`
	To         string `json:"destination"`
	Policy     string `json:"policy,omitempty"`
	Source     Source `json:"line"`
	PolicyLine Source `json:"policy_line,omitzero"`
}

// InspectPolicy is a "policy-map type inspect NAME": its classes in order.
type InspectPolicy struct {
	Name    string         `json:"name"`
	Classes []InspectClass `json:"classes,omitempty"`
	Source  Source         `json:"source"`
}

// InspectClass is one "class type inspect C" (or "class class-default")
// of an inspect policy and what it does.
type InspectClass struct {
	Class    string `json:"class"`
	Action   string `json:"action,omitempty"` // inspect, pass, drop
	ParamMap string `json:"parameter_map,omitempty"`
	Source   Source `json:"source"`
}

// InspectClassMap is a "class-map type inspect [match-any|match-all] C".
type InspectClassMap struct {
	Name      string   `json:"name"`
	Protocols []string `json:"protocols,omitempty"` // match protocol P
	ACLs      []string `json:"acls,omitempty"`      // match access-group name|number
	Source    Source   `json:"source"`
}

// InspectParams is a "parameter-map type inspect NAME" (or
// inspect-global): the session idle times it sets.
type InspectParams struct {
	Name           string  `json:"name"`
	TCPIdleSeconds int     `json:"tcp_idle_s,omitempty"`
	UDPIdleSeconds int     `json:"udp_idle_s,omitempty"`
	Sources        Sources `json:"sources,omitzero"` // tcp_idle, udp_idle
	Source         Source  `json:"source"`
}

// ZBF is the zone-based firewall of an IOS router.
type ZBF struct {
	ZonePairs []ZonePair        `json:"zone_pairs,omitempty"`
	Policies  []InspectPolicy   `json:"policies,omitempty"`
	ClassMaps []InspectClassMap `json:"class_maps,omitempty"`
	ParamMaps []InspectParams   `json:"parameter_maps,omitempty"`
}

// IsZero reports a router without a zone-based firewall.
func (z ZBF) IsZero() bool { return len(z.ZonePairs) == 0 && len(z.Policies) == 0 }

// Policy returns the inspect policy name, or nil.
func (z *ZBF) Policy(name string) *InspectPolicy {
	for i := range z.Policies {
		if z.Policies[i].Name == name {
			return &z.Policies[i]
		}
	}
	return nil
}

// ClassMap returns the inspect class map name, or nil.
func (z *ZBF) ClassMap(name string) *InspectClassMap {
	for i := range z.ClassMaps {
		if z.ClassMaps[i].Name == name {
			return &z.ClassMaps[i]
		}
	}
	return nil
}

// Params returns the inspect parameter map name, or nil.
func (z *ZBF) Params(name string) *InspectParams {
	for i := range z.ParamMaps {
		if z.ParamMaps[i].Name == name {
			return &z.ParamMaps[i]
		}
	}
	return nil
}
