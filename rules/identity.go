package rules

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// Fingerprint identifies a finding across runs: the sha256 of its rule,
// device and object in canonical form (CanonicalObject). Everything else is
// left out on purpose: rewording a message, a config edit that moves line
// numbers, a phone plugged in on the port, or a policy that changes a
// severity must not make yesterday's finding look new, nor break the waiver
// or the confirm --finding that names it. When the object itself changes (a
// NAT rule is edited), so does the fingerprint: that is a new finding.
func Fingerprint(f Finding) string {
	h := sha256.New()
	// Length prefixes keep ("a", "bc") and ("ab", "c") apart.
	var b []byte
	put := func(s string) {
		b = binary.AppendUvarint(b[:0], uint64(len(s)))
		b = append(b, s...)
		h.Write(b)
	}
	put("kaudit finding v2")
	put(f.Rule)
	put(f.Device)
	put(CanonicalObject(f))
	return hex.EncodeToString(h.Sum(nil))
}

// CanonicalObject is f's object as its fingerprint sees it: blanks
// collapsed, an interface named in full, and a NAT rule that an older
// kaudit named by its config line ("voice / nat line 134") named by its
// text instead, as findings name it now, so that runs recorded before the
// change still match today's.
func CanonicalObject(f Finding) string {
	obj := strings.Join(strings.Fields(f.Object), " ")
	if !strings.Contains(obj, " ") {
		return facts.CanonicalInterface(obj)
	}
	if nameif, ok := legacyNATObject(obj); ok {
		for _, e := range f.Evidence {
			if e.What == natEvidence && e.Device == f.Device {
				return nameif + " / " + NATIdentity(e.Value)
			}
		}
	}
	return obj
}

// natEvidence is what the proxy ARP rule's evidence calls the NAT rule.
const natEvidence = "NAT rule without no-proxy-arp"

// legacyNATObject recognises "NAMEIF / nat line N" and returns NAMEIF.
func legacyNATObject(obj string) (string, bool) {
	nameif, rest, ok := strings.Cut(obj, " / nat line ")
	if !ok || rest == "" || strings.Trim(rest, "0123456789") != "" {
		return "", false
	}
	return nameif, true
}

// NATIdentity is a twice NAT rule's text as it identifies the rule: blanks
// collapsed, without the rule number that places it in its section (a
// position, like the config line) and without its description (a comment).
// "nat (outside,voice) 3 source static any any description x" is
// "nat (outside,voice) source static any any".
func NATIdentity(text string) string {
	f := strings.Fields(text)
	i := 1
	if i < len(f) && strings.HasPrefix(f[i], "(") {
		i++
	}
	if i < len(f) && (strings.EqualFold(f[i], "after-auto") || strings.EqualFold(f[i], "after-object")) {
		i++
	}
	if i < len(f) && f[i] != "" && strings.Trim(f[i], "0123456789") == "" {
		f = append(f[:i:i], f[i+1:]...)
	}
	for j, w := range f {
		if strings.EqualFold(w, "description") {
			f = f[:j]
			break
		}
	}
	return strings.Join(f, " ")
}
