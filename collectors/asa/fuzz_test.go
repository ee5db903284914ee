package asa

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// baseDevice holds facts from every testdata output, so that fuzzed input
// is merged into a populated device, as in a real audit.
func baseDevice(tb testing.TB) *facts.Device {
	d := &facts.Device{Name: "asa-voice-01", Platform: facts.PlatformASA}
	for _, p := range parsers {
		if err := p.parse(testdata(tb, p.seed), d); err != nil {
			tb.Fatalf("%s: %v", p.key, err)
		}
	}
	return d
}

func cloneDevice(tb testing.TB, d *facts.Device) *facts.Device {
	b, err := json.Marshal(d)
	if err != nil {
		tb.Fatal(err)
	}
	var c facts.Device
	if err := json.Unmarshal(b, &c); err != nil {
		tb.Fatal(err)
	}
	return &c
}

// owned zeroes the facts a parser may change, leaving what it must not touch.
func owned(key string, a facts.ASA) facts.ASA {
	switch key {
	case KeyVersion:
		a.Hostname, a.Version = "", ""
	case KeySysopt:
		a.ProxyARP = nil
	case KeyInterface:
		a.Interfaces = nil
	case KeyARP:
		a.ARP = nil
	case KeyRunningConfig:
		return facts.ASA{ARP: a.ARP}
	}
	return a
}

func allSources(a *facts.ASA) []facts.Source {
	var s []facts.Source
	for _, x := range a.Interfaces {
		for _, src := range x.Sources.All() {
			s = append(s, src)
		}
	}
	for _, x := range a.ProxyARP {
		s = append(s, x.Source)
	}
	for _, x := range a.Objects {
		s = append(s, x.Source)
	}
	for _, x := range a.ObjectGroups {
		s = append(s, x.Source)
	}
	for _, x := range a.NAT {
		s = append(s, x.Source)
	}
	for _, x := range a.Timeouts {
		s = append(s, x.Source)
	}
	for _, x := range a.ClassTimeouts {
		s = append(s, x.Source)
	}
	for _, x := range a.Inspects {
		s = append(s, x.Source)
	}
	for _, x := range a.ServicePolicy {
		s = append(s, x.Source)
	}
	for _, x := range a.ARP {
		s = append(s, x.Source)
	}
	return s
}

func lineCount(data []byte) int {
	n := bytes.Count(data, []byte{'\n'})
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	return n
}

// fuzzParser checks one parser's invariants on arbitrary input: no panic;
// on error a ParseError for its key and d untouched; on success, sources
// that point into the input, canonical names and MACs, and the facts of
// other commands left alone.
func fuzzParser(f *testing.F, key string, parse func([]byte, *facts.Device) error, seeds ...string) {
	for _, p := range parsers {
		f.Add(testdata(f, p.seed)) // every output, including other commands'
	}
	f.Add(testdata(f, "asa-voice-crlf.cfg"))
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	base := baseDevice(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d := cloneDevice(t, base)
		before := snapshot(t, d)
		err := parse(data, d)
		if err != nil {
			var pe *facts.ParseError
			if !errors.As(err, &pe) || pe.Key != key || pe.Host != d.Name {
				t.Fatalf("error is not a ParseError for %s on %s: %#v", key, d.Name, err)
			}
			if after := snapshot(t, d); after != before {
				t.Fatalf("failed parse changed d:\nbefore %s\nafter  %s", before, after)
			}
			return
		}
		if d.ASA == nil {
			t.Fatal("success without facts")
		}
		if a, b := owned(key, *d.ASA), owned(key, *base.ASA); snapshot(t, &facts.Device{ASA: &a}) != snapshot(t, &facts.Device{ASA: &b}) {
			t.Fatalf("%s changed facts it does not own", key)
		}
		n := lineCount(data)
		for _, s := range allSources(d.ASA) {
			if s.Key == key && (s.Line < 1 || s.Line > n || s.Host != d.Name) {
				t.Fatalf("source %+v outside the %d input lines", s, n)
			}
		}
		seen := map[string]bool{}
		for _, ifc := range d.ASA.Interfaces {
			if ifc.Name == "" || seen[ifc.Name] {
				t.Fatalf("interface name %q empty or repeated", ifc.Name)
			}
			seen[ifc.Name] = true
			if ifc.MAC != "" && facts.NormalizeMAC(ifc.MAC) != ifc.MAC {
				t.Fatalf("MAC %q not canonical", ifc.MAC)
			}
		}
		for _, e := range d.ASA.ARP {
			if facts.NormalizeMAC(e.MAC) != e.MAC || !e.IP.IsValid() {
				t.Fatalf("ARP entry %+v", e)
			}
		}
		nameifs := map[string]bool{}
		for _, p := range d.ASA.ProxyARP {
			if nameifs[p.Nameif] {
				t.Fatalf("proxy ARP for %q twice", p.Nameif)
			}
			nameifs[p.Nameif] = true
		}
		for _, x := range d.ASA.Timeouts {
			if x.Seconds < 0 || x.Name == "" {
				t.Fatalf("timeout %+v", x)
			}
		}
	})
}

func FuzzParseRunningConfig(f *testing.F) {
	fuzzParser(f, KeyRunningConfig, ParseRunningConfig,
		"timeout conn 2:00:00 half-closed 1:00:00 udp 0:02:00 icmp 1:00:00 rpc 1:00:00 h3\n23 0:05:00 sip_media 0:02\n:00\n",
		"object network X\nhost 1.1.1.1\nnat (a,b) static 2.2.2.2 no-proxy-arp\nnat (a,b) source static X Y destination static Z W\n",
		"interface Gi0/1\n nameif inside\n ip address 10.1.1.1 255.255.255.0 standby 10.1.1.2\n vlan 10\n",
		"policy-map p\n class c\n  set connection timeout idle 0:01:30 reset\n  inspect sip\nservice-policy p interface voice\n",
		"<--- More --->\r   \rsysopt noproxyarp outside\r\n")
}

func FuzzParseSysopt(f *testing.F) {
	fuzzParser(f, KeySysopt, ParseSysopt, "no sysopt noproxyarp inside\nsysopt noproxyarp outside\n", "no sysopt noproxyarp")
}

func FuzzParseInterface(f *testing.F) {
	fuzzParser(f, KeyInterface, ParseInterface,
		"Interface Tunnel11 \"VPN to siteA\", is up, line protocol is up\n  Hardware is Virtual Tunnel    MAC address N/A, MTU 1500\n",
		"Interface GigabitEthernet0/1 \"inside\", is up, line protocol is up\n\tMAC address 5254.00ff.b5\n")
}

func FuzzParseARP(f *testing.F) {
	fuzzParser(f, KeyARP, ParseARP, "outside 10.10.1.1/1 aa11.bbff.ee55 -\nTotal number of ARP entries: 1\n", "inside 10.1.1.2 0024.14")
}

func FuzzParseVersion(f *testing.F) {
	fuzzParser(f, KeyVersion, ParseVersion, "Cisco Adaptive Security Appliance Software Version 9.16(2)\nciscoasa up 2 hours\n")
}
