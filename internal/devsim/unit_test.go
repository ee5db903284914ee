package devsim

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kaudit/kaudit/collectors"
)

func TestStripFraming(t *testing.T) {
	tests := []struct {
		name string
		p    platform
		in   string
		want string
	}{
		{"ios echo and prompt, CRLF", ios, "sw1#show version\r\nCisco IOS XE\r\nuptime 1 day\r\nsw1#", "Cisco IOS XE\r\nuptime 1 day\r\n"},
		{"ios user prompt with space", ios, "sw1> show version\nA\nsw1>\n", "A\n"},
		{"asa prompt with trailing space", asa, "asa1# show arp\n\tinside 10.1.1.1 aaaa.bbbb.cccc 5\nasa1# ", "\tinside 10.1.1.1 aaaa.bbbb.cccc 5\n"},
		{"config mode prompt", ios, "sw1(config)#do show clock\n09:12\nsw1(config)#", "09:12\n"},
		{"no framing kept verbatim", ios, "Building configuration...\n\nend\n", "Building configuration...\n\nend\n"},
		{"no final newline kept", ios, "a\nb", "a\nb"},
		{"blank line before prompt kept", ios, "sw1#show run\r\nend\r\n\r\nsw1#", "end\r\n\r\n"},
		{"asa saved header is not an echo", asa, ": Saved\n:\nASA Version 9.8(4)\n: end\n", ": Saved\n:\nASA Version 9.8(4)\n: end\n"},
		{"prompt only", ios, "sw1#", ""},
		{"echo only", ios, "sw1#show clock", ""},
		{"empty", ios, "", ""},
		{"interface line is not a prompt", ios, "Gi1/0/5 up\nGi1/0/6#\n", "Gi1/0/5 up\n"},
		{"cucm", cucm, "admin:run sql select 1 from x\r\nname\r\n====\r\nA\r\n\r\nadmin:", "name\r\n====\r\nA\r\n\r\n"},
		{"cucm keeps an ios-looking line", cucm, "sw1#show x\nrow\n", "sw1#show x\nrow\n"},
		{"ios keeps a cucm prompt", ios, "admin:show x\nrow\n", "admin:show x\nrow\n"},
		{"more remnant kept", ios, "sw1#show run\n --More-- \b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\bline\nsw1#", " --More-- \b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\bline\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(stripFraming([]byte(tc.in), tc.p)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	h := &hostState{Host: Host{Name: "sw1", Dir: "testdata/lab/sw1"}, plat: ios}
	h.Keys = map[string]string{"show interfaces status": "show_interfaces_status"}
	h.Extra = map[string]string{"show inventory": "PID: C9300-48P\n", "show interfaces": "GigabitEthernet1/0/5 is up\n"}
	if err := h.buildEntries(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line    string
		priv    bool
		want    string // cli of the entry found
		res     resolution
		failAt  int
		wantKey string
	}{
		{"show running-config", true, "show running-config", found, 0, "show_running-config"},
		{"sh run", true, "show running-config", found, 0, "show_running-config"},
		{"SHOW RUN", true, "show running-config", found, 0, "show_running-config"},
		{"sh port", true, "show port-security", found, 0, "show_port-security"},
		{"sh int stat", true, "show interfaces status", found, 0, "show_interfaces_status"},
		{"sh inv", true, "show inventory", found, 0, ""},
		{"sh c n d", true, "show cdp neighbors detail", found, 0, "show_cdp_neighbors_detail"},
		{"term len 0", false, "terminal length <n>", found, 0, ""},
		{"terminal width 512", false, "terminal width <n>", found, 0, ""},
		{"en", false, "enable", found, 0, ""},
		{"exit", false, "exit", found, 0, ""},
		{"sh run", false, "", invalid, 1, ""},
		{"show i", true, "", ambiguous, 0, ""},
		{"e", false, "", ambiguous, 0, ""},
		{"terminal length", false, "", incomplete, 0, ""},
		{"terminal length x", false, "", invalid, 2, ""},
		{"terminal pager 0", false, "", invalid, 1, ""},
		{"show", true, "", incomplete, 0, ""},
		{"shoe run", true, "", invalid, 0, ""},
		{"show run brief", true, "", invalid, 2, ""},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			e, res, failAt := h.resolve(tc.line, tc.priv)
			if res != tc.res || failAt != tc.failAt {
				t.Fatalf("resolution %d failAt %d, want %d failAt %d", res, failAt, tc.res, tc.failAt)
			}
			if tc.res != found {
				return
			}
			if e.cli != tc.want || e.key != tc.wantKey {
				t.Errorf("entry %q key %q, want %q key %q", e.cli, e.key, tc.want, tc.wantKey)
			}
		})
	}
}

