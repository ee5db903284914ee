package asa

import (
	"bytes"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func ip(s string) netip.Addr    { return netip.MustParseAddr(s) }

// The facts below were worked out by reading testdata/asa-voice.cfg.

type ifWant struct {
	name, nameif  string
	sec, vlan     int
	prefix        string
	standby       string
	shutdown      bool
	nameifLine    int
	ipAddressLine int
}

var voiceInterfaces = []ifWant{
	{"GigabitEthernet0/0", "outside", 0, 0, "198.51.100.2/29", "198.51.100.3", false, 19, 21},
	{"GigabitEthernet0/1", "", 0, 0, "", "", false, 0, 0},
	{"GigabitEthernet0/1.100", "inside", 100, 100, "10.10.0.1/24", "10.10.0.2", false, 32, 34},
	{"GigabitEthernet0/1.200", "voice", 80, 200, "10.20.0.1/24", "10.20.0.2", false, 39, 41},
	{"GigabitEthernet0/2", "", 0, 0, "", "", true, 0, 0},
	{"Management0/0", "management", 100, 0, "192.168.1.1/24", "", false, 51, 53},
}

func checkInterfaces(t *testing.T, got []facts.ASAInterface, want []ifWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d interfaces, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		var wp netip.Prefix
		if w.prefix != "" {
			wp = pfx(w.prefix)
		}
		var ws netip.Addr
		if w.standby != "" {
			ws = ip(w.standby)
		}
		if g.Name != w.name || g.Nameif != w.nameif || g.SecurityLevel != w.sec || g.VLAN != w.vlan ||
			g.Prefix != wp || g.StandbyIP != ws || g.Shutdown != w.shutdown {
			t.Errorf("interface %d = {%s %q sec %d vlan %d %v standby %v shut %v}, want %+v",
				i, g.Name, g.Nameif, g.SecurityLevel, g.VLAN, g.Prefix, g.StandbyIP, g.Shutdown, w)
		}
		if s, ok := g.Sources.Get("nameif"); ok != (w.nameifLine != 0) || s.Line != w.nameifLine {
			t.Errorf("%s: nameif source line %d (%v), want %d", g.Name, s.Line, ok, w.nameifLine)
		}
		if s, ok := g.Sources.Get("ip_address"); ok != (w.ipAddressLine != 0) || s.Line != w.ipAddressLine {
			t.Errorf("%s: ip_address source line %d (%v), want %d", g.Name, s.Line, ok, w.ipAddressLine)
		}
		if s, ok := g.Sources.Get("interface"); !ok || !strings.HasPrefix(s.Text, "interface ") || s.Key != KeyRunningConfig {
			t.Errorf("%s: interface source %+v", g.Name, s)
		}
	}
}

