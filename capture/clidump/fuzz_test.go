package clidump

import (
	"bytes"
	"testing"
	"time"
)

// The fuzz targets: each parser never panics, hangs or returns an empty
// or oversized frame, whatever it is given; and every layout Render
// prints reads back to the same bytes.

func seedDumps(f *testing.F) {
	pkts := frames(f)
	for _, l := range Layouts() {
		f.Add(Render(l, pkts[:3], RenderOptions{}))
	}
	f.Add([]byte("12 packets captured\n\n   1: 20:40:01.108469  a > b: P 1:2(1)\n              ack 3 win 4\n0x0000 a453 ab\n1203 packets shown\n"))
	f.Add([]byte("16:09:37.171 ITA Mar 18 2016 : IPv4\n0F1A2C00:          B0FAEBC7  0zkG\n"))
}

func checkDump(t *testing.T, d *Dump, err error) {
	if err != nil {
		return
	}
	if len(d.Packets) == 0 {
		t.Fatal("a dump without packets and without an error")
	}
	for _, p := range d.Packets {
		if len(p.Data) == 0 || len(p.Data) > MaxFrame {
			t.Fatalf("packet of %d bytes", len(p.Data))
		}
	}
}

func FuzzParseEPC(f *testing.F) {
	seedDumps(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(bytes.NewReader(data), FamilyEPC, Options{MaxPackets: 1000})
		checkDump(t, d, err)
	})
}

func FuzzParseASA(f *testing.F) {
	seedDumps(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(bytes.NewReader(data), FamilyASA, Options{MaxPackets: 1000})
		checkDump(t, d, err)
	})
}

func FuzzParseAuto(f *testing.F) {
	seedDumps(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(bytes.NewReader(data), FamilyAuto, Options{MaxPackets: 1000})
		checkDump(t, d, err)
		if err == nil && Detect(data) == "" {
			t.Fatal("parsed a dump Detect does not recognise")
		}
	})
}

func FuzzParseBrief(f *testing.F) {
	pkts := frames(f)
	f.Add(RenderBrief(EPCXE16, pkts))
	f.Add(RenderBrief(EPCXE17, pkts))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseBrief(bytes.NewReader(data), "")
		if err != nil {
			return
		}
		for i := 1; i < len(rows); i++ {
			if rows[i].Num <= rows[i-1].Num || rows[i].Rel < 0 {
				t.Fatalf("rows %+v", rows)
			}
		}
	})
}

// FuzzRoundTrip cuts data into packets and checks every layout reads
// back to them.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("ab ab ab ab ab a0123456789abcdef0"), uint8(16), uint8(7))
	f.Add(bytes.Repeat([]byte{0x20, 0xb0, 'c', 'a', 'f', 'e'}, 20), uint8(3), uint8(50))
	f.Fuzz(func(t *testing.T, data []byte, cut1, cut2 uint8) {
		var pkts []Packet
		for len(data) > 0 && len(pkts) < 20 {
			n := min(len(data), 1+int(cut1)+int(cut2)*int(len(pkts)%3))
			pkts = append(pkts, Packet{Time: t0.Add(time.Duration(len(pkts)) * time.Second), Data: data[:n]})
			data = data[n:]
		}
		if len(pkts) == 0 {
			return
		}
		for _, l := range Layouts() {
			d, err := Parse(bytes.NewReader(Render(l, pkts, RenderOptions{})), FamilyAuto, Options{Start: t0})
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			if len(d.Packets) != len(pkts) {
				t.Fatalf("%s: %d packets, want %d", l, len(d.Packets), len(pkts))
			}
			for i := range pkts {
				if !bytes.Equal(d.Packets[i].Data, pkts[i].Data) {
					t.Fatalf("%s: packet %d\n got %x\nwant %x", l, i+1, d.Packets[i].Data, pkts[i].Data)
				}
			}
		}
	})
}
