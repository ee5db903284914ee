package axl

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kaudit/kaudit/collectors/cucm"
)

// statusBadVersion is what CUCM answers a request in a schema version it
// does not support: HTTP 599 with an HTML page "Incorrect axl version.
// Supported axl versions are 12.x, 14.0 and 15.0". No Cisco document
// shows it; the status and wording are those third-party AXL clients
// handle (e.g. the AletheiaUC and cisco_collab_health projects' tests).
const statusBadVersion = 599

// AuthError is a login AXL refused: a wrong user or password, or an
// application user without an AXL role.
type AuthError struct {
	Addr, User string
	Status     int
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("%s: AXL refused the login of %q (HTTP %d): check the password and that the application user has the Standard AXL API Users and Standard AXL Read Only API Access roles", e.Addr, e.User, e.Status)
}

// ThrottledError is a request CUCM kept throttling (HTTP 503).
type ThrottledError struct {
	Addr  string
	Tries int
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%s: AXL throttled the request %d times in a row (HTTP 503 Service Unavailable): the node is busy, try later", e.Addr, e.Tries)
}

// VersionError is a schema version the server does not take.
type VersionError struct {
	Addr      string
	Asked     string
	Supported []string // as the server listed them ("12.x", "14.0")
}

func (e *VersionError) Error() string {
	s := fmt.Sprintf("%s: the node does not support AXL schema %s", e.Addr, e.Asked)
	if len(e.Supported) > 0 {
		s += " (it supports " + strings.Join(e.Supported, ", ") + "): set axl_version to one of them"
	} else {
		s += ": set axl_version to the node's release (e.g. 12.5)"
	}
	return s
}

// Newest is the newest version the server listed, "N.x" read as N.0, or
// "".
func (e *VersionError) Newest() string {
	best, bestKey := "", [2]int{-1, -1}
	for _, v := range e.Supported {
		v = strings.Replace(v, ".x", ".0", 1)
		maj, min, ok := strings.Cut(v, ".")
		a, err1 := strconv.Atoi(maj)
		b, err2 := strconv.Atoi(min)
		if !ok || err1 != nil || err2 != nil {
			continue
		}
		if k := [2]int{a, b}; k[0] > bestKey[0] || k[0] == bestKey[0] && k[1] > bestKey[1] {
			best, bestKey = v, k
		}
	}
	return best
}

var supportedRE = regexp.MustCompile(`(?i)supported axl versions (?:are|:)\s*([0-9x., and]+)`)
var versionRE = regexp.MustCompile(`[0-9]+\.(?:[0-9]+|x)`)

func newVersionError(addr, asked string, body []byte) *VersionError {
	e := &VersionError{Addr: addr, Asked: asked}
	if m := supportedRE.FindSubmatch(body); m != nil {
		for _, v := range versionRE.FindAll(m[1], 8) {
			e.Supported = append(e.Supported, string(v))
		}
	}
	return e
}

// versionOf is the schema version a request was written in.
func versionOf(r request) string {
	v := strings.TrimPrefix(strings.Trim(r.action, `"`), "CUCM:DB ver=")
	v, _, _ = strings.Cut(v, " ")
	return v
}

// schemaOf is the AXL schema of a CUCM release: its major.minor
// ("14.0.1.13900(155)" is 14.0), as Cisco's samples derive it.
func schemaOf(release string) string {
	return schemaRE.FindString(strings.TrimSpace(release))
}

var (
	schemaRE = regexp.MustCompile(`^[0-9]+\.[0-9]+`)
	markupRE = regexp.MustCompile(`<[^>]*>`)
)

// NotAXLError is an answer that is not AXL's: another service, a
// proxy's page, a server that does not speak TLS.
type NotAXLError struct {
	Addr   string
	Status int // 0 when there was no HTTP answer
	Detail string
}

func (e *NotAXLError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s: not an AXL service: %s", e.Addr, e.Detail)
	}
	return fmt.Sprintf("%s: not an AXL service (HTTP %d): %s", e.Addr, e.Status, e.Detail)
}

// FaultError is a SOAP fault AXL answered an operation with.
type FaultError struct {
	Op    string
	Fault *cucm.AXLFault
}

func (e *FaultError) Error() string { return e.Op + ": " + e.Fault.Error() }

func (e *FaultError) Unwrap() error { return e.Fault }

// snippet is the start of a body for an error message: markup dropped,
// blanks collapsed, at most 120 bytes.
func snippet(body []byte) string {
	text := markupRE.ReplaceAll(body, []byte(" "))
	printable := strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, string(bytes.ToValidUTF8(text, []byte("?"))))
	s := strings.Join(strings.Fields(printable), " ")
	if s == "" {
		return "empty answer"
	}
	if len(s) > 120 {
		n := 120
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "..."
	}
	return strconv.Quote(s)
}
