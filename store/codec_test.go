package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

// decodeWith decodes a body of codec c into a new value of type T.
func decodeWith[T any](t testing.TB, c *typeCodec, body []byte) (T, error) {
	t.Helper()
	var v T
	p, err := planFor(c.schema, reflect.TypeFor[T]())
	if err != nil {
		t.Fatal(err)
	}
	return v, decodeBody(p, string(body), 0, &v)
}

// oddDevice has what the labs lack: invalid UTF-8, negative and large
// numbers, floats, a map, empty lists beside nil ones, addresses, a
// pointer to a zero struct.
func oddDevice() *facts.Device {
	d := &facts.Device{Name: "<sw&1>\xff\u2028", Platform: facts.PlatformIOS, Roles: []string{}, Tags: nil, Status: facts.StatusOK,
		Errors: []*facts.ParseError{{Key: "show_version", Line: -3, Msg: "bad\x00"}, nil}}
	d.Switch = &facts.Switch{Hostname: "sw1", MACAging: &facts.MACAging{}}
	p := facts.SwitchPort{Name: "Gi1/0/1", AccessVLAN: 1 << 40, Source: facts.Source{Key: "k", Line: 1 << 50, Text: "x"}}
	p.PortSecurity.VLANMaximum = map[string]int{"voice": 2, "access": 1, "": -1}
	p.Sources.Set("b", facts.Source{Host: "h", Key: "show_running-config", Line: 7, Text: " b", Via: "template T"})
	p.Sources.Set("a", facts.Source{Key: "show_running-config", Line: 6, Text: " a"})
	d.Switch.Interfaces = []facts.SwitchPort{p, {Name: "Gi1/0/2"}}
	d.Switch.PoE = []facts.PoEPort{{Interface: "Gi1/0/1", Watts: 15.4, MaxWatts: -0.5}}
	d.ASA = &facts.ASA{Interfaces: []facts.ASAInterface{
		{Name: "Gi0/0", Prefix: netip.MustParsePrefix("10.0.0.1/24"), StandbyIP: netip.MustParseAddr("fe80::1%eth0")},
		{Name: "Gi0/1"},
	}}
	return d
}

// TestBinaryRoundTrip: every device of every lab, a synthetic network,
// odd values and the findings come back equal, field for field.
func TestBinaryRoundTrip(t *testing.T) {
	e := newEncoder()
	var devs []*facts.Device
	var findings [][]rules.Finding
	for _, lab := range labs(t) {
		rec, snap := labRun(t, lab)
		devs = append(devs, snap.Devices...)
		findings = append(findings, rec.Findings)
	}
	rec, snap := synthRun(60, 5)
	devs = append(devs, snap.Devices...)
	devs = append(devs, oddDevice())
	findings = append(findings, rec.Findings, nil, []rules.Finding{}, []rules.Finding{{Rule: "r", Phones: []string{}, Waived: &rules.Waived{}}})
	for _, d := range devs {
		body, c, h, err := e.binary(d)
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		if h2 := binaryHash(c.schema.hash, body); h2 != h {
			t.Fatalf("%s: hash", d.Name)
		}
		got, err := decodeWith[*facts.Device](t, c, body)
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		if !reflect.DeepEqual(got, d) {
			t.Errorf("device %q differs after a round trip:\n%s", d.Name, firstDiff(mustJSON(t, got), mustJSON(t, d)))
		}
		// Equal facts, equal bytes: an unchanged device is found again.
		again, _, _, _ := e.binary(got)
		if !bytes.Equal(again, body) {
			t.Errorf("device %q: encoding the decoded facts gives other bytes", d.Name)
		}
	}
	for i, fs := range findings {
		body, c, _, err := e.binary(fs)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeWith[[]rules.Finding](t, c, body)
		if err != nil || !reflect.DeepEqual(got, fs) {
			t.Errorf("findings %d differ after a round trip (%v)", i, err)
		}
	}
}

