package report

import (
	"time"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

// auditResult is a nightly run over a branch: the access switch and the
// publisher were read (the publisher lacks its RIS output), the DMZ ASA
// refused the login. Findings are listed out of order on purpose: writers
// must sort them.
func auditResult() *Result {
	sw, cucm := "sw-acc-01", "cucm-pub"
	r := &Result{
		Tool:     "kaudit",
		Version:  "0.4.0",
		Started:  time.Date(2025, 3, 4, 2, 0, 5, 0, time.UTC),
		Duration: 41*time.Second + 318*time.Millisecond,
		Source:   "live inventory/branch-07.yaml",
		FailOn:   rules.Warning,
		Devices: []DeviceResult{
			{Name: sw, Platform: facts.PlatformIOS, Status: facts.StatusOK},
			{
				Name: "asa-dmz-01", Platform: facts.PlatformASA, Status: facts.StatusFailed,
				Error: "ssh 192.0.2.10:22: ssh: handshake failed: ssh: unable to authenticate, attempted methods [none password], no supported methods remain",
			},
			{
				Name: cucm, Platform: facts.PlatformCUCM, Status: facts.StatusPartial,
				Missing: []string{"show_risdb_query_phone"},
			},
		},
		Findings: []rules.Finding{
			{
				Rule:     "sip-profile-timers-inconsistent",
				Severity: rules.Info,
				Device:   cucm,
				Object:   "Standard SIP Profile - Branch",
				Phones:   []string{"SEP0021D8BA0965"},
				Message:  "Timer Register Delta 5 s leaves room for one TCP retransmission (T1 500 ms, doubling) before the 120 s keepalive expires; a second loss unregisters the phone.",
				Evidence: []rules.Evidence{
					{Device: cucm, What: "Timer Keep Alive Expires", Value: "120 s", Source: &facts.Source{
						Host: cucm, Key: "run_sql_select_name,zztimerkeepaliveexpires,siptimerregdelta,siptimert1_from_sipprofile", Line: 4,
						Text: "Standard SIP Profile - Branch 120                     5                500       ",
					}},
					{Device: cucm, What: "Timer Register Delta", Value: "5 s", Source: &facts.Source{
						Host: cucm, Key: "run_sql_select_name,zztimerkeepaliveexpires,siptimerregdelta,siptimert1_from_sipprofile", Line: 4,
						Text: "Standard SIP Profile - Branch 120                     5                500       ",
					}},
				},
				Notes: []string{"Change it in CUCM Administration: Device > Device Settings > SIP Profile; phones pick it up on reset."},
			},
			{
				Rule:     "port-security-aging-shorter-than-keepalive",
				Severity: rules.Critical,
				Device:   sw,
				Object:   "GigabitEthernet1/0/5",
				Phones:   []string{"SEP0021D8BA0965"},
				Message:  "Port-security inactivity aging (1 min = 60 s) ≤ the phone's SIP keepalive (120 − 5 = 115 s): the switch forgets the phone's MAC between keepalives and drops the next one.",
				Evidence: []rules.Evidence{
					{Device: sw, What: "port-security aging time", Value: "1 min", Source: &facts.Source{
						Host: sw, Key: "show_running-config", Line: 212, Text: " switchport port-security aging time 1",
					}},
					{Device: sw, What: "port-security aging type", Value: "inactivity", Source: &facts.Source{
						Host: sw, Key: "show_running-config", Line: 213, Text: " switchport port-security aging type inactivity",
					}},
					{Device: cucm, What: "SIP keepalive expires", Value: "120 s", Source: &facts.Source{
						Host: cucm, Key: "run_sql_select_name,zztimerkeepaliveexpires,siptimerregdelta,siptimert1_from_sipprofile", Line: 4,
						Text: "Standard SIP Profile - Branch 120                     5                500       ",
					}},
					{Device: cucm, What: "phone keepalive interval", Value: "115 s", Default: true},
				},
				Fix: []string{
					"interface GigabitEthernet1/0/5",
					" switchport port-security aging time 5",
				},
				Notes: []string{"Registration state unknown: show_risdb_query_phone was not read from cucm-pub."},
			},
			{
				Rule:     "mac-aging-shorter-than-keepalive",
				Severity: rules.Warning,
				Device:   sw,
				Object:   "Vlan200",
				Phones: []string{
					"SEP0021D8BA0965", "SEP0024142DDF24", "SEP00270D3C8A11", "SEP001B54C2E6A0",
					"SEP0021A0F33B12", "SEPE0D1730A8137", "SEP2C3124A9D0F1", "SEPF87B204C1E77",
				},
				Message: "MAC address-table aging on VLAN 200 (60 s) ≤ the phones' keepalive (115 s): between keepalives the switch floods calls to every port of the voice VLAN.",
				Evidence: []rules.Evidence{
					{Device: sw, What: "mac address-table aging-time vlan 200", Value: "60 s", Source: &facts.Source{
						Host: sw, Key: "show_mac_address-table_aging-time", Line: 5, Text: " 200      60",
					}},
					{Device: sw, What: "mac address-table aging-time (global)", Value: "300 s", Default: true, Source: &facts.Source{
						Host: sw, Key: "show_mac_address-table_aging-time", Line: 3, Text: "Global Aging Time:  300",
					}},
					{Device: cucm, What: "phone keepalive interval", Value: "115 s", Default: true},
				},
				Fix: []string{"mac address-table aging-time 300 vlan 200"},
			},
		},
		Phones: []facts.Phone{
			{
				Name: "SEPE0D1730A8137", MAC: "e0d1.730a.8137", Model: "Cisco 8845", Protocol: "SIP", IP: "10.60.98.210",
				Switch: sw, Port: "GigabitEthernet1/0/7", CallManager: cucm, SIPProfile: "Standard SIP Profile - Branch",
				Keepalive: facts.Keepalive{PrimarySeconds: 115, ExpirySeconds: 120, UnregisterSeconds: 130, Basis: "SIP 120 s − delta 5 s"},
			},
			{
				Name: "SEP0021D8BA0965", MAC: "0021.d8ba.0965", Model: "Cisco 7942", Protocol: "SIP", IP: "10.60.98.45",
				Switch: sw, Port: "GigabitEthernet1/0/5", CallManager: cucm, SIPProfile: "Standard SIP Profile - Branch",
				Keepalive: facts.Keepalive{PrimarySeconds: 115, ExpirySeconds: 120, UnregisterSeconds: 130, Basis: "SIP 120 s − delta 5 s"},
				Seen:      []facts.Source{{Host: sw, Key: "show_cdp_neighbors_detail", Line: 18, Text: "Device ID: SEP0021D8BA0965"}},
			},
			{
				Name: "SEP0024142DDF24", MAC: "0024.142d.df24", Model: "Cisco 7962", Protocol: "SCCP",
				Switch: sw, Port: "GigabitEthernet1/0/9",
				Keepalive: facts.Keepalive{PrimarySeconds: 30, BackupSeconds: 60, Basis: "SCCP defaults 30 s / 60 s", Defaulted: true},
			},
		},
	}
	// The optional sections, which only html draws.
	r.Ladders = LaddersFrom(&facts.Snapshot{Phones: r.Phones}, r.Findings)
	r.Diff = &DiffSummary{
		From: 41, To: 42,
		New:      []rules.Finding{r.Findings[1]},
		Resolved: []rules.Finding{{Rule: "firewall-idle-timeout-shorter-than-keepalive", Severity: rules.Critical, Device: "asa-dmz-01", Object: "timeout conn", Phones: []string{"SEP0021D8BA0965"}}},
		Open:     []rules.Finding{r.Findings[0], r.Findings[2]},
		Changes:  []string{"asa-dmz-01: login failed (was ok in run #41)", "cucm-pub: show_risdb_query_phone missing"},
	}
	r.Captures = []CaptureTimeline{
		{Title: "SEP0021D8BA0965 ↔ cucm-pub, TCP 5060", SVG: captureSVG, Caption: "The REGISTER at 115 s is retransmitted with a doubling RTO and never acknowledged: the switch dropped it."},
		{Title: "rejected drawing", SVG: `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`},
	}
	return r
}

// captureSVG is a keepalive timeline as the capture package draws one.
const captureSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 90" width="600" height="90" font-family="sans-serif" font-size="11">
  <title>SIP keepalives SEP0021D8BA0965 to cucm-pub</title>
  <line x1="20" y1="50" x2="580" y2="50" stroke="#98a2b3"/>
  <g fill="#17b26a"><circle cx="20" cy="50" r="4"/><circle cx="235" cy="50" r="4"/></g>
  <g fill="#d92d20"><circle cx="450" cy="50" r="4"/><circle cx="451" cy="50" r="4"/><circle cx="453" cy="50" r="4"/><circle cx="457" cy="50" r="4"/><circle cx="465" cy="50" r="4"/></g>
  <text x="20" y="30">0 s REGISTER</text><text x="235" y="30">115 s 200 OK</text><text x="450" y="30">230 s retransmits</text>
  <text x="20" y="80" fill="#667085">time since first packet (s)</text>
</svg>`

// cleanResult is a run with nothing to report.
func cleanResult() *Result {
	return &Result{
		Tool:     "kaudit",
		Version:  "0.4.0",
		Started:  time.Date(2025, 3, 5, 2, 0, 4, 0, time.UTC),
		Duration: 12*time.Second + 40*time.Millisecond,
		Source:   "offline testdata/labs/branch-07",
		FailOn:   rules.Warning,
		Devices: []DeviceResult{
			{Name: "sw-acc-01", Platform: facts.PlatformIOS, Status: facts.StatusOK},
			{Name: "cucm-pub", Platform: facts.PlatformCUCM, Status: facts.StatusOK},
		},
	}
}
