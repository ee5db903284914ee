package rules

import (
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

func TestFingerprint(t *testing.T) {
	base := Finding{Rule: "r", Device: "sw1", Object: "GigabitEthernet1/0/5", Phones: []string{"SEPB", "SEPA"}, Message: "one"}
	fp := Fingerprint(base)
	for _, tt := range []struct {
		name   string
		change func(*Finding)
		same   bool
	}{
		{"message reworded", func(f *Finding) { f.Message = "reworded" }, true},
		{"phone order", func(f *Finding) { f.Phones = []string{"SEPA", "SEPB"} }, true},
		// A phone plugged in on the port is the same problem on the
		// same port, not a new one.
		{"phone added", func(f *Finding) { f.Phones = append(f.Phones, "SEPC") }, true},
		{"no phones", func(f *Finding) { f.Phones = nil }, true},
		{"interface abbreviated", func(f *Finding) { f.Object = "Gi1/0/5" }, true},
		{"blanks", func(f *Finding) { f.Object = " GigabitEthernet1/0/5\r" }, true},
		{"severity and waiver", func(f *Finding) { f.Severity, f.Waived = Critical, &Waived{Reason: "x"} }, true},
		{"other object", func(f *Finding) { f.Object = "Gi1/0/6" }, false},
		{"other device", func(f *Finding) { f.Device = "sw2" }, false},
		{"other rule", func(f *Finding) { f.Rule = "q" }, false},
		{"fields shifted", func(f *Finding) { f.Device, f.Object = "sw1G", "igabitEthernet1/0/5" }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := base
			tt.change(&f)
			if got := Fingerprint(f) == fp; got != tt.same {
				t.Errorf("same fingerprint = %v, want %v", got, tt.same)
			}
		})
	}
}

// A twice NAT rule is known by its text: its line number, the rule
// number that places it in its section, its description and its blanks
// are not part of it; any other word is.
func TestNATIdentity(t *testing.T) {
	const want = "nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB"
	for _, in := range []string{
		want,
		want + " description remote sites reach CUCM untranslated",
		"nat (outside,voice) 3 source static any any destination static CUCM-PUB CUCM-PUB",
		"  nat  (outside,voice)   source static any any destination static CUCM-PUB CUCM-PUB\r",
	} {
		if got := NATIdentity(in); got != want {
			t.Errorf("NATIdentity(%q) = %q, want %q", in, got, want)
		}
	}
	if got := NATIdentity("nat (a,b) after-auto 2 source dynamic X Y"); got != "nat (a,b) after-auto source dynamic X Y" {
		t.Errorf("after-auto: %q", got)
	}
	for _, other := range []string{
		"nat (outside,voice) source static any any destination static CUCM-SUB CUCM-SUB",
		"nat (inside,voice) source static any any destination static CUCM-PUB CUCM-PUB",
	} {
		if NATIdentity(other) == want {
			t.Errorf("%q has the identity of %q", other, want)
		}
	}
}

// The proxy ARP finding names a twice NAT rule by its text, so that lines
// added above it leave the finding as it was; a run recorded when the
// object was "voice / nat line 134" still has the same fingerprint.
func TestProxyARPObjectIsNATText(t *testing.T) {
	const text = "nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB description remote sites"
	at := func(line int) Finding {
		n := &facts.NATRule{Kind: "twice", Source: facts.Source{Key: "show_running-config", Line: line, Text: text}}
		return Finding{Rule: "asa-proxy-arp-answers-for-call-manager", Device: "asa-edge", Object: "voice / " + natObject(n),
			Evidence: []Evidence{fact("asa-edge", natEvidence, strings.TrimSpace(text), n.Source)}}
	}
	a, b := at(134), at(136)
	if a.Object != "voice / nat (outside,voice) source static any any destination static CUCM-PUB CUCM-PUB" {
		t.Errorf("object %q", a.Object)
	}
	if a.Object != b.Object || Fingerprint(a) != Fingerprint(b) {
		t.Errorf("moving the rule from line 134 to 136 changed the finding: %q %q", a.Object, b.Object)
	}
	legacy := a
	legacy.Object = "voice / nat line 133"
	if Fingerprint(legacy) != Fingerprint(a) {
		t.Error("a finding recorded as \"voice / nat line 133\" does not match the same rule named by its text")
	}
	legacy.Evidence = nil
	if Fingerprint(legacy) == Fingerprint(a) {
		t.Error("a legacy object without the NAT evidence matched")
	}
	obj := &facts.NATRule{Kind: "object", Object: "CUCM-PUB", Source: facts.Source{Line: 9, Text: " nat (inside,voice) static CUCM-PUB"}}
	if got := natObject(obj); got != "object CUCM-PUB nat" {
		t.Errorf("object NAT: %q", got)
	}
}
