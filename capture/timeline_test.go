package capture

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/capture/internal/pcapgen"
)

// sameButListed compares an analysis with OnlyNotable against the full
// one: the same counts, summaries and verdicts, and the keepalives listed
// are exactly the full list's notable ones.
func sameButListed(t *testing.T, name string, all, notable *FileAnalysis, firstInFull bool) {
	t.Helper()
	if !reflect.DeepEqual(all.Counts, notable.Counts) {
		t.Errorf("%s: counts %+v, want %+v", name, notable.Counts, all.Counts)
	}
	if !reflect.DeepEqual(all.Verdicts, notable.Verdicts) {
		t.Errorf("%s: verdicts differ:\n%+v\nwant\n%+v", name, notable.Verdicts, all.Verdicts)
	}
	if len(all.Timelines) != len(notable.Timelines) {
		t.Fatalf("%s: %d timelines, want %d", name, len(notable.Timelines), len(all.Timelines))
	}
	for i, tl := range notable.Timelines {
		full := all.Timelines[i]
		if tl.Summary != full.Summary || tl.Expected != full.Expected || tl.ExpectedFrom != full.ExpectedFrom {
			t.Errorf("%s: %s: summary %+v from %q, want %+v from %q", name, tl.who(), tl.Summary, tl.ExpectedFrom, full.Summary, full.ExpectedFrom)
		}
		want := []Keepalive{}
		for _, k := range full.Keepalives {
			if k.notable() || firstInFull && i == 0 {
				want = append(want, k)
			}
		}
		if !reflect.DeepEqual(tl.Keepalives, want) {
			t.Errorf("%s: %s: listed %d keepalives, want %d", name, tl.who(), len(tl.Keepalives), len(want))
		}
		if len(tl.Keepalives)+tl.KeepalivesOmitted != tl.Summary.Keepalives || full.KeepalivesOmitted != 0 {
			t.Errorf("%s: %s: %d listed + %d omitted, %d keepalives", name, tl.who(), len(tl.Keepalives), tl.KeepalivesOmitted, tl.Summary.Keepalives)
		}
	}
}

// TestOnlyNotable: listing only the keepalives with something to show
// changes nothing else, on every generated capture; FirstInFull lists the
// first timeline whole.
func TestOnlyNotable(t *testing.T) {
	for _, s := range pcapgen.Scenarios() {
		file := filepath.Join("testdata", s.Name)
		all := analyzeFile(t, file, Options{})
		sameButListed(t, s.Name, all, analyzeFile(t, file, Options{OnlyNotable: true}), false)
		sameButListed(t, s.Name+" first in full", all, analyzeFile(t, file, Options{OnlyNotable: true, FirstInFull: true}), true)
	}
}

