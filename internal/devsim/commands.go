package devsim

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
)

type platform int

const (
	ios platform = iota
	asa
	cucm
)

func parsePlatform(p string) (platform, error) {
	switch p {
	case PlatformIOS:
		return ios, nil
	case PlatformASA:
		return asa, nil
	case PlatformCUCM:
		return cucm, nil
	}
	return 0, fmt.Errorf("unknown platform %q (want ios, asa or cucm)", p)
}

// op says what a matched command does; opLab serves lab output.
type op int

const (
	opLab op = iota
	opExit
	opEnable
	opDisable
	opPageLength // last word is the page length, 0 turns paging off
	opWidth
	opPagingOff
	opPagingOn
)

// entry is one command a host understands. words may hold "<n>", which
// matches any number.
type entry struct {
	cli   string
	words []string
	op    op
	key   string     // lab file key (opLab without out)
	out   *labOutput // fixed output from Host.Extra
	priv  bool       // needs privileged EXEC
}

func mk(o op, cli string) *entry {
	return &entry{cli: cli, words: strings.Fields(cli), op: o}
}

// builtins are the session commands each platform answers itself.
var builtins = map[platform][]*entry{
	ios: {
		mk(opExit, "exit"), mk(opExit, "logout"), mk(opExit, "quit"),
		mk(opEnable, "enable"), mk(opDisable, "disable"),
		mk(opPageLength, "terminal length <n>"), mk(opWidth, "terminal width <n>"),
	},
	asa: {
		mk(opExit, "exit"), mk(opExit, "logout"), mk(opExit, "quit"),
		mk(opEnable, "enable"), mk(opDisable, "disable"),
		mk(opPageLength, "terminal pager <n>"), mk(opPageLength, "terminal pager lines <n>"),
		mk(opWidth, "terminal width <n>"),
	},
	cucm: {
		mk(opExit, "exit"), mk(opExit, "quit"),
		mk(opPagingOff, "set cli pagination off"), mk(opPagingOn, "set cli pagination on"),
	},
}

// key is collectors.Key, repeated here because collectors' own tests may
// one day import devsim and Go forbids that cycle.
func key(cli string) string {
	return strings.ReplaceAll(strings.ToLower(strings.Join(strings.Fields(cli), " ")), " ", "_")
}

// safeKey keeps a typed command from naming a file outside the host dir.
func safeKey(k string) bool {
	return k != "" && k != "." && k != ".." && !strings.ContainsAny(k, "/\\\x00")
}

// sqlKey names the file of a CUCM query the offline layout stores as
// sql_<table>, the first table after FROM.
func sqlKey(cli string) string {
	f := strings.Fields(strings.ToLower(cli))
	if len(f) < 4 || f[0] != "run" || f[1] != "sql" {
		return ""
	}
	for i := 2; i+1 < len(f); i++ {
		if f[i] != "from" {
			continue
		}
		if strings.HasPrefix(f[i+1], "(") {
			continue // a subquery: its own FROM names the table
		}
		t := strings.Trim(f[i+1], "),;")
		if t == "" || !safeKey(t) {
			return ""
		}
		return "sql_" + t
	}
	return ""
}

func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

func needsPriv(p platform, words []string) bool {
	return p != cucm && len(words) > 1 && words[0] == "show" &&
		(words[1] == "running-config" || words[1] == "startup-config")
}

// buildEntries lists what the host answers: Extra, then Keys, then the
// lab files (the first of equal CLIs wins).
func (h *hostState) buildEntries() error {
	h.byCLI = make(map[string]*entry)
	add := func(e *entry) {
		if _, dup := h.byCLI[e.cli]; dup || e.cli == "" {
			return
		}
		e.priv = needsPriv(h.plat, e.words)
		h.byCLI[e.cli] = e
		h.entries = append(h.entries, e)
	}
	for cli, out := range h.Extra {
		c := strings.ToLower(normalize(cli))
		o := frameless([]byte(out))
		add(&entry{cli: c, words: strings.Fields(c), out: o})
	}
	for cli, k := range h.Keys {
		if !safeKey(k) {
			return fmt.Errorf("devsim: host %s: key %q for %q is not a plain file name", h.Name, k, cli)
		}
		c := strings.ToLower(normalize(cli))
		add(&entry{cli: c, words: strings.Fields(c), key: k})
	}
	des, err := os.ReadDir(h.Dir)
	if err != nil {
		return fmt.Errorf("devsim: host %s: %w", h.Name, err)
	}
	for _, de := range des {
		name := de.Name()
		if !de.Type().IsRegular() || !strings.HasSuffix(name, ".txt") {
			continue
		}
		k := strings.TrimSuffix(name, ".txt")
		if h.plat == cucm && strings.HasPrefix(k, "sql_") {
			// Not a CLI: reached through Keys or sqlKey.
			continue
		}
		c := strings.ToLower(strings.ReplaceAll(k, "_", " "))
		add(&entry{cli: c, words: strings.Fields(c), key: k})
	}
	sort.Slice(h.entries, func(i, j int) bool { return h.entries[i].cli < h.entries[j].cli })
	return nil
}

