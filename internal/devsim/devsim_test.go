package devsim

import (
	"bytes"
	"context"
	"errors"
	"net"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// login opens a shell, enables and turns paging off: the sequence every
// collector runs before its first show command.
func login(t *testing.T, srv *Server, host string) (*term, string) {
	t.Helper()
	tm := openTerm(t, srv, host)
	switch host {
	case "cucm1":
		tm.until("admin:")
		tm.run("set cli pagination off", "admin:")
		return tm, "admin:"
	case "asa1":
		tm.until("asa1>")
		tm.send("enable\n")
		tm.until("Password: ")
		tm.send(enablePW + "\n")
		tm.until("asa1#")
		tm.run("terminal pager 0", "asa1#")
		return tm, "asa1#"
	}
	tm.until(host + ">")
	tm.send("enable\n")
	tm.until("Password: ")
	tm.send(enablePW + "\n")
	tm.until(host + "#")
	tm.run("terminal length 0", host+"#")
	tm.run("terminal width 511", host+"#")
	return tm, host + "#"
}

func TestLoginAndEnable(t *testing.T) {
	srv := startLab(t, Options{}, func(h *Host) {
		if h.Name == "cucm1" {
			h.Platform, h.EnablePassword = PlatformIOS, ""
		}
	})
	tests := []struct {
		host, banner, user, priv, denied string
		again                            string // the output before asking again
		tries                            int
	}{
		{"sw1", "", "sw1>", "sw1#", "% Bad secrets", "\r\n", 3},
		// The ASA's login history and help line as a 9.8 ASA prints them
		// (the 5506 capture cited in shapes.go).
		{"asa1", "User netops logged in to asa1\r\nLogins over the last 1 days: 1.  \r\nFailed logins since the last login: 0.  \r\nType help or '?' for a list of available commands.\r\n", "asa1> ", "asa1# ", "Invalid password\r\nAccess denied.", "\r\nInvalid password\r\n", 3},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			tm := openTerm(t, srv, tc.host)
			mustContain(t, tm.until(tc.user), tc.banner)

			tm.send("enable\n")
			tm.until("enable\r\n")
			for i := 0; i < tc.tries; i++ {
				if got := tm.until("Password: "); i > 0 && got != tc.again {
					t.Errorf("try %d: %q, want %q before the prompt", i+1, got, tc.again)
				}
				tm.send("not-it\n")
			}
			out := tm.until(tc.user)
			mustContain(t, out, tc.denied)
			if strings.Contains(out, "not-it") {
				t.Errorf("password echoed: %q", out)
			}

			tm.send("en\n")
			tm.until("Password: ")
			tm.send(enablePW + "\n")
			if out := tm.until(tc.priv); strings.Contains(out, enablePW) {
				t.Errorf("enable password echoed: %q", out)
			}
			tm.run("disable", tc.user)

			want := []string{"enable"}
			for i := 0; i < tc.tries; i++ {
				want = append(want, Redacted)
			}
			want = append(want, "en", Redacted, "disable")
			if got := srv.Commands(tc.host); !slices.Equal(got, want) {
				t.Errorf("Commands = %q, want %q", got, want)
			}
		})
	}
	t.Run("no enable password starts privileged", func(t *testing.T) {
		tm := openTerm(t, srv, "cucm1") // played as IOS without enable password
		if out := tm.expect(`cucm1[>#]`); !strings.HasSuffix(out, "cucm1#") {
			t.Errorf("first prompt %q, want cucm1#", out)
		}
	})
}

