package devsim

import (
	"bytes"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/kaudit/kaudit/capture/clidump"
)

// DeviceCapture plays the capture commands kaudit confirm sends to an
// IOS-XE switch (Embedded Packet Capture: monitor capture) or an ASA
// (capture), and prints the capture as the layout the host is set to. The
// command answers follow public text where there is some: "Started/
// Stopped capture point : NAME" (a public CSR1000v transcript; Wireshark's
// ciscodump waits for "Started capture point :"), the status block
// ("Status Information for Capture NAME", "Status : Active", as ciscodump
// reads it), the inline filter shown as "Source IP / Destination IP" (the
// same transcript). Where nothing public was found the text is ours and
// says so below.
type DeviceCapture struct {
	// Pcap is what the capture point sees (a classic pcap); the filter
	// and packet bound of each capture pick from it.
	Pcap []byte
	// Layout is how `show monitor capture NAME buffer dump` (or the ASA's
	// `show capture NAME dump`) prints; "" is clidump.EPCSummary on IOS,
	// clidump.ASA on the ASA. IOS-XE 17 (clidump.EPCXE17) and IOS-XE 16
	// routers (clidump.EPCXE16) print no packet times; `buffer brief`
	// then gives them. clidump.EPCClassic prints classic IOS's layout,
	// whose real device takes other capture commands than these.
	Layout clidump.Layout
	// NoEPC makes a switch answer like one without EPC: NoEPCAbsent has
	// no monitor capture command at all, NoEPCRefused refuses to start.
	NoEPC string
	// NoBrief rejects `buffer brief` (as if only the dump were allowed).
	NoBrief bool

	mu   sync.Mutex
	caps map[string]*devCap
}

// How a switch without EPC answers. No public transcript of a switch
// without the licence (Catalyst 9000 Network Essentials documents
// Wireshark-based capture as needing DNA Advantage) was found: both
// answers are assumed. Absent is IOS's answer to any command it does not
// have (% Invalid input); the refusal text is one of the two ciscodump
// checks after "monitor capture NAME start".
const (
	NoEPCAbsent  = "absent"
	NoEPCRefused = "refused"
)

// EPCRefusal is what a switch set to NoEPCRefused prints on start.
const EPCRefusal = "Unable to activate Capture."

type devCap struct {
	iface   string
	match   capFilter
	limit   int
	started bool
	stopped bool
}

var (
	epcIface = regexp.MustCompile(`^monitor capture (\S+) interface (\S+) (both|in|out)$`)
	epcMatch = regexp.MustCompile(`^monitor capture (\S+) match (.+)$`)
	epcBuf   = regexp.MustCompile(`^monitor capture (\S+) buffer size \d+$`)
	epcLimit = regexp.MustCompile(`^monitor capture (\S+) limit duration \d+ packets (\d+)$`)
	epcVerb  = regexp.MustCompile(`^monitor capture (\S+) (start|stop)$`)
	epcNo    = regexp.MustCompile(`^no monitor capture (\S+)$`)
	epcShow  = regexp.MustCompile(`^show monitor capture (\S+)( buffer dump| buffer brief)?$`)
	asaCap   = regexp.MustCompile(`^capture (\S+) buffer \d+ interface (\S+) match (ip .+)$`)
	asaNo    = regexp.MustCompile(`^no capture (\S+)$`)
	asaShow  = regexp.MustCompile(`^show capture (\S+) dump$`)
)

// answer plays line; ok=false lets the host answer as for any other line
// (an unknown command is invalid input).
func (c *DeviceCapture) answer(asa bool, line string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.caps == nil {
		c.caps = map[string]*devCap{}
	}
	if asa {
		return c.asa(line)
	}
	if c.NoEPC == NoEPCAbsent {
		return "", false
	}
	get := func(name string) *devCap {
		if c.caps[name] == nil {
			c.caps[name] = &devCap{}
		}
		return c.caps[name]
	}
	if m := epcIface.FindStringSubmatch(line); m != nil {
		get(m[1]).iface = m[2]
		return "", true
	}
	if m := epcMatch.FindStringSubmatch(line); m != nil {
		f, ok := parseFilter(m[2], false)
		if !ok {
			return "", false
		}
		get(m[1]).match = f
		return "", true
	}
	if m := epcBuf.FindStringSubmatch(line); m != nil {
		get(m[1])
		return "", true
	}
	if m := epcLimit.FindStringSubmatch(line); m != nil {
		get(m[1]).limit, _ = strconv.Atoi(m[2])
		return "", true
	}
	if m := epcVerb.FindStringSubmatch(line); m != nil {
		return c.startStop(m[1], m[2]), true
	}
	if m := epcNo.FindStringSubmatch(line); m != nil {
		delete(c.caps, m[1])
		return "", true
	}
	if m := epcShow.FindStringSubmatch(line); m != nil {
		return c.show(m[1], strings.TrimSpace(m[2]))
	}
	return "", false
}

func (c *DeviceCapture) startStop(name, verb string) string {
	k := c.caps[name]
	if k == nil {
		return "Capture point " + name + " does not exist" // wording assumed
	}
	if verb == "stop" {
		k.stopped = true
		return "Stopped capture point : " + name
	}
	if c.NoEPC == NoEPCRefused {
		return EPCRefusal
	}
	k.started = true
	return "Started capture point : " + name
}

