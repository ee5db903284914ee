package sshx

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/collectors/platform"
)

// The property below is written apart from the guard (regexps, its own
// word lists), so a slip in one is not repeated in the other.
var (
	// propWriteVerbs may not appear in anything admitted, nor (in a show
	// command) any abbreviation of them a device would expand.
	propWriteVerbs = []string{
		"copy", "write", "delete", "erase", "configure", "reload", "set", "file",
		"tee", "redirect", "append", "drop", "insert", "update", "create", "alter",
		"execute", "task", "tech-support",
	}
	// propSQLVerbs are the SQL words that write, run code or name an admin
	// entry point.
	propSQLVerbs = []string{
		"into", "truncate", "grant", "revoke", "merge", "call", "exec", "procedure",
		"function", "admin", "external", "load", "unload", "database", "system",
	}
	// propHarmless are the SQL functions that only compute a value.
	propHarmless = []string{
		"count", "sum", "avg", "min", "max", "lower", "upper", "trim", "length",
		"char_length", "substr", "substring", "nvl", "cast", "round", "abs",
		"year", "month", "day", "date",
	}
	propSession = []string{
		"terminal length 0", "terminal width 511", "terminal pager 0",
		"set cli pagination off", "enable",
	}
	propFilters = []string{"include", "exclude", "begin", "section", "count", "grep"}

	propKeyword   = regexp.MustCompile(`^[a-z-]+$`)
	propPiece     = regexp.MustCompile(`[a-z-]+`)
	propLiteral   = regexp.MustCompile(`'(?:[^']|'')*'`)
	propSQLWord   = regexp.MustCompile(`[a-z0-9_$]+`)
	propCall      = regexp.MustCompile(`(?:^|[^a-z_$])([a-z_$][a-z0-9_$]*)\s*\(`)
	propQualified = regexp.MustCompile(`[.:@]\s*[a-z0-9_$]+\s*\(`)
	propCastType  = regexp.MustCompile(`\bas\s+[a-z]+\s*\(`)
)

// propViolation returns what cmd, as a device would read it, holds that
// a read-only command may not, or "".
func propViolation(cmd string) string {
	l := strings.ToLower(cmd)
	words := strings.Fields(l)
	if slices.Contains(propSession, strings.Join(words, " ")) {
		return ""
	}
	switch {
	case len(words) > 1 && words[0] == "show":
		return propShow(l)
	case len(words) > 2 && words[0] == "run" && words[1] == "sql" && words[2] == "select":
		return propSQL(l)
	}
	return "neither show, run sql select nor a session command"
}

func propShow(l string) string {
	if strings.ContainsAny(l, "><;`") {
		return "redirect or separator"
	}
	for i, seg := range strings.Split(l, "|") {
		if f := strings.Fields(seg); i > 0 && (len(f) == 0 || !slices.Contains(propFilters, f[0])) {
			return "pipe into other than a filter"
		}
	}
	// A CLI may take quotes and backslashes for quoting: read past them.
	bare := strings.NewReplacer(`"`, "", `'`, "", `\`, "", "|", " ").Replace(l)
	for _, w := range strings.Fields(bare) {
		for _, p := range propPiece.FindAllString(w, -1) {
			abbrev := propKeyword.MatchString(w)
			if strings.HasPrefix(p, "tech") {
				return "show tech: " + w
			}
			for _, v := range propWriteVerbs {
				if p == v || abbrev && strings.HasPrefix(v, p) {
					return "write verb " + v + ": " + w
				}
			}
		}
	}
	return ""
}

func propSQL(l string) string {
	bare := propLiteral.ReplaceAllString(l, " 0 ")
	if strings.ContainsAny(bare, `'"\;|{}`) || strings.Contains(bare, "--") || strings.Contains(bare, "/*") {
		return "quote, escape, separator, pipe or comment outside a string: " + bare
	}
	if strings.Contains(l, `\`) {
		return "backslash escape"
	}
	for _, w := range propSQLWord.FindAllString(bare, -1) {
		if slices.Contains(propWriteVerbs, w) || slices.Contains(propSQLVerbs, w) {
			return "SQL verb " + w
		}
	}
	if propQualified.MatchString(bare) {
		return "qualified function call: " + bare
	}
	casts := propCastType.ReplaceAllString(bare, " as 0 (")
	for _, m := range propCall.FindAllStringSubmatch(casts, -1) {
		if !slices.Contains(propHarmless, m[1]) && !propGrouping(m[1]) {
			return "function " + m[1]
		}
	}
	return ""
}

// propGrouping: a "(" after these keywords opens a subquery, a list or a
// condition, not a call.
func propGrouping(w string) bool {
	return slices.Contains([]string{
		"select", "from", "where", "and", "or", "not", "in", "exists", "any", "all",
		"some", "on", "having", "by", "when", "then", "else", "distinct", "unique",
		"union", "join", "between",
	}, w)
}

// FuzzGuardProperty: nothing the guard admits holds a write verb, a file
// argument, a redirect or an admin function, read as a device reads it
// (case folded, spaces collapsed, keywords abbreviated to any prefix).
// Seeded with the three inputs of issue 12 and every command kaudit sends.
func FuzzGuardProperty(f *testing.F) {
	for _, s := range []string{
		"show tech all file x",
		"run sql select sysadmin:task('drop database ccm') from sysmaster:sysdual",
		`run sql select name from device where name = 'a\'' ; drop table device; --'`,
		"show capture", "show capture KAUD01 dump", "show monitor capture KAUD01",
		"show monitor capture KAUD01 buffer dump", "show run | include hostname",
		"run sql select count(*) from device where name like 'a''b%'",
		"run sql select cast(enum as char(8)) from typemodel",
	} {
		f.Add(s)
	}
	for _, s := range propSession {
		f.Add(s)
	}
	for _, p := range platform.Names() {
		cmds, err := platform.Commands(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, c := range cmds {
			f.Add(c.CLI)
		}
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		if Allowed(cmd) != nil {
			return
		}
		if v := propViolation(cmd); v != "" {
			t.Fatalf("admitted %q: %s", cmd, v)
		}
	})
}

// TestGuardPropertyCatches: the property itself sees the hostile inputs
// (else a passing fuzz run proves nothing).
func TestGuardPropertyCatches(t *testing.T) {
	for _, cmd := range []string{
		"show tech all file x", "show te", "show run | include fi", "show archive c",
		"run sql select sysadmin:task('drop database ccm') from sysmaster:sysdual",
		`run sql select name from device where name = 'a\'' ; drop table device; --'`,
		"run sql select mytask('x') from t", "run sql select a from b into temp c",
		"run sql select a from t where b=1mytask('x')",
	} {
		if propViolation(cmd) == "" {
			t.Errorf("the property misses %q", cmd)
		}
	}
	for _, cmd := range []string{
		"show version", "show interface Te1/0/1", "terminal length 0",
		"run sql select count(*), cast(a as char(8)) from t where b like '%update%'",
	} {
		if v := propViolation(cmd); v != "" {
			t.Errorf("the property flags %q: %s", cmd, v)
		}
	}
}
