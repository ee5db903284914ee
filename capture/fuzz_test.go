package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzAnalyze feeds arbitrary bytes to the reader and the analysis: no
// panic, and the result stays consistent and renderable.
func FuzzAnalyze(f *testing.F) {
	for _, p := range testdataPcaps(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	// Third-party captures as seeds when the shared corpus is there.
	dir := filepath.Join(repoRoot(f), "..", "shared", "corpus", "pcap")
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
		return nil
	})
	f.Add([]byte{})
	f.Add([]byte("\x0a\x0d\x0d\x0a"))
	opts := Options{ASAMACs: []string{"588d.094e.071f"}, CallManagers: []string{"10.60.1.11"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		fa, err := AnalyzeReader(context.Background(), "fuzz", bytes.NewReader(data), opts)
		if fa == nil {
			t.Fatalf("no analysis (err %v)", err)
		}
		if (err == nil) != (fa.Error == "") {
			t.Fatalf("error %v but Error field %q", err, fa.Error)
		}
		c := fa.Counts
		if c.TCPRetransmissions > c.TCPSegments || c.SIPRegisters > c.SIPRequests ||
			c.TCPSegments+c.UDPDatagrams+c.Undecoded+c.IPFragments > c.Packets ||
			c.TCPFastRetransmissions+c.TCPSpuriousRetransmissions > c.TCPRetransmissions {
			t.Fatalf("inconsistent counts %+v", c)
		}
		n := 0
		for _, tl := range fa.Timelines {
			n += len(tl.Keepalives)
			if tl.Summary.Keepalives != len(tl.Keepalives) || tl.Summary.Lost > len(tl.Keepalives) {
				t.Fatalf("inconsistent summary %+v", tl.Summary)
			}
			if err := WriteSVG(io.Discard, tl); err != nil {
				t.Fatal(err)
			}
		}
		if n > c.SIPRequests+c.SCCPKeepalives {
			t.Fatalf("%d keepalives from %d requests and %d SCCP keepalives", n, c.SIPRequests, c.SCCPKeepalives)
		}
		an := &Analysis{Files: []*FileAnalysis{fa}, Verdicts: fa.Verdicts}
		if _, err := json.Marshal(an); err != nil {
			t.Fatal(err)
		}
		if err := an.WriteText(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzSIP checks the SIP framer on arbitrary stream bytes: a complete
// message never claims more bytes than it has, and reassembling the same
// bytes cut into two segments finds the same messages.
func FuzzSIP(f *testing.F) {
	f.Add([]byte("REGISTER sip:10.0.0.1 SIP/2.0\r\nCSeq: 1 REGISTER\r\nContent-Length: 4\r\n\r\nbodySIP/2.0 200 OK\r\nl: 0\r\n\r\n"), 10)
	f.Add([]byte("\r\n\r\nSIP/2.0 100 Trying\r\nm: <sip:a@b>;expires=0;cisco-keep-alive\r\n\r\n"), 3)
	f.Add([]byte("garbage\r\nINVITE sip:x SIP/2.0\r\n\r\n"), 0)
	f.Fuzz(func(t *testing.T, data []byte, cut int) {
		var m sipMsg
		if n := sipFrame(data, &m); n > len(data) {
			t.Fatalf("frame %d > %d bytes", n, len(data))
		}
		collect := func(parts ...[]byte) []string {
			s := &stream{proto: protoSIP}
			var got []string
			seq := uint32(1000)
			for _, p := range parts {
				s.feed(seq, len(p), p, false, segRef{seq: seq}, func(e *msgEvent) {
					if e.seq-1000 > uint32(len(data)) {
						t.Fatalf("message at %d beyond the data", e.seq)
					}
					got = append(got, string(e.data))
				})
				seq += uint32(len(p))
			}
			return got
		}
		whole := collect(data)
		if cut < 0 || cut > len(data) {
			return
		}
		split := collect(data[:cut], data[cut:])
		// Splitting can only delay recognition, never invent messages:
		// whatever is found whole is found split, when the cut does not
		// make a resync start earlier.
		if len(split) > len(whole)+1 {
			t.Fatalf("split found %d messages, whole %d", len(split), len(whole))
		}
	})
}
