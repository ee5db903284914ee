package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"time"

	"github.com/google/gopacket"
)

// pcapng block types the reader uses.
const (
	ngSHB = 0x0A0D0D0A
	ngIDB = 0x00000001
	ngPB  = 0x00000002 // obsolete Packet Block
	ngSPB = 0x00000003
	ngISB = 0x00000005
	ngEPB = 0x00000006
)

// maxBlock bounds the blocks the reader buffers; a packet block also has
// its captured length bounded by maxPacket.
const maxBlock = 4 << 20

// maxInterfaces bounds the interfaces one section may describe. Obsolete
// packet blocks address 2^16; real captures have a handful. Past it the
// file is refused: a million 20-byte interface blocks must not cost more
// than the file.
const maxInterfaces = 1 << 16

// ngIface is what a packet needs of its interface description: 24 bytes
// whatever names, filters or statistics the block carries.
type ngIface struct {
	offset uint64 // if_tsoffset, seconds
	units  uint64 // timestamp units per second, from if_tsresol
	snap   uint32 // 0: no limit
	link   uint16
}

// time converts a packet's timestamp. The fraction is scaled in 128
// bits: exact for binary resolutions too (pcapgo scaled 2^-20 by 953).
func (f *ngIface) time(ts uint64) time.Time {
	hi, lo := bits.Mul64(ts%f.units, 1e9)
	ns, _ := bits.Div64(hi, lo, f.units) // hi < units: the quotient is below 1e9
	return time.Unix(int64(ts/f.units+f.offset), int64(ns)).UTC()
}

// ngReader reads pcapng block by block and validates each block before
// using it, naming the block's offset in its errors. pcapgo's reader
// trusts lengths and option values from the file (a hostile or corrupt
// block could make it allocate gigabytes, read across block boundaries or
// divide by a zero timestamp resolution) and keeps every interface's
// names, options and statistics, about thirty times the size of its block.
type ngReader struct {
	r        *bufio.Reader
	off      int64 // bytes consumed from r
	blockOff int64 // offset of the block last read
	buf      []byte
	big      bool      // byte order of the current section
	ifaces   []ngIface // the interfaces of the current section
	blocks   int
}

