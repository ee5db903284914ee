// Package sshx is kaudit's SSH session layer: it connects to a device
// (through jump hosts, with host key checking, the inventory's
// credentials and, only where a host opts in, legacy algorithms), logs in
// through scrapligo and runs read-only commands.
//
// Layers, bottom up:
//
//   - guard.go: the read-only allow-list. Every byte written to a device
//     passes guard.check in shell.Write: allow-listed commands, a bare
//     return, the enable secret right after "enable", and the space that
//     answers a pager prompt. Anything else is refused before it is sent.
//   - hostkey.go: known_hosts verification (x/crypto/ssh/knownhosts),
//     trust on first use, changed keys refused with both fingerprints.
//   - auth.go, dial.go: credentials (SecretRef passwords, ssh-agent,
//     private keys with passphrases, keyboard-interactive), jump hosts
//     (ProxyJump style, each hop with its own auth and host key check),
//     connection retries with exponential backoff for connection errors
//     only.
//   - shell.go: the pty shell, implemented as a scrapligo transport so
//     that scrapligo's channel and drivers sit on top of it; it also
//     answers pager prompts and enforces the output limit.
//   - session.go: scrapligo drivers per platform — IOS/IOS-XE through
//     scrapligo's cisco_iosxe platform, the ASA through the platform
//     definition in asa.yaml, CUCM's admin: CLI through the generic
//     driver.
//
// The package never prints; it logs at debug level to the slog.Logger it
// is given, and secrets are scrubbed from everything it logs or returns.
package sshx
