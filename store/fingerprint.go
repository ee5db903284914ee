package store

import "github.com/kaudit/kaudit/rules"

// Fingerprint identifies a finding across runs; see rules.Fingerprint.
func Fingerprint(f rules.Finding) string { return rules.Fingerprint(f) }
