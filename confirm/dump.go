package confirm

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/kaudit/kaudit/facts"
)

// Dump formats a capture is fetched in, over the same CLI that started it.
const (
	// FormatEPC is IOS-XE's `show monitor capture NAME buffer dump`: a
	// Wireshark-style summary line per packet (number, seconds since the
	// first packet) followed by offset-prefixed hex lines.
	FormatEPC = "epc"
	// FormatASA is the ASA's `show capture NAME dump`: "N: HH:MM:SS.us"
	// packet lines followed by 0xOOOO hex lines in 16-bit groups.
	FormatASA = "asa"
)

// Packet is one captured frame (Ethernet, as both platforms dump it).
type Packet struct {
	Time time.Time
	Data []byte
}

var (
	epcHeader = regexp.MustCompile(`^\s*(\d+)\s+(\d+\.\d+)\s+\S`)
	asaHeader = regexp.MustCompile(`^\s*(\d+):\s+(\d{1,2}):(\d{2}):(\d{2})\.(\d{1,9})\s`)
	hexLine   = regexp.MustCompile(`^\s*(?:0x)?([0-9a-fA-F]{4,8}):?[ \t]+(.*)$`)
)

// maxFrame bounds one dumped frame: jumbo frames plus headers.
const maxFrame = 65535

// ParseDump turns a hex dump in format into packets. EPC times are
// relative and are added to start; ASA times are a time of day and take
// start's date (rolling over at midnight). Every hex line's offset must
// continue the frame it belongs to, so a lost or garbled line is an error
// naming the line rather than a silently corrupted packet.
func ParseDump(format string, data []byte, start time.Time) ([]Packet, error) {
	key := "dump_" + format
	if err := facts.CheckText(key, data); err != nil {
		return nil, err
	}
	if format != FormatEPC && format != FormatASA {
		return nil, fmt.Errorf("unknown dump format %q", format)
	}
	var pkts []Packet
	var cur *Packet
	var lastNum int
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, start.Location())
	var prevTOD time.Duration = -1
	var err error
	facts.Lines(data, func(ln facts.Line) bool {
		line := ln.Text
		if strings.TrimSpace(line) == "" {
			return true
		}
		if num, ts, ok := header(format, line, start, &day, &prevTOD); ok {
			if num <= lastNum {
				err = facts.Errorf(key, ln.N, "packet %d after packet %d", num, lastNum)
				return false
			}
			lastNum = num
			pkts = append(pkts, Packet{Time: ts})
			cur = &pkts[len(pkts)-1]
			return true
		}
		m := hexLine.FindStringSubmatch(line)
		if m == nil {
			// Banners, "N packets captured/shown", the trailing prompt.
			cur = nil
			return true
		}
		if cur == nil {
			err = facts.Errorf(key, ln.N, "hex line outside a packet: %q", trim(line))
			return false
		}
		off, _ := strconv.ParseUint(m[1], 16, 32)
		if int(off) != len(cur.Data) {
			err = facts.Errorf(key, ln.N, "offset 0x%x, want 0x%x (a line is missing or garbled)", off, len(cur.Data))
			return false
		}
		b, herr := hexBytes(m[2])
		if herr != nil {
			err = facts.Errorf(key, ln.N, "%v: %q", herr, trim(line))
			return false
		}
		if len(cur.Data)+len(b) > maxFrame {
			err = facts.Errorf(key, ln.N, "frame longer than %d bytes", maxFrame)
			return false
		}
		cur.Data = append(cur.Data, b...)
		return true
	})
	if err != nil {
		return nil, err
	}
	for i, p := range pkts {
		if len(p.Data) == 0 {
			return nil, fmt.Errorf("%s: packet %d has no bytes", key, i+1)
		}
	}
	return pkts, nil
}

