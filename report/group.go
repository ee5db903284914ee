package report

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

// Group is the findings of one rule on one device with one cause: the
// ports of a switch whose port-security aging comes from the same
// setting, say. Reports show a group once, listing its objects (as IOS
// ranges), the phones behind them and one fix script per device; every
// finding stays underneath it (Members) so that nothing is lost to
// scripts.
type Group struct {
	ID       string // "G1", in report order
	Rule     string
	Severity rules.Severity
	Device   string
	Waived   bool
	// Members are the group's findings, in report order; Indexes their
	// positions in sortedFindings.
	Members []rules.Finding
	Indexes []int
	// Objects are the members' objects; Ranges the same written as IOS
	// interface ranges where they are interfaces.
	Objects []string
	Ranges  []string
	Phones  []string
	// Message is the members' message with their object replaced by the
	// group's ranges.
	Message string
	// Evidence is the members' evidence merged: items that differ only in
	// their source line become one item listing the lines; the phones'
	// placement lines are left to Phones.
	Evidence []GroupEvidence
	// Keepalive names the shared keepalive derivation (an entry of
	// Keepalives) the members were judged against, "" when none.
	Keepalive string
	// Fix is one script for the device: "interface range ..." when every
	// member's fix is the same commands under its own interface.
	Fix []string
	// Notes are the members' notes, each once; a note that names one
	// object only is prefixed with it.
	Notes []string
}

// GroupEvidence is one evidence line of a group.
type GroupEvidence struct {
	Device, What, Value string
	Default             bool
	// Key and Text locate it: the output and the line's text; Lines the
	// line numbers (one per member when they differ).
	Key   string
	Text  string
	Via   string
	Lines []int
}

// KeepaliveBlock is a keepalive derivation shared by groups: shown once,
// referenced by its ID ("K1").
type KeepaliveBlock struct {
	ID       string
	Evidence []rules.Evidence
}

// Grouped is the findings of a result, grouped, with the keepalive
// derivations they share.
type Grouped struct {
	Groups     []Group
	Keepalives []KeepaliveBlock
}

// GroupFindings groups r's findings (see Group). Groups keep the order
// of sortedFindings: by severity, rule, device, object.
func GroupFindings(r *Result) Grouped {
	fs := sortedFindings(r)
	var out Grouped
	byKey := map[string]int{}
	kaIDs := map[string]string{}
	for i, f := range fs {
		ka, rest := splitKeepalive(f.Evidence)
		kaID := ""
		if len(ka) > 0 {
			k := evidenceKey(ka, false)
			if kaIDs[k] == "" {
				kaIDs[k] = fmt.Sprintf("K%d", len(out.Keepalives)+1)
				out.Keepalives = append(out.Keepalives, KeepaliveBlock{ID: kaIDs[k], Evidence: ka})
			}
			kaID = kaIDs[k]
		}
		key := strings.Join([]string{f.Rule, f.Device, f.Severity.String(), strconv.FormatBool(f.Waived != nil), kaID, evidenceKey(rest, true)}, "\x00")
		gi, ok := byKey[key]
		if !ok {
			gi = len(out.Groups)
			byKey[key] = gi
			out.Groups = append(out.Groups, Group{Rule: f.Rule, Severity: f.Severity, Device: f.Device, Waived: f.Waived != nil, Keepalive: kaID})
		}
		g := &out.Groups[gi]
		g.Members = append(g.Members, f)
		g.Indexes = append(g.Indexes, i)
	}
	for i := range out.Groups {
		g := &out.Groups[i]
		g.ID = fmt.Sprintf("G%d", i+1)
		g.finish()
	}
	return out
}

// ShortMessage is the message with the objects left to the group's
// object list: "on these 7 ports" instead of the ranges again.
func (g Group) ShortMessage() string {
	if len(g.Members) == 1 {
		return g.Message
	}
	first := g.Members[0]
	return strings.ReplaceAll(first.Message, first.Object, fmt.Sprintf("these %d objects", len(g.Members)))
}

// splitKeepalive separates the keepalive derivation (the "keepalive
// interval" line and the inputs under it) from the rest of a finding's
// evidence.
func splitKeepalive(ev []rules.Evidence) (ka, rest []rules.Evidence) {
	in := false
	for _, e := range ev {
		switch {
		case strings.Contains(e.What, "keepalive interval"):
			in = true
			ka = append(ka, e)
		case in && strings.HasPrefix(e.What, "  "):
			ka = append(ka, e)
		default:
			in = false
			rest = append(rest, e)
		}
	}
	return ka, rest
}

