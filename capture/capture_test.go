package capture

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/capture/internal/pcapgen"
)

// TestScenarios compares the analysis of every generated capture with
// what the generator put on the wire.
func TestScenarios(t *testing.T) {
	for _, s := range pcapgen.Scenarios() {
		t.Run(s.Name, func(t *testing.T) {
			_, tr, err := s.Build()
			if err != nil {
				t.Fatal(err)
			}
			fa := analyzeFile(t, filepath.Join("testdata", s.Name), Options{})
			c := fa.Counts
			ints := []struct {
				what      string
				got, want int
			}{
				{"packets", c.Packets, tr.Packets},
				{"TCP retransmissions", c.TCPRetransmissions, tr.TCPRetransmissions},
				{"TCP out of order", c.TCPOutOfOrder, tr.OutOfOrder},
				{"SIP registers", c.SIPRegisters, tr.SIPRegisters},
				{"SIP requests", c.SIPRequests, tr.SIPRequests},
				{"SCCP keepalives", c.SCCPKeepalives, tr.SCCPKeepalives},
				{"SCCP keepalive acks", c.SCCPKeepaliveAcks, tr.SCCPAcks},
				{"ARP replies", c.ARPReplies, tr.ARPReplies},
				{"ARP gratuitous", c.ARPGratuitous, tr.ARPGratuitous},
				{"undecoded", c.Undecoded, 0},
			}
			var late, lost, missing, unanswered int
			keepalives := map[string]int{}
			var rtos [][]time.Duration
			for _, tl := range fa.Timelines {
				late += tl.Summary.Late
				lost += tl.Summary.Lost
				missing += tl.Summary.Missing
				unanswered += tl.Summary.Unanswered
				keepalives[tl.Phone] += len(tl.Keepalives)
				for _, k := range tl.Keepalives {
					if len(k.Retransmissions) > 0 {
						var r []time.Duration
						for _, x := range k.Retransmissions {
							r = append(r, time.Duration(x.SinceFirst))
						}
						rtos = append(rtos, r)
					}
				}
			}
			if len(fa.Timelines) == 0 {
				// Without keepalives, retransmitted segments carry the RTOs.
				for _, seg := range fa.Retransmitted {
					if seg.First == 0 {
						continue
					}
					var r []time.Duration
					for _, x := range seg.Copies {
						r = append(r, time.Duration(x.SinceFirst))
					}
					rtos = append(rtos, r)
				}
			}
			ints = append(ints, []struct {
				what      string
				got, want int
			}{
				{"late keepalives", late, tr.Late},
				{"lost keepalives", lost, tr.Lost},
				{"missing keepalives", missing, tr.Missing},
				{"unanswered keepalives", unanswered, tr.Unanswered},
			}...)
			for _, x := range ints {
				if x.got != x.want {
					t.Errorf("%s = %d, want %d", x.what, x.got, x.want)
				}
			}
			if !reflect.DeepEqual(c.SIPByMethod, tr.SIPByMethod) {
				t.Errorf("SIP by method = %v, want %v", c.SIPByMethod, tr.SIPByMethod)
			}
			wantStatus := map[string]int{}
			for k, v := range tr.SIPByStatus {
				wantStatus[strconv.Itoa(k)] = v
			}
			if !reflect.DeepEqual(c.SIPByStatus, wantStatus) {
				t.Errorf("SIP by status = %v, want %v", c.SIPByStatus, wantStatus)
			}
			if !reflect.DeepEqual(keepalives, tr.Keepalives) && (len(keepalives) > 0 || len(tr.Keepalives) > 0) {
				t.Errorf("keepalives per phone = %v, want %v", keepalives, tr.Keepalives)
			}
			if !sameDurations(rtos, tr.RTOs) {
				t.Errorf("retransmission delays = %v, want %v", rtos, tr.RTOs)
			}
			if got := fa.ARP.Conflicts; len(got) != len(tr.Conflicts) || (len(got) > 0 && !reflect.DeepEqual(got, tr.Conflicts)) {
				t.Errorf("ARP conflicts = %v, want %v", got, tr.Conflicts)
			}
		})
	}
}

