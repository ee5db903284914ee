// Package clidump reads and writes the packet dumps Cisco devices print
// on their CLI: IOS-XE Embedded Packet Capture's `show monitor capture
// NAME buffer dump` (and classic IOS's `show monitor capture buffer NAME
// dump`) and the ASA's `show capture NAME dump`. Engineers paste these
// into tickets; kaudit confirm fetches them over SSH. Each layout family
// has one parser (epc.go, asa.go); Detect picks the family of an unknown
// dump. Layouts that print no time per packet are read with synthetic
// times, and Dump.Timing says so: nothing may judge keepalive timing on
// them (brief.go can take the times from `buffer brief` instead).
package clidump

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Families a dump is read as (kaudit pcap import --from).
const (
	FamilyEPC  = "epc"
	FamilyASA  = "asa"
	FamilyAuto = "auto"
)

// Layout is one way a device prints a dump. Parsing reports the layout it
// read; Render prints any of them.
type Layout string

// The layouts, with where each is documented. None of them was found as
// a verbatim public transcript of a whole dump (see
// ../shared/corpus/capture-dumps/README.md); the shapes follow Wireshark's
// extcap/ciscodump.c and the public transcripts named per layout.
const (
	// EPCSummary: IOS-XE 16 Catalyst (3850, 9000): a Wireshark-style
	// summary line per packet ("  1   0.000000 A -> B TCP 60 ...", seconds
	// since the first packet), then "0000  6c 5e ..." rows of single bytes.
	EPCSummary Layout = "epc-summary"
	// EPCXE16: IOS-XE 16 routers: the packet number alone on a line
	// (from 0), then "  0000:  00000C07 AC154C5D ..." rows of 32-bit
	// groups; no time (ciscodump parse_line_ios_xe_16).
	EPCXE16 Layout = "epc-xe16"
	// EPCXE17: IOS-XE 17: "0000  6c 5e ..." rows only, packets separated
	// by a blank line; no summary, no time (ciscodump parse_line_ios_xe_17).
	EPCXE17 Layout = "epc-xe17"
	// EPCClassic: classic IOS 12.4/15: "22:45:44.700 UTC Nov 27 2021 :
	// IPv4 LES CEF : Fa4.320 None" per packet, then rows addressed by
	// buffer memory ("0F1A2C00:"), the first possibly starting mid-row,
	// 32-bit groups, an ASCII column with the high bit stripped
	// (ciscodump parse_line_ios).
	EPCClassic Layout = "epc-ios"
	// ASA: "N packets captured", "   1: 20:40:01.108469  summary" per
	// packet (time of day), "0x0000\t a453 0ef3 ...\t.S..." rows of 16-bit
	// groups, "N packets shown" (ASA CLI guide; ciscodump parse_line_asa).
	ASA Layout = "asa"
	// ASASpace: the ASA layout with single spaces around the hex groups
	// instead of tabs, as ciscodump's comment shows it.
	ASASpace Layout = "asa-space"
)

// Layouts lists every layout Render prints.
func Layouts() []Layout {
	return []Layout{EPCSummary, EPCXE16, EPCXE17, EPCClassic, ASA, ASASpace}
}

// Family is the parser family that reads l.
func (l Layout) Family() string {
	if l == ASA || l == ASASpace {
		return FamilyASA
	}
	return FamilyEPC
}

// Describe names the layout for people.
func (l Layout) Describe() string {
	switch l {
	case EPCSummary:
		return "IOS-XE 16 Catalyst EPC dump (summary line per packet)"
	case EPCXE16:
		return "IOS-XE 16 EPC dump (packet number, 32-bit groups)"
	case EPCXE17:
		return "IOS-XE 17 EPC dump (hex rows only)"
	case EPCClassic:
		return "classic IOS EPC dump (buffer addresses)"
	case ASA, ASASpace:
		return "ASA capture dump"
	}
	return string(l)
}

// Timing is what a layout says about when each packet was captured.
type Timing int

const (
	// TimingNone: the layout prints no time; packets carry SyntheticTime.
	TimingNone Timing = iota
	// TimingRelative: seconds since the first packet, added to Options.Start.
	TimingRelative
	// TimingTimeOfDay: the time of day only, on Options.Start's date.
	TimingTimeOfDay
	// TimingAbsolute: date and time as the device printed them.
	TimingAbsolute
)

func (t Timing) String() string {
	switch t {
	case TimingRelative:
		return "relative to the first packet"
	case TimingTimeOfDay:
		return "time of day"
	case TimingAbsolute:
		return "date and time"
	}
	return "none"
}

// SyntheticTime is packet i's time when the dump has none: 1 µs apart
// from the Unix epoch, so that nobody mistakes them for real times.
func SyntheticTime(i int) time.Time {
	return time.Unix(0, 0).UTC().Add(time.Duration(i) * time.Microsecond)
}

// Packet is one frame of a dump (Ethernet on every layout).
type Packet struct {
	Time time.Time
	Data []byte
	// Line is where the packet starts in the dump.
	Line int
}