func TestKeyMatchesCollectors(t *testing.T) {
	for _, cli := range []string{
		"show running-config", "show  mac address-table aging-time ", "Show Power Inline",
		"show running-config all sysopt", processconfigSQL, "",
	} {
		if got, want := key(cli), collectors.Key(cli); got != want {
			t.Errorf("key(%q) = %q, collectors.Key = %q", cli, got, want)
		}
	}
}

func TestSQLKey(t *testing.T) {
	tests := map[string]string{
		sipprofileSQL:    "sql_sipprofile",
		processconfigSQL: "sql_processconfig",
		"run sql select d.name from device d, sipprofile s where d.fksipprofile=s.pkid": "sql_device",
		"RUN SQL SELECT count(*) FROM (select pkid from device)":                        "sql_device",
		"run sql select name from":          "",
		"show version active":               "",
		"run sql select * from ../../etc/x": "",
	}
	for in, want := range tests {
		if got := sqlKey(in); got != want {
			t.Errorf("sqlKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWordColumn(t *testing.T) {
	tests := []struct {
		s    string
		k    int
		want int
	}{
		{"show foo", 0, 0}, {"show foo", 1, 5}, {"  sh\trun  x", 2, 10}, {"show", 3, 4}, {"", 0, 0},
	}
	for _, tc := range tests {
		if got := wordColumn(tc.s, tc.k); got != tc.want {
			t.Errorf("wordColumn(%q, %d) = %d, want %d", tc.s, tc.k, got, tc.want)
		}
	}
}

func TestLabCacheSharesBytes(t *testing.T) {
	dir := t.TempDir()
	body := "sw1#show clock\r\n09:12:44.123 UTC Tue Mar 4 2025\r\nsw1#"
	for _, n := range []string{"a.txt", "b.txt"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c := newLabCache(1 << 20)
	a, err := c.load(filepath.Join(dir, "a.txt"), ios)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.load(filepath.Join(dir, "b.txt"), ios)
	if err != nil {
		t.Fatal(err)
	}
	if string(a.body) != "09:12:44.123 UTC Tue Mar 4 2025\r\n" || a.lines != 1 {
		t.Errorf("body %q lines %d", a.body, a.lines)
	}
	if &a.body[0] != &b.body[0] || c.size != int64(len(body)) {
		t.Errorf("identical files not shared (cache size %d)", c.size)
	}
	if again, _ := c.load(filepath.Join(dir, "a.txt"), ios); again != a {
		t.Error("second load read the file again")
	}

	small := newLabCache(10)
	x, _ := small.load(filepath.Join(dir, "a.txt"), ios)
	y, _ := small.load(filepath.Join(dir, "a.txt"), ios)
	if x == y || small.size != 0 {
		t.Error("output past the cap was cached")
	}
	if _, err := c.load(filepath.Join(dir, "missing.txt"), ios); !isNotExist(err) {
		t.Errorf("missing file err = %v", err)
	}
}

func FuzzStripFraming(f *testing.F) {
	for _, host := range []string{"sw1", "asa1", "cucm1"} {
		des, _ := os.ReadDir(filepath.Join(labDir, host))
		for _, de := range des {
			if b, err := os.ReadFile(filepath.Join(labDir, host, de.Name())); err == nil {
				f.Add(b, uint8(0))
				f.Add(b, uint8(2))
			}
		}
	}
	f.Add([]byte("sw1#\n"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, p uint8) {
		plat := platform(p % 3)
		body := stripFraming(data, plat)
		if len(body) > len(data) || !bytes.Contains(data, body) {
			t.Fatalf("body is not a part of the input")
		}
		o := frameless(body)
		n := 0
		for it := (&bodyLines{rest: o.body}); ; n++ {
			l, ok := it.next()
			if !ok {
				break
			}
			if bytes.IndexByte(l, '\n') >= 0 {
				t.Fatal("line holds a newline")
			}
		}
		if n != o.lines {
			t.Fatalf("iterated %d lines, counted %d", n, o.lines)
		}
	})
}

// FuzzShell types arbitrary bytes into a shell of each platform, with no
// network in between, and checks the session neither panics nor leaks
// the enable password nor records a line that was not typed.
func FuzzShell(f *testing.F) {
	f.Add([]byte("enable\n"+enablePW+"\nterminal length 0\nsh run\nexit\n"), uint8(0))
	f.Add([]byte("show running-config\n q\r\n \x7f\x15show foo\n"), uint8(0))
	f.Add([]byte("enable\nx\nterminal pager lines 0\nsh arp\n"), uint8(1))
	f.Add([]byte("set cli pagination off\n"+sipprofileSQL+"\r\nquit\n"), uint8(2))
	f.Fuzz(func(t *testing.T, in []byte, p uint8) {
		names := []string{"sw1", "asa1", "cucm1"}
		name := names[p%3]
		srv := &Server{opts: Options{PageLines: 24, TrickleInterval: 1}, cache: newLabCache(1 << 20)}
		srv.log = slog.New(slog.NewTextHandler(io.Discard, nil))
		plat, _ := parsePlatform(labPlatforms[name])
		h := &hostState{Host: Host{Name: name, Dir: filepath.Join(labDir, name), EnablePassword: "S3cret-En"}, plat: plat}
		if err := h.buildEntries(); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		done := make(chan struct{})
		close(done)
		s := newSession(srv, h, struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(in), &out}, done)
		s.runShell()

		if !bytes.Contains(in, []byte("S3cret-En")) && bytes.Contains(out.Bytes(), []byte("S3cret-En")) {
			t.Fatal("enable password printed")
		}
		typed := strings.ToValidUTF8(string(in), "")
		// The line editor works on bytes, as a device's does: it drops
		// control bytes it has no use for and erases a byte on DEL or
		// BS, a line on ^U, so the bytes around them join ("\xca\x13\x8b"
		// is "ʋ" once Ctrl-S is dropped, "\xc60\x7f\x8b" is "Ƌ" once
		// the 0 is erased). What it records is what this editing types.
		var kept, line []byte
		for _, b := range in {
			switch {
			case b == '\r' || b == '\n':
				kept = append(append(kept, line...), '\n')
				line = line[:0]
			case b == 0x7f || b == 0x08:
				if len(line) > 0 {
					line = line[:len(line)-1]
				}
			case b == 0x15:
				line = line[:0]
			case b >= 0x20:
				line = append(line, b)
			}
		}
		joined := strings.ToValidUTF8(string(append(kept, line...)), "")
		for _, c := range h.cmds {
			if c == Redacted {
				continue
			}
			for _, r := range []byte(c) {
				if r < 0x20 {
					t.Fatalf("recorded a control byte: %q", c)
				}
			}
			if utf8.ValidString(c) && strings.TrimSpace(c) != "" && !containsWords(typed, c) && !containsWords(joined, c) {
				t.Fatalf("recorded %q which was not typed", c)
			}
		}
	})
}

// containsWords checks each word of c occurs in the input (line editing
// may assemble a word from pieces, but never invents one wholesale).
func containsWords(in, c string) bool {
	for _, w := range strings.Fields(c) {
		for _, r := range w {
			if !strings.ContainsRune(in, r) {
				return false
			}
		}
	}
	return true
}
