// Package sshx is kaudit's SSH session layer: it connects to a device
// (through jump hosts, with host key checking, the inventory's
// credentials and, only where a host opts in, legacy algorithms), logs in
// through scrapligo's generic driver and runs read-only commands.
//
// Layers, bottom up:
//
//   - guard.go: the read-only allow-list. Every byte written to a device
//     passes guard.check in shell.Write: allow-listed commands, a bare
//     return, the enable secret right after "enable", and the space that
//     answers a pager prompt. Anything else is refused before it is sent.
//     Show commands may hold no write keyword in any abbreviation (file,
//     tee, tech-support, ...); guard_sql.go lexes a `run sql select` and
//     lets it call only allow-listed built-in functions.
//   - hostkey.go: known_hosts verification (x/crypto/ssh/knownhosts),
//     trust on first use, changed keys refused with both fingerprints.
//   - auth.go, dial.go: credentials (SecretRef passwords, ssh-agent,
//     private keys with passphrases, keyboard-interactive), jump hosts
//     (ProxyJump style, each hop with its own auth and host key check),
//     connection retries with exponential backoff for connection errors
//     only.
//   - shell.go: the pty shell, implemented as a scrapligo transport so
//     that scrapligo's channel and generic driver sit on top of it for the
//     login; it also answers pager prompts and enforces the output limit.
//     After the login the session takes over reading (handover).
//   - platforms.go: what a session uses of a scrapligo platform
//     definition (scrapligo's cisco_iosxe for IOS/IOS-XE, asa.yaml for
//     the ASA): prompts, enable escalation, failure strings, parsed once
//     per process; the first prompt; enable.
//   - session.go: the login through scrapligo's generic driver (CUCM's
//     admin: prompt for CUCM), then the paging commands.
//   - direct.go: commands and their output after the login, read by
//     blocking on the shell rather than through scrapligo's polling.
//   - interactive.go: the questions and the foreground capture of CUCM
//     that kaudit confirm needs.
//
// The package never prints; it logs at debug level to the slog.Logger it
// is given, and secrets are scrubbed from everything it logs or returns.
package sshx
