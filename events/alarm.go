package events

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Kind is what an alarm says happened to the device.
type Kind uint8

const (
	// Unregistered: EndPointUnregistered, DeviceUnregistered.
	Unregistered Kind = iota + 1
	// Transient: EndPointTransientConnection, DeviceTransientConnection,
	// a connection dropped before the registration completed.
	Transient
	// Registered: EndPointRegistered, DeviceRegistered.
	Registered
)

// alarmKinds are the CallManager alarms read; every other one is skipped.
var alarmKinds = map[string]Kind{
	"EndPointUnregistered":        Unregistered,
	"DeviceUnregistered":          Unregistered,
	"EndPointTransientConnection": Transient,
	"DeviceTransientConnection":   Transient,
	"EndPointRegistered":          Registered,
	"DeviceRegistered":            Registered,
}

// Alarm is one registration alarm as CUCM logged it.
type Alarm struct {
	Name string // EndPointUnregistered, ...
	Kind Kind
	// Time is when CUCM raised it (see the package doc for zones).
	Time time.Time
	// Device is the DeviceName tag (SEP..., CSF..., a gateway).
	Device      string
	IP          string // IPAddress, else IPV6Address
	Protocol    string // SIP, SCCP
	DeviceType  string // the model enum, as logged
	Description string
	// Reason is the Reason tag; NoReason when absent.
	Reason int
	// LastSignal is LastSignalReceived: what CUCM last had from the
	// device (SIPStationDPrimaryLineTimeout, StationKeepAlive, ...).
	LastSignal string
	// Node is the NodeID tag: the call manager that logged it.
	Node string
}

// errNotAlarm says the line holds no alarm this package reads; reading
// skips such lines silently.
var errNotAlarm = errors.New("not a registration alarm")

var marker = []byte("%UC_CALLMANAGER-")

// ParseLine reads one syslog line. ok is false, with a nil error, when the
// line is not one of the registration alarms (most of a syslog file); an
// alarm line that cannot be read gives an error saying why.
func ParseLine(line []byte) (a Alarm, ok bool, err error) {
	a, err = parseLine(line)
	if errors.Is(err, errNotAlarm) {
		return Alarm{}, false, nil
	}
	return a, err == nil, err
}

func parseLine(line []byte) (Alarm, error) {
	at := bytes.Index(line, marker)
	if at < 0 {
		return Alarm{}, errNotAlarm
	}
	rest := line[at+len(marker):]
	// SEVERITY-MSGID: the severity is one digit (0-7).
	if len(rest) < 2 || rest[0] < '0' || rest[0] > '7' || rest[1] != '-' {
		return Alarm{}, errNotAlarm
	}
	rest = rest[2:]
	colon := bytes.IndexByte(rest, ':')
	if colon < 0 {
		return Alarm{}, errNotAlarm
	}
	name := string(rest[:colon])
	kind, known := alarmKinds[name]
	if !known {
		return Alarm{}, errNotAlarm
	}
	a := Alarm{Name: name, Kind: kind, Reason: NoReason}
	tags := bytes.TrimLeft(rest[colon+1:], " \t")
	if !bytes.HasPrefix(tags, []byte("%[")) {
		return a, fmt.Errorf("%s without its %%[TAG=value] list", name)
	}
	if err := eachTag(tags[1:], a.set); err != nil {
		return a, fmt.Errorf("%s: %w", name, err)
	}
	if a.Device == "" {
		if kind == Transient {
			// CUCM often cannot name a device whose connection dropped
			// before it registered (DeviceName= empty): nothing to
			// count it against.
			return Alarm{}, errNotAlarm
		}
		return a, fmt.Errorf("%s without a DeviceName", name)
	}
	if !isDeviceName(a.Device) {
		return a, fmt.Errorf("%s: DeviceName=%q is not a device name", name, truncate([]byte(a.Device)))
	}
	t, err := alarmTime(line[:at])
	if err != nil {
		return a, fmt.Errorf("%s of %s: %w", name, a.Device, err)
	}
	a.Time = t
	return a, nil
}

// set stores one tag. Values are copied out of the line, which the
// reader reuses.
func (a *Alarm) set(key, val []byte) error {
	switch string(key) {
	case "DeviceName":
		a.Device = string(val)
	case "IPAddress":
		a.IP = string(val)
	case "IPV6Address":
		if a.IP == "" {
			a.IP = string(val)
		}
	case "Protocol":
		a.Protocol = string(val)
	case "DeviceType":
		a.DeviceType = string(val)
	case "Description":
		a.Description = string(val)
	case "Reason":
		if len(val) == 0 {
			return nil
		}
		n, err := strconv.Atoi(string(val))
		if err != nil || n < 0 || n >= 1<<16-1 {
			return fmt.Errorf("Reason=%q is not a reason code", truncate(val))
		}
		a.Reason = n
	case "LastSignalReceived":
		a.LastSignal = string(val)
	case "NodeID":
		a.Node = string(val)
	}
	return nil
}

// eachTag calls fn for every [KEY=value] of a CiscoLog tag list, which
// starts at s. A value runs to the "]" that is followed by the next
// "[KEY=", by ":" (the end of the list) or by the end of the line, so
// that a description holding brackets ("Lobby [old]") stays whole; a
// backslash escapes the next character.
func eachTag(s []byte, fn func(key, val []byte) error) error {
	for len(s) > 0 && s[0] == '[' {
		eq := bytes.IndexByte(s, '=')
		if eq < 0 || !isKey(s[1:eq]) {
			return fmt.Errorf("tag %q has no KEY=", truncate(s))
		}
		key := s[1:eq]
		val, n, err := tagValue(s[eq+1:])
		if err != nil {
			return fmt.Errorf("tag %s: %w", key, err)
		}
		if err := fn(key, val); err != nil {
			return err
		}
		s = s[eq+1+n:]
	}
	return nil
}

// tagValue returns the value at the start of s and how many bytes it and
// its closing "]" take.
func tagValue(s []byte) (val []byte, n int, err error) {
	escaped := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escaped:
			escaped = false
			continue
		case c == '\\':
			escaped = true
			continue
		case c != ']':
			continue
		}
		next := s[i+1:]
		if len(next) == 0 || next[0] == ':' || next[0] == '\r' || next[0] == '\n' || startsTag(next) {
			return unescape(s[:i]), i + 1, nil
		}
	}
	return nil, 0, errors.New("no closing ] (line cut short?)")
}

// startsTag reports whether s starts with "[KEY=".
func startsTag(s []byte) bool {
	if len(s) < 3 || s[0] != '[' {
		return false
	}
	eq := bytes.IndexByte(s, '=')
	return eq > 1 && isKey(s[1:eq])
}

func isKey(k []byte) bool {
	if len(k) == 0 || len(k) > 64 {
		return false
	}
	for _, c := range k {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// isDeviceName accepts what CUCM allows in a device name (letters,
// digits, '.', '_', '-'; SEP..., CSF..., gateway names), at most 128.
func isDeviceName(s string) bool {
	if len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isLetter(c) || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func unescape(v []byte) []byte {
	if bytes.IndexByte(v, '\\') < 0 {
		return v
	}
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		out = append(out, v[i])
	}
	return out
}

// truncate keeps an error message about a bad value short.
func truncate(b []byte) string {
	const max = 40
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}
