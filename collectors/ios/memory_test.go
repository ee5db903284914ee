package ios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// ifAbbrev's fast path must expand every name as facts.CanonicalInterface
// does, in any case and with any port number.
func TestIfAbbrev(t *testing.T) {
	types := []string{
		"gi", "ge", "gigabitethernet", "fa", "fastethernet", "te", "tengigabitethernet",
		"twe", "twentyfivegige", "tw", "twogigabitethernet", "fi", "fivegigabitethernet",
		"fo", "fortygigabitethernet", "hu", "hundredgige", "et", "eth", "ethernet",
		"po", "port-channel", "vl", "vlan", "lo", "loopback", "ma", "management", "tu", "tunnel",
	}
	for _, typ := range types {
		for _, name := range []string{typ, strings.ToUpper(typ), strings.ToUpper(typ[:1]) + typ[1:]} {
			for _, port := range []string{"1/0/5", "0", "1.100", "2/1/0:3", "1/0/5x", "1/0/5\u00a0"} {
				in := name + port
				long, _ := ifAbbrev([]byte(in))
				if long == "" && !strings.ContainsRune(in, '\u00a0') {
					t.Errorf("ifAbbrev(%q) found no type", in)
				}
				if got, want := ifName([]byte(in)), facts.CanonicalInterface(in); got != want {
					t.Errorf("ifName(%q) = %q, facts.CanonicalInterface = %q", in, got, want)
				}
			}
		}
	}
	for _, in := range []string{"Gig1/0/1", "TenGig1/1/1", "g1", "Gi 1/0/1", "Gi", "1/0/1", "Port 1", "eth0", "GigabitEthernet1/0/1"} {
		if got, want := ifName([]byte(in)), facts.CanonicalInterface(in); got != want {
			t.Errorf("ifName(%q) = %q, facts.CanonicalInterface = %q", in, got, want)
		}
	}
}

// srcIf gives the line's source and the canonical port name, whichever
// form the name has in the line.
func TestSrcIf(t *testing.T) {
	for _, line := range []string{
		"Gi1/0/1   auto   on   5.1   IP Phone 8841   2   30.0",
		"  GigabitEthernet1/0/2    3    2    0    Restrict",
		"Gig1/0/3 auto off 0.0 n/a n/a 30.0",
		"Fa0/4\tauto\ton",
		strings.Repeat("x", 200) + " Gi1/0/5",
	} {
		r := newLineReader([]byte("header\r\n" + line + "   \r\n"))
		r.next()
		r.next()
		ws := fields(nil, r.line)
		name := ws[0]
		if strings.HasPrefix(line, "x") {
			name = ws[1]
		}
		src, got := r.srcIf(&facts.Device{Name: "sw1"}, keyPowerInline, name)
		want := facts.Source{Host: "sw1", Key: keyPowerInline, Line: 2, Text: strings.TrimRight(line, " ")}
		if src != want {
			t.Errorf("source %+v, want %+v", src, want)
		}
		if w := facts.CanonicalInterface(string(name)); got != w {
			t.Errorf("name %q, want %q", got, w)
		}
	}
}

func TestViolationName(t *testing.T) {
	for in, want := range map[string]string{
		"Shutdown": "shutdown", "Restrict": "restrict", "Protect": "protect", "Shutdown-VLAN": "shutdown vlan",
		"shutdown vlan": "shutdown vlan", "RESTRICT": "restrict", "Shutdown-Err-Disable": "shutdown err disable", "": "",
	} {
		if got := violationName([]byte(in)); got != want {
			t.Errorf("violationName(%q) = %q, want %q", in, got, want)
		}
	}
}

// The sources of identical configuration lines share one text: a
// configuration whose ports repeat the same commands costs fewer
// allocations than one whose ports all differ, by about one per line.
func TestRunningConfigSharesLines(t *testing.T) {
	const ports = 48
	gen := func(distinct bool) []byte {
		var b strings.Builder
		b.WriteString("hostname sw1\n!\n")
		for p := 1; p <= ports; p++ {
			v := 10
			if distinct {
				v = 100 + p
			}
			fmt.Fprintf(&b, "interface GigabitEthernet1/0/%d\n description desk %d\n switchport access vlan %d\n switchport mode access\n", p, v, v)
			fmt.Fprintf(&b, " switchport voice vlan %d\n switchport port-security maximum %d\n switchport port-security aging time %d\n", v, v, v)
			b.WriteString(" switchport port-security violation restrict\n shutdown\n")
		}
		b.WriteString("end\n")
		return []byte(b.String())
	}
	allocs := func(data []byte) float64 {
		return testing.AllocsPerRun(20, func() {
			if err := ParseRunningConfig(data, &facts.Device{Name: "sw1"}); err != nil {
				t.Fatal(err)
			}
		})
	}
	same, distinct := allocs(gen(false)), allocs(gen(true))
	// Five lines of each port differ in the second configuration; allow
	// for a few shared by chance.
	if distinct-same < ports*4 {
		t.Errorf("%v allocations for identical ports, %v for distinct ones: identical lines are not shared", same, distinct)
	}
}

func TestSuffixOf(t *testing.T) {
	for _, c := range []struct{ text, b string }{
		{"System Name: sw2", "sw2"}, {"System Name: sw2", "sw"}, {"ab", "abc"}, {"", ""}, {"x", ""},
	} {
		if got := suffixOf(c.text, []byte(c.b)); got != c.b {
			t.Errorf("suffixOf(%q, %q) = %q", c.text, c.b, got)
		}
	}
}

// Neighbours with the same capabilities share one list, which has no room
// to grow: appending to one neighbour's list never writes into the
// others'.
func TestSharedCapabilities(t *testing.T) {
	cdp := "Device ID: a\nPlatform: x,  Capabilities: Host Phone Two-port Mac Relay\nInterface: Gi1/0/1,  Port ID (outgoing port): Port 1\n" +
		"-----\nDevice ID: b\nPlatform: x,  Capabilities: Host Phone Two-port Mac Relay \nInterface: Gi1/0/2,  Port ID (outgoing port): Port 1\n"
	lldp := "------\nLocal Intf: Gi1/0/3\nChassis id: a\nPort id: p\nEnabled Capabilities: B,T\n------\nLocal Intf: Gi1/0/4\nChassis id: b\nPort id: p\nEnabled Capabilities: B, T\n"
	for _, c := range []struct {
		proto, data string
		parse       func([]byte, *facts.Device) error
		want        string
	}{
		{"cdp", cdp, ParseCDP, "Host,Phone,Two-port Mac Relay"},
		{"lldp", lldp, ParseLLDP, "B,T"},
	} {
		d := &facts.Device{Name: "sw1"}
		if err := c.parse([]byte(c.data), d); err != nil {
			t.Fatal(err)
		}
		ns := neighbors(d, c.proto)
		if len(ns) != 2 {
			t.Fatalf("%s: %d neighbours", c.proto, len(ns))
		}
		extra := append(ns[0].Capabilities, "Extra")
		_ = append(ns[1].Capabilities, "Other")
		if extra[len(extra)-1] != "Extra" {
			t.Errorf("%s: appending to one neighbour's capabilities wrote into another's", c.proto)
		}
		for _, n := range ns {
			if got := strings.Join(n.Capabilities, ","); got != c.want {
				t.Errorf("%s %s: capabilities %q, want %q", c.proto, n.LocalInterface, got, c.want)
			}
		}
	}
}
