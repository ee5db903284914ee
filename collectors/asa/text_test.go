package asa

import "testing"

func TestClean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"interface GigabitEthernet0/1", "interface GigabitEthernet0/1"},
		{"<--- More --->\r              \r nameif inside", " nameif inside"},
		{"<--- More --->", ""},
		{" --More-- \b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\bhostname fw", "hostname fw"},
		{"hostnamx\be fw", "hostname fw"},
		{"\b\bab", "ab"},
		{"timeout conn 1:00:00\r", "timeout conn 1:00:00"},
	} {
		if got := clean(c.in); got != c.want {
			t.Errorf("clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIsPrompt(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"asa1# show running-config", true},
		{"asa1#", true},
		{"asa1>", true},
		{"DevNet-asa-sm-1/admin# show interface detail", true},
		{"fw1(config)# ", true},
		{"hostname asa1", false},
		{"access-list X remark a#b", false},
		{"Cryptochecksum:bfecf4b9d1b98b7e8d97434851f57e14", false},
		{"Interface GigabitEthernet0/1 \"inside\", is up", false},
		{"#", false},
		{"a#b", false},
	} {
		if got := isPrompt(c.in); got != c.want {
			t.Errorf("isPrompt(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestParseHMS(t *testing.T) {
	for _, c := range []struct {
		in   string
		secs int
		ok   bool
	}{
		{"1:00:00", 3600, true}, {"0:00:30", 30, true}, {"0:0:0", 0, true}, {"0:01:30", 90, true},
		{"1193:00:00", 4294800, true}, {"0:60:00", 0, false}, {"0:00:60", 0, false}, {"0:02", 0, false},
		{"1:00:00:00", 0, false}, {"a:00:00", 0, false}, {"-1:00:00", 0, false}, {"", 0, false}, {"0:000:00", 0, false},
	} {
		secs, ok := parseHMS(c.in)
		if secs != c.secs || ok != c.ok {
			t.Errorf("parseHMS(%q) = %d %v, want %d %v", c.in, secs, ok, c.secs, c.ok)
		}
	}
}

func TestMaskBits(t *testing.T) {
	for _, c := range []struct {
		in   string
		bits int
		ok   bool
	}{
		{"255.255.255.0", 24, true}, {"255.255.255.255", 32, true}, {"0.0.0.0", 0, true}, {"255.255.254.0", 23, true},
		{"255.0.255.0", 0, false}, {"255.255.255.256", 0, false}, {"ffff::", 0, false}, {"24", 0, false},
	} {
		bits, ok := maskBits(c.in)
		if bits != c.bits || ok != c.ok {
			t.Errorf("maskBits(%q) = %d %v, want %d %v", c.in, bits, ok, c.bits, c.ok)
		}
	}
}
