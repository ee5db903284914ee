package ios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

func TestParsePowerInline(t *testing.T) {
	data := testdata(t, keyPowerInline, "c9300_stack.txt")
	d := seedDevice()
	if err := ParsePowerInline(data, d); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range d.Switch.PoE {
		got = append(got, fmt.Sprintf("%s|%s|%s|%.1f|%s|%s|%.1f|%d", p.Interface, p.Admin, p.Oper, p.Watts, p.Device, p.Class, p.MaxWatts, p.Source.Line))
	}
	want := []string{
		"GigabitEthernet1/0/1|auto|off|0.0|n/a|n/a|30.0|10",
		"GigabitEthernet1/0/2|auto|on|6.3|IP Phone 7962|2|30.0|11",
		"GigabitEthernet1/0/7|auto|on|12.9|IP Phone 8865|4|30.0|12",
		"GigabitEthernet1/0/9|auto|faulty|0.0|n/a|n/a|30.0|13",
		"GigabitEthernet1/0/12|static|on|15.4|C9120AXI-E|4|30.0|14",
		"GigabitEthernet1/0/13|never|off|0.0|n/a|n/a|30.0|15",
	}
	eq(t, "rows", strings.Join(got, "\n"), strings.Join(want, "\n"))
	checkSources(t, d, keyPowerInline, data)
}

func TestPowerInlineLayouts(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"catalyst 6500 with priority",
			"Interface Admin  Priority     Oper      Power(Watts)    Device             Class Police ActConsumption\n" +
				"                 (enabled )            From PS To PD\n" +
				"---------------- ---------- ---------- ------- ------- ------------------- ----- ------ --------------\n" +
				"Gi3/1            auto       high       on         7.0     6.3 Cisco IP Phone 7962 2     off    n/a\n",
			"GigabitEthernet3/1|auto|on|6.3|Cisco IP Phone 7962|2|0.0"},
		{"no device name",
			"Interface Admin  Oper       Power   Device              Class Max\n--------- ------ ---------- ------- ------------------- ----- ----\nFa0/3     auto   on         4.0                         1     15.4\n",
			"FastEthernet0/3|auto|on|4.0||1|15.4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &facts.Device{Name: "sw1"}
			if err := ParsePowerInline([]byte(tt.data), d); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range d.Switch.PoE {
				got = append(got, fmt.Sprintf("%s|%s|%s|%.1f|%s|%s|%.1f", p.Interface, p.Admin, p.Oper, p.Watts, p.Device, p.Class, p.MaxWatts))
			}
			eq(t, "rows", strings.Join(got, "\n"), tt.want)
		})
	}
}

func TestPowerInlineErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		line int
		msg  string
	}{
		{"binary", "Interface\x00", 1, "binary data"},
		{"garbage", "nothing to see\nhere\n", 1, "not show power inline output"},
		{"no PoE", "sw1#show power inline\n                   ^\n% Invalid input detected at '^' marker.\n", 3, "device error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := seedDevice()
			checkParseError(t, ParsePowerInline([]byte(tt.data), d), keyPowerInline, tt.line, tt.msg)
			unchanged(t, d)
		})
	}
}

// A malformed row is skipped with a warning naming its line; the rows
// around it stand.
func TestPowerInlineSkipsBadRows(t *testing.T) {
	header := "Interface Admin  Oper       Power   Device              Class Max\n--------- ------ ---------- ------- ------------------- ----- ----\n"
	good := "Gi1/0/2   auto   on         6.3     IP Phone 7962       2     30.0\n"
	for _, tt := range []struct{ name, row, msg string }{
		{"truncated row", "Gi1/0/1   auto   on\n", "row has 3 columns"},
		{"bad power", "Gi1/0/1   auto   on         x.y     IP Phone 7962       2     30.0\n", "bad power value"},
		{"NaN power", "Gi1/0/1   auto   on         NaN     IP Phone 7962       2     30.0\n", "bad power value"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := &facts.Device{Name: "sw1"}
			if err := ParsePowerInline([]byte(header+tt.row+good), d); err != nil {
				t.Fatal(err)
			}
			if len(d.Switch.PoE) != 1 || d.Switch.PoE[0].Interface != "GigabitEthernet1/0/2" {
				t.Fatalf("rows %+v, want Gi1/0/2 alone", d.Switch.PoE)
			}
			if len(d.Warnings) != 1 {
				t.Fatalf("warnings %v, want 1", d.Warnings)
			}
			w := d.Warnings[0].Error()
			if !strings.Contains(w, "sw1/show_power_inline.txt:3:") || !strings.Contains(w, tt.msg) {
				t.Errorf("warning %q, want line 3 and %q", w, tt.msg)
			}
		})
	}
}

func agingString(a *facts.MACAging) string {
	var vl []string
	for _, v := range a.VLANs {
		vl = append(vl, fmt.Sprintf("%d:%d@%d", v.VLAN, v.Seconds, v.Source.Line))
	}
	return fmt.Sprintf("%d set=%v@%d %v", a.GlobalSeconds, a.GlobalSet, a.Global.Line, vl)
}

