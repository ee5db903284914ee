package facts

// Platforms kaudit knows.
const (
	PlatformIOS  = "ios"
	PlatformASA  = "asa"
	PlatformCUCM = "cucm"
)

// Device statuses.
const (
	StatusOK      = "ok"      // every output read and parsed
	StatusPartial = "partial" // some outputs missing or unparseable
	StatusFailed  = "failed"  // nothing usable
)

// Snapshot is the whole voice network at one moment: the contract between
// collectors (live or offline) and rules.
type Snapshot struct {
	Devices []*Device `json:"devices"`
	// Phones is the phone ↔ port ↔ profile join, filled by Join.
	Phones []Phone `json:"phones,omitempty"`
}

// Device is one inventory host and the facts read from it.
type Device struct {
	Name     string `json:"name"`
	Platform string `json:"platform"`
	Address  string `json:"address,omitempty"`
	// IP is the device's address on the voice network (inventory
	// data.ip, else Address when it is an IP). It may differ from where
	// kaudit connects (a jump host, a NAT, a simulator on loopback).
	IP     string   `json:"ip,omitempty"`
	Roles  []string `json:"roles,omitempty"`
	Tags   []string `json:"tags,omitempty"`
	Status string   `json:"status"`
	Error  string   `json:"error,omitempty"`
	// Keys lists the command keys that were read; Missing those expected
	// but absent (facts unknown, defaults apply).
	Keys    []string      `json:"keys,omitempty"`
	Missing []string      `json:"missing,omitempty"`
	Errors  []*ParseError `json:"errors,omitempty"`
	// Warnings are rows a parser skipped (malformed, unknown layout)
	// while keeping the rest of the output: the facts of those rows are
	// unknown, the device's other facts stand.
	Warnings []*ParseError `json:"warnings,omitempty"`

	Switch *Switch `json:"switch,omitempty"`
	ASA    *ASA    `json:"asa,omitempty"`
	CUCM   *CUCM   `json:"cucm,omitempty"`
}

// Has reports whether key was read for the device.
func (d *Device) Has(key string) bool {
	for _, k := range d.Keys {
		if k == key {
			return true
		}
	}
	return false
}

// HasRole reports whether the device carries role r.
func (d *Device) HasRole(r string) bool {
	for _, x := range d.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Device returns the device named name, or nil.
func (s *Snapshot) Device(name string) *Device {
	for _, d := range s.Devices {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// Phone is one IP phone joined across devices: where it is plugged in (CDP,
// LLDP, PoE), what CUCM knows of it, and the keepalive interval it uses.
type Phone struct {
	Name  string `json:"name"`          // SEPAABBCCDDEEFF
	MAC   string `json:"mac,omitempty"` // aabb.ccdd.eeff, from the name
	Model string `json:"model,omitempty"`
	// Description is the phone's description in CUCM (usually its user
	// or place), so the help desk can find it.
	Description string `json:"description,omitempty"`
	Protocol    string `json:"protocol,omitempty"` // SIP|SCCP|"" unknown
	IP          string `json:"ip,omitempty"`

	Switch string   `json:"switch,omitempty"`
	Port   string   `json:"port,omitempty"`
	Seen   []Source `json:"seen,omitempty"` // CDP/LLDP/PoE lines placing it

	CallManager string `json:"call_manager,omitempty"` // CUCM device that lists it
	SIPProfile  string `json:"sip_profile,omitempty"`

	Keepalive Keepalive `json:"keepalive"`
}

// Keepalive is how often a phone talks to its call managers, in seconds,
// and how that was worked out.
type Keepalive struct {
	// Protocol is the protocol the interval was computed for (the phone's,
	// or the assumed default): SIP or SCCP.
	Protocol       string `json:"protocol"`
	PrimarySeconds int    `json:"primary_s"`
	BackupSeconds  int    `json:"backup_s,omitempty"`
	// ExpirySeconds is how long the primary waits from the last keepalive
	// before unregistering the phone (SIP: the granted expires).
	ExpirySeconds int `json:"expiry_s,omitempty"`
	// Basis explains the computation, e.g. "SIP 120 s − delta 5 s".
	Basis string `json:"basis"`
	// UnregisterSeconds is when CUCM unregisters a SIP phone that fell
	// silent after a keepalive: the interval plus the policy's grace
	// (cucm_expiry_grace_s); 0 when not worked out.
	UnregisterSeconds int `json:"unregister_s,omitempty"`
	// Dropped is set when the phone itself drops the registration:
	// expires − delta under SIPRegistrationFloor.
	Dropped bool `json:"dropped,omitempty"`
	// Defaulted is set when a policy default stood in for an unknown fact.
	Defaulted bool `json:"defaulted,omitempty"`
	// Inputs are the values the interval was computed from, each with the
	// line it was read from or marked as a default.
	Inputs []KeepaliveInput `json:"inputs,omitempty"`
}

// KeepaliveInput is one value behind a keepalive interval.
type KeepaliveInput struct {
	What    string  `json:"what"` // e.g. "Timer Register Delta"
	Seconds int     `json:"seconds"`
	Source  *Source `json:"source,omitempty"`
	Default bool    `json:"default,omitempty"`
}

// ShortestSeconds is the longest the phone can stay silent on the wire:
// its shortest keepalive interval.
func (k Keepalive) ShortestSeconds() int {
	if k.BackupSeconds > 0 && k.BackupSeconds < k.PrimarySeconds {
		return k.BackupSeconds
	}
	return k.PrimarySeconds
}
