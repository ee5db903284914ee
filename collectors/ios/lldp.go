package ios

import (
	"bytes"

	"github.com/kaudit/kaudit/facts"
)

// ParseLLDP reads show lldp neighbors detail into d.Switch.Neighbors
// (protocol "lldp"), replacing the LLDP neighbours read before.
//
// DeviceID is the System Name ("" when not advertised), PortID the Port id
// as printed, Capabilities the enabled capability codes (B, R, T, ...),
// IP the first management IPv4 address (else the first IPv6 one), Platform the LLDP-MED model, VoiceVLAN the
// LLDP-MED Network Policy(Voice) VLAN. Older IOS releases omit "Local
// Intf"; LocalInterface is then "".
func ParseLLDP(data []byte, d *facts.Device) error {
	return parseNeighbors(data, d, "lldp", readLLDP)
}

const (
	lldpLocalIntf  = "Local Intf:"
	lldpChassis    = "Chassis id:"
	lldpPortID     = "Port id:"
	lldpPortDesc   = "Port Description:"
	lldpSysName    = "System Name:"
	lldpSysDesc    = "System Description"
	lldpTimeRem    = "Time remaining"
	lldpEnabledCap = "Enabled Capabilities:"
	lldpMgmt       = "Management Addresses"
	lldpIP         = "IP:"
	lldpIPv6       = "IPV6:"
	lldpVoice      = "Network Policy(Voice):"
	lldpModel      = "Model:"
	lldpTotal      = "Total entries displayed"
)

const (
	lldpNone = iota
	lldpDesc
	lldpMgmtAddrs
)

type lldpParser struct {
	nbrReader

	started bool // a separator or an entry key has been seen
	open    bool
	cur     facts.Neighbor
	start   int
	first   []byte // text of the entry's first line
	hasName bool
	section int
	desc    []byte
	ipv6    []byte // the first IPv6 management address, used when no IP: line
}

func readLLDP(data []byte, d *facts.Device) ([]facts.Neighbor, error) {
	key := keyLLDP
	if err := checkText(key, data); err != nil {
		return nil, err
	}
	p := &lldpParser{nbrReader: newNbrReader(d, key, data)}
	p.out = make([]facts.Neighbor, 0, count(data, lldpChassis, 1))
	p.run()
	p.checkTotal("LLDP")
	if p.err != nil {
		return nil, p.err
	}
	return p.out, nil
}

func (p *lldpParser) run() {
	r := p.r
	for r.next() {
		t := trimLeft(r.line)
		if len(t) == 0 {
			if p.section == lldpDesc {
				p.section = lldpNone
			}
			continue
		}
		// The system description is the neighbour's own text: a line of
		// it that looks like a prompt or an entry key is data, never
		// framing. It ends at a blank line or "Time remaining".
		if p.section == lldpDesc && !hasPrefix(t, lldpTimeRem) {
			if len(p.desc) > 0 {
				p.desc = append(p.desc, '\n')
			}
			p.desc = append(p.desc, t...)
			continue
		}
		// Keys are told apart by their first byte first: a line is
		// compared only with the keys that start like it.
		switch t[0] {
		case '-', '=':
			if isDashes(t) {
				p.flush()
				p.started = true
				continue
			}
		case 'T':
			if hasPrefix(t, lldpTotal) {
				p.flush()
				p.readTotal(t)
				continue
			}
		case 'L':
			if hasPrefix(t, lldpLocalIntf) {
				if p.open && (p.cur.LocalInterface != "" || p.cur.ChassisID != "") {
					p.flush()
				}
				p.begin()
				if v := trim(t[len(lldpLocalIntf):]); len(v) > 0 {
					p.cur.LocalInterface = ifName(v)
				}
				continue
			}
		case 'C':
			if hasPrefix(t, lldpChassis) {
				if p.open && p.cur.ChassisID != "" {
					p.flush()
				}
				p.begin()
				p.cur.ChassisID = string(trim(t[len(lldpChassis):]))
				continue
			}
		}
		if _, ok := isPrompt(t); ok {
			p.flush()
			continue
		}
		if !p.open {
			switch {
			case isCaret(t):
			case isDeviceError(t):
				if !bytes.Contains(t, []byte("not enabled")) {
					p.fail(r.n, "device error: %s", t)
				}
			case !p.started:
				p.fail(r.n, "unexpected text before the first LLDP entry: %q", clip(t))
			}
			continue
		}
		p.entryLine(t)
	}
	p.flush()
}