// needsArgument are lab commands a device refuses without one more word:
// a saved show port-security interface file holds the blocks of chosen
// ports, but typed bare the command is incomplete.
var needsArgument = map[string]bool{"show port-security interface": true}

type resolution int

const (
	found resolution = iota
	invalid
	incomplete
	ambiguous
)

// resolve finds the command a line means. IOS and ASA take unambiguous
// abbreviations of the commands this host knows (sh run); CUCM wants
// the whole command. On invalid, failAt is the word to put the caret
// under.
func (h *hostState) resolve(line string, priv bool) (e *entry, r resolution, failAt int) {
	words := strings.Fields(strings.ToLower(line))
	if len(words) == 0 {
		return nil, invalid, 0
	}
	if h.plat == cucm {
		cli := strings.Join(words, " ")
		for _, b := range builtins[cucm] {
			if b.cli == cli {
				return b, found, 0
			}
		}
		if e := h.byCLI[cli]; e != nil {
			return e, found, 0
		}
		for _, k := range []string{key(cli), sqlKey(cli)} {
			if safeKey(k) && fileExists(filepath.Join(h.Dir, k+".txt")) {
				return &entry{cli: cli, words: words, key: k}, found, 0
			}
		}
		return nil, invalid, 0
	}

	var first *entry
	n := 0
	scan := func(list []*entry) *entry {
		for _, c := range list {
			if c.priv && !priv {
				continue
			}
			ok, exact := matchWords(words, c.words)
			if !ok {
				continue
			}
			if exact {
				return c
			}
			if n == 0 {
				first = c
			}
			n++
		}
		return nil
	}
	if c := scan(builtins[h.plat]); c != nil {
		return c, found, 0
	}
	// A lab command typed without the argument it needs is incomplete.
	lab := func(c *entry) (*entry, resolution, int) {
		if needsArgument[c.cli] && len(words) == len(c.words) {
			return nil, incomplete, 0
		}
		return c, found, 0
	}
	if c := scan(h.entries); c != nil {
		return lab(c)
	}
	switch {
	case n == 1:
		return lab(first)
	case n > 1:
		return nil, ambiguous, 0
	}
	for k := range words {
		if !h.anyPrefix(words[:k+1], priv) {
			return nil, invalid, k
		}
	}
	return nil, incomplete, 0
}

// anyPrefix reports whether some command starts with the typed words.
func (h *hostState) anyPrefix(words []string, priv bool) bool {
	for _, list := range [][]*entry{builtins[h.plat], h.entries} {
		for _, c := range list {
			if c.priv && !priv || len(c.words) < len(words) {
				continue
			}
			if ok, _ := matchWords(words, c.words[:len(words)]); ok {
				return true
			}
		}
	}
	return false
}

// acceptedChars is how many leading characters of word k some command
// still accepts after the words before it: IOS puts its caret under the
// first character it could not parse, not under the start of the word
// (see iosInvalidInput).
func (h *hostState) acceptedChars(words []string, k int, priv bool) int {
	if k < 0 || k >= len(words) {
		return 0
	}
	w, best := words[k], 0
	for _, list := range [][]*entry{builtins[h.plat], h.entries} {
		for _, c := range list {
			if c.priv && !priv || len(c.words) <= k {
				continue
			}
			if ok, _ := matchWords(words[:k], c.words[:k]); !ok {
				continue
			}
			n := 0
			if cw := c.words[k]; cw == "<n>" {
				for n < len(w) && n < 9 && w[n] >= '0' && w[n] <= '9' {
					n++
				}
			} else {
				for n < len(w) && n < len(cw) && w[n] == cw[n] {
					n++
				}
			}
			best = max(best, n)
		}
	}
	return min(best, len(w))
}