func TestRunningConfigVoice(t *testing.T) {
	a := mustParse(t, ParseRunningConfig, testdata(t, "asa-voice.cfg"))
	if a.Hostname != "asa-voice-01" || a.Version != "9.12(4)18" {
		t.Errorf("hostname %q version %q", a.Hostname, a.Version)
	}
	checkInterfaces(t, a.Interfaces, voiceInterfaces)

	t.Run("objects", func(t *testing.T) {
		want := []facts.NetworkObject{
			{Name: "CUCM-PUB", Host: ip("10.20.0.10")},
			{Name: "CUCM-SUB", Host: ip("10.20.0.11")},
			{Name: "CUCM-PUB-PUBLIC", Host: ip("198.51.100.10")},
			{Name: "VOICE-NET", Subnet: pfx("10.20.0.0/24")},
			{Name: "DATA-NET", Subnet: pfx("10.10.0.0/24")},
			{Name: "REMOTE-VPN-NET", Subnet: pfx("172.16.50.0/24")},
			{Name: "RTP-POOL", RangeFirst: ip("10.20.0.100"), RangeLast: ip("10.20.0.199")},
			{Name: "TFTP-FQDN", FQDN: "tftp.voice.example.net"},
			{Name: "VOICE-V6", Subnet: pfx("2001:db8:20::/64")},
		}
		got := make([]facts.NetworkObject, len(a.Objects))
		for i, o := range a.Objects {
			if o.Source.Key != KeyRunningConfig || !strings.HasPrefix(o.Source.Text, "object network "+o.Name) {
				t.Errorf("%s: source %+v", o.Name, o.Source)
			}
			o.Source = facts.Source{}
			got[i] = o
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("objects\n got %+v\nwant %+v", got, want)
		}
		// The object is reopened for its NAT rule; its source stays the definition.
		if o := a.Objects[1]; o.Source.Line != 62 {
			t.Errorf("CUCM-SUB source line %d, want 62", o.Source.Line)
		}
	})

	t.Run("groups", func(t *testing.T) {
		want := []facts.ObjectGroup{
			{Name: "CUCM-SERVERS", Objects: []string{"CUCM-PUB", "CUCM-SUB"},
				Hosts: []netip.Addr{ip("10.20.0.12")}, Subnets: []netip.Prefix{pfx("10.20.1.0/24")}},
			{Name: "VOICE-ALL", Objects: []string{"CUCM-SERVERS", "VOICE-NET"}},
		}
		got := make([]facts.ObjectGroup, len(a.ObjectGroups))
		for i, g := range a.ObjectGroups {
			g.Source = facts.Source{}
			got[i] = g
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("groups\n got %+v\nwant %+v", got, want)
		}
	})

	t.Run("nat", func(t *testing.T) {
		want := []facts.NATRule{
			{Kind: "twice", RealIf: "voice", MappedIf: "outside", Type: "static", SourceReal: "VOICE-NET", SourceMapped: "VOICE-NET",
				DestMapped: "REMOTE-VPN-NET", DestReal: "REMOTE-VPN-NET", NoProxyARP: true, RouteLookup: true},
			{Kind: "twice", RealIf: "inside", MappedIf: "voice", Type: "static", SourceReal: "DATA-NET", SourceMapped: "DATA-NET",
				DestMapped: "CUCM-SERVERS", DestReal: "CUCM-SERVERS"},
			{Kind: "object", RealIf: "voice", MappedIf: "outside", Type: "static", Object: "CUCM-PUB", Mapped: "CUCM-PUB-PUBLIC"},
			{Kind: "object", RealIf: "voice", MappedIf: "outside", Type: "static", Object: "CUCM-SUB", Mapped: "198.51.100.11",
				NoProxyARP: true, RouteLookup: true},
			{Kind: "object", RealIf: "inside", MappedIf: "outside", Type: "dynamic", Object: "DATA-NET", Mapped: "interface"},
			{Kind: "twice", RealIf: "inside", MappedIf: "outside", Type: "dynamic", SourceReal: "any", SourceMapped: "interface"},
		}
		lines := []int{114, 116, 120, 122, 124, 126}
		if len(a.NAT) != len(want) {
			t.Fatalf("%d NAT rules, want %d: %+v", len(a.NAT), len(want), a.NAT)
		}
		for i, r := range a.NAT {
			if r.Source.Line != lines[i] {
				t.Errorf("rule %d: line %d, want %d", i, r.Source.Line, lines[i])
			}
			r.Source = facts.Source{}
			if !reflect.DeepEqual(r, want[i]) {
				t.Errorf("rule %d\n got %+v\nwant %+v", i, r, want[i])
			}
		}
		// The first rule was wrapped at 80 columns in the middle of a word.
		if txt := a.NAT[0].Source.Text; !strings.HasSuffix(txt, "destination static REMOTE-VPN-NET REMOTE-VPN-NET no-proxy-arp route-lookup") {
			t.Errorf("wrapped rule source text not rejoined: %q", txt)
		}
	})

	t.Run("proxy arp", func(t *testing.T) {
		if len(a.ProxyARP) != 1 {
			t.Fatalf("proxy ARP %+v, want one entry", a.ProxyARP)
		}
		p := a.ProxyARP[0]
		if p.Nameif != "outside" || p.Enabled || p.Source.Line != 146 || p.Source.Text != "sysopt noproxyarp outside" {
			t.Errorf("proxy ARP %+v", p)
		}
	})

	t.Run("timeouts", func(t *testing.T) {
		want := []struct {
			name string
			secs int
			line int
		}{
			{"xlate", 10800, 130}, {"pat-xlate", 30, 131},
			{"conn", 60, 132}, {"half-closed", 600, 132}, {"udp", 120, 132}, {"sctp", 120, 132}, {"icmp", 2, 132},
			{"sunrpc", 600, 133}, {"h323", 300, 133}, {"h225", 3600, 133}, {"mgcp", 300, 133}, {"mgcp-pat", 300, 133},
			{"sip", 1800, 134}, {"sip_media", 120, 134}, {"sip-invite", 180, 134}, {"sip-disconnect", 120, 134},
			{"sip-provisional-media", 120, 135}, {"uauth", 300, 135},
			{"tcp-proxy-reassembly", 60, 136}, {"floating-conn", 0, 137}, {"conn-holddown", 15, 138},
			{"igp stale-route", 70, 139},
		}
		if len(a.Timeouts) != len(want) {
			t.Fatalf("%d timeouts, want %d: %+v", len(a.Timeouts), len(want), a.Timeouts)
		}
		for i, w := range want {
			g := a.Timeouts[i]
			if g.Name != w.name || g.Seconds != w.secs || g.Source.Line != w.line {
				t.Errorf("timeout %d = %s %d line %d, want %+v", i, g.Name, g.Seconds, g.Source.Line, w)
			}
		}
	})

	t.Run("policy", func(t *testing.T) {
		wantCT := []facts.ClassTimeout{
			{PolicyMap: "global_policy", Class: "VOICE-SIGNALLING", IdleSeconds: 90, Reset: true},
			{PolicyMap: "VOICE-IF-POLICY", Class: "VOICE-SIGNALLING", IdleSeconds: 7200},
		}
		if len(a.ClassTimeouts) != 2 || a.ClassTimeouts[0].Source.Line != 189 || a.ClassTimeouts[1].Source.Line != 192 {
			t.Fatalf("class timeouts %+v", a.ClassTimeouts)
		}
		// The second line was wrapped after "dcd ".
		if !strings.HasSuffix(a.ClassTimeouts[1].Source.Text, "idle 2:00:00 dcd 0:15:00 5") {
			t.Errorf("wrapped class timeout not rejoined: %q", a.ClassTimeouts[1].Source.Text)
		}
		for i := range a.ClassTimeouts {
			g := a.ClassTimeouts[i]
			g.Source = facts.Source{}
			if g != wantCT[i] {
				t.Errorf("class timeout %d = %+v, want %+v", i, g, wantCT[i])
			}
		}
		var protos []string
		for _, in := range a.Inspects {
			if in.PolicyMap != "global_policy" || in.Class != "inspection_default" {
				t.Errorf("inspect in %s/%s", in.PolicyMap, in.Class)
			}
			protos = append(protos, in.Protocol)
			if in.Protocol == "sip" && in.Source.Line != 186 {
				t.Errorf("inspect sip line %d, want 186", in.Source.Line)
			}
		}
		wantP := "dns ftp h323 h323 ip-options netbios rsh rtsp skinny esmtp sqlnet sunrpc tftp sip xdmcp"
		if strings.Join(protos, " ") != wantP {
			t.Errorf("inspects %v, want %s", protos, wantP)
		}
		wantSP := []facts.ServicePolicy{{PolicyMap: "global_policy"}, {PolicyMap: "VOICE-IF-POLICY", Interface: "voice"}}
		if len(a.ServicePolicy) != 2 || a.ServicePolicy[1].Source.Line != 196 {
			t.Fatalf("service policies %+v", a.ServicePolicy)
		}
		for i := range wantSP {
			g := a.ServicePolicy[i]
			g.Source = facts.Source{}
			if g != wantSP[i] {
				t.Errorf("service policy %d = %+v, want %+v", i, g, wantSP[i])
			}
		}
	})
}

