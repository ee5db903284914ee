package ios

import (
	"bytes"
	"strings"

	"github.com/kaudit/kaudit/facts"
)

// ParseCDP reads show cdp neighbors detail into d.Switch.Neighbors
// (protocol "cdp"), replacing the CDP neighbours read before. An entry
// without its "Interface:" line (a truncated capture) is skipped with a
// warning naming its line, and the complete entries are kept; an output
// without any complete entry fails, leaving d as it was.
func ParseCDP(data []byte, d *facts.Device) error {
	return parseNeighbors(data, d, "cdp", ReadCDP)
}

// ReadCDP returns the neighbours of show cdp neighbors detail, without
// touching d (read only for the device name in sources). When an entry is
// broken it returns the first such error together with every complete
// entry.
func ReadCDP(data []byte, d *facts.Device) ([]facts.Neighbor, error) {
	key := keyCDP
	if err := checkText(key, data); err != nil {
		return nil, err
	}
	p := cdpParser{nbrReader: newNbrReader(d, key, data)}
	p.out = make([]facts.Neighbor, 0, count(data, cdpDeviceID, 2))
	p.run()
	p.checkTotal("CDP")
	return p.out, p.err
}

// parseNeighbors reads one protocol's neighbours with read and, when the
// output is accepted, swaps them for those of the same protocol on d,
// keeping the other's, so that CDP and LLDP can be parsed in any order,
// or again.
func parseNeighbors(data []byte, d *facts.Device, proto string, read func([]byte, *facts.Device) ([]facts.Neighbor, error)) error {
	ns, err := read(data, d)
	var warn *facts.ParseError
	if err != nil {
		// One broken entry never discards the complete ones: they are
		// kept, and the problem is a warning naming its line. An output
		// with no complete entry is an error.
		if pe, ok := err.(*facts.ParseError); ok && len(ns) > 0 {
			warn = pe
		} else {
			return withHost(err, d)
		}
	}
	if warn != nil {
		defer addWarnings(d, []*facts.ParseError{warn})
	}
	sw := ensureSwitch(d)
	keep := 0
	for i := range sw.Neighbors {
		if sw.Neighbors[i].Protocol != proto {
			keep++
		}
	}
	if keep == 0 {
		// Nothing of the other protocol to keep (the first of the two
		// outputs): the list read is the list kept, without a copy.
		if ns == nil {
			ns = []facts.Neighbor{} // empty rather than nil, as a merged list is
		}
		sw.Neighbors = ns
		return nil
	}
	out := make([]facts.Neighbor, 0, keep+len(ns))
	for i := range sw.Neighbors {
		if sw.Neighbors[i].Protocol != proto {
			out = append(out, sw.Neighbors[i])
		}
	}
	sw.Neighbors = append(out, ns...)
	return nil
}

// nbrReader is the state the CDP and LLDP readers share: where they read,
// what they found, the first error, and the entry count the device
// printed, which must match the entries seen.
type nbrReader struct {
	d    *facts.Device
	key  string
	r    *lineReader
	out  []facts.Neighbor
	err  error
	strs interner
	caps listInterner

	entries   int // entries seen, complete or not
	total     int // "Total ... entries displayed", -1 when absent
	totalLine int
}

func newNbrReader(d *facts.Device, key string, data []byte) nbrReader {
	return nbrReader{d: d, key: key, r: newLineReader(data), total: -1}
}

// fail records the first error; reading goes on to count the entries.
func (p *nbrReader) fail(line int, format string, args ...any) {
	if p.err == nil {
		p.err = facts.Errorf(p.key, line, format, args...)
	}
}

// readTotal reads the "Total ... entries displayed: N" line t.
func (p *nbrReader) readTotal(t []byte) {
	_, v := cutColon(t)
	n, ok := atoi(v)
	if !ok {
		p.fail(p.r.n, "bad entry count %q", v)
		return
	}
	p.total, p.totalLine = n, p.r.n
}

