package ios

import (
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

type nbrWant struct {
	local, id, platform, ip, port, caps, version string
	voice                                        int
	chassis, portDesc                            string
	line                                         int
}

func checkNeighbors(t *testing.T, got []facts.Neighbor, want []nbrWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d neighbours, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		n := got[i]
		g := nbrWant{n.LocalInterface, n.DeviceID, n.Platform, n.IP, n.PortID, strings.Join(n.Capabilities, "|"),
			firstLine(n.SoftwareVersion), n.VoiceVLAN, n.ChassisID, n.PortDescription, n.Source.Line}
		if g != w {
			t.Errorf("neighbour %d:\n got  %+v\n want %+v", i, g, w)
		}
	}
}

func TestParseCDP(t *testing.T) {
	data := testdata(t, keyCDP, "phones_crlf.txt")
	d := seedDevice()
	if err := ParseCDP(data, d); err != nil {
		t.Fatal(err)
	}
	checkNeighbors(t, neighbors(d, "cdp"), []nbrWant{
		{"GigabitEthernet1/0/2", "SEP0024142DDF24", "Cisco IP Phone 7962", "10.21.0.31", "Port 1", "Host|Phone|Two-port Mac Relay", "SCCP42.9-4-2SR3-1S", 0, "", "", 3},
		{"GigabitEthernet1/0/7", "SEP00EBD5A177C3", "Cisco IP Phone 8865", "10.21.0.44", "Port 1", "Host|Phone|Two-port Mac Relay", "sip88xx.14-2-1-0001-14", 0, "", "", 22},
		{"GigabitEthernet1/0/49", "dist-1.corp.example", "cisco C9500-24Y4C", "192.0.2.1", "TenGigabitEthernet1/0/7", "Router|Switch|IGMP",
			"Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)", 0, "", "", 42},
		// No entry address: the management address stands in.
		{"GigabitEthernet1/0/12", "ap-3-north", "cisco C9120AXI-E", "10.30.0.12", "GigabitEthernet0", "Router|Trans-Bridge|Source-Route-Bridge|IGMP",
			"Cisco AP Software, ap1g7-k9w8 Version: 17.9.4.27", 0, "", "", 64},
	})
	// The LLDP neighbour read before stays; the old CDP one is replaced.
	lldp := neighbors(d, "lldp")
	if len(lldp) != 1 || lldp[0].DeviceID != "old-lldp" {
		t.Errorf("LLDP neighbours %+v", lldp)
	}
	checkSources(t, d, keyCDP, data)
	// Parsing again gives the same neighbours, not twice as many.
	if err := ParseCDP(data, d); err != nil || len(d.Switch.Neighbors) != 5 {
		t.Errorf("reparse: %v, %d neighbours", err, len(d.Switch.Neighbors))
	}
}

func TestCDPTruncated(t *testing.T) {
	data := testdata(t, keyCDP, "truncated.txt")
	// ParseCDP keeps the complete entries and says which one was cut
	// (issue 13: one bad row never discards the rest).
	d := &facts.Device{Name: "sw1"}
	if err := ParseCDP(data, d); err != nil {
		t.Fatalf("truncated entry discarded the output: %v", err)
	}
	eq(t, "complete entries kept", len(neighbors(d, "cdp")), 2)
	if len(d.Warnings) != 1 {
		t.Fatalf("warnings %v, want the truncated entry", d.Warnings)
	}
	checkParseError(t, d.Warnings[0], keyCDP, 23, `CDP entry for "SEP001B54C1A2B3" has no "Interface:" line`)

	// ReadCDP keeps the complete entries, the one without a Version too.
	ns, err := ReadCDP(data, &facts.Device{Name: "sw1"})
	if err == nil {
		t.Fatal("ReadCDP accepted a truncated entry")
	}
	checkNeighbors(t, ns, []nbrWant{
		{"GigabitEthernet1/0/2", "SEP0024142DDF24", "Cisco IP Phone 7962", "10.21.0.31", "Port 1", "Host|Phone|Two-port Mac Relay", "SCCP42.9-4-2SR3-1S", 0, "", "", 3},
		{"GigabitEthernet1/0/7", "SEP00EBD5A177C3", "Cisco IP Phone 8865", "10.21.0.44", "Port 1", "Host|Phone|Two-port Mac Relay", "", 0, "", "", 15},
	})
}

