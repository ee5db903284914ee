// Package facts holds the typed snapshot of a voice network: what the
// collectors extract from each device and what the rules read. Every fact
// remembers the line of device output it came from.
package facts

import (
	"fmt"
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
// Attributes that were never configured have no entry.
type Sources map[string]Source

// Get returns the source of attribute name and whether there is one.
func (s Sources) Get(name string) (Source, bool) {
	src, ok := s[name]
	return src, ok
}

// Set records the source of attribute name, creating the map if needed.
func (s *Sources) Set(name string, src Source) {
	if *s == nil {
		*s = Sources{}
	}
	(*s)[name] = src
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