// sameDurations compares within the microsecond resolution of pcap.
func sameDurations(a, b [][]time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if d := a[i][j] - b[i][j]; d > time.Microsecond || d < -time.Microsecond {
				return false
			}
		}
	}
	return true
}

// TestSeedCase2Verdict checks the numbers behind the verdict the whole
// package exists for, and how the options move it.
func TestSeedCase2Verdict(t *testing.T) {
	rtos := pcapgen.SeedRTOs()
	last := rtos[len(rtos)-1]
	cases := []struct {
		name     string
		opts     Options
		lost     int
		interval time.Duration // of the lost keepalive
		from     string
	}{
		{"learned from 200 OK", Options{}, 1, 115*time.Second + last, "200 OK Expires 120"},
		{"explicit interval", Options{SIPInterval: 115 * time.Second}, 1, 115*time.Second + last, "option"},
		{"longer grace", Options{Grace: 30 * time.Second}, 0, 0, "200 OK"},
		{"shorter grace", Options{Grace: 10 * time.Second}, 2, 115*time.Second + rtos[len(rtos)-2], "200 OK"},
	}
	for _, file := range []string{"seed_case2.pcap", "seed_case2.pcapng"} {
		for _, tc := range cases {
			t.Run(file+"/"+tc.name, func(t *testing.T) {
				fa := analyzeFile(t, filepath.Join("testdata", file), tc.opts)
				if len(fa.Timelines) != 1 {
					t.Fatalf("%d timelines, want 1", len(fa.Timelines))
				}
				tl := fa.Timelines[0]
				if tl.Phone != pcapgen.Phone1.IP.String() || tl.CallManager != pcapgen.CUCM1.IP.String() || tl.Protocol != "SIP/TCP" || tl.Device != "SEP001B54C24A10" {
					t.Errorf("timeline %s %s %s %s", tl.Phone, tl.CallManager, tl.Protocol, tl.Device)
				}
				if !strings.Contains(tl.ExpectedFrom, tc.from) || time.Duration(tl.Expected) != 115*time.Second {
					t.Errorf("expected %v from %q", tl.Expected, tl.ExpectedFrom)
				}
				var lost []Verdict
				for _, v := range fa.Verdicts {
					if v.ID == "registration-lost" {
						lost = append(lost, v)
					}
				}
				if len(lost) != tc.lost {
					t.Fatalf("%d registration-lost verdicts, want %d: %+v", len(lost), tc.lost, fa.Verdicts)
				}
				if tc.lost == 0 {
					return
				}
				v := lost[0]
				if v.Severity != Critical || v.Phone != tl.Phone || v.CallManager != tl.CallManager {
					t.Errorf("verdict %+v", v)
				}
				// The keepalive is measured from CUCM's 100 Trying, 0.7 ms
				// before the 200 OK the phone's timer starts from.
				if got := v.Numbers["interval_s"]; got < tc.interval.Seconds() || got > tc.interval.Seconds()+0.01 {
					t.Errorf("interval %v s, want %v", got, tc.interval.Seconds())
				}
				for _, want := range []string{"Reason=13", "RTO", fmtSeconds(last)} {
					if tc.name == "learned from 200 OK" && !strings.Contains(v.Message, want) {
						t.Errorf("message lacks %q: %s", want, v.Message)
					}
				}
				var hint bool
				for _, v := range fa.Verdicts {
					hint = hint || v.ID == "keepalive-first-copy-dropped" && strings.Contains(v.Message, "doubles")
				}
				if !hint {
					t.Error("no keepalive-first-copy-dropped verdict recognising the doubling RTO")
				}
			})
		}
	}
}