// TestRunningConfigCRLF: the CRLF copy of the config gives the same facts.
func TestRunningConfigCRLF(t *testing.T) {
	lf := testdata(t, "asa-voice.cfg")
	crlf := testdata(t, "asa-voice-crlf.cfg")
	if !bytes.Contains(crlf, []byte("\r\n")) || bytes.Equal(lf, crlf) {
		t.Fatal("testdata/asa-voice-crlf.cfg is not a CRLF copy")
	}
	d1 := &facts.Device{Name: "asa1"}
	d2 := &facts.Device{Name: "asa1"}
	if err := ParseRunningConfig(lf, d1); err != nil {
		t.Fatal(err)
	}
	if err := ParseRunningConfig(crlf, d2); err != nil {
		t.Fatal(err)
	}
	if s1, s2 := snapshot(t, d1), snapshot(t, d2); s1 != s2 {
		t.Errorf("CRLF changes the facts:\n LF %s\nCRLF %s", s1, s2)
	}
}

// cfgCase parses a small config and checks one aspect of it.
type cfgCase struct {
	name  string
	cfg   string
	check func(t *testing.T, a *facts.ASA)
}

func runCfgCases(t *testing.T, cases []cfgCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.check(t, mustParse(t, ParseRunningConfig, []byte(c.cfg)))
		})
	}
}

