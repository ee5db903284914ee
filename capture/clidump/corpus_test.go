package clidump

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/internal/testutil"
)

// corpusDir is ../shared/corpus/capture-dumps beside the repository. The
// test skips, loudly, only when ../shared itself is absent.
func corpusDir(t testing.TB) string {
	t.Helper()
	shared := filepath.Join(testutil.RepoRoot(t), "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("SKIPPING: %s not found (%v): the device dump corpus was NOT read", shared, err)
	}
	return filepath.Join(shared, "corpus", "capture-dumps")
}

// corpusCase is what a corpus dump holds, counted by hand from the file.
type corpusCase struct {
	file    string
	family  string
	layout  Layout
	timing  Timing
	lengths []int  // bytes per packet
	first   string // the first packet's first bytes, hex
	note    string // a note the parse must give
}

var corpusCases = []corpusCase{
	{"epc_cat9k_with_summary.txt", FamilyEPC, EPCSummary, TimingRelative, []int{60}, "6c5e3b885e806c5e", ""},
	{"epc_iosxe16_ciscodump.txt", FamilyEPC, EPCXE16, TimingNone, []int{98, 98}, "00000c07ac154c5d", ""},
	{"epc_iosxe17_ciscodump.txt", FamilyEPC, EPCXE17, TimingNone, []int{60}, "6c5e3b885e806c5e", ""},
	{"asa_dump_ciscodump.txt", FamilyASA, ASA, TimingTimeOfDay, []int{98}, "a4530ef37fc074ad", ""},
	{"asa_dump_ciscodump_12.txt", FamilyASA, ASA, TimingTimeOfDay, []int{98}, "a4530ef37fc074ad", ""},
	{"asa_big_tail.txt", FamilyASA, ASA, TimingTimeOfDay, []int{16}, "a4530ef37fc074ad", "1203 packets shown, 1 were read"},
	{"asa_dump_wrapped.txt", FamilyASA, ASA, TimingTimeOfDay, []int{32, 16}, "a4530ef37fc074ad", ""},
	{"asa_dump_tabs_ok.txt", FamilyASA, ASA, TimingTimeOfDay, []int{16}, "a4530ef37fc074ad", ""},
}

// TestCorpus reads every dump in the corpus, as its family and detected,
// and checks packets, bytes, layout and timing; a corpus file without a
// case here fails, so a new layout cannot go unread.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dumps in %s (%v)", dir, err)
	}
	known := map[string]bool{}
	for _, tc := range corpusCases {
		known[tc.file] = true
	}
	for _, f := range files {
		if !known[filepath.Base(f)] {
			t.Errorf("%s: no corpus case for it", f)
		}
	}
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range corpusCases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := Detect(data); got != tc.family {
				t.Errorf("detected %q, want %q", got, tc.family)
			}
			for _, fam := range []string{tc.family, FamilyAuto} {
				d, err := Parse(bytes.NewReader(data), fam, Options{Name: tc.file, Start: start})
				if err != nil {
					t.Fatalf("--from %s: %v", fam, err)
				}
				checkCase(t, tc, d)
			}
		})
	}
}

func checkCase(t *testing.T, tc corpusCase, d *Dump) {
	t.Helper()
	if d.Layout != tc.layout || d.Timing != tc.timing {
		t.Errorf("layout %s timing %s, want %s %s", d.Layout, d.Timing, tc.layout, tc.timing)
	}
	if len(d.Packets) != len(tc.lengths) {
		t.Fatalf("%d packets, want %d", len(d.Packets), len(tc.lengths))
	}
	for i, p := range d.Packets {
		if len(p.Data) != tc.lengths[i] {
			t.Errorf("packet %d: %d bytes, want %d", i+1, len(p.Data), tc.lengths[i])
		}
	}
	if got := hex.EncodeToString(d.Packets[0].Data[:8]); got != tc.first {
		t.Errorf("first bytes %s, want %s", got, tc.first)
	}
	if d.Synthetic() != (tc.timing == TimingNone) {
		t.Errorf("synthetic %v with timing %s", d.Synthetic(), d.Timing)
	}
	if d.Synthetic() && !d.Packets[0].Time.Equal(time.Unix(0, 0)) {
		t.Errorf("synthetic time %s, want the epoch", d.Packets[0].Time)
	}
	if tc.note != "" && !strings.Contains(strings.Join(d.Notes, "; "), tc.note) {
		t.Errorf("notes %q lack %q", d.Notes, tc.note)
	}
}

