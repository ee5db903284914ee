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
	for _, l := range a.AccessLists {
		for _, e := range l.Entries {
			s = append(s, e.Source)
		}
	}
	for _, x := range a.ServiceObjects {
		s = append(s, x.Source, x.Service.Source)
	}
	for _, g := range a.ServiceGroups {
		s = append(s, g.Source)
		for _, m := range g.Members {
			s = append(s, m.Source)
		}
	}
	for _, x := range a.ProtocolGroups {
		s = append(s, x.Source)
	}
	for _, c := range a.ClassMaps {
		s = append(s, c.Source)
		for _, m := range c.Matches {
			s = append(s, m.Source)
		}
	}
	for _, pm := range a.PolicyMaps {
		s = append(s, pm.Source)
		for _, c := range pm.Classes {
			s = append(s, c.Source)
		}
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
		checkPolicyFacts(t, d, key, n)
	})
}

// checkPolicyFacts checks what the running config says the classes
// match: entries numbered in order, port ranges that admit ports,
// unreadable lines kept bare and each with a warning on its line.
func checkPolicyFacts(t *testing.T, d *facts.Device, key string, n int) {
	t.Helper()
	warned := map[int]bool{}
	for _, w := range d.Warnings {
		if w.Key == key {
			if w.Line < 1 || w.Line > n || w.Host != d.Name {
				t.Fatalf("warning %+v outside the %d input lines", w, n)
			}
			warned[w.Line] = true
		}
	}
	ports := func(what string, m facts.PortMatch) {
		if m.Op != "" && (m.Lo < 0 || m.Hi > 65535 || m.Lo > m.Hi) {
			t.Fatalf("%s: port operator %+v admits no port", what, m)
		}
	}
	for _, l := range d.ASA.AccessLists {
		for i, e := range l.Entries {
			if e.Line != i+1 {
				t.Fatalf("%s entry %d numbered %d", l.Name, i, e.Line)
			}
			ports(l.Name, e.SrcPort)
			ports(l.Name, e.DstPort)
			if e.Unparsed != "" && (!warned[e.Source.Line] || e.Src.Kind != "" || e.Dst.Kind != "" || e.Permit) {
				t.Fatalf("unreadable entry %+v (warned %v)", e, warned[e.Source.Line])
			}
			if e.Unparsed == "" && e.Kind == "extended" && (e.Src.Kind == "" || e.Dst.Kind == "") {
				t.Fatalf("entry without source or destination: %+v", e)
			}
		}
	}
	for _, g := range d.ASA.ServiceGroups {
		for _, m := range g.Members {
			ports(g.Name, m.Src)
			ports(g.Name, m.Dst)
			if m.Unparsed != "" && !warned[m.Source.Line] {
				t.Fatalf("unreadable member %+v without a warning", m)
			}
		}
	}
	for _, c := range d.ASA.ClassMaps {
		for _, m := range c.Matches {
			ports(c.Name, m.Port.Dst)
			if m.Kind == "access-list" && m.Unparsed == "" && m.ACL == "" {
				t.Fatalf("match access-list without a list: %+v", m)
			}
		}
	}
	for _, pm := range d.ASA.PolicyMaps {
		for _, c := range pm.Classes {
			if c.Class == "" {
				t.Fatalf("policy-map %s: class without a name", pm.Name)
			}
		}
	}
}

func FuzzParseRunningConfig(f *testing.F) {
	fuzzParser(f, KeyRunningConfig, ParseRunningConfig,
		"timeout conn 2:00:00 half-closed 1:00:00 udp 0:02:00 icmp 1:00:00 rpc 1:00:00 h3\n23 0:05:00 sip_media 0:02\n:00\n",
		"object network X\nhost 1.1.1.1\nnat (a,b) static 2.2.2.2 no-proxy-arp\nnat (a,b) source static X Y destination static Z W\n",
		"interface Gi0/1\n nameif inside\n ip address 10.1.1.1 255.255.255.0 standby 10.1.1.2\n vlan 10\n",
		"policy-map p\n class c\n  set connection timeout idle 0:01:30 reset\n  inspect sip\nservice-policy p interface voice\n",
		"<--- More --->\r   \rsysopt noproxyarp outside\r\n")
}

// FuzzParseAccessList fuzzes what follows a block of object and group
// definitions: access-list entries, service and protocol groups, class
// maps and policy maps that refer to them.
func FuzzParseAccessList(f *testing.F) {
	for _, s := range []string{
		"access-list A extended permit tcp object-group PHONES object CUCM-SUB object-group SIP-PORTS log\n",
		"access-list A extended permit object-group L4 object-group PHONES object-group HIGH host cucm-pub range 2000 2443 time-range T inactive\n",
		"access-list A line 2 advanced deny object SIP-TLS any4 2001:db8::/32 rule-id 5 event-log both\n",
		"access-list A remark x\naccess-list A standard permit host 10.1.1.1\naccess-list A extended permit icmp any any object-group PING\n",
		"access-list A extended permit ip user D\\u any any\naccess-list A extended permit tcp any eq\n",
		wrap80("access-list VOICE-SIGNALLING extended permit tcp object-group PHONES object-group CUCM-SUB object-group SIP-PORTS log\n"),
		"object-group service S\n service-object tcp-udp source eq 5060 eq sip\n service-object object SIP-TLS\n group-object HIGH\n",
		"class-map C\n match access-list A\n match default-inspection-traffic\nclass-map P\n match port udp range 5060 5061\n",
		"policy-map global_policy\n class C\n  set connection timeout idle 0:01:00\n class class-default\n  set connection conn-max 5\nservice-policy global_policy global\n",
	} {
		f.Add([]byte(s))
	}
	base := []byte(aclDefs)
	f.Fuzz(func(t *testing.T, data []byte) {
		in := append(append([]byte{}, base...), data...)
		d := &facts.Device{Name: "asa1"}
		if err := ParseRunningConfig(in, d); err != nil {
			var pe *facts.ParseError
			if !errors.As(err, &pe) || pe.Key != KeyRunningConfig || pe.Host != "asa1" {
				t.Fatalf("error is not a ParseError for the running config: %#v", err)
			}
			return
		}
		n := lineCount(in)
		for _, s := range allSources(d.ASA) {
			if s.Key == KeyRunningConfig && (s.Line < 1 || s.Line > n) {
				t.Fatalf("source %+v outside the %d input lines", s, n)
			}
		}
		checkPolicyFacts(t, d, KeyRunningConfig, n)
	})
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
