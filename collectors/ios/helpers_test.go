package ios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/kaudit/kaudit/internal/testutil"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kaudit/kaudit/facts"
)

// corpusDir is ../shared/corpus/ios next to the repository, or "" (with a
// loud skip) when this checkout has no shared corpus.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := testutil.RepoRoot(t)
	c := filepath.Join(dir, "..", "shared", "corpus", "ios")
	if _, err := os.Stat(c); err != nil {
		t.Skipf("SKIPPING: shared corpus %s not found (%v): real-output comparisons NOT run", c, err)
	}
	return c
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testdata(t testing.TB, key, name string) []byte {
	t.Helper()
	return readFile(t, filepath.Join("testdata", key, name))
}

// parserFor returns the Command of key.
func parserFor(t testing.TB, key string) func([]byte, *facts.Device) error {
	t.Helper()
	for _, c := range Commands() {
		if c.Key == key {
			return c.Parse
		}
	}
	t.Fatalf("no command with key %q", key)
	return nil
}

// seedDevice is a device that already holds facts from other commands, so
// that tests can see a parser keep what is not its own and leave all of it
// alone on error.
func seedDevice() *facts.Device {
	src := facts.Source{Host: "sw1", Key: "earlier", Line: 1, Text: "earlier"}
	return &facts.Device{
		Name:     "sw1",
		Platform: facts.PlatformIOS,
		Keys:     []string{"earlier"},
		Switch: &facts.Switch{
			Hostname:   "sw1",
			Version:    "15.2(7)E9",
			Interfaces: []facts.SwitchPort{{Name: "GigabitEthernet9/0/9", Source: src}},
			MACAging:   &facts.MACAging{GlobalSeconds: 300, GlobalSet: true, Global: src},
			Neighbors: []facts.Neighbor{
				{Protocol: "cdp", LocalInterface: "GigabitEthernet9/0/9", DeviceID: "old-cdp", Source: src},
				{Protocol: "lldp", LocalInterface: "GigabitEthernet9/0/9", DeviceID: "old-lldp", Source: src},
			},
			PoE:          []facts.PoEPort{{Interface: "GigabitEthernet9/0/9", Admin: "auto", Oper: "on", Source: src}},
			PortSecurity: []facts.PortSecurityStatus{{Interface: "GigabitEthernet9/0/9", Enabled: true, MaxMACs: 5, Sources: facts.SourcesOf(map[string]facts.Source{"max_macs": src})}},
		},
	}
}

// rawLine returns line n (1-based) of data with CR and trailing blanks
// removed, split independently of the parsers' reader.
func rawLine(data []byte, n int) (string, bool) {
	lines := strings.Split(string(data), "\n")
	if n < 1 || n > len(lines) {
		return "", false
	}
	return strings.TrimRight(lines[n-1], " \t\r"), true
}

// allSources lists every Source the switch facts carry, with a label.
func allSources(sw *facts.Switch) map[string]facts.Source {
	out := map[string]facts.Source{}
	addAll := func(prefix string, s facts.Sources) {
		for name, src := range s.All() {
			out[prefix+"."+name] = src
		}
	}
	for i, p := range sw.Interfaces {
		pre := fmt.Sprintf("interfaces[%d]", i)
		out[pre] = p.Source
		addAll(pre, p.Sources)
		addAll(pre+".port_security", p.PortSecurity.Sources)
		for j, m := range p.PortSecurity.StickyMACs {
			out[fmt.Sprintf("%s.sticky[%d]", pre, j)] = m.Source
		}
		for j, m := range p.PortSecurity.StaticMACs {
			out[fmt.Sprintf("%s.static[%d]", pre, j)] = m.Source
		}
	}
	if a := sw.MACAging; a != nil {
		if a.GlobalSet {
			out["mac_aging.global"] = a.Global
		}
		for i, v := range a.VLANs {
			out[fmt.Sprintf("mac_aging.vlans[%d]", i)] = v.Source
		}
	}
	for i, n := range sw.Neighbors {
		out[fmt.Sprintf("neighbors[%d]", i)] = n.Source
	}
	for i, p := range sw.PoE {
		out[fmt.Sprintf("poe[%d]", i)] = p.Source
	}
	for i, s := range sw.PortSecurity {
		addAll(fmt.Sprintf("port_security[%d]", i), s.Sources)
	}
	return out
}

