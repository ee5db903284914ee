package sshx

import (
	"bytes"
	"strings"
)

// secretKeywords are the configuration words after which IOS, IOS-XE and
// ASA print a secret value, optionally with its encryption type first
// ("username u privilege 15 password 0 VALUE", "enable secret 5 VALUE",
// "passwd VALUE encrypted", "snmp-server community VALUE RO",
// "key-string 7 VALUE", "pre-shared-key VALUE").
var secretKeywords = map[string]bool{
	"password": true, "secret": true, "passwd": true, "key": true,
	"key-string": true, "community": true, "pre-shared-key": true,
	"ikev1-pre-shared-key": true, "authentication-key": true,
	"server-key": true, "md5": true, "passphrase": true, "pass": true,
}

// RedactOutput removes the host's secrets from a command output where a
// device prints a secret: a whole value right after a secret keyword (and
// its optional encryption type). Nothing else is touched, so a password
// that is also a configuration word ("aging") leaves every other line as
// the device printed it: the rules see the device's real text, and a
// saved output replays to the same facts. It returns b itself, unchanged,
// when no secret was found, and the number of values it replaced.
//
// A device that prints a secret outside such a context (a description,
// a banner) keeps it in the output: replacing every occurrence of a
// common word would hide findings, which is worse.
func (c *Conn) RedactOutput(b []byte) ([]byte, int) {
	return redactOutput(b, c.sec.list())
}

// RedactSecrets is RedactOutput with the secrets given, for outputs read
// over another transport than SSH (AXL).
func RedactSecrets(b []byte, secrets ...string) ([]byte, int) {
	return redactOutput(b, secrets)
}

func redactOutput(b []byte, secret []string) ([]byte, int) {
	var out []byte // made at the first replacement
	n := 0
	for _, v := range secret {
		if v == "" {
			continue
		}
		src := b
		if out != nil {
			src = out
		}
		if !bytes.Contains(src, []byte(v)) {
			continue
		}
		var dst []byte
		rest := src
		done := 0
		for {
			i := bytes.Index(rest, []byte(v))
			if i < 0 {
				break
			}
			at := len(src) - len(rest) + i
			end := at + len(v)
			if tokenBounded(src, at, end) && afterSecretKeyword(src[lineStart(src, at):at]) {
				dst = append(dst, src[done:at]...)
				dst = append(dst, Redacted...)
				done = end
				n++
			}
			rest = src[end:]
		}
		if dst != nil {
			out = append(dst, src[done:]...)
		}
	}
	if out == nil {
		return b, 0
	}
	return out, n
}

func lineStart(b []byte, at int) int {
	return bytes.LastIndexByte(b[:at], '\n') + 1
}

// tokenBounded reports whether b[at:end] is a whole value: blank, quote
// or line edge on both sides ("=" or ":" before it).
func tokenBounded(b []byte, at, end int) bool {
	edge := func(c byte) bool { return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '\r' || c == '\n' }
	left := at == 0 || edge(b[at-1]) || b[at-1] == '=' || b[at-1] == ':'
	return left && (end == len(b) || edge(b[end]))
}

// afterSecretKeyword reports whether the text before a value ends with a
// secret keyword, optionally followed by a one-digit encryption type,
// "=" or ":".
func afterSecretKeyword(before []byte) bool {
	ws := strings.Fields(strings.TrimRight(string(before), "\"' \t"))
	if len(ws) == 0 {
		return false
	}
	word := func(w string) string {
		w = strings.TrimRight(w, "=:")
		// "?password=" in a URL, "user;password=" in a connection string
		if i := strings.LastIndexAny(w, "?&;,/"); i >= 0 {
			w = w[i+1:]
		}
		return strings.ToLower(w)
	}
	last := word(ws[len(ws)-1])
	if len(last) == 1 && last[0] >= '0' && last[0] <= '9' && len(ws) > 1 {
		last = word(ws[len(ws)-2])
	}
	return secretKeywords[last]
}
