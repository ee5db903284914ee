package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/capture/internal/pcapgen"
)

func synFlood(t testing.TB, cfg pcapgen.SYNFloodConfig) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := pcapgen.WriteSYNFlood(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSYNFloodStateIsBounded analyses 200,000 SYN-only flows, one in a
// hundred toward the SIP port: none carries signalling, so none gets
// reassembly state, each tracked flow costs only its compact sequence
// state, and the flows beyond the default cap are not tracked at all.
func TestSYNFloodStateIsBounded(t *testing.T) {
	data := synFlood(t, pcapgen.SYNFloodConfig{Flows: 200_000, SIPEvery: 100})
	fa, err := AnalyzeReader(context.Background(), "syn.pcap", bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := fa.state
	// 198,000 flows to port 80 compete for the 100,000 places; the 2,000
	// toward 5060 have places of their own.
	if st.flows != DefaultMaxFlows+2000 || st.appConns != 0 || st.overflowSegs != 0 {
		t.Errorf("tracked %d flows (want %d), %d with reassembly (want 0), %d overflow segments (want 0)",
			st.flows, DefaultMaxFlows+2000, st.appConns, st.overflowSegs)
	}
	if per := st.bytes / int64(st.flows); per > 256 {
		t.Errorf("%d bytes of state per SYN-only flow, want at most 256", per)
	}
	// The ignored flows are counted, not kept: an estimate, within 0.1%.
	c := fa.Counts
	if c.TCPSegments != 200_000 || c.TCPFlows != st.flows || c.TCPFlowsIgnored < 97_900 || c.TCPFlowsIgnored > 98_100 {
		t.Errorf("counts: %d segments, %d flows, %d ignored (want about 98000)", c.TCPSegments, c.TCPFlows, c.TCPFlowsIgnored)
	}
	want := fmt.Sprintf("too many TCP flows: analysed the first 100000, about %d more ignored; all 2000 signalling flows", c.TCPFlowsIgnored)
	if len(fa.Notes) != 1 || !strings.HasPrefix(fa.Notes[0], want) {
		t.Errorf("notes %q, want %q...", fa.Notes, want)
	}
}

// TestFlowCapNote sets a small cap: the note says how many flows were
// analysed and how many ignored, in every output format.
func TestFlowCapNote(t *testing.T) {
	data := synFlood(t, pcapgen.SYNFloodConfig{Flows: 50})
	fa, err := AnalyzeReader(context.Background(), "syn.pcap", bytes.NewReader(data), Options{MaxFlows: 10})
	if err != nil {
		t.Fatal(err)
	}
	const note = "too many TCP flows: analysed the first 10, about 40 more ignored"
	if fa.Counts.TCPFlows != 10 || fa.Counts.TCPFlowsIgnored != 40 || len(fa.Notes) != 1 || !strings.HasPrefix(fa.Notes[0], note) {
		t.Fatalf("%d flows, %d ignored, notes %q", fa.Counts.TCPFlows, fa.Counts.TCPFlowsIgnored, fa.Notes)
	}
	an := &Analysis{Files: []*FileAnalysis{fa}, Verdicts: fa.Verdicts}
	var text, md bytes.Buffer
	if err := an.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := an.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(an)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String(), "json": string(js)} {
		if !strings.Contains(out, note) {
			t.Errorf("%s output lacks the note:\n%s", name, out)
		}
	}
	// Under the cap there is no note.
	fa, err = AnalyzeReader(context.Background(), "syn.pcap", bytes.NewReader(data), Options{MaxFlows: 50})
	if err != nil || len(fa.Notes) != 0 || fa.Counts.TCPFlowsIgnored != 0 || fa.Counts.TCPFlows != 50 {
		t.Errorf("at the cap: err %v, notes %q, counts %+v", err, fa.Notes, fa.Counts)
	}
}

// TestSignallingFlowsPastTheCap: once ordinary flows fill their places,
// a SIP flow that starts later is still analysed, its retransmitted
// REGISTER included; and a flow whose first payload is SIP, on any port,
// takes a signalling place too.
func TestSignallingFlowsPastTheCap(t *testing.T) {
	var buf bytes.Buffer
	w, err := pcapgen.NewWriter(&buf, pcapgen.Config{})
	if err != nil {
		t.Fatal(err)
	}
	at := pcapgen.T0
	web := pcapgen.NewHost("00:50:56:00:00:80", "10.80.0.1")
	for i := 0; i < 5; i++ {
		seg := pcapgen.Segment{SrcPort: uint16(20000 + i), DstPort: 80, Seq: uint32(i) * 1000, Flags: pcapgen.SYN, Window: 8192}
		if err := w.TCP(at, pcapgen.Phone2, web, seg); err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Millisecond)
	}
	for i, port := range []uint16{5060, 8060} {
		c := pcapgen.NewConn(w, pcapgen.Phone1, pcapgen.CUCM1, uint16(50000+i), port, 1000, 5000)
		reg := pcapgen.Register{Phone: pcapgen.Phone1, CM: pcapgen.CUCM1, PhonePort: c.CPort, Transport: "TCP",
			Device: "SEP001B54C24A10", Line: "2001", CallID: fmt.Sprintf("cap-%d@10.60.98.210", i), CSeq: 101, Expires: 120}
		if err := c.Handshake(at, 2*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		msg := reg.Request()
		seq, err := c.Send(at.Add(5*time.Millisecond), true, msg)
		if err == nil {
			err = c.Resend(at.Add(300*time.Millisecond), true, seq, msg)
		}
		if err == nil {
			_, err = c.Send(at.Add(302*time.Millisecond), false, reg.Response(200, "OK", 120))
		}
		if err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Second)
	}
	fa, err := AnalyzeReader(context.Background(), "late-sip.pcap", &buf, Options{MaxFlows: 2})
	if err != nil {
		t.Fatal(err)
	}
	c := fa.Counts
	if c.SIPRegisters != 2 || c.TCPRetransmissions != 2 || c.TCPFlows != 4 || c.TCPFlowsIgnored != 3 || len(fa.Timelines) != 1 {
		t.Errorf("with two places for ordinary flows: %d REGISTERs (want 2), %d retransmissions (want 2), %d flows (want 4), %d ignored (want 3), %d timelines (want 1)",
			c.SIPRegisters, c.TCPRetransmissions, c.TCPFlows, c.TCPFlowsIgnored, len(fa.Timelines))
	}
}
