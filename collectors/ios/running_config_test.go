package ios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// portWant is what a test expects of one interface.
type portWant struct {
	name, desc, mode      string
	access, voice         int
	shutdown              bool
	enabled               bool
	max                   int
	vlanMax               string // fmt of VLANMaximum
	violation             string
	aging                 int
	agingSet, agingStatic bool
	agingType             string
	sticky                bool
	stickyMACs, static    string // "mac/vlan mac/vlan"
	line                  int    // of the interface line
}

func macList(ms []facts.StickyMAC) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.MAC+"/"+m.VLAN)
	}
	return strings.Join(out, " ")
}

func checkPort(t *testing.T, p facts.SwitchPort, w portWant) {
	t.Helper()
	ps := p.PortSecurity
	got := portWant{
		name: p.Name, desc: p.Description, mode: p.Mode, access: p.AccessVLAN, voice: p.VoiceVLAN,
		shutdown: p.Shutdown, enabled: ps.Enabled, max: ps.Maximum, violation: ps.Violation,
		aging: ps.AgingMinutes, agingSet: ps.AgingSet, agingStatic: ps.AgingStatic, agingType: ps.AgingType,
		sticky: ps.Sticky, stickyMACs: macList(ps.StickyMACs), static: macList(ps.StaticMACs), line: p.Source.Line,
	}
	if ps.VLANMaximum != nil {
		got.vlanMax = fmt.Sprint(ps.VLANMaximum)
	}
	if got != w {
		t.Errorf("port %s:\n got  %+v\n want %+v", w.name, got, w)
	}
}

func TestParseRunningConfig(t *testing.T) {
	tests := []struct {
		file     string
		hostname string
		version  string
		ports    []portWant
		aging    string // fmt of global/set and VLAN rows, "" = nil
	}{
		{
			// CRLF, echoed command, header, tabs, trailing blanks, a banner
			// holding config-like text, a nested sub-mode, trailing prompt,
			// no final newline.
			file: "access_crlf.txt", hostname: "sw-floor3", version: "15.2",
			ports: []portWant{
				{name: "FastEthernet0", shutdown: true, line: 45},
				{name: "GigabitEthernet1/0/1", desc: "Desk 3.014 phone+PC", mode: "access", access: 110, voice: 210,
					enabled: true, max: 3, vlanMax: "map[voice:1]", violation: "restrict", aging: 2, agingSet: true, agingType: "inactivity", line: 49},
				{name: "GigabitEthernet1/0/2", desc: "Desk 3.015 (tab indented)", mode: "access", access: 110, voice: 210,
					enabled: true, max: 2, violation: "shutdown vlan", sticky: true,
					stickyMACs: "0024.142d.df24/voice 3c08.f6aa.0102/access", line: 62},
				{name: "GigabitEthernet1/0/3", desc: "Printer 3.020", mode: "access", access: 110,
					enabled: true, aging: 10, agingSet: true, agingStatic: true, static: "0011.2233.4455/access", line: 74},
				{name: "GigabitEthernet1/0/4", desc: "unused", mode: "access", access: 999, shutdown: true, line: 83},
				{name: "GigabitEthernet1/0/5", desc: "lobby phone, no PC", mode: "access", line: 89},
				{name: "GigabitEthernet1/0/49", desc: "uplink to dist-1 Te1/0/7", mode: "trunk", line: 99},
				{name: "Vlan1", shutdown: true, line: 105},
				{name: "Vlan999", line: 109},
			},
			aging: "600/true [210:120]",
		},
		{
			// Paging left on: --More-- with and without the erase sequence.
			file: "paged_more.txt", hostname: "sw-floor4", version: "15.0",
			ports: []portWant{
				{name: "GigabitEthernet0/1", desc: "phone port", mode: "access", access: 20, voice: 30,
					enabled: true, max: 2, violation: "protect", aging: 1, agingSet: true, agingType: "inactivity", line: 9},
				{name: "GigabitEthernet0/2", mode: "access", access: 20, line: 20},
			},
		},
		{
			file: "fragment_interface.txt",
			ports: []portWant{
				{name: "GigabitEthernet1/0/7", desc: "conf room 3.100 (7832)", mode: "access", access: 110, voice: 210,
					enabled: true, max: 2, vlanMax: "map[access:1 voice:1]", violation: "restrict", aging: 5, agingSet: true,
					agingType: "inactivity", sticky: true, stickyMACs: "00eb.d5a1.77c3/voice", line: 6},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := testdata(t, keyRunningConfig, tt.file)
			d := &facts.Device{Name: "sw1"}
			if err := ParseRunningConfig(data, d); err != nil {
				t.Fatal(err)
			}
			sw := d.Switch
			eq(t, "hostname", sw.Hostname, tt.hostname)
			eq(t, "version", sw.Version, tt.version)
			if len(sw.Interfaces) != len(tt.ports) {
				var names []string
				for _, p := range sw.Interfaces {
					names = append(names, p.Name)
				}
				t.Fatalf("interfaces %q, want %d", names, len(tt.ports))
			}
			for i, w := range tt.ports {
				checkPort(t, sw.Interfaces[i], w)
			}
			aging := ""
			if a := sw.MACAging; a != nil {
				var vl []string
				for _, v := range a.VLANs {
					vl = append(vl, fmt.Sprintf("%d:%d", v.VLAN, v.Seconds))
				}
				aging = fmt.Sprintf("%d/%v %v", a.GlobalSeconds, a.GlobalSet, vl)
			}
			eq(t, "mac aging", aging, tt.aging)
			checkSources(t, d, keyRunningConfig, data)
		})
	}
}

