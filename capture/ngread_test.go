package capture

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"

	"github.com/kaudit/kaudit/capture/internal/pcapgen"
)

// TestPcapngInterfaceFlood: a section may describe up to maxInterfaces
// interfaces, each costing a few bytes; one more is an error that names
// its block, not memory thirty times the file's size.
func TestPcapngInterfaceFlood(t *testing.T) {
	if n := unsafe.Sizeof(ngIface{}); n > 24 {
		t.Errorf("an interface costs %d bytes, want at most 24", n)
	}
	var buf bytes.Buffer
	if err := pcapgen.WriteIDBFlood(&buf, 1000); err != nil {
		t.Fatal(err)
	}
	fa, err := AnalyzeReader(context.Background(), "idb.pcapng", &buf, Options{})
	if err != nil || fa.Counts.Packets != 1 || fa.LinkType != "Ethernet" {
		t.Fatalf("1000 interfaces: err %v, %d packets, link type %s", err, fa.Counts.Packets, fa.LinkType)
	}
	buf.Reset()
	if err := pcapgen.WriteIDBFlood(&buf, maxInterfaces+1); err != nil {
		t.Fatal(err)
	}
	fa, err = AnalyzeReader(context.Background(), "idb.pcapng", &buf, Options{})
	var re *ReadError
	if !errors.As(err, &re) || re.Packet != 1 || re.Offset != 28+20*maxInterfaces ||
		!strings.Contains(err.Error(), "more than 65536 interfaces") || fa == nil || fa.Counts.Packets != 0 {
		t.Fatalf("%d interfaces: err %v", maxInterfaces+1, err)
	}
}

// TestPcapngTimestamps converts timestamps of every resolution exactly,
// with the interface's offset.
func TestPcapngTimestamps(t *testing.T) {
	for _, tc := range []struct {
		units, offset, ts uint64
		want              int64 // ns since the epoch
	}{
		{1e6, 0, 1_709_632_800_123_456, 1_709_632_800_123_456_000},
		{1e9, 0, 1_709_632_800_123_456_789, 1_709_632_800_123_456_789},
		{1, 0, 1_709_632_800, 1_709_632_800_000_000_000},
		{1e12, 0, 1_500_000_000_001, 1_500_000_000},
		{1 << 20, 0, 3 << 19, 1_500_000_000},
		{1 << 63, 0, 1<<63 + 1<<61, 1_250_000_000},
		{1e6, 1_709_632_800, 500_000, 1_709_632_800_500_000_000},
	} {
		f := ngIface{units: tc.units, offset: tc.offset}
		if got := f.time(tc.ts).UnixNano(); got != tc.want {
			t.Errorf("%d units/s, offset %d, ts %d: %d ns, want %d", tc.units, tc.offset, tc.ts, got, tc.want)
		}
	}
}

// TestPcapngVersion: a section in a version the reader does not know is
// an error naming it, not a capture without packets.
func TestPcapngVersion(t *testing.T) {
	for _, v := range []struct {
		major, minor uint16
		ok           bool
	}{{1, 0, true}, {1, 2, true}, {1, 1, false}, {2, 0, false}} {
		b := ngFile(nil, 65535)
		binary.LittleEndian.PutUint16(b[12:], v.major)
		binary.LittleEndian.PutUint16(b[14:], v.minor)
		fa, err := AnalyzeReader(context.Background(), "v.pcapng", bytes.NewReader(b), Options{})
		if v.ok != (err == nil) || v.ok != (fa.Counts.Packets == 1) {
			t.Errorf("version %d.%d: err %v, %d packets", v.major, v.minor, err, fa.Counts.Packets)
		}
		if !v.ok && !strings.Contains(fmt.Sprint(err), fmt.Sprintf("version %d.%d is not supported", v.major, v.minor)) {
			t.Errorf("version %d.%d: err %v", v.major, v.minor, err)
		}
	}
}

// FuzzPcapng feeds arbitrary bytes to the pcapng reader alone: no panic,
// every packet within its bounds, the interface table within its cap.
func FuzzPcapng(f *testing.F) {
	var flood bytes.Buffer
	if err := pcapgen.WriteIDBFlood(&flood, 3); err != nil {
		f.Fatal(err)
	}
	f.Add(flood.Bytes())
	f.Add(ngFile(nil, 65535))
	f.Add(ngFile([]byte{9, 0, 1, 0, 0x94, 0, 0, 0, 14, 0, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0}, 0xffffffff))
	if b, err := os.ReadFile("testdata/seed_case2.pcapng"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 4 || binary.LittleEndian.Uint32(data) != ngSHB {
			return
		}
		src, err := newNgSource(bufio.NewReader(bytes.NewReader(data)))
		if err != nil {
			return
		}
		for {
			pkt, ci, _, err := src.next()
			if err != nil {
				break
			}
			if len(pkt) != ci.CaptureLength || ci.CaptureLength > maxPacket {
				t.Fatalf("packet of %d bytes, captured length %d", len(pkt), ci.CaptureLength)
			}
			if len(src.g.ifaces) > maxInterfaces || src.g.off > int64(len(data)) {
				t.Fatalf("%d interfaces, offset %d of %d", len(src.g.ifaces), src.g.off, len(data))
			}
		}
	})
}
