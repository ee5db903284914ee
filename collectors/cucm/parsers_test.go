package cucm

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// seedDevice is a device that already holds CUCM facts, so that tests can
// see a failed parse leave them alone and a good one replace its part.
func seedDevice() *facts.Device {
	return &facts.Device{Name: "cucm-pub", Platform: facts.PlatformCUCM, CUCM: &facts.CUCM{
		SIPProfiles:   []facts.SIPProfile{{PKID: "0f5c2a7e-3b1d-4e9a-8c6f-7d2b1a0e9c38", Name: "Lab SIP Profile", Sources: facts.SourcesOf(map[string]facts.Source{"row": {Key: "x", Line: 3}})}},
		ServiceParams: []facts.ServiceParam{{Name: "StationKeepaliveInterval", Value: "20"}},
		Phones:        []facts.CUCMPhone{{Name: "SEP000000000001"}},
	}}
}

type sipWant struct {
	line    int
	name    string
	pkid    string
	timers  [8]int // delta, expires, keepalive, invite, t1, t2, retry invite, retry non-invite
	sources string // sorted Sources keys, comma-separated
}

const allSIPSources = "invite_expires,keepalive_expires,register_delta,register_expires,retry_invite,retry_non_invite,row,t1,t2"

func TestParseSIPProfiles(t *testing.T) {
	std := [8]int{5, 3600, 120, 180, 500, 4000, 6, 10}
	branch := std
	branch[2] = 300
	tests := []struct {
		file string
		want []sipWant
	}{
		{"sql_sipprofile.txt", []sipWant{
			{4, "Standard SIP Profile", "fcbc7581-b1e9-4b2d-a0a6-28a12d8a6ae0", std, allSIPSources},
			{5, "Standard SIP Profile For Mobile Device", "9c4bb0c5-0e12-4f6c-9e1c-5a41e2b2d7a1", std, allSIPSources},
			{6, "Branch Phones SIP Profile", "3d2e9b1a-6f0c-4c1e-8b7a-2a9d5e0c4f11", branch, allSIPSources},
			{7, "Standard SIP Profile For Cisco VCS", "b7e1c2d4-5a6f-4e8b-9c0d-1e2f3a4b5c6d", std, allSIPSources},
		}},
		// Columns absent from the query, blank and NULL cells: zero, no source.
		{"sql_sipprofile_fewcolumns.txt", []sipWant{
			{4, "Standard SIP Profile", "fcbc7581-b1e9-4b2d-a0a6-28a12d8a6ae0", [8]int{5, 0, 120, 0, 500}, "keepalive_expires,register_delta,row,t1"},
			{5, "Lab SIP Profile", "0f5c2a7e-3b1d-4e9a-8c6f-7d2b1a0e9c38", [8]int{2: 90}, "keepalive_expires,row"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readTestdata(t, tt.file)
			d := seedDevice()
			before := seedDevice()
			if err := ParseSIPProfiles(data, d); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(d.CUCM.Phones, before.CUCM.Phones) || !reflect.DeepEqual(d.CUCM.ServiceParams, before.CUCM.ServiceParams) {
				t.Error("parsing SIP profiles touched phones or service parameters")
			}
			got := d.CUCM.SIPProfiles
			if len(got) != len(tt.want) {
				t.Fatalf("%d profiles, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				p := got[i]
				timers := [8]int{p.RegisterDeltaSeconds, p.RegisterExpiresSeconds, p.KeepaliveExpiresSeconds, p.InviteExpiresSeconds, p.T1Millis, p.T2Millis, p.RetryInvite, p.RetryNonInvite}
				if p.Name != w.name || p.PKID != w.pkid || timers != w.timers {
					t.Errorf("profile %d = %q %q %v, want %q %q %v", i, p.Name, p.PKID, timers, w.name, w.pkid, w.timers)
				}
				keys := make([]string, 0, p.Sources.Len())
				for k, src := range p.Sources.All() {
					keys = append(keys, k)
					want := facts.Source{Host: "cucm-pub", Key: KeySIPProfiles, Line: w.line, Text: lineText(data, w.line)}
					if src != want {
						t.Errorf("profile %q source %s = %+v, want %+v", p.Name, k, src, want)
					}
				}
				slices.Sort(keys)
				if strings.Join(keys, ",") != w.sources {
					t.Errorf("profile %q sources %v, want %s", p.Name, keys, w.sources)
				}
			}
		})
	}
}

func TestParseProcessConfig(t *testing.T) {
	type param struct {
		line        int
		name, value string
	}
	tests := []struct {
		file string
		want []param
	}{
		{"sql_processconfig.txt", []param{
			{4, "StationKeepaliveInterval", "30"}, {5, "Station2ndKeepaliveInterval", "60"}, {6, "SIPStationKeepaliveInterval", "120"},
			{7, "StationKeepaliveInterval", "30"}, {8, "Station2ndKeepaliveInterval", "60"}, {9, "SIPStationKeepaliveInterval", "120"},
			{10, "CtiKeepaliveTimeout", ""},
		}},
		{"sql_processconfig_nodes.txt", []param{
			{4, "StationKeepaliveInterval", "30"}, {5, "Station2ndKeepaliveInterval", "60"}, {6, "SIPStationKeepaliveInterval", "120"},
			{7, "StationKeepaliveInterval", "45"}, {8, "Station2ndKeepaliveInterval", "60"}, {9, "SIPStationKeepaliveInterval", "120"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readTestdata(t, tt.file)
			d := &facts.Device{Name: "cucm-sub1"}
			if err := ParseProcessConfig(data, d); err != nil {
				t.Fatal(err)
			}
			got := d.CUCM.ServiceParams
			if len(got) != len(tt.want) {
				t.Fatalf("%d params, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				p := got[i]
				src := facts.Source{Host: "cucm-sub1", Key: KeyProcessConfig, Line: w.line, Text: lineText(data, w.line)}
				if p.Name != w.name || p.Value != w.value || p.Source != src {
					t.Errorf("param %d = %+v, want %s=%q at %+v", i, p, w.name, w.value, src)
				}
			}
		})
	}
}

func TestParsePhones(t *testing.T) {
	type phone struct {
		line                                             int
		name, desc, model, protocol, profile, ip, status string
	}
	withProfiles := func(t *testing.T) *facts.Device {
		d := &facts.Device{Name: "cucm-pub"}
		if err := ParseSIPProfiles(readTestdata(t, "sql_sipprofile.txt"), d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name   string
		file   string
		device func(*testing.T) *facts.Device
		want   []phone
	}{
		{"joined query", "sql_phones.txt", withProfiles, []phone{
			{7, "SEP0024142DDF24", "Auto 1000", "Cisco 8845", "SIP", "Standard SIP Profile", "", ""},
			{8, "SEP0021D8BA0965", "Lobby Phone Bldg 2", "Cisco 7942", "SCCP", "", "", ""},
			{9, "SEPE0D1730A8137", "Reception - Front Desk", "Cisco 8865", "SIP", "Branch Phones SIP Profile", "", ""},
			{10, "SEP00259C8A4F10", "", "Cisco 7965", "SCCP", "", "", ""},
			{11, "SEP6C410E2A3B4C", "Auto 1003", "Cisco 8841", "SIP", "Standard SIP Profile", "", ""},
		}},
		// Reordered columns, extra tkclass, pkids resolved against the
		// profiles parsed before; the lab profile is not among them.
		{"pkids resolved", "sql_phones_reordered.txt", withProfiles, []phone{
			{4, "SEP0024142DDF24", "Auto 1000", "Cisco 8845", "SIP", "Standard SIP Profile", "10.60.98.21", ""},
			{5, "SEP0021D8BA0965", "Lobby Phone Bldg 2", "Cisco 7942", "SCCP", "", "10.60.98.35", ""},
			{6, "SEPE0D1730A8137", "Reception - Front Desk", "Cisco 8865", "SIP", "Branch Phones SIP Profile", "10.60.98.210", ""},
			{7, "SEP6C410E2A3B4C", "Auto 1003", "Cisco 8841", "SIP", "0f5c2a7e-3b1d-4e9a-8c6f-7d2b1a0e9c38", "", ""},
		}},
		{"pkids kept without profiles", "sql_phones_reordered.txt", func(*testing.T) *facts.Device { return &facts.Device{Name: "cucm-pub"} }, []phone{
			{4, "SEP0024142DDF24", "Auto 1000", "Cisco 8845", "SIP", "fcbc7581-b1e9-4b2d-a0a6-28a12d8a6ae0", "10.60.98.21", ""},
			{5, "SEP0021D8BA0965", "Lobby Phone Bldg 2", "Cisco 7942", "SCCP", "", "10.60.98.35", ""},
			{6, "SEPE0D1730A8137", "Reception - Front Desk", "Cisco 8865", "SIP", "3d2e9b1a-6f0c-4c1e-8b7a-2a9d5e0c4f11", "10.60.98.210", ""},
			{7, "SEP6C410E2A3B4C", "Auto 1003", "Cisco 8841", "SIP", "0f5c2a7e-3b1d-4e9a-8c6f-7d2b1a0e9c38", "", ""},
		}},
		{"empty result", "sql_phones_empty.txt", func(*testing.T) *facts.Device { return seedDevice() }, []phone{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := readTestdata(t, tt.file)
			d := tt.device(t)
			profiles := profilesOf(d)
			if err := ParsePhones(data, d); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(profilesOf(d), profiles) {
				t.Error("parsing phones changed the SIP profiles")
			}
			got := d.CUCM.Phones
			if len(got) != len(tt.want) {
				t.Fatalf("%d phones, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				want := facts.CUCMPhone{Name: w.name, Description: w.desc, Model: w.model, Protocol: w.protocol, SIPProfile: w.profile, IP: w.ip, Status: w.status,
					Source: facts.Source{Host: "cucm-pub", Key: KeyPhones, Line: w.line, Text: lineText(data, w.line)}}
				if got[i] != want {
					t.Errorf("phone %d =\n%+v, want\n%+v", i, got[i], want)
				}
			}
		})
	}
}

func TestNormProtocol(t *testing.T) {
	for in, want := range map[string]string{"SIP": "SIP", " sip ": "SIP", "11": "SIP", "SCCP": "SCCP", "sccp": "SCCP", "0": "SCCP", "MGCP": "", "NULL": "", "": "", "SIPS": ""} {
		if got := normProtocol(in); got != want {
			t.Errorf("normProtocol(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParserErrors(t *testing.T) {
	type parser func([]byte, *facts.Device) error
	tests := []struct {
		name  string
		parse parser
		key   string
		data  []byte
		line  int
		subs  []string
	}{
		{"non-integer timer", ParseSIPProfiles, KeySIPProfiles, readTestdata(t, "bad_timer.txt"), 6, []string{"column siptimert1", `"5OO"`, "cucm-pub/sql_sipprofile.txt:6:"}},
		{"negative timer", ParseSIPProfiles, KeySIPProfiles, []byte("name siptimerregdelta\n==== ================\nP    -5\n"), 3, []string{"column siptimerregdelta", `"-5"`}},
		{"profile without name column", ParseSIPProfiles, KeySIPProfiles, []byte("pkid siptimert1\n==== ==========\nabc  500\n"), 1, []string{`"name" column`}},
		{"profile with NULL name", ParseSIPProfiles, KeySIPProfiles, []byte("name siptimert1\n==== ==========\nNULL 500\n"), 3, []string{"without a name"}},
		{"garbled profiles", ParseSIPProfiles, KeySIPProfiles, readTestdata(t, "bad_no_underline.txt"), 2, []string{"not a run sql table"}},
		{"binary profiles", ParseSIPProfiles, KeySIPProfiles, []byte("name\n====\n\x00\x00\x00"), 3, []string{"binary"}},
		{"processconfig without paramvalue", ParseProcessConfig, KeyProcessConfig, []byte("paramname                value\n======================== =====\nStationKeepaliveInterval 30\n"), 1, []string{`"paramvalue" column`}},
		{"processconfig header mismatch", ParseProcessConfig, KeyProcessConfig, readTestdata(t, "bad_header_mismatch.txt"), 2, []string{"column names"}},
		{"processconfig blank name", ParseProcessConfig, KeyProcessConfig, []byte("paramname paramvalue\n========= ==========\n          30\n"), 3, []string{"without a name"}},
		{"binary processconfig", ParseProcessConfig, KeyProcessConfig, []byte{0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00}, 1, []string{"binary"}},
		{"phones overrun", ParsePhones, KeyPhones, readTestdata(t, "bad_overrun.txt"), 5, []string{"does not fit"}},
		{"phones without name column", ParsePhones, KeyPhones, []byte("description model\n=========== =====\nAuto 1000   8845\n"), 1, []string{`"name" column`}},
		{"phone with blank name", ParsePhones, KeyPhones, []byte("name description\n==== ===========\n     Auto 1000\n"), 3, []string{"without a device name"}},
		{"empty phones output", ParsePhones, KeyPhones, []byte("admin:\n"), 0, []string{"empty output"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, d := range []*facts.Device{seedDevice(), {Name: "cucm-pub"}} {
				var want facts.Device = *d
				if d.CUCM != nil {
					want = *seedDevice()
				}
				err := tt.parse(tt.data, d)
				if err == nil {
					t.Fatalf("no error; facts %+v", d.CUCM)
				}
				wantParseError(t, err, tt.key, tt.line, tt.subs...)
				if !strings.HasPrefix(err.Error(), "cucm-pub/"+tt.key+".txt") {
					t.Errorf("error %q does not name the device and key", err)
				}
				if !reflect.DeepEqual(*d, want) {
					t.Errorf("device changed on error: %+v", d.CUCM)
				}
			}
		})
	}
	if err := ParsePhones(readTestdata(t, "sql_phones.txt"), nil); err == nil {
		t.Error("nil device accepted")
	}
}

func profilesOf(d *facts.Device) []facts.SIPProfile {
	if d.CUCM == nil {
		return nil
	}
	return d.CUCM.SIPProfiles
}
