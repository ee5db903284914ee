package cucm

import (
	"regexp"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// pkidRE matches a CUCM primary key (a UUID), which a query selecting
// device.fksipprofile instead of joining sipprofile returns.
var pkidRE = regexp.MustCompile(`^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$`)

// ParsePhones reads the sql_phones output into d.CUCM.Phones, replacing
// what was there. Column names are matched by alias so that saved outputs
// of older or hand-written queries still read: name|devicename,
// description, model, protocol|tkdeviceprotocol,
// sipprofile|sip_profile|fksipprofile, ipaddress|ip, status.
func ParsePhones(data []byte, d *facts.Device) error {
	return fromCLI(KeyPhones, phonesFrom)(data, d)
}

// phonesFrom fills d from the rows of t, a run sql table or AXL rows.
func phonesFrom(d *facts.Device, t *Table) error {
	name, err := requireColumn(d, t, "name", "devicename")
	if err != nil {
		return err
	}
	var (
		desc     = t.Index("description")
		model    = t.Index("model")
		protocol = t.Index("protocol", "tkdeviceprotocol")
		profile  = t.Index("sipprofile", "sip_profile", "fksipprofile")
		ip       = t.Index("ipaddress", "ip")
		status   = t.Index("status")
	)
	// Profiles parsed earlier in this run (Commands orders them first);
	// when absent, a pkid is kept as is rather than guessed.
	byPKID := map[string]string{}
	if d.CUCM != nil {
		for _, p := range d.CUCM.SIPProfiles {
			if p.PKID != "" {
				byPKID[normPKID(p.PKID)] = p.Name
			}
		}
	}
	phones := make([]facts.CUCMPhone, 0, len(t.Rows))
	for _, r := range t.Rows {
		p := facts.CUCMPhone{
			Name:        r.Value(name),
			Description: notNull(r.Value(desc)),
			Model:       notNull(r.Value(model)),
			Protocol:    normProtocol(r.Value(protocol)),
			SIPProfile:  notNull(r.Value(profile)),
			IP:          notNull(r.Value(ip)),
			Status:      notNull(r.Value(status)),
			Source:      facts.At(d, t.Key, r.Line),
		}
		if IsNull(p.Name) {
			return errAt(d, t.Key, r.Line.N, "phone without a device name")
		}
		if pkidRE.MatchString(p.SIPProfile) {
			if n, ok := byPKID[normPKID(p.SIPProfile)]; ok {
				p.SIPProfile = n
			}
		}
		phones = append(phones, p)
	}
	cucmOf(d).Phones = phones
	return nil
}

func notNull(v string) string {
	if v == "NULL" {
		return ""
	}
	return v
}

func normPKID(s string) string {
	return strings.ToLower(strings.Trim(s, "{}"))
}

// normProtocol maps typedeviceprotocol names (and, for a query that did
// not join that table, its enums: 0 SCCP, 11 SIP) to SIP or SCCP. Anything
// else is unknown (""), so that the policy's assumed protocol applies.
func normProtocol(v string) string {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "SIP", "11":
		return "SIP"
	case "SCCP", "0":
		return "SCCP"
	}
	return ""
}