func (c *DeviceCapture) show(name, what string) (string, bool) {
	k := c.caps[name]
	if k == nil {
		return "Capture point " + name + " does not exist", true // wording assumed
	}
	pkts, full := c.packets(k)
	switch what {
	case "buffer dump":
		return string(clidump.Render(c.layout(clidump.EPCSummary), pkts, clidump.RenderOptions{Interface: k.iface})), true
	case "buffer brief":
		if c.NoBrief {
			return "", false
		}
		return string(clidump.RenderBrief(c.layout(clidump.EPCSummary), pkts)), true
	}
	status := "Active"
	if !k.started || k.stopped || full {
		status = "Inactive"
	}
	return fmt.Sprintf("Status Information for Capture %s\r\n  Target Type:\r\n   Interface: %s, Direction: BOTH\r\n   Status : %s\r\n  Filter Details:\r\n%s",
		name, k.iface, status, k.match.describe()), true
}

func (c *DeviceCapture) layout(def clidump.Layout) clidump.Layout {
	if c.Layout == "" {
		return def
	}
	return c.Layout
}

// asa plays the ASA's capture commands. Its inline match is taken as both
// directions between the hosts, as confirm's ASA plan assumes.
func (c *DeviceCapture) asa(line string) (string, bool) {
	if m := asaCap.FindStringSubmatch(line); m != nil {
		f, ok := parseFilter(m[3], true)
		if !ok {
			return "", false
		}
		c.caps[m[1]] = &devCap{iface: m[2], match: f, started: true}
		return "", true
	}
	if m := asaNo.FindStringSubmatch(line); m != nil {
		delete(c.caps, m[1])
		return "", true
	}
	if line == "show capture" {
		names := make([]string, 0, len(c.caps))
		for n := range c.caps {
			names = append(names, n)
		}
		sort.Strings(names)
		var b strings.Builder
		for _, n := range names {
			k := c.caps[n]
			fmt.Fprintf(&b, "capture %s type raw-data interface %s [Capturing - %d bytes]\r\n  %s\r\n", n, k.iface, len(c.Pcap), k.match.text)
		}
		return b.String(), true
	}
	if m := asaShow.FindStringSubmatch(line); m != nil {
		k := c.caps[m[1]]
		if k == nil {
			return "ERROR: Capture <" + m[1] + "> does not exist", true // wording assumed
		}
		pkts, _ := c.packets(k)
		return string(clidump.Render(c.layout(clidump.ASA), pkts, clidump.RenderOptions{})), true
	}
	return "", false
}

// packets are the lab capture's packets the filter keeps, up to the
// capture's bound; full says the bound was reached.
func (c *DeviceCapture) packets(k *devCap) ([]clidump.Packet, bool) {
	r, err := pcapgo.NewReader(bytes.NewReader(c.Pcap))
	if err != nil {
		return nil, false
	}
	var out []clidump.Packet
	for k.limit <= 0 || len(out) < k.limit {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			return out, false
		}
		if k.match.keeps(data) {
			out = append(out, clidump.Packet{Time: ci.Timestamp, Data: append([]byte(nil), data...)})
		}
	}
	return out, true
}

// capFilter is an inline capture filter: EPC's "match any", "match ipv4
// SRC DST" (SRC and DST each "any" or "host A"), and the ASA's "match ip
// host A host B".
type capFilter struct {
	text     string
	ipv4     bool   // IPv4 packets only
	src, dst net.IP // nil: any
	both     bool   // either direction (the ASA)
}

func parseFilter(s string, asa bool) (capFilter, bool) {
	f := capFilter{text: "match " + s}
	w := strings.Fields(s)
	if !asa && len(w) == 1 && w[0] == "any" {
		return f, true
	}
	if len(w) == 0 || (asa && w[0] != "ip") || (!asa && w[0] != "ipv4") {
		return f, false
	}
	f.ipv4, f.both = true, asa
	w = w[1:]
	addr := func() (net.IP, bool) {
		switch {
		case len(w) >= 1 && w[0] == "any":
			w = w[1:]
			return nil, true
		case len(w) >= 2 && w[0] == "host":
			ip := net.ParseIP(w[1]).To4()
			w = w[2:]
			return ip, ip != nil
		}
		return nil, false
	}
	var ok1, ok2 bool
	f.src, ok1 = addr()
	f.dst, ok2 = addr()
	return f, ok1 && ok2 && len(w) == 0
}

func (f capFilter) keeps(data []byte) bool {
	if !f.ipv4 {
		return true
	}
	pkt := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
	ip, _ := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	if ip == nil {
		return false
	}
	is := func(want, got net.IP) bool { return want == nil || want.Equal(got) }
	if is(f.src, ip.SrcIP) && is(f.dst, ip.DstIP) {
		return true
	}
	return f.both && is(f.src, ip.DstIP) && is(f.dst, ip.SrcIP)
}

// describe prints the filter as `show monitor capture` does: one
// direction, source and destination.
func (f capFilter) describe() string {
	if !f.ipv4 {
		return "    Capture all packets\r\n"
	}
	side := func(ip net.IP) string {
		if ip == nil {
			return "any"
		}
		return "host " + ip.String()
	}
	return fmt.Sprintf("   IPv4\r\n    Source IP:  %s\r\n    Destination IP:  %s\r\n   Protocol: any\r\n", side(f.src), side(f.dst))
}