// The attribute sources point at the configuring lines.
func TestRunningConfigSources(t *testing.T) {
	data := testdata(t, keyRunningConfig, "access_crlf.txt")
	d := &facts.Device{Name: "sw-floor3"}
	if err := ParseRunningConfig(data, d); err != nil {
		t.Fatal(err)
	}
	p := d.Switch.Interfaces[1]
	for k, want := range map[string]string{
		"enabled":            " switchport port-security",
		"maximum":            " switchport port-security maximum 3",
		"maximum_vlan_voice": " switchport port-security maximum 1 vlan voice",
		"violation":          " switchport port-security violation restrict",
		"aging_time":         " switchport port-security aging time 2",
		"aging_type":         " switchport port-security aging type inactivity",
	} {
		s, ok := p.PortSecurity.Sources.Get(k)
		if !ok || s.Text != want || s.Key != keyRunningConfig || s.Host != "sw-floor3" {
			t.Errorf("source %s = %+v, want text %q", k, s, want)
		}
	}
	if s := p.Sources.Of("voice_vlan"); s.Line != 53 || s.Text != " switchport voice vlan 210" {
		t.Errorf("voice_vlan source %+v", s)
	}
	// The sticky address in the voice VLAN keeps its tab-indented line.
	if m := d.Switch.Interfaces[2].PortSecurity.StickyMACs[0]; m.Source.Line != 70 || !strings.HasPrefix(m.Source.Text, "\tswitchport port-security mac-address sticky 0024") {
		t.Errorf("sticky source %+v", m.Source)
	}
}

func TestRunningConfigMerge(t *testing.T) {
	// show mac address-table aging-time, when read, wins over the config.
	d := seedDevice()
	if err := ParseRunningConfig(testdata(t, keyRunningConfig, "access_crlf.txt"), d); err != nil {
		t.Fatal(err)
	}
	eq(t, "MAC aging kept", d.Switch.MACAging.GlobalSeconds, 300)
	eq(t, "hostname replaced", d.Switch.Hostname, "sw-floor3")
	eq(t, "version kept", d.Switch.Version, "15.2(7)E9")
	eq(t, "interfaces replaced", d.Switch.Interfaces[0].Name, "FastEthernet0")
	eq(t, "neighbours kept", len(d.Switch.Neighbors), 2)

	// A port given twice (concatenated fragments) is one port.
	cfg := "interface Gi1/0/1\n switchport access vlan 10\n!\ninterface GigabitEthernet1/0/1\n switchport voice vlan 20\n no shutdown\nend\n"
	d = &facts.Device{Name: "sw1"}
	if err := ParseRunningConfig([]byte(cfg), d); err != nil {
		t.Fatal(err)
	}
	if len(d.Switch.Interfaces) != 1 {
		t.Fatalf("%d interfaces", len(d.Switch.Interfaces))
	}
	checkPort(t, d.Switch.Interfaces[0], portWant{name: "GigabitEthernet1/0/1", access: 10, voice: 20, line: 1})
}

