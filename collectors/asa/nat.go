package asa

import (
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// natHead skips the parts of a nat line before its form: the interface
// pair, after-auto and a rule number. It returns the index of the form
// word ("source" for twice NAT, "static"/"dynamic" for object NAT) and the
// interfaces; legacy is set for pre-8.3 "nat (inside) 1 ..." lines.
func natHead(f []string) (i int, realIf, mappedIf string, legacy bool, err string) {
	realIf, mappedIf = "any", "any"
	i = 1
	if i < len(f) && strings.HasPrefix(f[i], "(") {
		pair := f[i]
		if !strings.HasSuffix(pair, ")") {
			return 0, "", "", false, "unterminated interface pair " + pair
		}
		inner := pair[1 : len(pair)-1]
		r, m, ok := strings.Cut(inner, ",")
		if !ok {
			return 0, "", "", true, ""
		}
		if r == "" || m == "" || strings.Contains(m, ",") {
			return 0, "", "", false, "bad interface pair " + pair
		}
		realIf, mappedIf = r, m
		i++
	}
	if i < len(f) && (strings.EqualFold(f[i], "after-auto") || strings.EqualFold(f[i], "after-object")) {
		i++
	}
	if i < len(f) {
		if _, ok := number(f[i], 5); ok {
			i++
		}
	}
	if i >= len(f) {
		return 0, "", "", false, "missing source, static or dynamic"
	}
	return i, realIf, mappedIf, false, ""
}

// natIsTwice reports whether a nat line is twice NAT (it has a source
// part) rather than object NAT, and whether it is well formed enough to say.
func natIsTwice(f []string) (twice, ok bool) {
	i, _, _, legacy, err := natHead(f)
	if legacy || err != "" {
		return false, false
	}
	return strings.EqualFold(f[i], "source"), true
}

// natFlag applies an option word common to object and twice NAT. Words
// kaudit does not need (dns, unidirectional, interface, flat, ...) and
// unknown ones are skipped: an option added by a later release must not
// cost the whole configuration.
func natFlag(r *facts.NATRule, w string) {
	switch strings.ToLower(w) {
	case "no-proxy-arp":
		r.NoProxyARP = true
	case "route-lookup":
		r.RouteLookup = true
	case "inactive":
		r.Inactive = true
	}
}

// parseNAT reads an object NAT line (inside object network) or a twice
// NAT line (top level):
//
//	nat [(real,mapped)] static|dynamic MAPPED [options]
//	nat [(real,mapped)] [after-auto] [N] source static|dynamic REAL MAPPED
//	    [destination static MAPPED REAL] [service A B] [options] [description ...]
//
// Note the destination order: the mapped object comes before the real one.
func (p *rcParser) parseNAT(ln facts.Line, f []string) (func(), error) {
	i, realIf, mappedIf, legacy, bad := natHead(f)
	if bad != "" {
		return nil, p.errf(ln, "nat: %s", bad)
	}
	if legacy {
		// Pre-8.3 syntax carries no per-rule proxy-ARP option.
		return func() { p.blk = blkNone }, nil
	}
	r := facts.NATRule{RealIf: realIf, MappedIf: mappedIf, Source: facts.At(p.d, p.key, ln)}
	form := strings.ToLower(f[i])
	if form == "source" {
		return p.parseTwiceNAT(ln, f, i+1, r)
	}
	if form != "static" && form != "dynamic" {
		return nil, p.errf(ln, "nat: want source, static or dynamic, got %q", f[i])
	}
	if p.blk != blkObject {
		return nil, p.errf(ln, "nat: object NAT outside an object network block")
	}
	r.Kind, r.Type, r.Object = "object", form, p.objects[p.cur].Name
	j, mapped, ok := natMapped(f, i+1)
	if !ok {
		return nil, p.errf(ln, "nat: %s NAT without a mapped address", form)
	}
	r.Mapped = mapped
	for ; j < len(f); j++ {
		if strings.EqualFold(f[j], "service") {
			if j+3 >= len(f) {
				return nil, p.errf(ln, "nat: service wants a protocol and two ports")
			}
			j += 3
			continue
		}
		natFlag(&r, f[j])
	}
	return func() {
		p.nat = append(p.nat, r)
		p.recognised = true
	}, nil
}

// natMapped reads a mapped address at f[i]: an object, an IP, interface,
// or pat-pool NAME. It returns the index after it.
func natMapped(f []string, i int) (int, string, bool) {
	if i >= len(f) {
		return i, "", false
	}
	if strings.EqualFold(f[i], "pat-pool") {
		if i+1 >= len(f) {
			return i, "", false
		}
		return i + 2, "pat-pool " + f[i+1], true
	}
	return i + 1, f[i], true
}

func (p *rcParser) parseTwiceNAT(ln facts.Line, f []string, i int, r facts.NATRule) (func(), error) {
	r.Kind = "twice"
	if i >= len(f) {
		return nil, p.errf(ln, "nat: source without static or dynamic")
	}
	r.Type = strings.ToLower(f[i])
	if r.Type != "static" && r.Type != "dynamic" {
		return nil, p.errf(ln, "nat: want source static or source dynamic, got %q", f[i])
	}
	i++
	if i >= len(f) {
		return nil, p.errf(ln, "nat: source %s without a real object", r.Type)
	}
	r.SourceReal = f[i]
	j, mapped, ok := natMapped(f, i+1)
	if !ok {
		return nil, p.errf(ln, "nat: source %s %s without a mapped object", r.Type, r.SourceReal)
	}
	r.SourceMapped = mapped
options:
	for ; j < len(f); j++ {
		switch strings.ToLower(f[j]) {
		case "destination":
			if j+3 >= len(f) || !strings.EqualFold(f[j+1], "static") {
				return nil, p.errf(ln, "nat: want destination static MAPPED REAL")
			}
			r.DestMapped, r.DestReal = f[j+2], f[j+3]
			j += 3
		case "service":
			if j+2 >= len(f) {
				return nil, p.errf(ln, "nat: service wants two service objects")
			}
			j += 2
		case "description":
			break options
		default:
			natFlag(&r, f[j])
		}
	}
	return func() {
		p.nat = append(p.nat, r)
		p.recognised = true
	}, nil
}
