// Package axl reads a CUCM node through its AXL SOAP API over HTTPS, with
// a read-only application user: the same SELECTs the admin CLI's run sql
// types (cucm.AXLCommands), through executeSQLQuery.
//
// Every request passes Guard, the one read-only check, as every line
// typed over SSH passes sshx's guard: executeSQLQuery with a SELECT the
// SSH guard's SQL rules accept, get* and list*, and RisPort70's select*.
// The server's certificate is always verified (Trust): by a CA file, a
// pinned fingerprint, a known-certificates file (trust on first use), or
// the system's roots.
package axl
