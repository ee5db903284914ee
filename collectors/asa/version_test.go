package asa

import (
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

func TestVersion(t *testing.T) {
	a := mustParse(t, ParseVersion, testdata(t, "show_version.txt"))
	if a.Version != "9.12(4)18" || a.Hostname != "asa-voice-01" {
		t.Errorf("version %q hostname %q", a.Version, a.Hostname)
	}
	cases := []struct {
		name, data, version, host string
	}{
		{"hours only", "Cisco Adaptive Security Appliance Software Version 9.16(2) \r\nciscoasa up 2 hours 12 mins\r\n", "9.16(2)", "ciscoasa"},
		{"context", "Cisco Adaptive Security Appliance Software Version 9.8(2)20 <context>\nfw1 up 1 year 3 days\n", "9.8(2)20", "fw1"},
		{"failover line ignored", "Cisco Adaptive Security Appliance Software Version 9.6(4)\nfailover cluster up 5 days\nasa-b up 5 days\n", "9.6(4)", "asa-b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := mustParse(t, ParseVersion, []byte(c.data))
			if a.Version != c.version || a.Hostname != c.host {
				t.Errorf("version %q hostname %q, want %q %q", a.Version, a.Hostname, c.version, c.host)
			}
		})
	}
}

// TestVersionPrecedence: show version's version and the running config's
// hostname win, whichever is parsed first.
func TestVersionPrecedence(t *testing.T) {
	cfg := []byte("ASA Version 9.8(2)\nhostname fw-config\n")
	ver := []byte("Cisco Adaptive Security Appliance Software Version 9.8(2)20\nfw-uptime up 3 days\n")
	for _, first := range []string{"config", "version"} {
		d := &facts.Device{Name: "fw"}
		var err1, err2 error
		if first == "config" {
			err1, err2 = ParseRunningConfig(cfg, d), ParseVersion(ver, d)
		} else {
			err1, err2 = ParseVersion(ver, d), ParseRunningConfig(cfg, d)
		}
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if d.ASA.Version != "9.8(2)20" || d.ASA.Hostname != "fw-config" {
			t.Errorf("%s first: version %q hostname %q", first, d.ASA.Version, d.ASA.Hostname)
		}
	}
}

func TestVersionErrors(t *testing.T) {
	for _, c := range []struct{ name, data, msg string }{
		{"binary", "\x00ELF\x02\x01", "binary"},
		{"garbage", "Cisco IOS Software, C3750E Software\nsw1 uptime is 3 weeks\n", "no ASA software version"},
		{"truncated", "\nCisco Adaptive Security Appl", "no ASA software version"},
		{"device error", "ERROR: % Invalid input detected at '^' marker.", "refused"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := &facts.Device{Name: "asa1"}
			err := ParseVersion([]byte(c.data), d)
			if err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error %v, want %q", err, c.msg)
			}
			asParseError(t, err, KeyVersion, "asa1")
			if d.ASA != nil {
				t.Errorf("failed parse set facts %+v", d.ASA)
			}
		})
	}
}
