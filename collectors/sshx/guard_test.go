package sshx

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/collectors/platform"
)

func TestAllowed(t *testing.T) {
	tests := []struct {
		cmd string
		ok  bool
		why string // part of the refusal reason
	}{
		{"show version", true, ""},
		{"show running-config", true, ""},
		{"show running-config all sysopt", true, ""},
		{"SHOW VERSION", true, ""},
		{"sh ver", false, "not a read-only command"},
		{"show run | include hostname", true, ""},
		{"show run | section interface", true, ""},
		{"show mac address-table | count", true, ""},
		{"show run | redirect flash:x.txt", false, `pipe into "redirect"`},
		{"SHOW RUN | REDIRECT tftp://10.0.0.1/x", false, `pipe into "redirect"`},
		{"show run | tee flash:x", false, `pipe into "tee"`},
		{"show run | append flash:x", false, `pipe into "append"`},
		{"show run | i hostname", false, `pipe into "i"`},
		{"show run |", false, "empty pipe"},
		{"show run | include", false, "without a pattern"},
		{"show version ; reload", false, `';'`},
		{"show version > flash:x", false, `'>'`},
		{"show version\nreload", false, "line end"},
		{"show version\rreload", false, "line end"},
		{"show version\x00", false, "control character"},
		{"show version\x1b[A", false, "control character"},
		{"show version ?", false, "help"},
		{"show vérsion", false, "non-ASCII"},
		{" show version", false, "leading or trailing spaces"},
		{"show version ", false, "leading or trailing spaces"},
		{"\tshow version", false, "control character"},
		{"   reload", false, "leading or trailing spaces"},
		{"reload", false, "not a read-only command"},
		{"RELOAD", false, "not a read-only command"},
		{"configure terminal", false, "not a read-only command"},
		{"copy running-config startup-config", false, "not a read-only command"},
		{"write memory", false, "not a read-only command"},
		{"exit", false, "not a read-only command"},
		{"show", false, "not a read-only command"},
		{"", false, "empty"},
		{"terminal length 0", true, ""},
		{"terminal width 511", true, ""},
		{"terminal pager 0", true, ""},
		{"set cli pagination off", true, ""},
		{"enable", true, ""},
		{"terminal length 24", false, "not a read-only command"},
		{"set cli pagination on", false, "not a read-only command"},
		{"enable 15", false, "not a read-only command"},
		{"utils system restart", false, "not a read-only command"},
		{"run sql select name from sipprofile", true, ""},
		{"run sql select paramname,paramvalue from processconfig where paramname like '%eepalive%'", true, ""},
		{"run sql select name from device where description = 'update; delete'", true, ""},
		{"run sql select name from device where description = 'it''s'", true, ""},
		{"run sql update device set name='x'", false, "not a read-only command"},
		{"RUN SQL UPDATE device SET name='x'", false, "not a read-only command"},
		{"run sql delete from device", false, "not a read-only command"},
		{"run sql select name from device ; delete from device", false, "';'"},
		{"run sql select name from device;delete from device", false, "';'"},
		{"run sql select * into temp t from device", false, `SQL "into"`},
		{"run sql select name from device where 1=1 -- comment", false, "comment"},
		{"run sql select name from device /* x */", false, "comment"},
		{"run sql select name from device where name = 'x", false, "unterminated"},
		{"run sql select name,execute from device", false, `SQL "execute"`},
		{"run sql insert into device values (1)", false, "not a read-only command"},
		{"run sql select name from device\ndelete from device", false, "line end"},
		{strings.Repeat("show version ", 200), false, "longer than"},
		// Issue 12 item 13: a file written by show tech, an Informix admin
		// function inside a select, a quote escaped with a backslash.
		{"show tech all file x", false, "tech"},
		{"show tech", false, "tech"},
		{"show tech-support", false, "tech"},
		{"show tech-s", false, "tech"},
		{"show te", false, "tech"},
		{"SHOW TECH-SUPPORT PAGE", false, "tech"},
		{"show running-config file x", false, `"file"`},
		{"show diskusage activelog fil x", false, `"file"`},
		{`show "file" x`, false, `"file"`},
		{`show fi\le x`, false, `"file"`},
		{"show status disk0:file", false, `"file"`},
		{"show run | include t", false, `"t" may be`},
		{"show run | include fi", false, `"file"`},
		{"show archive copy", false, `"copy"`},
		{"show interface Te1/0/1", true, ""},
		{"show run | include hostname", true, ""},
		{"run sql select sysadmin:task('drop database ccm') from sysmaster:sysdual", false, `SQL "task"`},
		{"run sql select sysadmin : task ('x') from sysmaster:sysdual", false, `SQL "task"`},
		{"run sql select sysadmin:mytask('x') from sysmaster:sysdual", false, "qualified function"},
		{"run sql select sysadmin : mytask ('x') from sysmaster:sysdual", false, "qualified function"},
		{"run sql select db@srv:owner.lower('x') from sysmaster:sysdual", false, "qualified function"},
		{"run sql select mytask('x') from sysmaster:sysdual", false, "function"},
		{"run sql select char(8) from sysmaster:sysdual", false, "function"},
		{"run sql select a from t where b=1mytask('x')", false, "runs into letters"},
		{"run sql select ccm:informix.mytask('x') from sysmaster:sysdual", false, "function"},
		{"run sql select ta$count('x') from sysmaster:sysdual", false, "function"},
		{"run sql select admin('x') from sysmaster:sysdual", false, `SQL "admin"`},
		{"run sql select count(*) from device", true, ""},
		{"run sql select count(distinct(name)), lower(name) from device where name in ('a','b') group by 2", true, ""},
		{"run sql select cast(enum as char(8)) from typemodel", true, ""},
		{"run sql select name from device where exists (select 1 from typemodel where enum=device.tkmodel)", true, ""},
		{`run sql select name from device where name = 'a\' or 1=1`, false, "backslash"},
		{`run sql select name from device where name = 'a\'' ; drop table device; --'`, false, "backslash"},
		{`run sql select "task"('x') from sysmaster:sysdual`, false, "double quote"},
		{"run sql select name from device where name = 'a' { comment }", false, "comment"},
		{"run sql select name from device where name = 'a' || 'b'", false, "'|'"},
		{"run sql select name into external x from device", false, `SQL "into"`},
		{"run sql select name from device where file = 1", false, `SQL "file"`},
	}
	for _, tc := range tests {
		err := Allowed(tc.cmd)
		if tc.ok {
			if err != nil {
				t.Errorf("Allowed(%q) = %v, want allowed", tc.cmd, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("Allowed(%q) allowed, want refused (%s)", tc.cmd, tc.why)
			continue
		}
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("Allowed(%q) = %v, want ErrRefused mentioning %q", tc.cmd, err, tc.why)
		}
	}
}

// TestPlatformCommandsAllowed: whatever the parser engineers list, the
// guard must let it through, or the command would never run.
func TestPlatformCommandsAllowed(t *testing.T) {
	for _, p := range platform.Names() {
		cmds, err := platform.Commands(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cmds {
			if err := Allowed(c.CLI); err != nil {
				t.Errorf("%s %s: %v", p, c.Key, err)
			}
		}
	}
}

// TestGuardSequence: besides commands, the guard lets through a return,
// the enable secret only right after "enable" and its return, and a
// pager answer only when armed.
func TestGuardSequence(t *testing.T) {
	const secret = "En-Secret-42"
	type step struct {
		write string
		pager bool
		ok    bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"secret after enable", []step{{"enable", false, true}, {"\n", false, true}, {secret, false, true}, {"\n", false, true}}},
		{"secret without enable", []step{{secret, false, false}}},
		{"secret after another command", []step{{"show version", false, true}, {"\n", false, true}, {secret, false, false}}},
		{"secret twice", []step{{"enable", false, true}, {"\n", false, true}, {secret, false, true}, {secret, false, false}}},
		{"secret before the return", []step{{"enable", false, true}, {secret, false, false}}},
		{"wrong secret after enable", []step{{"enable", false, true}, {"\n", false, true}, {"guess", false, false}}},
		{"enable again", []step{{"enable", false, true}, {"\n", false, true}, {secret, false, true}, {"\n", false, true},
			{"enable", false, true}, {"\n", false, true}, {secret, false, true}}},
		{"pager unarmed", []step{{" ", true, false}}},
		{"space as a command", []step{{" ", false, false}}},
		{"return alone", []step{{"\n", false, true}, {"\n", false, true}}},
	}
	for _, tc := range tests {
		g := &guard{enable: []byte(secret)}
		for i, s := range tc.steps {
			_, err := g.check([]byte(s.write), s.pager)
			if (err == nil) != s.ok {
				t.Errorf("%s: step %d (%q): err %v, want ok=%v", tc.name, i, s.write, err, s.ok)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("%s: refusal repeats the secret: %v", tc.name, err)
			}
		}
	}
	g := &guard{}
	g.pagerOK = true
	if k, err := g.check([]byte(" "), true); err != nil || k != writePager {
		t.Errorf("armed pager answer: %v %v", k, err)
	}
	if _, err := g.check([]byte(" "), true); err == nil {
		t.Error("a second pager answer went through without a new prompt")
	}
	if _, err := (&guard{pagerOK: true}).check([]byte("q"), true); err == nil {
		t.Error("pager answer other than space went through")
	}
}

var (
	sqlQuoted = regexp.MustCompile(`'(?:[^']|'')*'|"(?:[^"]|"")*"`)
	sqlWrite  = regexp.MustCompile(`\b(insert|update|delete|drop|create|alter|truncate|grant|revoke|execute|into|lock|merge|load|unload|set)\b`)
)

// FuzzAllowed checks the guard's invariants on any input: what it allows
// is one line of printable ASCII starting with an allowed verb, holds no
// statement separator, and pipes only into filters.
func FuzzAllowed(f *testing.F) {
	for _, s := range []string{
		"show version", "show run | include x", "run sql select a from b where c like '%d%'",
		"terminal length 0", "show run | redirect flash:x", "run sql select a from b; delete from b",
		"show version\nreload", "run sql select 'a''b' from c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		err := Allowed(cmd)
		if err != nil {
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("refusal is not ErrRefused: %v", err)
			}
			return
		}
		for i := 0; i < len(cmd); i++ {
			if c := cmd[i]; c < 0x20 || c >= 0x7f {
				t.Fatalf("allowed %q with byte 0x%02x", cmd, c)
			}
		}
		l := strings.ToLower(cmd)
		w := strings.Fields(l)
		switch {
		case sessionCommands[strings.Join(w, " ")]:
		case w[0] == "show":
			if strings.ContainsAny(l, ";<>") {
				t.Fatalf("allowed %q", cmd)
			}
			for _, p := range strings.Split(l, "|")[1:] {
				if f := strings.Fields(p); len(f) == 0 || !pipeFilters[f[0]] {
					t.Fatalf("allowed pipe in %q", cmd)
				}
			}
		case len(w) > 2 && w[0] == "run" && w[1] == "sql" && w[2] == "select":
			// Outside quoted strings: no statement separator, comment or
			// writing keyword (an independent, regexp-based check).
			bare := sqlQuoted.ReplaceAllString(l, "")
			if strings.ContainsAny(bare, `;'"{`) || strings.Contains(bare, "--") || strings.Contains(bare, "/*") || sqlWrite.MatchString(bare) {
				t.Fatalf("allowed %q (outside quotes: %q)", cmd, bare)
			}
		default:
			t.Fatalf("allowed %q", cmd)
		}
	})
}