func TestPcapAndPcapngAgree(t *testing.T) {
	a := analyzeFile(t, "testdata/seed_case2.pcap", Options{})
	b := analyzeFile(t, "testdata/seed_case2.pcapng", Options{})
	if a.Format != "pcap" || b.Format != "pcapng" {
		t.Errorf("formats %s, %s", a.Format, b.Format)
	}
	a.File, b.File, a.Format, b.Format = "", "", "", ""
	for i := range a.Verdicts {
		a.Verdicts[i].File, b.Verdicts[i].File = "", ""
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Errorf("pcap and pcapng analyses differ:\n%s\n%s", ja, jb)
	}
}

func TestLinkTypes(t *testing.T) {
	for _, tc := range []struct{ file, link string }{
		{"sip_tcp_vlan.pcap", "Ethernet"},
		{"sip_tcp_sll.pcap", "Linux SLL"},
		{"sip_tcp_raw.pcap", "Raw"},
		{"sip_tcp_snaplen.pcap", "Ethernet"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			fa := analyzeFile(t, filepath.Join("testdata", tc.file), Options{})
			if fa.LinkType != tc.link {
				t.Errorf("link type %q, want %q", fa.LinkType, tc.link)
			}
			if len(fa.Timelines) != 1 || len(fa.Timelines[0].Keepalives) != fa.Counts.SIPRegisters || fa.Counts.SIPRegisters == 0 {
				t.Fatalf("timelines %d, registers %d", len(fa.Timelines), fa.Counts.SIPRegisters)
			}
			for _, k := range fa.Timelines[0].Keepalives {
				// A 96-byte snaplen cuts the REGISTER before its CSeq.
				if k.Answered == 0 || k.Seq == 0 || k.Len == 0 || (k.CSeq == 0) != (tc.file == "sip_tcp_snaplen.pcap") {
					t.Errorf("keepalive %+v lacks its answer, segment or CSeq", k)
				}
			}
		})
	}
}

func TestProxyARP(t *testing.T) {
	asa := pcapgen.ASA.MAC.String()
	cm := pcapgen.ARPCUCM.IP.String()
	for _, tc := range []struct {
		name     string
		opts     Options
		id       string
		severity Severity
	}{
		{"no ASA MACs: a conflict", Options{}, "arp-conflict", Warning},
		{"ASA MAC given: proxy ARP", Options{ASAMACs: []string{asa}}, "proxy-arp", Warning},
		{"ASA MAC in Cisco notation, call manager given", Options{ASAMACs: []string{"588D.094E.071F"}, CallManagers: []string{cm}}, "proxy-arp", Critical},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fa := analyzeFile(t, "testdata/proxy_arp.pcap", tc.opts)
			if len(fa.Verdicts) != 1 {
				t.Fatalf("verdicts %+v", fa.Verdicts)
			}
			v := fa.Verdicts[0]
			if v.ID != tc.id || v.Severity != tc.severity || !strings.Contains(v.Message, cm) {
				t.Errorf("verdict %+v", v)
			}
			var ans *ARPAnswer
			for i := range fa.ARP.Answers {
				if fa.ARP.Answers[i].IP == cm {
					ans = &fa.ARP.Answers[i]
				}
			}
			if ans == nil || len(ans.MACs) != 2 || !ans.Conflict {
				t.Fatalf("answers for %s: %+v", cm, ans)
			}
			if ans.ProxyARP != (tc.id == "proxy-arp") || ans.CallManager != (len(tc.opts.CallManagers) > 0) {
				t.Errorf("answer %+v", ans)
			}
			// The ASA answered first: frame 2, before CUCM's frame 3.
			if ans.MACs[0].MAC != "588d.094e.071f" || ans.MACs[0].FirstFrame != 2 || ans.MACs[0].ASA != (len(tc.opts.ASAMACs) > 0) {
				t.Errorf("first MAC %+v", ans.MACs[0])
			}
		})
	}
	if _, err := AnalyzeFile(context.Background(), "testdata/proxy_arp.pcap", Options{ASAMACs: []string{"not-a-mac"}}); err == nil {
		t.Error("a malformed ASA MAC was accepted")
	}
}

