package facts

import (
	"strings"
	"testing"
)

// The phone stack's arithmetic (issue 13): the backup keepalive is Timer
// Keep Alive Expires itself with a 120 s floor, a registration with
// expires − delta under 20 s is dropped, and mobile clients register on
// Timer Register Expires.
func TestKeepaliveArithmetic(t *testing.T) {
	def := Defaults{SIPStationKeepalive: 120, SIPRegisterDelta: 5, SIPKeepaliveExpires: 120, SIPRegisterExpires: 3600, SCCPKeepalive: 30, SCCPBackupKeepalive: 60, PhoneProtocol: "SIP", CUCMExpiryGrace: 15}
	cucm := func(delta, regExp, kaExp int, profile string) *Device {
		d := &Device{Name: "cm", Platform: PlatformCUCM, CUCM: &CUCM{}}
		p := SIPProfile{Name: profile, RegisterDeltaSeconds: delta, RegisterExpiresSeconds: regExp, KeepaliveExpiresSeconds: kaExp}
		src := Source{Key: "sql_sipprofile", Line: 4}
		p.Sources.Set("register_delta", src)
		p.Sources.Set("register_expires", src)
		p.Sources.Set("keepalive_expires", src)
		d.CUCM.SIPProfiles = []SIPProfile{p}
		return d
	}
	for _, tt := range []struct {
		name                   string
		delta, regExp, kaExp   int
		model, profile         string
		primary, backup, unreg int
		dropped                bool
		basis                  string
	}{
		{"defaults", 5, 3600, 120, "Cisco 8841", "P", 115, 120, 130, false, "keepalive to the backup every 120 s"},
		{"backup not less the delta", 5, 3600, 300, "Cisco 8841", "P", 115, 300, 130, false, "Timer Keep Alive Expires 300 s"},
		{"backup floor", 5, 3600, 60, "Cisco 8841", "P", 115, 120, 130, false, "raised to the phone's floor of 120 s"},
		{"registration floor", 105, 3600, 120, "Cisco 8841", "P", 15, 120, 30, true, "the phone drops the registration"},
		{"dual mode on register expires", 120, 720, 720, "Cisco Dual Mode for iPhone", "Standard SIP Profile For Mobile Device", 600, 720, 615, false, "Timer Register Expires 720 s"},
		{"mobile profile, other model", 120, 720, 720, "Cisco Jabber for Tablet", "Standard SIP Profile For Mobile Device", 600, 720, 615, false, "mobile or dual-mode"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cm := cucm(tt.delta, tt.regExp, tt.kaExp, tt.profile)
			s := &Snapshot{Devices: []*Device{cm}}
			p := &Phone{Name: "SEP1", Model: tt.model, Protocol: "SIP", CallManager: "cm", SIPProfile: tt.profile}
			k := s.Keepalive(p, def)
			if k.PrimarySeconds != tt.primary || k.BackupSeconds != tt.backup || k.UnregisterSeconds != tt.unreg || k.Dropped != tt.dropped {
				t.Errorf("primary %d backup %d unregister %d dropped %v, want %d %d %d %v (%s)", k.PrimarySeconds, k.BackupSeconds, k.UnregisterSeconds, k.Dropped, tt.primary, tt.backup, tt.unreg, tt.dropped, k.Basis)
			}
			if !strings.Contains(k.Basis, tt.basis) {
				t.Errorf("basis %q lacks %q", k.Basis, tt.basis)
			}
		})
	}
}

func TestKeepaliveFormulasSourced(t *testing.T) {
	for _, f := range KeepaliveFormulas {
		if f.What == "" || f.Formula == "" || f.Source == "" {
			t.Errorf("formula without its source: %+v", f)
		}
	}
}