// begin opens an entry at the current line unless one is open.
func (p *lldpParser) begin() {
	if p.open {
		return
	}
	p.open, p.started, p.start, p.first, p.entries = true, true, p.r.n, p.r.line, p.entries+1
	p.cur = facts.Neighbor{Protocol: "lldp"}
	p.hasName = false
}

func (p *lldpParser) entryLine(t []byte) {
	if p.section == lldpMgmtAddrs {
		if hasPrefix(t, lldpIP) {
			if p.cur.IP == "" {
				p.cur.IP = string(trim(t[len(lldpIP):]))
			}
			return
		}
		if hasPrefix(t, lldpIPv6) {
			if len(p.ipv6) == 0 {
				p.ipv6 = append(p.ipv6, trim(t[len(lldpIPv6):])...)
			}
			return
		}
		if t[0] != 'I' && t[0] != 'O' && (t[0] < '0' || t[0] > '9') {
			p.section = lldpNone // past IP:, IPV6:, OID: and OID values
		} else {
			return
		}
	}
	// By first byte, as in run.
	switch t[0] {
	case 'P':
		if hasPrefix(t, lldpPortID) {
			p.cur.PortID = string(trim(t[len(lldpPortID):]))
		} else if hasPrefix(t, lldpPortDesc) {
			p.cur.PortDescription = p.strs.get(trim(t[len(lldpPortDesc):]))
		}
	case 'S':
		if hasPrefix(t, lldpSysName) {
			src := p.r.src(p.d, p.key)
			p.cur.DeviceID = suffixOf(src.Text, trim(t[len(lldpSysName):]))
			p.cur.Source = src
			p.hasName = true
		} else if hasPrefix(t, lldpSysDesc) {
			p.desc = p.desc[:0]
			rest := t[len(lldpSysDesc):]
			if len(rest) > 0 && rest[0] == ':' {
				p.section = lldpDesc
				if v := trim(rest[1:]); len(v) > 0 {
					p.desc = append(p.desc, v...)
				}
			}
		}
	case 'E':
		if hasPrefix(t, lldpEnabledCap) {
			p.cur.Capabilities = p.caps.get(trim(t[len(lldpEnabledCap):]), p.lldpCapabilities)
		}
	case 'M':
		if hasPrefix(t, lldpMgmt) {
			if t[len(t)-1] == ':' {
				p.section = lldpMgmtAddrs
			}
		} else if hasPrefix(t, lldpModel) {
			p.cur.Platform = p.strs.get(trim(t[len(lldpModel):]))
		}
	case 'N':
		if hasPrefix(t, lldpVoice) {
			// "VLAN 66, tagged, Layer-2 priority: 5, DSCP: 46"
			v := trim(t[len(lldpVoice):])
			if w, rest := cut(v); string(w) == "VLAN" {
				if n, _, ok := leadingInt(rest); ok {
					p.cur.VoiceVLAN = n
				}
			}
		}
	}
}

// lldpCapabilities splits "B,T" into its codes.
func (p *lldpParser) lldpCapabilities(b []byte) []string {
	var out []string
	n := bytes.Count(b, comma) + 1
	for len(b) > 0 {
		var c []byte
		c, b, _ = bytes.Cut(b, comma)
		if c = trim(c); len(c) > 0 {
			if out == nil {
				out = make([]string, 0, n)
			}
			out = append(out, p.strs.get(c))
		}
	}
	return out
}

func (p *lldpParser) flush() {
	if !p.open {
		return
	}
	p.open = false
	p.section = lldpNone
	n := p.cur
	if len(p.desc) > 0 {
		n.SoftwareVersion = p.strs.get(p.desc)
	}
	p.desc = p.desc[:0]
	if n.IP == "" && len(p.ipv6) > 0 {
		n.IP = string(p.ipv6)
	}
	p.ipv6 = p.ipv6[:0]
	if n.ChassisID == "" || n.PortID == "" {
		p.fail(p.start, "LLDP entry has no \"Chassis id\" or \"Port id\" line: output truncated or garbled")
		return
	}
	if !p.hasName {
		// No System Name: the entry is placed by its first line.
		n.Source = facts.At(p.d, p.key, facts.Line{N: p.start, Text: string(p.first)})
	}
	p.out = append(p.out, n)
}
