package ios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// genConfig writes the running config of an access-switch stack of
// members x ports phone ports (the layout of a Catalyst 9300 stack with
// auto-QoS, port-security and 802.1X), with the global sections such a
// config carries: VLANs, AAA, ACLs, QoS policies, a self-signed
// certificate, lines.
func genConfig(members, ports int) []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("sw-bench#show running-config")
	w("Building configuration...")
	w("")
	w("Current configuration : 412233 bytes")
	w("!\n! Last configuration change at 02:00:01 CET Mon Mar 3 2025 by netops\n!")
	w("version 17.9\nservice timestamps debug datetime msec\nservice timestamps log datetime msec\nservice password-encryption\nservice call-home\nplatform punt-keepalive disable-kernel-core")
	w("!\nhostname sw-bench\n!\nvrf definition Mgmt-vrf\n !\n address-family ipv4\n exit-address-family\n !")
	w("logging buffered 64000 informational\nenable secret 9 <removed>\naaa new-model\n!")
	w("aaa group server radius ISE\n server name ise-1\n server name ise-2\n!")
	w("aaa authentication login default group tacacs+ local\naaa authentication dot1x default group ISE\naaa authorization network default group ISE\naaa accounting dot1x default start-stop group ISE\n!")
	w("switch 1 provision c9300-48p\nip routing\n!\nip dhcp snooping vlan 110,210\nip dhcp snooping\nlogin on-success log\n!")
	w("crypto pki trustpoint TP-self-signed-2864297984\n enrollment selfsigned\n subject-name cn=IOS-Self-Signed-Certificate-2864297984\n revocation-check none\n rsakeypair TP-self-signed-2864297984\n!")
	w("crypto pki certificate chain TP-self-signed-2864297984\n certificate self-signed 01")
	for i := 0; i < 60; i++ {
		w("  30820330 30820218 A0030201 02020101 300D0609 2A864886 F70D0101 05050030 %08X", i)
	}
	w("  \tquit\n!\nlicense boot level network-advantage addon dna-advantage\n!")
	w("spanning-tree mode rapid-pvst\nspanning-tree extend system-id\n!\nmac address-table aging-time 600\n!")
	for v := 100; v < 140; v++ {
		w("vlan %d\n name VLAN-%d-FLOOR\n!", v, v)
	}
	w("vlan 210\n name VOICE\n!")
	w("class-map match-any AutoQos-4.0-Voip-Data-CiscoPhone-Class\n match ip dscp ef\n match cos 5\nclass-map match-any AutoQos-4.0-Voip-Signal-CiscoPhone-Class\n match ip dscp cs3\n match cos 3")
	w("policy-map AutoQos-4.0-CiscoPhone-Input-Policy\n class AutoQos-4.0-Voip-Data-CiscoPhone-Class\n  set dscp ef\n  police cir 128000 bc 8000\n   conform-action transmit\n   exceed-action set-dscp-transmit cs1\n class class-default\n  set dscp default\n!")
	for m := 1; m <= members; m++ {
		for p := 1; p <= ports; p++ {
			w("interface GigabitEthernet%d/0/%d", m, p)
			w(" description Desk %d.%03d phone+PC", m, p)
			w(" switchport access vlan %d", 100+p%40)
			w(" switchport mode access\n switchport voice vlan 210")
			w(" switchport port-security maximum 3\n switchport port-security maximum 1 vlan voice")
			w(" switchport port-security violation restrict\n switchport port-security aging time 2\n switchport port-security aging type inactivity")
			w(" switchport port-security mac-address sticky")
			w(" switchport port-security mac-address sticky 0024.14%02x.%02x%02x vlan voice", m, p, m)
			w(" switchport port-security mac-address sticky 3c08.f6%02x.%02x%02x vlan access", m, p, p)
			w(" switchport port-security\n ip arp inspection limit rate 100\n load-interval 30")
			w(" authentication event fail action next-method\n authentication host-mode multi-auth\n authentication order dot1x mab\n authentication port-control auto\n authentication periodic")
			w(" mab\n dot1x pae authenticator\n dot1x timeout tx-period 10")
			w(" storm-control broadcast level 1.00\n storm-control action trap\n spanning-tree portfast\n spanning-tree bpduguard enable")
			w(" service-policy input AutoQos-4.0-CiscoPhone-Input-Policy\n service-policy output AutoQos-4.0-Output-Policy\n ip dhcp snooping limit rate 15\n!")
		}
		for p := 1; p <= 4; p++ {
			w("interface TenGigabitEthernet%d/1/%d\n description uplink %d/%d\n switchport trunk allowed vlan 100-140,210\n switchport mode trunk\n ip arp inspection trust\n ip dhcp snooping trust\n channel-group %d mode active\n!", m, p, m, p, m)
		}
	}
	w("interface Vlan1\n no ip address\n shutdown\n!\ninterface Vlan999\n ip address 192.0.2.13 255.255.255.0\n!")
	w("ip access-list extended PERMIT-VOICE")
	for i := 0; i < 200; i++ {
		w(" %d permit udp 10.21.%d.0 0.0.0.255 any range 16384 32767", 10*(i+1), i%250)
	}
	w("!\nbanner motd ^C\nAuthorized access only. interface GigabitEthernet9/9/9\n^C\n!\nline con 0\n stopbits 1\nline vty 0 4\n transport input ssh\nline vty 5 15\n transport input ssh\n!\nntp server 192.0.2.123\n!\nend\n\nsw-bench#")
	return []byte(b.String())
}