func TestPair(t *testing.T) {
	_, tr := build(t, "pair_phone.pcap")
	an, err := AnalyzePair(context.Background(), "testdata/pair_phone.pcap", "testdata/pair_cucm.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := an.Pair
	if p.Matched != tr.Received || p.NotReceived != tr.NotReceived {
		t.Errorf("matched %d, not received %d; want %d, %d", p.Matched, p.NotReceived, tr.Received, tr.NotReceived)
	}
	// The offset includes the first keepalive's one-way delay (1 ms).
	if off := time.Duration(p.ClockOffset); off != pcapgen.PairOffset+time.Millisecond {
		t.Errorf("clock offset %v", off)
	}
	var delays []time.Duration
	for _, k := range p.Keepalives {
		if k.Received {
			delays = append(delays, time.Duration(k.Delay))
		}
	}
	if !sameDurations([][]time.Duration{delays}, [][]time.Duration{tr.Delays}) {
		t.Errorf("delays %v, want %v", delays, tr.Delays)
	}
	ids := map[string]int{}
	for _, v := range an.Verdicts {
		ids[v.ID]++
	}
	if ids["keepalive-not-received"] != 1 || ids["registration-lost"] != 2 {
		t.Errorf("verdicts %v", ids)
	}
	if an.Verdicts[0].Severity != Critical {
		t.Errorf("verdicts not sorted by severity: %+v", an.Verdicts[0])
	}
	// The same file on both sides matches everything with no offset.
	same, err := AnalyzePair(context.Background(), "testdata/pair_cucm.pcap", "testdata/pair_cucm.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if same.Pair.NotReceived != 0 || same.Pair.ClockOffset != 0 || same.Pair.Matched != len(same.Files[0].Timelines[0].Keepalives) {
		t.Errorf("self pair %+v", same.Pair)
	}
	// Unrelated captures share nothing.
	other, _ := AnalyzePair(context.Background(), "testdata/seed_case2.pcap", "testdata/pair_cucm.pcap", Options{})
	if other.Pair.Matched != 0 || other.Verdicts[len(other.Verdicts)-1].ID == "" {
		t.Errorf("unrelated pair %+v", other.Pair)
	}
	found := false
	for _, v := range other.Verdicts {
		found = found || v.ID == "pair-no-common-keepalives"
	}
	if !found {
		t.Error("no pair-no-common-keepalives verdict for unrelated captures")
	}
}

func TestJSON(t *testing.T) {
	an, err := Analyze(context.Background(), "testdata/seed_case2.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(an)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f := m["files"].([]any)[0].(map[string]any)
	counts := f["counts"].(map[string]any)
	for k, want := range map[string]float64{"packets": 52, "tcp_retransmissions": 9, "sip_registers": 10, "sccp_keepalives": 0, "arp_replies": 0} {
		if counts[k] != want {
			t.Errorf("counts.%s = %v, want %v", k, counts[k], want)
		}
	}
	ka := f["timelines"].([]any)[0].(map[string]any)["keepalives"].([]any)[9].(map[string]any)
	if ka["status"] != "lost" || ka["retransmissions"].([]any)[0].(map[string]any)["rto_s"] != 28.0 {
		t.Errorf("last keepalive %v", ka)
	}
	if _, err := time.Parse(time.RFC3339Nano, ka["sent"].(string)); err != nil {
		t.Errorf("sent is not RFC 3339: %v", ka["sent"])
	}
	// Round trip.
	var back Analysis
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if k := back.Files[0].Timelines[0].Keepalives[9]; k.Status != StatusLost || time.Duration(k.Interval) < 143*time.Second || time.Duration(k.Interval) > 143010*time.Millisecond {
		t.Errorf("round trip lost the keepalive: %+v", back.Files[0].Timelines[0].Keepalives[9])
	}
}