// A count the entries do not reach keeps the entries read, with a warning.
func TestCDPCountMismatch(t *testing.T) {
	d := &facts.Device{Name: "sw1"}
	if err := ParseCDP([]byte("Device ID: a\nInterface: Gi0/1,  Port ID (outgoing port): Gi0/2\n\nTotal cdp entries displayed : 2\n"), d); err != nil {
		t.Fatal(err)
	}
	eq(t, "entries", len(neighbors(d, "cdp")), 1)
	if len(d.Warnings) != 1 {
		t.Fatalf("warnings %v", d.Warnings)
	}
	checkParseError(t, d.Warnings[0], keyCDP, 4, "device reports 2 CDP entries, 1 found")
}

func TestCDPEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		data string
		n    int
	}{
		{"cdp disabled", "sw1#show cdp neighbors detail\n% CDP is not enabled\nsw1#", 0},
		{"no neighbours", "sw1#show cdp neighbors detail\n\nTotal cdp entries displayed : 0\nsw1#", 0},
		{"no separators, version at end of file", "Device ID: a\nInterface: Gi0/1,  Port ID (outgoing port): Gi0/2\nVersion :\nfoo", 1},
		{"paged", "Device ID: a\n --More-- \b\b\b\b\b\b\b\b\b         \b\b\b\b\b\b\b\b\bInterface: Gi0/1,  Port ID (outgoing port): Gi0/2\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &facts.Device{Name: "sw1"}
			if err := ParseCDP([]byte(tt.data), d); err != nil {
				t.Fatal(err)
			}
			eq(t, "neighbours", len(d.Switch.Neighbors), tt.n)
		})
	}
}

func TestCDPErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		line int
		msg  string
	}{
		{"binary", "\xff\xfe\x00\x00Device ID", 1, "binary data"},
		{"garbage", "sw1#show cdp neighbors detail\nthe quick brown fox\n", 2, "unexpected text before the first"},
		{"invalid command", "sw1#show cdp neigbors detail\n                  ^\n% Invalid input detected at '^' marker.\n", 3, "device error"},
		{"bad count", "Total cdp entries displayed : many\n", 1, "bad entry count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := seedDevice()
			checkParseError(t, ParseCDP([]byte(tt.data), d), keyCDP, tt.line, tt.msg)
			unchanged(t, d)
		})
	}
}

func TestParseLLDP(t *testing.T) {
	data := testdata(t, keyLLDP, "phone_med.txt")
	d := seedDevice()
	if err := ParseLLDP(data, d); err != nil {
		t.Fatal(err)
	}
	checkNeighbors(t, neighbors(d, "lldp"), []nbrWant{
		{"GigabitEthernet1/0/7", "SEP00EBD5A177C3", "CP-8865", "10.21.0.44", "00EBD5A177C3:P1", "B|T",
			"Cisco IP Phone 8865, V3, sip88xx.14-2-1-0001-14", 210, "10.21.0.44", "SW PORT", 7},
		{"GigabitEthernet1/0/49", "dist-1.corp.example", "", "192.0.2.1", "Te1/0/7", "B|R",
			"Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)", 0, "00a3.d15a.0366", "to sw-floor3", 52},
	})
	cdp := neighbors(d, "cdp")
	if len(cdp) != 1 || cdp[0].DeviceID != "old-cdp" {
		t.Errorf("CDP neighbours %+v", cdp)
	}
	checkSources(t, d, keyLLDP, data)
}