func TestRunningConfigVariants(t *testing.T) {
	tests := []struct {
		name string
		cfg  string
		want portWant
	}{
		{"voice vlan dot1p", "interface Gi1/0/1\n switchport voice vlan dot1p\n!\n", portWant{name: "GigabitEthernet1/0/1", line: 1}},
		{"voice vlan none", "interface Gi1/0/1\n switchport voice vlan none\n!\n", portWant{name: "GigabitEthernet1/0/1", line: 1}},
		{"voice vlan untagged", "interface Gi1/0/1\n switchport voice vlan untagged\n!\n", portWant{name: "GigabitEthernet1/0/1", line: 1}},
		{"access vlan dynamic", "interface Fa0/1\n switchport access vlan dynamic\n!\n", portWant{name: "FastEthernet0/1", line: 1}},
		{"maximum per vlan id", "interface Gi1/0/1\n switchport port-security maximum 4 vlan 30\n switchport port-security maximum 2 vlan\n!\n",
			portWant{name: "GigabitEthernet1/0/1", vlanMax: "map[30:4 all:2]", line: 1}},
		{"static mac with vlan id", "interface Gi1/0/1\n switchport port-security mac-address 00:24:14:2D:DF:25 vlan 30\n!\n",
			portWant{name: "GigabitEthernet1/0/1", static: "0024.142d.df25/30", line: 1}},
		{"shutdown then no shutdown", "interface Gi1/0/1\n shutdown\n no shutdown\n!\n", portWant{name: "GigabitEthernet1/0/1", line: 1}},
		{"mode dynamic desirable", "interface Gi1/0/1\n switchport mode dynamic desirable\n!\n", portWant{name: "GigabitEthernet1/0/1", mode: "dynamic desirable", line: 1}},
		{"4-space indentation", "interface Gi1/0/1\n    switchport access vlan 7\n    switchport port-security\n!\n",
			portWant{name: "GigabitEthernet1/0/1", access: 7, enabled: true, line: 1}},
		{"single-line banner", "banner motd ^CNo entry^C\ninterface Gi1/0/2\n!\n", portWant{name: "GigabitEthernet1/0/2", line: 2}},
		{"ETX banner", "banner login \x03\ninterface Gi9/9/9\n\x03\ninterface Gi1/0/2\n!\n", portWant{name: "GigabitEthernet1/0/2", line: 4}},
		{"hash banner", "banner exec #\nhostname x\n#\ninterface Gi1/0/2\n!\n", portWant{name: "GigabitEthernet1/0/2", line: 4}},
		{"forbidden keyword", "interface Gi1/0/1\n switchport port-security mac-address forbidden\n!\n", portWant{name: "GigabitEthernet1/0/1", line: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &facts.Device{Name: "sw1"}
			if err := ParseRunningConfig([]byte(tt.cfg), d); err != nil {
				t.Fatal(err)
			}
			if len(d.Switch.Interfaces) != 1 {
				t.Fatalf("interfaces: %+v", d.Switch.Interfaces)
			}
			checkPort(t, d.Switch.Interfaces[0], tt.want)
			eq(t, "hostname", d.Switch.Hostname, "")
		})
	}
}

func TestRunningConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		line int
		msg  string
	}{
		{"binary", "interface Gi1/0/1\n\x00\x01\x02", 2, "binary data"},
		{"empty", " \r\n\r\n", 0, "empty output"},
		{"garbage", "lorem ipsum dolor\nsit amet\n", 1, "not a configuration"},
		// issue 12: a "!" line is no proof of a configuration.
		{"text with a bang", "hello\n!\n", 1, "not a configuration"},
		{"bangs around text", "!\n!\n<html>not found</html>\n!\nend-of-page\n", 1, "not a configuration"},
		{"truncated", "sw1#show running-config\nBuilding configuration...\n\nCurrent configuration : 9000 bytes\n!\nhostname sw1\ninterface Gi1/0/1\n switchport", 8, "no closing \"end\""},
		{"banner not closed", "hostname a\nbanner motd ^C\nhello\ninterface Gi1/0/1\n", 2, "banner is not closed"},
		{"bad maximum", "interface Gi1/0/1\n switchport port-security maximum 2x\n!\n", 2, "bad port-security maximum"},
		{"bad aging", "interface Gi1/0/1\n switchport port-security aging time 99999999999\n!\n", 2, "bad port-security aging time"},
		{"bad vlan", "interface Gi1/0/1\n switchport access vlan 40000\n!\n", 2, "bad VLAN"},
		{"bad sticky mac", "interface Gi1/0/1\n switchport port-security mac-address sticky 0024.142d.zz24\n!\n", 2, "bad secure MAC"},
		{"interface without name", "interface\n!\n", 1, "without a name"},
		{"bad global aging", "mac address-table aging-time soon\n!\n", 1, "bad MAC aging time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := seedDevice()
			err := ParseRunningConfig([]byte(tt.data), d)
			checkParseError(t, err, keyRunningConfig, tt.line, tt.msg)
			unchanged(t, d)
		})
	}
}

