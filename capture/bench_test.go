package capture

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kaudit/kaudit/capture/internal/pcapgen"
)

var (
	benchOnce sync.Once
	benchData []byte
	benchTr   pcapgen.BigTruth
	benchErr  error
)

// BenchmarkAnalyze analyses a generated 100,000-packet SIP/TCP capture
// (200 phones re-registering, some retransmissions) from memory and
// reports throughput in MB/s and packets/s. The comparison with tshark
// is run by hand on what users run: internal/gencap writes a
// 1,000,000-packet file, and the built kaudit pcap analyze FILE --format
// table|markdown|json and tshark -q -z io,stat,0,... each read it once,
// interleaved, under /usr/bin/time -v.
func BenchmarkAnalyze(b *testing.B) {
	benchOnce.Do(func() {
		var buf bytes.Buffer
		benchTr, benchErr = pcapgen.WriteBig(&buf, pcapgen.BigConfig{Packets: 100_000})
		benchData = buf.Bytes()
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	b.SetBytes(int64(len(benchData)))
	b.ReportAllocs()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		fa, err := AnalyzeReader(context.Background(), "big", bytes.NewReader(benchData), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if fa.Counts.Packets != benchTr.Packets || fa.Counts.TCPRetransmissions != benchTr.TCPRetransmissions || fa.Counts.SIPRegisters != benchTr.Registers {
			b.Fatalf("counts %+v, want %+v", fa.Counts, benchTr)
		}
	}
	b.ReportMetric(float64(benchTr.Packets)*float64(b.N)/time.Since(start).Seconds(), "packets/s")
}

// TestBigCounts checks the benchmark capture itself: every packet,
// retransmission and REGISTER the generator wrote is counted.
func TestBigCounts(t *testing.T) {
	var buf bytes.Buffer
	tr, err := pcapgen.WriteBig(&buf, pcapgen.BigConfig{Packets: 20_000, Phones: 50})
	if err != nil {
		t.Fatal(err)
	}
	fa, err := AnalyzeReader(context.Background(), "big", &buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := fa.Counts
	if c.Packets != tr.Packets || c.TCPRetransmissions != tr.TCPRetransmissions || c.SIPRegisters != tr.Registers || tr.TCPRetransmissions == 0 {
		t.Errorf("counts %+v, want %+v", c, tr)
	}
	if len(fa.Timelines) != 50 {
		t.Errorf("%d timelines, want 50", len(fa.Timelines))
	}
	for _, v := range fa.Verdicts {
		if v.ID == "registration-lost" {
			t.Errorf("healthy phones flagged: %s", v.Message)
		}
	}
}

// TestMemoryDoesNotGrowWithPackets streams a long bulk TCP transfer
// (no keepalives) through the analysis and samples the heap: it must
// stay flat, and allocation per packet small, whatever the length.
func TestMemoryDoesNotGrowWithPackets(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 200,000 packets")
	}
	const packets = 200_000
	pr, pw := io.Pipe()
	go func() {
		w, err := pcapgen.NewWriter(pw, pcapgen.Config{})
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		payload := bytes.Repeat([]byte{'x'}, 1200)
		var conns []*pcapgen.Conn
		for i := 0; i < 8; i++ {
			cl := pcapgen.NewHost("00:1b:54:00:00:01", "10.70.0.1")
			sv := pcapgen.NewHost("00:50:56:00:00:02", "10.70.1.1")
			conns = append(conns, pcapgen.NewConn(w, cl, sv, uint16(40000+i), 443, uint32(i)*1e6, uint32(i)*2e6))
		}
		t0 := pcapgen.T0
		for n := 0; w.Packets() < packets && err == nil; n++ {
			c := conns[n%len(conns)]
			at := t0.Add(time.Duration(n) * 100 * time.Microsecond)
			seq := c.Next(true)
			_, err = c.Send(at, true, payload)
			if err == nil && n%50 == 0 {
				err = c.Resend(at.Add(200*time.Millisecond), true, seq, payload)
			}
			if err == nil && n%4 == 0 {
				err = c.Ack(at.Add(time.Millisecond), false)
			}
		}
		pw.CloseWithError(err)
	}()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	fa, err := AnalyzeReader(context.Background(), "bulk", pr, Options{MaxListed: 100})
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if fa.Counts.Packets < packets || fa.Counts.TCPRetransmissions == 0 {
		t.Fatalf("counts %+v", fa.Counts)
	}
	grow := int64(peak.Load()) - int64(before.HeapInuse)
	// The generator shares the heap; what is measured is far below what
	// keeping 200,000 packets (~260 MB) would take.
	if grow > 32<<20 {
		t.Errorf("heap grew by %d MB while streaming %d packets", grow>>20, packets)
	}
	t.Logf("heap growth %.1f MB, %.0f bytes allocated per packet (analysis and generator)", float64(grow)/(1<<20),
		float64(after.TotalAlloc-before.TotalAlloc)/float64(fa.Counts.Packets))
}
