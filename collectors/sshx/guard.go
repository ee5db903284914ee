package sshx

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// maxCommandLen bounds what the guard lets through; the longest command
// kaudit sends (the CUCM phones query) is about 330 characters.
const maxCommandLen = 2048

// sessionCommands are the exact non-show lines a session may type: paging
// and width settings and the enable that precedes the enable secret.
var sessionCommands = map[string]bool{
	"terminal length 0":      true,
	"terminal width 511":     true,
	"terminal pager 0":       true,
	"set cli pagination off": true,
	"enable":                 true,
}

// pipeFilters are the output filters a show command may pipe into. Every
// other pipe target (redirect, tee, append, ...) writes somewhere.
var pipeFilters = map[string]bool{
	"include": true, "exclude": true, "begin": true, "section": true, "count": true, "grep": true,
}

// ErrRefused marks a command the read-only guard would not send.
var ErrRefused = errors.New("refused by the read-only guard")

// RefusedError is returned for a command the guard refused; nothing of it
// reached the device.
type RefusedError struct {
	Command string // as given, cut to 80 characters; "" when it may hold a secret
	Reason  string
}

func (e *RefusedError) Error() string {
	if e.Command == "" {
		return fmt.Sprintf("%v: %s", ErrRefused, e.Reason)
	}
	return fmt.Sprintf("%v: %q: %s", ErrRefused, e.Command, e.Reason)
}

func (e *RefusedError) Unwrap() error { return ErrRefused }

func refuse(cmd, format string, args ...any) error {
	if len(cmd) > 80 {
		cmd = cmd[:77] + "..."
	}
	return &RefusedError{Command: cmd, Reason: fmt.Sprintf(format, args...)}
}

// Allowed reports whether cmd may be typed on a device: a show command
// (optionally piped into an output filter), a `run sql select` query, or
// one of the paging/width commands and enable. Anything else, and anything
// that could smuggle a second command (line ends, control characters,
// `;`, pipes into redirect), write a file (show tech, a file argument) or
// run an admin routine from a select, is refused with the reason.
func Allowed(cmd string) error {
	switch {
	case cmd == "":
		return refuse(cmd, "empty command")
	case len(cmd) > maxCommandLen:
		return refuse(cmd, "longer than %d characters", maxCommandLen)
	}
	for i := 0; i < len(cmd); i++ {
		c := cmd[i]
		switch {
		case c == '\n' || c == '\r':
			return refuse(cmd, "contains a line end (it would type two commands)")
		case c < 0x20 || c == 0x7f:
			return refuse(cmd, "contains control character 0x%02x", c)
		case c >= 0x80:
			return refuse(cmd, "contains non-ASCII bytes")
		case c == '?':
			return refuse(cmd, "contains '?', which opens the device's help")
		}
	}
	if strings.TrimSpace(cmd) != cmd {
		return refuse(cmd, "leading or trailing spaces")
	}
	lower := strings.ToLower(cmd)
	words := strings.Fields(lower)
	if sessionCommands[strings.Join(words, " ")] {
		return nil
	}
	switch {
	case words[0] == "show" && len(words) > 1:
		return allowedShow(cmd, lower)
	case len(words) >= 3 && words[0] == "run" && words[1] == "sql" && words[2] == "select":
		return allowedSQL(cmd, lower)
	}
	return refuse(cmd, "not a read-only command (allowed: show ..., run sql select ..., %s)", sessionList())
}

func sessionList() string {
	return "terminal length 0, terminal width 511, terminal pager 0, set cli pagination off, enable"
}

// showForbidden are the keywords no show command may hold, in full or
// abbreviated: what writes a file, sends output elsewhere, changes the
// device or (tech-support) dumps everything into a file at once. IOS, the
// ASA and the CUCM CLI take any unique prefix of a keyword, so "fil" is
// "file" and "te" may be "tee" or "tech-support"; none of kaudit's show
// commands holds such a word.
var showForbidden = []string{
	"copy", "write", "delete", "erase", "configure", "reload", "set", "file",
	"tee", "redirect", "append", "drop", "insert", "update", "create", "alter",
	"execute", "task", "tech-support",
}

func allowedShow(cmd, lower string) error {
	if i := strings.IndexAny(lower, ";<>`"); i >= 0 {
		return refuse(cmd, "contains %q", lower[i])
	}
	parts := strings.Split(lower, "|")
	for _, p := range parts[1:] {
		f := strings.Fields(p)
		if len(f) == 0 {
			return refuse(cmd, "empty pipe")
		}
		if !pipeFilters[f[0]] {
			return refuse(cmd, "pipe into %q (only include, exclude, begin, section, count and grep are read-only)", f[0])
		}
		if len(f) < 2 && f[0] != "count" {
			return refuse(cmd, "pipe %s without a pattern", f[0])
		}
	}
	return showWords(cmd, lower)
}

