package rules

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/synth"
)

func s(host, key string, line int, text string) facts.Source {
	return facts.Source{Host: host, Key: key, Line: line, Text: text}
}

// site builds a small snapshot: one switch port with a SIP phone, a CUCM
// pair and (optionally) an ASA between the phone subnet and the CUCMs.
func site(agingMin int, agingType string, mut func(*facts.Snapshot)) *facts.Snapshot {
	port := facts.SwitchPort{Name: "GigabitEthernet1/0/5", Mode: "access", AccessVLAN: 100, VoiceVLAN: 200, Source: s("sw1", "show_running-config", 40, "interface GigabitEthernet1/0/5")}
	ps := &port.PortSecurity
	ps.Enabled, ps.Maximum = true, 3
	ps.Sources.Set("enabled", s("sw1", "show_running-config", 45, " switchport port-security"))
	if agingMin > 0 {
		ps.AgingMinutes, ps.AgingSet = agingMin, true
		ps.Sources.Set("aging_time", s("sw1", "show_running-config", 46, " switchport port-security aging time 1"))
	}
	if agingType != "" {
		ps.AgingType = agingType
		ps.Sources.Set("aging_type", s("sw1", "show_running-config", 47, " switchport port-security aging type "+agingType))
	}
	sw := &facts.Device{Name: "sw1", Platform: "ios", Status: "ok", Switch: &facts.Switch{
		Interfaces: []facts.SwitchPort{port},
		Neighbors: []facts.Neighbor{{Protocol: "cdp", LocalInterface: "GigabitEthernet1/0/5", DeviceID: "SEP0024142DDF24",
			Platform: "Cisco IP Phone 8961", IP: "10.20.1.25", Source: s("sw1", "show_cdp_neighbors_detail", 2, "Device ID: SEP0024142DDF24")}},
	}}
	pub := &facts.Device{Name: "cucm-pub", Platform: "cucm", IP: "10.10.10.202", Roles: []string{"cucm-primary"}, Status: "ok", CUCM: &facts.CUCM{
		ServiceParams: []facts.ServiceParam{{Name: "SIPStationKeepaliveInterval", Value: "120", Source: s("cucm-pub", "sql_processconfig", 5, "SIPStationKeepaliveInterval  120")}},
		Phones:        []facts.CUCMPhone{{Name: "SEP0024142DDF24", Protocol: "SIP", SIPProfile: "Standard SIP Profile", Model: "Cisco 8961"}},
	}}
	prof := facts.SIPProfile{Name: "Standard SIP Profile", RegisterDeltaSeconds: 5, KeepaliveExpiresSeconds: 120}
	prof.Sources.Set("register_delta", s("cucm-pub", "sql_sipprofile", 3, "row"))
	prof.Sources.Set("keepalive_expires", s("cucm-pub", "sql_sipprofile", 3, "row"))
	pub.CUCM.SIPProfiles = []facts.SIPProfile{prof}
	snap := &facts.Snapshot{Devices: []*facts.Device{sw, pub}}
	if mut != nil {
		mut(snap)
	}
	snap.Join(DefaultConfig().Defaults)
	return snap
}

