package policy

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	if len(files) == 0 {
		f.Fatal("no testdata seeds")
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "~", "defaults: {sip_t1_ms: -1}", "severity: {a: off}", "waivers: [{rule: '*', device: 'sw[1-3]', reason: r, expires: 2026-01-01}]",
		"a: &x [*x]", "defaults: &d {sccp_keepalive_s: 3}\nthresholds: *d", "--- \n...\n---\n", "? [a]\n: b\n", "0: [:!00 \xef",
	} {
		f.Add([]byte(s))
	}
	valid := []string{SeverityInfo, SeverityWarning, SeverityCritical, SeverityOff}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yaml", data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.File != "fuzz.yaml" {
				t.Fatalf("error %v (%T) does not name the file", err, err)
			}
			return
		}
		d, th := p.Defaults, p.Thresholds
		for _, n := range []int{d.SIPStationKeepaliveSeconds, d.SIPKeepaliveExpiresSeconds, d.SCCPKeepaliveSeconds, d.SCCPBackupKeepaliveSeconds,
			d.SIPT1Millis, d.SIPT2Millis, d.SIPRegisterExpiresSeconds, d.MACAgingDefaultSeconds, th.VoicePortMinMaximum} {
			if n < 1 {
				t.Fatalf("a value below its minimum: %+v %+v", d, th)
			}
		}
		for _, n := range []int{d.SIPRegisterDeltaSeconds, d.CUCMExpiryGraceSeconds, th.PortSecurityWarningMarginSeconds,
			th.FirewallIdleWarningMarginSeconds, th.MACAgingWarningMarginSeconds, th.MinRetransmissionRoomSeconds} {
			if n < 0 {
				t.Fatalf("a negative value: %+v %+v", d, th)
			}
		}
		if d.PhoneProtocol != "SIP" && d.PhoneProtocol != "SCCP" {
			t.Fatalf("protocol %q", d.PhoneProtocol)
		}
		for id, s := range p.Severity {
			if !slices.Contains(valid, s) || !ruleIDRE.MatchString(id) {
				t.Fatalf("severity %q: %q", id, s)
			}
		}
		for _, w := range p.Waivers {
			if w.Rule == "" || w.Device == "" || w.Reason == "" || w.Line < 1 || w.device == nil || (w.Object != "") != (w.object != nil) {
				t.Fatalf("waiver %+v", w)
			}
		}
		// What a policy holds can be written back and reads the same.
		out, err := yaml.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := Parse("again.yaml", out)
		if err != nil {
			t.Fatalf("re-reading\n%s: %v", out, err)
		}
		if !same(p, q) {
			t.Fatalf("round trip changed the policy:\n%+v\n%+v\n%s", p, q, out)
		}
	})
}
