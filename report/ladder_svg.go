package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Geometry of a ladder drawing, in SVG user units. The drawing scales to
// the page width; these only fix its proportions.
const (
	ladderWidth  = 1000
	ladderX0     = 360 // left edge of the bars; names and devices go left of it
	ladderX1     = 850 // right end of the axis; value labels go right of the bars
	ladderTop    = 44  // room for the keepalive labels
	ladderRow    = 36
	ladderBarH   = 16
	ladderAxisH  = 44
	ladderNameCh = 46 // characters of a timer name before it is cut
)

type htmlLadder struct {
	// NoPrint: shown on screen only, so that a printed report stays short.
	NoPrint                 bool
	ID, Phone, Path         string
	Width, Height           int
	X0, X1, Top, Bottom     float64
	PlotH                   float64
	TickY, AxisTitleY, MidX float64
	AxisTitle               string
	Ticks                   []htmlTick
	Marks                   []htmlMark
	Zones                   []htmlSeg
	Bars                    []htmlBar
	Verdict, VerdictClass   string
	Margin                  int
	Label                   string
}

type htmlTick struct {
	X     float64
	Label string
	Major bool
}

type htmlMark struct {
	X, LabelY float64
	Label     string
	Anchor    string
	Dashed    bool
}

type htmlBar struct {
	State                  string
	X, Y, W, H             float64
	Name, Short, Device    string
	Object, Where          string
	NameY, DeviceY         float64
	Value                  string
	ValueX, ValueY         float64
	Kind, Source, Compared string
	Seconds, KeepaliveSecs int
}

// Bar states, which are also the CSS classes that colour them.
const (
	barBad       = "bad"   // runs out at or before its keepalive
	barTight     = "tight" // within the margin above it
	barOK        = "ok"
	barUnknown   = "unknown" // no keepalive to compare with
	barKeepalive = "keepalive"
	barExpiry    = "expiry"
)

// htmlLadderOf lays out one ladder; ok is false when it has no timer to
// draw.
func htmlLadderOf(n int, l TimerLadder) (htmlLadder, bool) {
	var ts []Timer
	for _, t := range l.Timers {
		if t.Seconds > 0 {
			ts = append(ts, t)
		}
	}
	// A ladder reads shortest first whoever built it.
	sortTimers(ts)
	if len(ts) == 0 {
		return htmlLadder{}, false
	}
	margin := l.MarginSeconds
	if margin <= 0 {
		margin = DefaultLadderMargin
	}
	shortestKA := 0
	minV, maxV := ts[0].Seconds, ts[0].Seconds
	for _, t := range ts {
		minV, maxV = min(minV, t.Seconds), max(maxV, t.Seconds)
		if t.Kind == TimerKeepalive && (shortestKA == 0 || t.Seconds < shortestKA) {
			shortestKA = t.Seconds
		}
	}
	sc, ticks := newLadderScale(minV, maxV, ladderX0, ladderX1)

	h := htmlLadder{
		ID: fmt.Sprintf("ladder-%d", n), Phone: oneLine(l.Phone), Path: oneLine(l.Path),
		Width: ladderWidth, X0: ladderX0, X1: ladderX1, Top: ladderTop,
		Margin: margin, Ticks: ticks, MidX: (ladderX0 + ladderX1) / 2,
	}
	h.Bottom = float64(ladderTop + len(ts)*ladderRow + 4)
	h.PlotH = h.Bottom - h.Top
	h.TickY = h.Bottom + 17
	h.AxisTitleY = h.Bottom + 36
	h.Height = int(h.Bottom) + ladderAxisH
	h.AxisTitle = "seconds"
	if sc.log {
		h.AxisTitle = "seconds (log scale)"
	}

	var bad, tight int
	refs := map[int]bool{}
	for i, t := range ts {
		rowY := float64(ladderTop + i*ladderRow)
		b := htmlBar{
			Name: oneLine(t.Name), Device: oneLine(t.Device), Object: oneLine(t.Object), Kind: oneLine(t.Kind), Source: oneLine(t.Source),
			Seconds: t.Seconds, X: sc.x0, Y: rowY + 9, H: ladderBarH,
			NameY: rowY + 16, DeviceY: rowY + 30, ValueY: rowY + 21,
		}
		b.Short = cut(b.Name, ladderNameCh)
		b.Where = b.Device
		if b.Object != "" {
			b.Where += " · " + b.Object
		}
		b.Where = cut(b.Where, ladderNameCh+6)
		end := sc.x(float64(t.Seconds))
		b.W = round1(max(end-sc.x0, 2))
		b.ValueX = round1(sc.x0 + b.W + 6)
		b.Value = humanSeconds(t.Seconds)
		switch t.Kind {
		case TimerKeepalive:
			b.State = barKeepalive
		case TimerExpiry:
			b.State = barExpiry
		default:
			ref := t.KeepaliveSeconds
			if ref <= 0 {
				ref = shortestKA
			}
			b.KeepaliveSecs = ref
			switch {
			case ref <= 0:
				b.State = barUnknown
			case t.Seconds <= ref:
				b.State = barBad
				bad++
			case t.Seconds <= ref+margin:
				b.State = barTight
				tight++
			default:
				b.State = barOK
			}
			if ref > 0 {
				refs[ref] = true
				b.Compared = fmt.Sprintf("%s the %d s keepalive", compareWord(t.Seconds, ref), ref)
			}
		}
		h.Bars = append(h.Bars, b)
	}

	// One vertical line per distinct keepalive: the timers must outlast it.
	type ka struct {
		secs  int
		names []string
	}
	var kas []ka
	for _, t := range ts {
		if t.Kind != TimerKeepalive {
			continue
		}
		word := strings.TrimPrefix(strings.TrimPrefix(oneLine(t.Name), "keepalive to "), "keepalive ")
		found := false
		for i := range kas {
			if kas[i].secs == t.Seconds {
				kas[i].names = append(kas[i].names, word)
				found = true
			}
		}
		if !found {
			kas = append(kas, ka{t.Seconds, []string{word}})
		}
	}
	lastX := math.Inf(-1)
	for i, k := range kas {
		x := round1(sc.x(float64(k.secs)))
		label := fmt.Sprintf("keepalive %d s", k.secs)
		if len(kas) > 1 || len(k.names) > 1 {
			label = fmt.Sprintf("%s keepalive %d s", strings.Join(k.names, " = "), k.secs)
		}
		m := htmlMark{X: x, Label: cut(label, 48), Dashed: i > 0, Anchor: "middle", LabelY: ladderTop - 26}
		switch {
		case x > ladderX1-100:
			m.Anchor = "end"
		case x < ladderX0+100:
			m.Anchor = "start"
		}
		if x-lastX < 190 {
			// Too close to the previous label: one row lower, and to the
			// right of this line so that it does not cross the previous
			// line, which runs down through this row.
			m.LabelY = ladderTop - 12
			m.Anchor = "start"
		}
		lastX = x
		h.Marks = append(h.Marks, m)
	}

	// Shade the red and amber zones when every idle timer is compared with
	// the same keepalive; with several they would mislead.
	if len(refs) == 1 {
		for ref := range refs {
			xr := sc.x(float64(ref))
			xm := sc.x(float64(min(float64(ref+margin), sc.hi)))
			h.Zones = []htmlSeg{
				{X: sc.x0, W: round1(xr - sc.x0), Class: "zone-bad"},
				{X: round1(xr), W: round1(xm - xr), Class: "zone-tight"},
			}
		}
	}

	var verdict []string
	switch {
	case bad > 0:
		h.VerdictClass = barBad
		verdict = append(verdict, fmt.Sprintf("%s at or before the keepalive that must refresh it", plural(bad, "timer runs out", "timers run out")))
	case tight > 0:
		h.VerdictClass = barTight
	default:
		h.VerdictClass = barOK
	}
	if tight > 0 {
		verdict = append(verdict, fmt.Sprintf("%s within %d s above it: one late or lost keepalive is enough", plural(tight, "timer is", "timers are"), margin))
	}
	if bad+tight == 0 {
		verdict = append(verdict, fmt.Sprintf("every idle timer outlasts its keepalive by more than %d s", margin))
	}
	h.Verdict = strings.Join(verdict, "; ")
	h.Label = fmt.Sprintf("Timer ladder of %s: %s", h.Phone, h.Verdict)
	return h, true
}

