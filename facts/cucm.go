package facts

// CUCM is what kaudit knows of a Cisco Unified CM node, from run sql.
type CUCM struct {
	SIPProfiles   []SIPProfile   `json:"sip_profiles,omitempty"`
	ServiceParams []ServiceParam `json:"service_params,omitempty"`
	Phones        []CUCMPhone    `json:"phones,omitempty"`
}

// SIPProfile holds the timers of one SIP profile. A timer the output did not
// include is 0 and absent from Sources; callers apply documented defaults.
type SIPProfile struct {
	PKID                    string `json:"pkid,omitempty"`
	Name                    string `json:"name"`
	RegisterDeltaSeconds    int    `json:"register_delta_s,omitempty"`
	RegisterExpiresSeconds  int    `json:"register_expires_s,omitempty"`
	KeepaliveExpiresSeconds int    `json:"keepalive_expires_s,omitempty"`
	InviteExpiresSeconds    int    `json:"invite_expires_s,omitempty"`
	T1Millis                int    `json:"t1_ms,omitempty"`
	T2Millis                int    `json:"t2_ms,omitempty"`
	RetryInvite             int    `json:"retry_invite,omitempty"`
	RetryNonInvite          int    `json:"retry_non_invite,omitempty"`
	// Sources keys: register_delta, register_expires, keepalive_expires,
	// invite_expires, t1, t2, retry_invite, retry_non_invite, and "row".
	Sources Sources `json:"sources,omitzero"`
}

// ServiceParam is one processconfig row (paramname, paramvalue).
type ServiceParam struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source Source `json:"source"`
}

// CUCMPhone is one phone from the device table.
type CUCMPhone struct {
	Name        string `json:"name"` // SEP001122334455
	Description string `json:"description,omitempty"`
	Model       string `json:"model,omitempty"`
	Protocol    string `json:"protocol,omitempty"` // SIP|SCCP
	SIPProfile  string `json:"sip_profile,omitempty"`
	IP          string `json:"ip,omitempty"`
	Status      string `json:"status,omitempty"`
	Source      Source `json:"source"`
}
