package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket/pcapgo"

	"github.com/kaudit/kaudit/capture/clidump"
	"github.com/kaudit/kaudit/internal/testutil"
)

// dumpCorpus is ../shared/corpus/capture-dumps beside the repository; the
// test skips, loudly, only when ../shared itself is absent.
func dumpCorpus(t *testing.T) string {
	t.Helper()
	shared := filepath.Join(testutil.RepoRoot(t), "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("SKIPPING: %s not found (%v): pcap import of the device dump corpus NOT run", shared, err)
	}
	return filepath.Join(shared, "corpus", "capture-dumps")
}

// pcapTimes reads a pcap back: its packet times.
func pcapTimes(t *testing.T, path string) []time.Time {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var ts []time.Time
	for {
		_, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return ts
		}
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, ci.Timestamp)
	}
}

// TestPcapImportCorpus converts every corpus dump and has tshark count
// the frames of the pcap it wrote.
func TestPcapImportCorpus(t *testing.T) {
	dir := dumpCorpus(t)
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		testutil.MissingTool(t, "tshark is not installed (apt-get install tshark): the imported pcaps were NOT checked with Wireshark")
	}
	for _, tc := range []struct {
		file      string
		packets   int
		synthetic bool
	}{
		{"epc_cat9k_with_summary.txt", 1, false},
		{"epc_iosxe16_ciscodump.txt", 2, true},
		{"epc_iosxe17_ciscodump.txt", 1, true},
		{"asa_dump_ciscodump.txt", 1, false},
		{"asa_dump_ciscodump_12.txt", 1, false},
		{"asa_big_tail.txt", 1, false},
		{"asa_dump_wrapped.txt", 2, false},
		{"asa_dump_tabs_ok.txt", 1, false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.pcap")
			code, stdout, stderr := kaudit(t, "", "pcap", "import", filepath.Join(dir, tc.file), "-o", out, "--start", "2024-05-01")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			ts := pcapTimes(t, out)
			if len(ts) != tc.packets {
				t.Fatalf("%d packets in the pcap, want %d\n%s", len(ts), tc.packets, stdout)
			}
			fields, err := exec.Command(tshark, "-n", "-r", out, "-T", "fields", "-e", "frame.number").Output()
			if err != nil {
				t.Fatalf("tshark: %v", err)
			}
			n := len(strings.Fields(string(fields)))
			t.Logf("%s: %d packets converted, tshark reads %d", tc.file, len(ts), n)
			if n != tc.packets {
				t.Errorf("tshark reads %d frames, want %d", n, tc.packets)
			}
			said := strings.Contains(stdout, "TIMES ARE SYNTHETIC") && strings.Contains(stderr, "TIMES ARE SYNTHETIC")
			if said != tc.synthetic {
				t.Errorf("synthetic said %v, want %v\nstdout %s\nstderr %s", said, tc.synthetic, stdout, stderr)
			}
			if tc.synthetic && !ts[0].Equal(time.Unix(0, 0)) {
				t.Errorf("synthetic first time %s, want the epoch", ts[0])
			}
			if !tc.synthetic && ts[0].Before(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("first time %s, want on --start's date", ts[0])
			}
		})
	}
}

// TestPcapImport: several dumps and stdin in one pcap; times from --brief;
// errors name the file and line and exit 2.
func TestPcapImport(t *testing.T) {
	dir := t.TempDir()
	pkts := []clidump.Packet{
		{Time: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), Data: bytes.Repeat([]byte{0xaa}, 60)},
		{Time: time.Date(2024, 5, 1, 10, 0, 2, 500e6, time.UTC), Data: bytes.Repeat([]byte{0xbb}, 70)},
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	asa := write("asa.txt", clidump.Render(clidump.ASA, pkts, clidump.RenderOptions{}))
	xe17 := string(clidump.Render(clidump.EPCXE17, pkts, clidump.RenderOptions{}))
	brief := write("brief.txt", clidump.RenderBrief(clidump.EPCXE17, pkts))

	out := filepath.Join(dir, "all.pcap")
	code, stdout, stderr := kaudit(t, xe17, "pcap", "import", asa, "-", "-o", out, "--start", "2024-05-01")
	if code != 0 || len(pcapTimes(t, out)) != 4 || !strings.Contains(stdout, "wrote "+out+": 4 packets") {
		t.Fatalf("exit %d, %d packets\n%s%s", code, len(pcapTimes(t, out)), stdout, stderr)
	}
	if !strings.Contains(stdout, "-: IOS-XE 17 EPC dump (hex rows only), 2 packets, times: NONE") || !strings.Contains(stderr, "TIMES ARE SYNTHETIC") {
		t.Errorf("stdout %s\nstderr %s", stdout, stderr)
	}

	code, stdout, stderr = kaudit(t, xe17, "pcap", "import", "-", "--brief", brief, "-o", out, "--start", "2024-05-01T10:00:00Z")
	ts := pcapTimes(t, out)
	if code != 0 || len(ts) != 2 || ts[1].Sub(ts[0]) != 2500*time.Millisecond || !ts[0].Equal(pkts[0].Time) || strings.Contains(stdout+stderr, "SYNTHETIC") {
		t.Fatalf("--brief: exit %d times %v\n%s%s", code, ts, stdout, stderr)
	}

	bad := write("bad.txt", []byte(strings.Replace(xe17, "0010  bb", "0020  bb", 1)))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{bad, "-o", out}, "bad.txt:9: offset 0x20, want 0x10"},
		{[]string{asa, "--from", "epc", "-o", out}, "asa.txt: not a capture dump: no EPC hex rows"},
		{[]string{asa}, "-o FILE.pcap is required"},
		{[]string{asa, "--from", "ios", "-o", out}, "--from"},
		{[]string{asa, asa, "--brief", brief, "-o", out}, "exactly one DUMP"},
		{[]string{asa, "--start", "yesterday", "-o", out}, "--start"},
		{[]string{filepath.Join(dir, "missing.txt"), "-o", out}, "missing.txt"},
	} {
		code, _, stderr := kaudit(t, "", append([]string{"pcap", "import"}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d %q, want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
