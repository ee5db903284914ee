package inventory

import (
	"fmt"
	"path"
	"strings"
)

var filterKeys = []string{"name", "platform", "group", "tag", "role"}

// A term's kind says how it combines with the others, as in Ansible's
// --limit: plain terms add hosts (OR), & terms keep only hosts that also
// match (AND), ! terms remove hosts (AND NOT).
type termKind int

const (
	termAdd termKind = iota
	termAnd
	termNot
)

type term struct {
	key, pattern string
	kind         termKind
}

// Filter returns the hosts of inv that match expr, the --limit syntax of
// Ansible: comma-separated terms, where "a,b" selects every host a or b
// matches, "&t" keeps only the hosts t matches as well, and "!t" drops the
// hosts t matches, wherever they stand in the list. Without a plain term,
// & and ! terms apply to every host. A term is a host name glob ("sw-*"),
// or key=glob with key one of name, platform, group, tag or role
// ("platform=ios", "tag=floor", "role=cucm-*"). group matches any group
// the host belongs to, including inherited ones. An empty expr selects
// every host; matching no host is not an error (the caller decides). The
// result keeps inventory order and still resolves jump hosts that were
// filtered out (see JumpHost).
func Filter(inv *Inventory, expr string) (*Inventory, error) {
	terms, err := parseFilter(expr)
	if err != nil {
		return nil, err
	}
	out := &Inventory{all: inv.all}
	if out.all == nil {
		out.all = inv
	}
	for _, h := range inv.Hosts {
		if selects(h, terms) {
			out.Hosts = append(out.Hosts, h)
		}
	}
	return out, nil
}

func parseFilter(expr string) ([]term, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, nil
	}
	var terms []term
	for _, raw := range strings.Split(expr, ",") {
		t := strings.TrimSpace(raw)
		kind := termAdd
		switch {
		case strings.HasPrefix(t, "&"):
			kind = termAnd
		case strings.HasPrefix(t, "!"):
			kind = termNot
		}
		if kind != termAdd {
			t = strings.TrimSpace(t[1:])
			if strings.HasPrefix(t, "&") || strings.HasPrefix(t, "!") {
				return nil, fmt.Errorf("filter %q: term %q: a term starts with at most one & or !", expr, strings.TrimSpace(raw))
			}
		}
		if t == "" {
			return nil, fmt.Errorf("filter %q: empty term", expr)
		}
		key, pat, ok := strings.Cut(t, "=")
		if !ok {
			key, pat = "name", t
		}
		key, pat = strings.TrimSpace(key), strings.TrimSpace(pat)
		known := false
		for _, k := range filterKeys {
			known = known || k == key
		}
		if !known {
			return nil, fmt.Errorf("filter %q: unknown key %q, want name, platform, group, tag or role%s", expr, key, didYouMean(key, filterKeys))
		}
		if pat == "" {
			return nil, fmt.Errorf("filter %q: %s= needs a value", expr, key)
		}
		if _, err := path.Match(pat, ""); err != nil {
			return nil, fmt.Errorf("filter %q: bad pattern %q: %w", expr, pat, err)
		}
		if key == "platform" && !strings.ContainsAny(pat, `*?[\`) {
			ok := false
			for _, p := range platforms {
				ok = ok || p == pat
			}
			if !ok {
				return nil, fmt.Errorf("filter %q: unknown platform %q, want ios, asa or cucm", expr, pat)
			}
		}
		terms = append(terms, term{key: key, pattern: pat, kind: kind})
	}
	return terms, nil
}

// selects applies the terms to h: in the union of the plain terms (every
// host when there is none), matched by every & term, by no ! term.
func selects(h Host, terms []term) bool {
	added, anyAdd := false, false
	for _, t := range terms {
		m := t.match(h)
		switch t.kind {
		case termAdd:
			anyAdd = true
			added = added || m
		case termAnd:
			if !m {
				return false
			}
		case termNot:
			if m {
				return false
			}
		}
	}
	return added || !anyAdd
}

func (t term) match(h Host) bool {
	switch t.key {
	case "name":
		return glob(t.pattern, h.Name)
	case "platform":
		return glob(t.pattern, h.Platform)
	case "group":
		return anyGlob(t.pattern, h.Groups)
	case "tag":
		return anyGlob(t.pattern, h.Tags)
	case "role":
		return anyGlob(t.pattern, h.Roles)
	}
	return false
}

// glob never errors here: patterns were checked by parseFilter.
func glob(pattern, s string) bool {
	ok, _ := path.Match(pattern, s)
	return ok
}

func anyGlob(pattern string, list []string) bool {
	for _, s := range list {
		if glob(pattern, s) {
			return true
		}
	}
	return false
}
