package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/kaudit/kaudit/capture/internal/pcapgen"
)

// encoderJSON is what kaudit pcap analyze wrote before WriteJSON: the
// whole document from json.Encoder.
func encoderJSON(t *testing.T, an *Analysis) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(an); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWriteJSONSameDocument: streaming changes nothing in the document,
// for one file, a pair, a capture without timelines and timelines
// filtered away (null).
func TestWriteJSONSameDocument(t *testing.T) {
	ctx := context.Background()
	single, err := Analyze(ctx, "testdata/seed_case2.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	notable, err := Analyze(ctx, "testdata/seed_case2.pcap", Options{OnlyNotable: true})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := AnalyzePair(ctx, "testdata/pair_phone.pcap", "testdata/pair_cucm.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	arp, err := Analyze(ctx, "testdata/proxy_arp.pcap", Options{ASAMACs: []string{"58:8d:09:4e:07:1f"}})
	if err != nil {
		t.Fatal(err)
	}
	filtered, err := Analyze(ctx, "testdata/seed_case2.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	filtered.Files[0].Timelines = nil
	for name, an := range map[string]*Analysis{"single": single, "notable": notable, "pair": pair, "arp": arp, "nil timelines": filtered, "empty": {}} {
		var got bytes.Buffer
		if err := an.WriteJSON(&got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := encoderJSON(t, an); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: WriteJSON differs from json.Encoder:\n%s\nwant:\n%s", name, got.Bytes(), want)
		}
	}
}

// arrivals records, at every Write, how many timelines had been encoded.
type arrivals struct {
	encoded  int
	at       []int
	maxWrite int
	n        int
}

func (a *arrivals) Write(p []byte) (int, error) {
	a.at = append(a.at, a.encoded)
	a.maxWrite = max(a.maxWrite, len(p))
	a.n += len(p)
	return len(p), nil
}

// TestWriteJSONStreams: the JSON leaves timeline by timeline. Bytes reach
// the writer while most timelines are still to be encoded, and no write
// holds more than the buffer and one timeline, so the document is never
// built whole (it was: 505 MB peak for a 1,000,000-packet capture).
func TestWriteJSONStreams(t *testing.T) {
	var buf bytes.Buffer
	if _, err := pcapgen.WriteBig(&buf, pcapgen.BigConfig{Packets: 40_000, Phones: 100}); err != nil {
		t.Fatal(err)
	}
	fa, err := AnalyzeReader(context.Background(), "big", &buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	an := &Analysis{Files: []*FileAnalysis{fa}, Verdicts: fa.Verdicts}
	largest := 0
	for _, tl := range fa.Timelines {
		b, _ := json.MarshalIndent(tl, "        ", "  ")
		largest = max(largest, len(b))
	}
	var w arrivals
	if err := an.writeJSON(&w, func() { w.encoded++ }); err != nil {
		t.Fatal(err)
	}
	total := len(fa.Timelines)
	if total != 100 || w.encoded != total {
		t.Fatalf("%d timelines, %d encoded", total, w.encoded)
	}
	if len(w.at) < 3 || w.at[0] > total/4 {
		t.Errorf("first of %d writes after %d of %d timelines: the document is built before it is written", len(w.at), w.at[0], total)
	}
	if limit := 64<<10 + largest; w.maxWrite > limit {
		t.Errorf("a write of %d bytes, more than the buffer and the largest timeline (%d)", w.maxWrite, limit)
	}
	t.Logf("%d bytes in %d writes, the first after %d of %d timelines, largest write %d", w.n, len(w.at), w.at[0], total, w.maxWrite)
}
