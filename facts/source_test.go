package facts

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
)

// TestSourcesList: Sources behaves like the map it replaced (set, replace,
// delete, missing names) and encodes as the same JSON object.
func TestSourcesList(t *testing.T) {
	var s Sources
	if _, ok := s.Get("x"); ok {
		t.Fatal("empty Sources has x")
	}
	s.Set("voice_vlan", Source{Key: "k", Line: 3, Text: " switchport voice vlan 210"})
	s.Set("access_vlan", Source{Key: "k", Line: 2})
	s.Set("mode", Source{Key: "k", Line: 1})
	s.Set("access_vlan", Source{Key: "k", Line: 9}) // replaces
	if s.Len() != 3 {
		t.Fatalf("len = %d, want 3: %+v", s.Len(), s)
	}
	var names []string
	for n := range s.All() {
		names = append(names, n)
	}
	if !slices.IsSorted(names) || len(names) != 3 {
		t.Fatalf("names %q: not sorted", names)
	}
	if got := s.Of("access_vlan").Line; got != 9 {
		t.Errorf("access_vlan line = %d, want 9", got)
	}
	s.Delete("mode")
	s.Delete("absent")
	if _, ok := s.Get("mode"); ok || s.Len() != 2 {
		t.Errorf("after delete: %+v", s)
	}
	m := map[string]Source{}
	for n, src := range s.All() {
		m[n] = src
	}
	got, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(m)
	if string(got) != string(want) {
		t.Errorf("json = %s, want the map's %s", got, want)
	}
	var back Sources
	if err := json.Unmarshal(got, &back); err != nil || !reflect.DeepEqual(back, s) {
		t.Errorf("round trip = %+v (%v), want %+v", back, err, s)
	}
	s.Set("mode", Source{Line: 7})
	s.Set("voice_vlan", Source{Line: 8})
	if s.Of("mode").Line != 7 || s.Of("voice_vlan").Line != 8 || s.Of("access_vlan").Line != 9 {
		t.Errorf("after setting again: %+v", s)
	}
	if b, _ := json.Marshal(struct {
		S Sources `json:"s,omitzero"`
	}{}); string(b) != "{}" {
		t.Errorf("empty Sources not omitted: %s", b)
	}
}

// sourcesJSONCases are strings the hand-written encoder must escape
// exactly as encoding/json does.
var sourcesJSONCases = []string{
	"", " switchport port-security aging time 2", `quote " and \ backslash`,
	"<html> & friends", "tab\there", "cr\r lf\n nul\x00", "del\x7f", "utf-8 é ü 电话",
	"bad utf-8 \xff\xfe", "line sep \u2028 para \u2029", "\x1b[7m--More--\x1b[m",
}

func TestSourcesJSONEqualsMap(t *testing.T) {
	for _, text := range sourcesJSONCases {
		checkSourcesJSON(t, text, "sw<1>", "show_running-config", 7)
	}
}

// FuzzSourcesJSON: whatever the texts, Sources encodes byte for byte as
// the map[string]Source it stands for and decodes back to it.
func FuzzSourcesJSON(f *testing.F) {
	for _, s := range sourcesJSONCases {
		f.Add(s, "sw1", "show_version", 3)
	}
	f.Fuzz(func(t *testing.T, text, host, key string, line int) {
		checkSourcesJSON(t, text, host, key, line)
	})
}

func checkSourcesJSON(t *testing.T, text, host, key string, line int) {
	t.Helper()
	var s Sources
	m := map[string]Source{}
	for i, name := range []string{"b" + text, "a", text} {
		src := Source{Host: host, Key: key, Line: line + i, Text: text}
		s.Set(name, src)
		m[name] = src
	}
	got, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(m)
	if string(got) != string(want) {
		t.Fatalf("json = %s\nwant   %s", got, want)
	}
	var back Sources
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	// Decoding may change a text (invalid UTF-8 becomes U+FFFD), so the
	// decoded list is compared with the decoded map.
	var m2 map[string]Source
	if err := json.Unmarshal(got, &m2); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(back)
	want2, _ := json.Marshal(m2)
	if string(again) != string(want2) {
		t.Fatalf("round trip = %s\nwant         %s", again, want2)
	}
}