func TestParseMACAging(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"one-line form", testdata(t, keyMACAging, "one_line.txt"), "300 set=true@2 []"},
		{"Global row in the table", testdata(t, keyMACAging, "cat4500_table.txt"), "300 set=true@3 [210:120@4 999:0@5]"},
		{"VLAN rows only", []byte("Vlan    Aging Time\r\n----    ----------\r\n  10      30\r\n"), "300 set=false@0 [10:30@3]"},
		{"Catalyst 6500 note", []byte("Vlan    Aging Time\n----    ----------\nGlobal  300\nno vlan age other than global age configured\n"), "300 set=true@3 []"},
		{"IOS-XE form", []byte("Global Aging Time:  120\nVlan    Aging Time\n----    ----------\n 210     60\n"), "120 set=true@1 [210:60@4]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := seedDevice()
			if err := ParseMACAging(tt.data, d); err != nil {
				t.Fatal(err)
			}
			eq(t, "aging", agingString(d.Switch.MACAging), tt.want)
			checkSources(t, d, keyMACAging, tt.data)
		})
	}
}

func TestMACAgingErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		line int
		msg  string
	}{
		{"binary", "\x00\x00", 1, "binary data"},
		{"nothing", "sw1#show mac address-table aging-time\nsw1#", 1, "no global or VLAN aging time"},
		{"garbage", "Global Aging Time:  300\nsome other output here\n", 2, "unexpected line"},
		{"bad global", "Global Aging Time:  3oo\n", 1, "bad global aging time"},
		{"bad vlan", "Vlan    Aging Time\n 99999  300\n", 2, "bad VLAN"},
		{"bad time", "Vlan    Aging Time\n 10  -1\n", 2, "bad aging time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := seedDevice()
			checkParseError(t, ParseMACAging([]byte(tt.data), d), keyMACAging, tt.line, tt.msg)
			unchanged(t, d)
		})
	}
}

func statusString(s facts.PortSecurityStatus) string {
	return fmt.Sprintf("%s en=%v st=%s viol=%s aging=%d/%s static=%v max=%d total=%d cfg=%d sticky=%d last=%s:%d count=%d",
		s.Interface, s.Enabled, s.PortStatus, s.Violation, s.AgingMinutes, s.AgingType, s.StaticAging,
		s.MaxMACs, s.TotalMACs, s.ConfiguredMACs, s.StickyMACs, s.LastSourceMAC, s.LastSourceVLAN, s.ViolationCount)
}

func statuses(d *facts.Device) string {
	var out []string
	for _, s := range d.Switch.PortSecurity {
		out = append(out, statusString(s))
	}
	return strings.Join(out, "\n")
}

func TestParsePortSecurity(t *testing.T) {
	data := testdata(t, keyPortSecurity, "summary.txt")
	d := &facts.Device{Name: "sw1"}
	if err := ParsePortSecurity(data, d); err != nil {
		t.Fatal(err)
	}
	eq(t, "rows", statuses(d), strings.Join([]string{
		"GigabitEthernet1/0/1 en=true st= viol=restrict aging=0/ static=false max=3 total=2 cfg=0 sticky=0 last=:0 count=0",
		"GigabitEthernet1/0/2 en=true st= viol=shutdown vlan aging=0/ static=false max=2 total=2 cfg=0 sticky=0 last=:0 count=4",
		"GigabitEthernet1/0/3 en=true st= viol=shutdown aging=0/ static=false max=1 total=1 cfg=0 sticky=0 last=:0 count=1",
	}, "\n"))
	checkSources(t, d, keyPortSecurity, data)
}

func TestParsePortSecurityInterface(t *testing.T) {
	data := testdata(t, keyPortSecurityInterface, "several.txt")
	d := &facts.Device{Name: "sw1"}
	if err := ParsePortSecurityInterface(data, d); err != nil {
		t.Fatal(err)
	}
	// The block for Gi1/0/99, refused by the device, is skipped.
	eq(t, "blocks", statuses(d), strings.Join([]string{
		"GigabitEthernet1/0/1 en=true st=Secure-up viol=restrict aging=2/inactivity static=false max=3 total=2 cfg=0 sticky=0 last=0024.142d.df24:210 count=0",
		"GigabitEthernet1/0/3 en=true st=Secure-shutdown viol=shutdown aging=10/absolute static=true max=1 total=1 cfg=1 sticky=0 last=0011.2233.4456:110 count=1",
	}, "\n"))
	checkSources(t, d, keyPortSecurityInterface, data)
}