func TestLLDPEdgeCases(t *testing.T) {
	// No separators, no Local Intf, no System Name: the Chassis id line
	// places the entry.
	data := "Chassis id: 0022.1111.2222\nPort id: g2\nSystem Name - not advertised\n\nChassis id: 0022.1111.3333\nPort id: g3\n"
	d := &facts.Device{Name: "sw1"}
	if err := ParseLLDP([]byte(data), d); err != nil {
		t.Fatal(err)
	}
	checkNeighbors(t, d.Switch.Neighbors, []nbrWant{
		{port: "g2", chassis: "0022.1111.2222", line: 1},
		{port: "g3", chassis: "0022.1111.3333", line: 5},
	})
	if s := d.Switch.Neighbors[1].Source; s.Text != "Chassis id: 0022.1111.3333" {
		t.Errorf("source %+v", s)
	}
	d = &facts.Device{Name: "sw1"}
	if err := ParseLLDP([]byte("% LLDP is not enabled\n"), d); err != nil || len(d.Switch.Neighbors) != 0 {
		t.Errorf("LLDP disabled: %v %+v", err, d.Switch)
	}
}

func TestLLDPErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		line int
		msg  string
	}{
		{"binary", "\x00", 1, "binary data"},
		{"garbage", "sw1#show lldp neighbors detail\nno such thing\n", 2, "unexpected text before the first LLDP entry"},
		{"truncated", "------\nLocal Intf: Gi1/0/7\nChassis id: 10.21.0.44\n", 2, "no \"Chassis id\" or \"Port id\""},
		{"count mismatch", "------\nChassis id: a\nPort id: b\n\nTotal entries displayed: 3\n", 5, "device reports 3 LLDP entries, 1 found"},
		{"invalid command", "% Invalid input detected at '^' marker.\n", 1, "device error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := seedDevice()
			checkParseError(t, ParseLLDP([]byte(tt.data), d), keyLLDP, tt.line, tt.msg)
			unchanged(t, d)
		})
	}
}

// Text a neighbour advertises is data, never framing: a version or system
// description holding a prompt, a device error or an entry key neither
// rejects the output nor invents a neighbour (issue 12.3).
func TestNeighbourTextIsData(t *testing.T) {
	hostile := "evil#\nsw1>show running-config\n% Invalid input detected at '^' marker.\nDevice ID: fake\nChassis id: 0000.0000.0001\nTotal entries displayed: 9\n"
	cdp := "-------------------------\nDevice ID: SEP0024142DDF24\nEntry address(es): \n  IP address: 10.21.0.31\nPlatform: Cisco IP Phone 7962,  Capabilities: Host Phone \n" +
		"Interface: GigabitEthernet1/0/2,  Port ID (outgoing port): Port 1\nHoldtime : 150 sec\n\nVersion :\nSCCP42.9-4-2SR3-1S\n" + hostile +
		"\nadvertisement version: 2\nDuplex: full\n\nTotal cdp entries displayed : 1\n"
	d := &facts.Device{Name: "sw1"}
	if err := ParseCDP([]byte(cdp), d); err != nil {
		t.Fatalf("CDP rejected for its neighbour's version text: %v", err)
	}
	ns := neighbors(d, "cdp")
	if len(ns) != 1 || ns[0].DeviceID != "SEP0024142DDF24" || ns[0].IP != "10.21.0.31" || !strings.Contains(ns[0].SoftwareVersion, "evil#") {
		t.Fatalf("CDP neighbours %+v", ns)
	}

	lldp := "------------------------------------------------\nLocal Intf: Gi1/0/7\nChassis id: 10.21.0.44\nPort id: 00EBD5A177C3:P1\nPort Description: SW PORT\nSystem Name: SEP00EBD5A177C3\n\n" +
		"System Description:\nCisco IP Phone 8865\n" + hostile + "\nTime remaining: 155 seconds\nSystem Capabilities: B,T\nEnabled Capabilities: B,T\n\nTotal entries displayed: 1\n"
	d = &facts.Device{Name: "sw1"}
	if err := ParseLLDP([]byte(lldp), d); err != nil {
		t.Fatalf("LLDP rejected for its neighbour's description: %v", err)
	}
	ns = neighbors(d, "lldp")
	if len(ns) != 1 || ns[0].DeviceID != "SEP00EBD5A177C3" || !strings.Contains(ns[0].SoftwareVersion, "Device ID: fake") {
		t.Fatalf("LLDP neighbours %+v", ns)
	}
}