// wrap80 splits every line longer than 80 characters as an 80-column
// terminal does.
func wrap80(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		for len(strings.TrimSuffix(l, "\n")) > 80 {
			b.WriteString(l[:80] + "\n")
			l = l[80:]
		}
		b.WriteString(l)
	}
	return b.String()
}

func TestWrap80(t *testing.T) {
	got := wrap80(strings.Repeat("a", 170) + "\nb\n")
	want := strings.Repeat("a", 80) + "\n" + strings.Repeat("a", 80) + "\n" + "aaaaaaaaaa\nb\n"
	if got != want {
		t.Errorf("wrap80 = %q", got)
	}
}

func timeoutsOf(a *facts.ASA) string {
	var b strings.Builder
	for _, x := range a.Timeouts {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x.Name + "=" + itoa(x.Seconds))
	}
	return b.String()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

func TestRunningConfigTimeouts(t *testing.T) {
	want := func(w string) func(*testing.T, *facts.ASA) {
		return func(t *testing.T, a *facts.ASA) {
			if got := timeoutsOf(a); got != w {
				t.Errorf("timeouts %q, want %q", got, w)
			}
		}
	}
	runCfgCases(t, []cfgCase{
		{"several per line", "timeout conn 1:00:00 half-closed 0:10:00 udp 0:02:00 sctp 0:02:00 icmp 0:00:02\n",
			want("conn=3600 half-closed=600 udp=120 sctp=120 icmp=2")},
		{"trailing modifier", "timeout sip-provisional-media 0:02:00 uauth 0:05:00 absolute\n",
			want("sip-provisional-media=120 uauth=300")},
		{"two modifiers", "timeout uauth 0:05:00 absolute uauth 0:01:00 inactivity\n", want("uauth=300 uauth=60")},
		{"short digits", "timeout floating-conn 0:0:0\ntimeout pat-xlate 0:00:30\n", want("floating-conn=0 pat-xlate=30")},
		{"short conn", "timeout conn 0:01:00\n", want("conn=60")},
		{"two-word name", "timeout igp stale-route 0:01:10\n", want("igp stale-route=70")},
		{"underscore and dashes", "timeout sip 0:30:00 sip_media 0:02:00 sip-invite 0:03:00 sip-disconnect 0:02:00\n",
			want("sip=1800 sip_media=120 sip-invite=180 sip-disconnect=120")},
		{"large hours", "timeout conn 1193:00:00\n", want("conn=4294800")},
		// The terminal wraps at 80 columns: inside a value, inside a name,
		// and just before a blank (which the line reader then trims).
		{"wrapped before a keyword", wrap80("timeout sunrpc 0:10:00 h323 0:05:00 h225 1:00:00 mgcp 0:05:00 mgcp-pat 0:05:00 sip 0:30:00 sip_media 0:02:00\n"),
			want("sunrpc=600 h323=300 h225=3600 mgcp=300 mgcp-pat=300 sip=1800 sip_media=120")},
		{"wrapped inside a value", wrap80("timeout sunrpc 0:10:00 h323 0:05:00 h225 1:00:00 mgcp 0:05:00 sip 0:30:00 h323 0:05:00 sip_media 0:02:00\n"),
			want("sunrpc=600 h323=300 h225=3600 mgcp=300 sip=1800 h323=300 sip_media=120")},
		{"wrapped inside a name and a value", wrap80("timeout conn 2:00:00 half-closed 1:00:00 udp 0:02:00 icmp 1:00:00 rpc 1:00:00 h323 0:05:00 h225 1:00:00 mgcp 0:05:00 mgcp-pat 0:05:00 sip 0:30:00 sip_media 0:02:00\n"),
			want("conn=7200 half-closed=3600 udp=120 icmp=3600 rpc=3600 h323=300 h225=3600 mgcp=300 mgcp-pat=300 sip=1800 sip_media=120")},
		{"wrapped at a blank", wrap80("timeout sunrpc 0:10:00 h323 0:05:00 h225 1:00:00 mgcp 0:05:00 sip 0:30:00 xlate 3:00:00 conn 1:00:00\n"),
			want("sunrpc=600 h323=300 h225=3600 mgcp=300 sip=1800 xlate=10800 conn=3600")},
		{"wrapped before a blank", wrap80("timeout sunrpc 0:10:00 h323 0:05:00 h225 1:00:00 mgcp 0:05:00 mgcp-pat 100:05:00 sip 0:30:00\n"),
			want("sunrpc=600 h323=300 h225=3600 mgcp=300 mgcp-pat=360300 sip=1800")},
		{"long line then a command", "timeout conn 1:00:00 half-closed 0:10:00 udp 0:02:00 sctp 0:02:00 icmp 0:00:02 \ntimeout sip 0:30:00\n",
			want("conn=3600 half-closed=600 udp=120 sctp=120 icmp=2 sip=1800")},
	})
}

