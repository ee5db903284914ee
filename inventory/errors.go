package inventory

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in an inventory file, located to its line. Parse
// returns all of them at once (errors.Join), sorted by line, so a user
// fixes a file in one pass instead of one error per run.
type Error struct {
	File   string
	Line   int // 1-based; 0 when the problem has no position
	Column int
	Msg    string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Errors lists the located errors inside err (as returned by Parse or
// Load), in order; nil when err carries none.
func Errors(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if e, ok := err.(*Error); ok {
			out = append(out, e)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		walk(errors.Unwrap(err))
	}
	walk(err)
	return out
}

// joinSorted orders errs by position and drops exact repeats, which arise
// when one bad setting (in defaults or a group) is reached from many hosts.
func joinSorted(errs []*Error) error {
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Msg < b.Msg
	})
	out := make([]error, 0, len(errs))
	seen := map[string]bool{}
	for _, e := range errs {
		k := fmt.Sprintf("%d\x00%s", e.Line, e.Msg)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	return errors.Join(out...)
}

// hints catch names people bring from Nornir, Ansible or ssh_config, which
// are too far from ours for edit distance to find.
var hints = map[string]string{
	"hostname":         "address",
	"host":             "address",
	"ip":               "address",
	"user":             "username",
	"secret":           "enable",
	"enable_password":  "enable",
	"enable_secret":    "enable",
	"key":              "private_key",
	"key_file":         "private_key",
	"keyfile":          "private_key",
	"identity_file":    "private_key",
	"identityfile":     "private_key",
	"proxy_jump":       "jump",
	"proxyjump":        "jump",
	"jump_host":        "jump",
	"bastion":          "jump",
	"group":            "groups",
	"tag":              "tags",
	"role":             "roles",
	"device_type":      "platform",
	"os":               "platform",
	"known_hosts_file": "known_hosts",
	"agent":            "ssh_agent",
	"legacy":           "legacy_algorithms",
	"conn_timeout":     "timeout",
	"connect_timeout":  "timeout",
	"read_timeout":     "command_timeout",
}

// suggest returns the candidate closest to word, or "" when none is close
// enough to be a plausible typo.
func suggest(word string, candidates []string) string {
	lw := strings.ToLower(word)
	if h, ok := hints[lw]; ok {
		for _, c := range candidates {
			if c == h {
				return h
			}
		}
	}
	best, bestD := "", -1
	limit := len(lw) / 3
	if limit < 1 {
		limit = 1
	}
	for _, c := range candidates {
		d := distance(lw, c)
		if d <= limit && (bestD < 0 || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %s?)", s)
	}
	return ""
}

// distance is the optimal string alignment distance (Levenshtein plus
// adjacent transpositions, so "prot" is one edit from "port"). Inputs are
// short key names; long fuzzed keys cannot be typos and are cut off early.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
