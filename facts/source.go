// Package facts holds the typed snapshot of a voice network: what the
// collectors extract from each device and what the rules read. Every fact
// remembers the line of device output it came from.
package facts

import (
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"unique"
)

// Source is where a fact was read: the device, the command key (the offline
// file name without .txt), the 1-based line number and the line's text.
type Source struct {
	Host string `json:"host,omitempty"`
	Key  string `json:"key"`
	Line int    `json:"line"`
	Text string `json:"text"`
	// Via says how the line reached the fact when it is not the
	// object's own: "template IP_PHONE_INTERFACE_TEMPLATE" for a port
	// setting taken from the interface template the port sources.
	Via string `json:"via,omitempty"`
}

// String renders the source as "host/key.txt:line: text", followed by
// "(via ...)" when the line is not the object's own.
func (s Source) String() string {
	where := s.Key + ".txt"
	if s.Host != "" {
		where = s.Host + "/" + where
	}
	if s.Via != "" {
		return fmt.Sprintf("%s:%d: %s (via %s)", where, s.Line, strings.TrimSpace(s.Text), s.Via)
	}
	return fmt.Sprintf("%s:%d: %s", where, s.Line, strings.TrimSpace(s.Text))
}

// Sources maps an attribute name (e.g. "aging_time") to the line that set it.
// Attributes that were never configured have no entry. It encodes as a
// JSON object {"name": source, ...} with the names sorted.
//
// It is a short list sorted by name, in a compact form: at a thousand
// switches the attribute lines are the largest part of a snapshot, and a
// Go map, or a list of Sources, costs several times the memory of the
// facts themselves. Names and the (host, key) pair are interned, so an
// entry is 40 bytes instead of the 72 a name with a Source takes.
type Sources struct {
	list []namedSource
}

type namedSource struct {
	name   unique.Handle[string]
	origin unique.Handle[origin]
	text   string
	line   int
}

// origin is the host and command key a source's line was read from: the
// same few pairs for every attribute of a device.
type origin struct{ host, key, via string }

func (e namedSource) source() Source {
	o := e.origin.Value()
	return Source{Host: o.host, Key: o.key, Line: e.line, Text: e.text, Via: o.via}
}

// Grow makes room for n more attributes, for a parser that knows how
// many it is about to set: the list is then allocated once rather than
// grown 4, 8, 16 (PackSources moves it into the device's array anyway).
func (s *Sources) Grow(n int) { s.list = slices.Grow(s.list, n) }

// Len is the number of attributes.
func (s Sources) Len() int { return len(s.list) }

// IsZero reports an empty list (json's omitzero).
func (s Sources) IsZero() bool { return len(s.list) == 0 }

// Get returns the source of attribute name and whether there is one.
func (s Sources) Get(name string) (Source, bool) {
	if i, ok := s.find(name); ok {
		return s.list[i].source(), true
	}
	return Source{}, false
}

// Of is the source of attribute name, or the zero Source.
func (s Sources) Of(name string) Source {
	src, _ := s.Get(name)
	return src
}

// All yields every attribute and its source, names in order.
func (s Sources) All() iter.Seq2[string, Source] {
	return func(yield func(string, Source) bool) {
		for _, e := range s.list {
			if !yield(e.name.Value(), e.source()) {
				return
			}
		}
	}
}

// Attr is an attribute name interned once. A parser that sets the same
// names on every port keeps them in package variables and calls SetAttr,
// which skips interning the name for each new list.
type Attr struct{ name unique.Handle[string] }

// NewAttr interns name.
func NewAttr(name string) Attr { return Attr{unique.Make(name)} }

// Set records the source of attribute name.
func (s *Sources) Set(name string, src Source) { s.set(name, unique.Handle[string]{}, src) }

// SetAttr is Set for an interned name.
func (s *Sources) SetAttr(a Attr, src Source) { s.set(a.name.Value(), a.name, src) }

// set records src for name; h is name's handle, or zero to intern it
// when the list does not have it yet.
func (s *Sources) set(name string, h unique.Handle[string], src Source) {
	i, ok := s.find(name)
	e := namedSource{text: src.Text, line: src.Line}
	// Consecutive attributes nearly always come from the same output:
	// reuse a neighbour's interned origin rather than look it up again.
	if o, found := s.sameOrigin(i, src.Host, src.Key, src.Via); found {
		e.origin = o
	} else {
		e.origin = unique.Make(origin{src.Host, src.Key, src.Via})
	}
	if ok {
		e.name = s.list[i].name
		s.list[i] = e
		return
	}
	if h == (unique.Handle[string]{}) {
		h = unique.Make(name)
	}
	e.name = h
	if s.list == nil {
		// Most lists end with a handful of attributes: start with room
		// for four rather than growing 1, 2, 4.
		s.list = make([]namedSource, 0, 4)
	}
	s.list = slices.Insert(s.list, i, e)
}

func (s *Sources) sameOrigin(i int, host, key, via string) (unique.Handle[origin], bool) {
	for _, j := range [2]int{i - 1, i} {
		if j >= 0 && j < len(s.list) {
			if o := s.list[j].origin; o.Value() == (origin{host, key, via}) {
				return o, true
			}
		}
	}
	return unique.Handle[origin]{}, false
}

