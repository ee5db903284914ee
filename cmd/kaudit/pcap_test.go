package main

import (
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