func TestRunningConfigNAT(t *testing.T) {
	one := func(w facts.NATRule) func(*testing.T, *facts.ASA) {
		return func(t *testing.T, a *facts.ASA) {
			if len(a.NAT) != 1 {
				t.Fatalf("%d rules: %+v", len(a.NAT), a.NAT)
			}
			g := a.NAT[0]
			g.Source = facts.Source{}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("\n got %+v\nwant %+v", g, w)
			}
		}
	}
	obj := "object network CUCM\n host 10.20.0.10\n"
	runCfgCases(t, []cfgCase{
		{"object static", obj + " nat (voice,outside) static 198.51.100.10\n",
			one(facts.NATRule{Kind: "object", RealIf: "voice", MappedIf: "outside", Type: "static", Object: "CUCM", Mapped: "198.51.100.10"})},
		{"object static no-proxy-arp", obj + " nat (voice,outside) static 198.51.100.10 net-to-net dns no-proxy-arp route-lookup\n",
			one(facts.NATRule{Kind: "object", RealIf: "voice", MappedIf: "outside", Type: "static", Object: "CUCM", Mapped: "198.51.100.10", NoProxyARP: true, RouteLookup: true})},
		{"object static service", obj + " nat (voice,outside) static interface service tcp 5060 5060\n",
			one(facts.NATRule{Kind: "object", RealIf: "voice", MappedIf: "outside", Type: "static", Object: "CUCM", Mapped: "interface"})},
		{"object any mapped if", obj + " nat (any,outside) dynamic interface\n",
			one(facts.NATRule{Kind: "object", RealIf: "any", MappedIf: "outside", Type: "dynamic", Object: "CUCM", Mapped: "interface"})},
		{"object pat-pool", obj + " nat (voice,outside) dynamic pat-pool POOL interface flat include-reserve\n",
			one(facts.NATRule{Kind: "object", RealIf: "voice", MappedIf: "outside", Type: "dynamic", Object: "CUCM", Mapped: "pat-pool POOL"})},
		{"object no interfaces", obj + " nat static 198.51.100.10 no-proxy-arp\n",
			one(facts.NATRule{Kind: "object", RealIf: "any", MappedIf: "any", Type: "static", Object: "CUCM", Mapped: "198.51.100.10", NoProxyARP: true})},
		{"twice identity", "nat (inside,outside) source static A A destination static B B no-proxy-arp route-lookup\n",
			one(facts.NATRule{Kind: "twice", RealIf: "inside", MappedIf: "outside", Type: "static", SourceReal: "A", SourceMapped: "A", DestMapped: "B", DestReal: "B", NoProxyARP: true, RouteLookup: true})},
		{"twice full", "nat (inside,outside) after-auto 3 source static R M destination static DM DR service S1 S2 dns unidirectional no-proxy-arp route-lookup inactive description no-proxy-arp is in here\n",
			one(facts.NATRule{Kind: "twice", RealIf: "inside", MappedIf: "outside", Type: "static", SourceReal: "R", SourceMapped: "M", DestMapped: "DM", DestReal: "DR", NoProxyARP: true, RouteLookup: true, Inactive: true})},
		{"twice description only", "nat (inside,outside) 1 source static R M description keep no-proxy-arp off\n",
			one(facts.NATRule{Kind: "twice", RealIf: "inside", MappedIf: "outside", Type: "static", SourceReal: "R", SourceMapped: "M"})},
		{"twice dynamic fallback", "nat (inside,outside) source dynamic net1 net2 interface\n",
			one(facts.NATRule{Kind: "twice", RealIf: "inside", MappedIf: "outside", Type: "dynamic", SourceReal: "net1", SourceMapped: "net2"})},
		{"twice after an object", obj + "nat (inside,outside) source static A B\n host 1.1.1.1\n",
			func(t *testing.T, a *facts.ASA) {
				if len(a.NAT) != 1 || a.NAT[0].Kind != "twice" {
					t.Fatalf("rules %+v", a.NAT)
				}
				// The twice NAT line closed the object block: the
				// indented host after it does not redefine CUCM.
				if a.Objects[0].Host != ip("10.20.0.10") {
					t.Errorf("object %+v", a.Objects[0])
				}
			}},
		{"object named source", "object network X\n nat (inside,outside) static source\n",
			one(facts.NATRule{Kind: "object", RealIf: "inside", MappedIf: "outside", Type: "static", Object: "X", Mapped: "source"})},
		{"legacy syntax skipped", "hostname old\nnat (inside) 1 10.0.0.0 255.0.0.0\nglobal (outside) 1 interface\n",
			func(t *testing.T, a *facts.ASA) {
				if len(a.NAT) != 0 {
					t.Errorf("legacy nat read as %+v", a.NAT)
				}
			}},
		{"wrapped no-proxy-arp", wrap80("object network CUCM-PUBLISHER\n host 10.20.0.10\n nat (voice,outside) static CUCM-PUBLISHER-PUBLIC-ADDRESS net-to-net dns no-proxy-arp route-lookup\n"),
			one(facts.NATRule{Kind: "object", RealIf: "voice", MappedIf: "outside", Type: "static", Object: "CUCM-PUBLISHER", Mapped: "CUCM-PUBLISHER-PUBLIC-ADDRESS", NoProxyARP: true, RouteLookup: true})},
	})
}

