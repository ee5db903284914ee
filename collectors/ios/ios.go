// Package ios reads Cisco IOS / IOS-XE access-switch outputs into facts.Switch.
//
// Every parser is a pure function over the saved or live text of one
// command. They work on []byte line by line, without regular expressions,
// and allocate strings only for the values they keep, so that a nightly
// audit of thousands of switches stays I/O bound. Each parser reads into
// locals and touches d only once the whole output has been accepted.
package ios

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/facts"
)

// CLI commands and their offline keys.
const (
	cliVersion               = "show version"
	cliRunningConfig         = "show running-config"
	cliCDP                   = "show cdp neighbors detail"
	cliLLDP                  = "show lldp neighbors detail"
	cliPowerInline           = "show power inline"
	cliMACAging              = "show mac address-table aging-time"
	cliPortSecurity          = "show port-security"
	cliPortSecurityInterface = "show port-security interface"
)

var (
	keyVersion               = collectors.Key(cliVersion)
	keyRunningConfig         = collectors.Key(cliRunningConfig)
	keyCDP                   = collectors.Key(cliCDP)
	keyLLDP                  = collectors.Key(cliLLDP)
	keyPowerInline           = collectors.Key(cliPowerInline)
	keyMACAging              = collectors.Key(cliMACAging)
	keyPortSecurity          = collectors.Key(cliPortSecurity)
	keyPortSecurityInterface = collectors.Key(cliPortSecurityInterface)
)

// Commands lists the read-only commands kaudit runs on an IOS switch, with
// their parsers.
func Commands() []collectors.Command {
	cmd := func(cli string, parse func([]byte, *facts.Device) error, optional bool) collectors.Command {
		return collectors.Command{Key: collectors.Key(cli), CLI: cli, Parse: parse, Optional: optional}
	}
	return []collectors.Command{
		cmd(cliVersion, ParseVersion, true),
		cmd(cliRunningConfig, ParseRunningConfig, false),
		cmd(cliCDP, ParseCDP, false),
		// LLDP is off by default on IOS; many sites run CDP only.
		cmd(cliLLDP, ParseLLDP, true),
		// Switches without PoE answer with an error.
		cmd(cliPowerInline, ParsePowerInline, true),
		cmd(cliMACAging, ParseMACAging, false),
		cmd(cliPortSecurity, ParsePortSecurity, false),
		// Per-interface blocks are collected only for ports of interest and
		// saved together, each after its echoed command line. Without an
		// interface name the device answers "% Incomplete command", so a
		// live audit does not type it: show port-security and the running
		// config carry what the rules need.
		{Key: keyPortSecurityInterface, CLI: cliPortSecurityInterface, Parse: ParsePortSecurityInterface, Optional: true, OfflineOnly: true},
	}
}

// ensureSwitch returns d.Switch, creating it. Call it only once parsing has
// succeeded, so that a failed parse leaves d untouched.
func ensureSwitch(d *facts.Device) *facts.Switch {
	if d.Switch == nil {
		d.Switch = &facts.Switch{}
	}
	return d.Switch
}

// withHost stamps the device name on a ParseError, so that the error read
// alone still says which device's file it is about.
func withHost(err error, d *facts.Device) error {
	var pe *facts.ParseError
	if errors.As(err, &pe) && pe.Host == "" {
		pe.Host = d.Name
	}
	return err
}

// checkText is facts.CheckText plus an empty-output check: no command kaudit
// runs prints nothing, so an empty file is a failed capture.
func checkText(key string, data []byte) error {
	if err := facts.CheckText(key, data); err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return facts.Errorf(key, 0, "empty output")
	}
	return nil
}

var (
	moreToken = []byte("--More--")
	// moreTail finds outputs with a paging prompt: the tail of moreToken,
	// whose first byte, unlike '-', is rare in device output, so the
	// search skips ahead instead of stopping at every rule of dashes.
	moreTail = moreToken[2:]
)

