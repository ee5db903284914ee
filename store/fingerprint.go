package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"

	"github.com/kaudit/kaudit/rules"
)

// Fingerprint identifies a finding across runs: the sha256 of its rule,
// device, object and set of phones. Message, evidence, fix and severity
// are left out on purpose: rewording a message or a policy that changes a
// severity must not make yesterday's finding look new.
func Fingerprint(f rules.Finding) string {
	phones := slices.Clone(f.Phones)
	slices.Sort(phones)
	phones = slices.Compact(phones)
	h := sha256.New()
	// Length prefixes keep ("a", "bc") and ("ab", "c") apart.
	var b []byte
	put := func(s string) {
		b = binary.AppendUvarint(b[:0], uint64(len(s)))
		b = append(b, s...)
		h.Write(b)
	}
	put("kaudit finding v1")
	put(f.Rule)
	put(f.Device)
	put(f.Object)
	for _, p := range phones {
		put(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}