// showWords refuses a show command holding a forbidden keyword as the
// device would read it: quotes and backslashes dropped (a CLI may take
// them for quoting), a word of letters and hyphens matched as a possible
// abbreviation, and a word with other characters ("disk0:file") cut at
// them and matched in full. Pipe patterns are checked too: kaudit sends
// none, so refusing "| include set" costs nothing.
func showWords(cmd, lower string) error {
	bare := strings.NewReplacer(`"`, "", "'", "", `\`, "", "|", " ").Replace(lower)
	for _, w := range strings.Fields(bare) {
		pieces := strings.FieldsFunc(w, func(r rune) bool { return r != '-' && (r < 'a' || r > 'z') })
		keyword := len(pieces) == 1 && pieces[0] == w
		for _, p := range pieces {
			if strings.HasPrefix(p, "tech") || keyword && strings.HasPrefix("tech-support", p) {
				return refuse(cmd, "%q may be show tech-support, which writes files and loads the device", w)
			}
			for _, k := range showForbidden {
				if p == k || keyword && strings.HasPrefix(k, p) {
					return refuse(cmd, "%q may be %q, which is not read-only", w, k)
				}
			}
		}
	}
	return nil
}

// writeKind is what the guard let through.
type writeKind int

const (
	writeReturn writeKind = iota
	writeCommand
	writeSecret
	writePager
	writeAnswer    // an armed answer to an interactive command's question
	writeInterrupt // Ctrl-C to a foreground command
)

// guard is the one gate every byte written to a device session passes.
// Besides allow-listed commands it lets through a bare return, the answer
// to a pager prompt the reader has just seen, and the enable secret — but
// only right after "enable" and its return were sent.
type guard struct {
	// capture holds the exact capture commands a confirm session opted
	// into (SessionOptions.CaptureCommands); empty for an audit.
	capture     map[string]bool
	enable      []byte
	enableTyped bool // "enable" was the last command
	secretOK    bool // "enable" and its return went out: the secret may follow
	pagerOK     bool // the reader saw a pager prompt and awaits its answer
	// answer is the one reply a dialogue (Session.Dialogue) armed for the
	// question it has just seen; answerSecret hides it in refusals.
	answer       []byte
	answerSecret bool
	// interruptOK lets one Ctrl-C through while a foreground command
	// (Session.Foreground) holds the CLI.
	interruptOK bool
}

// check decides on one write. The caller holds the lock that serialises
// writes and must send nothing when err is set.
func (g *guard) check(p []byte, pager bool) (writeKind, error) {
	switch {
	case pager:
		if !g.pagerOK || string(p) != " " {
			return 0, &RefusedError{Reason: "pager answer without a pager prompt"}
		}
		g.pagerOK = false
		return writePager, nil
	case string(p) == "\n":
		g.secretOK = g.enableTyped
		g.enableTyped = false
		return writeReturn, nil
	case g.secretOK && len(g.enable) > 0 && subtle.ConstantTimeCompare(p, g.enable) == 1:
		g.secretOK = false
		return writeSecret, nil
	case g.answer != nil && subtle.ConstantTimeCompare(p, g.answer) == 1:
		g.answer, g.answerSecret = nil, false
		g.secretOK, g.enableTyped = false, false
		return writeAnswer, nil
	case string(p) == "\x03" && g.interruptOK:
		g.interruptOK = false
		return writeInterrupt, nil
	}
	wasSecretOK := g.secretOK
	g.secretOK, g.enableTyped = false, false
	err := Allowed(string(p))
	if err != nil && g.capture[string(p)] {
		// Only the exact lines this session opted into, and only after
		// the same checks for smuggled lines and the capture grammar.
		err = CaptureAllowed(string(p))
	}
	if err != nil {
		var re *RefusedError
		// What follows an enable may be a mistyped secret, and a secret
		// written out of turn must not be repeated either.
		if errors.As(err, &re) && (wasSecretOK || g.answerSecret || len(g.enable) > 0 && bytes.Contains(p, g.enable)) {
			re.Command = ""
		}
		return 0, err
	}
	g.enableTyped = string(bytes.ToLower(p)) == "enable"
	return writeCommand, nil
}

// captureVerbs are the forms a capture command may take on each platform:
// IOS-XE Embedded Packet Capture (exec mode, no configuration), ASA
// capture and CUCM's utils network capture.
var captureForms = []*regexp.Regexp{
	regexp.MustCompile(`^monitor capture [A-Za-z0-9_]{1,16} (interface [A-Za-z][A-Za-z0-9/.:-]* (both|in|out)|match (any|ipv4 (host [0-9.]+|any) (host [0-9.]+|any))|buffer size [0-9]{1,3}|limit( duration [0-9]{1,6})?( packets [0-9]{1,7})?|start|stop)$`),
	regexp.MustCompile(`^no monitor capture [A-Za-z0-9_]{1,16}$`),
	regexp.MustCompile(`^capture [A-Za-z0-9_]{1,32} (buffer [0-9]{1,9} )?interface [A-Za-z][A-Za-z0-9_.-]* match ip host [0-9.]+ (host [0-9.]+|any)$`),
	regexp.MustCompile(`^no capture [A-Za-z0-9_]{1,32}$`),
	regexp.MustCompile(`^utils network capture eth0 file ` + cucmCaptureName + ` count [0-9]{1,7} size all host ip [0-9.]+$`),
	fileGetForm,
	regexp.MustCompile(`^file delete activelog platform/cli/` + cucmCaptureName + `\.cap noconfirm$`),
}

// cucmCaptureName is the only file name kaudit gives a CUCM capture
// (confirm's KAUD plus hex digits): the file commands can reach no
// other file under activelog, and no wildcard.
const cucmCaptureName = `KAUD[0-9A-F]{2,8}`

// fileGetForm is the one command Session.Dialogue may run: fetching
// kaudit's own capture file, which CUCM pushes over SFTP after asking
// where to.
var fileGetForm = regexp.MustCompile(`^file get activelog platform/cli/` + cucmCaptureName + `\.cap$`)

// AnswerKind is what a dialogue's question asks for; each kind has one
// narrow form its answer must take.
type AnswerKind int

// Answer kinds of the `file get` dialogue.
const (
	AnswerYes    AnswerKind = iota + 1 // "y" or "yes"
	AnswerIP                           // an IP address literal
	AnswerPort                         // 1-65535
	AnswerUser                         // a plain user name
	AnswerSecret                       // a password: printable, no spaces
	AnswerPath                         // an absolute directory path
)

var (
	answerUser = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,32}$`)
	answerPath = regexp.MustCompile(`^/[A-Za-z0-9_./-]{0,255}$`)
)

