package facts

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Defaults are the keepalive values assumed when CUCM does not say (not in
// the inventory, or the output was not read). They come from policy.yaml.
type Defaults struct {
	SIPStationKeepalive int    // s: the Expires CUCM grants a SIP phone (SIP Station KeepAlive Interval)
	SIPRegisterDelta    int    // s: Timer Register Delta
	SIPKeepaliveExpires int    // s: Timer Keep Alive Expires (keepalive REGISTER to the backup)
	SIPRegisterExpires  int    // s: Timer Register Expires (what mobile and dual-mode clients register on)
	CUCMExpiryGrace     int    // s: how long past the interval CUCM waits before it unregisters a SIP phone
	SCCPKeepalive       int    // s: Station KeepAlive Interval
	SCCPBackupKeepalive int    // s: Station and Backup Server KeepAlive Interval
	PhoneProtocol       string // SIP or SCCP: assumed when unknown
}

// Service parameters as named in CUCM's processconfig table.
const (
	ParamSCCPKeepalive       = "StationKeepaliveInterval"
	ParamSCCPBackupKeepalive = "Station2ndKeepaliveInterval"
)

// KeepaliveParam classifies a processconfig parameter name: "sccp",
// "sccp-backup", "sip" or "". The SIP station keepalive's internal name is
// not documented, so any name with both "sip" and "keepalive" counts.
func KeepaliveParam(name string) string {
	l := strings.ToLower(name)
	switch {
	case !strings.Contains(l, "keepalive"):
		return ""
	case strings.Contains(l, "sip"):
		return "sip"
	case strings.Contains(l, "2nd") || strings.Contains(l, "backup") || strings.Contains(l, "second"):
		return "sccp-backup"
	case l == strings.ToLower(ParamSCCPKeepalive):
		return "sccp"
	}
	return ""
}

// ServiceKeepalives are the keepalive service parameters read from one
// CUCM, in seconds (0 when not read), each with its line.
type ServiceKeepalives struct {
	SIP, SCCP, SCCPBackup          int
	SIPSrc, SCCPSrc, SCCPBackupSrc *Source
}

// KeepalivesOf reads d's keepalive service parameters (see KeepaliveParam).
func KeepalivesOf(d *Device) ServiceKeepalives {
	var p ServiceKeepalives
	if d == nil || d.CUCM == nil {
		return p
	}
	for i := range d.CUCM.ServiceParams {
		sp := &d.CUCM.ServiceParams[i]
		v, err := strconv.Atoi(strings.TrimSpace(sp.Value))
		if err != nil || v <= 0 {
			continue
		}
		switch KeepaliveParam(sp.Name) {
		case "sip":
			p.SIP, p.SIPSrc = v, &sp.Source
		case "sccp":
			p.SCCP, p.SCCPSrc = v, &sp.Source
		case "sccp-backup":
			p.SCCPBackup, p.SCCPBackupSrc = v, &sp.Source
		}
	}
	return p
}

// Join builds s.Phones: every phone seen on a switch port (CDP, LLDP, PoE)
// or listed by a CUCM, merged by name, with the keepalive interval worked
// out from its own SIP profile and the service parameters, or from def.
func (s *Snapshot) Join(def Defaults) {
	est := 0
	for _, d := range s.Devices {
		if d.Switch != nil {
			est += len(d.Switch.Neighbors)
		}
		if d.CUCM != nil {
			est += len(d.CUCM.Phones)
		}
	}
	// Phones live in one slice and are found by index, so that a snapshot
	// of hundreds of thousands of phones costs a few large allocations.
	phones := make([]Phone, 0, est)
	byName := make(map[string]int, est)
	get := func(name string) int {
		key := upper(name)
		if i, ok := byName[key]; ok {
			return i
		}
		phones = append(phones, Phone{Name: key, MAC: PhoneMAC(key)})
		byName[key] = len(phones) - 1
		return len(phones) - 1
	}

	// Where phones are plugged in.
	for _, d := range s.Devices {
		if d.Switch == nil {
			continue
		}
		onPort := map[string]int{} // port → a named phone seen there
		for i := range d.Switch.Neighbors {
			n := &d.Switch.Neighbors[i]
			name := phoneName(n)
			if name == "" {
				continue
			}
			p := &phones[get(name)]
			if p.Switch == "" {
				p.Switch, p.Port = d.Name, n.LocalInterface
			}
			if p.Model == "" && n.Platform != "" {
				p.Model = strings.TrimPrefix(n.Platform, "Cisco ")
			}
			if p.IP == "" {
				p.IP = n.IP
			}
			p.Seen = append(p.Seen, n.Source)
			onPort[n.LocalInterface] = byName[name]
		}
		for i := range d.Switch.PoE {
			pe := &d.Switch.PoE[i]
			if !strings.Contains(strings.ToLower(pe.Device), "phone") {
				continue
			}
			if j, ok := onPort[pe.Interface]; ok {
				phones[j].Seen = append(phones[j].Seen, pe.Source)
				continue
			}
			// A phone with power but no CDP/LLDP: known only by its port.
			phones = append(phones, Phone{Switch: d.Name, Port: pe.Interface, Model: pe.Device, Seen: []Source{pe.Source}})
		}
	}

	// What CUCM knows of them.
	for _, d := range s.Devices {
		if d.CUCM == nil {
			continue
		}
		for i := range d.CUCM.Phones {
			cp := &d.CUCM.Phones[i]
			if cp.Name == "" {
				continue
			}
			p := &phones[get(cp.Name)]
			if p.CallManager == "" {
				p.CallManager = d.Name
				p.Protocol = upper(cp.Protocol)
				p.SIPProfile = cp.SIPProfile
				p.Description = cp.Description
				if cp.Model != "" {
					p.Model = cp.Model
				}
				if cp.IP != "" {
					p.IP = cp.IP
				}
			}
		}
	}

	// Phones of one call manager, protocol and profile share a keepalive:
	// compute it once per combination, not once per phone.
	cucms := s.CallManagers()
	devs := make(map[string]*Device, len(s.Devices))
	for _, d := range s.Devices {
		devs[d.Name] = d
	}
	type kaKey struct{ cm, proto, profile string }
	cache := map[kaKey]Keepalive{}
	for i := range phones {
		p := &phones[i]
		k := kaKey{p.CallManager, p.Protocol, p.SIPProfile}
		ka, ok := cache[k]
		if !ok {
			ka = s.keepaliveWith(p, cucms, devs, def)
			cache[k] = ka
		}
		p.Keepalive = ka
	}
	// Sort by switch, port and name through an index: Phone is large, and
	// moving each once is far cheaper than swapping them while sorting.
	order := make([]int32, len(phones))
	for i := range order {
		order[i] = int32(i)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := &phones[order[i]], &phones[order[j]]
		if a.Switch != b.Switch {
			return a.Switch < b.Switch
		}
		if a.Port != b.Port {
			return a.Port < b.Port
		}
		return a.Name < b.Name
	})
	sorted := make([]Phone, len(phones))
	for i, j := range order {
		sorted[i] = phones[j]
	}
	phones = sorted
	s.Phones = phones
}

