package capture

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// WriteText renders the analysis for a terminal.
func (an *Analysis) WriteText(w io.Writer) error {
	return an.render(w, textStyle{})
}

// WriteMarkdown renders the analysis as Markdown (tables, headings).
func (an *Analysis) WriteMarkdown(w io.Writer) error {
	return an.render(w, mdStyle{})
}

// style is what differs between the text and the Markdown renderer.
type style interface {
	heading(level int, s string) string
	table(head []string, rows [][]string) string
	item(s string) string
}

type textStyle struct{}

func (textStyle) heading(level int, s string) string {
	if level == 1 {
		return s + "\n" + strings.Repeat("=", len([]rune(s))) + "\n"
	}
	return s + "\n" + strings.Repeat("-", len([]rune(s))) + "\n"
}

func (textStyle) table(head []string, rows [][]string) string {
	width := make([]int, len(head))
	for i, h := range head {
		width[i] = len([]rune(h))
	}
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteString("  ")
			}
			if i == len(cells)-1 {
				b.WriteString(c)
			} else {
				b.WriteString(c + strings.Repeat(" ", width[i]-len([]rune(c))))
			}
		}
		b.WriteString("\n")
	}
	line(head)
	for _, r := range rows {
		line(r)
	}
	return b.String()
}

func (textStyle) item(s string) string { return "  " + s + "\n" }

type mdStyle struct{}

func (mdStyle) heading(level int, s string) string {
	return strings.Repeat("#", level) + " " + s + "\n\n"
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func (mdStyle) table(head []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString("\n") // a table must not continue a list item
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + mdCell(c) + " |")
		}
		b.WriteString("\n")
	}
	row(head)
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = "---"
	}
	row(sep)
	for _, r := range rows {
		row(r)
	}
	return b.String() + "\n"
}

func (mdStyle) item(s string) string { return "- " + s + "\n" }

func clock(t Timestamp) string {
	if t == 0 {
		return "-"
	}
	return t.Time().Format("15:04:05.000")
}

