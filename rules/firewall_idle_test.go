package rules

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/collectors/asa"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/synth"
)

const fwIdle = "firewall-idle-timeout-shorter-than-keepalive"

// asaBase is an ASA between the phones of site() (voice, 10.20.1.0/24)
// and its call manager (dc, 10.10.10.202), with the objects the classes
// below refer to.
const asaBase = `hostname asa1
interface GigabitEthernet0/0
 nameif dc
 ip address 10.10.10.1 255.255.255.0
interface GigabitEthernet0/1
 nameif voice
 ip address 10.20.1.1 255.255.255.0
interface GigabitEthernet0/2
 nameif outside
 ip address 192.0.2.1 255.255.255.0
object network CUCM-PUB
 host 10.10.10.202
object network PHONES
 subnet 10.20.1.0 255.255.255.0
object-group network CUCMS
 network-object host 10.10.10.99
 network-object object CUCM-PUB
object-group service SIG tcp
 port-object eq 2000
 port-object eq sip
object service SIP-TLS
 service tcp destination eq 5061
object-group protocol L4
 protocol-object udp
 protocol-object tcp
class-map inspection_default
 match default-inspection-traffic
`

// withASAConfig adds asa1, read from asaBase followed by cfg with the
// ASA parser.
func withASAConfig(t *testing.T, cfg string) func(*facts.Snapshot) {
	t.Helper()
	d := &facts.Device{Name: "asa1", Platform: facts.PlatformASA, Status: facts.StatusOK}
	if err := asa.ParseRunningConfig([]byte(asaBase+cfg), d); err != nil {
		t.Fatal(err)
	}
	return func(s *facts.Snapshot) { s.Devices = append(s.Devices, d) }
}

// fwFindings evaluates the rule on site() with the ASA of cfg, after mut.
func fwFindings(t *testing.T, cfg string, mut func(*facts.Snapshot)) []Finding {
	t.Helper()
	add := withASAConfig(t, cfg)
	snap := site(0, "", func(s *facts.Snapshot) {
		add(s)
		if mut != nil {
			mut(s)
		}
	})
	return only(t, Evaluate(snap, DefaultConfig()), fwIdle)
}

// objects lists severity and object of each finding.
func objects(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Severity.String()+" "+f.Object)
	}
	return out
}

func wantObjects(t *testing.T, fs []Finding, want ...string) {
	t.Helper()
	if got := objects(fs); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("findings %q, want %q\n%+v", got, want, fs)
	}
}

// hasEvidence reports whether f has evidence whose What and Value contain
// what and value, read from line (0: any line, -1: no line).
func hasEvidence(f Finding, what, value string, line int) bool {
	for _, e := range f.Evidence {
		if !strings.Contains(e.What, what) || !strings.Contains(e.Value, value) {
			continue
		}
		switch {
		case line == -1 && e.Source == nil, line == 0, e.Source != nil && e.Source.Line == line:
			return true
		}
	}
	return false
}

func TestFirewallIdleGlobalTimers(t *testing.T) {
	// No inspection: TCP gets timeout conn, UDP timeout udp (default 2 min,
	// within the margin of the 115 s SIP keepalive).
	fs := fwFindings(t, "timeout conn 0:01:00\n", nil)
	wantObjects(t, fs, "critical timeout conn", "warning timeout udp")
	if fs[0].Fix[0] != "timeout conn 1:00:00" || fs[1].Fix[0] != "timeout udp 0:04:50" || len(fs[0].Phones) != 1 {
		t.Errorf("fixes %q %q, phones %v", fs[0].Fix, fs[1].Fix, fs[0].Phones)
	}
	if !strings.Contains(fs[1].Message, "SIP over UDP 5060") || !strings.Contains(strings.Join(fs[1].Notes, " "), "transport") {
		t.Errorf("UDP finding does not say its flow and the transport it assumes: %q %q", fs[1].Message, fs[1].Notes)
	}
	if !hasEvidence(fs[1], "timeout udp", "0:02:00", -1) || !fs[1].Evidence[0].Default {
		t.Errorf("default udp timeout not shown as assumed: %+v", fs[1].Evidence)
	}
	// SIP inspection: 5060 over TCP and UDP are SIP control connections
	// with timeout sip (30 min); SIP over TLS is not inspected and keeps
	// timeout conn.
	inspect := "policy-map global_policy\n class inspection_default\n  inspect sip \nservice-policy global_policy global\n"
	fs = fwFindings(t, "timeout conn 0:01:00 udp 0:01:00\n"+inspect, nil)
	wantObjects(t, fs, "critical timeout conn")
	if !strings.Contains(fs[0].Message, "SIP over TLS (TCP 5061)") || strings.Contains(fs[0].Message, "TCP 5060") {
		t.Errorf("message %q", fs[0].Message)
	}
	fs = fwFindings(t, "timeout sip 0:01:30\n"+inspect, nil)
	wantObjects(t, fs, "critical timeout sip")
	if !hasEvidence(fs[0], "SIP inspection", "inspect sip", 0) || !hasEvidence(fs[0], "class-map inspection_default", "default port of sip inspection", 0) {
		t.Errorf("evidence %+v", fs[0].Evidence)
	}
	// Without inspect sip in the default class, UDP is judged on timeout
	// udp: 60 s against 115 s, a warning at most (the transport is not
	// known, and the next REGISTER opens a new UDP connection).
	fs = fwFindings(t, "timeout udp 0:01:00\npolicy-map global_policy\n class inspection_default\n  inspect skinny \nservice-policy global_policy global\n", nil)
	wantObjects(t, fs, "warning timeout udp")
	if !strings.Contains(fs[0].Message, "is shorter than the 115 s") || !strings.Contains(strings.Join(fs[0].Notes, " "), "a warning, not critical") {
		t.Errorf("UDP at most a warning, saying why: %q %q", fs[0].Message, fs[0].Notes)
	}
}