// isPlacement is a phone's CDP/LLDP/PoE line: per member, shown with the
// phones rather than as evidence.
func isPlacement(e rules.Evidence) bool { return strings.HasPrefix(e.What, "phone on ") }

// evidenceKey identifies evidence by what it says, not where: the same
// setting read on another port's line gives the same key. With
// skipPlacement the phones' placement lines are left out.
func evidenceKey(ev []rules.Evidence, skipPlacement bool) string {
	var b strings.Builder
	for _, e := range ev {
		if skipPlacement && isPlacement(e) {
			continue
		}
		b.WriteString(e.Device + "\x01" + e.What + "\x01" + e.Value + "\x01" + strconv.FormatBool(e.Default))
		if e.Source != nil {
			b.WriteString("\x01" + e.Source.Key + "\x01" + strings.TrimSpace(e.Source.Text) + "\x01" + e.Source.Via)
		}
		b.WriteByte('\x02')
	}
	return b.String()
}

func (g *Group) finish() {
	seenPhone := map[string]bool{}
	for _, f := range g.Members {
		g.Objects = append(g.Objects, f.Object)
		for _, p := range f.Phones {
			if !seenPhone[p] {
				seenPhone[p] = true
				g.Phones = append(g.Phones, p)
			}
		}
	}
	g.Ranges = InterfaceRanges(g.Objects)
	rangeText := strings.Join(g.Ranges, ", ")
	first := g.Members[0]
	g.Message = strings.ReplaceAll(first.Message, first.Object, rangeText)
	if len(g.Members) == 1 {
		g.Message = first.Message
	}
	// Evidence: the members' items merged position by position.
	_, rest := splitKeepalive(first.Evidence)
	for _, e := range rest {
		if isPlacement(e) {
			continue
		}
		ge := GroupEvidence{Device: e.Device, What: e.What, Value: e.Value, Default: e.Default}
		if e.Source != nil {
			ge.Key, ge.Text, ge.Via = e.Source.Key, strings.TrimSpace(e.Source.Text), e.Source.Via
		}
		g.Evidence = append(g.Evidence, ge)
	}
	for _, f := range g.Members {
		_, rest := splitKeepalive(f.Evidence)
		j := 0
		for _, e := range rest {
			if isPlacement(e) {
				continue
			}
			if j < len(g.Evidence) && e.Source != nil && !slices.Contains(g.Evidence[j].Lines, e.Source.Line) {
				g.Evidence[j].Lines = append(g.Evidence[j].Lines, e.Source.Line)
			}
			j++
		}
	}
	g.Fix = groupFix(g.Members, g.Ranges)
	// Notes that differ only in the member's object are one note, for
	// the objects it applies to.
	type note struct {
		text string
		objs []string
	}
	var notes []*note
	byText := map[string]*note{}
	for _, f := range g.Members {
		for _, n := range f.Notes {
			generic := n
			if f.Object != "" {
				generic = strings.ReplaceAll(n, f.Object, "the port")
			}
			x := byText[generic]
			if x == nil {
				x = &note{text: generic}
				byText[generic] = x
				notes = append(notes, x)
			}
			if generic != n && !slices.Contains(x.objs, f.Object) {
				x.objs = append(x.objs, f.Object)
			}
		}
	}
	for _, x := range notes {
		switch {
		case len(x.objs) == 0:
			g.Notes = append(g.Notes, x.text)
		case len(x.objs) == 1:
			g.Notes = append(g.Notes, strings.ReplaceAll(x.text, "the port", x.objs[0]))
		default:
			g.Notes = append(g.Notes, strings.Join(InterfaceRanges(x.objs), ", ")+": "+x.text)
		}
	}
}

// groupFix is one script for the members: when each fix is "interface
// OBJ" and the same commands, one "interface range" block (IOS takes at
// most five ranges per command, so more make several blocks); when all
// fixes are the same, that fix once; else each member's fix in turn.
func groupFix(ms []rules.Finding, ranges []string) []string {
	if len(ms) == 1 {
		return ms[0].Fix
	}
	same := true
	for _, f := range ms[1:] {
		same = same && slices.Equal(f.Fix, ms[0].Fix)
	}
	if same {
		return ms[0].Fix
	}
	underInterface := true
	var body []string
	for i, f := range ms {
		if len(f.Fix) < 2 || f.Fix[0] != "interface "+f.Object {
			underInterface = false
			break
		}
		if i == 0 {
			body = f.Fix[1:]
		} else if !slices.Equal(body, f.Fix[1:]) {
			underInterface = false
			break
		}
	}
	if underInterface {
		var out []string
		for i := 0; i < len(ranges); i += 5 {
			out = append(out, "interface range "+strings.Join(ranges[i:min(i+5, len(ranges))], " , "))
			out = append(out, body...)
		}
		return out
	}
	var out []string
	for _, f := range ms {
		out = append(out, f.Fix...)
	}
	return out
}

