package capture

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// pcapRecords returns the offset of every record of a little-endian pcap.
func pcapRecords(b []byte) []int {
	var offs []int
	for off := 24; off+16 <= len(b); {
		offs = append(offs, off)
		off += 16 + int(binary.LittleEndian.Uint32(b[off+8:]))
	}
	return offs
}

// ngBlocks returns the offset and type of every pcapng block.
func ngBlocks(b []byte) (offs []int, types []uint32) {
	for off := 0; off+8 <= len(b); {
		offs = append(offs, off)
		types = append(types, binary.LittleEndian.Uint32(b[off:]))
		off += int(binary.LittleEndian.Uint32(b[off+4:]))
	}
	return offs, types
}

func TestBrokenCaptures(t *testing.T) {
	pcap, _ := build(t, "seed_case2.pcap")
	recs := pcapRecords(pcap)
	ng, _ := build(t, "seed_case2.pcapng")
	blocks, types := ngBlocks(ng)
	var epbs []int
	for i, ty := range types {
		if ty == ngEPB {
			epbs = append(epbs, blocks[i])
		}
	}
	mod := func(b []byte, f func([]byte)) []byte {
		c := append([]byte(nil), b...)
		f(c)
		return c
	}
	cases := []struct {
		name    string
		data    []byte
		packets int   // analysed before the problem
		packet  int   // in the error; -1: no error
		offset  int   // in the error
		is      error // errors.Is target, if any
		msg     string
	}{
		{"pcap cut inside record 10", pcap[:recs[9]+20], 9, 10, recs[9], ErrTruncated, "ends in the middle of a record"},
		{"pcap cut inside record header 10", pcap[:recs[9]+7], 9, 10, recs[9], ErrTruncated, ""},
		{"pcap cut at a record boundary", pcap[:recs[9]], 9, -1, 0, nil, ""},
		{"pcap cut inside the file header", pcap[:10], 0, 0, 0, ErrTruncated, "file header"},
		{"empty file", nil, 0, 0, 0, nil, "empty"},
		{"bad magic", mod(pcap, func(b []byte) { copy(b, "GIF8") }), 0, 0, 0, nil, "not a pcap or pcapng file"},
		{"garbage record: huge length", mod(pcap, func(b []byte) { binary.LittleEndian.PutUint32(b[recs[4]+8:], 0x7fffffff) }), 4, 5, recs[4], nil, "garbage record"},
		{"garbage record: captured > original", mod(pcap, func(b []byte) { binary.LittleEndian.PutUint32(b[recs[4]+12:], 10) }), 4, 5, recs[4], nil, "garbage record"},
		{"pcapng cut inside packet 10", ng[:epbs[9]+30], 9, 10, epbs[9], ErrTruncated, "block at offset"},
		{"pcapng bad block length", mod(ng, func(b []byte) { binary.LittleEndian.PutUint32(b[epbs[6]+4:], 13) }), 6, 7, epbs[6], nil, "bad length 13"},
		{"pcapng block length beyond the file", mod(ng, func(b []byte) { binary.LittleEndian.PutUint32(b[epbs[6]+4:], 0x00100000) }), 6, 7, epbs[6], ErrTruncated, ""},
		{"pcapng huge block length", mod(ng, func(b []byte) { binary.LittleEndian.PutUint32(b[epbs[6]+4:], 0xfffffff0) }), 6, 7, epbs[6], nil, "too large"},
		{"pcapng captured length beyond the block", mod(ng, func(b []byte) { binary.LittleEndian.PutUint32(b[epbs[3]+20:], 5000) }), 3, 4, epbs[3], nil, "does not fit"},
		{"pcapng trailer mismatch", mod(ng, func(b []byte) {
			n := binary.LittleEndian.Uint32(b[epbs[2]+4:])
			binary.LittleEndian.PutUint32(b[epbs[2]+int(n)-4:], n+4)
		}), 2, 3, epbs[2], nil, "trailing length"},
		{"pcapng without section header", ng[blocks[1]:], 0, 0, 0, nil, "not a pcap or pcapng file"},
		{"pcapng bad byte-order magic", mod(ng, func(b []byte) { copy(b[8:], "XXXX") }), 0, 0, 0, nil, "byte-order magic"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fa, err := AnalyzeReader(context.Background(), "broken.cap", bytes.NewReader(tc.data), Options{})
			if fa == nil {
				t.Fatalf("no partial analysis (err %v)", err)
			}
			if fa.Counts.Packets != tc.packets {
				t.Errorf("%d packets analysed, want %d", fa.Counts.Packets, tc.packets)
			}
			if tc.packet < 0 {
				if err != nil || fa.Error != "" {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var re *ReadError
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not a *ReadError", err)
			}
			if re.File != "broken.cap" || re.Packet != tc.packet || (tc.packet > 0 && re.Offset != int64(tc.offset)) {
				t.Errorf("error at %s packet %d offset %d, want packet %d offset %d: %v", re.File, re.Packet, re.Offset, tc.packet, tc.offset, err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "broken.cap: ") || !strings.Contains(msg, tc.msg) {
				t.Errorf("message %q lacks %q", msg, tc.msg)
			}
			if tc.packet > 0 && !strings.Contains(msg, fmt.Sprintf("packet %d (offset %d)", tc.packet, tc.offset)) {
				t.Errorf("message %q does not locate the record", msg)
			}
			if fa.Error != msg {
				t.Errorf("FileAnalysis.Error %q, want %q", fa.Error, msg)
			}
		})
	}
}

// TestPartialKeepsAnalysis: what came before a broken record still
// yields its verdicts.
func TestPartialKeepsAnalysis(t *testing.T) {
	pcap, _ := build(t, "seed_case2.pcap")
	recs := pcapRecords(pcap)
	// Cut inside the last record (the phone's final ACK).
	fa, err := AnalyzeReader(context.Background(), "cut.pcap", bytes.NewReader(pcap[:recs[len(recs)-1]+5]), Options{})
	if err == nil {
		t.Fatal("no error for a cut file")
	}
	lost := 0
	for _, v := range fa.Verdicts {
		if v.ID == "registration-lost" {
			lost++
		}
	}
	if lost != 1 || fa.Counts.TCPRetransmissions != 9 {
		t.Errorf("partial analysis lost its findings: %d lost, %d retransmissions", lost, fa.Counts.TCPRetransmissions)
	}
}

func TestGzip(t *testing.T) {
	pcap, tr := build(t, "seed_case2.pcap")
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(pcap)
	zw.Close()
	fa, err := AnalyzeReader(context.Background(), "seed.pcap.gz", &z, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fa.Counts.Packets != tr.Packets || fa.Counts.TCPRetransmissions != tr.TCPRetransmissions {
		t.Errorf("gzip: %+v", fa.Counts)
	}
}

// ngFile builds a pcapng with one interface (with the given options) and
// one Ethernet packet.
func ngFile(idbOpts []byte, snap uint32) []byte {
	le := binary.LittleEndian
	var b bytes.Buffer
	shb := make([]byte, 28)
	le.PutUint32(shb[0:], ngSHB)
	le.PutUint32(shb[4:], 28)
	le.PutUint32(shb[8:], 0x1A2B3C4D)
	le.PutUint16(shb[12:], 1)
	le.PutUint64(shb[16:], ^uint64(0))
	le.PutUint32(shb[24:], 28)
	b.Write(shb)
	n := 20 + len(idbOpts)
	idb := make([]byte, n)
	le.PutUint32(idb[0:], ngIDB)
	le.PutUint32(idb[4:], uint32(n))
	le.PutUint16(idb[8:], 1)
	le.PutUint32(idb[12:], snap)
	copy(idb[16:], idbOpts)
	le.PutUint32(idb[n-4:], uint32(n))
	b.Write(idb)
	pkt := make([]byte, 60)
	copy(pkt[12:], []byte{0x08, 0x06})
	n = 32 + len(pkt)
	epb := make([]byte, n)
	le.PutUint32(epb[0:], ngEPB)
	le.PutUint32(epb[4:], uint32(n))
	le.PutUint32(epb[20:], uint32(len(pkt)))
	le.PutUint32(epb[24:], uint32(len(pkt)))
	copy(epb[28:], pkt)
	le.PutUint32(epb[n-4:], uint32(n))
	b.Write(epb)
	return b.Bytes()
}

// TestPcapngGuard: values pcapgo would trust (a zero timestamp divisor,
// a 4 GiB snaplen, options running out of their block) are refused or
// neutralised, never a panic or a huge allocation.
func TestPcapngGuard(t *testing.T) {
	opt := func(code uint16, v ...byte) []byte {
		o := make([]byte, 4+(len(v)+3)&^3)
		binary.LittleEndian.PutUint16(o[0:], code)
		binary.LittleEndian.PutUint16(o[2:], uint16(len(v)))
		copy(o[4:], v)
		return o
	}
	end := []byte{0, 0, 0, 0}
	cases := []struct {
		name string
		data []byte
		err  string // "" = must read the packet
	}{
		{"plain", ngFile(nil, 65535), ""},
		{"microsecond resolution", ngFile(append(opt(9, 6), end...), 65535), ""},
		{"4 GiB snaplen", ngFile(nil, 0xffffffff), ""},
		{"binary resolution 2^-127", ngFile(append(opt(9, 0xff), end...), 65535), "resolution"},
		{"decimal resolution 10^-100", ngFile(append(opt(9, 100), end...), 65535), "resolution"},
		{"empty resolution option", ngFile(append(opt(9), end...), 65535), "if_tsresol"},
		{"option overruns block", ngFile([]byte{2, 0, 0x40, 0}, 65535), "overruns"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fa, err := AnalyzeReader(context.Background(), "x.pcapng", bytes.NewReader(tc.data), Options{})
			if tc.err == "" {
				if err != nil || fa.Counts.Packets != 1 {
					t.Fatalf("packets %d, err %v", fa.Counts.Packets, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err %v, want %q", err, tc.err)
			}
		})
	}
}
