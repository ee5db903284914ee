package capture

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/google/gopacket"
	"github.com/google/gopacket/pcapgo"
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

type pcapSource struct {
	r    *pcapgo.Reader
	lt   uint32 // from the header: pcapgo truncates link types to 8 bits
	off  int64  // offset of the next record
	last int64  // offset of the record last read
}

func newPcapSource(br *bufio.Reader) (*pcapSource, error) {
	var lt uint32
	if h, err := br.Peek(24); err == nil {
		if binary.LittleEndian.Uint32(h[0:4])&0xffff == 0xc3d4 || binary.LittleEndian.Uint32(h[0:4]) == 0xa1b23c4d {
			lt = binary.LittleEndian.Uint32(h[20:24])
		} else {
			lt = binary.BigEndian.Uint32(h[20:24])
		}
		// The upper bits hold FCS information (pcap-linktype(7)).
		lt &= 0x03ffffff
	}
	r, err := pcapgo.NewReader(br)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("pcap header: %w", ErrTruncated)
		}
		return nil, fmt.Errorf("pcap header: %w", err)
	}
	// pcapgo refuses records longer than the header's snaplen, which some
	// writers do not honour (Wireshark ignores it too); and it allocates
	// its buffer from the snaplen, which a garbage header sets to 4 GiB.
	r.SetSnaplen(maxPacket)
	return &pcapSource{r: r, off: 24, lt: lt}, nil
}

func (s *pcapSource) next() ([]byte, gopacket.CaptureInfo, uint32, error) {
	s.last = s.off
	data, ci, err := s.r.ZeroCopyReadPacketData()
	if err != nil {
		// A zero CaptureInfo means not even a byte of the record header
		// was there: the file ended cleanly between records.
		if err == io.EOF && ci.Timestamp.IsZero() {
			return nil, ci, 0, io.EOF
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, ci, 0, ErrTruncated
		}
		return nil, ci, 0, fmt.Errorf("garbage record: %w", err)
	}
	s.off += 16 + int64(ci.CaptureLength)
	return data, ci, s.lt, nil
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
