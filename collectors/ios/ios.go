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
	"strings"

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
		// IOS-XE interface templates: what the ports really run with,
		// typed only where the running config shows templates can apply.
		{Key: keyDerivedConfig, CLI: cliDerivedConfig, Parse: ParseDerivedConfig, Optional: true, When: templatesMayApply},
		{Key: keyBuiltinTemplates, CLI: cliBuiltinTemplates, Parse: ParseBuiltinTemplates, Optional: true, When: needsBuiltinTemplates},
		// 802.1X / MAB sessions: the effective inactivity timer, and
		// templates bound at run time; typed only where ports
		// authenticate.
		{Key: keyAccessSession, CLI: cliAccessSession, Parse: ParseAccessSession, Optional: true, When: needsAccessSession},
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

// addWarnings records the rows a parser skipped, stamped with the device.
func addWarnings(d *facts.Device, warns []*facts.ParseError) {
	for _, w := range warns {
		w.Host = d.Name
		d.Warnings = append(d.Warnings, w)
	}
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

	// Separators for bytes.Cut and bytes.Count.
	nl    = []byte{'\n'}
	comma = []byte{','}
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
	data := r.data
	if len(data) == 0 {
		return false
	}
	r.n++
	line, rest, _ := bytes.Cut(data, nl)
	r.data = rest
	line = trimRight(line)
	if r.hasMore { // else paged stays false
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
	// A Builder grown to size makes the one string without copying it
	// through a zeroed buffer.
	var b strings.Builder
	b.Grow(len(r.line) + len(long) + len(name) - i)
	b.Write(r.line)
	b.WriteString(long)
	b.Write(name[i:])
	text := b.String()
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
	i := wordEnd(b)
	return b[:i], trimLeft(b[i:])
}

// wordEnd is the index of the first blank in b, or len(b).
func wordEnd(b []byte) int {
	i := 0
	for i < len(b) && !isBlank(b[i]) {
		i++
	}
	return i
}

// hasPrefix is bytes.HasPrefix for a constant prefix. Inlined, it tests
// the first byte before the rest, so that a line that does not start
// like the prefix (most lines, for each key a parser looks for) costs a
// load and a compare rather than a call to compare the whole prefix.
func hasPrefix(b []byte, p string) bool {
	return len(b) >= len(p) && (len(p) == 0 || b[0] == p[0]) && string(b[:len(p)]) == p
}

// keyword reports whether b, which has no leading blanks, starts with the
// word kw, and returns what follows it, left-trimmed: cut(b) with its word
// compared to kw, without scanning the word byte by byte (inlined, the
// comparison with a constant kw is a few loads).
func keyword(b []byte, kw string) ([]byte, bool) {
	if len(b) < len(kw) || string(b[:len(kw)]) != kw || len(b) > len(kw) && !isBlank(b[len(kw)]) {
		return nil, false
	}
	return trimLeft(b[len(kw):]), true
}

// fields splits b on blanks into dst (reused to avoid allocation). It
// is a loop of cut, written as one pass: table rows are mostly runs of
// padding, each blank of which cut would visit twice.
func fields(dst [][]byte, b []byte) [][]byte {
	dst = dst[:0]
	i := 0
	for {
		for i < len(b) && isBlank(b[i]) {
			i++
		}
		if i == len(b) {
			return dst
		}
		j := i + wordEnd(b[i:])
		dst = append(dst, b[i:j])
		i = j
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

// countLines counts the lines of data that start with prefix; anchor is
// the index of a byte of prefix that is rare in device output (indexAt).
func countLines(data []byte, prefix string, anchor int) int {
	return countAt(data, prefix, anchor, true)
}

// count counts the occurrences of pat anywhere in data: bytes.Count, for
// a pat that cannot overlap itself, searched for by its byte at anchor.
func count(data []byte, pat string, anchor int) int {
	return countAt(data, pat, anchor, false)
}

func countAt(data []byte, pat string, anchor int, lineStart bool) int {
	n := 0
	for i := indexAt(data, 0, pat, anchor, lineStart); i >= 0; i = indexAt(data, i+len(pat), pat, anchor, lineStart) {
		n++
	}
	return n
}

// indexAt returns the index of the first occurrence of pat in data at or
// after from (only at the start of a line when lineStart), or -1. It looks
// for the byte of the pattern at index anchor, one rare in device output
// (the 'f' of "interface "), and compares the pattern around it: that
// search stops a few times per hundred lines, where a search for '\n' or
// for the pattern's first byte (bytes.Index) stops at every line.
func indexAt(data []byte, from int, pat string, anchor int, lineStart bool) int {
	c := pat[anchor]
	for i := from + anchor; i < len(data); i++ {
		j := bytes.IndexByte(data[i:], c)
		if j < 0 {
			break
		}
		i += j
		start := i - anchor
		if start+len(pat) <= len(data) && string(data[start:start+len(pat)]) == pat &&
			(!lineStart || start == 0 || data[start-1] == '\n') {
			return start
		}
	}
	return -1
}

// countRows counts the lines of data that start with an interface name:
// the capacity of a per-port table's rows, so that the kept slice is
// allocated once and at about its final size.
func countRows(data []byte) int {
	n := 0
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, nl)
		// The first word, as cut has it, without trimming the padding
		// after it.
		line = trim(line)
		if looksLikeInterface(line[:wordEnd(line)]) {
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
	// Every line of a neighbour table is tried, so its bytes are
	// classified by a table rather than by five comparisons each.
	i, n := 0, min(len(line), 65)
	for ; i < n; i++ {
		if k := promptByte[line[i]]; k != 0 {
			if k == promptNot {
				return nil, false
			}
			break
		}
	}
	if i == len(line) || i == 65 { // no '#' or '>', or a name longer than 64
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

// promptByte classifies the bytes of a prompt's host name for isPrompt.
var promptByte = [256]uint8{'#': promptEnd, '>': promptEnd, ' ': promptNot, '\t': promptNot, ':': promptNot}

const (
	promptEnd = 1 + iota // ends the host name
	promptNot            // cannot be in a host name
)

// isDashes reports whether line is a separator made only of '-' or '='
// (at least three).
//
// Every line of some outputs is tried: the first byte is tested inline,
// and only rules go on to dashRun.
func isDashes(line []byte) bool {
	line = trimLeft(line)
	return len(line) > 0 && (line[0] == '-' || line[0] == '=') && dashRun(line)
}

func dashRun(line []byte) bool {
	line = trimRight(line)
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

// longIfNamesBy holds longIfNames by first letter, in the same order: a
// name is compared only with the types that start like it.
var longIfNamesBy = func() (by [256][]string) {
	for _, n := range longIfNames {
		by[n[0]] = append(by[n[0]], n)
	}
	return by
}()

// isCanonicalInterface reports whether b is already a canonical long
// interface name (facts.CanonicalInterface would return it unchanged).
func isCanonicalInterface(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, n := range longIfNamesBy[b[0]] {
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
// are stored once. The zero value is ready to use.
//
// Values come back row after row and block after block, so a small
// direct-mapped cache of the strings handed out, indexed by a value's
// length and three of its bytes, answers most lookups with one
// comparison instead of hashing the value.
type interner struct {
	recent [32]string
	set    fewMap[string]
}

func (in *interner) get(b []byte) string {
	slot := &in.recent[internSlot(b)]
	if *slot == string(b) {
		return *slot
	}
	s, ok := in.set.lookup(b)
	if !ok {
		s = string(b)
		in.set.add(s, s)
	}
	*slot = s
	return s
}

// fewMap maps the distinct texts of one parse to values. Most outputs have
// only a few: they are kept in an array, searched in turn, and a map is
// made only past fewMax of them (or from the start, when m is set). The
// zero value is ready to use.
type fewMap[V any] struct {
	keys [fewMax]string
	vals [fewMax]V
	n    int
	m    map[string]V
}

const fewMax = 32

func (f *fewMap[V]) lookup(b []byte) (V, bool) {
	if f.m != nil {
		v, ok := f.m[string(b)]
		return v, ok
	}
	for i, k := range f.keys[:f.n] {
		if k == string(b) {
			return f.vals[i], true
		}
	}
	var zero V
	return zero, false
}

func (f *fewMap[V]) add(k string, v V) {
	if f.m == nil {
		if f.n < fewMax {
			f.keys[f.n], f.vals[f.n] = k, v
			f.n++
			return
		}
		f.m = make(map[string]V, 2*fewMax)
		for i, k := range f.keys {
			f.m[k] = f.vals[i]
		}
	}
	f.m[k] = v
}

// internSlot picks b's entry in interner.recent. Its last two bytes tell
// apart the lines that differ only in a number (" switchport access vlan
// 20" and "... 30"), the length and middle byte most others.
func internSlot(b []byte) int {
	n := len(b)
	if n < 2 {
		return n
	}
	return (n + int(b[n-1]) + 3*int(b[n-2]) + 5*int(b[n/2])) & 31
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
// The zero value is ready to use.
type listInterner struct{ set fewMap[[]string] }

// get returns the list split reads from b, the same one for equal b.
func (in *listInterner) get(b []byte, split func([]byte) []string) []string {
	if l, ok := in.set.lookup(b); ok {
		return l
	}
	l := split(b)
	l = l[:len(l):len(l)]
	in.set.add(string(b), l)
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
		var s strings.Builder
		s.Grow(len(long) + len(b) - i)
		s.WriteString(long)
		s.Write(b[i:])
		return s.String()
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
	if len(t) > 0 && t[0] != '^' && t[0] != '%' && !isBlank(t[0]) {
		return false, nil // neither a caret nor an error line: most lines
	}
	if len(t) == 0 || isCaret(t) {
		return true, nil
	}
	if isDeviceError(t) {
		return false, facts.Errorf(key, n, "device error: %s", t)
	}
	return false, nil
}