// lineReader walks device output one line at a time without copying it.
// line has CR and trailing blanks removed, and any --More-- paging prompt
// left by a capture made with paging on is cut away.
type lineReader struct {
	data    []byte
	n       int    // 1-based number of the current line
	line    []byte // the current line
	hasMore bool   // the output may hold a --More-- prompt
	// paged is set when the current line followed a --More-- prompt whose
	// erase sequence was lost, so its leading indentation is unknown.
	paged bool
}

func newLineReader(data []byte) *lineReader {
	return &lineReader{data: data, hasMore: bytes.Contains(data, moreTail)}
}

func (r *lineReader) next() bool {
	if len(r.data) == 0 {
		return false
	}
	r.n++
	var line []byte
	if i := bytes.IndexByte(r.data, '\n'); i >= 0 {
		line, r.data = r.data[:i], r.data[i+1:]
	} else {
		line, r.data = r.data, nil
	}
	line = trimRight(line)
	r.paged = false
	if r.hasMore {
		line, r.paged = stripMore(line)
	}
	r.line = line
	return true
}

// src is the Source of the current line.
func (r *lineReader) src(d *facts.Device, key string) facts.Source {
	return facts.At(d, key, facts.Line{N: r.n, Text: string(r.line)})
}

// srcIf is src together with ifName(name), name being a word of the
// current line (a table row's port): the name is cut from the line's text
// when already in long form, else both strings come from one allocation.
func (r *lineReader) srcIf(d *facts.Device, key string, name []byte) (facts.Source, string) {
	if isCanonicalInterface(name) {
		src := r.src(d, key)
		if off := cap(r.line) - cap(name); off >= 0 && off+len(name) <= len(r.line) {
			return src, src.Text[off : off+len(name)]
		}
		return src, string(name)
	}
	long, i := ifAbbrev(name)
	if long == "" {
		return r.src(d, key), facts.CanonicalInterface(string(name))
	}
	var buf [160]byte
	text := string(append(append(append(buf[:0], r.line...), long...), name[i:]...))
	return facts.At(d, key, facts.Line{N: r.n, Text: text[:len(r.line)]}), text[len(r.line):]
}

// stripMore removes a " --More-- " paging prompt and the terminal erase
// sequence (backspaces or CR, spaces, backspaces or CR) that followed it;
// what remains is the next line of output. When the erase sequence is
// missing, the indentation of that line cannot be known: paged says so.
func stripMore(line []byte) ([]byte, bool) {
	i := bytes.Index(line, moreToken)
	if i < 0 {
		return line, false
	}
	rest := line[i+len(moreToken):]
	if j := bytes.LastIndexAny(rest, "\b\r"); j >= 0 {
		return rest[j+1:], false
	}
	rest = trimLeft(rest)
	return rest, len(rest) > 0
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func trimRight(b []byte) []byte {
	for len(b) > 0 {
		c := b[len(b)-1]
		if c != ' ' && c != '\t' && c != '\r' {
			break
		}
		b = b[:len(b)-1]
	}
	return b
}

func trimLeft(b []byte) []byte {
	for len(b) > 0 && isBlank(b[0]) {
		b = b[1:]
	}
	return b
}

func trim(b []byte) []byte { return trimLeft(trimRight(b)) }

// cut returns the first blank-separated word of b and what follows it,
// left-trimmed.
func cut(b []byte) (word, rest []byte) {
	b = trimLeft(b)
	i := 0
	for i < len(b) && !isBlank(b[i]) {
		i++
	}
	return b[:i], trimLeft(b[i:])
}

// fields splits b on blanks into dst (reused to avoid allocation).
func fields(dst [][]byte, b []byte) [][]byte {
	dst = dst[:0]
	for {
		var w []byte
		w, b = cut(b)
		if len(w) == 0 {
			return dst
		}
		dst = append(dst, w)
	}
}

// joinWords appends ws to dst, separated by single blanks.
func joinWords(dst []byte, ws [][]byte) []byte {
	for i, w := range ws {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, w...)
	}
	return dst
}

