package asa

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// aclDefs defines the names the entries below refer to, in the order
// show running-config prints them (objects and groups before the lists).
const aclDefs = `names
name 10.20.0.10 cucm-pub
object network CUCM-SUB
 host 10.20.0.11
object-group network PHONES
 network-object 10.30.0.0 255.255.255.0
object service SIP-TLS
 service tcp destination eq 5061
object-group service SIP-PORTS tcp-udp
 port-object eq sip
object-group service HIGH tcp
 port-object range 1024 65535
object-group protocol L4
 protocol-object tcp
 protocol-object udp
`

func TestACLEntries(t *testing.T) {
	eq := func(p int) facts.PortMatch { return facts.PortMatch{Op: "eq", Lo: p, Hi: p} }
	net := func(s string) facts.ACLAddr { return facts.ACLAddr{Kind: "prefix", Prefix: pfx(s)} }
	phones := facts.ACLAddr{Kind: "group", Name: "PHONES"}
	for _, c := range []struct {
		name, line string
		want       facts.ACE
	}{
		{"tcp eq named port to a name", "access-list A extended permit tcp 10.30.0.0 255.255.255.0 host cucm-pub eq sip",
			facts.ACE{Kind: "extended", Permit: true, Protocol: facts.ACLProto{Name: "tcp"}, Src: net("10.30.0.0/24"), Dst: net("10.20.0.10/32"), DstPort: eq(5060)}},
		{"groups and a port group", "access-list A extended permit udp object-group PHONES object CUCM-SUB object-group SIP-PORTS",
			facts.ACE{Kind: "extended", Permit: true, Protocol: facts.ACLProto{Name: "udp"}, Src: phones, Dst: facts.ACLAddr{Kind: "object", Name: "CUCM-SUB"}, DstPort: facts.PortMatch{Group: "SIP-PORTS"}}},
		{"source port group before a network group", "access-list A extended permit object-group L4 object-group PHONES object-group HIGH object-group PHONES range 2000 2001",
			facts.ACE{Kind: "extended", Permit: true, Protocol: facts.ACLProto{Group: "L4"}, Src: phones, SrcPort: facts.PortMatch{Group: "HIGH"}, Dst: phones, DstPort: facts.PortMatch{Op: "range", Lo: 2000, Hi: 2001}}},
		{"service object, any4 and options", "access-list A extended deny object SIP-TLS any4 any log 6 interval 300 time-range WORK inactive",
			facts.ACE{Kind: "extended", Protocol: facts.ACLProto{Object: "SIP-TLS"}, Src: facts.ACLAddr{Kind: "any4"}, Dst: facts.ACLAddr{Kind: "any"}, TimeRange: "WORK", Inactive: true}},
		{"lt, gt and neq", "access-list A extended permit tcp any lt 1024 any gt 5059 log disable",
			facts.ACE{Kind: "extended", Permit: true, Protocol: facts.ACLProto{Name: "tcp"}, Src: facts.ACLAddr{Kind: "any"}, SrcPort: facts.PortMatch{Op: "lt", Lo: 0, Hi: 1023}, Dst: facts.ACLAddr{Kind: "any"}, DstPort: facts.PortMatch{Op: "gt", Lo: 5060, Hi: 65535}}},
		{"neq", "access-list A extended deny udp any any neq 5060",
			facts.ACE{Kind: "extended", Protocol: facts.ACLProto{Name: "udp"}, Src: facts.ACLAddr{Kind: "any"}, Dst: facts.ACLAddr{Kind: "any"}, DstPort: facts.PortMatch{Op: "neq", Lo: 5060, Hi: 5060}}},
		{"protocol numbers", "access-list A extended permit 6 any any eq 2000",
			facts.ACE{Kind: "extended", Permit: true, Protocol: facts.ACLProto{Name: "tcp"}, Src: facts.ACLAddr{Kind: "any"}, Dst: facts.ACLAddr{Kind: "any"}, DstPort: eq(2000)}},
		{"icmp type is not a port", "access-list A extended permit icmp any any echo-reply",
			facts.ACE{Kind: "extended", Permit: true, Protocol: facts.ACLProto{Name: "icmp"}, Src: facts.ACLAddr{Kind: "any"}, Dst: facts.ACLAddr{Kind: "any"}}},
		{"IPv6 prefix and host", "access-list A extended permit tcp 2001:db8:30::/64 host 2001:db8::10 eq 5061",
			facts.ACE{Kind: "extended", Permit: true, Protocol: facts.ACLProto{Name: "tcp"}, Src: net("2001:db8:30::/64"), Dst: net("2001:db8::10/128"), DstPort: eq(5061)}},
		{"FTD advanced with rule-id", "access-list CSM_FW_ACL_ advanced permit tcp object-group PHONES any eq 2443 rule-id 268434433 event-log flow-end",
			facts.ACE{Kind: "extended", Permit: true, Protocol: facts.ACLProto{Name: "tcp"}, Src: phones, Dst: facts.ACLAddr{Kind: "any"}, DstPort: eq(2443)}},
		{"PIX form without extended", "access-list A permit ip any any",
			facts.ACE{Kind: "extended", Permit: true, Protocol: facts.ACLProto{Name: "ip"}, Src: facts.ACLAddr{Kind: "any"}, Dst: facts.ACLAddr{Kind: "any"}}},
		{"line number prefix", "access-list A line 1 extended permit tcp interface inside any eq https",
			facts.ACE{Kind: "extended", Permit: true, Protocol: facts.ACLProto{Name: "tcp"}, Src: facts.ACLAddr{Kind: "interface", Name: "inside"}, Dst: facts.ACLAddr{Kind: "any"}, DstPort: eq(443)}},
		{"standard", "access-list S standard permit 10.30.0.0 255.255.0.0",
			facts.ACE{Kind: "standard", Permit: true, Dst: net("10.30.0.0/16")}},
		{"remark", "access-list A remark phones to the call managers",
			facts.ACE{Kind: "remark"}},
		{"ethertype", "access-list E ethertype permit bpdu", facts.ACE{Kind: "ethertype"}},
		{"kerberos is 750 on the ASA", "access-list A extended permit udp any any eq kerberos",
			facts.ACE{Kind: "extended", Permit: true, Protocol: facts.ACLProto{Name: "udp"}, Src: facts.ACLAddr{Kind: "any"}, Dst: facts.ACLAddr{Kind: "any"}, DstPort: eq(750)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := &facts.Device{Name: "asa1"}
			if err := ParseRunningConfig([]byte(aclDefs+c.line+"\n"), d); err != nil {
				t.Fatal(err)
			}
			if len(d.Warnings) != 0 {
				t.Fatalf("warnings %v", d.Warnings)
			}
			if len(d.ASA.AccessLists) != 1 || len(d.ASA.AccessLists[0].Entries) != 1 {
				t.Fatalf("lists %+v", d.ASA.AccessLists)
			}
			g := d.ASA.AccessLists[0].Entries[0]
			if g.Line != 1 || g.Source.Line != strings.Count(aclDefs, "\n")+1 || g.Source.Text != c.line {
				t.Errorf("line %d source %+v", g.Line, g.Source)
			}
			g.Line, g.Source = 0, facts.Source{}
			if !reflect.DeepEqual(g, c.want) {
				t.Errorf("\n got %+v\nwant %+v", g, c.want)
			}
		})
	}
}