func (g *ngReader) u16(b []byte) uint16 {
	if g.big {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (g *ngReader) u32(b []byte) uint32 {
	if g.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (g *ngReader) u64(b []byte) uint64 {
	if g.big {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}

// errorf locates a problem in the block last read.
func (g *ngReader) errorf(typ uint32, format string, args ...any) error {
	return fmt.Errorf("block at offset %d (type %#x): %w", g.blockOff, typ, fmt.Errorf(format, args...))
}

// packet returns the next packet: data points into the reader's buffer,
// valid until the next call. Section headers and interface descriptions
// on the way are taken in; other blocks are skipped.
func (g *ngReader) packet() ([]byte, gopacket.CaptureInfo, uint32, error) {
	for {
		typ, err := g.nextBlock()
		if err != nil {
			return nil, gopacket.CaptureInfo{}, 0, err
		}
		switch typ {
		case ngSHB:
			if err := g.section(); err != nil {
				return nil, gopacket.CaptureInfo{}, 0, err
			}
		case ngIDB:
			if err := g.iface(); err != nil {
				return nil, gopacket.CaptureInfo{}, 0, err
			}
		case ngISB:
			if id := g.u32(g.buf[8:12]); int64(id) >= int64(len(g.ifaces)) {
				return nil, gopacket.CaptureInfo{}, 0, g.errorf(typ, "statistics for interface %d, which the section does not describe (%d interfaces)", id, len(g.ifaces))
			}
		case ngEPB, ngPB, ngSPB:
			return g.decodePacket(typ)
		}
	}
}

// section starts a section (nextBlock read its byte order). Its version
// must be 1.0, or 1.2 that some old writers put there, as libpcap and
// Wireshark require: a section in another format cannot be read, and
// skipping it would report a capture without packets.
func (g *ngReader) section() error {
	b := g.buf
	if major, minor := g.u16(b[12:14]), g.u16(b[14:16]); major != 1 || (minor != 0 && minor != 2) {
		return g.errorf(ngSHB, "pcapng version %d.%d is not supported (1.0 is)", major, minor)
	}
	g.ifaces = g.ifaces[:0]
	return nil
}

// iface takes in an interface description block (validated).
func (g *ngReader) iface() error {
	if len(g.ifaces) >= maxInterfaces {
		return g.errorf(ngIDB, "more than %d interfaces in one section", maxInterfaces)
	}
	b := g.buf
	f := ngIface{link: g.u16(b[8:10]), snap: g.u32(b[12:16]), units: 1e6}
	if f.snap > maxPacket {
		// A snaplen is a bound, not a promise: 0 means none.
		f.snap = 0
	}
	// validate checked both options' sizes and ranges.
	g.options(b[16:len(b)-4], func(code uint16, v []byte) error {
		switch code {
		case 9: // if_tsresol: a negative power of 2 or of 10
			f.units = 1
			if v[0]&0x80 != 0 {
				f.units <<= v[0] & 0x7f
			} else {
				for i := byte(0); i < v[0]; i++ {
					f.units *= 10
				}
			}
		case 14: // if_tsoffset
			f.offset = g.u64(v)
		}
		return nil
	})
	g.ifaces = append(g.ifaces, f)
	return nil
}

// decodePacket reads an enhanced, obsolete or simple packet block
// (validated).
func (g *ngReader) decodePacket(typ uint32) ([]byte, gopacket.CaptureInfo, uint32, error) {
	b := g.buf
	var ci gopacket.CaptureInfo
	if typ == ngSPB {
		// No interface id and no timestamp: interface 0, its snaplen.
		if len(g.ifaces) == 0 {
			return nil, ci, 0, g.errorf(typ, "simple packet block before any interface description")
		}
		ci.Length = int(g.u32(b[8:12]))
		ci.CaptureLength = ci.Length
		if s := g.ifaces[0].snap; s != 0 && uint32(ci.CaptureLength) > s {
			ci.CaptureLength = int(s)
		}
		return b[12 : 12+ci.CaptureLength], ci, uint32(g.ifaces[0].link), nil
	}
	id := g.u32(b[8:12])
	if typ == ngPB {
		id = uint32(g.u16(b[8:10]))
	}
	if int64(id) >= int64(len(g.ifaces)) {
		return nil, ci, 0, g.errorf(typ, "packet on interface %d, which the section does not describe (%d interfaces)", id, len(g.ifaces))
	}
	f := &g.ifaces[id]
	ci.InterfaceIndex = int(id)
	ci.Timestamp = f.time(uint64(g.u32(b[12:16]))<<32 | uint64(g.u32(b[16:20])))
	ci.CaptureLength = int(g.u32(b[20:24]))
	ci.Length = int(g.u32(b[24:28]))
	return b[28 : 28+ci.CaptureLength], ci, uint32(f.link), nil
}

// nextBlock reads the next block into buf when it is one the reader
// uses (and validates it), or skips it; io.EOF when the file ends
// between blocks.
func (g *ngReader) nextBlock() (uint32, error) {
	g.blockOff = g.off
	g.buf = g.buf[:0]
	hdr, err := g.r.Peek(12)
	if len(hdr) == 0 && err == io.EOF {
		return 0, io.EOF
	}
	if len(hdr) < 8 {
		if err == io.EOF {
			err = ErrTruncated
		}
		return 0, fmt.Errorf("block at offset %d: %w", g.blockOff, err)
	}
	typ := binary.LittleEndian.Uint32(hdr[0:4]) // palindromic for the SHB
	if typ == ngSHB {
		if len(hdr) < 12 {
			return typ, fmt.Errorf("section header at offset %d: %w", g.blockOff, ErrTruncated)
		}
		switch {
		case binary.BigEndian.Uint32(hdr[8:12]) == 0x1A2B3C4D:
			g.big = true
		case binary.LittleEndian.Uint32(hdr[8:12]) == 0x1A2B3C4D:
			g.big = false
		default:
			return typ, fmt.Errorf("section header at offset %d: bad byte-order magic % x", g.blockOff, hdr[8:12])
		}
	} else {
		typ = g.u32(hdr[0:4])
		if g.blocks == 0 {
			return typ, fmt.Errorf("offset 0: first block is not a section header (type %#x)", typ)
		}
	}
	length := g.u32(hdr[4:8])
	if length < 12 || length%4 != 0 {
		return typ, fmt.Errorf("block at offset %d (type %#x): bad length %d", g.blockOff, typ, length)
	}
	g.blocks++
	switch typ {
	case ngSHB, ngIDB, ngPB, ngSPB, ngISB, ngEPB:
	default:
		// Unknown and uninteresting blocks (name resolution, decryption
		// secrets, custom) are skipped unread.
		n, err := g.r.Discard(int(length))
		g.off += int64(n)
		if err != nil {
			if err == io.EOF {
				err = ErrTruncated
			}
			return typ, fmt.Errorf("block at offset %d (type %#x): %w", g.blockOff, typ, err)
		}
		return typ, nil
	}
	if length > maxBlock {
		return typ, fmt.Errorf("block at offset %d (type %#x): length %d is too large", g.blockOff, typ, length)
	}
	// Grow the buffer as the data comes: a corrupt length must not cost
	// its size in memory before the file proves to hold that much.
	err = nil
	for len(g.buf) < int(length) && err == nil {
		chunk := min(int(length)-len(g.buf), 64<<10)
		at := len(g.buf)
		g.buf = append(g.buf, make([]byte, chunk)...)[:at+chunk]
		var n int
		n, err = io.ReadFull(g.r, g.buf[at:])
		g.buf = g.buf[:at+n]
		g.off += int64(n)
	}
	if err != nil {
		g.buf = g.buf[:0]
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			err = ErrTruncated
		}
		return typ, fmt.Errorf("block at offset %d (type %#x): %w", g.blockOff, typ, err)
	}
	b := g.buf
	if t := g.u32(b[length-4:]); t != length {
		return typ, fmt.Errorf("block at offset %d (type %#x): trailing length %d differs from leading length %d", g.blockOff, typ, t, length)
	}
	if err := g.validate(typ, b); err != nil {
		return typ, g.errorf(typ, "%w", err)
	}
	return typ, nil
}

// validate checks that a block's fields and options fit it and hold
// values the reader can use.
func (g *ngReader) validate(typ uint32, b []byte) error {
	n := len(b)
	body := func(min int) error {
		if n < min {
			return fmt.Errorf("block too short (%d bytes)", n)
		}
		return nil
	}
	switch typ {
	case ngSHB:
		if err := body(28); err != nil {
			return err
		}
		return g.options(b[24:n-4], nil)
	case ngIDB:
		if err := body(20); err != nil {
			return err
		}
		return g.options(b[16:n-4], func(code uint16, v []byte) error {
			switch code {
			case 9: // if_tsresol
				if len(v) != 1 {
					return fmt.Errorf("if_tsresol has %d bytes", len(v))
				}
				if exp := v[0] & 0x7f; (v[0]&0x80 != 0 && exp > 63) || (v[0]&0x80 == 0 && exp > 18) {
					return fmt.Errorf("timestamp resolution %#x out of range", v[0])
				}
			case 14: // if_tsoffset
				if len(v) != 8 {
					return fmt.Errorf("if_tsoffset has %d bytes", len(v))
				}
			}
			return nil
		})
	case ngEPB, ngPB:
		if err := body(32); err != nil {
			return err
		}
		capLen := g.u32(b[20:24])
		if capLen > maxPacket || int(capLen) > n-32 {
			return fmt.Errorf("captured length %d does not fit", capLen)
		}
	case ngSPB:
		if err := body(16); err != nil {
			return err
		}
		capLen := g.u32(b[8:12])
		if len(g.ifaces) > 0 && g.ifaces[0].snap != 0 && capLen > g.ifaces[0].snap {
			capLen = g.ifaces[0].snap
		}
		if capLen > maxPacket || int(capLen) > n-16 {
			return fmt.Errorf("packet length %d does not fit", capLen)
		}
	case ngISB:
		if err := body(24); err != nil {
			return err
		}
		return g.options(b[20:n-4], func(code uint16, v []byte) error {
			if code >= 2 && code <= 5 && len(v) != 8 {
				return fmt.Errorf("statistics option %d has %d bytes", code, len(v))
			}
			return nil
		})
	}
	return nil
}

var errOptions = errors.New("malformed options")

// options walks a block's options, which must end inside it.
func (g *ngReader) options(b []byte, fn func(code uint16, v []byte) error) error {
	for len(b) > 0 {
		if len(b) < 4 {
			return fmt.Errorf("%w: %d stray bytes", errOptions, len(b))
		}
		code, l := g.u16(b[0:2]), int(g.u16(b[2:4]))
		if code == 0 {
			return nil
		}
		padded := (l + 3) &^ 3
		if 4+padded > len(b) {
			return fmt.Errorf("%w: option %d (%d bytes) overruns the block", errOptions, code, l)
		}
		if fn != nil {
			if err := fn(code, b[4:4+l]); err != nil {
				return err
			}
		}
		b = b[4+padded:]
	}
	return nil
}