// countLines counts the lines of data that start with prefix. It is
// bytes.Count of "\n"+prefix, and a little quicker: that search stops at
// every newline anyway.
func countLines(data []byte, prefix string) int {
	n := 0
	for {
		if len(data) >= len(prefix) && string(data[:len(prefix)]) == prefix {
			n++
		}
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return n
		}
		data = data[i+1:]
	}
}

// countRows counts the lines of data that start with an interface name:
// the capacity of a per-port table's rows, so that the kept slice is
// allocated once and at about its final size.
func countRows(data []byte) int {
	n := 0
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if w, _ := cut(trimRight(line)); looksLikeInterface(w) {
			n++
		}
	}
	return n
}

// hasPrefixFold reports whether b starts with the ASCII prefix p, ignoring case.
func hasPrefixFold(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c, d := b[i], p[i]
		if c == d {
			continue
		}
		if c|0x20 != d|0x20 || c|0x20 < 'a' || c|0x20 > 'z' {
			return false
		}
	}
	return true
}

// atoi parses a non-negative decimal number of at most 9 digits.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// leadingInt parses the number that starts b ("300 sec", "15.4") and
// returns what follows it.
func leadingInt(b []byte) (int, []byte, bool) {
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	n, ok := atoi(b[:i])
	return n, b[i:], ok
}

// isPrompt reports whether line is a device prompt, alone or followed by
// an echoed command: "sw1#", "sw1#show cdp neighbors detail",
// "Device# show cdp ...", "sw1>sh ver". It returns the command part.
func isPrompt(line []byte) (cmd []byte, ok bool) {
	line = trimLeft(line)
	// The host name before # or > has no blank or colon: stop at the first.
	i := 0
	for ; i < len(line) && line[i] != '#' && line[i] != '>'; i++ {
		if c := line[i]; isBlank(c) || c == ':' || i == 64 {
			return nil, false
		}
	}
	if i == len(line) {
		return nil, false
	}
	cmd = trim(line[i+1:])
	if len(cmd) == 0 {
		if i == 0 {
			return nil, false // a lone "#" or ">" is not a prompt
		}
		return cmd, true
	}
	if !hasPrefixFold(cmd, "sh") && !hasPrefixFold(cmd, "term") {
		return nil, false
	}
	return cmd, true
}

// isDashes reports whether line is a separator made only of '-' or '='
// (at least three).
func isDashes(line []byte) bool {
	line = trim(line)
	if len(line) < 3 {
		return false
	}
	for _, c := range line {
		if c != '-' && c != '=' && !isBlank(c) {
			return false
		}
	}
	return true
}

// isDeviceError reports an IOS CLI error line ("% Invalid input detected",
// "% CDP is not enabled").
func isDeviceError(line []byte) bool {
	t := trim(line)
	return len(t) > 0 && t[0] == '%'
}

// isCaret reports the "^" marker line IOS prints under a rejected command,
// before its "% Invalid input" line.
func isCaret(line []byte) bool {
	t := trim(line)
	return len(t) == 1 && t[0] == '^'
}