// checkSources asserts that every fact read from data under key points at
// a real line of data and quotes it. Facts from other keys are skipped.
func checkSources(t *testing.T, d *facts.Device, key string, data []byte) {
	t.Helper()
	if d.Switch == nil {
		return
	}
	for what, s := range allSources(d.Switch) {
		if s.Key != key {
			continue
		}
		if s.Host != d.Name {
			t.Errorf("%s: source host %q, want %q", what, s.Host, d.Name)
		}
		want, ok := rawLine(data, s.Line)
		if !ok {
			t.Errorf("%s: source line %d outside the output", what, s.Line)
			continue
		}
		if s.Text == "" {
			t.Errorf("%s: empty source text at line %d", what, s.Line)
		}
		// A line after a --More-- prompt is quoted without the prompt.
		if s.Text != want && !(strings.Contains(want, "--More--") && strings.HasSuffix(want, strings.TrimLeft(s.Text, " "))) {
			t.Errorf("%s: source line %d text %q, want %q", what, s.Line, s.Text, want)
		}
	}
}

// jobj is a JSON object that remembers its key order (the genie
// expectations rely on it, e.g. for the first CDP entry address).
type jobj struct {
	keys []string
	m    map[string]any
}

func decodeJSON(t testing.TB, data []byte) *jobj {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	v, err := decodeValue(dec)
	if err != nil {
		t.Fatalf("decoding expectation: %v", err)
	}
	o, ok := v.(*jobj)
	if !ok {
		t.Fatalf("expectation is %T, not an object", v)
	}
	return o
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	switch delim {
	case '{':
		o := &jobj{m: map[string]any{}}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k := kt.(string)
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			o.keys = append(o.keys, k)
			o.m[k] = v
		}
		_, err := dec.Token()
		return o, err
	case '[':
		var a []any
		for dec.More() {
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := dec.Token()
		return a, err
	}
	return nil, fmt.Errorf("unexpected %v", delim)
}

func (o *jobj) has(k string) bool {
	if o == nil {
		return false
	}
	_, ok := o.m[k]
	return ok
}

// keysOf is the keys in document order; none for a missing object.
func (o *jobj) keysOf() []string {
	if o == nil {
		return nil
	}
	return o.keys
}

func (o *jobj) obj(k string) *jobj {
	if o == nil {
		return nil
	}
	v, _ := o.m[k].(*jobj)
	return v
}

func (o *jobj) str(k string) string {
	if o == nil {
		return ""
	}
	switch v := o.m[k].(type) {
	case string:
		return v
	case float64:
		return fmt.Sprint(v)
	}
	return ""
}

func (o *jobj) num(k string) float64 {
	if o == nil {
		return 0
	}
	v, _ := o.m[k].(float64)
	return v
}

func (o *jobj) boolean(k string) bool {
	if o == nil {
		return false
	}
	v, _ := o.m[k].(bool)
	return v
}

// eq reports a field mismatch.
// compared counts the fields eq checked, agreeing or not (the corpus
// test reports it).
var compared atomic.Int64

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	compared.Add(1)
	if got != want {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// unchanged asserts that d still equals a fresh seedDevice().
func unchanged(t testing.TB, d *facts.Device) {
	t.Helper()
	if !reflect.DeepEqual(d, seedDevice()) {
		t.Errorf("device changed by a failed parse")
	}
}

func neighbors(d *facts.Device, proto string) []facts.Neighbor {
	var out []facts.Neighbor
	if d.Switch == nil {
		return nil
	}
	for _, n := range d.Switch.Neighbors {
		if n.Protocol == proto {
			out = append(out, n)
		}
	}
	return out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
