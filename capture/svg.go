package capture

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteSVG draws one keepalive timeline as a self-contained SVG (no
// external references, no scripts): keepalives as ticks, retransmissions
// as red marks, and after each refresh the grace window in which the next
// keepalive may still arrive shaded amber, the time past it shaded red.
func WriteSVG(w io.Writer, tl *Timeline) error {
	const (
		width, height      = 1000, 230
		left, right        = 50, 20
		top, axisY         = 60, 170
		plotW              = width - left - right
		tickTop, tickBelow = 80, 170
	)
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	esc := func(s string) string {
		var b strings.Builder
		xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	kas := tl.Keepalives
	var t0, t1 Timestamp
	for i := range kas {
		k := &kas[i]
		if t0 == 0 || k.Sent < t0 {
			t0 = k.Sent
		}
		t1 = max(t1, k.Delivered, k.Answered, k.lastSeen())
	}
	t1 = max(t1, tl.End)
	expected, grace := time.Duration(tl.Expected), time.Duration(tl.Grace)
	if t0 == 0 {
		t0, t1 = tl.End, tl.End
	}
	span := t1.Sub(t0)
	if span <= 0 {
		span = time.Second
	}
	x := func(t Timestamp) float64 {
		v := float64(left) + float64(t.Sub(t0))/float64(span)*plotW
		return min(max(v, left), left+plotW)
	}

	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", width, height, width, height)
	p(`<title>%s</title>`+"\n", esc("Keepalives "+tl.who()))
	p(`<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	p(`<text x="%d" y="18" font-size="14" font-weight="bold">%s</text>`+"\n", left, esc(tl.who()))
	s := tl.Summary
	p(`<text x="%d" y="36">%s</text>`+"\n", left, esc(fmt.Sprintf("interval %s (%s), grace %s: %d keepalives, %d retransmitted, %d late, %d lost, %d missing",
		fmtSeconds(expected), tl.ExpectedFrom, fmtSeconds(grace), s.Keepalives, s.Retransmitted, s.Late, s.Lost, s.Missing)))

	// Windows after each refresh: until interval (white), grace (amber),
	// then expired (red) until the next keepalive got through.
	for i := range kas {
		k := &kas[i]
		if k.Number < 2 {
			continue // nothing before it to measure from
		}
		anchor := k.Delivered - Timestamp(k.Interval)
		g0, g1 := anchor+Timestamp(expected), anchor+Timestamp(expected+grace)
		p(`<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#ffd27f" fill-opacity="0.5"><title>%s</title></rect>`+"\n",
			x(g0), top, max(x(g1)-x(g0), 1), axisY-top, esc("grace window "+clock(g0)+" - "+clock(g1)))
		if k.Delivered > g1 {
			p(`<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#e03030" fill-opacity="0.25"><title>%s</title></rect>`+"\n",
				x(g1), top, max(x(k.Delivered)-x(g1), 1), axisY-top, esc("expired: registration lost until "+clock(k.Delivered)))
		}
	}
	if s.TrailingGap > 0 {
		g1 := tl.End - Timestamp(s.TrailingGap) + Timestamp(expected+grace)
		p(`<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#e03030" fill-opacity="0.25"><title>no keepalive until the end of the capture</title></rect>`+"\n",
			x(g1), top, max(x(tl.End)-x(g1), 1), axisY-top)
	}

	// Axis with round time steps.
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333333"/>`+"\n", left, axisY, left+plotW, axisY)
	step := axisStep(span)
	// Count steps instead of adding them up: with timestamps from a
	// corrupt capture the sum can overflow.
	for i := time.Duration(0); i <= span/step && i <= 100; i++ {
		d := i * step
		xx := x(t0 + Timestamp(d))
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#333333"/>`+"\n", xx, axisY, xx, axisY+5)
		p(`<text x="%.1f" y="%d" text-anchor="middle">+%s</text>`+"\n", xx, axisY+18, esc(fmtSeconds(d)))
	}
	p(`<text x="%d" y="%d">%s</text>`+"\n", left, axisY+34, esc("start "+t0.Time().Format(time.RFC3339Nano)))

	colors := map[Status]string{StatusOK: "#1f6fb2", StatusLate: "#e08a00", StatusLost: "#c00000", StatusUnanswered: "#7a3fb0"}
	for i := range kas {
		k := &kas[i]
		c := colors[k.Status]
		label := fmt.Sprintf("#%d %s sent %s, delivered %s, %s", k.Number, k.name(tl.Protocol), clock(k.Sent), clock(k.Delivered), k.Status)
		if k.Number > 1 {
			label += fmt.Sprintf(", interval %s", fmtSeconds(time.Duration(k.Interval)))
		}
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="2"><title>%s</title></line>`+"\n",
			x(k.Sent), tickTop, x(k.Sent), tickBelow, c, esc(label))
		if k.Delivered != k.Sent {
			p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-dasharray="3,2"/>`+"\n", x(k.Sent), tickTop+10, x(k.Delivered), tickTop+10, c)
		}
		for _, r := range k.Retransmissions {
			xx := x(r.Time)
			p(`<path d="M%.1f %d l-4 -8 h8 z" fill="#d00000"><title>%s</title></path>`+"\n", xx, tickTop+22,
				esc(fmt.Sprintf("retransmission at %s, RTO %s, %s after the original", clock(r.Time), fmtSeconds(time.Duration(r.RTO)), fmtSeconds(time.Duration(r.SinceFirst)))))
			p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#d00000" stroke-width="1.5"/>`+"\n", xx, tickTop+22, xx, tickBelow-20)
		}
		if k.Status == StatusLost {
			p(`<text x="%.1f" y="%d" fill="#c00000" text-anchor="middle" font-weight="bold">lost</text>`+"\n", x(k.Delivered), tickTop-6)
		}
	}
	// Legend.
	ly := height - 14
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#1f6fb2" stroke-width="2"/><text x="%d" y="%d">keepalive</text>`+"\n", left, ly-8, left, ly+2, left+6, ly)
	p(`<path d="M%d %d l-4 -8 h8 z" fill="#d00000"/><text x="%d" y="%d">retransmission</text>`+"\n", left+90, ly+2, left+98, ly)
	p(`<rect x="%d" y="%d" width="12" height="10" fill="#ffd27f" fill-opacity="0.5"/><text x="%d" y="%d">grace window</text>`+"\n", left+210, ly-8, left+226, ly)
	p(`<rect x="%d" y="%d" width="12" height="10" fill="#e03030" fill-opacity="0.25"/><text x="%d" y="%d">registration expired</text>`+"\n", left+330, ly-8, left+346, ly)
	p("</svg>\n")
	return bw.Flush()
}

func (k *Keepalive) lastSeen() Timestamp {
	if n := len(k.Retransmissions); n > 0 {
		return k.Retransmissions[n-1].Time
	}
	return k.Sent
}

func axisStep(span time.Duration) time.Duration {
	for _, s := range []time.Duration{time.Millisecond, 10 * time.Millisecond, 100 * time.Millisecond, time.Second, 5 * time.Second,
		15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 6 * time.Hour, 24 * time.Hour} {
		if span/s <= 12 {
			return s
		}
	}
	return span / 12
}