// looksLikeInterface reports whether w is an interface name such as
// Gi1/0/5, FastEthernet0/1, Po12 or Vlan200: letters (and '-') followed by
// a number made of digits, '/', '.' and ':'.
func looksLikeInterface(w []byte) bool {
	i := 0
	for i < len(w) && (w[i]|0x20 >= 'a' && w[i]|0x20 <= 'z' || w[i] == '-' && i > 0) {
		i++
	}
	if i == 0 || i == len(w) || w[i] < '0' || w[i] > '9' {
		return false
	}
	for _, c := range w[i:] {
		if !(c >= '0' && c <= '9' || c == '/' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// lower returns b as a string in ASCII lower case.
func lower(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}

// errorf is fmt.Errorf for messages the caller places at a line.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// longIfNames are the canonical interface types, for a fast path: names
// already in long form (as every running config writes them) need no
// expansion.
var longIfNames = []string{
	"GigabitEthernet", "FastEthernet", "TenGigabitEthernet", "TwoGigabitEthernet",
	"FiveGigabitEthernet", "TwentyFiveGigE", "FortyGigabitEthernet", "HundredGigE",
	"Ethernet", "Port-channel", "Vlan", "Loopback", "Tunnel",
}

// isCanonicalInterface reports whether b is already a canonical long
// interface name (facts.CanonicalInterface would return it unchanged).
func isCanonicalInterface(b []byte) bool {
	for _, n := range longIfNames {
		if len(b) > len(n) && string(b[:len(n)]) == n && b[len(n)] >= '0' && b[len(n)] <= '9' {
			for _, c := range b[len(n):] {
				if !(c >= '0' && c <= '9' || c == '/' || c == '.' || c == ':') {
					return false
				}
			}
			return true
		}
	}
	return false
}

// interner hands out one string per distinct value within one parse: the
// platform, version text and capabilities of a hundred identical phones
// are stored once.
type interner map[string]string

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// suffixOf returns b as a string cut from the end of text when text ends
// with it (a value at the end of a line whose Source holds text), else a
// copy.
func suffixOf(text string, b []byte) string {
	if len(b) <= len(text) {
		if s := text[len(text)-len(b):]; s == string(b) {
			return s
		}
	}
	return string(b)
}

// listInterner hands out one list per distinct text within one parse: the
// capabilities of a hundred phones are one list. The lists are full (no
// spare capacity), so that appending to one never writes into another's.
type listInterner map[string][]string

// get returns the list split reads from b, the same one for equal b.
func (in listInterner) get(b []byte, split func([]byte) []string) []string {
	if l, ok := in[string(b)]; ok {
		return l
	}
	l := split(b)
	l = l[:len(l):len(l)]
	in[string(b)] = l
	return l
}

// ifName canonicalises an interface name, without allocating more than the
// result when it is already in long form or a plain abbreviation (Gi1/0/5,
// the form every table prints).
func ifName(b []byte) string {
	if isCanonicalInterface(b) {
		return string(b)
	}
	if long, i := ifAbbrev(b); long != "" {
		var buf [64]byte
		return string(append(append(buf[:0], long...), b[i:]...))
	}
	return facts.CanonicalInterface(string(b))
}

// ifAbbrev returns the long type name of an interface name whose type part
// (before the first digit) is exactly one of facts.CanonicalInterface's
// abbreviations or long names in some case (facts.InterfaceType), and the
// index of that digit.
// Names with a blank or any byte that CanonicalInterface would trim are
// left to it ("").
func ifAbbrev(b []byte) (string, int) {
	i := 0
	for i < len(b) && (b[i] < '0' || b[i] > '9') {
		i++
	}
	if i == 0 || i == len(b) || i > 20 {
		return "", 0
	}
	for _, c := range b {
		if c <= ' ' || c >= 0x7f {
			return "", 0
		}
	}
	var low [20]byte
	for j, c := range b[:i] {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[j] = c
	}
	long, ok := facts.InterfaceType(string(low[:i]))
	if !ok {
		return "", 0
	}
	return long, i
}

// skipFraming reports whether table line t (left-trimmed) is framing to
// skip: a dashes rule, an echoed prompt, or what skipNoise skips. A device
// error line (% Invalid input ...) fails the output at line n.
func skipFraming(key string, n int, t []byte) (bool, error) {
	if isDashes(t) {
		return true, nil
	}
	if _, ok := isPrompt(t); ok {
		return true, nil
	}
	return skipNoise(key, n, t)
}

// skipNoise reports whether line t (left-trimmed) is blank or the caret
// line IOS prints under a rejected command. A device error line fails the
// output at line n. Parsers that look for their lines by content use it
// alone: a prompt or a rule simply matches nothing there.
func skipNoise(key string, n int, t []byte) (bool, error) {
	if len(t) == 0 || isCaret(t) {
		return true, nil
	}
	if isDeviceError(t) {
		return false, facts.Errorf(key, n, "device error: %s", t)
	}
	return false, nil
}
