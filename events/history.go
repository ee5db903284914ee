package events

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Defaults of Options.
const (
	// DefaultMaxDevices is how many devices are tracked; a cluster holds
	// at most some tens of thousands of phones, so more names than this
	// come from a broken or hostile file, and memory stays bounded.
	DefaultMaxDevices = 100_000
	// MaxKeptDrops is how many of a phone's latest drops are kept to work
	// out the period between drops, 8 bytes each: 4 KiB a phone at most
	// (a phone dropping every 16 minutes fills it in five and a half
	// days); counts, first and last use every drop.
	MaxKeptDrops = 512
)

// History is the registration alarms read, per device.
type History struct {
	// Stats says what was read.
	Stats Stats

	maxDevices int
	devices    map[string]*track
	// nodes interns the NodeID tags: a kept drop stores an index.
	nodes   []string
	nodeIdx map[string]uint16
	first   time.Time
	last    time.Time
}

// NewHistory returns an empty history tracking at most maxDevices devices
// (DefaultMaxDevices when 0 or less).
func NewHistory(maxDevices int) *History {
	if maxDevices <= 0 {
		maxDevices = DefaultMaxDevices
	}
	return &History{maxDevices: maxDevices, devices: map[string]*track{}, nodeIdx: map[string]uint16{}}
}

// track is one device's alarms.
type track struct {
	drops, transient, keepalive int
	first, last                 time.Time // unregistrations
	lastRegistered              time.Time
	lastSignal                  string
	ip, protocol, devType, desc string
	reasons                     []ReasonCount
	nodes                       []uint16
	// kept are the latest MaxKeptDrops unregistrations, by time.
	kept []drop
}

// drop is one kept unregistration in 8 bytes: the period is worked out
// to the second, and two drops of one phone in the same second by the
// same node for the same reason are one.
type drop struct {
	at     uint32 // Unix seconds (1970 to 2106)
	reason uint16
	node   uint16
}

// unixSeconds is t as a drop keeps it, clamped to what fits.
func unixSeconds(t time.Time) uint32 {
	return uint32(min(max(t.Unix(), 0), math.MaxUint32))
}

// Add records one alarm. An unregistration that repeats one already kept
// (same time, reason and node: the same file read twice, or a syslog
// server that logged it twice) counts once.
func (h *History) Add(a Alarm) {
	t := h.devices[a.Device]
	if t == nil {
		if len(h.devices) >= h.maxDevices {
			h.Stats.Untracked++
			return
		}
		t = &track{}
		h.devices[a.Device] = t
	}
	switch a.Kind {
	case Unregistered:
		d := drop{at: unixSeconds(a.Time), reason: uint16(a.Reason), node: h.node(a.Node)}
		if !t.keep(d) {
			h.Stats.Duplicates++
			return
		}
		t.drops++
		if a.Reason == KeepAliveTimeout {
			t.keepalive++
		}
		t.count(a.Reason)
		if t.first.IsZero() || a.Time.Before(t.first) {
			t.first = a.Time
		}
		if !a.Time.Before(t.last) {
			t.last = a.Time
			t.lastSignal = a.LastSignal
		}
		if !slices.Contains(t.nodes, d.node) && len(t.nodes) < 8 {
			t.nodes = append(t.nodes, d.node)
		}
	case Transient:
		t.transient++
	case Registered:
		if a.Time.After(t.lastRegistered) {
			t.lastRegistered = a.Time
		}
	}
	// The newest alarm describes the device as it is now.
	if !a.Time.Before(t.last) || t.drops == 0 {
		t.ip, t.protocol, t.devType, t.desc = orKeep(a.IP, t.ip), orKeep(a.Protocol, t.protocol), orKeep(a.DeviceType, t.devType), orKeep(a.Description, t.desc)
	}
	h.Stats.Alarms++
	if h.first.IsZero() || a.Time.Before(h.first) {
		h.first = a.Time
	}
	if a.Time.After(h.last) {
		h.last = a.Time
	}
}

func orKeep(v, old string) string {
	if v == "" {
		return old
	}
	return v
}

func (h *History) node(n string) uint16 {
	if i, ok := h.nodeIdx[n]; ok {
		return i
	}
	if len(h.nodes) >= 1<<16-1 {
		return 1<<16 - 1
	}
	i := uint16(len(h.nodes))
	h.nodes = append(h.nodes, n)
	h.nodeIdx[n] = i
	return i
}

