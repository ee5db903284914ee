package facts

import (
	"encoding/json"
	"reflect"
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
	if len(s) != 3 {
		t.Fatalf("len = %d, want 3: %+v", len(s), s)
	}
	for i := 1; i < len(s); i++ {
		if s[i-1].Name >= s[i].Name {
			t.Fatalf("not sorted: %+v", s)
		}
	}
	if got := s.Of("access_vlan").Line; got != 9 {
		t.Errorf("access_vlan line = %d, want 9", got)
	}
	s.Delete("mode")
	s.Delete("absent")
	if _, ok := s.Get("mode"); ok || len(s) != 2 {
		t.Errorf("after delete: %+v", s)
	}
	m := map[string]Source{}
	for _, e := range s {
		m[e.Name] = e.Source
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
		S Sources `json:"s,omitempty"`
	}{}); string(b) != "{}" {
		t.Errorf("empty Sources not omitted: %s", b)
	}
}
