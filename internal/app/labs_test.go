package app

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/internal/testutil"
	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

var update = flag.Bool("update", false, "rewrite the golden reports of the labs")

const labsDir = "../../testdata/labs"

// AuditLab runs an offline audit of one bundled lab with the default
// policy, joining its CUCM syslog (LAB/events) as audit --offline does.
func auditLab(t testing.TB, lab string) *report.Result {
	t.Helper()
	dir := filepath.Join(labsDir, lab)
	snap := loadDir(t, dir)
	res := Evaluate(snap, policy.Default(), "offline testdata/labs/"+lab, time.Time{}, rules.Warning)
	if paths := OfflineEvents(dir, nil); len(paths) > 0 {
		h, err := ReadEvents(context.Background(), paths)
		if err != nil {
			t.Fatalf("%s: %v", lab, err)
		}
		// The reports name files as kaudit run from the repository
		// root does.
		for i, f := range h.Stats.Files {
			h.Stats.Files[i] = strings.TrimPrefix(f, "../../")
		}
		for i := range h.Stats.Problems {
			h.Stats.Problems[i].File = strings.TrimPrefix(h.Stats.Problems[i].File, "../../")
		}
		JoinEvents(res, snap, h)
	}
	return res
}

// TestLabGoldens renders every lab in every format and compares with the
// golden files (go test ./internal/app -run TestLabGoldens -update).
func TestLabGoldens(t *testing.T) {
	labs, err := filepath.Glob(filepath.Join(labsDir, "*", "inventory.yaml"))
	if err != nil || len(labs) == 0 {
		t.Fatalf("no labs under %s: %v", labsDir, err)
	}
	for _, inv := range labs {
		lab := filepath.Base(filepath.Dir(inv))
		t.Run(lab, func(t *testing.T) {
			res := auditLab(t, lab)
			for _, format := range []string{"json", "markdown", "table"} {
				w, err := report.New(format)
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := w.Write(&buf, res); err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", "golden", lab+"."+format)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if !bytes.Equal(buf.Bytes(), want) {
					t.Errorf("%s differs from %s (run with -update after checking the change)\n%s", format, golden, firstDiff(buf.Bytes(), want))
				}
			}
		})
	}
}

func firstDiff(got, want []byte) string {
	gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w []byte
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if !bytes.Equal(g, w) {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + string(g) + "\nwant: " + string(w)
		}
	}
	return ""
}

