package capture

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// framesOf reads every packet of a capture file.
func framesOf(t testing.TB, path string) (frames [][]byte, lts []uint32) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src, err := openSource(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	for {
		data, _, lt, err := src.next()
		if err != nil {
			return frames, lts
		}
		frames = append(frames, append([]byte(nil), data...))
		lts = append(lts, lt)
	}
}

// sameDecode decodes data through fastDecode and through gopacket and
// compares what they fill; it says whether the fast path took the frame.
func sameDecode(t *testing.T, d *decoder, lt uint32, data []byte) bool {
	t.Helper()
	var fast, slow frame
	took := lt == 1 && fastDecode(data, &fast)
	okSlow := d.decodeLayers(lt, data, &slow)
	if !took {
		return false
	}
	if !okSlow || !bytes.Equal(fast.payload, slow.payload) || (fast.payload == nil) != (slow.payload == nil) {
		t.Fatalf("frame % x: fast payload %q, gopacket %v %q", data, fast.payload, okSlow, slow.payload)
	}
	fast.payload, slow.payload = nil, nil
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("frame % x:\nfast     %+v\ngopacket %+v", data, fast, slow)
	}
	return true
}

// TestFastDecode holds fastDecode to gopacket's decoding on every packet
// of the test and corpus captures and on random damage to their IPv4,
// TCP and UDP headers (lengths, header length, fragments, protocol).
func TestFastDecode(t *testing.T) {
	files := testdataPcaps(t)
	if dirExists(filepath.Join(repoRoot(t), "..", "shared", "corpus", "pcap")) {
		files = append(files, corpusPcaps(t)...)
	}
	d := newDecoder()
	rng := rand.New(rand.NewPCG(7, 8))
	took := 0
	for _, file := range files {
		frames, lts := framesOf(t, file)
		for i, data := range frames {
			if sameDecode(t, d, lts[i], data) {
				took++
			}
			if lts[i] != 1 || len(data) < 34 {
				continue
			}
			for n := 0; n < 20; n++ {
				m := append([]byte(nil), data...)
				switch rng.IntN(6) {
				case 0: // IP total length, sometimes 0 (TSO)
					binary.BigEndian.PutUint16(m[16:], uint16(rng.IntN(len(m)+40)*rng.IntN(2)))
				case 1: // flags and fragment offset
					binary.BigEndian.PutUint16(m[20:], []uint16{0, 0x2000, 0x4000, 0x8000, uint16(rng.IntN(0x2000))}[rng.IntN(5)])
				case 2: // protocol
					m[23] = []byte{6, 17, 1, 4, 41}[rng.IntN(5)]
				case 3: // TCP data offset or UDP length
					if len(m) > 34+13 {
						m[34+12] = byte(rng.IntN(16)) << 4
						binary.BigEndian.PutUint16(m[34+4:], uint16(rng.IntN(len(m))))
					}
				case 4: // cut short
					m = m[:34+rng.IntN(len(m)-33)]
				case 5: // IP header length
					m[14] = 0x40 | byte(rng.IntN(16))
				}
				if sameDecode(t, d, 1, m) {
					took++
				}
			}
		}
	}
	if took < 1000 {
		t.Errorf("the fast path took only %d frames", took)
	}
	t.Logf("%d frames compared on the fast path", took)
}

func dirExists(dir string) bool {
	st, err := os.Stat(dir)
	return err == nil && st.IsDir()
}

// FuzzFastDecode: on any Ethernet frame fastDecode either declines or
// fills what gopacket's decoding fills.
func FuzzFastDecode(f *testing.F) {
	for _, file := range []string{"testdata/seed_case2.pcap", "testdata/sip_udp.pcap", "testdata/tcp_analysis.pcap"} {
		frames, _ := framesOf(f, file)
		for _, fr := range frames[:min(len(frames), 8)] {
			f.Add(fr)
		}
	}
	d := newDecoder()
	f.Fuzz(func(t *testing.T, data []byte) {
		sameDecode(t, d, 1, data)
	})
}
