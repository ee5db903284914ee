package precheck

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/rules"
)

const labs = "../testdata/labs"

// offlineOptions checks against the saved outputs of a lab.
func offlineOptions(t testing.TB, lab string) Options {
	t.Helper()
	dir := filepath.Join(labs, lab)
	inv, err := offline.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return Options{
		Baseline: func(ctx context.Context) (*facts.Snapshot, error) { return offline.Collect(ctx, dir, inv) },
		Saved:    func(host string) collectors.Reader { return offline.DirReader(filepath.Join(dir, host)) },
		Policy:   policy.Default(),
		FailOn:   rules.Warning,
		Source:   "offline " + dir,
	}
}

func savedConfig(t testing.TB, lab, host string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(labs, lab, host, RunningConfigKey+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// short names findings as "severity rule device object".
func short(fs []rules.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Severity.String()+" "+f.Rule+" "+f.Device+" "+f.Object)
	}
	return out
}

func TestRunOnLabs(t *testing.T) {
	const (
		psAging  = "port-security-aging-shorter-than-keepalive"
		proxyARP = "asa-proxy-arp-answers-for-call-manager"
	)
	case1NAT := "nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB"
	for _, tc := range []struct {
		name, lab, device string
		patch             string
		// candidate edits the saved running config: old → new.
		candidate                   [2]string
		introduced, resolved, lower []string
		unchanged                   int
		exit                        int
	}{
		{
			name: "case 2: raising the aging time resolves the port's finding", lab: "case2-port-security-aging", device: "sw-floor1",
			patch:     "interface GigabitEthernet1/0/1\n switchport port-security aging time 5\n",
			resolved:  []string{"critical " + psAging + " sw-floor1 GigabitEthernet1/0/1"},
			unchanged: 7, exit: 0,
		},
		{
			name: "case 2: 2 minutes is better but still a warning", lab: "case2-port-security-aging", device: "sw-floor1",
			patch:     "interface Gi1/0/1\n switchport port-security aging time 2\n",
			lower:     []string{"warning " + psAging + " sw-floor1 GigabitEthernet1/0/1"},
			unchanged: 7, exit: 0,
		},
		{
			name: "case 2: a warning made critical is introduced", lab: "case2-port-security-aging", device: "sw-floor1",
			patch:      "interface GigabitEthernet1/0/15\n switchport port-security aging time 1\n",
			introduced: []string{"critical " + psAging + " sw-floor1 GigabitEthernet1/0/15"},
			unchanged:  7, exit: 1,
		},
		{
			name: "case 2: removing the aging on a range resolves them all", lab: "case2-port-security-aging", device: "sw-floor1",
			patch: "interface range Gi1/0/1 - 2, Gi1/0/4\n no switchport port-security aging time\n",
			resolved: []string{"critical " + psAging + " sw-floor1 GigabitEthernet1/0/1", "critical " + psAging + " sw-floor1 GigabitEthernet1/0/2",
				"critical " + psAging + " sw-floor1 GigabitEthernet1/0/4"},
			unchanged: 5, exit: 0,
		},
		{
			name: "case 2: MAC aging below the keepalive is seen although show mac aging says 300", lab: "case2-port-security-aging", device: "sw-floor1",
			patch:      "mac address-table aging-time 60\n",
			introduced: []string{"warning mac-aging-shorter-than-keepalive sw-floor1 vlan 200"},
			unchanged:  8, exit: 1,
		},
		{
			name: "case 2: full candidate with every 1-minute port fixed", lab: "case2-port-security-aging", device: "sw-floor1",
			candidate: [2]string{" switchport port-security aging time 1\n", " switchport port-security aging time 5\n"},
			resolved: []string{"critical " + psAging + " sw-floor1 GigabitEthernet1/0/1", "critical " + psAging + " sw-floor1 GigabitEthernet1/0/2",
				"critical " + psAging + " sw-floor1 GigabitEthernet1/0/4", "critical " + psAging + " sw-floor1 GigabitEthernet1/0/7",
				"critical " + psAging + " sw-floor1 GigabitEthernet1/0/9", "critical " + psAging + " sw-floor1 GigabitEthernet1/0/12",
				"critical " + psAging + " sw-floor1 GigabitEthernet1/0/20"},
			unchanged: 1, exit: 0,
		},
		{
			name: "clean: inactivity aging of 1 minute on a SIP phone's port", lab: "clean", device: "sw-floor2",
			patch:      "interface GigabitEthernet1/0/1\n switchport port-security aging time 1\n switchport port-security aging type inactivity\n",
			introduced: []string{"critical " + psAging + " sw-floor2 GigabitEthernet1/0/1"},
			exit:       1,
		},
		{
			name: "clean: an idle timeout below the keepalive on the ASA", lab: "clean", device: "asa-core",
			patch:      "timeout conn 0:01:00\n",
			introduced: []string{"critical firewall-idle-timeout-shorter-than-keepalive asa-core timeout conn"},
			exit:       1,
		},
		{
			name: "clean: full ASA candidate without sysopt noproxyarp voice", lab: "clean", device: "asa-core",
			candidate: [2]string{"sysopt noproxyarp voice", "no sysopt noproxyarp voice"},
			exit:      0,
		},
		{
			name: "case 1: NAT re-entered with no-proxy-arp", lab: "case1-proxy-arp", device: "asa-edge",
			patch:    "no " + case1NAT + " description remote sites reach CUCM untranslated\n" + case1NAT + " no-proxy-arp description remote sites reach CUCM untranslated\n",
			resolved: []string{"critical " + proxyARP + " asa-edge voice / " + case1NAT},
			exit:     0,
		},
		{
			name: "case 1: sysopt noproxyarp voice", lab: "case1-proxy-arp", device: "asa-edge",
			patch:    "sysopt noproxyarp voice\n",
			resolved: []string{"critical " + proxyARP + " asa-edge voice / " + case1NAT},
			exit:     0,
		},
		{
			name: "case 1: a line added above the NAT renumbers it without resolving it", lab: "case1-proxy-arp", device: "asa-edge",
			patch:     "interface GigabitEthernet1/3\n description VOICE - phones, CUCM and printers\n mtu 1500\n",
			unchanged: 1, exit: 0,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := offlineOptions(t, tc.lab)
			ch := Change{Device: tc.device, Name: "change.txt"}
			if tc.patch != "" {
				ch.Patch = []byte(tc.patch)
			} else {
				cur := string(savedConfig(t, tc.lab, tc.device))
				if !strings.Contains(cur, tc.candidate[0]) {
					t.Fatalf("saved config has no %q", tc.candidate[0])
				}
				ch.Candidate = []byte(strings.ReplaceAll(cur, tc.candidate[0], tc.candidate[1]))
			}
			res, err := Run(context.Background(), o, ch)
			if err != nil {
				t.Fatal(err)
			}
			var lowered []string
			for _, l := range res.Diff.Lowered {
				lowered = append(lowered, short([]rules.Finding{l.Finding})...)
			}
			if got := short(res.Diff.Introduced); !slices.Equal(got, tc.introduced) {
				t.Errorf("introduced %q, want %q", got, tc.introduced)
			}
			if got := short(res.Diff.Resolved); !slices.Equal(got, tc.resolved) {
				t.Errorf("resolved %q, want %q", got, tc.resolved)
			}
			if !slices.Equal(lowered, tc.lower) {
				t.Errorf("lowered %q, want %q", lowered, tc.lower)
			}
			if len(res.Diff.Unchanged) != tc.unchanged {
				t.Errorf("unchanged %q, want %d", short(res.Diff.Unchanged), tc.unchanged)
			}
			if got := res.Report.ExitCode(); got != tc.exit {
				t.Errorf("exit %d, want %d", got, tc.exit)
			}
			if !slices.Equal(short(res.Report.Findings), short(res.Diff.Introduced)) {
				t.Errorf("report findings are not the introduced ones")
			}
			if len(res.Warnings) > 0 {
				t.Errorf("warnings %q", res.Warnings)
			}
			checkEvidence(t, res, tc.device)
		})
	}
}

