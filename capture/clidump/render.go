package clidump

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// RenderOptions tune Render.
type RenderOptions struct {
	// Loc is the zone of ASA times of day and classic IOS dates (UTC
	// when nil).
	Loc *time.Location
	// Interface names the capture point in classic IOS headers.
	Interface string
}

// epcBanner opens Catalyst EPC output (the corpus's Catalyst and IOS-XE 17
// dumps; ciscodump skips it as "Starting the packet display").
const epcBanner = "Starting the packet display ........ Press Ctrl + Shift + 6 to exit\r\n\r\n"

// Render prints pkts the way a device prints a dump in layout l, with CR
// LF line ends as devices send them. The device simulator serves captures
// through it; Parse reads every layout back (the round-trip tests).
func Render(l Layout, pkts []Packet, o RenderOptions) []byte {
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	if o.Interface == "" {
		o.Interface = "Gi1/0/1"
	}
	var b bytes.Buffer
	switch l {
	case ASA, ASASpace:
		renderASA(&b, l, pkts, o)
	case EPCSummary, EPCXE17:
		b.WriteString(epcBanner)
		for i, p := range pkts {
			if l == EPCSummary {
				fmt.Fprintf(&b, "%3d %10.6f %s\r\n\r\n", i+1, p.Time.Sub(pkts[0].Time).Seconds(), tsharkSummary(p.Data))
			}
			byteRows(&b, p.Data)
			b.WriteString("\r\n")
		}
	case EPCXE16:
		for i, p := range pkts {
			fmt.Fprintf(&b, "%d\r\n", i)
			wordRows(&b, p.Data)
			b.WriteString("\r\n")
		}
	case EPCClassic:
		for i, p := range pkts {
			fmt.Fprintf(&b, "%s UTC %s : IPv4 LES CEF    : %s None\r\n\r\n",
				p.Time.UTC().Format("15:04:05.000"), p.Time.UTC().Format("Jan 2 2006"), o.Interface)
			// Packets lie in buffer memory at 8 past a row: the first row
			// starts mid-row, as in ciscodump's example.
			classicRows(&b, p.Data, 0x0F1A2C08+uint64(i)*0x1000)
			b.WriteString("\r\n")
		}
	default:
		panic("clidump: unknown layout " + string(l))
	}
	return b.Bytes()
}

// byteRows: "0000  6c 5e 3b ... 45 00   l^;.^.l^;.^...E."
func byteRows(b *bytes.Buffer, data []byte) {
	for off := 0; off < len(data); off += rowBytes {
		row := data[off:min(off+rowBytes, len(data))]
		fmt.Fprintf(b, "%04x  %-47s   %s\r\n", off, groups(row, 1, " ", false), printable(row))
	}
}

// wordRows: "  0000:  00000C07 AC154C5D 3C259068 08004500   ......L]<%.h..E."
func wordRows(b *bytes.Buffer, data []byte) {
	for off := 0; off < len(data); off += rowBytes {
		row := data[off:min(off+rowBytes, len(data))]
		fmt.Fprintf(b, "  %04X:  %-35s   %s\r\n", off, groups(row, 4, " ", true), printable(row))
	}
}

// classicRows prints rows addressed by buffer memory from addr on, in
// four 9-column groups, the ASCII column with the high bit stripped.
func classicRows(b *bytes.Buffer, data []byte, addr uint64) {
	row := addr &^ (rowBytes - 1)
	i := 0
	for i < len(data) {
		lead := int(addr + uint64(i) - row) // bytes before the data on this row
		n := min(rowBytes-lead, len(data)-i)
		cells := make([]string, 4)
		for c := range cells {
			lo, hi := max(c*4-lead, 0), min(c*4+4-lead, n)
			if hi > lo {
				cells[c] = strings.ToUpper(hex.EncodeToString(data[i+lo : i+hi]))
			}
		}
		var line strings.Builder
		fmt.Fprintf(&line, "%08X:", row)
		for _, c := range cells {
			fmt.Fprintf(&line, " %-8s", c)
		}
		asc := make([]byte, n)
		for k, c := range data[i : i+n] {
			c &= 0x7f
			if c < 0x20 || c == 0x7f {
				c = '.'
			}
			asc[k] = c
		}
		fmt.Fprintf(&line, "  %s%s", strings.Repeat(" ", lead), asc)
		b.WriteString(strings.TrimRight(line.String(), " ") + "\r\n")
		i += n
		row += rowBytes
	}
}

// groups prints row in groups of size bytes.
func groups(row []byte, size int, sep string, upper bool) string {
	var out []string
	for j := 0; j < len(row); j += size {
		g := hex.EncodeToString(row[j:min(j+size, len(row))])
		if upper {
			g = strings.ToUpper(g)
		}
		out = append(out, g)
	}
	return strings.Join(out, sep)
}

// asaWrap is the column past which the ASA's summary lines go on an
// indented continuation line (the corpus's wrapped TCP summary).
const asaWrap = 80

func renderASA(b *bytes.Buffer, l Layout, pkts []Packet, o RenderOptions) {
	fmt.Fprintf(b, "%d packets captured\r\n\r\n", len(pkts))
	for i, p := range pkts {
		head := fmt.Sprintf("%4d: %s       %s", i+1, p.Time.In(o.Loc).Format("15:04:05.000000"), tcpdumpSummary(p.Data))
		for len(head) > asaWrap {
			cut := strings.LastIndexByte(head[:asaWrap], ' ')
			if cut <= 30 {
				break
			}
			b.WriteString(head[:cut] + "\r\n")
			head = strings.Repeat(" ", 14) + head[cut+1:]
		}
		b.WriteString(head + "\r\n")
		for off := 0; off < len(p.Data); off += rowBytes {
			row := p.Data[off:min(off+rowBytes, len(p.Data))]
			if l == ASASpace {
				fmt.Fprintf(b, "0x%04x %-39s %s\r\n", off, groups(row, 2, " ", false), printable(row))
			} else {
				fmt.Fprintf(b, "0x%04x\t %-39s\t%s\r\n", off, groups(row, 2, " ", false), printable(row))
			}
		}
		if l == ASA {
			b.WriteString("\r\n")
		}
	}
	if len(pkts) == 1 {
		b.WriteString("1 packet shown\r\n")
	} else {
		fmt.Fprintf(b, "%d packets shown\r\n", len(pkts))
	}
}