func header(format, line string, start time.Time, day *time.Time, prevTOD *time.Duration) (int, time.Time, bool) {
	if format == FormatEPC {
		m := epcHeader.FindStringSubmatch(line)
		if m == nil {
			return 0, time.Time{}, false
		}
		num, err1 := strconv.Atoi(m[1])
		sec, err2 := strconv.ParseFloat(m[2], 64)
		if err1 != nil || err2 != nil || sec < 0 || sec > 1e9 {
			return 0, time.Time{}, false
		}
		return num, start.Add(time.Duration(sec * float64(time.Second))), true
	}
	m := asaHeader.FindStringSubmatch(line)
	if m == nil {
		return 0, time.Time{}, false
	}
	num, _ := strconv.Atoi(m[1])
	h, _ := strconv.Atoi(m[2])
	mi, _ := strconv.Atoi(m[3])
	s, _ := strconv.Atoi(m[4])
	frac := m[5] + strings.Repeat("0", 9-len(m[5]))
	ns, _ := strconv.Atoi(frac)
	if h > 23 || mi > 59 || s > 60 {
		return 0, time.Time{}, false
	}
	tod := time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(s)*time.Second + time.Duration(ns)
	if *prevTOD >= 0 && tod+time.Hour < *prevTOD {
		*day = day.AddDate(0, 0, 1) // the capture ran past midnight
	}
	*prevTOD = tod
	return num, day.Add(tod), true
}

// hexBytes reads the hex column of a dump line: groups of 2, 4 or 8 hex
// digits separated by single spaces; a tab or two spaces start the ASCII
// column.
func hexBytes(s string) ([]byte, error) {
	s = strings.TrimLeft(s, " \t")
	if i := strings.IndexAny(s, "\t"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, "  "); i >= 0 {
		s = s[:i]
	}
	var out []byte
	for _, g := range strings.Fields(s) {
		if len(g)%2 != 0 || len(g) > 8 {
			return nil, fmt.Errorf("bad hex group %q", g)
		}
		b, err := hex.DecodeString(g)
		if err != nil {
			return nil, fmt.Errorf("bad hex group %q", g)
		}
		out = append(out, b...)
	}
	if len(out) == 0 || len(out) > 16 {
		return nil, fmt.Errorf("%d bytes on a hex line, want 1 to 16", len(out))
	}
	return out, nil
}

func trim(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// WritePcap writes packets as a classic Ethernet pcap.
func WritePcap(w io.Writer, pkts []Packet) error {
	pw := pcapgo.NewWriterNanos(w)
	if err := pw.WriteFileHeader(maxFrame, layers.LinkTypeEthernet); err != nil {
		return err
	}
	for _, p := range pkts {
		ci := gopacketCI(p)
		if err := pw.WritePacket(ci, p.Data); err != nil {
			return err
		}
	}
	return nil
}

// RenderDump prints packets the way the platform's dump command does; the
// device simulator serves captures through it, and it is ParseDump's
// reference. EPC times are relative to the first packet, ASA times are
// the time of day in loc.
func RenderDump(format string, pkts []Packet, loc *time.Location) []byte {
	var b bytes.Buffer
	if format == FormatASA {
		fmt.Fprintf(&b, "%d packets captured\r\n\r\n", len(pkts))
	} else {
		b.WriteString("Starting the packet display ........ Press Ctrl + Shift + 6 to exit\r\n\r\n")
	}
	var first time.Time
	if len(pkts) > 0 {
		first = pkts[0].Time
	}
	for i, p := range pkts {
		if format == FormatASA {
			fmt.Fprintf(&b, "%4d: %s       %s\r\n", i+1, p.Time.In(loc).Format("15:04:05.000000"), summary(p.Data))
		} else {
			fmt.Fprintf(&b, "%3d %11.6f %s\r\n\r\n", i+1, p.Time.Sub(first).Seconds(), summary(p.Data))
		}
		for off := 0; off < len(p.Data); off += 16 {
			row := p.Data[off:min(off+16, len(p.Data))]
			var hx strings.Builder
			if format == FormatASA {
				for j := 0; j < len(row); j += 2 {
					if j > 0 {
						hx.WriteByte(' ')
					}
					hx.WriteString(hex.EncodeToString(row[j:min(j+2, len(row))]))
				}
				fmt.Fprintf(&b, "0x%04x\t %-39s\t%s\r\n", off, hx.String(), ascii(row))
			} else {
				for j := range row {
					if j > 0 {
						hx.WriteByte(' ')
					}
					hx.WriteString(hex.EncodeToString(row[j : j+1]))
				}
				fmt.Fprintf(&b, "%04x  %-47s   %s\r\n", off, hx.String(), ascii(row))
			}
		}
		b.WriteString("\r\n")
	}
	if format == FormatASA {
		fmt.Fprintf(&b, "%d packets shown\r\n", len(pkts))
	}
	return b.Bytes()
}

func ascii(row []byte) string {
	out := make([]byte, len(row))
	for i, c := range row {
		if c < 0x20 || c >= 0x7f {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}