// The case of the issue: a class that matches only web traffic has
// nothing to do with the phones' signalling (kaudit reported it critical
// when it assumed every class timeout matched).
func TestFirewallIdleWebOnlyClass(t *testing.T) {
	cfg := "access-list WEB extended permit tcp any any eq www\naccess-list WEB extended permit tcp any any eq https\n" +
		"class-map WEB\n match access-list WEB\n" +
		"policy-map global_policy\n class inspection_default\n  inspect sip \n class WEB\n  set connection timeout idle 0:01:00\n" +
		"service-policy global_policy global\n"
	if fs := fwFindings(t, cfg, nil); len(fs) != 0 {
		t.Fatalf("web class judged against phone signalling: %+v", fs)
	}
}

func TestFirewallIdleClassEvidence(t *testing.T) {
	cfg := "access-list VOICE-SIG remark phones to the call managers\n" +
		"access-list VOICE-SIG extended permit tcp object PHONES object-group CUCMS object-group SIG\n" +
		"class-map voice-signalling\n match access-list VOICE-SIG\n" +
		"policy-map global_policy\n class inspection_default\n  inspect sip \n class voice-signalling\n  set connection timeout idle 0:02:30 reset\n" +
		"service-policy global_policy global\n"
	fs := fwFindings(t, cfg, nil)
	wantObjects(t, fs, "warning policy-map global_policy class voice-signalling idle")
	f := fs[0]
	base := strings.Count(asaBase, "\n")
	for _, e := range []struct {
		what, value string
		line        int
	}{
		{"policy-map global_policy class voice-signalling idle", "0:02:30", base + 9},
		{"service-policy", "applied globally", base + 10},
		{"policy-map global_policy", "class voice-signalling", base + 8},
		{"class-map voice-signalling", "match access-list VOICE-SIG", base + 4},
		{"access-list VOICE-SIG line 2", "permit: matches SIP over TCP 5060 from 10.20.1.25 to 10.10.10.202 port 5060", base + 2},
		{"source", "object PHONES (subnet 10.20.1.0/24)", 13},
		{"destination", "object-group CUCMS → object CUCM-PUB (host 10.10.10.202)", 11},
		{"destination port", "object-group SIG: port-object eq sip (5060)", 20},
		{"call manager address", "10.10.10.202", -1},
	} {
		if !hasEvidence(f, e.what, e.value, e.line) {
			t.Errorf("no evidence %q %q line %d in\n%+v", e.what, e.value, e.line, f.Evidence)
		}
	}
	if !strings.Contains(f.Message, "SIP over TCP 5060, class voice-signalling") {
		t.Errorf("message %q", f.Message)
	}
	want := []string{"policy-map global_policy", " class voice-signalling", "  set connection timeout idle 0:04:50 reset"}
	if strings.Join(f.Fix, "\n") != strings.Join(want, "\n") {
		t.Errorf("fix %q", f.Fix)
	}
}