// checkParseError asserts a *facts.ParseError for sw1, key and line whose
// message holds msg.
func checkParseError(t *testing.T, err error, key string, line int, msg string) {
	t.Helper()
	pe, ok := err.(*facts.ParseError)
	if !ok {
		t.Fatalf("error %v (%T), want *facts.ParseError", err, err)
	}
	if pe.Host != "sw1" || pe.Key != key || pe.Line != line || !strings.Contains(pe.Msg, msg) {
		t.Errorf("error %q (host %q key %q line %d), want sw1/%s line %d containing %q", pe, pe.Host, pe.Key, pe.Line, key, line, msg)
	}
}

// A derived configuration may print its interface commands unindented
// (genieparser's ShowDerivedConfigInterface golden_6); interface
// fragments pasted without "end" are read with a warning.
func TestRunningConfigShapes(t *testing.T) {
	flat := "Building configuration...\nDerived configuration : 445 bytes\n!\ninterface GigabitEthernet2/0/1\nswitchport mode access\nswitchport port-security aging time 5\nswitchport port-security\n!\nend\n"
	d := &facts.Device{Name: "sw1"}
	if err := ParseRunningConfig([]byte(flat), d); err != nil {
		t.Fatal(err)
	}
	p := d.Switch.Interfaces[0]
	eq(t, "flat mode", p.Mode, "access")
	eq(t, "flat port-security", p.PortSecurity.Enabled, true)
	eq(t, "flat aging line", p.PortSecurity.Sources.Of("aging_time").Line, 6)

	frag := "Building configuration...\n\nCurrent configuration : 40 bytes\n!\ninterface Gi1/0/1\n description a\n!\ninterface Gi1/0/2\n description b\n!\n"
	d = &facts.Device{Name: "sw1"}
	if err := ParseRunningConfig([]byte(frag), d); err != nil {
		t.Fatal(err)
	}
	eq(t, "fragments", len(d.Switch.Interfaces), 2)
	if len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0].Error(), "no closing \"end\"") {
		t.Errorf("warnings %v, want the missing end", d.Warnings)
	}
	// A whole configuration (hostname) without its end is still truncated.
	whole := "Building configuration...\nhostname sw1\ninterface Gi1/0/1\n description a\n!\n"
	if err := ParseRunningConfig([]byte(whole), &facts.Device{Name: "sw1"}); err == nil {
		t.Error("a whole configuration without end was accepted")
	}
}

