// Package facts holds the typed snapshot of a voice network: what the
// collectors extract from each device and what the rules read. Every fact
// remembers the line of device output it came from.
package facts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Source is where a fact was read: the device, the command key (the offline
// file name without .txt), the 1-based line number and the line's text.
type Source struct {
	Host string `json:"host,omitempty"`
	Key  string `json:"key"`
	Line int    `json:"line"`
	Text string `json:"text"`
}

// String renders the source as "host/key.txt:line: text".
func (s Source) String() string {
	where := s.Key + ".txt"
	if s.Host != "" {
		where = s.Host + "/" + where
	}
	return fmt.Sprintf("%s:%d: %s", where, s.Line, strings.TrimSpace(s.Text))
}

// Sources maps an attribute name (e.g. "aging_time") to the line that set it.
// Attributes that were never configured have no entry. It is a short list
// sorted by name rather than a Go map: a switch port has a handful of
// attributes, and at thousands of switches maps cost several times the
// memory of the facts themselves. It encodes as a JSON object.
type Sources []NamedSource

// NamedSource is one attribute's source.
type NamedSource struct {
	Name string
	Source
}

// Get returns the source of attribute name and whether there is one.
func (s Sources) Get(name string) (Source, bool) {
	if i, ok := s.find(name); ok {
		return s[i].Source, true
	}
	return Source{}, false
}

// Of is the source of attribute name, or the zero Source.
func (s Sources) Of(name string) Source {
	src, _ := s.Get(name)
	return src
}

// Set records the source of attribute name.
func (s *Sources) Set(name string, src Source) {
	i, ok := s.find(name)
	if ok {
		(*s)[i].Source = src
		return
	}
	if *s == nil {
		// Most lists end with a handful of attributes: start with room
		// for four rather than growing 1, 2, 4.
		*s = make(Sources, 0, 4)
	}
	*s = slices.Insert(*s, i, NamedSource{Name: name, Source: src})
}

// Delete forgets attribute name.
func (s *Sources) Delete(name string) {
	if i, ok := s.find(name); ok {
		*s = slices.Delete(*s, i, i+1)
	}
}

func (s Sources) find(name string) (int, bool) {
	return slices.BinarySearchFunc(s, name, func(e NamedSource, n string) int { return strings.Compare(e.Name, n) })
}

// MarshalJSON writes the object {"name": source, ...}, names sorted.
func (s Sources) MarshalJSON() ([]byte, error) {
	if s == nil {
		return []byte("null"), nil
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(e.Name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(e.Source)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads the object MarshalJSON writes.
func (s *Sources) UnmarshalJSON(data []byte) error {
	var m map[string]Source
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	if m == nil {
		*s = nil
		return nil
	}
	out := make(Sources, 0, len(m))
	for k, v := range m {
		out = append(out, NamedSource{Name: k, Source: v})
	}
	slices.SortFunc(out, func(a, b NamedSource) int { return strings.Compare(a.Name, b.Name) })
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