func TestFirewallIdleClassMatching(t *testing.T) {
	policy := func(classes string) string {
		return "policy-map global_policy\n class inspection_default\n  inspect sip \n" + classes + "service-policy global_policy global\n"
	}
	idle := func(class string) string { return " class " + class + "\n  set connection timeout idle 0:01:00\n" }
	for _, c := range []struct {
		name, cfg string
		want      []string
	}{
		{"deny before permit exempts the traffic",
			"access-list A extended deny tcp any any eq sip\naccess-list A extended deny tcp any any eq 5061\naccess-list A extended deny udp any any eq sip\n" +
				"access-list A extended permit ip any any\nclass-map A\n match access-list A\n" + policy(idle("A")), nil},
		{"an earlier class with connection settings claims the traffic",
			"class-map ALL\n match any\naccess-list A extended permit ip any any\nclass-map A\n match access-list A\n" +
				policy(" class ALL\n  set connection conn-max 5000\n"+idle("A")), nil},
		{"an earlier class without connection settings does not",
			"class-map ALL\n match any\naccess-list A extended permit ip any any\nclass-map A\n match access-list A\n" +
				policy(" class ALL\n  user-statistics accounting\n"+idle("A")), []string{"critical policy-map global_policy class A idle"}},
		{"class-default matches everything", policy(idle("class-default")), []string{"critical policy-map global_policy class class-default idle"}},
		{"service object and protocol group",
			"access-list A extended permit object SIP-TLS any any\naccess-list B extended permit object-group L4 any object CUCM-PUB eq sip\n" +
				"class-map A\n match access-list A\nclass-map B\n match access-list B\n" + policy(idle("A")+idle("B")),
			[]string{"critical policy-map global_policy class A idle", "critical policy-map global_policy class B idle"}},
		{"a source port the phones do not use", "access-list A extended permit tcp any eq sip any eq sip\nclass-map A\n match access-list A\n" + policy(idle("A")), nil},
		{"a destination that is not the call manager", "access-list A extended permit tcp any host 10.10.10.99 eq sip\nclass-map A\n match access-list A\n" + policy(idle("A")), nil},
		{"inactive and unreadable entries are passed over",
			"access-list A extended permit tcp any any eq sip inactive\naccess-list A extended permit ip user CORP\\u any any\nclass-map A\n match access-list A\n" + policy(idle("A")), nil},
		{"match port udp", "class-map P\n match port udp eq sip\n" + policy(idle("P")), []string{"warning policy-map global_policy class P idle"}},
		{"match port of another service", "class-map P\n match port tcp range 80 443\n" + policy(idle("P")), nil},
		{"default inspection traffic covers 5060, not 5061", "class-map D\n match default-inspection-traffic\n" + policy(idle("D")),
			[]string{"critical policy-map global_policy class D idle"}},
		{"criteria kaudit does not evaluate", "class-map Q\n match dscp cs3\n" + policy(idle("Q")), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantObjects(t, fwFindings(t, c.cfg, nil), c.want...)
		})
	}
	fs := fwFindings(t, "class-map P\n match port udp eq sip\n"+policy(idle("P")), nil)
	if !strings.Contains(fs[0].Message, "(SIP over UDP 5060, class P)") || !strings.Contains(strings.Join(fs[0].Notes, " "), "SIP over UDP") {
		t.Errorf("match port: %q %q", fs[0].Message, fs[0].Notes)
	}
	fs = fwFindings(t, "class-map D\n match default-inspection-traffic\n"+policy(idle("D")), nil)
	if !strings.Contains(fs[0].Message, "(SIP over TCP 5060, SIP over UDP 5060, class D)") {
		t.Errorf("default inspection: %q", fs[0].Message)
	}
}

func TestFirewallIdleInterfacePolicy(t *testing.T) {
	cfg := func(iface string) string {
		return "timeout udp 0:10:00\naccess-list SIP extended permit tcp any any eq sip\nclass-map SIP\n match access-list SIP\nclass-map ALL\n match any\n" +
			"policy-map global_policy\n class SIP\n  set connection timeout idle 0:01:00\n" +
			"policy-map IF-POLICY\n class ALL\n  set connection timeout idle 2:00:00\n" +
			"service-policy global_policy global\nservice-policy IF-POLICY interface " + iface + "\n"
	}
	// The phones' interface has a policy of its own: its class claims the
	// connection before the global one.
	wantObjects(t, fwFindings(t, cfg("voice"), nil))
	// So does the call manager's interface (interface policies act both ways),
	// but after the global policy the phones' traffic meets first.
	wantObjects(t, fwFindings(t, cfg("dc"), nil), "critical policy-map global_policy class SIP idle")
	wantObjects(t, fwFindings(t, cfg("outside"), nil), "critical policy-map global_policy class SIP idle")
}

