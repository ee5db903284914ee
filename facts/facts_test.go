package facts

import "testing"

func TestCanonicalInterface(t *testing.T) {
	for in, want := range map[string]string{
		"Gi1/0/5":              "GigabitEthernet1/0/5",
		"gi 1/0/5":             "GigabitEthernet1/0/5",
		"GigabitEthernet1/0/5": "GigabitEthernet1/0/5",
		"Fa0/1":                "FastEthernet0/1",
		"Te1/1/1":              "TenGigabitEthernet1/1/1",
		"Twe1/0/1":             "TwentyFiveGigE1/0/1",
		"Tw1/0/3":              "TwoGigabitEthernet1/0/3",
		"Po12":                 "Port-channel12",
		"Vl200":                "Vlan200",
		"Gig0/1":               "GigabitEthernet0/1",
		"eth0":                 "Ethernet0",
		"mgmt0":                "mgmt0",
		"inside":               "inside",
	} {
		if got := CanonicalInterface(in); got != want {
			t.Errorf("CanonicalInterface(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeMAC(t *testing.T) {
	for in, want := range map[string]string{
		"0024.142d.df24":    "0024.142d.df24",
		"00:24:14:2D:DF:24": "0024.142d.df24",
		"00-24-14-2d-df-24": "0024.142d.df24",
		"0024142DDF24":      "0024.142d.df24",
		"0024142DDF2":       "",
		"0024142DDF2400":    "",
		"zz24142DDF24":      "",
	} {
		if got := NormalizeMAC(in); got != want {
			t.Errorf("NormalizeMAC(%q) = %q, want %q", in, got, want)
		}
	}
	if got := PhoneMAC("SEP0024142DDF24"); got != "0024.142d.df24" {
		t.Errorf("PhoneMAC = %q", got)
	}
	if got := PhoneMAC("sw-floor1"); got != "" {
		t.Errorf("PhoneMAC(non-phone) = %q", got)
	}
}

func TestCheckText(t *testing.T) {
	if err := CheckText("k", []byte("hello\r\nworld")); err != nil {
		t.Fatal(err)
	}
	err := CheckText("show_version", []byte("ab\ncd\x00ef"))
	if err == nil || err.Error() != "show_version.txt:2: binary data (NUL byte at offset 5): not device output" {
		t.Fatalf("got %v", err)
	}
	if CheckText("k", []byte{0xff, 0xfe, 0xfd, 0xfc, 'a'}) == nil {
		t.Fatal("invalid UTF-8 accepted")
	}
}

func TestLines(t *testing.T) {
	var got []Line
	Lines([]byte("a \r\n\tb\t\r\n\nc"), func(l Line) bool { got = append(got, l); return true })
	want := []Line{{1, "a"}, {2, "\tb"}, {3, ""}, {4, "c"}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("line %d: got %+v want %+v", i, got[i], want[i])
		}
	}
}