// bigCapture writes a generated SIP/TCP capture of phones re-registering
// (one in 40 REGISTERs retransmitted).
func bigCapture(t *testing.T, packets, phones int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := pcapgen.WriteBig(&buf, pcapgen.BigConfig{Packets: packets, Phones: phones}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestKeepalivesHeldOpen bounds what a timeline holds while the capture
// streams: at most a couple of open keepalives per timeline whatever the
// capture's length, and with OnlyNotable only the retransmitted ones
// listed, where every keepalive was kept to the end before.
func TestKeepalivesHeldOpen(t *testing.T) {
	const phones = 20
	for _, packets := range []int{10_000, 40_000} {
		data := bigCapture(t, packets, phones)
		analyze := func(o Options) *FileAnalysis {
			fa, err := AnalyzeReader(context.Background(), "big", bytes.NewReader(data), o)
			if err != nil {
				t.Fatal(err)
			}
			return fa
		}
		all, notable := analyze(Options{}), analyze(Options{OnlyNotable: true})
		sameButListed(t, "big", all, notable, false)
		var total, listed, retransmitted int
		for _, tl := range notable.Timelines {
			total += tl.Summary.Keepalives
			listed += len(tl.Keepalives)
			retransmitted += tl.Summary.Retransmitted
		}
		if listed != retransmitted || retransmitted == 0 || total < 20*retransmitted {
			t.Errorf("%d packets: %d of %d keepalives listed, %d retransmitted", packets, listed, total, retransmitted)
		}
		if notable.openPeak > 2*phones || all.openPeak > 2*phones {
			t.Errorf("%d packets: up to %d keepalives held open (full list %d) in %d timelines", packets, notable.openPeak, all.openPeak, phones)
		}
		t.Logf("%d packets: %d keepalives, %d listed, at most %d open", packets, total, listed, notable.openPeak)
	}
}

// TestOpenUntilAnswered: a keepalive answered only after the next one was
// sent (a slow call manager) is still judged with its answer, and a
// capture without answers holds at most maxPendingKeepalives + 1.
func TestOpenUntilAnswered(t *testing.T) {
	a, err := newAnalyzer("t", Options{SIPInterval: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tl := &Timeline{Protocol: "SIP/UDP"}
	at := func(s float64) Timestamp { return Timestamp(1e18 + s*1e9) }
	add := func(s float64) int {
		i := tl.push(Keepalive{Sent: at(s), Delivered: at(s)})
		tl.await(i)
		a.fa.Last = at(s)
		a.settle(tl, at(s))
		return i
	}
	first := add(0)
	add(10)
	if len(tl.open) != 2 {
		t.Fatalf("%d open, want 2 (the first awaits its answer)", len(tl.open))
	}
	tl.answer(tl.at(first), at(10.5))
	tl.unpend(0)
	add(20)
	if tl.base != 1 || len(tl.Keepalives) != 1 || tl.Keepalives[0].Answered != at(10.5) {
		t.Fatalf("base %d, judged %+v", tl.base, tl.Keepalives)
	}
	// No answers at all: the pending list forgets the oldest, which
	// then closes.
	tl = &Timeline{Protocol: "SIP/UDP"}
	for i := 0; i < 100; i++ {
		add(float64(10 * i))
		if len(tl.open) > maxPendingKeepalives+1 {
			t.Fatalf("%d open after %d keepalives", len(tl.open), i+1)
		}
	}
}

// TestMedianSketch: exact while the intervals take few values, within a
// bucket's width after, in fixed memory.
func TestMedianSketch(t *testing.T) {
	var m medianSketch
	for _, d := range []time.Duration{5, 1, 4, 2, 3, 3} {
		m.add(d * time.Second)
	}
	if got := m.median(); got != 3*time.Second { // rank 3 of 1 2 3 3 4 5
		t.Errorf("median %v, want 3s", got)
	}
	m = medianSketch{}
	if m.median() != 0 {
		t.Error("median of nothing")
	}
	// A phone's intervals with microseconds of jitter, a few lost ones.
	rng := rand.New(rand.NewPCG(3, 4))
	var all []time.Duration
	for i := 0; i < 20_000; i++ {
		d := 115*time.Second + time.Duration(rng.IntN(2000))*time.Microsecond
		if i%500 == 0 {
			d = 143 * time.Second
		}
		all = append(all, d)
		m.add(d)
	}
	slices.Sort(all)
	want := all[len(all)/2]
	if got := m.median(); got < want-time.Millisecond || got > want+time.Millisecond || len(m.buckets) > maxMedianBuckets {
		t.Errorf("median %v, want %v ± 1 ms, %d buckets", got, want, len(m.buckets))
	}
}

// TestMaxTimelines: REGISTERs over UDP from ever more addresses (a scan,
// or spoofed sources) cannot grow the timelines past MaxTimelines; their
// messages are still counted and the file says how many were ignored.
func TestMaxTimelines(t *testing.T) {
	const phones, max = 300, 40
	var buf bytes.Buffer
	w, err := pcapgen.NewWriter(&buf, pcapgen.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < phones; i++ {
		ip := fmt.Sprintf("10.62.%d.%d", i/250, 1+i%250)
		phone := pcapgen.NewHost("00:1b:54:00:00:01", ip)
		r := pcapgen.Register{Phone: phone, CM: pcapgen.CUCM1, PhonePort: 5060, Transport: "UDP", Device: fmt.Sprintf("SEP001B5400%04X", i),
			Line: "2000", CallID: fmt.Sprintf("c%d@%s", i, ip), CSeq: 1, Expires: 3600}
		if err := w.UDP(pcapgen.T0.Add(time.Duration(i)*time.Millisecond), phone, pcapgen.CUCM1, 5060, 5060, r.Request()); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	fa, err := AnalyzeReader(context.Background(), "udp", &buf, Options{MaxTimelines: max})
	if err != nil {
		t.Fatal(err)
	}
	const note = "too many keepalive timelines: followed the first 40, about 260 more ignored"
	if len(fa.Timelines) != max || fa.Counts.SIPRegisters != phones || len(fa.Notes) != 1 || !strings.HasPrefix(fa.Notes[0], note) {
		t.Errorf("%d timelines, %d REGISTERs, notes %q", len(fa.Timelines), fa.Counts.SIPRegisters, fa.Notes)
	}
}