// InterfaceRanges writes interface names as IOS interface ranges:
// GigabitEthernet1/0/1, 1/0/2, 1/0/3 and 1/0/5 become
// "GigabitEthernet1/0/1 - 3" and "GigabitEthernet1/0/5". Names that are
// not interfaces with a trailing number are kept as they are.
func InterfaceRanges(objs []string) []string {
	type port struct {
		prefix string
		n      int
	}
	var ports []port
	var other []string
	for _, o := range objs {
		i := strings.LastIndexAny(o, "/")
		if i < 0 || !facts.IsInterfaceName(o) {
			other = append(other, o)
			continue
		}
		n, err := strconv.Atoi(o[i+1:])
		if err != nil {
			other = append(other, o)
			continue
		}
		ports = append(ports, port{o[:i+1], n})
	}
	sort.SliceStable(ports, func(a, b int) bool {
		if ports[a].prefix != ports[b].prefix {
			return ports[a].prefix < ports[b].prefix
		}
		return ports[a].n < ports[b].n
	})
	var out []string
	for i := 0; i < len(ports); {
		j := i
		for j+1 < len(ports) && ports[j+1].prefix == ports[i].prefix && ports[j+1].n == ports[j].n+1 {
			j++
		}
		if j > i {
			out = append(out, fmt.Sprintf("%s%d - %d", ports[i].prefix, ports[i].n, ports[j].n))
		} else {
			out = append(out, fmt.Sprintf("%s%d", ports[i].prefix, ports[i].n))
		}
		i = j + 1
	}
	return append(out, other...)
}

// linesText writes a group evidence item's location: "key.txt:12" or
// "key.txt lines 12, 30, 48".
func (e GroupEvidence) linesText(host string) string {
	if e.Key == "" {
		return ""
	}
	where := e.Key + ".txt"
	if host != "" {
		where = host + "/" + where
	}
	switch len(e.Lines) {
	case 0:
		return where
	case 1:
		return fmt.Sprintf("%s:%d", where, e.Lines[0])
	}
	ls := make([]string, len(e.Lines))
	for i, l := range e.Lines {
		ls[i] = strconv.Itoa(l)
	}
	return where + " lines " + strings.Join(ls, ", ")
}

// DeviceSummary is one device's line of a report's summary: findings by
// severity and the phones at risk.
type DeviceSummary struct {
	Device     string
	BySeverity map[rules.Severity]int
	Phones     int
}

// SummarizeDevices counts findings and phones at risk per device, in
// device order.
func SummarizeDevices(r *Result) []DeviceSummary {
	idx := map[string]int{}
	var out []DeviceSummary
	phones := map[string]map[string]bool{}
	for _, d := range sortedDevices(r) {
		idx[d.Name] = len(out)
		out = append(out, DeviceSummary{Device: d.Name, BySeverity: map[rules.Severity]int{}})
		phones[d.Name] = map[string]bool{}
	}
	for _, f := range r.Findings {
		i, ok := idx[f.Device]
		if !ok {
			idx[f.Device] = len(out)
			i = len(out)
			out = append(out, DeviceSummary{Device: f.Device, BySeverity: map[rules.Severity]int{}})
			phones[f.Device] = map[string]bool{}
		}
		out[i].BySeverity[f.Severity]++
		seen, _ := splitUnseen(f.Phones)
		for _, p := range seen {
			phones[f.Device][p] = true
		}
	}
	for i := range out {
		out[i].Phones = len(phones[out[i].Device])
	}
	return out
}

// byDeviceRow is a line of a summary by device: the devices that have
// the same findings counts and phones at risk.
type byDeviceRow struct {
	devices []string
	counts  string // "7 critical, 1 warning"
	phones  int
}

// byDeviceRows is SummarizeDevices with identical devices on one row,
// devices without findings left out: fifty identical access switches take
// one row.
func byDeviceRows(r *Result) []byDeviceRow {
	var out []byDeviceRow
	idx := map[string]int{}
	for _, d := range SummarizeDevices(r) {
		var parts []string
		for _, sev := range severities {
			if c := d.BySeverity[sev]; c > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", c, sev))
			}
		}
		if len(parts) == 0 {
			continue
		}
		counts := strings.Join(parts, ", ")
		k := fmt.Sprintf("%s\x00%d", counts, d.Phones)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, byDeviceRow{counts: counts, phones: d.Phones})
		}
		out[i].devices = append(out[i].devices, d.Device)
	}
	return out
}
