package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// pcapng block types the guard validates.
const (
	ngSHB = 0x0A0D0D0A
	ngIDB = 0x00000001
	ngPB  = 0x00000002 // obsolete Packet Block
	ngSPB = 0x00000003
	ngISB = 0x00000005
	ngEPB = 0x00000006
)

// maxBlock bounds the blocks the guard buffers; a packet block also has
// its captured length bounded by maxPacket.
const maxBlock = 4 << 20

// ngGuard sits between the file and pcapgo's pcapng reader and hands it
// one whole, validated block at a time. pcapgo trusts lengths and option
// values from the file: a hostile or corrupt block could make it allocate
// gigabytes, read across block boundaries or divide by a zero timestamp
// resolution. The guard rejects such blocks with an error that names the
// block's offset, and knows where each block starts for error messages.
type ngGuard struct {
	r        *bufio.Reader
	off      int64 // bytes consumed from r
	blockOff int64 // offset of the block being served
	buf      []byte
	pos      int
	stream   int64 // bytes left of a block passed through unbuffered
	big      bool  // byte order of the current section
	snaps    []uint32
	links    []uint32 // link type per interface of the current section
	blocks   int
	err      error
	cleanEOF bool
}

func (g *ngGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.pos < len(g.buf) {
		n := copy(p, g.buf[g.pos:])
		g.pos += n
		return n, nil
	}
	if g.stream > 0 {
		if int64(len(p)) > g.stream {
			p = p[:g.stream]
		}
		n, err := g.r.Read(p)
		g.stream -= int64(n)
		g.off += int64(n)
		if err != nil && g.stream > 0 {
			if err == io.EOF {
				err = fmt.Errorf("block at offset %d: %w", g.blockOff, ErrTruncated)
			}
			g.err = err
		}
		if n > 0 {
			return n, nil
		}
		return 0, g.err
	}
	if err := g.nextBlock(); err != nil {
		if err == io.EOF {
			g.cleanEOF = true
			return 0, io.EOF
		}
		g.err = err
		return 0, err
	}
	n := copy(p, g.buf)
	g.pos = n
	return n, nil
}

func (g *ngGuard) u16(b []byte) uint16 {
	if g.big {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (g *ngGuard) u32(b []byte) uint32 {
	if g.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (g *ngGuard) put32(b []byte, v uint32) {
	if g.big {
		binary.BigEndian.PutUint32(b, v)
	} else {
		binary.LittleEndian.PutUint32(b, v)
	}
}

func (g *ngGuard) nextBlock() error {
	g.blockOff = g.off
	g.buf, g.pos = g.buf[:0], 0
	hdr, err := g.r.Peek(12)
	if len(hdr) == 0 && err == io.EOF {
		return io.EOF
	}
	if len(hdr) < 8 {
		if err == io.EOF {
			err = ErrTruncated
		}
		return fmt.Errorf("block at offset %d: %w", g.blockOff, err)
	}
	typ := binary.LittleEndian.Uint32(hdr[0:4]) // palindromic for the SHB
	if typ == ngSHB {
		if len(hdr) < 12 {
			return fmt.Errorf("section header at offset %d: %w", g.blockOff, ErrTruncated)
		}
		switch {
		case binary.BigEndian.Uint32(hdr[8:12]) == 0x1A2B3C4D:
			g.big = true
		case binary.LittleEndian.Uint32(hdr[8:12]) == 0x1A2B3C4D:
			g.big = false
		default:
			return fmt.Errorf("section header at offset %d: bad byte-order magic % x", g.blockOff, hdr[8:12])
		}
		g.snaps = g.snaps[:0]
		g.links = g.links[:0]
	} else {
		typ = g.u32(hdr[0:4])
		if g.blocks == 0 {
			return fmt.Errorf("offset 0: first block is not a section header (type %#x)", typ)
		}
	}
	length := g.u32(hdr[4:8])
	if length < 12 || length%4 != 0 {
		return fmt.Errorf("block at offset %d (type %#x): bad length %d", g.blockOff, typ, length)
	}
	g.blocks++
	switch typ {
	case ngSHB, ngIDB, ngPB, ngSPB, ngISB, ngEPB:
	default:
		// Unknown and uninteresting blocks (name resolution, decryption
		// secrets, custom) stream through; pcapgo skips them.
		g.buf = append(g.buf, hdr[:8]...)
		if _, err := g.r.Discard(8); err != nil {
			return err
		}
		g.off += 8
		g.stream = int64(length) - 8
		return nil
	}
	if length > maxBlock {
		return fmt.Errorf("block at offset %d (type %#x): length %d is too large", g.blockOff, typ, length)
	}
	// Grow the buffer as the data comes: a corrupt length must not cost
	// its size in memory before the file proves to hold that much.
	g.buf = g.buf[:0]
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
		return fmt.Errorf("block at offset %d (type %#x): %w", g.blockOff, typ, err)
	}
	b := g.buf
	if t := g.u32(b[length-4:]); t != length {
		return fmt.Errorf("block at offset %d (type %#x): trailing length %d differs from leading length %d", g.blockOff, typ, t, length)
	}
	if err := g.validate(typ, b); err != nil {
		return fmt.Errorf("block at offset %d (type %#x): %w", g.blockOff, typ, err)
	}
	return nil
}

// validate checks what pcapgo would otherwise trust.
func (g *ngGuard) validate(typ uint32, b []byte) error {
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
		snap := g.u32(b[12:16])
		if snap > maxPacket {
			// pcapgo sizes its packet buffer from the snaplen; 0 means
			// "no limit" and makes it use each packet's own length.
			snap = 0
			g.put32(b[12:16], 0)
		}
		g.snaps = append(g.snaps, snap)
		g.links = append(g.links, uint32(g.u16(b[8:10])))
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
		if len(g.snaps) > 0 && g.snaps[0] != 0 && capLen > g.snaps[0] {
			capLen = g.snaps[0]
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
func (g *ngGuard) options(b []byte, fn func(code uint16, v []byte) error) error {
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
