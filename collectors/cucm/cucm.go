// Package cucm reads what kaudit needs from a Cisco Unified CM node's admin
// CLI: SIP profile timers, keepalive service parameters and phones, all
// through read-only `run sql select` queries.
package cucm

import (
	"errors"
	"strconv"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/facts"
)

// Command keys. They are short names, not collectors.Key(CLI): the queries
// are too long to be file names, and a saved output must keep its key if
// a query is reworded.
const (
	KeySIPProfiles   = "sql_sipprofile"
	KeyProcessConfig = "sql_processconfig"
	KeyPhones        = "sql_phones"
)

// The queries, as AXL's executeSQLQuery takes them. They use only
// long-standing data dictionary tables and columns (REFERENCE.md), so they
// are meant to run unchanged on CUCM 11 to 15; they have not been run
// against a live node of every release.
const (
	SQLSIPProfiles = "select pkid,name,siptimerregdelta,siptimerregexpires,zztimerkeepaliveexpires,siptimerinviteexp,siptimert1,siptimert2,sipretryinvite,sipretrynoninvite from sipprofile"
	// The SIP station keepalive's internal name is unconfirmed, so the
	// query lists every keepalive parameter and KeepaliveParams picks.
	SQLProcessConfig = "select paramname,paramvalue from processconfig where paramname like '%eepalive%'"
	// tkclass 1 is "Phone"; the outer join keeps SCCP phones, which have
	// no SIP profile.
	SQLPhones = "select d.name,d.description,tm.name as model,tp.name as protocol,sp.name as sipprofile from device d inner join typemodel tm on d.tkmodel=tm.enum inner join typedeviceprotocol tp on d.tkdeviceprotocol=tp.enum left outer join sipprofile sp on d.fksipprofile=sp.pkid where d.tkclass=1"
)

// The same queries typed on the admin CLI.
const (
	CLISIPProfiles   = "run sql " + SQLSIPProfiles
	CLIProcessConfig = "run sql " + SQLProcessConfig
	CLIPhones        = "run sql " + SQLPhones
)

// Commands lists the queries kaudit runs on a CUCM node's admin CLI, in
// the order they must be parsed: SIP profiles before phones, so that a
// phone listing that names its profile by pkid can be resolved to the
// profile's name.
func Commands() []collectors.Command {
	return []collectors.Command{
		{Key: KeySIPProfiles, CLI: CLISIPProfiles, Parse: ParseSIPProfiles},
		{Key: KeyProcessConfig, CLI: CLIProcessConfig, Parse: ParseProcessConfig},
		{Key: KeyPhones, CLI: CLIPhones, Parse: ParsePhones},
	}
}

// Keys of the same queries' answers over AXL (the executeSQLQuery
// response, saved as it came).
const (
	KeyAXLSIPProfiles   = "axl_sipprofile"
	KeyAXLProcessConfig = "axl_processconfig"
	KeyAXLPhones        = "axl_phones"
)

// AXLCommands are Commands sent over AXL: CLI holds the SQL statement of
// executeSQLQuery, and the parsers read its answer into the same facts as
// the CLI's table, in the same order.
func AXLCommands() []collectors.Command {
	return []collectors.Command{
		{Key: KeyAXLSIPProfiles, CLI: SQLSIPProfiles, Parse: fromAXL(KeyAXLSIPProfiles, sipProfilesFrom)},
		{Key: KeyAXLProcessConfig, CLI: SQLProcessConfig, Parse: fromAXL(KeyAXLProcessConfig, processConfigFrom)},
		{Key: KeyAXLPhones, CLI: SQLPhones, Parse: fromAXL(KeyAXLPhones, phonesFrom)},
	}
}

// fromCLI is a parser of a run sql table that fills d through fill.
func fromCLI(key string, fill func(d *facts.Device, t *Table) error) func([]byte, *facts.Device) error {
	return func(data []byte, d *facts.Device) error {
		t, err := table(key, data, d)
		if err != nil {
			return err
		}
		return fill(d, t)
	}
}

// table parses data as a run sql table for device d and attaches the
// device name to any error.
func table(key string, data []byte, d *facts.Device) (*Table, error) {
	if d == nil {
		return nil, facts.Errorf(key, 0, "no device to fill")
	}
	t, err := ParseTable(key, data)
	if err != nil {
		return nil, onDevice(d, err)
	}
	return t, nil
}

// onDevice names the device in a ParseError (ParseTable does not know it).
func onDevice(d *facts.Device, err error) error {
	var pe *facts.ParseError
	if d != nil && errors.As(err, &pe) && pe.Host == "" {
		c := *pe
		c.Host = d.Name
		return &c
	}
	return err
}

// errAt is a ParseError for device d at line n.
func errAt(d *facts.Device, key string, n int, format string, args ...any) error {
	return onDevice(d, facts.Errorf(key, n, format, args...))
}

// requireColumn returns the index of the first of names, or an error on
// the header line naming what was expected. AXL rows carry their own
// column names, so an AXL answer without rows has no columns and needs
// none.
func requireColumn(d *facts.Device, t *Table, names ...string) (int, error) {
	if i := t.Index(names...); i >= 0 {
		return i, nil
	}
	if t.axl {
		if len(t.Rows) == 0 {
			return -1, nil
		}
		return -1, errAt(d, t.Key, 0, "no <%s> element in any row", names[0])
	}
	return -1, errAt(d, t.Key, t.Header.N, "no %q column in the table header", names[0])
}

// atoi reads an integer cell; blank and NULL are "not set" (ok false).
func atoi(d *facts.Device, t *Table, r Row, col int) (n int, ok bool, err error) {
	v := r.Value(col)
	if col < 0 || IsNull(v) {
		return 0, false, nil
	}
	n, err = strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false, errAt(d, t.Key, r.Line.N, "column %s: %q is not a non-negative whole number", t.Columns[col], clip(v))
	}
	return n, true, nil
}

// cucmOf returns d's CUCM facts, creating them. Call it only once parsing
// has succeeded, so that a failed parse leaves d as it was.
func cucmOf(d *facts.Device) *facts.CUCM {
	if d.CUCM == nil {
		d.CUCM = &facts.CUCM{}
	}
	return d.CUCM
}
