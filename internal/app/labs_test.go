package app

import (
	"bytes"
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

// AuditLab runs an offline audit of one bundled lab with the default policy.
func auditLab(t testing.TB, lab string) *report.Result {
	t.Helper()
	return Evaluate(loadDir(t, filepath.Join(labsDir, lab)), policy.Default(), "offline testdata/labs/"+lab, time.Time{}, rules.Warning)
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
	}
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
