package capture

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tsharkCounts are what Wireshark's dissectors say about a capture.
type tsharkCounts struct {
	retransmissions   int // frames matching tcp.analysis.retransmission
	registers         int // sip.Method == "REGISTER" occurrences
	registerFrames    int // frames matching sip.Method == "REGISTER"
	requests          int // sip.Method occurrences
	arpReplies        int // arp.opcode == 2
	sccpKeepalives    int // skinny.messageId == 0x0000 occurrences
	sccpKeepaliveAcks int // skinny.messageId == 0x0100 occurrences
}

func runTshark(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("tshark %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out.String()
}

func tshark(t *testing.T, bin, file string) tsharkCounts {
	var c tsharkCounts
	// Exactly the brief's definition: frames the display filter matches.
	for _, line := range strings.Split(runTshark(t, bin, "-n", "-r", file, "-Y", "tcp.analysis.retransmission"), "\n") {
		if strings.TrimSpace(line) != "" {
			c.retransmissions++
		}
	}
	// One pass for the per-message fields (a frame can carry several SIP
	// or Skinny messages: -E occurrence=a lists them all).
	out := runTshark(t, bin, "-n", "-r", file, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
		"-e", "sip.Method", "-e", "arp.opcode", "-e", "skinny.messageId")
	for _, line := range strings.Split(out, "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) < 3 {
			continue
		}
		regs := 0
		for _, m := range splitField(cols[0]) {
			c.requests++
			if m == "REGISTER" {
				regs++
			}
		}
		c.registers += regs
		if regs > 0 {
			c.registerFrames++
		}
		for _, op := range splitField(cols[1]) {
			if op == "2" {
				c.arpReplies++
			}
		}
		for _, id := range splitField(cols[2]) {
			switch id {
			case "0", "0x00000000":
				c.sccpKeepalives++
			case "256", "0x00000100":
				c.sccpKeepaliveAcks++
			}
		}
	}
	return c
}

func splitField(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// TestAgainstTshark compares kaudit's counts with tshark's on every
// shared-corpus capture and every generated one: TCP retransmissions
// (tcp.analysis.retransmission), SIP REGISTERs and requests, ARP replies,
// SCCP KeepAlive/KeepAliveAck.
func TestAgainstTshark(t *testing.T) {
	bin := needTool(t, "tshark")
	var files []string
	files = append(files, testdataPcaps(t)...)
	// The corpus part skips (loudly) on its own when absent.
	t.Run("corpus", func(t *testing.T) {
		for _, f := range corpusPcaps(t) {
			t.Run(filepath.Base(f), func(t *testing.T) { compareWithTshark(t, bin, f) })
		}
	})
	t.Run("testdata", func(t *testing.T) {
		for _, f := range files {
			t.Run(filepath.Base(f), func(t *testing.T) { compareWithTshark(t, bin, f) })
		}
	})
}

func compareWithTshark(t *testing.T, bin, file string) {
	want := tshark(t, bin, file)
	fa, err := AnalyzeFile(context.Background(), file, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := fa.Counts
	for _, x := range []struct {
		what      string
		got, want int
	}{
		{"tcp retransmissions", c.TCPRetransmissions, want.retransmissions},
		{"SIP REGISTER", c.SIPRegisters, want.registers},
		{"SIP requests", c.SIPRequests, want.requests},
		{"ARP replies", c.ARPReplies, want.arpReplies},
		{"SCCP KeepAlive", c.SCCPKeepalives, want.sccpKeepalives},
		{"SCCP KeepAliveAck", c.SCCPKeepaliveAcks, want.sccpKeepaliveAcks},
	} {
		if x.got != x.want {
			t.Errorf("%s: kaudit %d, tshark %d", x.what, x.got, x.want)
		}
	}
	if want.registerFrames > want.registers {
		t.Errorf("tshark: %d REGISTER frames but %d REGISTERs", want.registerFrames, want.registers)
	}
	t.Logf("%s: retransmissions %d, REGISTER %d (%d frames), requests %d, ARP replies %d, SCCP keepalives %d",
		filepath.Base(file), want.retransmissions, want.registers, want.registerFrames, want.requests, want.arpReplies, want.sccpKeepalives)
}