func TestRunningConfigStructure(t *testing.T) {
	runCfgCases(t, []cfgCase{
		{"unindented blocks", "hostname flat\ninterface Ethernet0\nnameif inside\nsecurity-level 100\nip address 10.1.1.1 255.255.255.0\n" +
			"interface Ethernet1\nshutdown\nno nameif\nno ip address\nobject network H\nhost 10.1.1.5\nnat (inside,outside) static 192.0.2.5 no-proxy-arp\n" +
			"policy-map P\nclass C\nset connection timeout idle 0:02:00\ninspect sip\nservice-policy P global\n",
			func(t *testing.T, a *facts.ASA) {
				if len(a.Interfaces) != 2 || a.Interfaces[0].Nameif != "inside" || a.Interfaces[0].Prefix != pfx("10.1.1.1/24") ||
					!a.Interfaces[1].Shutdown || a.Interfaces[1].Nameif != "" {
					t.Errorf("interfaces %+v", a.Interfaces)
				}
				if len(a.NAT) != 1 || a.NAT[0].Object != "H" || !a.NAT[0].NoProxyARP {
					t.Errorf("nat %+v", a.NAT)
				}
				if len(a.ClassTimeouts) != 1 || a.ClassTimeouts[0].IdleSeconds != 120 || a.ClassTimeouts[0].Class != "C" {
					t.Errorf("class timeouts %+v", a.ClassTimeouts)
				}
				if len(a.Inspects) != 1 || len(a.ServicePolicy) != 1 {
					t.Errorf("inspects %+v service policies %+v", a.Inspects, a.ServicePolicy)
				}
			}},
		{"headers, prompts and pager", "fw1# show running-config\r\n: Saved\r\n: Serial Number: FCH1234X0AB\r\n" +
			": Hardware:   ASAv, 2048 MB RAM, CPU Xeon E5 series 2300 MHz\r\n:\r\nASA Version 9.16(2) \r\n!\r\nhostname fw1\r\n" +
			"<--- More --->\r              \rtimeout conn 0:45:00\r\nCryptochecksum:00\r\n: end\r\nfw1# ",
			func(t *testing.T, a *facts.ASA) {
				if a.Hostname != "fw1" || a.Version != "9.16(2)" || timeoutsOf(a) != "conn=2700" {
					t.Errorf("hostname %q version %q timeouts %q", a.Hostname, a.Version, timeoutsOf(a))
				}
				if a.Timeouts[0].Source.Line != 9 {
					t.Errorf("timeout line %d, want 9", a.Timeouts[0].Source.Line)
				}
			}},
		{"sysopt both ways, last wins", "sysopt noproxyarp outside\nno sysopt noproxyarp voice\nsysopt noproxyarp voice\nsysopt connection tcpmss 1380\n",
			func(t *testing.T, a *facts.ASA) {
				if len(a.ProxyARP) != 2 || a.ProxyARP[0].Nameif != "outside" || a.ProxyARP[0].Enabled ||
					a.ProxyARP[1].Nameif != "voice" || a.ProxyARP[1].Enabled || a.ProxyARP[1].Source.Line != 3 {
					t.Errorf("proxy ARP %+v", a.ProxyARP)
				}
			}},
		{"no sysopt noproxyarp enables", "no sysopt noproxyarp inside\n",
			func(t *testing.T, a *facts.ASA) {
				if len(a.ProxyARP) != 1 || !a.ProxyARP[0].Enabled {
					t.Errorf("proxy ARP %+v", a.ProxyARP)
				}
			}},
		{"class timeout forms", "policy-map global_policy\n class c1\n  set connection timeout idle 0:01:30 reset\n" +
			" class c2\n  set connection timeout embryonic 0:00:30 half-closed 0:10:00 idle 1:00:00\n" +
			" class c3\n  set connection timeout tcp 0:30:00\n class c4\n  set connection timeout dcd\n  set connection conn-max 100\n" +
			"policy-map type inspect sip SIPMAP\n parameters\n  set connection timeout idle 0:00:01\n",
			func(t *testing.T, a *facts.ASA) {
				want := []facts.ClassTimeout{
					{PolicyMap: "global_policy", Class: "c1", IdleSeconds: 90, Reset: true},
					{PolicyMap: "global_policy", Class: "c2", IdleSeconds: 3600},
					{PolicyMap: "global_policy", Class: "c3", IdleSeconds: 1800},
				}
				if len(a.ClassTimeouts) != len(want) {
					t.Fatalf("class timeouts %+v", a.ClassTimeouts)
				}
				for i := range want {
					g := a.ClassTimeouts[i]
					g.Source = facts.Source{}
					if g != want[i] {
						t.Errorf("%d: %+v, want %+v", i, g, want[i])
					}
				}
			}},
		{"inspect with map and negation", "policy-map global_policy\n class inspection_default\n  inspect sip SIP-MAP\n  no inspect skinny\n  inspect SKINNY\n",
			func(t *testing.T, a *facts.ASA) {
				if len(a.Inspects) != 2 || a.Inspects[0].Protocol != "sip" || a.Inspects[1].Protocol != "skinny" {
					t.Errorf("inspects %+v", a.Inspects)
				}
			}},
		{"names resolve", "names\nname 10.20.0.10 cucm-pub description publisher\nobject-group network G\n network-object host cucm-pub\n",
			func(t *testing.T, a *facts.ASA) {
				if len(a.ObjectGroups) != 1 || len(a.ObjectGroups[0].Hosts) != 1 || a.ObjectGroups[0].Hosts[0] != ip("10.20.0.10") {
					t.Errorf("groups %+v", a.ObjectGroups)
				}
			}},
		{"dhcp address", "interface GigabitEthernet0/0\n nameif outside\n ip address dhcp setroute\n",
			func(t *testing.T, a *facts.ASA) {
				if len(a.Interfaces) != 1 || a.Interfaces[0].Prefix.IsValid() || a.Interfaces[0].Nameif != "outside" {
					t.Errorf("interfaces %+v", a.Interfaces)
				}
			}},
		{"abbreviated interface name", "interface Gi0/1\n nameif inside\n",
			func(t *testing.T, a *facts.ASA) {
				if len(a.Interfaces) != 1 || a.Interfaces[0].Name != "GigabitEthernet0/1" {
					t.Errorf("interfaces %+v", a.Interfaces)
				}
			}},
		{"long ignored line swallows its continuation", "interface GigabitEthernet0/1\n" +
			" description Trunk to the core switch pair, port-channel 10, members Gi1/0/47 and Gi\n2/0/47\n nameif inside\n",
			func(t *testing.T, a *facts.ASA) {
				if len(a.Interfaces) != 1 || a.Interfaces[0].Nameif != "inside" {
					t.Errorf("interfaces %+v", a.Interfaces)
				}
			}},
	})
}

func TestRunningConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		data string
		line int
		msg  string
	}{
		{"binary", "hostname a\n\x00\x01\x02\xff", 2, "binary"},
		{"garbage", "lorem ipsum dolor sit amet\nconsectetur adipiscing elit\n", 0, "no ASA configuration"},
		{"empty", "", 0, "no ASA configuration"},
		{"device error", "fw1# show running-config\nERROR: % Invalid input detected at '^' marker.\n", 2, "refused"},
		{"truncated timeout", "hostname a\ntimeout conn 1:00:00 half-closed", 2, "half-closed has no"},
		{"truncated duration", "hostname a\ntimeout conn 1:00", 2, "neither"},
		{"truncated ip address", "interface GigabitEthernet0/0\n ip address 10.1.1", 2, "ip address"},
		{"bad mask", "interface GigabitEthernet0/0\n ip address 10.1.1.1 255.0.255.0\n", 2, "netmask"},
		{"truncated twice nat", "hostname a\nnat (inside,outside) source static A", 2, "mapped"},
		{"truncated destination", "hostname a\nnat (inside,outside) source static A B destination static C", 2, "destination"},
		{"object nat outside object", "hostname a\nnat (inside,outside) static 1.2.3.4\n", 2, "outside an object"},
		{"bad host", "object network X\n host 10.1.1.300\n", 2, "host"},
		{"bad security level", "interface GigabitEthernet0/0\n security-level 101\n", 2, "security-level"},
		{"bad class timeout", "policy-map p\n class c\n  set connection timeout idle soon\n", 3, "idle"},
		{"unknown name", "object-group network G\n network-object host nobody\n", 2, "network-object host"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &facts.Device{Name: "asa1", ASA: &facts.ASA{Hostname: "before", Timeouts: []facts.Timeout{{Name: "conn", Seconds: 5}}}}
			before := snapshot(t, d)
			err := ParseRunningConfig([]byte(c.data), d)
			if err == nil {
				t.Fatalf("no error; facts %s", snapshot(t, d))
			}
			pe := asParseError(t, err, KeyRunningConfig, "asa1")
			if pe.Line != c.line || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q at line %d, want line %d containing %q", err, pe.Line, c.line, c.msg)
			}
			if after := snapshot(t, d); after != before {
				t.Errorf("failed parse changed d:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// The indented commands of a block kaudit does not read belong to that
// block, whatever their keyword: a dns server-group's "timeout 5" (the
// DNS retry timer in seconds, as in batfish's asa_dns test config) is
// not the global timeout command.
func TestRunningConfigForeignBlock(t *testing.T) {
	a := mustParse(t, ParseRunningConfig, testdata(t, "asa-dns-server-group.cfg"))
	if a.Hostname != "asa-branch" || len(a.Interfaces) != 1 || a.Interfaces[0].Nameif != "inside" {
		t.Errorf("hostname %q interfaces %+v", a.Hostname, a.Interfaces)
	}
	if got, want := timeoutsOf(a), "xlate=10800 conn=3600 half-closed=600 udp=120 sip=1800"; got != want {
		t.Errorf("timeouts %s, want %s", got, want)
	}
	if len(a.Timeouts) > 0 && a.Timeouts[0].Source.Line != 21 {
		t.Errorf("first timeout on line %d, want 21", a.Timeouts[0].Source.Line)
	}
}