// TestPackSources: packing keeps every list's content and JSON, leaves no
// spare room, and a list changed afterwards does not touch its neighbour.
func TestPackSources(t *testing.T) {
	d := &Device{Name: "sw1", Switch: &Switch{}}
	for p := 0; p < 3; p++ {
		var port SwitchPort
		for a := 0; a <= p+2; a++ {
			port.Sources.Set(fmt.Sprintf("attr%d", a), Source{Host: "sw1", Key: "show_running-config", Line: 10*p + a, Text: fmt.Sprintf(" line %d", a)})
		}
		port.PortSecurity.Sources.Set("enabled", Source{Host: "sw1", Key: "show_running-config", Line: 100 + p})
		d.Switch.Interfaces = append(d.Switch.Interfaces, port)
	}
	before, _ := json.Marshal(d)
	d.PackSources()
	after, _ := json.Marshal(d)
	if string(before) != string(after) {
		t.Fatalf("packing changed the JSON:\n%s\n%s", before, after)
	}
	p0, p1 := &d.Switch.Interfaces[0], &d.Switch.Interfaces[1]
	if cap(p0.Sources.list) != p0.Sources.Len() {
		t.Errorf("packed list has cap %d for %d entries", cap(p0.Sources.list), p0.Sources.Len())
	}
	p0.Sources.Set("zzz", Source{Line: 999})
	p0.Sources.Set("attr0", Source{Line: 998})
	p0.PortSecurity.Sources.Delete("enabled")
	if got := p1.Sources.Of("attr0").Line; got != 10 {
		t.Errorf("neighbour's attr0 line = %d after a change to port 0, want 10", got)
	}
	if p0.Sources.Of("zzz").Line != 999 || p0.Sources.Of("attr0").Line != 998 || p0.PortSecurity.Sources.Len() != 0 {
		t.Errorf("changes after packing lost: %+v", p0)
	}
	if p1.PortSecurity.Sources.Of("enabled").Line != 101 {
		t.Errorf("port 1's port-security source changed")
	}
}

// TestSourcesGrow: a list grown for the attributes to come is allocated
// once, and Grow changes nothing a reader sees.
func TestSourcesGrow(t *testing.T) {
	names := []string{"enabled", "port_status", "violation", "aging_time", "aging_type", "aging_static",
		"maximum", "total", "configured", "sticky", "last_source", "violation_count"}
	src := Source{Host: "sw1", Key: "show_port-security_interface", Line: 3, Text: "Port Security : Enabled"}
	var want Sources
	for _, n := range names {
		want.Set(n, src) // interns the names, so the runs below only count the list
	}
	var got Sources
	allocs := testing.AllocsPerRun(20, func() {
		got = Sources{}
		got.Grow(len(names))
		for _, n := range names {
			got.Set(n, src)
		}
	})
	// The race detector adds allocations of its own; the count is the
	// code's only without it (the list itself is still compared below).
	if allocs != 1 && !raceEnabled {
		t.Errorf("%v allocations for %d attributes after Grow, want 1", allocs, len(names))
	}
	if got.String() != want.String() {
		t.Errorf("after Grow: %s, want %s", got, want)
	}
}

// TestSetAttr: setting through interned names makes the same list as
// setting by name, in any order, overwrites included.
func TestSetAttr(t *testing.T) {
	src := func(n int) Source {
		return Source{Host: "sw1", Key: "show_running-config", Line: n, Text: fmt.Sprintf(" line %d", n)}
	}
	names := []string{"violation", "enabled", "maximum", "aging_time", "enabled", "sticky"}
	var byName, byAttr Sources
	for i, n := range names {
		byName.Set(n, src(i))
		byAttr.SetAttr(NewAttr(n), src(i))
	}
	if byAttr.String() != byName.String() || byAttr.Len() != 5 {
		t.Errorf("SetAttr: %s\nSet:     %s", byAttr, byName)
	}
	if got, ok := byAttr.Get("enabled"); !ok || got.Line != 4 {
		t.Errorf("enabled after an overwrite: %+v %v", got, ok)
	}
}