func TestACLNumberingAndWarnings(t *testing.T) {
	cfg := "hostname fw\n" +
		"access-list VOICE remark signalling\n" +
		"access-list VOICE extended permit tcp any any eq sip\n" +
		"access-list WEB extended permit tcp any any eq www\n" +
		"access-list VOICE extended permit ip user CORP\\alice any any\n" +
		"access-list VOICE extended permit tcp any any eq nosuchport\n" +
		"access-list VOICE extended permit udp any any eq 5060\n" +
		"timeout conn 1:00:00\n"
	d := &facts.Device{Name: "asa1", Warnings: []*facts.ParseError{{Key: KeyRunningConfig, Line: 99, Msg: "from an earlier read"}, {Key: "show_arp", Line: 3, Msg: "kept"}}}
	if err := ParseRunningConfig([]byte(cfg), d); err != nil {
		t.Fatal(err)
	}
	a := d.ASA
	if len(a.AccessLists) != 2 || a.AccessLists[0].Name != "VOICE" || a.AccessLists[1].Name != "WEB" {
		t.Fatalf("lists %+v", a.AccessLists)
	}
	v := a.AccessLists[0].Entries
	if len(v) != 5 {
		t.Fatalf("%d entries", len(v))
	}
	for i, e := range v {
		if e.Line != i+1 {
			t.Errorf("entry %d numbered %d", i, e.Line)
		}
	}
	if v[2].Unparsed == "" || !strings.Contains(v[2].Unparsed, "user") || v[3].Unparsed == "" || v[4].Unparsed != "" || v[4].DstPort.Lo != 5060 {
		t.Errorf("entries %+v", v)
	}
	// The earlier read's warning is replaced, another command's kept;
	// each new warning names its line.
	if len(d.Warnings) != 3 || d.Warnings[0].Key != "show_arp" || d.Warnings[1].Line != 5 || d.Warnings[2].Line != 6 || d.Warnings[1].Host != "asa1" {
		t.Fatalf("warnings %+v", d.Warnings)
	}
	if !strings.Contains(d.Warnings[2].Error(), "nosuchport") {
		t.Errorf("warning %q", d.Warnings[2])
	}
	if len(a.Timeouts) != 1 {
		t.Errorf("the config after the bad entries: timeouts %+v", a.Timeouts)
	}
}