// AnswerAllowed reports whether answer has the form its kind allows. The
// guard lets an answer through only while a dialogue has armed it, right
// after the device asked the matching question; a secret's text never
// appears in the error.
func AnswerAllowed(kind AnswerKind, answer string) error {
	bad := func(what string) error { return &RefusedError{Reason: "answer is not " + what} }
	switch kind {
	case AnswerYes:
		if answer == "y" || answer == "yes" {
			return nil
		}
		return bad("y or yes")
	case AnswerIP:
		if a, err := netip.ParseAddr(answer); err == nil && a.String() == answer {
			return nil
		}
		return bad("an IP address")
	case AnswerPort:
		if n, err := strconv.Atoi(answer); err == nil && n > 0 && n < 65536 && strconv.Itoa(n) == answer {
			return nil
		}
		return bad("a port number")
	case AnswerUser:
		if answerUser.MatchString(answer) {
			return nil
		}
		return bad("a plain user name")
	case AnswerSecret:
		if len(answer) < 8 || len(answer) > 128 {
			return bad("a password of 8 to 128 characters")
		}
		for i := 0; i < len(answer); i++ {
			if c := answer[i]; c <= 0x20 || c >= 0x7f {
				return bad("a password of printable characters")
			}
		}
		return nil
	case AnswerPath:
		if answerPath.MatchString(answer) && !strings.Contains(answer, "..") {
			return nil
		}
		return bad("an absolute directory path")
	}
	return bad("of a known kind")
}

// CaptureAllowed reports whether cmd is a packet-capture command of the
// forms kaudit confirm types: creating, starting, stopping and removing a
// capture bounded to one interface and host. Nothing that configures the
// device (no interface, no access-list, ...) passes. A session sends such
// a command only when it was opened with it in CaptureCommands.
func CaptureAllowed(cmd string) error {
	if err := Allowed(cmd); err == nil {
		return nil
	} else if re := (*RefusedError)(nil); errors.As(err, &re) && !strings.HasPrefix(re.Reason, "not a read-only command") {
		return err // line ends, control characters, '?', length
	}
	for _, re := range captureForms {
		if re.MatchString(cmd) {
			return nil
		}
	}
	return refuse(cmd, "not a capture command kaudit confirm types")
}
