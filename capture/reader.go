package capture

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/gopacket"
)

// ReadError is a problem reading a capture file, located to the packet
// (1-based record number; 0 for the file header) and its byte offset in
// the (uncompressed) file.
type ReadError struct {
	File   string
	Packet int
	Offset int64
	Err    error
}

func (e *ReadError) Error() string {
	if e.Packet == 0 {
		return fmt.Sprintf("%s: file header: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s: packet %d (offset %d): %v", e.File, e.Packet, e.Offset, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// ErrTruncated is wrapped by ReadErrors for files that end in the middle
// of a record (a capture copied while still being written, or cut).
var ErrTruncated = errors.New("file ends in the middle of a record")

// maxPacket bounds one record: larger captured lengths are garbage, not
// packets (Wireshark's limit for most link types is 256 KiB).
const maxPacket = 256 << 10

// source yields packets one by one; data is only valid until the next
// call.
type source interface {
	next() (data []byte, ci gopacket.CaptureInfo, lt uint32, err error)
	// offset is the byte offset of the record that next last tried to
	// read.
	offset() int64
	format() string
	linkType() uint32
}

// openSource detects the format by its magic number: pcap (either byte
// order, micro- or nanosecond), pcapng, or either of them gzip-compressed.
func openSource(r io.Reader) (source, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, err := br.Peek(4)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("file is empty or shorter than a capture header (%d bytes)", len(magic))
		}
		return nil, err
	}
	if magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		br = bufio.NewReaderSize(zr, 64<<10)
		if magic, err = br.Peek(4); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
	}
	switch m := binary.LittleEndian.Uint32(magic); m {
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1:
		return newPcapSource(br)
	case 0x0a0d0d0a:
		return newNgSource(br)
	default:
		return nil, fmt.Errorf("not a pcap or pcapng file (magic %02x %02x %02x %02x)", magic[0], magic[1], magic[2], magic[3])
	}
}

// pcapSource reads classic pcap records straight from the buffered
// reader: each record is peeked and skipped, not copied, so a packet
// costs no read call and no copy (gopacket's pcapgo reads through a
// second buffer and copies every record). It checks what pcapgo checks,
// with its messages.
type pcapSource struct {
	br      *bufio.Reader
	order   binary.ByteOrder
	nanoMul uint32 // 1000 for microsecond captures, 1 for nanosecond
	lt      uint32
	off     int64 // offset of the next record
	last    int64 // offset of the record last read
}

func newPcapSource(br *bufio.Reader) (*pcapSource, error) {
	h, err := br.Peek(24)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("pcap header: %w", ErrTruncated)
		}
		return nil, fmt.Errorf("pcap header: %w", err)
	}
	s := &pcapSource{order: binary.ByteOrder(binary.LittleEndian), nanoMul: 1000, off: 24}
	switch binary.LittleEndian.Uint32(h[0:4]) {
	case 0xd4c3b2a1:
		s.order = binary.BigEndian
	case 0xa1b23c4d:
		s.nanoMul = 1
	case 0x4d3cb2a1:
		s.order, s.nanoMul = binary.BigEndian, 1
	}
	if v := s.order.Uint16(h[4:6]); v != 2 {
		return nil, fmt.Errorf("pcap header: Unknown major version %d", v)
	}
	if v := s.order.Uint16(h[6:8]); v != 4 {
		return nil, fmt.Errorf("pcap header: Unknown minor version %d", v)
	}
	// The upper bits hold FCS information (pcap-linktype(7)). The
	// snaplen is not enforced: some writers do not honour it (Wireshark
	// ignores it too), and a garbage header sets it to 4 GiB; maxPacket
	// bounds a record instead.
	s.lt = s.order.Uint32(h[20:24]) & 0x03ffffff
	if _, err := br.Discard(24); err != nil {
		return nil, fmt.Errorf("pcap header: %w", err)
	}
	// A record is peeked whole: the buffer must hold the largest.
	s.br = bufio.NewReaderSize(br, 16+maxPacket)
	return s, nil
}

func (s *pcapSource) next() ([]byte, gopacket.CaptureInfo, uint32, error) {
	var ci gopacket.CaptureInfo
	s.last = s.off
	h, err := s.br.Peek(16)
	if err != nil {
		switch {
		case err == io.EOF && len(h) == 0:
			// The file ended cleanly between records.
			return nil, ci, 0, io.EOF
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return nil, ci, 0, ErrTruncated
		}
		return nil, ci, 0, fmt.Errorf("garbage record: %w", err)
	}
	// The microseconds are scaled in 32 bits, as pcapgo does.
	ci.Timestamp = time.Unix(int64(s.order.Uint32(h[0:4])), int64(s.order.Uint32(h[4:8])*s.nanoMul)).UTC()
	ci.CaptureLength = int(s.order.Uint32(h[8:12]))
	ci.Length = int(s.order.Uint32(h[12:16]))
	if ci.CaptureLength > maxPacket {
		return nil, ci, 0, fmt.Errorf("garbage record: capture length exceeds snap length: %d > %d", ci.CaptureLength, maxPacket)
	}
	if ci.CaptureLength > ci.Length {
		return nil, ci, 0, fmt.Errorf("garbage record: capture length exceeds original packet length: %d > %d", ci.CaptureLength, ci.Length)
	}
	rec, err := s.br.Peek(16 + ci.CaptureLength)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, ci, 0, ErrTruncated
		}
		return nil, ci, 0, fmt.Errorf("garbage record: %w", err)
	}
	// Discarding what Peek returned cannot fail, and leaves rec valid
	// until the next Peek.
	s.br.Discard(len(rec))
	s.off += int64(len(rec))
	return rec[16:], ci, s.lt, nil
}

func (s *pcapSource) offset() int64    { return s.last }
func (s *pcapSource) format() string   { return "pcap" }
func (s *pcapSource) linkType() uint32 { return s.lt }

type ngSource struct {
	g     *ngReader
	first uint32
	seen  bool
}

func newNgSource(br *bufio.Reader) (*ngSource, error) {
	// openSource saw the section header's magic: nextBlock reads that
	// block or fails.
	g := &ngReader{r: br}
	if _, err := g.nextBlock(); err != nil {
		return nil, fmt.Errorf("pcapng section header: %w", err)
	}
	if err := g.section(); err != nil {
		return nil, fmt.Errorf("pcapng section header: %w", err)
	}
	return &ngSource{g: g}, nil
}

func (s *ngSource) next() ([]byte, gopacket.CaptureInfo, uint32, error) {
	data, ci, lt, err := s.g.packet()
	if err != nil {
		return nil, ci, 0, err
	}
	if !s.seen {
		s.first, s.seen = lt, true
	}
	return data, ci, lt, nil
}

func (s *ngSource) offset() int64    { return s.g.blockOff }
func (s *ngSource) format() string   { return "pcapng" }
func (s *ngSource) linkType() uint32 { return s.first }