// Delete forgets attribute name.
func (s *Sources) Delete(name string) {
	if i, ok := s.find(name); ok {
		s.list = slices.Delete(s.list, i, i+1)
	}
}

// Clone returns a list that shares nothing with s.
func (s Sources) Clone() Sources {
	if s.list == nil {
		return Sources{}
	}
	return Sources{list: slices.Clone(s.list)}
}

func (s Sources) find(name string) (int, bool) {
	return slices.BinarySearchFunc(s.list, name, func(e namedSource, n string) int { return strings.Compare(e.name.Value(), n) })
}

// packInto moves the list into the front of arena (which the caller sized)
// and returns the rest. The list keeps no spare capacity, so a later Set
// copies it rather than writing into its neighbour's part.
func (s *Sources) packInto(arena []namedSource) []namedSource {
	n := copy(arena, s.list)
	if n > 0 {
		s.list = arena[:n:n]
	}
	return arena[n:]
}

// MarshalJSON writes the object {"name": source, ...}, names sorted, byte
// for byte what encoding/json writes for a map[string]Source.
func (s Sources) MarshalJSON() ([]byte, error) {
	if s.list == nil {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 64*len(s.list)+2)
	b = append(b, '{')
	for i, e := range s.list {
		if i > 0 {
			b = append(b, ',')
		}
		o := e.origin.Value()
		b = appendJSONString(b, e.name.Value())
		b = append(b, ':', '{')
		if o.host != "" {
			b = append(b, `"host":`...)
			b = appendJSONString(b, o.host)
			b = append(b, ',')
		}
		b = append(b, `"key":`...)
		b = appendJSONString(b, o.key)
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(e.line), 10)
		b = append(b, `,"text":`...)
		b = appendJSONString(b, e.text)
		if o.via != "" {
			b = append(b, `,"via":`...)
			b = appendJSONString(b, o.via)
		}
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

// appendJSONString appends s as json.Marshal writes it. Strings of plain
// printable ASCII (nearly every device line) are copied as they are; any
// other string goes through json.Marshal, so the escaping is always
// encoding/json's own (HTML characters, control bytes, invalid UTF-8).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// UnmarshalJSON reads the object MarshalJSON writes.
func (s *Sources) UnmarshalJSON(data []byte) error {
	var m map[string]Source
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	if m == nil {
		*s = Sources{}
		return nil
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	out := Sources{list: make([]namedSource, 0, len(m))}
	for _, k := range names {
		out.Set(k, m[k])
	}
	*s = out
	return nil
}

// At is the Source of line ln of command key on device d.
func At(d *Device, key string, ln Line) Source {
	return Source{Host: d.Name, Key: key, Line: ln.N, Text: ln.Text}
}

// ParseError is a problem in one device output, located to its line.
type ParseError struct {
	Host string `json:"host,omitempty"`
	Key  string `json:"key"`
	Line int    `json:"line,omitempty"`
	Msg  string `json:"message"`
}

func (e *ParseError) Error() string {
	where := e.Key + ".txt"
	if e.Host != "" {
		where = e.Host + "/" + where
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", where, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", where, e.Msg)
}

// Errorf builds a ParseError for key at line.
func Errorf(key string, line int, format string, args ...any) *ParseError {
	return &ParseError{Key: key, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// PackSources moves every attribute list of d into one array of exactly
// the entries they hold. Lists grow by doubling while a device's outputs
// are parsed; packed, a switch's few hundred attributes are one object
// with no spare room instead of a hundred part-empty ones. Collectors
// call it once a device is parsed; the lists stay usable (a later Set
// copies its list out).
func (d *Device) PackSources() {
	n := 0
	d.eachSources(func(l *Sources) { n += l.Len() })
	if n == 0 {
		return
	}
	arena := make([]namedSource, n)
	d.eachSources(func(l *Sources) { arena = l.packInto(arena) })
}

// eachSources calls fn with every attribute list of d.
func (d *Device) eachSources(fn func(*Sources)) {
	if sw := d.Switch; sw != nil {
		for i := range sw.Interfaces {
			fn(&sw.Interfaces[i].Sources)
			fn(&sw.Interfaces[i].PortSecurity.Sources)
		}
		for i := range sw.PortSecurity {
			fn(&sw.PortSecurity[i].Sources)
		}
	}
	if a := d.ASA; a != nil {
		for i := range a.Interfaces {
			fn(&a.Interfaces[i].Sources)
		}
	}
	if c := d.CUCM; c != nil {
		for i := range c.SIPProfiles {
			fn(&c.SIPProfiles[i].Sources)
		}
	}
}

// SourcesOf builds a list from a map (tests and hand-made snapshots).
func SourcesOf(m map[string]Source) Sources {
	var s Sources
	for name, src := range m {
		s.Set(name, src)
	}
	return s
}

// String lists the attributes as name=source, in name order.
func (s Sources) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for name, src := range s.All() {
		if b.Len() > 1 {
			b.WriteString("; ")
		}
		b.WriteString(name + "=" + src.String())
	}
	b.WriteByte(']')
	return b.String()
}