// A terminal wraps long entries at 80 columns, inside words and group
// names: the entry is read rejoined, not as an unreadable fragment.
func TestACLWrapped(t *testing.T) {
	line := "access-list VOICE-SIGNALLING extended permit tcp object-group PHONES object-group CUCM-SERVERS object-group SIP-PORTS log"
	cfg := "object-group network PHONES\n network-object 10.30.0.0 255.255.255.0\nobject-group network CUCM-SERVERS\n network-object host 10.20.0.10\n" +
		"object-group service SIP-PORTS tcp\n port-object eq sip\n" + wrap80(line+"\n") + "timeout conn 1:00:00\n"
	d := &facts.Device{Name: "asa1"}
	if err := ParseRunningConfig([]byte(cfg), d); err != nil {
		t.Fatal(err)
	}
	if len(d.Warnings) != 0 {
		t.Fatalf("warnings %v", d.Warnings)
	}
	l := d.ASA.AccessLists
	if len(l) != 1 || len(l[0].Entries) != 1 || l[0].Entries[0].Source.Text != line || l[0].Entries[0].DstPort.Group != "SIP-PORTS" {
		t.Fatalf("lists %+v", l)
	}
}

func TestServicesAndGroups(t *testing.T) {
	cfg := "object service SIP-TLS\n service tcp source range 1024 65535 destination eq 5061\n" +
		"object service ICMP\n service icmp echo\n" +
		"object-group service SCCP tcp\n port-object eq 2000\n port-object range 2443 2443\n group-object MORE\n" +
		"object-group service VOICE\n service-object tcp-udp destination eq sip\n service-object udp eq 5060\n" +
		" service-object udp source eq 5060 eq 5060\n service-object object SIP-TLS\n service-object ip\n service-object tcp destination eq whatever\n" +
		"object-group protocol L4\n protocol-object tcp\n protocol-object 17\n group-object OTHER\n" +
		"object-group service SCCP tcp\n port-object eq 2001\n" + // reopened: appended
		"object-group icmp-type PING\n icmp-object echo\n"
	d := &facts.Device{Name: "asa1"}
	if err := ParseRunningConfig([]byte(cfg), d); err != nil {
		t.Fatal(err)
	}
	a := d.ASA
	if len(a.ServiceObjects) != 2 {
		t.Fatalf("service objects %+v", a.ServiceObjects)
	}
	tls := a.ServiceObjects[0].Service
	if tls.Protocol != "tcp" || tls.Src != (facts.PortMatch{Op: "range", Lo: 1024, Hi: 65535}) || tls.Dst != (facts.PortMatch{Op: "eq", Lo: 5061, Hi: 5061}) || tls.Source.Line != 2 {
		t.Errorf("SIP-TLS %+v", tls)
	}
	if a.ServiceObjects[1].Service.Protocol != "icmp" {
		t.Errorf("ICMP %+v", a.ServiceObjects[1])
	}
	if len(a.ServiceGroups) != 2 {
		t.Fatalf("service groups %+v", a.ServiceGroups)
	}
	sccp := a.ServiceGroups[0]
	if sccp.Name != "SCCP" || sccp.Protocol != "tcp" || len(sccp.Members) != 4 ||
		sccp.Members[0].Dst.Lo != 2000 || sccp.Members[1].Dst.Hi != 2443 || sccp.Members[2].Group != "MORE" ||
		sccp.Members[3].Dst.Lo != 2001 || sccp.Members[3].Source.Line != 21 {
		t.Errorf("SCCP %+v", sccp)
	}
	v := a.ServiceGroups[1].Members
	if len(v) != 6 || v[0].Protocol != "tcp-udp" || v[0].Dst.Lo != 5060 || v[1].Dst.Lo != 5060 ||
		v[2].Src.Lo != 5060 || v[2].Dst.Lo != 5060 || v[3].Object != "SIP-TLS" || v[4].Protocol != "ip" ||
		v[5].Unparsed == "" || v[5].Source.Line != 15 {
		t.Errorf("VOICE members %+v", v)
	}
	if len(d.Warnings) != 1 || d.Warnings[0].Line != 15 {
		t.Errorf("warnings %v", d.Warnings)
	}
	if len(a.ProtocolGroups) != 1 || !reflect.DeepEqual(a.ProtocolGroups[0].Protocols, []string{"tcp", "udp"}) ||
		!reflect.DeepEqual(a.ProtocolGroups[0].Groups, []string{"OTHER"}) {
		t.Errorf("protocol groups %+v", a.ProtocolGroups)
	}
}

