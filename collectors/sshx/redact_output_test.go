package sshx

import "testing"

func TestRedactOutput(t *testing.T) {
	secrets := []string{"aging", "Pass word 9"}
	for _, tt := range []struct {
		in, want string
		n        int
	}{
		{" switchport port-security aging time 1\n", " switchport port-security aging time 1\n", 0},
		{"username a privilege 15 password 0 aging\n", "username a privilege 15 password 0 <redacted>\n", 1},
		{"enable secret aging\n", "enable secret <redacted>\n", 1},
		{"passwd aging encrypted\n aging type inactivity\n", "passwd <redacted> encrypted\n aging type inactivity\n", 1},
		{"snmp-server community aging RO\n", "snmp-server community <redacted> RO\n", 1},
		{"url https://x/?password=aging\n", "url https://x/?password=<redacted>\n", 1},
		{"key-string 7 \"aging\"\n", "key-string 7 \"<redacted>\"\n", 1},
		{"password Pass word 9\n", "password <redacted>\n", 1},
		{"password agingtime\n", "password agingtime\n", 0},
		{"description aging password\n", "description aging password\n", 0},
	} {
		got, n := redactOutput([]byte(tt.in), secrets)
		if string(got) != tt.want || n != tt.n {
			t.Errorf("redactOutput(%q) = %q, %d; want %q, %d", tt.in, got, n, tt.want, tt.n)
		}
	}
	in := []byte("no secret here\n")
	if got, _ := redactOutput(in, secrets); &got[0] != &in[0] {
		t.Error("an output without a secret was copied")
	}
}

func FuzzRedactOutput(f *testing.F) {
	f.Add([]byte("username a password 0 aging\n switchport port-security aging time 1\n"), "aging")
	f.Fuzz(func(t *testing.T, b []byte, secret string) {
		out, n := redactOutput(b, []string{secret})
		if n == 0 && string(out) != string(b) {
			t.Fatal("changed without a redaction")
		}
	})
}
