package rules

// defaultInspectionPorts are the ports "match default-inspection-traffic"
// covers, per inspection engine (as "inspect ENGINE" names it): the
// default ports of Cisco's table of supported inspection engines (ASA
// Series Firewall CLI Configuration Guide, "Getting Started with
// Application Layer Protocol Inspection", Default Settings and NAT
// Limitations). With several inspect lines in such a class, each engine
// inspects only its own default ports. Engines without ports (ICMP, IP
// options, WAAS) are left out: they do not put a port in the class.
//
// Of the phone signalling ports only SIP (TCP and UDP 5060) and SCCP (TCP
// 2000) are in the list: SIP over TLS (5061) and secure SCCP (2443) are
// not default inspection traffic.
var defaultInspectionPorts = []struct {
	engine, proto string
	lo, hi        int
}{
	{"ctiqbe", "tcp", 2748, 2748},
	{"dcerpc", "tcp", 135, 135},
	{"dns", "udp", 53, 53},
	{"ftp", "tcp", 21, 21},
	{"gtp", "udp", 2123, 2123},
	{"gtp", "udp", 3386, 3386},
	{"h323", "tcp", 1720, 1720},
	{"h323", "udp", 1718, 1719},
	{"http", "tcp", 80, 80},
	{"ils", "tcp", 389, 389},
	{"ipsec-pass-thru", "udp", 500, 500},
	{"mgcp", "udp", 2427, 2427},
	{"mgcp", "udp", 2727, 2727},
	{"mmp", "tcp", 5443, 5443},
	{"netbios", "udp", 137, 138},
	{"pptp", "tcp", 1723, 1723},
	{"radius-accounting", "udp", 1646, 1646},
	{"rsh", "tcp", 514, 514},
	{"rtsp", "tcp", 554, 554},
	{"sip", "tcp", 5060, 5060},
	{"sip", "udp", 5060, 5060},
	{"skinny", "tcp", 2000, 2000},
	{"esmtp", "tcp", 25, 25},
	{"snmp", "udp", 161, 162},
	{"sqlnet", "tcp", 1521, 1521},
	{"sunrpc", "udp", 111, 111},
	{"tftp", "udp", 69, 69},
	{"xdmcp", "udp", 177, 177},
}

// defaultInspectionEngine returns the engine whose default port proto/port
// is, or "" when default-inspection-traffic does not cover it.
func defaultInspectionEngine(proto string, port int) string {
	for _, d := range defaultInspectionPorts {
		if d.proto == proto && port >= d.lo && port <= d.hi {
			return d.engine
		}
	}
	return ""
}