func countMap(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

func (an *Analysis) render(w io.Writer, st style) error {
	bw := bufio.NewWriter(w)
	p := func(s string) { bw.WriteString(s) }
	p(st.heading(1, "Capture analysis"))
	if len(an.Verdicts) > 0 {
		p(st.heading(2, "Verdicts"))
		for _, v := range an.Verdicts {
			p(st.item(fmt.Sprintf("%s %s: %s", strings.ToUpper(string(v.Severity)), v.ID, v.Message)))
		}
		p("\n")
	} else {
		p("No problem found.\n\n")
	}
	for _, fa := range an.Files {
		renderFile(p, st, fa)
	}
	if an.Pair != nil {
		renderPair(p, st, an.Pair)
	}
	return bw.Flush()
}

func renderFile(p func(string), st style, fa *FileAnalysis) {
	p(st.heading(2, "File "+fa.File))
	c := fa.Counts
	p(st.item(fmt.Sprintf("%s, link type %s, %d packets (%d bytes), %s to %s", fa.Format, fa.LinkType, c.Packets, c.Bytes,
		fa.First.Time().Format(time.RFC3339Nano), fa.Last.Time().Format(time.RFC3339Nano))))
	if fa.Error != "" {
		p(st.item("read error (analysis covers the packets before it): " + fa.Error))
	}
	for _, n := range fa.Notes {
		p(st.item("note: " + n))
	}
	p(st.item(fmt.Sprintf("TCP: %d segments, %d retransmissions (%d fast, %d spurious), %d out of order", c.TCPSegments,
		c.TCPRetransmissions, c.TCPFastRetransmissions, c.TCPSpuriousRetransmissions, c.TCPOutOfOrder)))
	p(st.item(fmt.Sprintf("SIP: %d requests (%d REGISTER), %d responses; methods %s; statuses %s", c.SIPRequests, c.SIPRegisters,
		c.SIPResponses, countMap(c.SIPByMethod), countMap(c.SIPByStatus))))
	p(st.item(fmt.Sprintf("SCCP: %d messages, %d KeepAlive, %d KeepAliveAck", c.SCCPMessages, c.SCCPKeepalives, c.SCCPKeepaliveAcks)))
	p(st.item(fmt.Sprintf("ARP: %d requests, %d replies, %d gratuitous", c.ARPRequests, c.ARPReplies, c.ARPGratuitous)))
	if c.Undecoded+c.IPFragments > 0 {
		p(st.item(fmt.Sprintf("not analysed: %d undecodable frames, %d IP fragments", c.Undecoded, c.IPFragments)))
	}
	p("\n")
	for _, tl := range fa.Timelines {
		renderTimeline(p, st, tl)
	}
	if len(fa.Retransmitted) > 0 {
		p(st.heading(3, "Retransmitted TCP segments"))
		var rows [][]string
		for _, s := range fa.Retransmitted {
			var since []string
			for _, r := range s.Copies {
				since = append(since, fmtSeconds(time.Duration(r.SinceFirst)))
			}
			rows = append(rows, []string{s.Src, s.Dst, fmt.Sprint(s.Seq), fmt.Sprint(s.Len), clock(s.First), fmt.Sprint(len(s.Copies)), rtoList(s.Copies), strings.Join(since, ", ")})
		}
		p(st.table([]string{"src", "dst", "seq", "len", "first", "copies", "RTO", "since first"}, rows))
		if fa.RetransmittedOmitted > 0 {
			p(st.item(fmt.Sprintf("%d more retransmitted segments not listed", fa.RetransmittedOmitted)))
		}
		p("\n")
	}
	if len(fa.ARP.Answers) > 0 {
		p(st.heading(3, "ARP answers"))
		var rows [][]string
		for _, a := range fa.ARP.Answers {
			for _, m := range a.MACs {
				var flags []string
				if a.CallManager {
					flags = append(flags, "call manager")
				}
				if m.ASA {
					flags = append(flags, "ASA")
				}
				if a.ProxyARP {
					flags = append(flags, "proxy ARP")
				} else if a.Conflict {
					flags = append(flags, "conflict")
				}
				rows = append(rows, []string{a.IP, m.MAC, fmt.Sprint(m.Replies), fmt.Sprint(m.Gratuitous), clock(m.First), fmt.Sprint(m.FirstFrame), strings.Join(flags, ", ")})
			}
		}
		p(st.table([]string{"ip", "mac", "replies", "gratuitous", "first", "frame", "notes"}, rows))
	}
}

func renderTimeline(p func(string), st style, tl *Timeline) {
	p(st.heading(3, "Keepalives "+tl.who()))
	s := tl.Summary
	p(st.item(fmt.Sprintf("expected every %s (%s), grace %s", fmtSeconds(time.Duration(tl.Expected)), tl.ExpectedFrom, fmtSeconds(time.Duration(tl.Grace)))))
	p(st.item(fmt.Sprintf("%d keepalives: %d retransmitted, %d late, %d lost, %d unanswered, %d missing; interval min %s, median %s, max %s",
		s.Keepalives, s.Retransmitted, s.Late, s.Lost, s.Unanswered, s.Missing,
		fmtSeconds(time.Duration(s.MinInterval)), fmtSeconds(time.Duration(s.MedianInterval)), fmtSeconds(time.Duration(s.MaxInterval)))))
	if tl.KeepalivesOmitted > 0 {
		n := tl.KeepalivesOmitted
		p(st.item(fmt.Sprintf("%d keepalive%s on time and without retransmission not listed", n, plural(n, "", "s"))))
	}
	if len(tl.Keepalives) == 0 {
		p("\n")
		return
	}
	var rows [][]string
	for _, k := range tl.Keepalives {
		interval, late := "-", "-"
		if k.Number > 1 {
			interval, late = fmtSeconds(time.Duration(k.Interval)), fmtSeconds(time.Duration(k.Lateness))
		}
		id := "-"
		if k.CSeq != 0 {
			id = fmt.Sprint(k.CSeq)
		}
		status := k.Status.String()
		if k.MissingBefore > 0 {
			status += fmt.Sprintf(" (%d missing before)", k.MissingBefore)
		}
		rows = append(rows, []string{fmt.Sprint(k.Number), clock(k.Sent), id, fmt.Sprint(len(k.Retransmissions)), rtoList(k.Retransmissions), clock(k.Delivered), clock(k.Answered), interval, late, status})
	}
	p(st.table([]string{"#", "sent", "cseq", "retx", "RTO", "delivered", "answered", "interval", "lateness", "status"}, rows))
	p("\n")
}

func renderPair(p func(string), st style, pr *Pair) {
	p(st.heading(2, "Phone side vs call-manager side"))
	p(st.item(fmt.Sprintf("phone side %s, call-manager side %s", pr.PhoneFile, pr.CMFile)))
	p(st.item(fmt.Sprintf("clock offset %s, from the first keepalive seen on both sides (%s); delays are relative to its delay", fmtSeconds(time.Duration(pr.ClockOffset)), pr.OffsetFrom)))
	p(st.item(fmt.Sprintf("%d keepalives matched, %d never received", pr.Matched, pr.NotReceived)))
	var rows [][]string
	for _, k := range pr.Keepalives {
		recv, delay := "no", "-"
		if k.Received {
			recv, delay = clock(k.Arrived), fmtSeconds(time.Duration(k.Delay))
		}
		cseq := "-"
		if k.CSeq != 0 {
			cseq = fmt.Sprint(k.CSeq)
		}
		rows = append(rows, []string{k.Phone, k.CallManager, k.Protocol, clock(k.Sent), cseq, fmt.Sprint(k.Seq), fmt.Sprint(k.Len), fmt.Sprint(k.Copies), recv, delay})
	}
	p(st.table([]string{"phone", "call manager", "protocol", "sent", "cseq", "seq", "len", "copies", "arrived", "delay"}, rows))
}
