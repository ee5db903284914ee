package sshx

import (
	"maps"
	"slices"
	"strings"
)

// sqlForbidden are SQL words that have no place in a read-only query:
// they write, lock, run code, start a second statement, or name a file
// or an admin entry point (Informix's sysadmin:task and admin run any
// admin command, "drop database" included). The CLI's own write verbs
// are here too, so no reading of the line finds one.
var sqlForbidden = map[string]bool{
	"insert": true, "update": true, "delete": true, "drop": true, "create": true,
	"alter": true, "truncate": true, "grant": true, "revoke": true, "execute": true,
	"exec": true, "call": true, "procedure": true, "function": true, "into": true,
	"lock": true, "unlock": true, "rename": true, "merge": true, "load": true,
	"unload": true, "set": true, "begin": true, "commit": true, "rollback": true,
	"system": true, "database": true, "close": true, "output": true,
	"external": true, "file": true, "task": true, "admin": true,
	"copy": true, "write": true, "erase": true, "configure": true, "reload": true,
	"tee": true, "redirect": true, "append": true,
}

// sqlFunctions are the functions a query may call: Informix built-ins
// that only compute a value from their arguments. Any other name followed
// by "(" may be a stored routine (sysadmin:task is one), and a qualified
// name (owner:name, db:owner.name) always is.
var sqlFunctions = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"lower": true, "upper": true, "trim": true, "length": true, "char_length": true,
	"substr": true, "substring": true, "nvl": true, "cast": true, "round": true,
	"abs": true, "year": true, "month": true, "day": true, "date": true,
}

// sqlGrouping are the keywords a "(" may follow without calling anything:
// a subquery, a list, a grouped condition or count(distinct(x)).
var sqlGrouping = map[string]bool{
	"select": true, "from": true, "where": true, "and": true, "or": true,
	"not": true, "in": true, "exists": true, "any": true, "all": true,
	"some": true, "on": true, "having": true, "by": true, "when": true,
	"then": true, "else": true, "distinct": true, "unique": true,
	"union": true, "join": true, "between": true,
}

// sqlSizedTypes are the types a cast may size: "as char(8)" is no call.
var sqlSizedTypes = map[string]bool{
	"char": true, "varchar": true, "nchar": true, "nvarchar": true,
	"lvarchar": true, "decimal": true, "numeric": true, "money": true,
}

// sqlToken is one lexeme of a query: a word (identifier, keyword or
// number), a quoted string or one punctuation byte.
type sqlToken struct {
	kind byte // 'w' word, 's' string, otherwise the punctuation byte
	text string
}

func isSQLWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// allowedSQL accepts one SELECT statement that calls no function outside
// sqlFunctions. Words are looked at outside quoted strings only, so
// `like '%update%'` is fine but `; delete`, `select ... into` and
// `sysadmin:task(...)` are not. What the lexer and Informix could read
// differently is refused rather than guessed: backslashes (an escape in
// some Informix settings), double quotes (a delimited identifier with
// DELIMIDENT), comments, and '|'.
func allowedSQL(cmd, lower string) error {
	if i := strings.IndexAny(lower, "\\\""); i >= 0 {
		if lower[i] == '\\' {
			return refuse(cmd, "contains a backslash (an escape Informix may read otherwise)")
		}
		return refuse(cmd, "contains a double quote (a delimited identifier with DELIMIDENT)")
	}
	var prev [2]sqlToken // the last two tokens, newest first
	push := func(t sqlToken) { prev[1], prev[0] = prev[0], t }
	for i := 0; i < len(lower); {
		c := lower[i]
		switch {
		case c == ' ':
			i++
		case c == '\'':
			j := i + 1
			for ; j < len(lower); j++ {
				if lower[j] == '\'' {
					if j+1 < len(lower) && lower[j+1] == '\'' { // doubled quote escapes itself
						j++
						continue
					}
					break
				}
			}
			if j >= len(lower) {
				return refuse(cmd, "unterminated quoted string")
			}
			push(sqlToken{'s', lower[i : j+1]})
			i = j + 1
		case isSQLWordByte(c):
			j := i
			for j < len(lower) && isSQLWordByte(lower[j]) {
				j++
			}
			w := lower[i:j]
			if sqlForbidden[w] {
				return refuse(cmd, "SQL %q is not read-only", w)
			}
			if w[0] >= '0' && w[0] <= '9' && strings.Trim(w, "0123456789") != "" {
				// "1mytask(" may lex as 1 and a call of mytask.
				return refuse(cmd, "number %q runs into letters", w)
			}
			push(sqlToken{'w', w})
			i = j
		default:
			if err := sqlPunct(cmd, lower[i:], prev); err != nil {
				return err
			}
			push(sqlToken{c, ""})
			i++
		}
	}
	return nil
}

// sqlPunct checks the punctuation byte that starts rest, given the two
// tokens before it.
func sqlPunct(cmd, rest string, prev [2]sqlToken) error {
	switch {
	case rest[0] == ';':
		return refuse(cmd, "contains ';' (a second SQL statement)")
	case rest[0] == '|':
		return refuse(cmd, "contains '|' outside a string")
	case strings.HasPrefix(rest, "--"), strings.HasPrefix(rest, "/*"), rest[0] == '{', rest[0] == '}':
		return refuse(cmd, "contains an SQL comment")
	case rest[0] != '(' || prev[0].kind != 'w':
		return nil
	}
	name := prev[0].text
	switch q := prev[1].kind; {
	case q == '.' || q == ':' || q == '@':
		return refuse(cmd, "calls a qualified function %q (a stored routine)", name)
	case name[0] >= '0' && name[0] <= '9', // a number: "in (1) and (2)"
		sqlFunctions[name] || sqlGrouping[name],
		sqlSizedTypes[name] && prev[1].kind == 'w' && prev[1].text == "as":
		return nil
	}
	return refuse(cmd, "calls function %q (allowed: %s)", name, sqlFunctionList())
}

func sqlFunctionList() string {
	return strings.Join(slices.Sorted(maps.Keys(sqlFunctions)), ", ")
}