// phoneName returns the SEP name of a neighbour that is a Cisco phone.
func phoneName(n *Neighbor) string {
	id := strings.TrimSpace(n.DeviceID)
	// CDP may append a domain: SEP0021D8BA0965.example.com
	if i := strings.IndexByte(id, '.'); i > 0 && len(id) > 15 {
		id = id[:i]
	}
	if PhoneMAC(id) != "" {
		return strings.ToUpper(id)
	}
	return ""
}

// CallManagers are the CUCM devices, primary-role first.
func (s *Snapshot) CallManagers() []*Device {
	var out []*Device
	for _, d := range s.Devices {
		if d.Platform == PlatformCUCM {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].HasRole("cucm-primary") && !out[j].HasRole("cucm-primary")
	})
	return out
}

func (s *Snapshot) keepaliveWith(p *Phone, cucms []*Device, byName map[string]*Device, def Defaults) Keepalive {
	var k Keepalive
	var notes []string
	var cm *Device
	if p.CallManager != "" {
		cm = byName[p.CallManager]
	} else if len(cucms) > 0 {
		cm = cucms[0]
	}
	proto := p.Protocol
	if proto != "SIP" && proto != "SCCP" {
		proto = strings.ToUpper(def.PhoneProtocol)
		if proto != "SCCP" {
			proto = "SIP"
		}
		k.Defaulted = true
		if cm == nil {
			notes = append(notes, "no CUCM in the inventory: protocol "+proto+" assumed")
		} else {
			notes = append(notes, "protocol unknown: "+proto+" assumed")
		}
	}
	k.Protocol = proto
	params := KeepalivesOf(cm)
	pick := func(v int, src *Source, dflt int, what string) int {
		if v > 0 {
			k.Inputs = append(k.Inputs, KeepaliveInput{What: what, Seconds: v, Source: src})
			return v
		}
		k.Defaulted = true
		k.Inputs = append(k.Inputs, KeepaliveInput{What: what, Seconds: dflt, Default: true})
		notes = append(notes, fmt.Sprintf("%s unknown: default %d s", what, dflt))
		return dflt
	}
	if proto == "SCCP" {
		k.PrimarySeconds = pick(params.SCCP, params.SCCPSrc, def.SCCPKeepalive, "Station KeepAlive Interval")
		k.BackupSeconds = pick(params.SCCPBackup, params.SCCPBackupSrc, def.SCCPBackupKeepalive, "Station and Backup Server KeepAlive Interval")
		k.ExpirySeconds = k.PrimarySeconds
		k.Basis = fmt.Sprintf("SCCP keepalive %d s to the primary, %d s to the backup", k.PrimarySeconds, k.BackupSeconds)
	} else {
		prof := profileOf(cm, p.SIPProfile)
		var granted int
		grantedWhat := "SIP Station KeepAlive Interval"
		if MobileDevice(p.Model, p.SIPProfile) {
			// Dual-mode and mobile clients register on the profile's
			// Timer Register Expires (see KeepaliveFormulas).
			grantedWhat = "Timer Register Expires"
			var v int
			var src *Source
			if prof != nil {
				if s, ok := prof.Sources.Get("register_expires"); ok {
					v, src = prof.RegisterExpiresSeconds, &s
				}
			}
			granted = pick(v, src, def.SIPRegisterExpires, grantedWhat)
			notes = append(notes, "mobile or dual-mode device: registers on Timer Register Expires")
		} else {
			granted = pick(params.SIP, params.SIPSrc, def.SIPStationKeepalive, grantedWhat)
		}
		delta, kaExp := 0, 0
		var deltaSrc, kaSrc *Source
		if prof != nil {
			if src, ok := prof.Sources.Get("register_delta"); ok {
				delta, deltaSrc = prof.RegisterDeltaSeconds, &src
			}
			if src, ok := prof.Sources.Get("keepalive_expires"); ok {
				kaExp, kaSrc = prof.KeepaliveExpiresSeconds, &src
			}
		} else if p.SIPProfile != "" {
			notes = append(notes, "SIP profile "+p.SIPProfile+" not found")
		}
		delta = pickZero(delta, deltaSrc, def.SIPRegisterDelta, "Timer Register Delta", &k, &notes)
		kaExp = pick(kaExp, kaSrc, def.SIPKeepaliveExpires, "Timer Keep Alive Expires")
		k.PrimarySeconds = granted - delta
		k.BackupSeconds = max(kaExp, SIPBackupKeepaliveFloor)
		k.ExpirySeconds = granted
		backup := fmt.Sprintf("keepalive to the backup every %d s (Timer Keep Alive Expires %d s", k.BackupSeconds, kaExp)
		if kaExp < SIPBackupKeepaliveFloor {
			backup += fmt.Sprintf(", raised to the phone's floor of %d s", SIPBackupKeepaliveFloor)
		}
		k.Basis = fmt.Sprintf("SIP re-REGISTER every %d s (%s %d s − delta %d s); %s)",
			k.PrimarySeconds, grantedWhat, granted, delta, backup)
		if def.CUCMExpiryGrace > 0 {
			k.UnregisterSeconds = k.PrimarySeconds + def.CUCMExpiryGrace
		}
		if k.PrimarySeconds < SIPRegistrationFloor {
			k.Dropped = true
			notes = append(notes, fmt.Sprintf("expires − delta is under %d s: the phone drops the registration", SIPRegistrationFloor))
		}
	}
	if k.PrimarySeconds < 1 {
		k.PrimarySeconds = 1
	}
	if k.BackupSeconds < 0 {
		k.BackupSeconds = 0
	}
	if len(notes) > 0 {
		k.Basis += " [" + strings.Join(notes, "; ") + "]"
	}
	return k
}

