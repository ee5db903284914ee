package devsim

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// testPcap is a classic pcap of n small frames.
func testPcap(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	w := pcapgo.NewWriter(&b)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := range n {
		frame := make([]byte, 60)
		frame[0] = byte(i)
		if err := w.WritePacket(gopacketCI(t0.Add(time.Duration(i)*time.Second), len(frame)), frame); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// TestCUCMCaptureDialogue drives the simulated capture by hand: a count
// below the lab's packets ends it at once with that many; file get asks
// its questions and refuses to push anywhere but loopback; file delete
// removes the file and is recorded; ^C stops a capture that holds.
func TestCUCMCaptureDialogue(t *testing.T) {
	srv := startLab(t, Options{}, func(h *Host) {
		if h.Platform == PlatformCUCM {
			h.CUCMCapture = &CUCMCapture{Pcap: testPcap(t, 5)}
		}
	})
	tm := openTerm(t, srv, "cucm1")
	tm.until("admin:")
	// The options block in the layout of Cisco TAC document 215537.
	banner := tm.run("utils network capture eth0 file KAUD01 count 3 size all host ip 10.1.1.1", "admin:")
	mustContain(t, banner, "Executing command with options:\r\n size=ALL ", " count=3 ", " interface=eth0\r\n src=", "\r\n ip=10.1.1.1\r\n")
	if got := srv.CUCMCaptureFiles("cucm1"); !slices.Equal(got, []string{"KAUD01.cap"}) {
		t.Fatalf("files %v", got)
	}
	tm.send("file get activelog platform/cli/KAUD01.cap\n")
	info := tm.until("Would you like to proceed [y/n]? ")
	// 24-byte header, 3 × (16-byte record header + 60 bytes).
	mustContain(t, info, "Number of files affected: 1", "Total size in Bytes: 252")
	for _, qa := range [][2]string{
		{"y", "SFTP server IP: "}, {"192.0.2.10", "SFTP server port [22]: "}, {"", "User ID: "},
		{"u1", "Password: "}, {"Secret-Pw-1", "Download directory: "},
	} {
		tm.send(qa[0] + "\n")
		tm.until(qa[1])
	}
	tm.send("/\n")
	out := tm.until("admin:")
	mustContain(t, out, "devsim pushes only to loopback", "Executed command unsuccessfully")
	// Cisco TAC document 118892's wording.
	mustContain(t, tm.run("file delete activelog platform/cli/KAUD01.cap noconfirm", "admin:"), "files: found = 1, deleted = 1\r\n")
	if got := srv.CUCMCaptureFiles("cucm1"); len(got) != 0 {
		t.Errorf("files after delete %v", got)
	}
	out = tm.run("file delete activelog platform/cli/KAUD01.cap noconfirm", "admin:")
	mustContain(t, out, "Executed command unsuccessfully")

	tm.send("utils network capture eth0 file KAUD02 count 100 size all host ip 10.1.1.1\n")
	tm.until("interface=eth0\r\n")
	if q := tm.quiet(300 * time.Millisecond); strings.Contains(q, "admin:") {
		t.Fatalf("the capture did not hold the CLI: %q", q)
	}
	tm.send("\x03")
	tm.until("admin:")
	if got := srv.CUCMCaptureFiles("cucm1"); !slices.Equal(got, []string{"KAUD02.cap"}) {
		t.Errorf("files after ^C %v", got)
	}
	cmds := srv.Commands("cucm1")
	for _, want := range []string{"file delete activelog platform/cli/KAUD01.cap noconfirm", "192.0.2.10", Redacted, "^C"} {
		if !slices.Contains(cmds, want) {
			t.Errorf("%q not recorded in %q", want, cmds)
		}
	}
	if slices.Contains(cmds, "Secret-Pw-1") {
		t.Error("the SFTP password was recorded")
	}
}

// TestKbytes: the KiB total as the CUCM CLI prints it, at most four
// decimals and no trailing zero (the figures are from the public file get
// transcripts cited at cucmTotalKbytes).
func TestKbytes(t *testing.T) {
	for n, want := range map[int]string{2472833: "2414.876", 2702728: "2639.3828", 252: "0.2461", 2048: "2"} {
		if got := kbytes(n); got != want {
			t.Errorf("kbytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func gopacketCI(ts time.Time, n int) gopacket.CaptureInfo {
	return gopacket.CaptureInfo{Timestamp: ts, CaptureLength: n, Length: n}
}