// A configuration pasted with every line indented alike (genieparser's
// ShowRunInterface golden_output_4-6 keep the 8 blanks of the Python
// source they came from; batfish's ios-tunnel-mode indents all but a
// leading "!") is read as if that common indentation were not there.
func TestRunningConfigCommonIndentation(t *testing.T) {
	d := &facts.Device{Name: "sw1"}
	if err := ParseRunningConfig(readFile(t, "testdata/show_running-config/indented_paste.txt"), d); err != nil {
		t.Fatal(err)
	}
	if len(d.Switch.Interfaces) != 1 {
		t.Fatalf("interfaces: %+v", d.Switch.Interfaces)
	}
	p := d.Switch.Interfaces[0]
	checkPort(t, p, portWant{name: "GigabitEthernet1/0/9", desc: "lobby phone", mode: "access", access: 30, voice: 230,
		enabled: true, aging: 3, agingSet: true, line: 1})
	// The evidence is the line as printed, indentation included.
	src := p.PortSecurity.Sources.Of("aging_time")
	eq(t, "aging line", src.Line, 7)
	eq(t, "aging text", src.Text, "         switchport port-security aging time 3")
	eq(t, "warnings", len(d.Warnings), 0)

	d = &facts.Device{Name: "sw1"}
	if err := ParseRunningConfig(readFile(t, "testdata/show_running-config/indented_whole.txt"), d); err != nil {
		t.Fatal(err)
	}
	eq(t, "hostname", d.Switch.Hostname, "sw-lab")
	if len(d.Switch.Interfaces) != 2 {
		t.Fatalf("interfaces: %+v", d.Switch.Interfaces)
	}
	checkPort(t, d.Switch.Interfaces[0], portWant{name: "GigabitEthernet1/0/3", access: 12, shutdown: true, line: 4})
	checkPort(t, d.Switch.Interfaces[1], portWant{name: "GigabitEthernet1/0/4", access: 13, line: 8})

	// Interface commands alone, without their interface line, are still
	// no configuration.
	err := ParseRunningConfig([]byte(" switchport access vlan 3\n switchport mode access\n"), seedDevice())
	checkParseError(t, err, keyRunningConfig, 1, "not a configuration")
}

