package main

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const pcaps = "../../capture/testdata"

func TestPcapAnalyze(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "tl.svg")
	code, out, errOut := kaudit(t, "", "pcap", "analyze", pcaps+"/seed_case2.pcap", "--format", "json", "--svg", svg)
	if code != 1 {
		t.Fatalf("seed case 2 must fail on its critical verdict: exit %d %s", code, errOut)
	}
	var an struct {
		Verdicts []struct{ ID, Severity string }
	}
	if err := json.Unmarshal([]byte(out), &an); err != nil {
		t.Fatal(err)
	}
	if len(an.Verdicts) == 0 || an.Verdicts[0].ID != "registration-lost" || an.Verdicts[0].Severity != "critical" {
		t.Fatalf("verdicts %+v", an.Verdicts)
	}
	data, err := os.ReadFile(svg)
	if err != nil || !strings.HasPrefix(string(data), "<svg") {
		t.Fatalf("svg: %v %.80s", err, data)
	}
	// Two captures: a keepalive lost between phone and call manager.
	code, out, _ = kaudit(t, "", "pcap", "analyze", pcaps+"/pair_phone.pcap", "--peer", pcaps+"/pair_cucm.pcap")
	if code == 2 || !strings.Contains(strings.ToLower(out), "never received") {
		t.Fatalf("pair: exit %d\n%.1500s", code, out)
	}
	// A phone filter by SEP name needs the snapshot; an unknown one keeps nothing.
	code, out, _ = kaudit(t, "", "pcap", "analyze", pcaps+"/seed_case2.pcap", "--phone", "10.99.99.99")
	if code != 0 || strings.Contains(out, "registration-lost") {
		t.Fatalf("filtered: exit %d\n%.500s", code, out)
	}
	// A broken capture: exit 2 naming the file.
	bad := filepath.Join(t.TempDir(), "bad.pcap")
	os.WriteFile(bad, []byte("this is not a capture at all"), 0o644)
	code, _, errOut = kaudit(t, "", "pcap", "analyze", bad)
	if code != 2 || !strings.Contains(errOut, "bad.pcap") {
		t.Fatalf("broken: exit %d %q", code, errOut)
	}
}

// synPcap writes a pcap of n SYN-only TCP flows toward port 80, one
// frame each (Ethernet, IPv4 without options; checksums are not read).
func synPcap(t *testing.T, n int) string {
	t.Helper()
	b := binary.LittleEndian.AppendUint32(nil, 0xa1b2c3d4)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...) // thiszone, sigfigs
	b = binary.LittleEndian.AppendUint32(b, 65535)
	b = binary.LittleEndian.AppendUint32(b, 1) // Ethernet
	for i := 0; i < n; i++ {
		frame := make([]byte, 54)
		copy(frame[0:6], []byte{0, 0x50, 0x56, 0, 0, 0x80})
		copy(frame[6:12], []byte{0, 0x1b, 0x54, 0, 0, 1})
		binary.BigEndian.PutUint16(frame[12:], 0x0800)
		ip := frame[14:34]
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], 40)
		ip[8], ip[9] = 64, 6
		copy(ip[12:16], []byte{10, 90, 0, 1})
		copy(ip[16:20], []byte{10, 80, 0, 1})
		tcp := frame[34:54]
		binary.BigEndian.PutUint16(tcp[0:], uint16(10000+i))
		binary.BigEndian.PutUint16(tcp[2:], 80)
		binary.BigEndian.PutUint32(tcp[4:], uint32(i)*7919)
		tcp[12], tcp[13] = 5<<4, 0x02 // header length 20, SYN
		binary.BigEndian.PutUint16(tcp[14:], 8192)
		b = binary.LittleEndian.AppendUint32(b, 1709632800)
		b = binary.LittleEndian.AppendUint32(b, uint32(i))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(frame)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(frame)))
		b = append(b, frame...)
	}
	path := filepath.Join(t.TempDir(), "syn.pcap")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPcapAnalyzeMaxFlows: past --max-flows, flows are ignored and every