// checkTotal fails a read whose entry count differs from the device's.
func (p *nbrReader) checkTotal(proto string) {
	if p.err == nil && p.total >= 0 && p.total != p.entries {
		p.err = facts.Errorf(p.key, p.totalLine, "device reports %d %s entries, %d found: output garbled", p.total, proto, p.entries)
	}
}

// CDP detail sections an address or text line belongs to.
const (
	cdpNone = iota
	cdpEntryAddrs
	cdpMgmtAddrs
	cdpVersion
)

type cdpParser struct {
	nbrReader

	open    bool // an entry is being read
	cur     facts.Neighbor
	start   int  // line of the open entry's Device ID
	hasIf   bool // the open entry had its Interface line
	section int
	mgmtIP  string
	version []byte
}

const (
	cdpDeviceID   = "Device ID:"
	cdpPlatform   = "Platform:"
	cdpInterface  = "Interface:"
	cdpEntryAddr  = "Entry address(es):"
	cdpMgmtAddr   = "Management address(es):"
	cdpIPAddr     = "IP address:"
	cdpIPv4Addr   = "IPv4 Address:"
	cdpVersionKey = "Version :"
	cdpAdvertVer  = "advertisement version:"
	cdpTotal      = "Total cdp entries displayed"
)

// Keys searched for inside a line, from their colon: the first colon
// after "Platform:" or "Interface:" is usually theirs.
const (
	cdpCaps   = "Capabilities:"
	cdpPortID = "Port ID (outgoing port):"
)

func (p *cdpParser) run() {
	r := p.r
	for r.next() {
		line := r.line
		t := trimLeft(line)
		if len(t) == 0 {
			if p.section == cdpVersion {
				p.section = cdpNone
			}
			continue
		}
		// The version text is the neighbour's own: a line of it that
		// looks like a prompt, a "Device ID:" or a device error is data,
		// never framing (issue 12: "evil#" advertised by a neighbour made
		// the whole output rejected). It ends at a blank line, the
		// "advertisement version" line or an entry separator.
		if p.section == cdpVersion {
			if !hasPrefix(t, cdpAdvertVer) && !isDashes(t) {
				if len(p.version) > 0 {
					p.version = append(p.version, '\n')
				}
				p.version = append(p.version, t...)
				continue
			}
			p.section = cdpNone
		}
		if hasPrefix(t, cdpDeviceID) {
			p.flush()
			p.open, p.start, p.entries = true, r.n, p.entries+1
			src := r.src(p.d, p.key)
			// The ID shares the source line's text.
			id := src.Text[len(src.Text)-len(t)+len(cdpDeviceID):]
			p.cur = facts.Neighbor{Protocol: "cdp", DeviceID: strings.TrimLeft(id, " \t"), Source: src}
			continue
		}
		if _, ok := isPrompt(t); ok {
			p.flush()
			continue
		}
		if hasPrefix(t, cdpTotal) {
			p.flush()
			p.readTotal(t)
			continue
		}
		if !p.open {
			switch {
			case isCaret(t):
			case isDashes(t):
			case isDeviceError(t):
				if !bytes.Contains(t, []byte("not enabled")) {
					p.fail(r.n, "device error: %s", t)
				}
			default:
				p.fail(r.n, "unexpected text before the first %q: %q", cdpDeviceID, clip(t))
			}
			continue
		}
		p.entryLine(t)
	}
	p.flush()
}