// The routed side of an interface: SVI and dot1Q subinterface addresses,
// VLANs and ARP timeouts.
func TestRunningConfigL3(t *testing.T) {
	cfg := "hostname r1\n!\ninterface Vlan200\n ip address 10.1.200.1 255.255.255.0\n arp timeout 300\n!\ninterface Gi0/0/1.210\n encapsulation dot1Q 210\n ip address 10.1.210.1 255.255.255.0\n ip address 10.9.9.1 255.255.255.0 secondary\n!\ninterface Gi0/0/2\n ip address dhcp\n!\nend\n"
	d := &facts.Device{Name: "sw1"}
	if err := ParseRunningConfig([]byte(cfg), d); err != nil {
		t.Fatal(err)
	}
	v, sub, dhcp := d.Switch.Interfaces[0], d.Switch.Interfaces[1], d.Switch.Interfaces[2]
	eq(t, "svi prefix", v.L3.Prefix.String(), "10.1.200.1/24")
	eq(t, "svi vlan", v.RoutedVLAN(), 200)
	arp, set := v.ARPTimeout()
	eq(t, "svi arp", arp, 300)
	eq(t, "svi arp set", set, true)
	eq(t, "sub prefix (primary)", sub.L3.Prefix.String(), "10.1.210.1/24")
	eq(t, "sub vlan", sub.RoutedVLAN(), 210)
	arp, set = sub.ARPTimeout()
	eq(t, "sub arp default", arp, facts.DefaultARPTimeoutSeconds)
	eq(t, "sub arp set", set, false)
	eq(t, "dhcp", dhcp.L3.Prefix.IsValid(), false)
	for _, bad := range []string{"interface Vlan2\n ip address 10.0.0.1 255.0.255.0\n!\n", "interface Gi0/1.5\n encapsulation dot1Q 5000\n!\n", "interface Vlan2\n arp timeout soon\n!\n"} {
		if err := ParseRunningConfig([]byte(bad), &facts.Device{Name: "sw1"}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// show running-config interface X saved with its commands at the same
// depth as the interface line (genieparser's ShowRunInterface
// golden_output_19 has none indented, golden_output_20 indents every line
// but "end" by one blank): each line up to "!", "end" or the next
// interface is one of its commands, as in a flat derived config.
func TestRunningConfigFlatFragment(t *testing.T) {
	d := &facts.Device{Name: "sw1"}
	if err := ParseRunningConfig(readFile(t, "testdata/show_running-config/flat_fragment.txt"), d); err != nil {
		t.Fatal(err)
	}
	if len(d.Switch.Interfaces) != 2 {
		t.Fatalf("interfaces: %+v", d.Switch.Interfaces)
	}
	checkPort(t, d.Switch.Interfaces[0], portWant{name: "GigabitEthernet1/0/12", desc: "reception 8845", mode: "access",
		access: 40, voice: 240, enabled: true, max: 2, aging: 2, agingSet: true, agingType: "inactivity", line: 1})
	eq(t, "aging line", d.Switch.Interfaces[0].PortSecurity.Sources.Of("aging_time").Line, 7)
	checkPort(t, d.Switch.Interfaces[1], portWant{name: "GigabitEthernet1/0/13", shutdown: true, line: 12})
	eq(t, "warnings", len(d.Warnings), 0)

	d = &facts.Device{Name: "sw1"}
	if err := ParseRunningConfig(readFile(t, "testdata/show_running-config/flat_indented.txt"), d); err != nil {
		t.Fatal(err)
	}
	if len(d.Switch.Interfaces) != 1 {
		t.Fatalf("interfaces: %+v", d.Switch.Interfaces)
	}
	checkPort(t, d.Switch.Interfaces[0], portWant{name: "TenGigabitEthernet1/1/1", mode: "trunk", line: 1})
}

// A router's NAT and zone-based firewall.
func TestRunningConfigRouter(t *testing.T) {
	cfg := `hostname r1
parameter-map type inspect PM
 tcp idle-time 100
 udp idle-time 40
zone security IN
zone security OUT
class-map type inspect match-any SIG
 match protocol sip
 match access-group name SIG-ACL
policy-map type inspect P
 class type inspect SIG
  inspect PM
 class class-default
  drop
zone-pair security IN-OUT source IN destination OUT
 service-policy type inspect P
interface Gi0/0/1.200
 encapsulation dot1Q 200
 ip address 10.1.200.1 255.255.255.0
 ip nat inside
 zone-member security IN
interface Gi0/0/0
 ip address 192.0.2.1 255.255.255.252
 ip nat outside
 zone-member security OUT
ip nat translation tcp-timeout 60
ip nat translation udp-timeout never
ip nat inside source list L interface Gi0/0/0 overload
end
`
	d := &facts.Device{Name: "sw1"}
	if err := ParseRunningConfig([]byte(cfg), d); err != nil {
		t.Fatal(err)
	}
	sw := d.Switch
	eq(t, "nat tcp", sw.NAT.TCPTimeoutSeconds, 60)
	eq(t, "nat tcp line", sw.NAT.Sources.Of("tcp_timeout").Line, 26)
	eq(t, "nat udp never", sw.NAT.UDPTimeoutSeconds, 0)
	eq(t, "nat rules", len(sw.NAT.Rules), 1)
	eq(t, "inside", sw.Interfaces[0].L3.NAT, "inside")
	eq(t, "zone", sw.Interfaces[0].L3.Zone, "IN")
	eq(t, "outside", sw.Interfaces[1].L3.NAT, "outside")
	z := sw.ZBF
	if len(z.ZonePairs) != 1 || z.ZonePairs[0].From != "IN" || z.ZonePairs[0].To != "OUT" || z.ZonePairs[0].Policy != "P" {
		t.Fatalf("zone pairs %+v", z.ZonePairs)
	}
	pol := z.Policy("P")
	if pol == nil || len(pol.Classes) != 2 || pol.Classes[0].Action != "inspect" || pol.Classes[0].ParamMap != "PM" || pol.Classes[1].Action != "drop" {
		t.Fatalf("policy %+v", pol)
	}
	cm := z.ClassMap("SIG")
	if cm == nil || len(cm.Protocols) != 1 || cm.Protocols[0] != "sip" || len(cm.ACLs) != 1 || cm.ACLs[0] != "SIG-ACL" {
		t.Fatalf("class map %+v", cm)
	}
	pm := z.Params("PM")
	if pm == nil || pm.TCPIdleSeconds != 100 || pm.UDPIdleSeconds != 40 || pm.Sources.Of("tcp_idle").Line != 3 {
		t.Fatalf("parameter map %+v", pm)
	}
}

// A whole configuration without any interface is what IOS shows an
// account below privilege 15: unknown, never a clean switch.
func TestRunningConfigWithoutInterfaces(t *testing.T) {
	for _, cfg := range []string{
		"Building configuration...\n\nCurrent configuration : 120 bytes\n!\nversion 17.9\n!\nend\n",
		"hostname sw1\n!\nend\n",
	} {
		d := seedDevice()
		checkParseError(t, ParseRunningConfig([]byte(cfg), d), keyRunningConfig, strings.Count(cfg, "\n"), "without any interface")
		unchanged(t, d)
	}
}
