package ios

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// seedFiles reads testdata/<key>/* by file name.
func seedFiles(tb testing.TB, key string) map[string][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", key, "*"))
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

// fuzzParser runs parse on arbitrary input: it must not panic; on error it
// must return a *facts.ParseError for key and leave the device as it was;
// on success every fact it read must quote a line of the input.
func fuzzParser(f *testing.F, key string, parse func([]byte, *facts.Device) error, extra ...string) {
	for _, data := range seedFiles(f, key) {
		f.Add(data)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := seedDevice()
		err := parse(data, d)
		if err != nil {
			var pe *facts.ParseError
			if !errors.As(err, &pe) || pe.Key != key || pe.Host != "sw1" || pe.Line < 0 {
				t.Fatalf("error %v (%T) is not a ParseError for sw1/%s", err, err, key)
			}
			if !reflect.DeepEqual(d, seedDevice()) {
				t.Fatalf("failed parse (%v) changed the device", err)
			}
			return
		}
		if d.Switch == nil {
			t.Fatal("successful parse left no switch facts")
		}
		var lines []string
		r := newLineReader(data)
		for r.next() {
			lines = append(lines, string(r.line))
		}
		for what, s := range allSources(d.Switch) {
			if s.Key != key {
				continue
			}
			if s.Host != "sw1" || s.Line < 1 || s.Line > len(lines) || s.Text != lines[s.Line-1] {
				t.Fatalf("%s: source %+v does not quote line %d of the input", what, s, s.Line)
			}
		}
		seen := map[string]bool{}
		for _, p := range d.Switch.Interfaces {
			if key == keyRunningConfig && (p.Name == "" || seen[p.Name]) {
				t.Fatalf("interface name %q empty or repeated", p.Name)
			}
			seen[p.Name] = true
		}
		for _, n := range d.Switch.Neighbors {
			if n.Protocol != "cdp" && n.Protocol != "lldp" {
				t.Fatalf("neighbour protocol %q", n.Protocol)
			}
		}
	})
}

func FuzzParseRunningConfig(f *testing.F) {
	fuzzParser(f, keyRunningConfig, ParseRunningConfig,
		"interface Gi1/0/1\n switchport port-security maximum 2 vlan voice\n switchport port-security mac-address sticky 0024.142d.df24 vlan voice\nend\n",
		"banner motd ^C\n^C\nmac address-table aging-time 10 vlan 5\n",
		// issue 16's constructs: 802.1X (IBNS 1.0/2.0), NAT, zone firewall, SVIs
		"service-template T\n inactivity-timer 60 probe\npolicy-map type control subscriber P\n event authentication-success match-all\n  10 class always do-until-failure\n   20 activate service-template T\ninterface Gi1/0/1\n authentication port-control auto\n authentication timer inactivity server\n access-session port-control auto\n service-policy type control subscriber P\n!\nend\n",
		"parameter-map type inspect PM\n tcp idle-time 100\nclass-map type inspect match-any C\n match protocol sip\npolicy-map type inspect P\n class type inspect C\n  inspect PM\nzone-pair security Z source A destination B\n service-policy type inspect P\ninterface Vlan200\n ip address 10.0.0.1 255.255.255.0\n ip nat inside\n zone-member security A\n arp timeout 300\n!\nip nat translation tcp-timeout 60\nip nat inside source list L interface Gi0/0 overload\nend\n")
}

func FuzzParseCDP(f *testing.F) {
	fuzzParser(f, keyCDP, ParseCDP,
		"Device ID: a\nEntry address(es):\n  IP address: 1.2.3.4\nPlatform: x,  Capabilities: Host Phone\nInterface: Gi0/1,  Port ID (outgoing port): Port 1\nVersion :\nv\n")
}

func FuzzParseLLDP(f *testing.F) {
	fuzzParser(f, keyLLDP, ParseLLDP,
		"------\nLocal Intf: Gi1/0/1\nChassis id: a\nPort id: b\nSystem Name: c\nSystem Description:\nd\n\nManagement Addresses:\n    IP: 1.2.3.4\n    Network Policy(Voice): VLAN 5, tagged\nTotal entries displayed: 1\n")
}

func FuzzParsePowerInline(f *testing.F) {
	fuzzParser(f, keyPowerInline, ParsePowerInline,
		"Interface Admin  Priority     Oper      Power(Watts)    Device             Class Police ActConsumption\nGi3/1 auto high on 7.0 6.3 Cisco IP Phone 7962 2 off n/a\n")
}

func FuzzParseMACAging(f *testing.F) {
	fuzzParser(f, keyMACAging, ParseMACAging, "Global Aging Time:    0\nVlan    Aging Time\n----    ----------\n  10      10\n")
}

func FuzzParsePortSecurity(f *testing.F) {
	fuzzParser(f, keyPortSecurity, ParsePortSecurity,
		"Secure Port  MaxSecureAddr  CurrentAddr  SecurityViolation  Security Action\n Gi1/0/1 2 1 0 Restrict\n")
}

func FuzzParsePortSecurityInterface(f *testing.F) {
	fuzzParser(f, keyPortSecurityInterface, ParsePortSecurityInterface,
		"Port Security              : Enabled\nLast Source Address:Vlan   : 0050.56be.3bd9:200\n")
}

func FuzzParseVersion(f *testing.F) {
	fuzzParser(f, keyVersion, ParseVersion, "Cisco IOS XE Software, Version 17.09.04a\nsw1 uptime is 1 day\n")
}

// The allocation-saving helpers agree with the facts functions they stand
// in for, and the byte form of facts.NormalizeMAC the parsers call agrees
// with the string one.
func FuzzNormalizers(f *testing.F) {
	for _, s := range []string{"0024.142d.df24", "00:24:14:2D:DF:24", "0024142DDF2", "GigabitEthernet1/0/5", "Gi1/0/5", "Port-channel12", "Vlan200", "Vl", "Loopback0x", "Ethernet", "TwentyFiveGigE1/0/1",
		"gi1/0/5", "TE1/1/1", "Twe1/0/1", "Gi 1/0/1", "Po1\u00a0", "Fo1/1/1.100", "ETH0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := facts.NormalizeMACBytes([]byte(s)), facts.NormalizeMAC(s); got != want {
			t.Fatalf("facts.NormalizeMACBytes(%q) = %q, facts.NormalizeMAC = %q", s, got, want)
		}
		if isCanonicalInterface([]byte(s)) {
			if want := facts.CanonicalInterface(s); want != s {
				t.Fatalf("%q taken as canonical, facts.CanonicalInterface gives %q", s, want)
			}
		}
		if got, want := ifName([]byte(s)), facts.CanonicalInterface(s); got != want {
			t.Fatalf("ifName(%q) = %q, want %q", s, got, want)
		}
	})
}

func FuzzParseAccessSession(f *testing.F) {
	fuzzParser(f, keyAccessSession, ParseAccessSession,
		"Interface:  GigabitEthernet1/0/3\nMAC Address:  0c11.67a3.b2c1\nLocal Policies:\n    Interface Template: T\nServer Policies:\n Idle timeout:  60 sec\n")
}

func FuzzParseDerivedConfig(f *testing.F) {
	fuzzParser(f, keyDerivedConfig, ParseDerivedConfig,
		"Building configuration...\nDerived configuration : 4 bytes\n!\ninterface Gi1/0/1\nswitchport port-security aging time 5\n!\nend\n")
}
