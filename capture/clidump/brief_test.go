package clidump

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestBriefTimes: a dump without times takes them from buffer brief, in
// both public shapes of it (the router table, Catalyst summary lines).
func TestBriefTimes(t *testing.T) {
	pkts := frames(t)
	for _, l := range []Layout{EPCXE16, EPCXE17} {
		t.Run(string(l), func(t *testing.T) {
			d, err := Parse(bytes.NewReader(Render(l, pkts, RenderOptions{})), FamilyEPC, Options{})
			if err != nil || !d.Synthetic() {
				t.Fatalf("%v, synthetic %v", err, d != nil && d.Synthetic())
			}
			rows, err := ParseBrief(bytes.NewReader(RenderBrief(l, pkts)), "")
			if err != nil {
				t.Fatal(err)
			}
			if l == EPCXE16 && rows[0].Num != 0 || l == EPCXE17 && rows[0].Num != 1 {
				t.Errorf("first packet number %d", rows[0].Num)
			}
			for i, r := range rows {
				if r.Size != len(pkts[i].Data) && !(l == EPCXE17 && r.Size == -1 && i >= 4) {
					t.Errorf("row %d size %d, want %d", i, r.Size, len(pkts[i].Data))
				}
			}
			if err := ApplyBrief(d, rows, t0); err != nil {
				t.Fatal(err)
			}
			if d.Synthetic() || d.Timing != TimingRelative {
				t.Fatalf("timing %s", d.Timing)
			}
			for i := range pkts {
				if want := t0.Add(pkts[i].Time.Sub(pkts[0].Time)); !d.Packets[i].Time.Equal(want) {
					t.Errorf("packet %d at %s, want %s", i+1, d.Packets[i].Time, want)
				}
			}
		})
	}
}

// TestBriefMismatch: a brief that does not list the dump's packets one
// for one gives no times.
func TestBriefMismatch(t *testing.T) {
	pkts := frames(t)
	read := func() *Dump {
		d, err := Parse(bytes.NewReader(Render(EPCXE16, pkts, RenderOptions{})), FamilyEPC, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	rows, err := ParseBrief(bytes.NewReader(RenderBrief(EPCXE16, pkts[:3])), "")
	if err != nil {
		t.Fatal(err)
	}
	d := read()
	if err := ApplyBrief(d, rows, t0); err == nil || !strings.Contains(err.Error(), "lists 3 packets, the dump 7") || !d.Synthetic() {
		t.Errorf("%v, synthetic %v", err, d.Synthetic())
	}
	rows, _ = ParseBrief(bytes.NewReader(RenderBrief(EPCXE16, pkts)), "")
	rows[1].Size++
	d = read()
	if err := ApplyBrief(d, rows, t0); err == nil || !strings.Contains(err.Error(), "packet 1 of 61 bytes") || !d.Synthetic() {
		t.Errorf("%v", err)
	}
	for _, bad := range []string{"", "% Invalid input detected at '^' marker.\n", "   1  60    0.5   a -> b\n   0  60    0.6   a -> b\n"} {
		if _, err := ParseBrief(strings.NewReader(bad), "brief"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	_ = time.Second
}
