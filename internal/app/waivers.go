package app

import (
	"fmt"
	"time"

	"github.com/kaudit/kaudit/policy"
	"github.com/kaudit/kaudit/rules"
)

// ApplyWaivers marks the findings a current waiver accepts. A finding that
// only an expired waiver matches stays live and says so in its notes, so an
// expired waiver is noticed instead of silently hiding or un-hiding things.
func ApplyWaivers(fs []rules.Finding, p policy.Policy, now time.Time) {
	for i := range fs {
		f := &fs[i]
		for _, w := range p.Waivers {
			if !w.Matches(f.Rule, f.Device, f.Object) {
				continue
			}
			where := fmt.Sprintf("%s:%d", policyName(p), w.Line)
			if w.Expired(now) {
				f.Notes = append(f.Notes, fmt.Sprintf("waiver %s (%s, owner %s) expired on %s and no longer applies", where, w.Reason, ownerOf(w), w.Expires))
				continue
			}
			f.Waived = &rules.Waived{Reason: w.Reason, Owner: w.Owner, Where: where}
			if !w.Expires.IsZero() {
				f.Waived.Expires = w.Expires.String()
			}
			break
		}
	}
}

func policyName(p policy.Policy) string {
	if p.File != "" {
		return p.File
	}
	return "policy.yaml"
}

func ownerOf(w policy.Waiver) string {
	if w.Owner == "" {
		return "unknown"
	}
	return w.Owner
}