type ladderScale struct {
	log    bool
	lo, hi float64
	x0, x1 float64
}

func (s ladderScale) x(v float64) float64 {
	if s.log {
		v = math.Max(v, s.lo)
		return s.x0 + (math.Log10(v)-math.Log10(s.lo))/(math.Log10(s.hi)-math.Log10(s.lo))*(s.x1-s.x0)
	}
	return s.x0 + v/s.hi*(s.x1-s.x0)
}

// newLadderScale picks a linear axis from 0 unless the timers span more
// than a factor of 12 (a 30 s keepalive next to a one-hour conn timeout),
// where a linear axis would flatten the short bars: then a log axis.
func newLadderScale(minV, maxV int, x0, x1 float64) (ladderScale, []htmlTick) {
	s := ladderScale{x0: x0, x1: x1}
	var ticks []htmlTick
	if maxV > 12*minV {
		s.log = true
		s.lo = math.Pow(10, math.Floor(math.Log10(float64(minV))))
		s.hi = math.Pow(10, math.Ceil(math.Log10(float64(maxV)*1.05)))
		decades := math.Log10(s.hi / s.lo)
		for d := s.lo; d <= s.hi; d *= 10 {
			for _, m := range []float64{1, 2, 5} {
				v := d * m
				if v > s.hi {
					break
				}
				t := htmlTick{X: round1(s.x(v)), Major: m == 1}
				if m == 1 || decades <= 3 {
					t.Label = strconv.FormatFloat(v, 'f', -1, 64)
				}
				ticks = append(ticks, t)
			}
		}
		return s, ticks
	}
	step := niceStep(float64(maxV) * 1.05 / 6)
	s.hi = math.Ceil(float64(maxV)*1.05/step) * step
	for v := 0.0; v <= s.hi+step/2; v += step {
		ticks = append(ticks, htmlTick{X: round1(s.x(v)), Label: strconv.FormatFloat(v, 'f', -1, 64), Major: true})
	}
	return s, ticks
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if x <= m*p {
			return math.Max(m*p, 1)
		}
	}
	return 10 * p
}

// humanSeconds is "45 s", or "115 s (1 min 55 s)" from a minute up.
func humanSeconds(n int) string {
	if n < 60 {
		return fmt.Sprintf("%d s", n)
	}
	var parts []string
	h, m, s := n/3600, n/60%60, n%60
	if h > 0 {
		parts = append(parts, fmt.Sprintf("%d h", h))
	}
	if m > 0 {
		parts = append(parts, fmt.Sprintf("%d min", m))
	}
	if s > 0 {
		parts = append(parts, fmt.Sprintf("%d s", s))
	}
	return fmt.Sprintf("%d s (%s)", n, strings.Join(parts, " "))
}

func compareWord(timer, ka int) string {
	switch {
	case timer < ka:
		return "shorter than"
	case timer == ka:
		return "equal to"
	}
	return fmt.Sprintf("%d s over", timer-ka)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// cut shortens s to n characters, marking the cut with an ellipsis; the
// drawing shows the whole text in a tooltip.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