// format says so.
func TestPcapAnalyzeMaxFlows(t *testing.T) {
	file := synPcap(t, 5)
	const note = "too many TCP flows: analysed the first 2, about 3 more ignored"
	for _, format := range []string{"table", "markdown", "json"} {
		code, out, errOut := kaudit(t, "", "pcap", "analyze", file, "--max-flows", "2", "--format", format)
		if code != 0 || !strings.Contains(out, note) {
			t.Errorf("%s: exit %d %s\n%s", format, code, errOut, out)
		}
	}
	code, out, _ := kaudit(t, "", "pcap", "analyze", file, "--format", "json")
	if code != 0 || strings.Contains(out, "too many") || !strings.Contains(out, `"tcp_flows": 5`) {
		t.Errorf("default cap: exit %d\n%s", code, out)
	}
	if code, _, errOut := kaudit(t, "", "pcap", "analyze", file, "--max-flows", "0"); code != 2 || !strings.Contains(errOut, "--max-flows") {
		t.Errorf("--max-flows 0: exit %d %q", code, errOut)
	}
	if code, _, errOut := kaudit(t, "", "pcap", "analyze", file, "--max-timelines", "0"); code != 2 || !strings.Contains(errOut, "--max-timelines") {
		t.Errorf("--max-timelines 0: exit %d %q", code, errOut)
	}
}

// TestPcapAnalyzeKeepalives: by default a timeline lists the keepalives
// with something to show and counts the others; --all-keepalives lists
// them all; --svg still draws every keepalive of the timeline it draws.
func TestPcapAnalyzeKeepalives(t *testing.T) {
	type timeline struct {
		Keepalives        []struct{ Number int }
		KeepalivesOmitted int `json:"keepalives_omitted"`
		Summary           struct{ Keepalives int }
	}
	decode := func(args ...string) timeline {
		t.Helper()
		var an struct {
			Files []struct{ Timelines []timeline }
		}
		_, out, errOut := kaudit(t, "", append([]string{"pcap", "analyze", pcaps + "/seed_case2.pcap", "--format", "json"}, args...)...)
		if err := json.Unmarshal([]byte(out), &an); err != nil || len(an.Files) != 1 || len(an.Files[0].Timelines) != 1 {
			t.Fatalf("%v: %v %s\n%.500s", args, err, errOut, out)
		}
		return an.Files[0].Timelines[0]
	}
	// Seed case 2: the first of 10 REGISTERs is on time, the other 9 were
	// retransmitted.
	tl := decode()
	if tl.Summary.Keepalives != 10 || len(tl.Keepalives) != 9 || tl.KeepalivesOmitted != 1 || tl.Keepalives[0].Number != 2 {
		t.Errorf("default: %d keepalives, %d listed (first #%d), %d omitted", tl.Summary.Keepalives, len(tl.Keepalives), tl.Keepalives[0].Number, tl.KeepalivesOmitted)
	}
	if tl := decode("--all-keepalives"); len(tl.Keepalives) != 10 || tl.KeepalivesOmitted != 0 {
		t.Errorf("--all-keepalives: %d listed, %d omitted", len(tl.Keepalives), tl.KeepalivesOmitted)
	}
	_, out, _ := kaudit(t, "", "pcap", "analyze", pcaps+"/seed_case2.pcap")
	if !strings.Contains(out, "1 keepalive on time and without retransmission not listed") {
		t.Errorf("table does not say what it left out:\n%s", out)
	}
	dir := t.TempDir()
	var svgs []string
	for _, args := range [][]string{{}, {"--all-keepalives"}} {
		svg := filepath.Join(dir, "tl.svg")
		kaudit(t, "", append([]string{"pcap", "analyze", pcaps + "/seed_case2.pcap", "--svg", svg}, args...)...)
		b, err := os.ReadFile(svg)
		if err != nil {
			t.Fatal(err)
		}
		svgs = append(svgs, string(b))
	}
	if svgs[0] != svgs[1] || !strings.Contains(svgs[0], "#1 REGISTER") {
		t.Errorf("--svg without --all-keepalives draws another timeline:\n%s", svgs[0])
	}
}