func TestShowReturnsFileContent(t *testing.T) {
	srv := startLab(t, Options{}, nil)
	tests := []struct{ host, cmd, key string }{
		{"sw1", "show running-config", "show_running-config"},
		{"sw1", "sh run", "show_running-config"},
		{"sw1", "SH   RUN ", "show_running-config"},
		{"sw1", "show mac address-table aging-time", "show_mac_address-table_aging-time"},
		{"sw1", "sh mac addr aging", "show_mac_address-table_aging-time"},
		{"sw1", "show port-security", "show_port-security"},
		{"sw1", "show cdp neighbors detail", "show_cdp_neighbors_detail"},
		{"asa1", "show running-config", "show_running-config"},
		{"asa1", "show running-config all sysopt", "show_running-config_all_sysopt"},
		{"asa1", "sh arp", "show_arp"},
		{"cucm1", sipprofileSQL, "sql_sipprofile"},
		{"cucm1", processconfigSQL, "sql_processconfig"},
		{"cucm1", "show version active", "show_version_active"},
	}
	for _, tc := range tests {
		t.Run(tc.host+"/"+tc.cmd, func(t *testing.T) {
			tm, prompt := login(t, srv, tc.host)
			got := tm.run(tc.cmd, prompt)
			want := wantBody(t, tc.host, tc.key)
			if got != want {
				t.Errorf("output differs\n got: %q\nwant: %q", got, want)
			}
			if want == "" || !strings.HasSuffix(got, "\r\n") {
				t.Errorf("output %q should be non-empty CRLF lines", got)
			}
		})
	}
}

func TestPaging(t *testing.T) {
	// The pagers as the public captures in shapes.go show them: IOS erases
	// with nine backspaces, eight spaces, nine backspaces; CUCM prints its
	// prompt in bold and clears to the end of the line.
	const (
		iosErase = "\b\b\b\b\b\b\b\b\b        \b\b\b\b\b\b\b\b\b"
		asaErase = "\r              \r"
		cucmText = "Press <enter> for 1 line, <space> for one page, or <q> to quit"
		cucmMore = "\x1b[1m" + cucmText + "\x1b[0m\x1b[K"
	)
	cucmErase := "\r" + strings.Repeat(" ", len(cucmText)) + "\r"
	var long strings.Builder
	for i := 1; i <= 60; i++ {
		long.WriteString("SEP00241400" + strconv.Itoa(1000+i) + " Registered\n")
	}
	srv := startLab(t, Options{}, func(h *Host) {
		if h.Name == "cucm1" {
			h.Extra = map[string]string{"show risdb query phone": long.String()}
		}
	})
	tests := []struct {
		host, enable, cmd, more, erase, off string
		want                                string
	}{
		{"sw1", "enable", "show running-config", " --More-- ", iosErase, "terminal length 0", wantBody(t, "sw1", "show_running-config")},
		{"asa1", "enable", "show running-config", "<--- More --->", asaErase, "terminal pager 0", wantBody(t, "asa1", "show_running-config")},
		{"asa1", "enable", "show running-config", "<--- More --->", asaErase, "terminal pager lines 0", wantBody(t, "asa1", "show_running-config")},
		{"cucm1", "", "show risdb query phone", cucmMore, cucmErase, "set cli pagination off", strings.ReplaceAll(long.String(), "\n", "\r\n")},
	}
	for _, tc := range tests {
		t.Run(tc.host+"/"+tc.off, func(t *testing.T) {
			tm := openTerm(t, srv, tc.host)
			prompt := "admin:"
			if tc.enable != "" {
				tm.until(tc.host + ">")
				tm.send("enable\n")
				tm.until("Password: ")
				tm.send(enablePW + "\n")
				prompt = tc.host + "#"
			}
			tm.until(prompt)
			if total := countLinesCRLF(tc.want); total < 2*24+2 {
				t.Fatalf("test output has %d lines, need more than two pages", total)
			}

			tm.send(tc.cmd + "\n")
			tm.until(tc.cmd + "\r\n")
			page1 := tm.until(tc.more)
			if n := countLinesCRLF(page1); n != 24 {
				t.Errorf("first page has %d lines, want 24", n)
			}
			tm.send("\r\n") // one line; the LF of a CRLF must not count as a second key
			tm.until(tc.erase)
			line := tm.until(tc.more)
			if n := countLinesCRLF(line); n != 1 {
				t.Errorf("Enter showed %d lines, want 1: %q", n, line)
			}
			tm.send(" ")
			tm.until(tc.erase)
			page2 := tm.until(tc.more)
			if n := countLinesCRLF(page2); n != 24 {
				t.Errorf("space showed %d lines, want 24", n)
			}
			if shown := page1 + line + page2; !strings.HasPrefix(tc.want, shown) {
				t.Errorf("paged output is not the start of the file:\n%q", shown)
			}
			tm.send("q")
			if rest := tm.until(prompt); rest != tc.erase {
				t.Errorf("after q got %q, want only the erase", rest)
			}

			tm.run(tc.off, prompt)
			if got := tm.run(tc.cmd, prompt); got != tc.want {
				t.Errorf("with paging off output differs\n got: %q\nwant: %q", got, tc.want)
			}
		})
	}
}