// The summary and the per-interface blocks describe the same ports: they
// merge, in either order, and reading one again does not duplicate rows.
func TestPortSecurityMerge(t *testing.T) {
	sum := testdata(t, keyPortSecurity, "summary.txt")
	blocks := testdata(t, keyPortSecurityInterface, "several.txt")
	want := strings.Join([]string{
		"GigabitEthernet1/0/1 en=true st=Secure-up viol=restrict aging=2/inactivity static=false max=3 total=2 cfg=0 sticky=0 last=0024.142d.df24:210 count=0",
		"GigabitEthernet1/0/2 en=true st= viol=shutdown vlan aging=0/ static=false max=2 total=2 cfg=0 sticky=0 last=:0 count=4",
		"GigabitEthernet1/0/3 en=true st=Secure-shutdown viol=shutdown aging=10/absolute static=true max=1 total=1 cfg=1 sticky=0 last=0011.2233.4456:110 count=1",
	}, "\n")
	d := &facts.Device{Name: "sw1"}
	if err := ParsePortSecurity(sum, d); err != nil {
		t.Fatal(err)
	}
	if err := ParsePortSecurityInterface(blocks, d); err != nil {
		t.Fatal(err)
	}
	eq(t, "summary then blocks", statuses(d), want)
	if err := ParsePortSecurity(sum, d); err != nil {
		t.Fatal(err)
	}
	eq(t, "summary again", statuses(d), want)
	// Each field keeps the line it came from.
	s := d.Switch.PortSecurity[0]
	eq(t, "max_macs key", s.Sources.Of("max_macs").Key, keyPortSecurity)
	eq(t, "port_status key", s.Sources.Of("port_status").Key, keyPortSecurityInterface)

	d = &facts.Device{Name: "sw1"}
	if err := ParsePortSecurityInterface(blocks, d); err != nil {
		t.Fatal(err)
	}
	if err := ParsePortSecurity(sum, d); err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, s := range d.Switch.PortSecurity {
		rows = append(rows, statusString(s))
	}
	// Blocks first, then the summary's extra port.
	eq(t, "blocks then summary", strings.Join([]string{rows[0], rows[2], rows[1]}, "\n"), want)
}

func TestPortSecurityErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		line int
		msg  string
	}{
		{"binary", "Secure Port\x00", 1, "binary data"},
		{"no header", "sw1#show port-security\nsw1#", 1, "no \"Secure Port\" table header"},
		{"garbage row", "Secure Port  MaxSecureAddr  CurrentAddr  SecurityViolation  Security Action\n----\nwhat is this\n", 3, "unexpected line"},
		{"bad count", "Secure Port  MaxSecureAddr  CurrentAddr  SecurityViolation  Security Action\n  Gi1/0/1  two  1  0  Restrict\n", 2, "bad count"},
		{"device error", "% Port security is not supported\n", 1, "device error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := seedDevice()
			checkParseError(t, ParsePortSecurity([]byte(tt.data), d), keyPortSecurity, tt.line, tt.msg)
			unchanged(t, d)
		})
	}
}

func TestPortSecurityInterfaceErrors(t *testing.T) {
	block := "Port Security              : Enabled\nMaximum MAC Addresses      : 2\n"
	tests := []struct {
		name string
		data string
		line int
		msg  string
	}{
		{"binary", "Port Security : \x00", 1, "binary data"},
		{"garbage", "Port Security : Enabled\nrandom words\n", 2, "unexpected line"},
		{"two unnamed blocks", block + "\n" + block, 4, "second port-security block without an echoed command line"},
		{"nothing", "sw1#show port-security interface Gi1/0/9\n% Invalid input detected at '^' marker.\nsw1#", 1, "no port-security block found"},
		{"bad number", "Maximum MAC Addresses      : lots\n", 1, "bad Maximum MAC Addresses"},
		{"bad aging unit", "Aging Time                 : 2 fortnights\n", 1, "bad aging time"},
		{"bad last source", "Last Source Address:Vlan   : zzzz.0000.0000:1\n", 1, "bad last source address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := seedDevice()
			checkParseError(t, ParsePortSecurityInterface([]byte(tt.data), d), keyPortSecurityInterface, tt.line, tt.msg)
			unchanged(t, d)
		})
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		file, version, host string
	}{
		{"c9300.txt", "17.09.04a", "sw-floor5"},
		{"c2960.txt", "15.2(7)E9", "sw-floor3"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d := &facts.Device{Name: "sw1"}
			if err := ParseVersion(testdata(t, keyVersion, tt.file), d); err != nil {
				t.Fatal(err)
			}
			eq(t, "version", d.Switch.Version, tt.version)
			eq(t, "hostname", d.Switch.Hostname, tt.host)
			// The running config's hostname is not overridden.
			d = seedDevice()
			if err := ParseVersion(testdata(t, keyVersion, tt.file), d); err != nil {
				t.Fatal(err)
			}
			eq(t, "version over seed", d.Switch.Version, tt.version)
			eq(t, "hostname kept", d.Switch.Hostname, "sw1")
		})
	}
	for _, bad := range []struct{ name, data, msg string }{
		{"garbage", "hello\nworld\n", "not show version output"},
		{"binary", "\x00", "binary data"},
		{"device error", "% Invalid input detected at '^' marker.", "device error"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			d := seedDevice()
			checkParseError(t, ParseVersion([]byte(bad.data), d), keyVersion, 1, bad.msg)
			unchanged(t, d)
		})
	}
}
