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
