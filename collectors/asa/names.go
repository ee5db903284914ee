package asa

import "strings"

// portNames are the literal port names the ASA accepts in place of a
// number, from Cisco's "TCP and UDP Ports" reference (ASA General
// Operations Configuration Guide, Addresses, Protocols, and Ports). No name
// stands for different numbers in TCP and UDP, so one table serves both.
// Note the ASA's own values: kerberos is 750, not IANA's 88.
var portNames = map[string]int{
	"aol": 5190, "bgp": 179, "biff": 512, "bootpc": 68, "bootps": 67, "chargen": 19,
	"cifs": 3020, "citrix-ica": 1494, "cmd": 514, "ctiqbe": 2748, "daytime": 13,
	"discard": 9, "dnsix": 195, "domain": 53, "echo": 7, "exec": 512, "finger": 79,
	"ftp": 21, "ftp-data": 20, "gopher": 70, "h323": 1720, "hostname": 101,
	"http": 80, "https": 443, "ident": 113, "imap4": 143, "irc": 194, "isakmp": 500,
	"kerberos": 750, "klogin": 543, "kshell": 544, "ldap": 389, "ldaps": 636,
	"login": 513, "lotusnotes": 1352, "lpd": 515, "mobile-ip": 434, "nameserver": 42,
	"netbios-dgm": 138, "netbios-ns": 137, "netbios-ssn": 139, "nfs": 2049,
	"nntp": 119, "ntp": 123, "pcanywhere-data": 5631, "pcanywhere-status": 5632,
	"pim-auto-rp": 496, "pop2": 109, "pop3": 110, "pptp": 1723, "radius": 1645,
	"radius-acct": 1646, "rip": 520, "rsh": 514, "rtsp": 554, "secureid-udp": 5510,
	"sip": 5060, "smtp": 25, "snmp": 161, "snmptrap": 162, "sqlnet": 1521, "ssh": 22,
	"sunrpc": 111, "syslog": 514, "tacacs": 49, "talk": 517, "telnet": 23, "tftp": 69,
	"time": 37, "uucp": 540, "vxlan": 4789, "who": 513, "whois": 43, "www": 80,
	"xdmcp": 177,
}

// portValue reads a port: a number 0-65535 or a literal name.
func portValue(s string) (int, bool) {
	if n, ok := number(s, 5); ok {
		return n, n <= 65535
	}
	n, ok := portNames[strings.ToLower(s)]
	return n, ok
}

// protocolNames are the ASA's protocol literals with their numbers; "ip"
// is any protocol.
var protocolNames = map[string]int{
	"ah": 51, "eigrp": 88, "esp": 50, "gre": 47, "icmp": 1, "icmp6": 58, "igmp": 2,
	"igrp": 9, "ip": 0, "ipinip": 4, "ipsec": 50, "nos": 94, "ospf": 89, "pcp": 108,
	"pim": 103, "pptp": 47, "sctp": 132, "snp": 109, "tcp": 6, "udp": 17,
}

// protocolValue reads a protocol name or number 0-255 and returns the
// name kaudit keeps: tcp, udp and sctp by name (6, 17 and 132 are written
// either way), other numbers as written.
func protocolValue(s string) (string, bool) {
	l := strings.ToLower(s)
	if _, ok := protocolNames[l]; ok {
		return l, true
	}
	n, ok := number(s, 3)
	if !ok || n > 255 {
		return "", false
	}
	switch n {
	case 6:
		return "tcp", true
	case 17:
		return "udp", true
	case 132:
		return "sctp", true
	}
	return s, true
}
