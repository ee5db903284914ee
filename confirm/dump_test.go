package confirm

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestDumpRoundTrip(t *testing.T) {
	pkts := readPcap(t, "seed_case2.pcap")
	for _, format := range []string{FormatEPC, FormatASA} {
		got, err := ParseDump(format, RenderDump(format, pkts, time.UTC), pkts[0].Time)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if len(got) != len(pkts) {
			t.Fatalf("%s: %d packets, want %d", format, len(got), len(pkts))
		}
		for i := range pkts {
			if !bytes.Equal(got[i].Data, pkts[i].Data) {
				t.Fatalf("%s: packet %d differs", format, i+1)
			}
			if d := got[i].Time.Sub(pkts[i].Time).Abs(); d > time.Microsecond {
				t.Fatalf("%s: packet %d time off by %s", format, i+1, d)
			}
		}
	}
}

func TestDumpErrors(t *testing.T) {
	good := string(RenderDump(FormatASA, readPcap(t, "seed_case2.pcap")[:2], time.UTC))
	lines := strings.Split(good, "\r\n")
	for _, tc := range []struct {
		name, in, want string
	}{
		{"missing line", strings.Join(append(append([]string{}, lines[:3]...), lines[4:]...), "\r\n"), "offset"},
		{"bad hex", strings.Replace(good, "0x0000\t ", "0x0000\t zz", 1), "hex"},
		{"binary", "\x00\x01\x02", "dump_asa"},
	} {
		_, err := ParseDump(FormatASA, []byte(tc.in), time.Now())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func FuzzParseDump(f *testing.F) {
	f.Add([]byte(RenderDump(FormatEPC, readPcap(f, "seed_case2.pcap")[:3], time.UTC)), true)
	f.Add([]byte(RenderDump(FormatASA, readPcap(f, "seed_case2.pcap")[:3], time.UTC)), false)
	f.Fuzz(func(t *testing.T, data []byte, epc bool) {
		format := FormatASA
		if epc {
			format = FormatEPC
		}
		pkts, err := ParseDump(format, data, time.Unix(0, 0))
		if err != nil {
			return
		}
		for _, p := range pkts {
			if len(p.Data) == 0 || len(p.Data) > maxFrame {
				t.Fatalf("packet of %d bytes", len(p.Data))
			}
		}
	})
}
