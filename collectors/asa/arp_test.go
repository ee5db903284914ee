package asa

import (
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

func TestARPTestdata(t *testing.T) {
	a := mustParse(t, ParseARP, testdata(t, "show_arp.txt"))
	want := []facts.ARPEntry{
		{Interface: "outside", IP: ip("198.51.100.1"), MAC: "0000.0c9f.f001", Age: "12"},
		{Interface: "outside", IP: ip("198.51.100.10"), MAC: "00a7.42c1.0e10", Age: "alias"},
		{Interface: "outside", IP: ip("198.51.100.11"), MAC: "00a7.42c1.0e10", Age: "alias"},
		{Interface: "inside", IP: ip("10.10.0.25"), MAC: "3c52.82a4.7f10", Age: "241"},
		{Interface: "inside", IP: ip("10.10.0.31"), MAC: "f8b1.56d2.00a3", Age: "5"},
		{Interface: "voice", IP: ip("10.20.0.10"), MAC: "0050.56a1.2b10", Age: "8"},
		{Interface: "voice", IP: ip("10.20.0.11"), MAC: "0050.56a1.2b11", Age: "31"},
		{Interface: "voice", IP: ip("10.20.0.50"), MAC: "0024.142d.df24", Age: "15"},
		{Interface: "voice", IP: ip("10.20.0.51"), MAC: "0021.d8ba.0965", Age: "118"},
		{Interface: "voice", IP: ip("10.20.0.52"), MAC: "e0d1.730a.8137", Age: "-"},
		{Interface: "management", IP: ip("192.168.1.20"), MAC: "0050.56b4.11c2", Age: "2"},
	}
	if len(a.ARP) != len(want) {
		t.Fatalf("%d entries, want %d", len(a.ARP), len(want))
	}
	for i, w := range want {
		g := a.ARP[i]
		if g.Source.Line != i+2 || g.Source.Key != KeyARP || !strings.Contains(g.Source.Text, g.IP.String()) {
			t.Errorf("entry %d source %+v", i, g.Source)
		}
		g.Source = facts.Source{}
		if g != w {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestARPVariants(t *testing.T) {
	a := mustParse(t, ParseARP, []byte("fw/admin# show arp\r\n  inside 10.1.1.20 00:24:14:2D:DF:24 15\r\n"+
		"  outside 10.10.1.1/1 aa11.bbff.ee55 -\r\n\r\nTotal number of ARP entries: 2\r\nfw/admin# "))
	if len(a.ARP) != 2 || a.ARP[0].MAC != "0024.142d.df24" || a.ARP[1].IP != ip("10.10.1.1") || a.ARP[1].Age != "-" {
		t.Errorf("%+v", a.ARP)
	}
	// An empty table is a valid answer and replaces an older one.
	d := &facts.Device{Name: "fw", ASA: &facts.ASA{ARP: a.ARP}}
	if err := ParseARP([]byte("fw# show arp\nfw# "), d); err != nil || len(d.ASA.ARP) != 0 {
		t.Errorf("empty table: err %v, ARP %+v", err, d.ASA.ARP)
	}
}

func TestARPErrors(t *testing.T) {
	cases := []struct {
		name, data string
		line       int
		msg        string
	}{
		{"binary", "inside 10.1.1.1 0024.142d.df24 1\n\x00\xff", 2, "binary"},
		{"garbage", "hello world\n", 1, "want INTERFACE IP MAC AGE"},
		{"truncated", "inside 10.1.1.1 0024.142d.df24 1\ninside 10.1.1.2 0024.14", 2, "want INTERFACE"},
		{"truncated MAC", "inside 10.1.1.2 0024.14 15", 1, "not a MAC"},
		{"bad IP", "inside 10.1.1.256 0024.142d.df24 15", 1, "not an IP"},
		{"bad prefix", "inside 10.1.1.2/x 0024.142d.df24 15", 1, "not an IP"},
		{"bad age", "inside 10.1.1.2 0024.142d.df24 15s", 1, "age"},
		{"device error", "% Invalid input detected at '^' marker.", 1, "refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &facts.Device{Name: "asa1", ASA: &facts.ASA{ARP: []facts.ARPEntry{{Interface: "x", MAC: "0000.0000.0001"}}}}
			before := snapshot(t, d)
			err := ParseARP([]byte(c.data), d)
			if err == nil {
				t.Fatal("no error")
			}
			pe := asParseError(t, err, KeyARP, "asa1")
			if pe.Line != c.line || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q at line %d, want line %d containing %q", err, pe.Line, c.line, c.msg)
			}
			if after := snapshot(t, d); after != before {
				t.Errorf("failed parse changed d: %s", after)
			}
		})
	}
}