func only(t *testing.T, fs []Finding, rule string) []Finding {
	t.Helper()
	var out []Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func TestPortSecurityAging(t *testing.T) {
	for _, tc := range []struct {
		name   string
		aging  int
		typ    string
		sticky bool
		want   Severity // 0 = no finding
	}{
		{"seed case 2: 1 min inactivity vs 115 s", 1, "inactivity", false, Critical},
		{"2 min within margin", 2, "inactivity", false, Warning},
		{"3 min beyond margin", 3, "inactivity", false, 0},
		{"absolute aging not judged", 1, "absolute", false, 0},
		{"default type is absolute", 1, "", false, 0},
		{"sticky addresses never age", 1, "inactivity", true, 0},
		{"no aging", 0, "inactivity", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := site(tc.aging, tc.typ, func(s *facts.Snapshot) {
				s.Devices[0].Switch.Interfaces[0].PortSecurity.Sticky = tc.sticky
			})
			fs := only(t, Evaluate(snap, DefaultConfig()), "port-security-aging-shorter-than-keepalive")
			if tc.want == 0 {
				if len(fs) != 0 {
					t.Fatalf("want no finding, got %+v", fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("want 1 finding, got %d: %+v", len(fs), fs)
			}
			f := fs[0]
			if f.Severity != tc.want || f.Device != "sw1" || f.Object != "GigabitEthernet1/0/5" {
				t.Errorf("got %s %s %s", f.Severity, f.Device, f.Object)
			}
			if len(f.Phones) != 1 || f.Phones[0] != "SEP0024142DDF24" {
				t.Errorf("phones = %v", f.Phones)
			}
			// Evidence from both sides: the switch line and the CUCM line.
			var sw, cm bool
			for _, e := range f.Evidence {
				if e.Source != nil && e.Source.Host == "sw1" && e.Source.Line == 46 {
					sw = true
				}
				if e.Source != nil && e.Source.Host == "cucm-pub" {
					cm = true
				}
			}
			if !sw || !cm {
				t.Errorf("evidence lacks a side (switch %v, cucm %v): %+v", sw, cm, f.Evidence)
			}
			if !strings.Contains(strings.Join(f.Fix, "\n"), "switchport port-security aging time 5") {
				t.Errorf("fix = %q", f.Fix)
			}
		})
	}
}

func TestPortSecurityAgingPolicyMargin(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PortSecurityMargin = 0
	snap := site(2, "inactivity", nil)
	if fs := only(t, Evaluate(snap, cfg), "port-security-aging-shorter-than-keepalive"); len(fs) != 0 {
		t.Fatalf("margin 0: 120 s > 115 s should pass, got %+v", fs)
	}
	cfg.Severity = map[string]string{"port-security-aging-shorter-than-keepalive": "off"}
	if fs := only(t, Evaluate(site(1, "inactivity", nil), cfg), "port-security-aging-shorter-than-keepalive"); len(fs) != 0 {
		t.Fatal("rule switched off still reports")
	}
}

func TestKeepaliveDefaultsWithoutCUCM(t *testing.T) {
	snap := site(1, "inactivity", func(s *facts.Snapshot) { s.Devices = s.Devices[:1] })
	fs := only(t, Evaluate(snap, DefaultConfig()), "port-security-aging-shorter-than-keepalive")
	if len(fs) != 1 || fs[0].Severity != Critical {
		t.Fatalf("got %+v", fs)
	}
	if len(fs[0].Notes) == 0 || !strings.Contains(fs[0].Notes[0], "default") {
		t.Errorf("finding must say defaults were assumed: %q", fs[0].Notes)
	}
}

func TestSCCPKeepalive(t *testing.T) {
	snap := site(1, "inactivity", func(s *facts.Snapshot) {
		s.Devices[1].CUCM.Phones[0].Protocol = "SCCP"
	})
	fs := only(t, Evaluate(snap, DefaultConfig()), "port-security-aging-shorter-than-keepalive")
	// 60 s aging vs 30 s SCCP keepalive: within the 60 s margin.
	if len(fs) != 1 || fs[0].Severity != Warning {
		t.Fatalf("got %+v", fs)
	}
}

func TestPortSecurityMax(t *testing.T) {
	snap := site(0, "", func(s *facts.Snapshot) {
		s.Devices[0].Switch.Interfaces[0].PortSecurity.Maximum = 0
	})
	fs := only(t, Evaluate(snap, DefaultConfig()), "port-security-max-too-low-for-voice")
	if len(fs) != 1 || fs[0].Severity != Critical || fs[0].Fix[1] != " switchport port-security maximum 2" {
		t.Fatalf("got %+v", fs)
	}
	snap = site(0, "", func(s *facts.Snapshot) {
		s.Devices[0].Switch.Interfaces[0].PortSecurity.Maximum = 1
		s.Devices[0].Switch.Interfaces[0].PortSecurity.Violation = "restrict"
	})
	fs = only(t, Evaluate(snap, DefaultConfig()), "port-security-max-too-low-for-voice")
	if len(fs) != 1 || fs[0].Severity != Warning {
		t.Fatalf("restrict: got %+v", fs)
	}
}

func TestMACAging(t *testing.T) {
	snap := site(0, "", func(s *facts.Snapshot) {
		s.Devices[0].Switch.MACAging = &facts.MACAging{GlobalSeconds: 300, VLANs: []facts.VLANAging{{VLAN: 200, Seconds: 60, Source: s_("sw1")}}}
	})
	fs := only(t, Evaluate(snap, DefaultConfig()), "mac-aging-shorter-than-keepalive")
	if len(fs) != 1 || fs[0].Severity != Warning || fs[0].Object != "vlan 200" {
		t.Fatalf("got %+v", fs)
	}
	snap = site(0, "", nil) // aging not read: default 300 s is fine
	if fs := only(t, Evaluate(snap, DefaultConfig()), "mac-aging-shorter-than-keepalive"); len(fs) != 0 {
		t.Fatalf("got %+v", fs)
	}
}

func s_(host string) facts.Source {
	return s(host, "show_mac_address-table_aging-time", 5, "200     60")
}

func TestSIPProfileTimers(t *testing.T) {
	snap := site(0, "", func(s *facts.Snapshot) {
		p := &s.Devices[1].CUCM.SIPProfiles[0]
		p.RegisterDeltaSeconds = 130
	})
	fs := only(t, Evaluate(snap, DefaultConfig()), "sip-profile-timers-inconsistent")
	if len(fs) != 1 || fs[0].Severity != Critical || len(fs[0].Phones) != 1 {
		t.Fatalf("got %+v", fs)
	}
	snap = site(0, "", func(s *facts.Snapshot) { s.Devices[1].CUCM.SIPProfiles[0].RegisterDeltaSeconds = 0 })
	fs = only(t, Evaluate(snap, DefaultConfig()), "sip-profile-timers-inconsistent")
	if len(fs) != 1 || fs[0].Severity != Warning {
		t.Fatalf("delta 0: got %+v", fs)
	}
}

// withASA puts an ASA between the phone subnet and the CUCM subnet.
func withASA(mut func(a *facts.ASA)) func(*facts.Snapshot) {
	return func(s *facts.Snapshot) {
		a := &facts.ASA{Interfaces: []facts.ASAInterface{
			{Name: "GigabitEthernet0/0", Nameif: "dc", Prefix: netip.MustParsePrefix("10.10.10.1/24")},
			{Name: "GigabitEthernet0/1", Nameif: "voice", Prefix: netip.MustParsePrefix("10.20.1.1/24")},
		}}
		if mut != nil {
			mut(a)
		}
		s.Devices = append(s.Devices, &facts.Device{Name: "asa1", Platform: "asa", Status: "ok", ASA: a})
	}
}

func TestASAProxyARP(t *testing.T) {
	// CUCM on the phones' segment, NAT covering it with the mapped
	// interface on that segment: the seed's case 1.
	nat := func(noProxy bool) func(a *facts.ASA) {
		return func(a *facts.ASA) {
			a.Interfaces[1].Prefix = netip.MustParsePrefix("10.10.10.1/24")
			a.Interfaces[0].Prefix = netip.MustParsePrefix("192.0.2.1/24")
			a.Interfaces[0].Nameif = "outside"
			a.Objects = []facts.NetworkObject{{Name: "CUCM-PUB", Host: netip.MustParseAddr("10.10.10.202")}}
			a.NAT = []facts.NATRule{{Kind: "twice", RealIf: "outside", MappedIf: "voice", Type: "static", SourceReal: "any", SourceMapped: "any",
				DestMapped: "CUCM-PUB", DestReal: "CUCM-PUB", NoProxyARP: noProxy, Source: s("asa1", "show_running-config", 120, "nat (outside,voice) source static any any")}}
		}
	}
	phoneOnVoice := func(s *facts.Snapshot) { s.Devices[0].Switch.Neighbors[0].IP = "10.10.10.50" }
	snap := site(0, "", func(s *facts.Snapshot) { phoneOnVoice(s); withASA(nat(false))(s) })
	fs := only(t, Evaluate(snap, DefaultConfig()), "asa-proxy-arp-answers-for-call-manager")
	if len(fs) != 1 || fs[0].Severity != Critical || !strings.HasPrefix(fs[0].Object, "voice") {
		t.Fatalf("got %+v", fs)
	}
	if !strings.Contains(strings.Join(fs[0].Fix, "\n"), "no-proxy-arp") {
		t.Errorf("fix = %q", fs[0].Fix)
	}
	snap = site(0, "", func(s *facts.Snapshot) { phoneOnVoice(s); withASA(nat(true))(s) })
	if fs := only(t, Evaluate(snap, DefaultConfig()), "asa-proxy-arp-answers-for-call-manager"); len(fs) != 0 {
		t.Fatalf("no-proxy-arp honoured? got %+v", fs)
	}
	sysopt := s("asa1", "show_running-config", 300, "sysopt noproxyarp voice")
	snap = site(0, "", func(sn *facts.Snapshot) {
		phoneOnVoice(sn)
		withASA(func(a *facts.ASA) {
			nat(false)(a)
			a.ProxyARP = []facts.ProxyARPSetting{{Nameif: "voice", Enabled: false, Source: sysopt}}
		})(sn)
	})
	if fs := only(t, Evaluate(snap, DefaultConfig()), "asa-proxy-arp-answers-for-call-manager"); len(fs) != 0 {
		t.Fatalf("sysopt noproxyarp honoured? got %+v", fs)
	}
}

func TestEveryRuleDocumented(t *testing.T) {
	want := []string{
		"asa-proxy-arp-answers-for-call-manager",
		"firewall-idle-timeout-shorter-than-keepalive",
		"mac-aging-shorter-than-keepalive",
		"port-security-aging-shorter-than-keepalive",
		"port-security-max-too-low-for-voice",
		"sip-profile-timers-inconsistent",
	}
	for _, id := range want {
		r := Lookup(id)
		if r == nil {
			t.Errorf("rule %s missing", id)
			continue
		}
		if len(r.Doc) < 200 || r.Summary == "" || r.Severity == 0 {
			t.Errorf("rule %s is under-documented", id)
		}
	}
}

func TestPanickingRuleIsContained(t *testing.T) {
	register(&Rule{ID: "zz-test-panics", Severity: Info, Summary: "x", Check: func(*Context) []Finding { panic("boom") }})
	defer delete(registry, "zz-test-panics")
	fs := only(t, Evaluate(site(0, "", nil), DefaultConfig()), "zz-test-panics")
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "boom") {
		t.Fatalf("got %+v", fs)
	}
}

func TestSyntheticScale(t *testing.T) {
	snap := synth.Snapshot(synth.Options{Devices: 300, BadEvery: 12, PhonesInCUCM: true})
	snap.Join(DefaultConfig().Defaults)
	fs := only(t, Evaluate(snap, DefaultConfig()), "port-security-aging-shorter-than-keepalive")
	// 4 bad ports per switch; SCCP phones on them give warnings, SIP ones criticals.
	nsw := 0
	for _, d := range snap.Devices {
		if d.Switch != nil {
			nsw++
		}
	}
	if len(fs) != 4*nsw {
		t.Fatalf("want %d findings, got %d", 4*nsw, len(fs))
	}
}

// BenchmarkEvaluate10k evaluates every rule over a joined 10,000-device
// snapshot (9,800 switches with 48 phone ports each, 196 ASAs, a CUCM pair:
// ~470k phones, 39k findings). Target: under 1 s per op. Rules run
// concurrently, one per core.
func BenchmarkEvaluate10k(b *testing.B) {
	snap := synth.Snapshot(synth.Options{Devices: 10000, BadEvery: 12, PhonesInCUCM: true})
	cfg := DefaultConfig()
	snap.Join(cfg.Defaults)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fs := Evaluate(snap, cfg)
		if len(fs) == 0 {
			b.Fatal("no findings")
		}
	}
}

// BenchmarkJoin10k is the phone ↔ port ↔ profile join of the same
// snapshot, which an audit runs once before the rules.
func BenchmarkJoin10k(b *testing.B) {
	snap := synth.Snapshot(synth.Options{Devices: 10000, BadEvery: 12, PhonesInCUCM: true})
	cfg := DefaultConfig()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		snap.Join(cfg.Defaults)
	}
}
