// Package synth builds large, realistic snapshots in memory for benchmarks:
// access switches with 48 phone ports each, ASAs between phones and call
// managers, and a CUCM cluster that lists every phone.
package synth

import (
	"fmt"
	"net/netip"

	"github.com/kaudit/kaudit/facts"
)

// Options shape a synthetic snapshot.
type Options struct {
	Devices      int // total devices, at least 3
	PortsPerSw   int // phone ports per switch (default 48)
	BadEvery     int // every n-th port has 1 min inactivity aging (0 = never)
	ASAEvery     int // one ASA per n switches (default 50)
	PhonesInCUCM bool
}

func src(host, key string, line int, text string) facts.Source {
	return facts.Source{Host: host, Key: key, Line: line, Text: text}
}

// Snapshot builds a snapshot with o.Devices devices.
func Snapshot(o Options) *facts.Snapshot {
	if o.PortsPerSw == 0 {
		o.PortsPerSw = 48
	}
	if o.ASAEvery == 0 {
		o.ASAEvery = 50
	}
	if o.Devices < 3 {
		o.Devices = 3
	}
	s := &facts.Snapshot{}
	pub := &facts.Device{Name: "cucm-pub", Platform: facts.PlatformCUCM, IP: "10.0.0.10", Roles: []string{"cucm-primary"}, Status: facts.StatusOK, CUCM: &facts.CUCM{}}
	sub := &facts.Device{Name: "cucm-sub", Platform: facts.PlatformCUCM, IP: "10.0.0.11", Roles: []string{"cucm-backup"}, Status: facts.StatusOK, CUCM: &facts.CUCM{}}
	prof := facts.SIPProfile{Name: "Standard SIP Profile", RegisterDeltaSeconds: 5, RegisterExpiresSeconds: 3600, KeepaliveExpiresSeconds: 120, T1Millis: 500, T2Millis: 4000}
	prof.Sources.Set("register_delta", src("cucm-pub", "sql_sipprofile", 3, "Standard SIP Profile 5 3600 120"))
	prof.Sources.Set("keepalive_expires", src("cucm-pub", "sql_sipprofile", 3, "Standard SIP Profile 5 3600 120"))
	pub.CUCM.SIPProfiles = []facts.SIPProfile{prof}
	pub.CUCM.ServiceParams = []facts.ServiceParam{
		{Name: "StationKeepaliveInterval", Value: "30", Source: src("cucm-pub", "sql_processconfig", 3, "StationKeepaliveInterval 30")},
		{Name: "SIPStationKeepaliveInterval", Value: "120", Source: src("cucm-pub", "sql_processconfig", 4, "SIPStationKeepaliveInterval 120")},
	}
	s.Devices = append(s.Devices, pub, sub)
	nsw := 0
	for len(s.Devices) < o.Devices {
		nsw++
		if nsw%o.ASAEvery == 0 {
			s.Devices = append(s.Devices, asa(nsw))
			if len(s.Devices) >= o.Devices {
				break
			}
		}
		sw := sw(nsw, o)
		s.Devices = append(s.Devices, sw)
		if o.PhonesInCUCM {
			for _, n := range sw.Switch.Neighbors {
				proto := "SIP"
				if len(pub.CUCM.Phones)%4 == 3 {
					proto = "SCCP"
				}
				pub.CUCM.Phones = append(pub.CUCM.Phones, facts.CUCMPhone{Name: n.DeviceID, Model: "Cisco 8841", Protocol: proto, SIPProfile: "Standard SIP Profile", Source: src("cucm-pub", "sql_phones", 3, n.DeviceID)})
			}
		}
	}
	return s
}

func phoneIP(sw, port int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, byte(64 + sw/250), byte(sw % 250), byte(port + 10)})
}

func sw(n int, o Options) *facts.Device {
	name := fmt.Sprintf("sw%05d", n)
	d := &facts.Device{Name: name, Platform: facts.PlatformIOS, Status: facts.StatusOK, Switch: &facts.Switch{Hostname: name}}
	key := "show_running-config"
	line := 10
	for p := 1; p <= o.PortsPerSw; p++ {
		ifn := fmt.Sprintf("GigabitEthernet1/0/%d", p)
		port := facts.SwitchPort{Name: ifn, Mode: "access", AccessVLAN: 100, VoiceVLAN: 200, Source: src(name, key, line, "interface "+ifn)}
		ps := &port.PortSecurity
		ps.Enabled, ps.Maximum, ps.Violation = true, 3, "restrict"
		ps.Sources.Set("enabled", src(name, key, line+4, " switchport port-security"))
		ps.Sources.Set("maximum", src(name, key, line+5, " switchport port-security maximum 3"))
		if o.BadEvery > 0 && p%o.BadEvery == 0 {
			ps.AgingMinutes, ps.AgingSet, ps.AgingType = 1, true, "inactivity"
			ps.Sources.Set("aging_time", src(name, key, line+6, " switchport port-security aging time 1"))
			ps.Sources.Set("aging_type", src(name, key, line+7, " switchport port-security aging type inactivity"))
		}
		d.Switch.Interfaces = append(d.Switch.Interfaces, port)
		mac := fmt.Sprintf("%012X", uint64(n)<<16|uint64(p))
		d.Switch.Neighbors = append(d.Switch.Neighbors, facts.Neighbor{
			Protocol: "cdp", LocalInterface: ifn, DeviceID: "SEP" + mac, Platform: "Cisco IP Phone 8841",
			IP: phoneIP(n, p).String(), Source: src(name, "show_cdp_neighbors_detail", p*20, "Device ID: SEP"+mac),
		})
		line += 10
	}
	d.Switch.MACAging = &facts.MACAging{GlobalSeconds: 300, GlobalSet: true, Global: src(name, "show_mac_address-table_aging-time", 1, "Global Aging Time:  300")}
	return d
}

func asa(n int) *facts.Device {
	name := fmt.Sprintf("asa%04d", n)
	d := &facts.Device{Name: name, Platform: facts.PlatformASA, Status: facts.StatusOK, ASA: &facts.ASA{Hostname: name}}
	key := "show_running-config"
	d.ASA.Interfaces = []facts.ASAInterface{
		{Name: "GigabitEthernet0/0", Nameif: "dc", Prefix: netip.MustParsePrefix("10.0.0.1/24")},
		{Name: "GigabitEthernet0/1", Nameif: "voice", Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(64 + n/250), byte(n % 250), 1}), 24)},
	}
	d.ASA.Timeouts = []facts.Timeout{{Name: "conn", Seconds: 3600, Source: src(name, key, 200, "timeout conn 1:00:00 half-closed 0:10:00 udp 0:02:00")}}
	return d
}
