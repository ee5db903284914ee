package cucm

import "github.com/kaudit/kaudit/facts"

// sipTimers maps sipprofile columns to SIPProfile fields and their Sources
// keys.
var sipTimers = []struct {
	column, source string
	field          func(*facts.SIPProfile) *int
}{
	{"siptimerregdelta", "register_delta", func(p *facts.SIPProfile) *int { return &p.RegisterDeltaSeconds }},
	{"siptimerregexpires", "register_expires", func(p *facts.SIPProfile) *int { return &p.RegisterExpiresSeconds }},
	{"zztimerkeepaliveexpires", "keepalive_expires", func(p *facts.SIPProfile) *int { return &p.KeepaliveExpiresSeconds }},
	{"siptimerinviteexp", "invite_expires", func(p *facts.SIPProfile) *int { return &p.InviteExpiresSeconds }},
	{"siptimert1", "t1", func(p *facts.SIPProfile) *int { return &p.T1Millis }},
	{"siptimert2", "t2", func(p *facts.SIPProfile) *int { return &p.T2Millis }},
	{"sipretryinvite", "retry_invite", func(p *facts.SIPProfile) *int { return &p.RetryInvite }},
	{"sipretrynoninvite", "retry_non_invite", func(p *facts.SIPProfile) *int { return &p.RetryNonInvite }},
}

// ParseSIPProfiles reads the sql_sipprofile output into d.CUCM.SIPProfiles,
// replacing what was there. A timer column the query did not return, or a
// NULL cell, leaves the field 0 with no source: rules then apply the
// policy default and say so.
func ParseSIPProfiles(data []byte, d *facts.Device) error {
	return fromCLI(KeySIPProfiles, sipProfilesFrom)(data, d)
}

// sipProfilesFrom fills d from the rows of t, a run sql table or AXL rows.
func sipProfilesFrom(d *facts.Device, t *Table) error {
	name, err := requireColumn(d, t, "name")
	if err != nil {
		return err
	}
	pkid := t.Index("pkid")
	cols := make([]int, len(sipTimers))
	for i, st := range sipTimers {
		cols[i] = t.Index(st.column)
	}
	profiles := make([]facts.SIPProfile, 0, len(t.Rows))
	for _, r := range t.Rows {
		p := facts.SIPProfile{Name: r.Value(name)}
		if IsNull(p.Name) {
			return errAt(d, t.Key, r.Line.N, "SIP profile without a name")
		}
		if v := r.Value(pkid); !IsNull(v) {
			p.PKID = v
		}
		src := facts.At(d, t.Key, r.Line)
		p.Sources.Set("row", src)
		for i, st := range sipTimers {
			n, ok, err := atoi(d, t, r, cols[i])
			if err != nil {
				return err
			}
			if ok {
				*st.field(&p) = n
				p.Sources.Set(st.source, src)
			}
		}
		profiles = append(profiles, p)
	}
	cucmOf(d).SIPProfiles = profiles
	return nil
}