// TestBinarySchemaChange: a blob written with an older form of a type
// decodes into the current one by field name: fields gone are skipped
// (strings among them still count for later references), new ones stay
// zero, a field whose type changed is dropped rather than misread.
func TestBinarySchemaChange(t *testing.T) {
	type inner struct {
		X int    `json:"x"`
		Y string `json:"y"`
	}
	type v1 struct {
		A    int               `json:"a"`
		Gone string            `json:"gone"`
		B    string            `json:"b"`
		C    []int             `json:"c"`
		D    *inner            `json:"d"`
		M    map[string]inner  `json:"m"`
		Was  string            `json:"was"`
		S    facts.Sources     `json:"s"`
		L    []inner           `json:"l"`
		Skip map[int][]*inner  `json:"skip"`
		Arr  [2]inner          `json:"arr"`
		Ptrs map[uint8]*string `json:"ptrs"`
	}
	type inner2 struct {
		Y   string `json:"y"`
		New bool   `json:"new"`
	}
	type v2 struct {
		B    string            `json:"b"`
		A    int64             `json:"a"`
		New  string            `json:"new"`
		Was  int               `json:"was"` // was a string
		D    *inner2           `json:"d"`
		C    []int             `json:"c"`
		M    map[string]inner2 `json:"m"`
		S    facts.Sources     `json:"s"`
		L    []inner2          `json:"l"`
		Arr  [3]inner          `json:"arr"` // another length: dropped
		Ptrs map[uint8]*string `json:"ptrs"`
	}
	str := "p"
	old := v1{A: -5, Gone: "repeated", B: "repeated", C: []int{1, 2}, D: &inner{X: 9, Y: "repeated"},
		M: map[string]inner{"k": {Y: "m"}}, Was: "7", L: []inner{{Y: "l"}, {X: 1}},
		Skip: map[int][]*inner{3: {nil, {Y: "repeated"}}}, Arr: [2]inner{{Y: "a"}}, Ptrs: map[uint8]*string{1: &str, 2: nil}}
	old.S.Set("n", facts.Source{Key: "k", Line: 2, Text: "repeated"})
	e := &binEncoder{}
	body, c, err := e.encodeBinary(&old)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeWith[*v2](t, c, body)
	if err != nil {
		t.Fatal(err)
	}
	want := &v2{B: "repeated", A: -5, C: []int{1, 2}, D: &inner2{Y: "repeated"}, M: map[string]inner2{"k": {Y: "m"}},
		S: old.S, L: []inner2{{Y: "l"}, {}}, Ptrs: old.Ptrs}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v\nwant    %+v", got, want)
	}
	// Nothing of it matches: a struct of other fields is all zero.
	type other struct {
		Q bool `json:"q"`
	}
	if got, err := decodeWith[*other](t, c, body); err != nil || *got != (other{}) {
		t.Errorf("unrelated type: %+v, %v", got, err)
	}
	// The root itself of another kind cannot be decoded.
	if _, err := planFor(c.schema, reflect.TypeFor[[]int]()); err == nil {
		t.Error("a struct schema planned into a slice")
	}
}