// entryLine reads one line inside an entry.
func (p *cdpParser) entryLine(t []byte) {
	// Keys are told apart by their first byte first: a line is compared
	// only with the keys that start like it.
	switch t[0] {
	case 'I':
		if !hasPrefix(t, cdpIPAddr) && !hasPrefix(t, cdpIPv4Addr) {
			break
		}
		_, ip := cutColon(t)
		switch p.section {
		case cdpEntryAddrs:
			if p.cur.IP == "" && len(ip) > 0 {
				p.cur.IP = string(ip)
			}
		case cdpMgmtAddrs:
			// Used only when the entry has no address of its own.
			if p.mgmtIP == "" && p.cur.IP == "" && len(ip) > 0 {
				p.mgmtIP = string(ip)
			}
		}
		return
	case 'E':
		if hasPrefix(t, cdpEntryAddr) {
			p.section = cdpEntryAddrs
			return
		}
	case 'M':
		if hasPrefix(t, cdpMgmtAddr) {
			p.section = cdpMgmtAddrs
			return
		}
	}
	p.section = cdpNone
	switch t[0] {
	case 'P':
		if !hasPrefix(t, cdpPlatform) {
			break
		}
		rest := t[len(cdpPlatform):]
		caps := []byte(nil)
		if i := indexAt(rest, 0, cdpCaps, len(cdpCaps)-1, false); i >= 0 {
			rest, caps = rest[:i], rest[i+len(cdpCaps):]
		}
		p.cur.Platform = p.strs.get(trim(bytes.TrimRight(trim(rest), ",")))
		p.cur.Capabilities = p.caps.get(trim(caps), p.cdpCapabilities)
	case 'I':
		if !hasPrefix(t, cdpInterface) {
			break
		}
		rest := t[len(cdpInterface):]
		port := []byte(nil)
		if i := indexAt(rest, 0, cdpPortID, len(cdpPortID)-1, false); i >= 0 {
			rest, port = rest[:i], rest[i+len(cdpPortID):]
		}
		local := trim(bytes.TrimRight(trim(rest), ","))
		if len(local) > 0 {
			p.cur.LocalInterface = ifName(local)
			p.hasIf = true
		}
		// The neighbour's own name for its port (eth0, Port 1, ...): kept
		// as printed, since expanding it would corrupt non-IOS names.
		p.cur.PortID = p.strs.get(trim(port))
	case 'V':
		if hasPrefix(t, cdpVersionKey) {
			p.section = cdpVersion
			p.version = p.version[:0]
		}
	case '-', '=':
		if isDashes(t) {
			p.flush()
		}
	}
}

// cdpCapabilities splits "Router Switch IGMP" into words, keeping the one
// capability whose name has blanks ("Two-port Mac Relay") whole.
func (p *cdpParser) cdpCapabilities(b []byte) []string {
	var buf [16][]byte
	ws := fields(buf[:0], b)
	if len(ws) == 0 {
		return nil
	}
	out := make([]string, 0, len(ws))
	for i := 0; i < len(ws); i++ {
		if string(ws[i]) == "Two-port" && i+2 < len(ws) && string(ws[i+1]) == "Mac" && string(ws[i+2]) == "Relay" {
			out = append(out, "Two-port Mac Relay")
			i += 2
			continue
		}
		out = append(out, p.strs.get(ws[i]))
	}
	return out
}

func (p *cdpParser) flush() {
	if !p.open {
		return
	}
	p.open = false
	p.section = cdpNone
	n := p.cur
	if n.IP == "" {
		n.IP = p.mgmtIP
	}
	if len(p.version) > 0 {
		n.SoftwareVersion = p.strs.get(p.version)
	}
	p.cur, p.mgmtIP, p.version = facts.Neighbor{}, "", p.version[:0]
	if !p.hasIf {
		p.fail(p.start, "CDP entry for %q has no \"Interface:\" line: output truncated or garbled", n.DeviceID)
		return
	}
	p.hasIf = false
	p.out = append(p.out, n)
}

// cutColon splits "Key : value" at the first colon, trimming both sides.
func cutColon(t []byte) (k, v []byte) {
	i := bytes.IndexByte(t, ':')
	if i < 0 {
		return trim(t), nil
	}
	return trim(t[:i]), trim(t[i+1:])
}

// clip shortens a line quoted in an error.
func clip(b []byte) []byte {
	if len(b) > 60 {
		return b[:60]
	}
	return b
}