// Keepalive works out the keepalive of p from the call managers in s, or
// from def. Join uses it for every phone; rules use it for a phone that is
// expected on a port but not seen.
func (s *Snapshot) Keepalive(p *Phone, def Defaults) Keepalive {
	byName := map[string]*Device{}
	for _, d := range s.Devices {
		byName[d.Name] = d
	}
	return s.keepaliveWith(p, s.CallManagers(), byName, def)
}

// pickZero is pick for values where 0 is a legal setting (the register delta).
func pickZero(v int, src *Source, dflt int, what string, k *Keepalive, notes *[]string) int {
	if src != nil {
		k.Inputs = append(k.Inputs, KeepaliveInput{What: what, Seconds: v, Source: src})
		return v
	}
	k.Defaulted = true
	k.Inputs = append(k.Inputs, KeepaliveInput{What: what, Seconds: dflt, Default: true})
	*notes = append(*notes, fmt.Sprintf("%s unknown: default %d s", what, dflt))
	return dflt
}

func profileOf(cm *Device, name string) *SIPProfile {
	if cm == nil || cm.CUCM == nil || name == "" {
		return nil
	}
	for i := range cm.CUCM.SIPProfiles {
		if strings.EqualFold(cm.CUCM.SIPProfiles[i].Name, name) {
			return &cm.CUCM.SIPProfiles[i]
		}
	}
	return nil
}

// upper is strings.ToUpper without an allocation for names already upper case.
func upper(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' || c >= 0x80 {
			return strings.ToUpper(s)
		}
	}
	return s
}