// TestLabExpectations checks each lab against what its README says kaudit
// must find: the exact set of (severity, rule, device, object) and the
// device statuses. Goldens catch any change; this says which change is wrong.
func TestLabExpectations(t *testing.T) {
	type f struct{ sev, rule, device, object string }
	const (
		psAging = "port-security-aging-shorter-than-keepalive"
		psMax   = "port-security-max-too-low-for-voice"
		proxy   = "asa-proxy-arp-answers-for-call-manager"
		fwIdle  = "firewall-idle-timeout-shorter-than-keepalive"
		macAge  = "mac-aging-shorter-than-keepalive"
		sipProf = "sip-profile-timers-inconsistent"
	)
	gi := func(n int) string { return "GigabitEthernet1/0/" + strconv.Itoa(n) }
	want := map[string][]f{
		"case1-proxy-arp": {{"critical", proxy, "asa-edge", "voice / nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB"}},
		"case2-port-security-aging": {
			{"critical", psAging, "sw-floor1", gi(1)}, {"critical", psAging, "sw-floor1", gi(2)},
			{"critical", psAging, "sw-floor1", gi(4)}, {"critical", psAging, "sw-floor1", gi(7)},
			{"critical", psAging, "sw-floor1", gi(9)}, {"critical", psAging, "sw-floor1", gi(12)},
			{"critical", psAging, "sw-floor1", gi(20)}, {"warning", psAging, "sw-floor1", gi(15)},
		},
		// Templated Catalyst 9k ports (issue 13): a user template with
		// aging 1 min (critical, fixed in the template), the built-in
		// IP phone template judged on its 2 min, and a switch whose
		// built-in template was not read (unknown, not clean).
		"cat9k-templates": {
			{"critical", psAging, "sw-floor1", gi(1)}, {"critical", psAging, "sw-floor1", gi(2)},
			{"critical", psAging, "sw-floor1", gi(4)}, {"critical", psAging, "sw-floor1", gi(20)},
			{"warning", "port-config-unknown", "sw-floor2", gi(1)}, {"warning", "port-config-unknown", "sw-floor2", gi(2)},
			{"warning", psAging, "sw-floor1", gi(7)}, {"warning", psAging, "sw-floor1", gi(9)},
			{"warning", psAging, "sw-floor1", gi(12)}, {"warning", psAging, "sw-floor1", gi(15)},
		},
		"edge-backup-idle-120": {{"critical", fwIdle, "asa-core", "policy-map global_policy class voice-signalling idle"}},
		"mobile-profiles":      nil,
		// Issue 16.1: the firewall rule evaluates what a class matches. A
		// class for web traffic only is no finding (it was a false
		// critical); an ASA audited alone has its SIP class judged on the
		// policy's default keepalives.
		"edge-web-class-idle": nil,
		"asa-alone-sip-idle":  {{"critical", fwIdle, "asa-core", "policy-map global_policy class voice-sip idle"}},
		"dot1x-inactivity": {
			{"critical", "dot1x-inactivity-shorter-than-keepalive", "sw-floor1", gi(1)}, {"critical", "dot1x-inactivity-shorter-than-keepalive", "sw-floor1", gi(2)},
			{"critical", "dot1x-inactivity-shorter-than-keepalive", "sw-floor1", gi(7)}, {"critical", "dot1x-inactivity-shorter-than-keepalive", "sw-floor1", gi(9)},
			{"warning", "dot1x-inactivity-shorter-than-keepalive", "sw-floor1", gi(4)},
		},
		"edge-arp-timeout": {{"warning", "arp-timeout-longer-than-mac-aging", "rtr-floor2", "GigabitEthernet0/0/1.200 vlan 200 / sw-floor2"}},
		"edge-branch-router": {
			{"critical", "nat-timeout-shorter-than-keepalive", "rtr-branch", "ip nat translation tcp-timeout"},
			{"critical", "zone-firewall-idle-shorter-than-keepalive", "rtr-branch", "zone-pair VOICE-WAN class VOICE-SIG tcp idle-time"},
			{"warning", "zone-firewall-idle-shorter-than-keepalive", "rtr-branch", "zone-pair VOICE-WAN class VOICE-SIG udp idle-time"},
		},
		"clean":               nil,
		"edge-aging-absolute": nil,
		"edge-bad-input":      {{"critical", psAging, "sw-good", gi(3)}},
		"edge-keepalive-expires-300": {
			{"critical", fwIdle, "asa-core", "policy-map global_policy class voice-signalling idle"},
			{"critical", sipProf, "cucm-pub", "sip-profile Broken SIP Profile"},
		},
		"edge-no-cucm": {{"critical", psAging, "sw-branch7", gi(1)}},
		"edge-sccp-only": {
			{"warning", psAging, "sw-plant5", gi(1)}, {"warning", psAging, "sw-plant5", gi(2)},
			{"warning", psAging, "sw-plant5", gi(3)}, {"warning", psAging, "sw-plant5", gi(4)},
			{"warning", psAging, "sw-plant5", gi(6)}, {"warning", psAging, "sw-plant5", gi(9)},
			{"info", macAge, "sw-plant5", "vlan 200"},
		},
		"edge-sticky": {{"critical", psMax, "sw-floor7", gi(14)}},
		// Issue 17.3/17.4: the clean site with CUCM syslog. Drops no
		// finding explains are no finding (TestLabEvents checks them).
		"events-unexplained": nil,
		"events-malformed":   nil,
	}
	// Issue 17.1: case2 with the publisher's outputs saved over AXL
	// finds exactly what case2 finds.
	want["case2-axl"] = want["case2-port-security-aging"]
	labs, err := os.ReadDir(filepath.Join(testutil.RepoRoot(t), "testdata", "labs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range labs {
		if _, ok := want[l.Name()]; l.IsDir() && !ok {
			t.Errorf("lab %s has no expectation here: add what its README says kaudit must find", l.Name())
		}
	}
	for lab, exp := range want {
		t.Run(lab, func(t *testing.T) {
			res := auditLab(t, lab)
			var got []f
			for _, x := range res.Findings {
				got = append(got, f{x.Severity.String(), x.Rule, x.Device, x.Object})
			}
			if len(got) != len(exp) {
				t.Fatalf("got %d findings %v, want %d %v", len(got), got, len(exp), exp)
			}
			for i := range exp {
				if got[i] != exp[i] {
					t.Errorf("finding %d: got %v, want %v", i, got[i], exp[i])
				}
			}
			for _, d := range res.Devices {
				bad := lab == "edge-bad-input" && d.Name != "sw-good"
				if !bad && (d.Status != "ok" || len(d.Errors) > 0) {
					t.Errorf("device %s: %s %v", d.Name, d.Status, d.Errors)
				}
			}
		})
	}
	// The broken lab: each bad file is named with its line, the rest survives.
	res := auditLab(t, "edge-bad-input")
	status := map[string]report.DeviceResult{}
	for _, d := range res.Devices {
		status[d.Name] = d
	}
	for name, frag := range map[string]string{
		"sw-broken":  "sw-broken/show_running-config.txt:331",
		"cucm-pub":   "cucm-pub/sql_sipprofile.txt:6",
		"sw-missing": "not a directory",
	} {
		d := status[name]
		all := d.Error + " " + strings.Join(d.Errors, " ")
		if !strings.Contains(all, frag) {
			t.Errorf("%s: want an error naming %q, got status %s: %s", name, frag, d.Status, all)
		}
	}
	if !strings.Contains(strings.Join(status["sw-broken"].Errors, " "), "show_cdp_neighbors_detail.txt:32: binary data") {
		t.Errorf("sw-broken binary CDP not reported: %v", status["sw-broken"].Errors)
	}
	if status["sw-missing"].Status != "failed" || status["sw-good"].Status != "ok" {
		t.Errorf("statuses: %+v", status)
	}
}

// TestLabEvents checks the symptom side of the labs with CUCM syslog
// (LAB/events): case2's phones drop every 16 min 5 s and their finding
// says so; events-unexplained lists the phones no finding explains with
// their path; events-malformed names each bad line and reads the rest.
func TestLabEvents(t *testing.T) {
	res := auditLab(t, "case2-port-security-aging")
	s := res.Symptoms
	if s == nil {
		t.Fatal("case2: the lab's events/ was not read")
	}
	d := s.DropsOf(res.Findings[0].Phones)
	if res.Findings[0].Object != "GigabitEthernet1/0/1" || d.Dropping != 1 || d.KeepAliveTimeouts < 25 {
		t.Errorf("case2 first finding %s: %+v", res.Findings[0].Object, d)
	}
	for _, p := range s.Phones {
		// 16 min 5 s, each drop up to 3 s early or late.
		if off := p.Period.Median - (16*time.Minute + 5*time.Second); !p.Period.Regular || off > 3*time.Second || off < -3*time.Second || p.Reasons[0].Name() != "KeepAliveTimeout" {
			t.Errorf("case2 %s: period %q, reasons %v", p.Name, p.Period, p.Reasons)
		}
	}
	if len(s.Phones) != 6 || len(s.Unexplained) != 0 || s.Read.Malformed != 0 {
		t.Errorf("case2: %d phones, unexplained %v, malformed %d", len(s.Phones), s.Unexplained, s.Read.Malformed)
	}

	res = auditLab(t, "events-unexplained")
	s = res.Symptoms
	if len(s.Unexplained) != 2 {
		t.Fatalf("unexplained %+v", s.Unexplained)
	}
	wolf, warehouse := s.Unexplained[0], s.Unexplained[1]
	if wolf.Phone.Name != "SEPA4B439562F04" || wolf.Switch != "sw-floor2" || wolf.Port != "GigabitEthernet1/0/4" ||
		wolf.CallManager != "cucm-pub" || strings.Join(wolf.Firewalls, ",") != "asa-core" || len(wolf.Checked) != 3 ||
		!strings.Contains(wolf.Checked[0], "port-security without aging, no 802.1X/MAB, MAC aging 300 s in voice VLAN 200; no finding") {
		t.Errorf("SEPA4B439562F04: %+v", wolf)
	}
	if warehouse.Phone.Name != "SEP0C1167FFFF01" || warehouse.Switch != "" || warehouse.CallManager != "" ||
		strings.Join(warehouse.Phone.Nodes, ",") != "cucm-branch" || warehouse.Phone.Period.String() != "every 1 h" {
		t.Errorf("SEP0C1167FFFF01: %+v", warehouse)
	}
	// K. Lang reset the phone (DeviceInitiatedReset): a drop, not one a
	// timer explains.
	if p, ok := s.Phone("SEPA4B439561C20"); !ok || p.Drops != 1 || p.KeepAliveTimeouts != 0 {
		t.Errorf("SEPA4B439561C20: %+v", p)
	}

	res = auditLab(t, "events-malformed")
	s = res.Symptoms
	var got []string
	for _, p := range s.Read.Problems {
		got = append(got, p.String())
	}
	const file = "testdata/labs/events-malformed/events/cucm-pub.log:"
	want := []string{file + "3: EndPointUnregistered: tag Reason: no closing ]", file + `7: EndPointUnregistered: Reason="1 3" is not a reason code`, file + "9: EndPointUnregistered of SEPA4B439563A77: no time with a year"}
	if len(got) != len(want) {
		t.Fatalf("problems %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d: %q, want %q...", i, got[i], want[i])
		}
	}
	if p, _ := s.Phone("SEPA4B439563A77"); p.Drops != 3 || s.Read.Lines != 12 || res.ExitCode() != report.ExitClean {
		t.Errorf("the rest is read: drops %d, lines %d, exit %d", p.Drops, s.Read.Lines, res.ExitCode())
	}
}
