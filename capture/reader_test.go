package capture

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"reflect"
	"strings"
	"testing"
)

// rewritePcap re-encodes a little-endian microsecond pcap in the byte
// order and resolution given.
func rewritePcap(t *testing.T, le []byte, order binary.ByteOrder, nano bool) []byte {
	t.Helper()
	out := append([]byte(nil), le...)
	magic := uint32(0xa1b2c3d4)
	if nano {
		magic = 0xa1b23c4d
	}
	order.PutUint32(out[0:], magic)
	for _, at := range []int{4, 6} {
		order.PutUint16(out[at:], binary.LittleEndian.Uint16(le[at:]))
	}
	for _, at := range []int{8, 12, 16, 20} {
		order.PutUint32(out[at:], binary.LittleEndian.Uint32(le[at:]))
	}
	for off := 24; off < len(le); {
		caplen := int(binary.LittleEndian.Uint32(le[off+8:]))
		for i := 0; i < 4; i++ {
			v := binary.LittleEndian.Uint32(le[off+4*i:])
			if i == 1 && nano {
				v *= 1000
			}
			order.PutUint32(out[off+4*i:], v)
		}
		off += 16 + caplen
	}
	return out
}

// TestPcapByteOrders: both byte orders and both timestamp resolutions
// give the same analysis, to the nanosecond.
func TestPcapByteOrders(t *testing.T) {
	le, err := os.ReadFile("testdata/seed_case2.pcap")
	if err != nil {
		t.Fatal(err)
	}
	analyze := func(b []byte) *FileAnalysis {
		fa, err := AnalyzeReader(context.Background(), "x", bytes.NewReader(b), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return fa
	}
	want := analyze(le)
	for _, tc := range []struct {
		name  string
		order binary.ByteOrder
		nano  bool
	}{{"big-endian", binary.BigEndian, false}, {"nanoseconds", binary.LittleEndian, true}, {"big-endian nanoseconds", binary.BigEndian, true}} {
		got := analyze(rewritePcap(t, le, tc.order, tc.nano))
		if !reflect.DeepEqual(got.Counts, want.Counts) || !reflect.DeepEqual(got.Timelines, want.Timelines) || got.First != want.First || got.Last != want.Last {
			t.Errorf("%s: the analysis differs from the little-endian microsecond file's", tc.name)
		}
	}
	bad := append([]byte(nil), le...)
	binary.LittleEndian.PutUint16(bad[4:], 3)
	if _, err := AnalyzeReader(context.Background(), "v3.pcap", bytes.NewReader(bad), Options{}); err == nil || !strings.Contains(err.Error(), "Unknown major version 3") {
		t.Errorf("version 3: %v", err)
	}
}
