package clidump

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The EPC family's lines. A header starts a packet and says which layout
// it is in; rows carry the bytes.
var (
	// "  1   0.000000 192.168.200.1 -> 192.168.200.122 TCP 60 ..."
	epcSummary = regexp.MustCompile(`^\s*(\d+)\s+(\d+\.\d+)\s+\S`)
	// "0" alone: IOS-XE 16 routers number packets from 0.
	epcNumber = regexp.MustCompile(`^\s*(\d+)$`)
	// "22:45:44.700 UTC Nov 27 2021 : IPv4 LES CEF : Fa4.320 None"
	epcClassic = regexp.MustCompile(`^\s*(\d{1,2}):(\d{2}):(\d{2})\.(\d{1,9}) (\S+) ([A-Za-z]{3}) +(\d{1,2}) (\d{4}) :`)
	// "  0000:  00000C07 AC154C5D ..." (IOS-XE 16 routers)
	epcWordRow = regexp.MustCompile(`^\s*([0-9A-Fa-f]{4}):(\s.*)$`)
	// "0F1A2C10: 568494FB 08004588 ..." (classic IOS: buffer addresses)
	epcAddrRow = regexp.MustCompile(`^\s*([0-9A-Fa-f]{8}):(\s.*)$`)
	// "0000  6c 5e 3b ..." (Catalyst 16, IOS-XE 17)
	epcByteRow = regexp.MustCompile(`^\s*([0-9A-Fa-f]{4})(\s.*)$`)
)

// epcPacket is a packet being read.
type epcPacket struct {
	Packet
	layout Layout
	num    int
	base   uint64 // classic IOS: the buffer address of the first byte
	ended  bool   // a blank or other line closed it
}

type epcParser struct {
	o       Options
	pkts    []epcPacket
	cur     *epcPacket
	lastNum int
	notes   []string
	empty   emptyPackets
}

func newEPCParser(o Options) *epcParser { return &epcParser{o: o, lastNum: -1} }

func (p *epcParser) errf(n int, format string, args ...any) error {
	return &Error{Name: p.o.Name, Line: n, Msg: fmt.Sprintf(format, args...)}
}

func (p *epcParser) line(n int, s string) error {
	if strings.TrimSpace(s) == "" {
		if p.cur != nil && len(p.cur.Data) > 0 {
			p.cur.ended = true
		}
		return nil
	}
	if m := epcAddrRow.FindStringSubmatch(s); m != nil {
		return p.classicRow(n, m[1], m[2])
	}
	if m := epcWordRow.FindStringSubmatch(s); m != nil {
		return p.row(n, m[1], m[2], wordGroups, EPCXE16)
	}
	if hdr, err := p.header(n, s); hdr || err != nil {
		return err
	}
	if m := epcByteRow.FindStringSubmatch(s); m != nil {
		if b, err := decodeRow(m[2], bytesGroups, rowBytes); err == nil {
			return p.add(n, m[1], b, EPCXE17)
		}
	}
	// Banners ("Starting the packet display ..."), a prompt, or the rest
	// of a summary line the terminal wrapped: between a header and its
	// first row such a line belongs to the header.
	if p.cur != nil && len(p.cur.Data) > 0 {
		p.cur.ended = true
	}
	return nil
}

// header reads a packet's first line, if s is one.
func (p *epcParser) header(n int, s string) (bool, error) {
	var layout Layout
	var t time.Time
	num := -1
	if m := epcSummary.FindStringSubmatch(s); m != nil {
		rel, ok := seconds(m[2])
		if !ok {
			return false, nil
		}
		layout, t = EPCSummary, p.o.Start.Add(rel)
		num, _ = strconv.Atoi(m[1])
	} else if m := epcNumber.FindStringSubmatch(s); m != nil {
		layout = EPCXE16
		num, _ = strconv.Atoi(m[1])
	} else if m := epcClassic.FindStringSubmatch(s); m != nil {
		var err error
		if t, err = p.classicTime(m); err != nil {
			return true, p.errf(n, "%v", err)
		}
		layout = EPCClassic
	} else {
		return false, nil
	}
	if num >= 0 {
		if num <= p.lastNum {
			return true, p.errf(n, "packet %d after packet %d", num, p.lastNum)
		}
		p.lastNum = num
	}
	return true, p.start(n, layout, num, t)
}

// classicTime reads "HH:MM:SS.mmm TZ Mon D YYYY". A zone other than UTC
// or GMT is taken as UTC and noted: intervals stay right either way.
func (p *epcParser) classicTime(m []string) (time.Time, error) {
	day, err := time.Parse("Jan 2 2006", m[6]+" "+m[7]+" "+m[8])
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	s, _ := strconv.Atoi(m[3])
	if err != nil || h > 23 || mi > 59 || s > 60 {
		return time.Time{}, fmt.Errorf("packet time %q is not a date and time", strings.Join(m[1:9], " "))
	}
	if z := strings.ToUpper(m[5]); z != "UTC" && z != "GMT" {
		p.note(fmt.Sprintf("time zone %s read as UTC", m[5]))
	}
	return day.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(s)*time.Second + fraction(m[4])), nil
}