// checkEvidence verifies that every evidence line of the changed device's
// running config names a line of the candidate with that text.
func checkEvidence(t *testing.T, res *Result, device string) {
	t.Helper()
	lines := map[int]string{}
	facts.Lines(res.Candidate, func(ln facts.Line) bool { lines[ln.N] = ln.Text; return true })
	for _, f := range res.Diff.Introduced {
		seen := false
		for _, e := range f.Evidence {
			if e.Source == nil || e.Source.Host != device || e.Source.Key != RunningConfigKey {
				continue
			}
			seen = true
			if lines[e.Source.Line] != e.Source.Text {
				t.Errorf("evidence %s: candidate line %d is %q", e.Source, e.Source.Line, lines[e.Source.Line])
			}
		}
		if !seen && f.Device == device && f.Rule != "mac-aging-shorter-than-keepalive" {
			t.Errorf("introduced finding %s has no evidence in the candidate", f.Object)
		}
	}
}

// A change that changes nothing, as a patch, a candidate or a candidate
// over stored facts, must neither introduce nor resolve anything, on every
// switch and ASA of every lab.
func TestNoChangeNoDiff(t *testing.T) {
	entries, err := os.ReadDir(labs)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		o := offlineOptions(t, e.Name())
		snap, err := o.Baseline(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range snap.Devices {
			if d.Platform == facts.PlatformCUCM || d.Status == facts.StatusFailed {
				continue
			}
			cur, err := os.ReadFile(filepath.Join(labs, e.Name(), d.Name, RunningConfigKey+".txt"))
			if err != nil {
				continue
			}
			for _, mode := range []string{"patch", "candidate", "stored facts"} {
				o := o
				ch := Change{Device: d.Name, Name: "same.txt", Candidate: cur}
				switch mode {
				case "patch":
					ch = Change{Device: d.Name, Name: "same.txt", Patch: []byte("! no change\n")}
				case "stored facts":
					o.Saved = nil
				}
				res, err := Run(context.Background(), o, ch)
				if (errors.As(err, new(*InputError)) || errors.Is(err, ErrNoBaseline)) && d.Status != facts.StatusOK {
					continue // the saved config itself does not parse
				}
				if err != nil {
					t.Errorf("%s/%s %s: %v", e.Name(), d.Name, mode, err)
					continue
				}
				n++
				if len(res.Diff.Introduced)+len(res.Diff.Resolved)+len(res.Diff.Lowered) > 0 {
					t.Errorf("%s/%s %s: introduced %q resolved %q lowered %d", e.Name(), d.Name, mode,
						short(res.Diff.Introduced), short(res.Diff.Resolved), len(res.Diff.Lowered))
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d checks ran", n)
	}
}

func TestRunStoredFacts(t *testing.T) {
	// Without saved outputs a candidate is parsed over the stored facts.
	o := offlineOptions(t, "case1-proxy-arp")
	o.Saved = nil
	cur := string(savedConfig(t, "case1-proxy-arp", "asa-edge"))
	for _, tc := range []struct {
		name, old, new string
		resolved       int
	}{
		{"sysopt added", "sysopt noproxyarp outside", "sysopt noproxyarp outside\nsysopt noproxyarp voice", 1},
		{"nothing", "", "", 0},
	} {
		res, err := Run(context.Background(), o, Change{Device: "asa-edge", Name: "cand.txt", Candidate: []byte(strings.Replace(cur, tc.old, tc.new, 1))})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Diff.Resolved) != tc.resolved || len(res.Diff.Introduced) != 0 {
			t.Errorf("%s: resolved %q introduced %q", tc.name, short(res.Diff.Resolved), short(res.Diff.Introduced))
		}
	}
	_, err := Run(context.Background(), o, Change{Device: "asa-edge", Name: "p.txt", Patch: []byte("sysopt noproxyarp voice\n")})
	if !errors.Is(err, ErrNoBaseline) || !strings.Contains(err.Error(), "full candidate") {
		t.Errorf("patch without saved outputs: %v", err)
	}
}

func TestRunErrors(t *testing.T) {
	o := offlineOptions(t, "case2-port-security-aging")
	for _, tc := range []struct {
		name string
		ch   Change
		is   error
		msg  string
	}{
		{"unknown device", Change{Device: "sw-nope", Name: "p", Patch: []byte("hostname x\n")}, ErrUnknownDevice, `"sw-nope" (the inventory has cucm-pub, cucm-sub, sw-floor1)`},
		{"CUCM", Change{Device: "cucm-pub", Name: "p", Patch: []byte("hostname x\n")}, ErrUnsupported, "cucm-pub is a cucm device"},
		{"both", Change{Device: "sw-floor1", Name: "p", Patch: []byte("a\n"), Candidate: []byte("b\n")}, nil, "exactly one"},
		{"binary candidate", Change{Device: "sw-floor1", Name: "cand.txt", Candidate: []byte("hostname a\n\x00\x01")}, nil, "cand.txt:2: binary data"},
		{"candidate that is not a config", Change{Device: "sw-floor1", Name: "cand.txt", Candidate: []byte("hello\nworld\n")}, nil, "cand.txt:1: not a configuration"},
		{"patch that breaks the config", Change{Device: "sw-floor1", Name: "p.txt", Patch: []byte("interface Gi1/0/1\n switchport port-security maximum lots\n")},
			nil, `p.txt:2: bad port-security maximum "lots" (line 252 of the running config of sw-floor1 once patched)`},
		{"binary patch", Change{Device: "sw-floor1", Name: "p.txt", Patch: []byte("interface Gi1/0/1\n\x00")}, nil, "p.txt:2: binary data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Run(context.Background(), o, tc.ch)
			if err == nil {
				t.Fatalf("no error; introduced %q", short(res.Diff.Introduced))
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v is not %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q lacks %q", err, tc.msg)
			}
		})
	}
}

func TestRunBrokenSavedConfig(t *testing.T) {
	o := offlineOptions(t, "edge-bad-input")
	_, err := Run(context.Background(), o, Change{Device: "sw-broken", Name: "p.txt", Patch: []byte("interface Gi1/0/1\n shutdown\n")})
	if !errors.Is(err, ErrNoBaseline) || !strings.Contains(err.Error(), "sw-broken/show_running-config.txt:331:") {
		t.Errorf("patch on a truncated saved config: %v", err)
	}
	// A full candidate does not need the saved config: the good one of
	// another lab switch, renamed, is judged on its own.
	cand := strings.ReplaceAll(string(savedConfig(t, "edge-bad-input", "sw-good")), "sw-good", "sw-broken")
	res, err := Run(context.Background(), o, Change{Device: "sw-broken", Name: "c.txt", Candidate: []byte(cand)})
	if err != nil {
		t.Fatal(err)
	}
	if got := short(res.Diff.Introduced); len(got) != 1 || !strings.Contains(got[0], "sw-broken GigabitEthernet1/0/3") {
		t.Errorf("introduced %q", got)
	}
}

func TestPatchErrorPointsIntoCandidate(t *testing.T) {
	o := offlineOptions(t, "case2-port-security-aging")
	res, err := Run(context.Background(), o, Change{Device: "sw-floor1", Name: "p.txt", Patch: []byte("interface Gi1/0/1\n switchport port-security maximum lots\n")})
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("%v", err)
	}
	var at string
	facts.Lines(res.Candidate, func(ln facts.Line) bool {
		if ln.N == ie.Err.Line {
			at = ln.Text
		}
		return true
	})
	if strings.TrimSpace(at) != "switchport port-security maximum lots" {
		t.Errorf("error %v points at %q", err, at)
	}
}