// keep inserts d among the kept drops in time order, dropping the oldest
// beyond MaxKeptDrops; false when d is already there.
func (t *track) keep(d drop) bool {
	i, _ := slices.BinarySearchFunc(t.kept, d.at, func(x drop, at uint32) int { return cmp.Compare(x.at, at) })
	for j := i; j < len(t.kept) && t.kept[j].at == d.at; j++ {
		if t.kept[j] == d {
			return false
		}
	}
	if len(t.kept) >= MaxKeptDrops {
		if i == 0 {
			return true // older than every kept drop: counted, not kept
		}
		copy(t.kept, t.kept[1:i])
		t.kept[i-1] = d
		return true
	}
	t.kept = slices.Insert(t.kept, i, d)
	return true
}

func (t *track) count(reason int) {
	for i := range t.reasons {
		if t.reasons[i].Code == reason {
			t.reasons[i].Count++
			return
		}
	}
	t.reasons = append(t.reasons, ReasonCount{Code: reason, Count: 1})
}

// Phone is what the alarms say about one device.
type Phone struct {
	Name string
	// Drops counts its unregistrations, KeepAliveTimeouts those with
	// Reason=13, Transient its transient connections.
	Drops, KeepAliveTimeouts, Transient int
	// First and Last are its first and last unregistration.
	First, Last time.Time
	// Reasons counts its unregistrations by reason, most first
	// (KeepAliveTimeout first among equals).
	Reasons []ReasonCount
	// LastSignal is the LastSignalReceived of its last unregistration.
	LastSignal string
	// IP, Protocol, DeviceType and Description are from its newest alarm.
	IP, Protocol, DeviceType, Description string
	// Nodes are the call managers that logged its unregistrations.
	Nodes []string
	// LastRegistered is its newest registration alarm; zero when none was
	// logged (EndPointRegistered is informational: most clusters do not
	// send it to syslog).
	LastRegistered time.Time
	// Period is the typical time between its drops.
	Period Period
}

// ReasonCount is how many unregistrations had one reason code.
type ReasonCount struct {
	Code  int
	Count int
}

// Name names the reason (ReasonName).
func (r ReasonCount) Name() string { return ReasonName(r.Code) }

// RegisteredAgain reports whether a registration was logged after its
// last drop.
func (p Phone) RegisteredAgain() bool { return p.LastRegistered.After(p.Last) }

// Phones returns every device with an alarm, most drops first, then by
// name.
func (h *History) Phones() []Phone {
	out := make([]Phone, 0, len(h.devices))
	for name := range h.devices {
		out = append(out, h.phone(name))
	}
	slices.SortFunc(out, func(a, b Phone) int {
		if c := cmp.Compare(b.Drops, a.Drops); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}

// Phone returns what the alarms say about the device name.
func (h *History) Phone(name string) (Phone, bool) {
	if h.devices[name] == nil {
		return Phone{}, false
	}
	return h.phone(name), true
}

func (h *History) phone(name string) Phone {
	t := h.devices[name]
	p := Phone{
		Name: name, Drops: t.drops, KeepAliveTimeouts: t.keepalive, Transient: t.transient,
		First: t.first, Last: t.last, LastSignal: t.lastSignal,
		IP: t.ip, Protocol: t.protocol, DeviceType: t.devType, Description: t.desc,
		LastRegistered: t.lastRegistered,
		Reasons:        slices.Clone(t.reasons),
	}
	slices.SortFunc(p.Reasons, func(a, b ReasonCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		// A tie goes to KeepAliveTimeout, the reason a timer gives.
		if a.Code == KeepAliveTimeout {
			return -1
		}
		if b.Code == KeepAliveTimeout {
			return 1
		}
		return cmp.Compare(a.Code, b.Code)
	})
	for _, n := range t.nodes {
		if int(n) < len(h.nodes) && h.nodes[n] != "" {
			p.Nodes = append(p.Nodes, h.nodes[n])
		}
	}
	slices.Sort(p.Nodes)
	p.Period = periodOf(t.kept, p.Reasons)
	return p
}

// Window is the time of the first and the last alarm read.
func (h *History) Window() (first, last time.Time) { return h.first, h.last }

// Devices is how many devices have alarms.
func (h *History) Devices() int { return len(h.devices) }
