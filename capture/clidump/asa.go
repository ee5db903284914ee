package clidump

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	// "   1: 20:40:01.108469       10.124.255.212 > 10.124.255.5 icmp: ..."
	asaHeader = regexp.MustCompile(`^\s*(\d+):\s+(\d{1,2}):(\d{2}):(\d{2})\.(\d{1,9})(?:\s|$)`)
	// "0x0000\t a453 0ef3 ...": only rows start with 0x, so a count line
	// ("1203 packets captured") can never pass for one.
	asaRow = regexp.MustCompile(`^\s*0x([0-9A-Fa-f]{4,8}):?(\s.*)$`)
	// "4599 packets captured", "1 packet shown", "1203 packets shown"
	asaCount = regexp.MustCompile(`^\s*(\d+) packets? (captured|shown)\b`)
)

type asaParser struct {
	o       Options
	d       Dump
	cur     *Packet
	rows    bool // cur has had rows: a line that is not one ends it
	lastNum int
	prevTOD time.Duration
	day     time.Time
	shown   int
	empty   emptyPackets
}

func newASAParser(o Options) *asaParser {
	s := o.Start
	return &asaParser{o: o, lastNum: 0, prevTOD: -1, shown: -1,
		day: time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, s.Location())}
}

func (p *asaParser) errf(n int, format string, args ...any) error {
	return &Error{Name: p.o.Name, Line: n, Msg: fmt.Sprintf(format, args...)}
}

func (p *asaParser) line(n int, s string) error {
	if m := asaRow.FindStringSubmatch(s); m != nil {
		return p.row(n, m[1], m[2])
	}
	if m := asaHeader.FindStringSubmatch(s); m != nil {
		return p.header(n, m)
	}
	if m := asaCount.FindStringSubmatch(s); m != nil {
		if m[2] == "shown" {
			p.shown, _ = strconv.Atoi(m[1])
		}
		p.end()
		return nil
	}
	// A blank line, the prompt, or the rest of a summary line wrapped
	// onto an indented continuation (TCP summaries of SIP segments run
	// past 80 columns): before the first row it belongs to the header.
	if p.rows || strings.TrimSpace(s) == "" {
		p.end()
	}
	return nil
}

func (p *asaParser) end() {
	if p.cur != nil && len(p.cur.Data) == 0 {
		p.empty.add(p.cur.Line)
		p.d.Packets = p.d.Packets[:len(p.d.Packets)-1]
	}
	p.cur, p.rows = nil, false
}

func (p *asaParser) header(n int, m []string) error {
	num, _ := strconv.Atoi(m[1])
	h, _ := strconv.Atoi(m[2])
	mi, _ := strconv.Atoi(m[3])
	s, _ := strconv.Atoi(m[4])
	if h > 23 || mi > 59 || s > 60 {
		return p.errf(n, "packet %d: time %s:%s:%s is not a time of day", num, m[2], m[3], m[4])
	}
	if num <= p.lastNum {
		return p.errf(n, "packet %d after packet %d", num, p.lastNum)
	}
	p.lastNum = num
	tod := time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(s)*time.Second + fraction(m[5])
	if p.prevTOD >= 0 && tod+time.Hour < p.prevTOD {
		p.day = p.day.AddDate(0, 0, 1) // the capture ran past midnight
	}
	p.prevTOD = tod
	p.end()
	if len(p.d.Packets) >= p.o.MaxPackets {
		return p.errf(n, "more than %d packets", p.o.MaxPackets)
	}
	p.d.Packets = append(p.d.Packets, Packet{Time: p.day.Add(tod), Line: n})
	p.cur = &p.d.Packets[len(p.d.Packets)-1]
	return nil
}

func (p *asaParser) row(n int, off, body string) error {
	o, _ := strconv.ParseUint(off, 16, 32)
	if p.cur == nil {
		return p.errf(n, "hex row 0x%s outside a packet (its header line is missing)", off)
	}
	if int(o) != len(p.cur.Data) {
		return p.errf(n, "offset 0x%x, want 0x%x (a line is missing or garbled)", o, len(p.cur.Data))
	}
	b, err := decodeRow(body, shortGroups, rowBytes)
	if err != nil {
		return p.errf(n, "%v", err)
	}
	if len(p.cur.Data)+len(b) > MaxFrame {
		return p.errf(n, "frame longer than %d bytes", MaxFrame)
	}
	p.cur.Data = append(p.cur.Data, b...)
	p.rows = true
	return nil
}

func (p *asaParser) finish() (*Dump, error) {
	p.end()
	if n := p.empty.note(); n != "" {
		p.d.Notes = append(p.d.Notes, n)
	}
	if len(p.d.Packets) == 0 {
		return nil, &Error{Name: p.o.Name, Msg: fmt.Sprintf("%v: no ASA hex rows", ErrNotDump)}
	}
	if p.shown >= 0 && p.shown != len(p.d.Packets) {
		p.d.Notes = append(p.d.Notes, fmt.Sprintf("the dump says %d packets shown, %d were read", p.shown, len(p.d.Packets)))
	}
	p.d.Layout, p.d.Timing = ASA, TimingTimeOfDay
	return &p.d, nil
}
