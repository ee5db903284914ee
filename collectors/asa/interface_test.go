package asa

import (
	"net/netip"
	"sort"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

func TestInterfaceTestdata(t *testing.T) {
	a := mustParse(t, ParseInterface, testdata(t, "show_interface.txt"))
	want := []struct {
		name, nameif, link, proto, mac, prefix string
		shutdown                               bool
	}{
		{"GigabitEthernet0/0", "outside", "up", "up", "00a7.42c1.0e10", "198.51.100.2/29", false},
		{"GigabitEthernet0/1", "", "up", "up", "00a7.42c1.0e11", "", false},
		{"GigabitEthernet0/1.100", "inside", "up", "up", "00a7.42c1.0e11", "10.10.0.1/24", false},
		{"GigabitEthernet0/1.200", "voice", "up", "up", "00a7.42c1.0e11", "10.20.0.1/24", false},
		{"GigabitEthernet0/2", "", "administratively down", "down", "00a7.42c1.0e12", "", true},
		{"Management0/0", "management", "up", "up", "00a7.42c1.0e0f", "192.168.1.1/24", false},
	}
	if len(a.Interfaces) != len(want) {
		t.Fatalf("%d interfaces, want %d", len(a.Interfaces), len(want))
	}
	for i, w := range want {
		g := a.Interfaces[i]
		var wp netip.Prefix
		if w.prefix != "" {
			wp = pfx(w.prefix)
		}
		if g.Name != w.name || g.Nameif != w.nameif || g.LinkStatus != w.link || g.LineProtocol != w.proto ||
			g.MAC != w.mac || g.Prefix != wp || g.Shutdown != w.shutdown {
			t.Errorf("interface %d = %+v, want %+v", i, g, w)
		}
		for _, attr := range []string{"interface", "mac", "status"} {
			if s, ok := g.Sources.Get(attr); !ok || s.Key != KeyInterface || s.Line < 2 {
				t.Errorf("%s: %s source %+v", g.Name, attr, s)
			}
		}
		if s := g.Sources.Of("mac"); !strings.Contains(s.Text, "MAC address "+w.mac) {
			t.Errorf("%s: mac source text %q", g.Name, s.Text)
		}
	}
}

func TestInterfaceVariants(t *testing.T) {
	cases := []struct {
		name, data string
		check      func(t *testing.T, got []facts.ASAInterface)
	}{
		{"MAC after hardware on one line", "Interface Tunnel11 \"VPN to siteA\", is up, line protocol is up\n  Hardware is Virtual Tunnel    MAC address N/A, MTU 1500\n\tIP address 192.168.101.2, subnet mask 255.255.255.252\n  Tunnel Interface Information:\n\tSource interface: Outside       IP address: 10.10.100.10\n",
			func(t *testing.T, got []facts.ASAInterface) {
				if len(got) != 1 || got[0].Nameif != "VPN to siteA" || got[0].MAC != "" || got[0].Prefix != pfx("192.168.101.2/30") {
					t.Errorf("%+v", got)
				}
			}},
		{"CRLF, prompt and colon MAC", "fw# show interface\r\nInterface Vlan200 \"voice\", is up, line protocol is up\r\n\tMAC address 00:A7:42:C1:0E:11, MTU 1500\r\nfw# ",
			func(t *testing.T, got []facts.ASAInterface) {
				if len(got) != 1 || got[0].Name != "Vlan200" || got[0].MAC != "00a7.42c1.0e11" {
					t.Errorf("%+v", got)
				}
			}},
		{"admin down", "Interface Ethernet1/2 \"\", is admin down, line protocol is down\n",
			func(t *testing.T, got []facts.ASAInterface) {
				if len(got) != 1 || !got[0].Shutdown || got[0].LinkStatus != "admin down" {
					t.Errorf("%+v", got)
				}
				if _, ok := got[0].Sources.Get("nameif"); ok {
					t.Error("empty nameif has a source")
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.check(t, mustParse(t, ParseInterface, []byte(c.data)).Interfaces)
		})
	}
}

// byName sorts a copy of ifs so that two merge orders can be compared.
func byName(ifs []facts.ASAInterface) []facts.ASAInterface {
	out := append([]facts.ASAInterface(nil), ifs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// TestMergeOrder: running config and show interface give the same
// interfaces whichever is parsed first.
func TestMergeOrder(t *testing.T) {
	type step struct {
		parse func([]byte, *facts.Device) error
		data  []byte
	}
	rc := step{ParseRunningConfig, testdata(t, "asa-voice.cfg")}
	si := step{ParseInterface, testdata(t, "show_interface.txt")}
	so := step{ParseSysopt, testdata(t, "show_running-config_all_sysopt.txt")}
	ver := step{ParseVersion, testdata(t, "show_version.txt")}
	parse := func(order ...step) *facts.Device {
		d := &facts.Device{Name: "asa-voice-01"}
		for _, s := range order {
			if err := s.parse(s.data, d); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	d1 := parse(rc, si, so, ver)
	d2 := parse(ver, so, si, rc)
	d1.ASA.Interfaces, d2.ASA.Interfaces = byName(d1.ASA.Interfaces), byName(d2.ASA.Interfaces)
	sortProxy := func(a *facts.ASA) {
		sort.Slice(a.ProxyARP, func(i, j int) bool { return a.ProxyARP[i].Nameif < a.ProxyARP[j].Nameif })
	}
	sortProxy(d1.ASA)
	sortProxy(d2.ASA)
	if s1, s2 := snapshot(t, d1), snapshot(t, d2); s1 != s2 {
		t.Errorf("order matters:\n%s\n%s", s1, s2)
	}

	a := d1.ASA
	checkInterfaces(t, byName(a.Interfaces), func() []ifWant {
		w := append([]ifWant(nil), voiceInterfaces...)
		sort.Slice(w, func(i, j int) bool { return w[i].name < w[j].name })
		return w
	}())
	for _, ifc := range a.Interfaces {
		if ifc.MAC == "" || ifc.LinkStatus == "" {
			t.Errorf("%s: show interface facts not merged: %+v", ifc.Name, ifc)
		}
		if s := ifc.Sources.Of("mac"); s.Key != KeyInterface {
			t.Errorf("%s: mac source %+v", ifc.Name, s)
		}
		if s := ifc.Sources.Of("interface"); s.Key != KeyRunningConfig {
			t.Errorf("%s: interface source %+v, want the running config", ifc.Name, s)
		}
	}
	want := map[string]bool{"outside": false, "inside": true, "voice": true, "management": true}
	if len(a.ProxyARP) != len(want) {
		t.Fatalf("proxy ARP %+v", a.ProxyARP)
	}
	for _, p := range a.ProxyARP {
		if e, ok := want[p.Nameif]; !ok || e != p.Enabled {
			t.Errorf("proxy ARP %+v", p)
		}
		wantKey := KeySysopt
		if p.Nameif == "outside" {
			wantKey = KeyRunningConfig
		}
		if p.Source.Key != wantKey {
			t.Errorf("%s: proxy ARP from %s, want %s", p.Nameif, p.Source.Key, wantKey)
		}
	}
	if a.Hostname != "asa-voice-01" || a.Version != "9.12(4)18" {
		t.Errorf("hostname %q version %q", a.Hostname, a.Version)
	}
}

func TestMergeConflicts(t *testing.T) {
	cfg := []byte("interface GigabitEthernet0/1\n nameif voice\n ip address 10.20.0.1 255.255.255.0\n")
	show := []byte("Interface GigabitEthernet0/1 \"old-name\", is up, line protocol is up\n\tMAC address 00a7.42c1.0e11, MTU 1500\n\tIP address 10.99.0.1, subnet mask 255.255.0.0\n" +
		"Interface Internal-Data0/0 \"nlp_int_tap\", is up, line protocol is up\n\tMAC address 0000.0100.0001, MTU 1500\n")
	for _, order := range []string{"config first", "show first"} {
		t.Run(order, func(t *testing.T) {
			d := &facts.Device{Name: "fw"}
			steps := []func() error{
				func() error { return ParseRunningConfig(cfg, d) },
				func() error { return ParseInterface(show, d) },
			}
			if order == "show first" {
				steps[0], steps[1] = steps[1], steps[0]
			}
			for _, s := range steps {
				if err := s(); err != nil {
					t.Fatal(err)
				}
			}
			ifs := byName(d.ASA.Interfaces)
			if len(ifs) != 2 {
				t.Fatalf("interfaces %+v", ifs)
			}
			g := ifs[0]
			if g.Name != "GigabitEthernet0/1" || g.Nameif != "voice" || g.Prefix != pfx("10.20.0.1/24") || g.MAC != "00a7.42c1.0e11" {
				t.Errorf("merged %+v", g)
			}
			if ifs[1].Name != "Internal-Data0/0" || ifs[1].Nameif != "nlp_int_tap" || ifs[1].Sources.Of("nameif").Key != KeyInterface {
				t.Errorf("show-only interface %+v", ifs[1])
			}
		})
	}
}

func TestInterfaceErrors(t *testing.T) {
	cases := []struct {
		name, data string
		line       int
		msg        string
	}{
		{"binary", "\x00\x01\x02\x03", 1, "binary"},
		{"garbage", "hello world\nthis is not an ASA\n", 0, "no Interface lines"},
		{"truncated header", "Interface GigabitEthernet0/1 \"ins", 1, "malformed interface header"},
		{"truncated MAC", "Interface GigabitEthernet0/1 \"inside\", is up, line protocol is up\n\tMAC address 5254.00ff.b5", 2, "not a MAC"},
		{"truncated IP", "Interface GigabitEthernet0/1 \"inside\", is up, line protocol is up\n\tIP address 10.1.1.1, subnet mask 255.255", 2, "IP address"},
		{"device error", "fw# show interface\nERROR: % Invalid input detected at '^' marker.\n", 2, "refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &facts.Device{Name: "asa1", ASA: &facts.ASA{Interfaces: []facts.ASAInterface{{Name: "GigabitEthernet0/1", Nameif: "x"}}}}
			before := snapshot(t, d)
			err := ParseInterface([]byte(c.data), d)
			if err == nil {
				t.Fatal("no error")
			}
			pe := asParseError(t, err, KeyInterface, "asa1")
			if pe.Line != c.line || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q at line %d, want line %d containing %q", err, pe.Line, c.line, c.msg)
			}
			if after := snapshot(t, d); after != before {
				t.Errorf("failed parse changed d: %s", after)
			}
		})
	}
}

// TestMergeReparse: reading an output again replaces what its earlier
// parse contributed and keeps what other commands reported.
func TestMergeReparse(t *testing.T) {
	d := &facts.Device{Name: "fw"}
	steps := []struct {
		parse func([]byte, *facts.Device) error
		data  string
	}{
		{ParseRunningConfig, "interface GigabitEthernet0/1\n nameif voice\n ip address 10.20.0.1 255.255.255.0\ninterface GigabitEthernet0/2\n nameif dmz\n"},
		{ParseInterface, "Interface GigabitEthernet0/1 \"voice\", is up, line protocol is up\n\tMAC address 00a7.42c1.0e11, MTU 1500\n"},
		{ParseRunningConfig, "interface GigabitEthernet0/1\n nameif phones\n"},
	}
	for _, s := range steps {
		if err := s.parse([]byte(s.data), d); err != nil {
			t.Fatal(err)
		}
	}
	ifs := d.ASA.Interfaces
	if len(ifs) != 1 {
		t.Fatalf("interfaces %+v, want only GigabitEthernet0/1", ifs)
	}
	g := ifs[0]
	if g.Nameif != "phones" || g.Prefix.IsValid() || g.MAC != "00a7.42c1.0e11" || g.Sources.Of("nameif").Key != KeyRunningConfig {
		t.Errorf("after re-reading the config: %+v", g)
	}
}