// genCDP writes show cdp neighbors detail for n ports: phones, with an
// uplink switch and an access point every so often.
func genCDP(n int) []byte {
	var b strings.Builder
	b.WriteString("sw-bench#show cdp neighbors detail\n")
	for i := 0; i < n; i++ {
		b.WriteString("-------------------------\n")
		m, p := 1+i/48, 1+i%48
		switch {
		case i%24 == 23:
			fmt.Fprintf(&b, "Device ID: dist-%d.corp.example\nEntry address(es): \n  IP address: 192.0.2.%d\n  IPv6 address: FE80::2A3:D1FF:FE5A:%X  (link-local)\nPlatform: cisco C9500-24Y4C,  Capabilities: Router Switch IGMP \nInterface: GigabitEthernet%d/0/%d,  Port ID (outgoing port): TenGigabitEthernet1/0/%d\nHoldtime : 152 sec\n\nVersion :\nCisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)\nTechnical Support: http://www.cisco.com/techsupport\nCopyright (c) 1986-2023 by Cisco Systems, Inc.\nCompiled Fri 20-Oct-23 10:44 by mcpre\n\nadvertisement version: 2\nVTP Management Domain: ''\nNative VLAN: 999\nDuplex: full\nManagement address(es): \n  IP address: 192.0.2.%d\n\n", i, i%250, i, m, p, p, i%250)
		case i%12 == 11:
			fmt.Fprintf(&b, "Device ID: ap-%d\nEntry address(es): \n  IP address: 10.30.%d.%d\nPlatform: cisco C9120AXI-E,  Capabilities: Router Trans-Bridge Source-Route-Bridge IGMP \nInterface: GigabitEthernet%d/0/%d,  Port ID (outgoing port): GigabitEthernet0\nHoldtime : 125 sec\n\nVersion :\nCisco AP Software, ap1g7-k9w8 Version: 17.9.4.27\n\nadvertisement version: 2\nDuplex: full\nPower drawn: 15.400 Watts\nManagement address(es): \n  IP address: 10.30.%d.%d\n\n", i, m, p, m, p, m, p)
		default:
			fmt.Fprintf(&b, "Device ID: SEP0024%02X%02X%02X%02X\nEntry address(es): \n  IP address: 10.21.%d.%d\nPlatform: Cisco IP Phone 8865,  Capabilities: Host Phone Two-port Mac Relay \nInterface: GigabitEthernet%d/0/%d,  Port ID (outgoing port): Port 1\nHoldtime : 171 sec\nSecond Port Status: Up\n\nVersion :\nsip88xx.14-2-1-0001-14\n\nadvertisement version: 2\nDuplex: full\nPower Available TLV:\n\n    Power request id: 0, Power management id: 0, Power available: 0, Power management level: 0\nManagement address(es): \n  IP address: 10.21.%d.%d\n\n", m, p, i%256, i/256, m, p, m, p, m, p)
		}
	}
	fmt.Fprintf(&b, "\nTotal cdp entries displayed : %d\nsw-bench#", n)
	return []byte(b.String())
}

// The generated inputs are what the benchmarks claim to measure.
func TestGeneratedInputs(t *testing.T) {
	d := &facts.Device{Name: "sw1"}
	if err := ParseRunningConfig(genConfig(2, 48), d); err != nil {
		t.Fatal(err)
	}
	if n := len(d.Switch.Interfaces); n != 2*48+2*4+2 {
		t.Fatalf("%d interfaces", n)
	}
	p := d.Switch.Interfaces[48+4+2] // after member 1: 48 ports, 4 uplinks
	checkPort(t, p, portWant{name: "GigabitEthernet2/0/3", desc: "Desk 2.003 phone+PC", mode: "access", access: 103, voice: 210,
		enabled: true, max: 3, vlanMax: "map[voice:1]", violation: "restrict", aging: 2, agingSet: true, agingType: "inactivity",
		sticky: true, stickyMACs: "0024.1402.0302/voice 3c08.f602.0303/access", line: p.Source.Line})
	eq(t, "hostname", d.Switch.Hostname, "sw-bench")

	if err := ParseCDP(genCDP(96), d); err != nil {
		t.Fatal(err)
	}
	ns := neighbors(d, "cdp")
	if len(ns) != 96 || ns[95].LocalInterface != "GigabitEthernet2/0/48" || ns[0].DeviceID != "SEP002401010000" {
		t.Fatalf("%d neighbours, last %+v", len(ns), ns[len(ns)-1])
	}
}

func BenchmarkParseRunningConfig(b *testing.B) {
	benchParse(b, genConfig(8, 48), ParseRunningConfig)
}

func BenchmarkParseCDP(b *testing.B) {
	benchParse(b, genCDP(8*48), ParseCDP)
}

// benchParse reports MB/s (wall clock, via SetBytes) and cpu-MB/s, the
// throughput per CPU second of the process, which stays meaningful on a
// machine shared with other work.
func benchParse(b *testing.B, data []byte, parse func([]byte, *facts.Device) error) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		d := &facts.Device{Name: "sw1"}
		if err := parse(data, d); err != nil {
			b.Fatal(err)
		}
	}
	if cpu := cpuTime() - start; cpu > 0 {
		b.ReportMetric(float64(len(data))*float64(b.N)/1e6/cpu.Seconds(), "cpu-MB/s")
	}
}
