package cucm

import (
	"testing"

	"github.com/kaudit/kaudit/facts"
)

func TestKeepaliveParams(t *testing.T) {
	fromFile := func(name string) *facts.CUCM {
		d := &facts.Device{Name: "cucm-pub"}
		if err := ParseProcessConfig(readTestdata(t, name), d); err != nil {
			t.Fatal(err)
		}
		return d.CUCM
	}
	params := func(kv ...string) *facts.CUCM {
		c := &facts.CUCM{}
		for i := 0; i+1 < len(kv); i += 2 {
			c.ServiceParams = append(c.ServiceParams, facts.ServiceParam{Name: kv[i], Value: kv[i+1], Source: facts.Source{Key: KeyProcessConfig, Line: 10 + i/2}})
		}
		return c
	}
	// want: name, seconds, source line, conflict; "" name = not found.
	type want struct {
		name     string
		seconds  int
		line     int
		conflict bool
	}
	tests := []struct {
		name              string
		cucm              *facts.CUCM
		sccp, backup, sip want
	}{
		{"two nodes agreeing", fromFile("sql_processconfig.txt"),
			want{"StationKeepaliveInterval", 30, 4, false},
			want{"Station2ndKeepaliveInterval", 60, 5, false},
			want{"SIPStationKeepaliveInterval", 120, 6, false}},
		{"nodes disagreeing: the longest wins", fromFile("sql_processconfig_nodes.txt"),
			want{"StationKeepaliveInterval", 45, 7, true},
			want{"Station2ndKeepaliveInterval", 60, 5, false},
			want{"SIPStationKeepaliveInterval", 120, 6, false}},
		{"loose names when the exact ones are absent", params("SipStationKeepAliveTimer", "90", "StationBackupServerKeepalive", "75", "StationKeepaliveInterval", "20"),
			want{"StationKeepaliveInterval", 20, 12, false},
			want{"StationBackupServerKeepalive", 75, 11, false},
			want{"SipStationKeepAliveTimer", 90, 10, false}},
		{"exact name beats a loose one", params("SIPKeepaliveTimerMax", "600", "SIPStationKeepaliveInterval", "120", "Station2ndKeepaliveInterval", "60", "MGCPBackupKeepalive", "900"),
			want{},
			want{"Station2ndKeepaliveInterval", 60, 12, false},
			want{"SIPStationKeepaliveInterval", 120, 11, false}},
		{"unparseable, negative and unrelated values skipped", params("StationKeepaliveInterval", "thirty", "Station2ndKeepaliveInterval", "-1", "SIPBackupKeepalive", "60", "CtiKeepaliveTimeout", "5", "sipstationkeepaliveinterval", " 110 "),
			want{},
			want{},
			want{"sipstationkeepaliveinterval", 110, 14, false}},
		{"nothing", nil, want{}, want{}, want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := KeepaliveParams(tt.cucm)
			for _, c := range []struct {
				what string
				got  KeepaliveParam
				want want
			}{{"SCCP", k.SCCP, tt.sccp}, {"SCCP backup", k.SCCPBackup, tt.backup}, {"SIP", k.SIP, tt.sip}} {
				w := c.want
				if c.got.Found != (w.name != "") || c.got.Name != w.name || c.got.Seconds != w.seconds || c.got.Source.Line != w.line || c.got.Conflict != w.conflict {
					t.Errorf("%s = %+v, want %+v", c.what, c.got, w)
				}
			}
		})
	}
}