// Dump is a parsed dump.
type Dump struct {
	Layout  Layout
	Timing  Timing
	Packets []Packet
	// Notes are what the reader should know but that did not stop the
	// parse: a trailer count that differs, a time zone taken as UTC, a
	// packet without bytes left out.
	Notes []string
}

// Synthetic says whether the packet times are made up (TimingNone).
func (d *Dump) Synthetic() bool { return d.Timing == TimingNone }

// Options tune Parse.
type Options struct {
	// Name is how errors name the dump (a file name); "dump" when empty.
	Name string
	// Start anchors times the dump does not fully give: the date of ASA
	// times of day, the base of relative times. Zero is the Unix epoch.
	Start time.Time
	// MaxPackets bounds the packets read (DefaultMaxPackets when 0).
	MaxPackets int
}

// DefaultMaxPackets bounds a dump's packets unless Options says
// otherwise: ten times confirm's default capture bound.
const DefaultMaxPackets = 100000

// MaxFrame bounds one frame: the largest snap length devices allow.
const MaxFrame = 65535

// maxLine bounds one line of a dump; a dump line is under 100 columns,
// so anything much longer is not a dump.
const maxLine = 64 << 10

// Error is a parse error naming the dump and line.
type Error struct {
	Name string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Name, e.Msg)
}

// ErrNotDump marks input in which no layout's hex rows were found.
var ErrNotDump = errors.New("not a capture dump")

// Parse reads a dump of family (FamilyEPC, FamilyASA or FamilyAuto).
func Parse(r io.Reader, family string, o Options) (*Dump, error) {
	if o.Name == "" {
		o.Name = "dump"
	}
	if o.MaxPackets <= 0 {
		o.MaxPackets = DefaultMaxPackets
	}
	if o.Start.IsZero() {
		o.Start = time.Unix(0, 0).UTC()
	}
	switch family {
	case FamilyEPC, FamilyASA:
		return parseFamily(r, family, o)
	case FamilyAuto, "":
		br := bufio.NewReaderSize(r, 64<<10)
		head, err := br.Peek(detectBytes)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, &Error{Name: o.Name, Msg: err.Error()}
		}
		f := Detect(head)
		if f == "" {
			return nil, &Error{Name: o.Name, Msg: fmt.Sprintf("%v: no EPC or ASA hex rows in its first %d bytes", ErrNotDump, len(head))}
		}
		return parseFamily(br, f, o)
	}
	return nil, fmt.Errorf("unknown dump family %q (want %s, %s or %s)", family, FamilyEPC, FamilyASA, FamilyAuto)
}

func parseFamily(r io.Reader, family string, o Options) (*Dump, error) {
	var p lineParser
	if family == FamilyASA {
		p = newASAParser(o)
	} else {
		p = newEPCParser(o)
	}
	if err := eachLine(r, o.Name, p.line); err != nil {
		return nil, err
	}
	return p.finish()
}

// lineParser is one family's reader: line takes each line (trailing
// blanks and CR removed), finish returns the dump.
type lineParser interface {
	line(n int, s string) error
	finish() (*Dump, error)
}

// eachLine feeds r to fn a line at a time, refusing binary data and
// over-long lines so that a wrong file fails at once, naming the line.
func eachLine(r io.Reader, name string, fn func(int, string) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	n := 0
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) || len(line) > maxLine {
			return &Error{Name: name, Line: n + 1, Msg: fmt.Sprintf("line longer than %d bytes: not a capture dump", maxLine)}
		}
		if len(line) > 0 {
			n++
			if bytes.IndexByte(line, 0) >= 0 {
				return &Error{Name: name, Line: n, Msg: "binary data (NUL byte): not a capture dump"}
			}
			if ferr := fn(n, strings.TrimRight(string(line), " \t\r\n")); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &Error{Name: name, Line: n, Msg: err.Error()}
		}
	}
}

// seconds reads "12.345678" exactly (no float rounding); ok is false past
// a billion seconds, which no capture spans.
func seconds(s string) (time.Duration, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1e9 || len(frac) > 9 {
		return 0, false
	}
	return time.Duration(w)*time.Second + fraction(frac), true
}

// fraction reads the digits after a decimal point as nanoseconds.
func fraction(digits string) time.Duration {
	if len(digits) > 9 {
		digits = digits[:9]
	}
	ns, _ := strconv.Atoi(digits + strings.Repeat("0", 9-len(digits)))
	return time.Duration(ns)
}

// emptyPackets counts header lines no hex row followed (a capture of
// summaries only, or a paste cut short): such packets are left out, and
// one note says so however many there were.
type emptyPackets struct{ n, first int }

func (e *emptyPackets) add(line int) {
	if e.n == 0 {
		e.first = line
	}
	e.n++
}

func (e *emptyPackets) note() string {
	if e.n == 0 {
		return ""
	}
	return fmt.Sprintf("%d packet(s) without hex rows left out (the first at line %d)", e.n, e.first)
}