// TestBinaryOlderSchemaInStore: a device written by a build whose facts
// had other fields is read back through the schema the store keeps.
func TestBinaryOlderSchemaInStore(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, Options{})
	type oldSwitch struct {
		Hostname string `json:"hostname"`
		Removed  []int  `json:"removed"`
	}
	type oldDevice struct {
		Name    string     `json:"name"`
		Status  string     `json:"status"`
		Dropped string     `json:"dropped"`
		Switch  *oldSwitch `json:"switch"`
	}
	e := newEncoder()
	body, c, h, err := e.binary(&oldDevice{Name: "sw-old", Status: "ok", Dropped: "x", Switch: &oldSwitch{Hostname: "sw-old", Removed: []int{1}}})
	if err != nil {
		t.Fatal(err)
	}
	data := e.packBinary(c, body)
	var d *facts.Device
	if err := s.decodeStored(ctx, data, h, &d); err == nil || !strings.Contains(err.Error(), "is not stored") {
		t.Fatalf("decoding before the schema is stored: %v", err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(c.schema.text)
	zw.Close()
	if _, err := s.db.Exec("INSERT INTO blobs(hash, data) VALUES(?, ?)", c.schema.hash[:], gz.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := s.decodeStored(ctx, data, h, &d); err != nil {
		t.Fatal(err)
	}
	want := &facts.Device{Name: "sw-old", Status: "ok", Switch: &facts.Switch{Hostname: "sw-old"}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("decoded %+v, want %+v", d, want)
	}
}

// savedCase2 is a new store holding an audit of lab case2.
func savedCase2(t *testing.T) (*Store, *facts.Snapshot, int64) {
	t.Helper()
	s, _ := openTemp(t, Options{})
	rec, snap := labRun(t, "case2-port-security-aging")
	id, err := s.SaveRun(context.Background(), rec, snap)
	if err != nil {
		t.Fatal(err)
	}
	return s, snap, id
}

// TestBinaryDamaged: a stored binary blob that does not match its hash,
// is cut short or names a schema the store lacks is an error, never a
// panic or other facts.
func TestBinaryDamaged(t *testing.T) {
	ctx := context.Background()
	s, snap, id := savedCase2(t)
	e := newEncoder()
	body, c, h, err := e.binary(snap.Devices[2])
	if err != nil {
		t.Fatal(err)
	}
	good := e.packBinary(c, body)
	var d *facts.Device
	if err := s.decodeStored(ctx, good, h, &d); err != nil || d.Name != snap.Devices[2].Name {
		t.Fatalf("good blob: %v", err)
	}
	flip := bytes.Clone(good)
	flip[len(flip)/2] ^= 0x40
	other := sha256Of("other")
	for name, data := range map[string][]byte{
		"flipped byte":  flip,
		"truncated":     good[:len(good)-7],
		"header only":   good[:10],
		"wrong hash":    good,
		"no body":       good[:len(binMagic)+32],
		"unknown codec": append([]byte(binMagic), other[:]...),
	} {
		want := h
		if name == "wrong hash" {
			want = other
		}
		if err := s.decodeStored(ctx, data, want, &d); err == nil || !strings.Contains(err.Error(), "blob "+want.String()) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Through a run: the reader names the run as damaged.
	if _, err := s.db.Exec("UPDATE blobs SET data = ? WHERE id = (SELECT facts FROM run_devices WHERE run_id = ? AND snap_seq = 2)", flip, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Snapshot(ctx, id); err == nil || !strings.Contains(err.Error(), "is damaged") {
		t.Errorf("Snapshot of a damaged run: %v", err)
	}
}

// TestRunFindingsDamaged: a run whose findings blob is gone or altered
// reads as damaged, naming the run.
func TestRunFindingsDamaged(t *testing.T) {
	ctx := context.Background()
	s, _, id := savedCase2(t)
	if _, err := s.db.Exec("UPDATE blobs SET data = ? WHERE id = (SELECT findings FROM run_devices WHERE run_id = ? AND findings IS NOT NULL LIMIT 1)", []byte(binMagic+"x"), id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(ctx, id); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("run %d is damaged", id)) {
		t.Errorf("Run with an altered findings blob: %v", err)
	}
	c, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, q := range []string{"PRAGMA foreign_keys = OFF", "DELETE FROM findings", "DELETE FROM blobs WHERE id IN (SELECT findings FROM run_devices)"} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Run(ctx, id); err == nil || !strings.Contains(err.Error(), "is missing") || !strings.Contains(err.Error(), "is damaged") {
		t.Errorf("Run with a findings blob gone: %v", err)
	}
}

// TestPutExisting: a blob the writer did not know the store had is not
// inserted twice (a plain INSERT meets the unique hash).
func TestPutExisting(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, Options{})
	rec, snap := labRun(t, "clean")
	if _, err := s.SaveRun(ctx, rec, snap); err != nil {
		t.Fatal(err)
	}
	var id int64
	var h, data []byte
	if err := s.db.QueryRow("SELECT id, hash, data FROM blobs LIMIT 1").Scan(&id, &h, &data); err != nil {
		t.Fatal(err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	w, err := s.newWriter(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	r := ref{gz: data}
	copy(r.h[:], h)
	got, inserted, err := w.put(ctx, &r)
	if err != nil || got != id || inserted {
		t.Errorf("put of a stored blob = %d, %v, %v; want %d, false", got, inserted, err, id)
	}
}

// TestBinaryHugeCount: a count no body of that size could hold is
// refused before anything is allocated for it.
func TestBinaryHugeCount(t *testing.T) {
	c, err := codecFor(reflect.TypeFor[[]rules.Finding]())
	if err != nil {
		t.Fatal(err)
	}
	fields := len(c.schema.types[c.schema.types[0].elem].fields)
	for _, n := range []uint64{1 << 40, 50} { // 50 findings in 100 bytes
		body := binary.AppendUvarint(nil, n+1)
		body = append(body, make([]byte, 100)...)
		if _, err := decodeWith[[]rules.Finding](t, c, body); err == nil || !strings.Contains(err.Error(), "beyond the end") {
			t.Errorf("count %d: %v", n, err)
		}
	}
	// As many findings as the bytes allow is a count, not damage.
	body := binary.AppendUvarint(nil, 2+1)
	body = append(body, make([]byte, 2*fields)...)
	if fs, err := decodeWith[[]rules.Finding](t, c, body); err != nil || len(fs) != 2 {
		t.Errorf("two empty findings: %d, %v", len(fs), err)
	}
}

func TestParseSchema(t *testing.T) {
	c, err := codecFor(reflect.TypeFor[*facts.Device]())
	if err != nil {
		t.Fatal(err)
	}
	sc, err := parseSchema(c.schema.text)
	if err != nil || !reflect.DeepEqual(sc.types, c.schema.types) || sc.hash != c.schema.hash {
		t.Fatalf("parse(render(schema)) differs: %v", err)
	}
	for _, bad := range []string{
		"",
		"kaudit-binary-schema 2\n0 int\n",
		schemaMagic + "0 struct a:0\n",          // holds itself
		schemaMagic + "0 array 3 1\n1 struct\n", // array of nothing
		schemaMagic + "0 struct a:1\n1 array 2 0\n", // holds itself through an array
		schemaMagic + "0 slice 1\n",                 // out of range
		schemaMagic + "0 slice\n",
		schemaMagic + "0 map 0\n",
		schemaMagic + "1 int\n",
		schemaMagic + "0 widget\n",
		schemaMagic + "0 struct a\n",
		schemaMagic + "0 struct :0\n",
		schemaMagic + "0 array -1 0\n",
		schemaMagic + "0 int 3\n",
	} {
		if _, err := parseSchema([]byte(bad)); err == nil {
			t.Errorf("parseSchema(%q) accepted", bad)
		}
	}
	// Recursion through a pointer is fine: each level reads a byte.
	if _, err := parseSchema([]byte(schemaMagic + "0 struct next:1 v:2\n1 ptr 0\n2 int\n")); err != nil {
		t.Error(err)
	}
}

// TestBinaryUnsupported: a type the encoding cannot write is an error
// naming it, at the first use, not a wrong blob.
func TestBinaryUnsupported(t *testing.T) {
	type withChan struct{ C chan int }
	type withKey struct{ M map[[2]int]int }
	type embedded struct{ inner }
	for _, v := range []any{&withChan{}, &withKey{}, &embedded{}} {
		if _, _, err := (&binEncoder{}).encodeBinary(v); err == nil {
			t.Errorf("%T encoded", v)
		}
	}
}

type inner struct{ A int }

// FuzzDecodeBinary: any body, under any schema text, decodes into a
// device or findings or is refused, never a panic or a hang.
func FuzzDecodeBinary(f *testing.F) {
	e := newEncoder()
	_, snap := labRun(f, "case1-proxy-arp")
	c, _ := codecFor(reflect.TypeFor[*facts.Device]())
	for _, d := range snap.Devices[:2] {
		body, _, _, _ := e.binary(d)
		f.Add(c.schema.text, bytes.Clone(body))
	}
	f.Add([]byte(schemaMagic+"0 ptr 1\n1 struct name:2 next:0\n2 string\n"), []byte{1, 3, 'a', 1, 2, 0})
	f.Fuzz(func(t *testing.T, text, body []byte) {
		sc, err := parseSchema(text)
		if err != nil {
			return
		}
		if p, err := planFor(sc, reflect.TypeFor[*facts.Device]()); err == nil {
			var d *facts.Device
			decodeBody(p, string(body), 0, &d)
		}
		if p, err := planFor(sc, reflect.TypeFor[[]rules.Finding]()); err == nil {
			var fs []rules.Finding
			decodeBody(p, string(body), 0, &fs)
		}
	})
}
