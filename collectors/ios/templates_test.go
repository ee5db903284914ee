package ios

import (
	"testing"

	"github.com/kaudit/kaudit/facts"
)

const templatedConfig = `Building configuration...
Current configuration : 300 bytes
!
hostname sw-tmpl
!
interface GigabitEthernet1/0/5
 switchport access vlan 10
 source template IP_PHONE_INTERFACE_TEMPLATE
!
interface GigabitEthernet1/0/6
 switchport port-security aging time 10
 source template IP_PHONE_INTERFACE_TEMPLATE
!
end
`

// A port that sources a built-in template the running config does not
// show is unknown, never "port-security off"; the built-in list, read in
// either order, makes it known; the interface's own lines win.
func TestTemplateResolution(t *testing.T) {
	builtin := testdata(t, keyBuiltinTemplates, "c9300.txt")
	for _, order := range []string{"running first", "built-in first"} {
		t.Run(order, func(t *testing.T) {
			d := &facts.Device{Name: "sw1"}
			if order == "built-in first" {
				if err := ParseBuiltinTemplates(builtin, d); err != nil {
					t.Fatal(err)
				}
			}
			if err := ParseRunningConfig([]byte(templatedConfig), d); err != nil {
				t.Fatal(err)
			}
			if order == "running first" {
				p := d.Switch.Interfaces[0]
				if p.Unknown == "" || p.PortSecurity.Enabled {
					t.Fatalf("unresolved template: unknown %q, port-security %v; want unknown", p.Unknown, p.PortSecurity.Enabled)
				}
				if !needsBuiltinTemplates(d) || !templatesMayApply(d) {
					t.Error("a live audit would not ask for the built-in templates or the derived config")
				}
				if err := ParseBuiltinTemplates(builtin, d); err != nil {
					t.Fatal(err)
				}
			}
			a, b := d.Switch.Interfaces[0], d.Switch.Interfaces[1]
			eq(t, "Gi1/0/5 unknown", a.Unknown, "")
			eq(t, "Gi1/0/5 port-security", a.PortSecurity.Enabled, true)
			eq(t, "Gi1/0/5 aging", a.PortSecurity.AgingMinutes, 2)
			eq(t, "Gi1/0/5 aging key", a.PortSecurity.Sources.Of("aging_time").Key, keyBuiltinTemplates)
			eq(t, "Gi1/0/5 aging via", a.PortSecurity.Sources.Of("aging_time").Via, "template IP_PHONE_INTERFACE_TEMPLATE")
			eq(t, "Gi1/0/5 access vlan (own)", a.AccessVLAN, 10)
			eq(t, "Gi1/0/5 vlan maximum", a.PortSecurity.VLANMaximum["access"], 2)
			eq(t, "Gi1/0/6 aging (own wins)", b.PortSecurity.AgingMinutes, 10)
			eq(t, "Gi1/0/6 aging type (template)", b.PortSecurity.AgingType, "inactivity")
			if needsBuiltinTemplates(d) {
				t.Error("built-in templates still asked for once read")
			}
		})
	}
}

// show derived-config gives the effective settings, also for templates
// bound at run time that the running config does not name.
func TestDerivedConfig(t *testing.T) {
	d := &facts.Device{Name: "sw1"}
	run := "Building configuration...\nCurrent configuration : 100 bytes\n!\nhostname sw-tmpl\nautoconf enable\n!\ninterface GigabitEthernet1/0/5\n switchport access vlan 10\n!\ninterface GigabitEthernet1/0/6\n switchport access vlan 10\n!\nend\n"
	if err := ParseRunningConfig([]byte(run), d); err != nil {
		t.Fatal(err)
	}
	if !templatesMayApply(d) {
		t.Fatal("autoconf does not make the derived config worth reading")
	}
	if err := ParseDerivedConfig(testdata(t, keyDerivedConfig, "c9300_template.txt"), d); err != nil {
		t.Fatal(err)
	}
	p := d.Switch.Interfaces[0]
	eq(t, "port-security", p.PortSecurity.Enabled, true)
	eq(t, "aging", p.PortSecurity.AgingMinutes, 2)
	eq(t, "voice vlan", p.VoiceVLAN, 210)
	src := p.PortSecurity.Sources.Of("aging_time")
	eq(t, "aging key", src.Key, keyDerivedConfig)
	eq(t, "aging via", src.Via, "show derived-config")
	eq(t, "Gi1/0/6 port-security", d.Switch.Interfaces[1].PortSecurity.Enabled, false)
}