// matchWords matches typed words against a command word by word, each
// typed word an abbreviation of the command's.
func matchWords(typed, cmd []string) (ok, exact bool) {
	if len(typed) != len(cmd) {
		return false, false
	}
	exact = true
	for i, t := range typed {
		c := cmd[i]
		switch {
		case c == "<n>":
			if !isNumber(t) {
				return false, false
			}
		case t == c:
		case strings.HasPrefix(c, t):
			exact = false
		default:
			return false, false
		}
	}
	return true, exact
}

func isNumber(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// labOutput is a command's output as the device prints it, without the
// echoed command and the trailing prompt of the saved file. body is
// shared by every session: never modify it.
type labOutput struct {
	body  []byte
	lines int
	// wire is body as a terminal prints it, every line ended by CRLF:
	// what a session writes in one piece when nothing (paging, a fault)
	// stops it line by line.
	wire []byte
}

func frameless(body []byte) *labOutput {
	o := &labOutput{body: body, lines: countLines(body)}
	o.wire = make([]byte, 0, len(body)+o.lines)
	src := bodyLines{rest: body}
	for l, ok := src.next(); ok; l, ok = src.next() {
		o.wire = append(append(o.wire, l...), '\r', '\n')
	}
	return o
}

func countLines(b []byte) int {
	n := bytes.Count(b, []byte("\n"))
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

var (
	// A saved output often starts with the prompt and the command typed
	// (sw1#show running-config) and ends with the next prompt.
	echoNet    = regexp.MustCompile(`^[\w.\-@/:]{1,63}(\([\w.\-@/:+]{0,32}\))?[>#] ?[A-Za-z]`)
	promptNet  = regexp.MustCompile(`^[\w.\-@/:]{1,63}(\([\w.\-@/:+]{0,32}\))?[>#]\s*$`)
	echoCUCM   = regexp.MustCompile(`^admin: ?[A-Za-z]`)
	promptCUCM = regexp.MustCompile(`^admin:\s*$`)
)

// stripFraming returns the part of a saved output the device prints
// between the echoed command and the next prompt, as a subslice of data.
func stripFraming(data []byte, p platform) []byte {
	echo, prompt := echoNet, promptNet
	if p == cucm {
		echo, prompt = echoCUCM, promptCUCM
	}
	body := data
	first := body
	nl := bytes.IndexByte(body, '\n')
	if nl >= 0 {
		first = body[:nl]
	}
	if echo.Match(bytes.TrimRight(first, "\r")) {
		if nl >= 0 {
			body = body[nl+1:]
		} else {
			body = body[len(body):]
		}
	}
	end := len(body)
	for end > 0 && (body[end-1] == '\n' || body[end-1] == '\r') {
		end--
	}
	start := bytes.LastIndexByte(body[:end], '\n') + 1
	if prompt.Match(body[start:end]) {
		body = body[:start]
	}
	return body
}

// labCache reads each lab file once and shares its bytes between all
// sessions; identical files (a lab cloned for a thousand hosts) are kept
// once. Past max bytes, files are read per command instead.
type labCache struct {
	mu    sync.Mutex
	max   int64
	size  int64
	files map[string]*labOutput
	blobs map[[sha256.Size]byte][]byte
}

func newLabCache(max int64) *labCache {
	return &labCache{max: max, files: make(map[string]*labOutput), blobs: make(map[[sha256.Size]byte][]byte)}
}

func (c *labCache) load(path string, p platform) (*labOutput, error) {
	c.mu.Lock()
	o := c.files[path]
	c.mu.Unlock()
	if o != nil {
		return o, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if c.max < 0 {
		return frameless(stripFraming(data, p)), nil
	}
	sum := sha256.Sum256(data)
	c.mu.Lock()
	defer c.mu.Unlock()
	if o := c.files[path]; o != nil {
		return o, nil
	}
	if b, ok := c.blobs[sum]; ok {
		data = b
	} else if c.size+int64(len(data)) <= c.max {
		c.blobs[sum] = data
		c.size += int64(len(data))
	} else {
		return frameless(stripFraming(data, p)), nil
	}
	o = frameless(stripFraming(data, p))
	c.files[path] = o
	return o, nil
}

func isNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