func TestClassMapsAndPolicyOrder(t *testing.T) {
	cfg := "class-map inspection_default\n match default-inspection-traffic\n" +
		"class-map SIG\n description phone signalling\n match access-list VOICE-SIG\n" +
		"class-map SIP-PORT\n match port udp eq sip\n" +
		"class-map RANGE\n match port tcp range 2000 2002\n" +
		"class-map VPN\n match tunnel-group RA\n match flow ip destination-address\n" +
		"class-map ALL\n match any\n" +
		"class-map BAD\n match port tcp eq\n" +
		"class-map type inspect sip match-all SIPCLASS\n match caller-id XYZ\n" +
		"policy-map global_policy\n class inspection_default\n  inspect sip \n class SIG\n  set connection conn-max 1000\n" +
		" class SIP-PORT\n  set connection timeout idle 0:01:00\n class class-default\n  user-statistics accounting\n" +
		"policy-map VOICE-IF\n class ALL\n  set connection timeout embryonic 0:00:20\n"
	d := &facts.Device{Name: "asa1"}
	if err := ParseRunningConfig([]byte(cfg), d); err != nil {
		t.Fatal(err)
	}
	a := d.ASA
	type m struct{ kind, acl, unparsed string }
	got := map[string][]m{}
	for _, c := range a.ClassMaps {
		for _, x := range c.Matches {
			u := ""
			if x.Unparsed != "" {
				u = "bad"
			}
			got[c.Name] = append(got[c.Name], m{x.Kind, x.ACL, u})
		}
	}
	want := map[string][]m{
		"inspection_default": {{"default-inspection-traffic", "", ""}},
		"SIG":                {{"access-list", "VOICE-SIG", ""}},
		"SIP-PORT":           {{"port", "", ""}},
		"RANGE":              {{"port", "", ""}},
		"VPN":                {{"tunnel-group", "", ""}, {"flow", "", ""}},
		"ALL":                {{"any", "", ""}},
		"BAD":                {{"port", "", "bad"}},
	}
	if !reflect.DeepEqual(got, want) || len(a.ClassMaps) != 7 {
		t.Errorf("class maps\n got %v\nwant %v", got, want)
	}
	if p := a.ClassMaps[2].Matches[0].Port; p.Protocol != "udp" || p.Dst != (facts.PortMatch{Op: "eq", Lo: 5060, Hi: 5060}) {
		t.Errorf("SIP-PORT %+v", p)
	}
	if p := a.ClassMaps[3].Matches[0].Port; p.Protocol != "tcp" || p.Dst != (facts.PortMatch{Op: "range", Lo: 2000, Hi: 2002}) {
		t.Errorf("RANGE %+v", p)
	}
	if len(d.Warnings) != 1 || d.Warnings[0].Line != 16 {
		t.Errorf("warnings %v", d.Warnings)
	}
	type c struct {
		class string
		conn  bool
	}
	var order []c
	for _, pm := range a.PolicyMaps {
		for _, x := range pm.Classes {
			order = append(order, c{pm.Name + "/" + x.Class, x.Connection})
		}
	}
	wantOrder := []c{{"global_policy/inspection_default", false}, {"global_policy/SIG", true}, {"global_policy/SIP-PORT", true},
		{"global_policy/class-default", false}, {"VOICE-IF/ALL", true}}
	if !reflect.DeepEqual(order, wantOrder) {
		t.Errorf("policy classes\n got %v\nwant %v", order, wantOrder)
	}
	if len(a.ClassTimeouts) != 1 || a.ClassTimeouts[0].Class != "SIP-PORT" || a.ClassTimeouts[0].IdleSeconds != 60 {
		t.Errorf("class timeouts %+v", a.ClassTimeouts)
	}
	if a.PolicyMaps[0].Classes[1].Source.Line != 22 {
		t.Errorf("class SIG source %+v", a.PolicyMaps[0].Classes[1].Source)
	}
}
