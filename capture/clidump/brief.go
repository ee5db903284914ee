package clidump

import (
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// `show monitor capture NAME buffer brief` lists one line per packet with
// its time since the first packet, on the layouts whose dump prints no
// time. Two shapes are public:
//   - IOS-XE routers (CSR1000v, C8000v, cEdge lab write-ups found by code
//     search): a table "#   size   timestamp     source  destination
//     dscp  protocol", rows "   0  114    0.000000   192.168.0.1  ->
//     2.2.2.2  0  BE   ICMP", numbered from 0;
//   - Catalyst: the Wireshark summary lines its dump prints before each
//     packet ("  1   0.000000 A -> B TCP 60 ..."), numbered from 1.

var (
	briefTable = regexp.MustCompile(`^\s*(\d+)\s+(\d+)\s+(\d+\.\d+)\s+\S`)
	// The frame length after "SRC -> DST PROTO" in a Wireshark summary.
	briefLen = regexp.MustCompile(`->\s+\S+\s+\S+\s+(\d+)(?:\s|$)`)
)

// BriefRow is one packet of `buffer brief`.
type BriefRow struct {
	Num  int
	Rel  time.Duration // since the first packet
	Size int           // frame bytes; -1 when the line does not say
	Line int
}

// ParseBrief reads `buffer brief` output.
func ParseBrief(r io.Reader, name string) ([]BriefRow, error) {
	if name == "" {
		name = "buffer brief"
	}
	var rows []BriefRow
	err := eachLine(r, name, func(n int, s string) error {
		row := BriefRow{Size: -1, Line: n}
		var rel string
		if m := briefTable.FindStringSubmatch(s); m != nil {
			row.Num, _ = strconv.Atoi(m[1])
			row.Size, _ = strconv.Atoi(m[2])
			rel = m[3]
		} else if m := epcSummary.FindStringSubmatch(s); m != nil {
			row.Num, _ = strconv.Atoi(m[1])
			rel = m[2]
			if l := briefLen.FindStringSubmatch(s); l != nil {
				row.Size, _ = strconv.Atoi(l[1])
			}
		} else {
			return nil // header, rule, banner, wrapped rest of a line
		}
		var ok bool
		if row.Rel, ok = seconds(rel); !ok {
			return &Error{Name: name, Line: n, Msg: fmt.Sprintf("time %q is not seconds", rel)}
		}
		if len(rows) > 0 && row.Num <= rows[len(rows)-1].Num {
			return &Error{Name: name, Line: n, Msg: fmt.Sprintf("packet %d after packet %d", row.Num, rows[len(rows)-1].Num)}
		}
		if len(rows) >= DefaultMaxPackets {
			return &Error{Name: name, Line: n, Msg: fmt.Sprintf("more than %d packets", DefaultMaxPackets)}
		}
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, &Error{Name: name, Msg: "no packet lines"}
	}
	return rows, nil
}

// ApplyBrief gives d's packets the times of rows, start plus each row's
// time since the first packet. The rows must list d's packets one for
// one, with the same frame lengths where they print one: anything else
// means the buffer changed between the two commands, and no time is
// taken.
func ApplyBrief(d *Dump, rows []BriefRow, start time.Time) error {
	if len(rows) != len(d.Packets) {
		return fmt.Errorf("buffer brief lists %d packets, the dump %d", len(rows), len(d.Packets))
	}
	for i, r := range rows {
		if r.Size >= 0 && r.Size != len(d.Packets[i].Data) {
			return fmt.Errorf("buffer brief line %d: packet %d of %d bytes, the dump's packet %d has %d", r.Line, r.Num, r.Size, i+1, len(d.Packets[i].Data))
		}
	}
	for i, r := range rows {
		d.Packets[i].Time = start.Add(r.Rel)
	}
	d.Timing = TimingRelative
	d.Notes = append(d.Notes, "packet times taken from buffer brief")
	return nil
}

// RenderBrief prints pkts as `buffer brief` does on a device whose dump is
// in layout l: the router table for IOS-XE 16 routers, Wireshark summary
// lines otherwise.
func RenderBrief(l Layout, pkts []Packet) []byte {
	var b strings.Builder
	if l != EPCXE16 {
		b.WriteString(epcBanner)
		for i, p := range pkts {
			fmt.Fprintf(&b, "%3d %10.6f %s\r\n", i+1, p.Time.Sub(pkts[0].Time).Seconds(), tsharkSummary(p.Data))
		}
		return []byte(b.String())
	}
	rule := " " + strings.Repeat("-", 76) + "\r\n"
	b.WriteString(rule)
	b.WriteString(" #   size   timestamp     source             destination      dscp    protocol\r\n")
	b.WriteString(rule)
	for i, p := range pkts {
		d := decode(p.Data)
		src, dst, dscp, proto := "", "", 0, "L2"
		if d.ip != nil {
			src, dst, dscp, proto = d.ip.SrcIP.String(), d.ip.DstIP.String(), int(d.ip.TOS>>2), d.ip.Protocol.String()
		} else if d.eth != nil {
			src, dst = net.HardwareAddr(d.eth.SrcMAC).String(), net.HardwareAddr(d.eth.DstMAC).String()
		}
		fmt.Fprintf(&b, "%4d %4d %11.6f   %-15s  ->  %-15s  %-2d %-4s %s\r\n", i, len(p.Data),
			p.Time.Sub(pkts[0].Time).Seconds(), src, dst, dscp, dscpName(dscp), strings.ToUpper(proto))
	}
	return []byte(b.String())
}

func dscpName(d int) string {
	switch {
	case d == 0:
		return "BE"
	case d == 46:
		return "EF"
	case d%8 == 0:
		return fmt.Sprintf("CS%d", d/8)
	case d%2 == 0 && d >= 10 && d <= 38:
		return fmt.Sprintf("AF%d%d", d/8, d%8/2)
	}
	return strconv.Itoa(d)
}