func FuzzBuiltinTemplates(f *testing.F) {
	f.Add([]byte("Template Name : X\nTemplate Definition :\n switchport port-security aging time 1\n!\n"))
	f.Add([]byte("template X\n switchport port-security\n!\nend\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := &facts.Device{Name: "sw1"}
		if err := ParseRunningConfig([]byte(templatedConfig), d); err != nil {
			t.Fatal(err)
		}
		_ = ParseBuiltinTemplates(data, d)
		_ = ParseDerivedConfig(data, d)
	})
}

// show access-session details gives each port its sessions' idle timeout
// (the RADIUS Idle-Timeout behind "inactivity server") and the template
// Autoconf bound at run time.
func TestAccessSession(t *testing.T) {
	run := "Building configuration...\nCurrent configuration : 100 bytes\n!\nhostname sw-floor3\n!\ninterface GigabitEthernet1/0/3\n access-session port-control auto\n authentication timer inactivity server\n!\ninterface GigabitEthernet1/0/4\n access-session port-control auto\n!\nend\n"
	d := &facts.Device{Name: "sw1"}
	if err := ParseRunningConfig([]byte(run), d); err != nil {
		t.Fatal(err)
	}
	if !needsAccessSession(d) {
		t.Fatal("authenticating ports do not ask for show access-session details")
	}
	if err := ParseAccessSession(testdata(t, keyAccessSession, "c9300.txt"), d); err != nil {
		t.Fatal(err)
	}
	a, b := d.Switch.Interfaces[0], d.Switch.Interfaces[1]
	eq(t, "Gi1/0/3 idle", a.Auth.SessionIdleSeconds, 60)
	eq(t, "Gi1/0/3 idle line", a.Auth.Sources.Of("session_idle").Line, 24)
	eq(t, "Gi1/0/3 run-time template", a.Template, "IP_PHONE_INTERFACE_TEMPLATE")
	eq(t, "Gi1/0/3 template via", a.Sources.Of("template").Via, "bound at run time")
	eq(t, "Gi1/0/3 unknown without the definition", a.Unknown != "", true)
	eq(t, "Gi1/0/4 idle", b.Auth.SessionIdleSeconds, 0)
	for _, bad := range []string{"garbage\n", "% Invalid input detected at '^' marker.\n"} {
		if err := ParseAccessSession([]byte(bad), &facts.Device{Name: "sw1"}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := ParseAccessSession([]byte("No sessions currently exist\n"), &facts.Device{Name: "sw1"}); err != nil {
		t.Errorf("no sessions: %v", err)
	}
}

// IBNS 1.0 and 2.0 settings of the running config.
func TestAuthConfig(t *testing.T) {
	cfg := `hostname sw1
!
service-template PHONE_SESSION
 inactivity-timer 60
service-template PROBED
 inactivity-timer 90 probe
!
policy-map type control subscriber POLICY_PHONES
 event session-started match-all
  10 class always do-until-failure
   10 authenticate using mab priority 20
 event authentication-success match-all
  10 class always do-until-failure
   20 activate service-template PHONE_SESSION
!
interface GigabitEthernet1/0/1
 authentication port-control auto
 authentication timer inactivity 45
!
interface GigabitEthernet1/0/2
 access-session port-control auto
 service-policy type control subscriber POLICY_PHONES
!
end
`
	d := &facts.Device{Name: "sw1"}
	if err := ParseRunningConfig([]byte(cfg), d); err != nil {
		t.Fatal(err)
	}
	sw := d.Switch
	eq(t, "IBNS 1.0 enabled", sw.Interfaces[0].Auth.Enabled, true)
	eq(t, "IBNS 1.0 inactivity", sw.Interfaces[0].Auth.InactivitySeconds, 45)
	eq(t, "IBNS 2.0 enabled", sw.Interfaces[1].Auth.Enabled, true)
	eq(t, "IBNS 2.0 policy", sw.Interfaces[1].Auth.ControlPolicy, "POLICY_PHONES")
	st := sw.ServiceTemplateNamed("PHONE_SESSION")
	if st == nil || st.InactivitySeconds != 60 || st.Probe || st.Source.Line != 4 {
		t.Fatalf("service template %+v", st)
	}
	if pr := sw.ServiceTemplateNamed("PROBED"); pr == nil || !pr.Probe || pr.InactivitySeconds != 90 {
		t.Errorf("probe template %+v", pr)
	}
	cp := sw.ControlPolicyNamed("POLICY_PHONES")
	if cp == nil || len(cp.Activates) != 1 || cp.Activates[0].Template != "PHONE_SESSION" || cp.Activates[0].Source.Line != 14 {
		t.Fatalf("control policy %+v", cp)
	}
}