func TestFirewallIdleSCCP(t *testing.T) {
	cfg := "class-map SCCP\n match port tcp range 2000 2000\npolicy-map global_policy\n class inspection_default\n  inspect skinny \n" +
		" class SCCP\n  set connection timeout idle 0:00:45\nservice-policy global_policy global\n"
	fs := fwFindings(t, cfg, func(s *facts.Snapshot) { s.Devices[1].CUCM.Phones[0].Protocol = "SCCP" })
	// 45 s against the 30 s SCCP keepalive: within the 60 s margin.
	wantObjects(t, fs, "warning policy-map global_policy class SCCP idle")
	if !strings.Contains(fs[0].Message, "SCCP (TCP 2000)") {
		t.Errorf("message %q", fs[0].Message)
	}
}

// The firewall team's inventory: the ASA alone, no switches, no CUCM.
func TestFirewallIdleASAAlone(t *testing.T) {
	alone := func(cfg string) []Finding {
		add := withASAConfig(t, cfg)
		snap := &facts.Snapshot{}
		add(snap)
		snap.Join(DefaultConfig().Defaults)
		return only(t, Evaluate(snap, DefaultConfig()), fwIdle)
	}
	cfg := "timeout conn 0:05:00 udp 0:01:00\naccess-list SIP extended permit tcp any object CUCM-PUB eq sip\nclass-map SIP\n match access-list SIP\n" +
		"access-list WEB extended permit tcp any any eq www\nclass-map WEB\n match access-list WEB\n" +
		"policy-map global_policy\n class WEB\n  set connection timeout idle 0:00:30\n class SIP\n  set connection timeout idle 0:01:00\n" +
		"service-policy global_policy global\n"
	fs := alone(cfg)
	// Only the class that matches SIP is judged; global timers say nothing
	// without phones or call managers.
	wantObjects(t, fs, "critical policy-map global_policy class SIP idle")
	f := fs[0]
	notes := strings.Join(f.Notes, " ")
	if len(f.Phones) != 0 || !strings.Contains(notes, "no call manager in the inventory") || !strings.Contains(notes, "no phones in the inventory") ||
		!strings.Contains(notes, "default keepalives") {
		t.Errorf("phones %v notes %q", f.Phones, f.Notes)
	}
	// Judged against the default keepalive to a backup call manager: 120 s.
	if !strings.Contains(f.Message, "the 120 s keepalive interval") || !hasEvidence(f, "keepalive interval to a call manager", "120 s", -1) {
		t.Errorf("message %q evidence %+v", f.Message, f.Evidence)
	}
	if !hasEvidence(f, "access-list SIP line 1", "from any address to any address port 5060", 0) {
		t.Errorf("evidence %+v", f.Evidence)
	}
	// A class matching only web traffic: nothing.
	if fs := alone(strings.Replace(cfg, "class SIP\n  set connection timeout idle 0:01:00\n", "", 1)); len(fs) != 0 {
		t.Errorf("web class on a lone ASA: %+v", fs)
	}
}

// Phones in the inventory, no call manager: the classes are judged for
// the phones' signalling to any address.
func TestFirewallIdleNoCallManager(t *testing.T) {
	noCUCM := func(s *facts.Snapshot) {
		var keep []*facts.Device
		for _, d := range s.Devices {
			if d.CUCM == nil {
				keep = append(keep, d)
			}
		}
		s.Devices = keep
	}
	cfg := func(src string) string {
		return "timeout conn 0:05:00\naccess-list SIP extended permit tcp " + src + " any eq sip\nclass-map SIP\n match access-list SIP\n" +
			"policy-map global_policy\n class SIP\n  set connection timeout idle 0:01:00\nservice-policy global_policy global\n"
	}
	fs := fwFindings(t, cfg("object PHONES"), noCUCM)
	wantObjects(t, fs, "critical policy-map global_policy class SIP idle")
	if len(fs[0].Phones) != 1 || !strings.Contains(strings.Join(fs[0].Notes, " "), "no call manager in the inventory") {
		t.Errorf("phones %v notes %q", fs[0].Phones, fs[0].Notes)
	}
	wantObjects(t, fwFindings(t, cfg("10.99.0.0 255.255.0.0"), noCUCM))
}

// BenchmarkFirewallIdle10k is this rule alone on the snapshot of
// BenchmarkEvaluate10k (196 ASAs between 48 phones each and the call
// managers).
func BenchmarkFirewallIdle10k(b *testing.B) {
	snap := synth.Snapshot(synth.Options{Devices: 10000, BadEvery: 12, PhonesInCUCM: true})
	cfg := DefaultConfig()
	snap.Join(cfg.Defaults)
	r := Lookup(fwIdle)
	c := &Context{Snap: snap, Config: cfg, idx: buildIndex(snap)}
	c.phonesIn(netip.Prefix{}) // the sorted phone addresses, built once per evaluation
	b.ResetTimer()
	for b.Loop() {
		if fs := r.Check(c); len(fs) == 0 {
			b.Fatal("no findings")
		}
	}
}