// copyLab copies a lab into a temporary directory, so a test can edit it.
func copyLab(t *testing.T, lab string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(filepath.Join(labs, lab))); err != nil {
		t.Fatal(err)
	}
	return dst
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Turning proxy ARP back on must be seen although the saved
// show running-config all sysopt still says it is off.
func TestRunProxyARPTurnedBackOn(t *testing.T) {
	dir := copyLab(t, "case1-proxy-arp")
	editFile(t, filepath.Join(dir, "asa-edge", RunningConfigKey+".txt"), "sysopt noproxyarp outside\n", "sysopt noproxyarp outside\nsysopt noproxyarp voice\n")
	editFile(t, filepath.Join(dir, "asa-edge", keySysopt+".txt"), "no sysopt noproxyarp voice", "sysopt noproxyarp voice")
	inv, err := offline.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{
		Baseline: func(ctx context.Context) (*facts.Snapshot, error) { return offline.Collect(ctx, dir, inv) },
		Saved:    func(host string) collectors.Reader { return offline.DirReader(filepath.Join(dir, host)) },
		Policy:   policy.Default(),
		FailOn:   rules.Warning,
	}
	want := []string{"critical asa-proxy-arp-answers-for-call-manager asa-edge voice / nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB"}
	for _, patch := range []string{"no sysopt noproxyarp voice\n", "default sysopt noproxyarp voice\n"} {
		res, err := Run(context.Background(), o, Change{Device: "asa-edge", Name: "p.txt", Patch: []byte(patch)})
		if err != nil {
			t.Fatal(err)
		}
		if got := short(res.Diff.Introduced); !slices.Equal(got, want) || len(res.Diff.Resolved) != 0 {
			t.Errorf("%q: introduced %q resolved %q, want %q", patch, got, short(res.Diff.Resolved), want)
			continue
		}
		// The proxy-ARP evidence is the rewritten sysopt line, at the
		// line number it has in the saved output.
		found := false
		for _, e := range res.Diff.Introduced[0].Evidence {
			if e.Source != nil && e.Source.Key == keySysopt {
				found = e.Source.Line == 12 && e.Source.Text == "no sysopt noproxyarp voice"
			}
		}
		if !found {
			t.Errorf("%q: no sysopt evidence at line 12: %+v", patch, res.Diff.Introduced[0].Evidence)
		}
	}
}