func TestInvalidCommands(t *testing.T) {
	srv := startLab(t, Options{}, func(h *Host) {
		if h.Name == "sw1" {
			h.Keys = map[string]string{"show inventory": "show_inventory", // no such file
				"show port-security interface": "show_port-security"} // a saved per-port file
		}
	})
	iosInvalid := func(col int) string {
		return strings.Repeat(" ", col) + "^\r\n% Invalid input detected at '^' marker.\r\n\r\n"
	}
	asaInvalid := func(col int) string {
		return strings.Repeat(" ", col) + "^\r\nERROR: % Invalid input detected at '^' marker.\r\n"
	}
	cucmInvalid := "Executed command unsuccessfully\r\nNo valid command entered\r\n"
	tests := []struct {
		name, host, cmd, want string
		user                  bool // stay at user EXEC
	}{
		{"unknown word", "sw1", "show foo", iosInvalid(len("sw1#show ")), false},
		// IOS puts the caret under the first character no command takes
		// (the 881 log cited in shapes.go): "run" still fits running-config.
		{"caret inside the word", "sw1", "show runx", iosInvalid(len("sw1#show run")), false},
		{"unknown verb", "sw1", "frobnicate", iosInvalid(len("sw1#")), false},
		{"extra word", "sw1", "sh run extra", iosInvalid(len("sw1#sh run ")), false},
		{"missing lab file", "sw1", "show inventory", iosInvalid(len("sw1#show ")), false},
		{"privileged at user level", "sw1", "show running-config", iosInvalid(len("sw1>show ")), true},
		{"ambiguous", "sw1", "e", "% Ambiguous command:  \"e\"\r\n", true},
		{"incomplete", "sw1", "terminal length", "% Incomplete command.\r\n\r\n", false},
		{"port-security interface without a name", "sw1", "show port-security interface", "% Incomplete command.\r\n\r\n", false},
		{"abbreviated, without a name", "sw1", "sh port-sec int", "% Incomplete command.\r\n\r\n", false},
		{"asa unknown", "asa1", "show foo", asaInvalid(len("asa1# show ")), false},
		{"asa pager is not ios", "asa1", "terminal length 0", asaInvalid(len("asa1# terminal ")), false},
		{"cucm unknown", "cucm1", "show foo", cucmInvalid, false},
		{"cucm no abbreviation", "cucm1", "sh version active", cucmInvalid, false},
		{"cucm unknown table", "cucm1", "run sql select * from nosuchtable", cucmInvalid, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm := openTerm(t, srv, tc.host)
			prompt := "admin:"
			if tc.host != "cucm1" {
				prompt = tc.host + ">"
			}
			tm.until(prompt)
			if tc.host != "cucm1" && !tc.user {
				tm.send("enable\n")
				tm.until("Password: ")
				tm.send(enablePW + "\n")
				prompt = tc.host + "#"
				tm.until(prompt)
			}
			if got := tm.run(tc.cmd, prompt); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestRecordedCommands(t *testing.T) {
	srv := startLab(t, Options{}, nil)
	tm := openTerm(t, srv, "sw1")
	tm.until("sw1>")
	tm.send("enable\n")
	tm.until("Password: ")
	tm.send(enablePW + "\n")
	tm.until("sw1#")
	tm.run("terminal length 0", "sw1#")
	tm.run("sh run", "sw1#")
	tm.run("", "sw1#")
	tm.run("show foo", "sw1#")
	tm.send("shwo\x7f\x7fow clock\x15show version\n") // backspace and ^U edit the line
	tm.until("sw1#")
	tm.send("exit\n")
	tm.waitEOF()

	want := []string{"enable", Redacted, "terminal length 0", "sh run", "show foo", "show version", "exit"}
	got := srv.Commands("sw1")
	if !slices.Equal(got, want) {
		t.Errorf("Commands = %q, want %q", got, want)
	}
	for _, c := range got {
		if strings.Contains(c, enablePW) {
			t.Errorf("secret recorded: %q", c)
		}
	}
	if other := srv.Commands("asa1"); len(other) != 0 {
		t.Errorf("asa1 recorded %q without a session", other)
	}
	if srv.Commands("nosuch") != nil {
		t.Error("unknown host has commands")
	}
}

func TestHostKeys(t *testing.T) {
	srv := startLab(t, Options{}, nil)
	kh := string(srv.KnownHosts())
	for _, host := range srv.Hosts() {
		t.Run(host, func(t *testing.T) {
			line := knownhosts.Line([]string{srv.Addr(host)}, srv.HostKey(host))
			if !strings.HasPrefix(line, "[127.0.0.1]:") || !strings.Contains(kh, line+"\n") {
				t.Errorf("KnownHosts lacks %q:\n%s", line, kh)
			}
			var presented ssh.PublicKey
			check := knownHostsCallback(t, srv)
			cfg := &ssh.ClientConfig{
				User: user, Auth: []ssh.AuthMethod{ssh.Password(password)}, Timeout: waitFor,
				HostKeyCallback: func(hn string, remote net.Addr, key ssh.PublicKey) error {
					presented = key
					return check(hn, remote, key)
				},
			}
			c, err := ssh.Dial("tcp", srv.Addr(host), cfg)
			if err != nil {
				t.Fatal(err)
			}
			c.Close()
			if presented.Type() != ssh.KeyAlgoED25519 || !bytes.Equal(presented.Marshal(), srv.HostKey(host).Marshal()) {
				t.Errorf("presented %s key differs from HostKey", presented.Type())
			}
		})
	}

	t.Run("seeded keys are reproducible", func(t *testing.T) {
		same := startLab(t, Options{Seed: testSeed}, nil)
		other := startLab(t, Options{Seed: []byte("another seed")}, nil)
		for _, host := range srv.Hosts() {
			k := srv.HostKey(host).Marshal()
			if !bytes.Equal(k, same.HostKey(host).Marshal()) {
				t.Errorf("%s: same seed, different key", host)
			}
			if bytes.Equal(k, other.HostKey(host).Marshal()) {
				t.Errorf("%s: different seed, same key", host)
			}
		}
		if bytes.Equal(srv.HostKey("sw1").Marshal(), srv.HostKey("asa1").Marshal()) {
			t.Error("two hosts share a key")
		}
	})
	t.Run("no seed draws fresh keys", func(t *testing.T) {
		a, err := Start(context.Background(), labHosts(t, nil), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := Start(context.Background(), labHosts(t, nil), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if bytes.Equal(a.HostKey("sw1").Marshal(), b.HostKey("sw1").Marshal()) {
			t.Error("unseeded servers share a key")
		}
	})
}

func TestHostKeyChange(t *testing.T) {
	srv := startLab(t, Options{}, func(h *Host) { h.Faults.HostKeyChange = h.Name == "sw1" })
	_, err := dial(t, srv, "sw1", password)
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) || len(ke.Want) != 1 {
		t.Fatalf("dial err = %v, want a knownhosts key mismatch", err)
	}
	if !bytes.Equal(ke.Want[0].Key.Marshal(), srv.HostKey("sw1").Marshal()) {
		t.Error("known_hosts entry is not HostKey")
	}
	var presented ssh.PublicKey
	cfg := &ssh.ClientConfig{
		User: user, Auth: []ssh.AuthMethod{ssh.Password(password)}, Timeout: waitFor,
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error { presented = key; return nil },
	}
	c, err := ssh.Dial("tcp", srv.Addr("sw1"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if bytes.Equal(presented.Marshal(), srv.HostKey("sw1").Marshal()) {
		t.Error("HostKeyChange presented the known key")
	}
	if c, err := dial(t, srv, "asa1", password); err != nil {
		t.Errorf("host without the fault: %v", err)
	} else {
		c.Close()
	}
}

func TestAuth(t *testing.T) {
	srv := startLab(t, Options{}, func(h *Host) { h.Faults.AuthFail = h.Name == "asa1" })
	kbd := ssh.KeyboardInteractive(func(_, _ string, q []string, _ []bool) ([]string, error) {
		a := make([]string, len(q))
		for i := range a {
			a[i] = password
		}
		return a, nil
	})
	tests := []struct {
		name, host, user string
		auth             ssh.AuthMethod
		ok               bool
	}{
		{"password", "sw1", user, ssh.Password(password), true},
		{"keyboard-interactive", "sw1", user, kbd, true},
		{"wrong password", "sw1", user, ssh.Password("nope"), false},
		{"wrong user", "sw1", "admin", ssh.Password(password), false},
		{"AuthFail rejects the right password", "asa1", user, ssh.Password(password), false},
		{"AuthFail rejects keyboard-interactive", "asa1", user, kbd, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &ssh.ClientConfig{User: tc.user, Auth: []ssh.AuthMethod{tc.auth}, HostKeyCallback: knownHostsCallback(t, srv), Timeout: waitFor}
			c, err := ssh.Dial("tcp", srv.Addr(tc.host), cfg)
			if c != nil {
				c.Close()
			}
			if tc.ok && err != nil {
				t.Errorf("login failed: %v", err)
			}
			if !tc.ok && (err == nil || !strings.Contains(err.Error(), "unable to authenticate")) {
				t.Errorf("err = %v, want an authentication failure", err)
			}
		})
	}
}

func TestRefuse(t *testing.T) {
	srv := startLab(t, Options{}, func(h *Host) { h.Faults.Refuse = h.Name == "sw1" })
	addr := srv.Addr("sw1")
	if !strings.HasPrefix(addr, "127.0.0.1:") || strings.HasSuffix(addr, ":0") {
		t.Fatalf("Addr = %q", addr)
	}
	c, err := net.DialTimeout("tcp", addr, waitFor)
	if err == nil {
		c.Close()
		t.Fatal("refused host accepted a connection")
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("err = %v, want connection refused", err)
	}
	if !strings.Contains(string(srv.KnownHosts()), "["+strings.Replace(addr, ":", "]:", 1)) {
		t.Error("refused host missing from KnownHosts")
	}
	if c, err := dial(t, srv, "asa1", password); err != nil {
		t.Errorf("sibling host: %v", err)
	} else {
		c.Close()
	}
}

func TestBasePort(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	hosts := labHosts(t, nil)[:1]
	srv, err := Start(context.Background(), hosts, Options{BasePort: port})
	if err != nil {
		t.Skipf("port %d taken meanwhile: %v", port, err)
	}
	defer srv.Close()
	if got, want := srv.Addr(hosts[0].Name), "127.0.0.1:"+strconv.Itoa(port); got != want {
		t.Errorf("Addr = %q, want %q", got, want)
	}
}

func TestStartRejects(t *testing.T) {
	good := labHosts(t, nil)
	tests := []struct {
		name  string
		hosts []Host
		opts  Options
		want  string
	}{
		{"any address", good, Options{BindAddr: "0.0.0.0"}, "only 127.0.0.1"},
		{"ipv6 any", good, Options{BindAddr: "::"}, "only 127.0.0.1"},
		{"lan address", good, Options{BindAddr: "198.18.0.1"}, "only 127.0.0.1"},
		{"duplicate host", append(slices.Clone(good), good[0]), Options{}, "listed twice"},
		{"unknown platform", []Host{{Name: "r1", Platform: "nxos", Dir: good[0].Dir}}, Options{}, `unknown platform "nxos"`},
		{"missing dir", []Host{{Name: "r1", Platform: PlatformIOS, Dir: filepath.Join(labDir, "nosuch")}}, Options{}, "lab dir"},
		{"empty name", []Host{{Platform: PlatformIOS, Dir: good[0].Dir}}, Options{}, "invalid host name"},
		{"key escapes dir", []Host{{Name: "r1", Platform: PlatformIOS, Dir: good[0].Dir, Keys: map[string]string{"show x": "../x"}}}, Options{}, "not a plain file name"},
		{"ports overflow", good, Options{BasePort: 65534}, "cannot hold"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := Start(context.Background(), tc.hosts, tc.opts)
			if err == nil {
				srv.Close()
				t.Fatal("Start accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestContextCancelCloses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Start(ctx, labHosts(t, nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tm := openTerm(t, srv, "sw1")
	tm.until("sw1>")
	cancel()
	tm.waitEOF()
	if c, err := net.DialTimeout("tcp", srv.Addr("sw1"), waitFor); err == nil {
		c.Close()
		t.Error("listener still open after cancel")
	}
}

func TestCUCMSession(t *testing.T) {
	const delay = 150 * time.Millisecond
	srv := startLab(t, Options{}, func(h *Host) { h.Faults.CUCMLoginDelay = delay })
	start := time.Now()
	tm := openTerm(t, srv, "cucm1")
	tm.until("Command Line Interface is starting up, please wait ...\r\n")
	greet := tm.until("admin:")
	if el := time.Since(start); el < delay {
		t.Errorf("prompt after %v, want at least the %v login delay", el, delay)
	}
	mustContain(t, greet, "Welcome to the Platform Command Line Interface")
	// The CLI reference's answer (cli-ref in shapes.go).
	if got := tm.run("set cli pagination off", "admin:"); got != "Automatic pagination is turned off\r\n" {
		t.Errorf("pagination off printed %q", got)
	}
	// The banner ends with a blank line before the prompt, as in Cisco
	// TAC document 217581.
	if !strings.HasSuffix(greet, "8192 Mbytes RAM\r\n\r\n") {
		t.Errorf("banner does not end with a blank line and the prompt: %q", greet)
	}
	if got, want := tm.run(sipprofileSQL, "admin:"), wantBody(t, "cucm1", "sql_sipprofile"); got != want {
		t.Errorf("sipprofile\n got: %q\nwant: %q", got, want)
	}
	if got, want := tm.run(processconfigSQL, "admin:"), wantBody(t, "cucm1", "sql_processconfig"); got != want {
		t.Errorf("processconfig (via Keys)\n got: %q\nwant: %q", got, want)
	}
	tm.send("quit\n")
	tm.waitEOF()
	want := []string{"set cli pagination off", sipprofileSQL, processconfigSQL, "quit"}
	if got := srv.Commands("cucm1"); !slices.Equal(got, want) {
		t.Errorf("Commands = %q, want %q", got, want)
	}
}

func TestExec(t *testing.T) {
	srv := startLab(t, Options{}, func(h *Host) {
		if h.Name == "asa1" {
			h.EnablePassword = ""
		}
	})
	tests := []struct {
		host, cmd string
		want      string // "" means the lab file for key
		key       string
		status    int
	}{
		{"asa1", "show running-config", "", "show_running-config", 0},
		{"asa1", "sh arp", "", "show_arp", 0},
		{"asa1", "show foo", "show foo\r\n     ^\r\nERROR: % Invalid input detected at '^' marker.\r\n", "", 1},
		// sw1 keeps its enable password, so exec lands at user EXEC.
		{"sw1", "show running-config", "show running-config\r\n     ^\r\n% Invalid input detected at '^' marker.\r\n\r\n", "", 1},
		{"sw1", "show port-security", "", "show_port-security", 0},
		{"cucm1", sipprofileSQL, "", "sql_sipprofile", 0},
	}
	for _, tc := range tests {
		t.Run(tc.host+"/"+tc.cmd, func(t *testing.T) {
			c, err := dial(t, srv, tc.host, password)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			sess, err := c.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			out, err := sess.Output(tc.cmd)
			status := 0
			var ee *ssh.ExitError
			if errors.As(err, &ee) {
				status = ee.ExitStatus()
			} else if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if tc.key != "" {
				want = wantBody(t, tc.host, tc.key)
			}
			if string(out) != want || status != tc.status {
				t.Errorf("got %q status %d\nwant %q status %d", out, status, want, tc.status)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	const lat = 120 * time.Millisecond
	srv := startLab(t, Options{}, func(h *Host) {
		if h.Name == "sw1" {
			h.Latency = lat
		}
	})
	tm := openTerm(t, srv, "sw1")
	tm.until("sw1>")
	start := time.Now()
	got := tm.run("show port-security", "sw1>")
	if el := time.Since(start); el < lat {
		t.Errorf("output after %v, want at least %v", el, lat)
	}
	if got != wantBody(t, "sw1", "show_port-security") {
		t.Errorf("output under latency differs: %q", got)
	}
}

func TestOutputFaults(t *testing.T) {
	const trickle = 15 * time.Millisecond
	t.Run("ResetMidOutput", func(t *testing.T) {
		srv := startLab(t, Options{}, func(h *Host) { h.Faults.ResetMidOutput = true })
		tm, prompt := login(t, srv, "sw1")
		want := wantBody(t, "sw1", "show_running-config")
		tm.send("show running-config\n")
		tm.until("show running-config\r\n")
		got := tm.waitEOF()
		if n, total := countLinesCRLF(got), countLinesCRLF(want); n != total/2 || !strings.HasPrefix(want, got) {
			t.Errorf("got %d of %d lines before the reset (want half, a prefix):\n%q", n, total, got)
		}
		if strings.Contains(got, prompt) {
			t.Error("prompt after reset")
		}
		var missing *ssh.ExitMissingError
		if err := tm.sess.Wait(); !errors.As(err, &missing) {
			t.Errorf("Wait = %v, want the session to end without exit status", err)
		}
	})
	t.Run("Garbage", func(t *testing.T) {
		read := func() []byte {
			srv := startLab(t, Options{}, func(h *Host) { h.Faults.Garbage = true })
			tm, prompt := login(t, srv, "sw1") // session commands still work
			tm.send("show port-security\n")
			tm.until("show port-security\r\n")
			got := tm.bytes(garbageBytes)
			if rest := tm.quiet(100 * time.Millisecond); rest != "" {
				t.Errorf("more than the garbage arrived: %q", rest)
			}
			if isText([]byte(got)) || strings.Contains(got, prompt) {
				t.Errorf("garbage looks like text or holds the prompt")
			}
			return []byte(got)
		}
		if a, b := read(), read(); !bytes.Equal(a, b) {
			t.Error("garbage differs between runs with the same seed")
		}
	})
	t.Run("Flood", func(t *testing.T) {
		const size = 4 << 20
		srv := startLab(t, Options{}, func(h *Host) { h.Faults.Flood, h.Faults.FloodBytes = true, size })
		tm, prompt := login(t, srv, "sw1")
		got := tm.run("show port-security", prompt)
		if len(got) < size || len(got) > size+200 {
			t.Errorf("flood printed %d bytes, want about %d", len(got), size)
		}
		if !strings.HasPrefix(got, " 100    0024.0000.0000    DYNAMIC     Gi1/0/1\r\n") {
			t.Errorf("flood lines: %q", got[:80])
		}
		// Only the first lab command floods.
		if got := tm.run("show port-security", prompt); got != wantBody(t, "sw1", "show_port-security") {
			t.Errorf("second command: %q", got)
		}
	})
	t.Run("Trickle", func(t *testing.T) {
		srv := startLab(t, Options{TrickleInterval: trickle}, func(h *Host) {
			h.Faults.Trickle = true
			h.Extra = map[string]string{"show clock": "09:12\n"}
		})
		tm, prompt := login(t, srv, "sw1")
		start := time.Now()
		got := tm.run("show clock", prompt)
		n := len(got) + len(prompt)
		if el := time.Since(start); el < time.Duration(n-1)*trickle {
			t.Errorf("%d bytes in %v, want one per %v", n, el, trickle)
		}
		if got != "09:12\r\n" {
			t.Errorf("trickled output %q", got)
		}
	})
	t.Run("PromptNeverReturns", func(t *testing.T) {
		srv := startLab(t, Options{}, func(h *Host) { h.Faults.PromptNeverReturns = true })
		tm, _ := login(t, srv, "asa1")
		want := wantBody(t, "asa1", "show_arp")
		tm.send("show arp\n")
		tm.until("show arp\r\n")
		if got := tm.until(want); got != "" {
			t.Errorf("before output: %q", got)
		}
		if rest := tm.quiet(150 * time.Millisecond); rest != "" {
			t.Errorf("after output got %q, want silence", rest)
		}
	})
}

// hungLab starts a server whose every host stalls somewhere, with a
// client stuck on each.
func hungLab(t *testing.T) (*Server, []*term) {
	t.Helper()
	base := labHosts(t, nil)
	dir := map[string]string{}
	for _, h := range base {
		dir[h.Platform] = h.Dir
	}
	mkHost := func(name, plat string, f Faults, lat time.Duration) Host {
		return Host{Name: name, Platform: plat, Dir: dir[plat], Username: user, Password: password, Faults: f, Latency: lat}
	}
	hosts := []Host{
		mkHost("afterauth", PlatformIOS, Faults{HangAfterAuth: true}, 0),
		mkHost("midoutput", PlatformASA, Faults{HangMidOutput: true}, 0),
		mkHost("slowlogin", PlatformCUCM, Faults{CUCMLoginDelay: time.Hour}, 0),
		mkHost("trickle", PlatformIOS, Faults{Trickle: true}, 0),
		mkHost("latency", PlatformIOS, Faults{}, time.Hour),
		mkHost("paged", PlatformIOS, Faults{}, 0),
	}
	srv, err := Start(context.Background(), hosts, Options{Seed: testSeed, TrickleInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var terms []*term

	tm := openTerm(t, srv, "afterauth")
	if got := tm.quiet(50 * time.Millisecond); got != "" {
		t.Errorf("HangAfterAuth printed %q", got)
	}
	terms = append(terms, tm)

	tm = openTerm(t, srv, "midoutput")
	tm.until("midoutput#")
	tm.run("terminal pager 0", "midoutput#")
	tm.send("show running-config\n")
	tm.until("hostname asa1")
	if got := tm.quiet(50 * time.Millisecond); strings.Contains(got, ": end") || strings.Contains(got, "midoutput#") {
		t.Errorf("HangMidOutput printed the end of the output: %q", got)
	}
	terms = append(terms, tm)

	tm = openTerm(t, srv, "slowlogin")
	tm.until("please wait ...")
	terms = append(terms, tm)

	tm = openTerm(t, srv, "trickle")
	tm.until("trickle#")
	tm.send("show port-security\n")
	tm.until("show port-security\r\nS") // the first byte, then an hour for the next
	terms = append(terms, tm)

	tm = openTerm(t, srv, "latency")
	tm.until("latency#")
	tm.send("show port-security\n")
	tm.until("show port-security\r\n")
	terms = append(terms, tm)

	tm = openTerm(t, srv, "paged")
	tm.until("paged#")
	tm.send("show running-config\n")
	tm.until(" --More-- ")
	terms = append(terms, tm)
	return srv, terms
}

func waitGoroutines(t *testing.T, max int) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for runtime.NumGoroutine() > max {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), max, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestHangsEndOnClose(t *testing.T) {
	before := runtime.NumGoroutine()
	srv, terms := hungLab(t)
	// The hung sessions never end by themselves: a Close that waited
	// for them would never return.
	closed := make(chan error, 1)
	go func() { closed <- srv.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitFor):
		t.Fatalf("Close still waiting after %v for sessions that never end", waitFor)
	}
	for _, tm := range terms {
		tm.waitEOF()
		tm.client.Close()
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	waitGoroutines(t, before)
}

func TestHangsEndOnClientDisconnect(t *testing.T) {
	srv, terms := hungLab(t)
	defer srv.Close()
	for _, tm := range terms {
		tm.client.Close()
	}
	deadline := time.Now().Add(waitFor)
	for {
		srv.mu.Lock()
		n := len(srv.conns)
		srv.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d server connections still open after the clients left", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLoadHostsFromDir(t *testing.T) {
	hosts, err := LoadHostsFromDir(labDir, labPlatforms)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hosts {
		got = append(got, h.Name+":"+h.Platform+":"+filepath.ToSlash(h.Dir))
	}
	want := []string{"asa1:asa:testdata/lab/asa1", "cucm1:cucm:testdata/lab/cucm1", "sw1:ios:testdata/lab/sw1"}
	if !slices.Equal(got, want) {
		t.Errorf("hosts = %q, want %q", got, want)
	}

	errs := []struct {
		name, dir string
		plats     map[string]string
		want      string
	}{
		{"host without platform", labDir, map[string]string{"sw1": "ios", "asa1": "asa"}, "no platform given for host(s) cucm1"},
		{"bad platform", labDir, map[string]string{"sw1": "ios", "asa1": "pix", "cucm1": "cucm"}, `host asa1: unknown platform "pix"`},
		{"missing dir", filepath.Join(labDir, "nosuch"), labPlatforms, "nosuch"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadHostsFromDir(tc.dir, tc.plats)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