// TestCorpusTimes: the times each timed layout gives.
func TestCorpusTimes(t *testing.T) {
	dir := corpusDir(t)
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	read := func(name string) *Dump {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(bytes.NewReader(data), FamilyAuto, Options{Name: name, Start: start})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := read("asa_dump_wrapped.txt")
	if want := start.Add(20*time.Hour + 40*time.Minute + 1108469*time.Microsecond); !d.Packets[0].Time.Equal(want) {
		t.Errorf("ASA time %s, want %s", d.Packets[0].Time, want)
	}
	if gap := d.Packets[1].Time.Sub(d.Packets[0].Time); gap != time.Second {
		t.Errorf("ASA gap %s", gap)
	}
	if d := read("epc_cat9k_with_summary.txt"); !d.Packets[0].Time.Equal(start) {
		t.Errorf("Catalyst relative time %s, want the start", d.Packets[0].Time)
	}
}

// TestCorpusTshark writes each corpus dump as a pcap and has tshark count
// its frames: the same number the dump holds.
func TestCorpusTshark(t *testing.T) {
	dir := corpusDir(t)
	tshark := needTshark(t)
	for _, tc := range corpusCases {
		data, err := os.ReadFile(filepath.Join(dir, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(bytes.NewReader(data), FamilyAuto, Options{Name: tc.file})
		if err != nil {
			t.Fatal(err)
		}
		n := tsharkCount(t, tshark, d.Packets)
		t.Logf("%-28s %-12s %d packets converted, tshark reads %d", tc.file, d.Layout, len(d.Packets), n)
		if n != len(d.Packets) {
			t.Errorf("%s: tshark reads %d frames, the dump holds %d", tc.file, n, len(d.Packets))
		}
	}
}

func needTshark(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("tshark")
	if err != nil {
		testutil.MissingTool(t, "tshark is not installed (apt-get install tshark): the converted pcaps were NOT checked with Wireshark")
	}
	return p
}

// tsharkCount writes pkts to a pcap and counts the frames tshark reads.
func tsharkCount(t *testing.T, tshark string, pkts []Packet) int {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dump.pcap")
	var b bytes.Buffer
	if err := WritePcap(&b, pkts); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tshark, "-n", "-r", path, "-T", "fields", "-e", "frame.len").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	n := 0
	for i, l := range strings.Fields(string(out)) {
		if v, err := strconv.Atoi(l); err != nil || v != len(pkts[i].Data) {
			t.Errorf("tshark frame %d length %q, want %d", i+1, l, len(pkts[i].Data))
		}
		n++
	}
	return n
}

// TestLayoutsTshark does the same for every layout Render prints,
// including those the corpus has no file of (classic IOS, the ASA with
// single spaces).
func TestLayoutsTshark(t *testing.T) {
	tshark := needTshark(t)
	pkts := frames(t)
	for _, l := range Layouts() {
		d, err := Parse(bytes.NewReader(Render(l, pkts, RenderOptions{})), FamilyAuto, Options{})
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		n := tsharkCount(t, tshark, d.Packets)
		t.Logf("%-12s %d packets converted, tshark reads %d", l, len(d.Packets), n)
		if n != len(pkts) || len(d.Packets) != len(pkts) {
			t.Errorf("%s: %d converted, tshark reads %d, want %d", l, len(d.Packets), n, len(pkts))
		}
	}
}