func TestSysoptFor(t *testing.T) {
	saved := "asa# show running-config all sysopt\r\nsysopt connection tcpmss 1380\r\nsysopt noproxyarp outside\r\nno sysopt noproxyarp voice\r\nno sysopt noproxyarp dc"
	for _, tc := range []struct{ cand, want string }{
		{"sysopt noproxyarp voice\n", "asa# show running-config all sysopt\r\nsysopt connection tcpmss 1380\r\nno sysopt noproxyarp outside\r\nsysopt noproxyarp voice\r\nno sysopt noproxyarp dc"},
		{"sysopt noproxyarp outside\nsysopt noproxyarp dc\n", "asa# show running-config all sysopt\r\nsysopt connection tcpmss 1380\r\nsysopt noproxyarp outside\r\nno sysopt noproxyarp voice\r\nsysopt noproxyarp dc"},
		{"sysopt noproxyarp outside\nno sysopt noproxyarp outside\n", "asa# show running-config all sysopt\r\nsysopt connection tcpmss 1380\r\nno sysopt noproxyarp outside\r\nno sysopt noproxyarp voice\r\nno sysopt noproxyarp dc"},
	} {
		if got := string(sysoptFor([]byte(saved), []byte(tc.cand))); got != tc.want {
			t.Errorf("candidate %q:\n got %q\nwant %q", tc.cand, got, tc.want)
		}
	}
}