func (p *epcParser) note(s string) {
	for _, n := range p.notes {
		if n == s {
			return
		}
	}
	p.notes = append(p.notes, s)
}

func (p *epcParser) start(n int, layout Layout, num int, t time.Time) error {
	if len(p.pkts) >= p.o.MaxPackets {
		return p.errf(n, "more than %d packets", p.o.MaxPackets)
	}
	if p.cur != nil && len(p.cur.Data) == 0 {
		p.empty.add(p.cur.Line)
		p.pkts = p.pkts[:len(p.pkts)-1]
	}
	p.pkts = append(p.pkts, epcPacket{Packet: Packet{Time: t, Line: n}, layout: layout, num: num})
	p.cur = &p.pkts[len(p.pkts)-1]
	return nil
}

// row adds a row whose offset counts from the packet's first byte.
func (p *epcParser) row(n int, off, body string, ok groupWidths, layout Layout) error {
	b, err := decodeRow(body, ok, rowBytes)
	if err != nil {
		return p.errf(n, "%v", err)
	}
	return p.add(n, off, b, layout)
}

func (p *epcParser) add(n int, off string, b []byte, layout Layout) error {
	o, _ := strconv.ParseUint(off, 16, 32)
	if o == 0 && (p.cur == nil || len(p.cur.Data) > 0) {
		// IOS-XE 17 prints no header: offset 0 starts the next packet.
		if err := p.start(n, "", -1, time.Time{}); err != nil {
			return err
		}
		p.cur.rowLayout(layout)
	}
	if p.cur == nil || p.cur.ended && o != 0 {
		return p.errf(n, "hex row at offset 0x%x outside a packet (the rows before it are missing)", o)
	}
	if p.cur.layout == "" {
		p.cur.rowLayout(layout)
	}
	if int(o) != len(p.cur.Data) {
		return p.errf(n, "offset 0x%x, want 0x%x (a line is missing or garbled)", o, len(p.cur.Data))
	}
	return p.append(n, b)
}

func (c *epcPacket) rowLayout(l Layout) {
	if c.layout == "" {
		c.layout = l
	}
}

func (p *epcParser) append(n int, b []byte) error {
	if len(p.cur.Data)+len(b) > MaxFrame {
		return p.errf(n, "frame longer than %d bytes", MaxFrame)
	}
	p.cur.Data = append(p.cur.Data, b...)
	return nil
}

// classicRow adds a classic IOS row: its address is where the row's first
// column lies in the capture buffer, and a packet's first row may start
// mid-row (blank columns before its first group).
func (p *epcParser) classicRow(n int, addr, body string) error {
	a, _ := strconv.ParseUint(addr, 16, 64)
	lead := len(body) - len(strings.TrimLeft(body, " "))
	b, err := decodeRow(body, wordGroups, rowBytes)
	if err != nil {
		return p.errf(n, "%v", err)
	}
	if p.cur == nil || p.cur.ended {
		return p.errf(n, "hex row at address %s outside a packet (its header line is missing)", addr)
	}
	if len(p.cur.Data) == 0 {
		// Columns are 9 wide (8 digits and a space) after ": ".
		if (lead-1)%9 != 0 || (lead-1)/9 > 3 {
			return p.errf(n, "first row of a packet starts at column %d, not at a group", lead)
		}
		skip := uint64((lead - 1) / 9 * 4)
		if int(skip)+len(b) > rowBytes {
			return p.errf(n, "row holds more than %d bytes", rowBytes)
		}
		p.cur.base = a + skip
		p.cur.rowLayout(EPCClassic)
		return p.append(n, b)
	}
	if want := p.cur.base + uint64(len(p.cur.Data)); a != want {
		return p.errf(n, "address %s, want %08X (a line is missing or garbled)", addr, want)
	}
	return p.append(n, b)
}

func (p *epcParser) finish() (*Dump, error) {
	if p.cur != nil && len(p.cur.Data) == 0 {
		p.empty.add(p.cur.Line)
		p.pkts = p.pkts[:len(p.pkts)-1]
	}
	if n := p.empty.note(); n != "" {
		p.notes = append(p.notes, n)
	}
	if len(p.pkts) == 0 {
		return nil, &Error{Name: p.o.Name, Msg: fmt.Sprintf("%v: no EPC hex rows", ErrNotDump)}
	}
	d := &Dump{Layout: p.pkts[0].layout, Notes: p.notes}
	for i, c := range p.pkts {
		if c.layout != d.Layout {
			return nil, &Error{Name: p.o.Name, Line: c.Line, Msg: fmt.Sprintf("packet %d is in the %s layout, packet 1 in the %s layout (a header line is missing or garbled)", i+1, c.layout, d.Layout)}
		}
		d.Packets = append(d.Packets, c.Packet)
	}
	switch d.Layout {
	case EPCSummary:
		d.Timing = TimingRelative
	case EPCClassic:
		d.Timing = TimingAbsolute
	default:
		d.Timing = TimingNone
		for i := range d.Packets {
			d.Packets[i].Time = SyntheticTime(i)
		}
	}
	return d, nil
}
