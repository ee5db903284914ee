package store

// The binary encoding of device facts and findings. JSON blobs made
// reading a 10,000-device snapshot back cost 17-27 s and 3.5 GB, half of
// it in json.Unmarshal (issue 15.3). This encoding is driven by the Go
// types through reflection, like encoding/json, so facts that gain a
// field need no change here, but it writes no field names and no quotes:
//
//   - a blob's body is its values in field order: varints for numbers,
//     a byte for bools and pointer presence, a count (+1, 0 for nil) for
//     slices and maps (map keys sorted, so equal values give equal bytes);
//   - each distinct string of a blob is written once; a repeat is its
//     number in the blob, so the decoder shares one string among all
//     its uses (a switch's key and line texts repeat on every port);
//   - the field names and types (the schema) are written once in the
//     store, as a blob of their own, and each binary blob names its
//     schema's hash. A blob written before a field was added, removed or
//     changed type still decodes: fields are matched by name (the JSON
//     name), a field the Go type lacks is skipped, a field the blob lacks
//     stays zero.
//
// Types with a JSON form of their own (json.Marshaler) are kept as their
// JSON, except facts.Sources, whose entries are written as strings and
// numbers; types with a binary form (netip.Addr) as that form.

import (
	"cmp"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/kaudit/kaudit/facts"
)

// Wire kinds, as the schema text names them.
const (
	wBool    = "bool"
	wInt     = "int"
	wUint    = "uint"
	wFloat   = "float"
	wString  = "string"
	wBytes   = "bytes"   // []byte, or a type's MarshalBinary
	wText    = "text"    // a struct type's MarshalText
	wJSON    = "json"    // a type's MarshalJSON, or an interface
	wSlice   = "slice"   // elem
	wArray   = "array"   // n elem
	wMap     = "map"     // key elem
	wPtr     = "ptr"     // elem
	wStruct  = "struct"  // name:type ...
	wSources = "sources" // facts.Sources
)

// wireType is one type of a schema; elem, key index the schema's types.
type wireType struct {
	kind      string
	elem, key int
	n         int
	fields    []wireField
}

type wireField struct {
	name string
	typ  int
}

// schema describes the encoding of a root type: types[0] is the root.
// Its text is what the store keeps; its hash is what blobs name.
type schema struct {
	types []wireType
	text  []byte
	hash  hash
	// minSize is the fewest bytes a value of each type takes (see
	// checkSizes): a count a body states is checked against it.
	minSize []int
}

// schemaMagic starts every schema text, so that a text of another
// format is never taken for one.
const schemaMagic = "kaudit-binary-schema 1\n"

func (sc *schema) render() {
	var b strings.Builder
	b.WriteString(schemaMagic)
	for i, t := range sc.types {
		fmt.Fprintf(&b, "%d %s", i, t.kind)
		switch t.kind {
		case wSlice, wPtr:
			fmt.Fprintf(&b, " %d", t.elem)
		case wArray:
			fmt.Fprintf(&b, " %d %d", t.n, t.elem)
		case wMap:
			fmt.Fprintf(&b, " %d %d", t.key, t.elem)
		case wStruct:
			for _, f := range t.fields {
				fmt.Fprintf(&b, " %s:%d", f.name, f.typ)
			}
		}
		b.WriteByte('\n')
	}
	sc.text = []byte(b.String())
	sc.hash = sha256.Sum256(sc.text)
}

// parseSchema reads a schema text back, checking that every reference
// is in range, so that decoding never indexes outside it.
func parseSchema(text []byte) (*schema, error) {
	rest, ok := strings.CutPrefix(string(text), schemaMagic)
	if !ok {
		return nil, errors.New("not a binary schema")
	}
	sc := &schema{text: text, hash: sha256.Sum256(text)}
	lines := strings.Split(strings.TrimSuffix(rest, "\n"), "\n")
	num := func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad number %q", s)
		}
		return n, nil
	}
	ref := func(s string) (int, error) {
		n, err := num(s)
		if err == nil && n >= len(lines) {
			err = fmt.Errorf("type %d out of range", n)
		}
		return n, err
	}
	for i, line := range lines {
		w := strings.Fields(line)
		if len(w) < 2 || w[0] != strconv.Itoa(i) {
			return nil, fmt.Errorf("schema line %d is malformed", i+1)
		}
		t := wireType{kind: w[1]}
		var err error
		args := w[2:]
		want := 0
		switch t.kind {
		case wBool, wInt, wUint, wFloat, wString, wBytes, wText, wJSON, wSources:
		case wSlice, wPtr:
			want = 1
			if len(args) == 1 {
				t.elem, err = ref(args[0])
			}
		case wArray:
			want = 2
			if len(args) == 2 {
				if t.n, err = num(args[0]); err == nil {
					t.elem, err = ref(args[1])
				}
			}
		case wMap:
			want = 2
			if len(args) == 2 {
				if t.key, err = ref(args[0]); err == nil {
					t.elem, err = ref(args[1])
				}
			}
		case wStruct:
			want = len(args)
			for _, a := range args {
				name, typ, ok := strings.Cut(a, ":")
				if !ok || name == "" {
					return nil, fmt.Errorf("schema line %d: bad field %q", i+1, a)
				}
				f := wireField{name: name}
				if f.typ, err = ref(typ); err != nil {
					break
				}
				t.fields = append(t.fields, f)
			}
		default:
			return nil, fmt.Errorf("schema line %d: unknown kind %q", i+1, t.kind)
		}
		if err == nil && len(args) != want {
			err = fmt.Errorf("%d arguments, want %d", len(args), want)
		}
		if err != nil {
			return nil, fmt.Errorf("schema line %d: %v", i+1, err)
		}
		sc.types = append(sc.types, t)
	}
	if err := sc.checkSizes(); err != nil {
		return nil, err
	}
	return sc, nil
}

// checkSizes sets minSize and refuses a schema a damaged or hostile store
// could hold that would make skipping a value loop without reading: a
// struct that holds itself without a pointer, slice or map between (each
// of those reads a byte), or an array of values that take no bytes.
func (sc *schema) checkSizes() error {
	const (
		unseen = iota
		busy
		done
	)
	state := make([]int, len(sc.types))
	size := make([]int, len(sc.types))
	var visit func(id int) error
	visit = func(id int) error {
		switch state[id] {
		case busy:
			return fmt.Errorf("schema type %d holds itself", id)
		case done:
			return nil
		}
		state[id] = busy
		t := sc.types[id]
		switch t.kind {
		case wStruct:
			for _, f := range t.fields {
				if err := visit(f.typ); err != nil {
					return err
				}
				size[id] = min(size[id]+size[f.typ], maxBody)
			}
		case wArray:
			if err := visit(t.elem); err != nil {
				return err
			}
			if t.n > 0 && size[t.elem] == 0 {
				return fmt.Errorf("schema type %d is an array of values without bytes", id)
			}
			size[id] = min(t.n*size[t.elem], maxBody)
		case wFloat:
			size[id] = 8
		default:
			size[id] = 1
		}
		state[id] = done
		return nil
	}
	for id := range sc.types {
		if err := visit(id); err != nil {
			return err
		}
	}
	sc.minSize = size
	return nil
}

// sourceMinSize is the fewest bytes a facts.Sources entry takes: five
// strings and a number.
const sourceMinSize = 6

// goKind is how a Go type is encoded: its wire kind, and for a struct
// the fields written.
var (
	sourcesType           = reflect.TypeFor[facts.Sources]()
	jsonMarshalerType     = reflect.TypeFor[json.Marshaler]()
	binaryMarshalerType   = reflect.TypeFor[encoding.BinaryMarshaler]()
	binaryUnmarshalerType = reflect.TypeFor[encoding.BinaryUnmarshaler]()
	textMarshalerType     = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalerType   = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || reflect.PointerTo(t).Implements(iface)
}

func wireKind(t reflect.Type) (string, error) {
	switch {
	case t == sourcesType:
		return wSources, nil
	case implements(t, jsonMarshalerType):
		return wJSON, nil
	case t.Kind() == reflect.Struct && implements(t, binaryMarshalerType) && reflect.PointerTo(t).Implements(binaryUnmarshalerType):
		return wBytes, nil
	case t.Kind() == reflect.Struct && implements(t, textMarshalerType) && reflect.PointerTo(t).Implements(textUnmarshalerType):
		return wText, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return wBool, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return wInt, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return wUint, nil
	case reflect.Float32, reflect.Float64:
		return wFloat, nil
	case reflect.String:
		return wString, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return wBytes, nil
		}
		return wSlice, nil
	case reflect.Array:
		return wArray, nil
	case reflect.Map:
		switch t.Key().Kind() {
		case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return wMap, nil
		}
		return "", fmt.Errorf("map key type %s", t.Key())
	case reflect.Pointer:
		return wPtr, nil
	case reflect.Struct:
		return wStruct, nil
	case reflect.Interface:
		return wJSON, nil
	}
	return "", fmt.Errorf("type %s", t)
}

// goField is a struct field the encoding writes.
type goField struct {
	name  string
	index int
}

// goFields are the fields of struct type t that encoding/json writes
// (exported, not tagged "-"), by their JSON names.
func goFields(t reflect.Type) ([]goField, error) {
	var out []goField
	seen := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			if f.Anonymous {
				return nil, fmt.Errorf("%s: unexported embedded field %s", t, f.Name)
			}
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		if seen[name] || strings.ContainsAny(name, " :\n") {
			return nil, fmt.Errorf("%s: field name %q cannot be encoded", t, name)
		}
		seen[name] = true
		out = append(out, goField{name: name, index: i})
	}
	return out, nil
}

// encFn writes v (of the type it was built for) to e.
type encFn func(e *binEncoder, v reflect.Value)

// typeCodec is the schema and encoder of a root type.
type typeCodec struct {
	schema *schema
	enc    encFn
}

var codecs sync.Map // reflect.Type → *typeCodec or error

// codecFor builds (once) the schema and encoder of root type t.
func codecFor(t reflect.Type) (*typeCodec, error) {
	if c, ok := codecs.Load(t); ok {
		if err, ok := c.(error); ok {
			return nil, err
		}
		return c.(*typeCodec), nil
	}
	b := &schemaBuilder{ids: map[reflect.Type]int{}, fns: map[reflect.Type]*encFn{}}
	fn, _, err := b.build(t)
	var c any = err
	if err == nil {
		sc := &schema{types: b.types}
		sc.render()
		err = sc.checkSizes()
		c = &typeCodec{schema: sc, enc: fn}
	}
	if err != nil {
		c = fmt.Errorf("store: binary encoding of %s: %w", t, err)
	}
	c, _ = codecs.LoadOrStore(t, c)
	if err, ok := c.(error); ok {
		return nil, err
	}
	return c.(*typeCodec), nil
}

type schemaBuilder struct {
	types []wireType
	ids   map[reflect.Type]int
	fns   map[reflect.Type]*encFn
}

// build returns the encoder of t and its schema type, adding it (and
// what it refers to) to the schema. A type met again while it is built
// (a recursive type) gets an encoder that calls the one being built.
func (b *schemaBuilder) build(t reflect.Type) (encFn, int, error) {
	if id, ok := b.ids[t]; ok {
		p := b.fns[t]
		return func(e *binEncoder, v reflect.Value) { (*p)(e, v) }, id, nil
	}
	kind, err := wireKind(t)
	if err != nil {
		return nil, 0, err
	}
	id := len(b.types)
	b.ids[t] = id
	b.fns[t] = new(encFn)
	b.types = append(b.types, wireType{kind: kind})
	wt := wireType{kind: kind}
	var fn encFn
	switch kind {
	case wBool:
		fn = func(e *binEncoder, v reflect.Value) { e.bool(v.Bool()) }
	case wInt:
		fn = func(e *binEncoder, v reflect.Value) { e.varint(v.Int()) }
	case wUint:
		fn = func(e *binEncoder, v reflect.Value) { e.uvarint(v.Uint()) }
	case wFloat:
		fn = func(e *binEncoder, v reflect.Value) { e.float(v.Float()) }
	case wString:
		fn = func(e *binEncoder, v reflect.Value) { e.str(v.String()) }
	case wBytes:
		fn = bytesEncoder(t)
	case wText:
		fn = marshalEncoder(func(v any) ([]byte, error) { return v.(encoding.TextMarshaler).MarshalText() })
	case wJSON:
		fn = marshalEncoder(json.Marshal)
	case wSources:
		fn = encodeSources
	case wSlice, wArray, wPtr:
		elem, eid, err := b.build(t.Elem())
		if err != nil {
			return nil, 0, err
		}
		wt.elem, wt.n = eid, 0
		switch kind {
		case wSlice:
			fn = func(e *binEncoder, v reflect.Value) {
				if v.IsNil() {
					e.uvarint(0)
					return
				}
				n := v.Len()
				e.uvarint(uint64(n) + 1)
				for i := range n {
					elem(e, v.Index(i))
				}
			}
		case wArray:
			wt.n = t.Len()
			fn = func(e *binEncoder, v reflect.Value) {
				for i := range v.Len() {
					elem(e, v.Index(i))
				}
			}
		case wPtr:
			fn = func(e *binEncoder, v reflect.Value) {
				if v.IsNil() {
					e.bool(false)
					return
				}
				e.bool(true)
				elem(e, v.Elem())
			}
		}
	case wMap:
		key, kid, err := b.build(t.Key())
		if err != nil {
			return nil, 0, err
		}
		elem, eid, err := b.build(t.Elem())
		if err != nil {
			return nil, 0, err
		}
		wt.key, wt.elem = kid, eid
		fn = mapEncoder(key, elem)
	case wStruct:
		fs, err := goFields(t)
		if err != nil {
			return nil, 0, err
		}
		encs := make([]encFn, len(fs))
		for i, f := range fs {
			fe, fid, err := b.build(t.Field(f.index).Type)
			if err != nil {
				return nil, 0, fmt.Errorf("%s.%s: %w", t, t.Field(f.index).Name, err)
			}
			encs[i] = fe
			wt.fields = append(wt.fields, wireField{name: f.name, typ: fid})
		}
		fn = func(e *binEncoder, v reflect.Value) {
			for i, f := range fs {
				encs[i](e, v.Field(f.index))
			}
		}
	}
	b.types[id] = wt
	*b.fns[t] = fn
	return fn, id, nil
}

// addressable returns v or, when v cannot be addressed (a value held in
// an interface or a map), an addressable copy: pointer-receiver methods
// need one.
func addressable(v reflect.Value) reflect.Value {
	if v.CanAddr() {
		return v
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	return p.Elem()
}

func bytesEncoder(t reflect.Type) encFn {
	if t.Kind() == reflect.Slice {
		return func(e *binEncoder, v reflect.Value) { e.bytes(v.Bytes()) }
	}
	return marshalEncoder(func(v any) ([]byte, error) { return v.(encoding.BinaryMarshaler).MarshalBinary() })
}

// marshalEncoder writes what m makes of the value (or of its address,
// for pointer-receiver methods) as bytes. A nil pointer or interface is
// written as JSON null, as encoding/json would.
func marshalEncoder(m func(any) ([]byte, error)) encFn {
	return func(e *binEncoder, v reflect.Value) {
		var b []byte
		var err error
		if (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && v.IsNil() {
			b = []byte("null")
		} else {
			b, err = m(addressable(v).Addr().Interface())
		}
		if err != nil {
			e.fail(fmt.Errorf("%s: %w", v.Type(), err))
			return
		}
		e.bytes(b)
	}
}

func mapEncoder(key, elem encFn) encFn {
	return func(e *binEncoder, v reflect.Value) {
		if v.IsNil() {
			e.uvarint(0)
			return
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			switch a.Kind() {
			case reflect.String:
				return strings.Compare(a.String(), b.String())
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				return cmp.Compare(a.Int(), b.Int())
			}
			return cmp.Compare(a.Uint(), b.Uint())
		})
		e.uvarint(uint64(len(keys)) + 1)
		for _, k := range keys {
			key(e, k)
			elem(e, v.MapIndex(k))
		}
	}
}

func encodeSources(e *binEncoder, v reflect.Value) {
	s := addressable(v).Addr().Interface().(*facts.Sources)
	if s.Len() == 0 {
		// An empty list is written as none: both are omitted (omitzero)
		// from a device's JSON.
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(s.Len()) + 1)
	for name, src := range s.All() {
		e.str(name)
		e.str(src.Host)
		e.str(src.Key)
		e.varint(int64(src.Line))
		e.str(src.Text)
		e.str(src.Via)
	}
}

// binEncoder writes one blob's body. One per goroutine; reset between
// blobs.
type binEncoder struct {
	buf  []byte
	strs map[string]uint64
	err  error
}

func (e *binEncoder) reset() {
	e.buf = e.buf[:0]
	// clear costs what the map once held: after a call manager's list
	// of phones it would cost every switch that follows a million.
	if len(e.strs) > 4096 {
		e.strs = nil
	}
	clear(e.strs)
	e.err = nil
}

func (e *binEncoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

func (e *binEncoder) uvarint(x uint64) { e.buf = binary.AppendUvarint(e.buf, x) }
func (e *binEncoder) varint(x int64)   { e.buf = binary.AppendVarint(e.buf, x) }

func (e *binEncoder) bool(b bool) {
	if b {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

func (e *binEncoder) float(f float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(f))
}

// bytes writes b as a count (len+1, 0 for nil) and its bytes.
func (e *binEncoder) bytes(b []byte) {
	if b == nil {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(len(b)) + 1)
	e.buf = append(e.buf, b...)
}

// str writes s: 0 for "", 2n for the n-th distinct string already
// written (from 1), else 2·len+1 and the bytes, making it the next one.
func (e *binEncoder) str(s string) {
	if s == "" {
		e.buf = append(e.buf, 0)
		return
	}
	if n, ok := e.strs[s]; ok {
		e.uvarint(n << 1)
		return
	}
	if e.strs == nil {
		e.strs = map[string]uint64{}
	}
	e.strs[s] = uint64(len(e.strs) + 1)
	e.uvarint(uint64(len(s))<<1 | 1)
	e.buf = append(e.buf, s...)
}

// encodeBinary writes v's body with the codec of its type and returns it
// (valid until the next call) with the codec.
func (e *binEncoder) encodeBinary(v any) ([]byte, *typeCodec, error) {
	rv := reflect.ValueOf(v)
	c, err := codecFor(rv.Type())
	if err != nil {
		return nil, nil, err
	}
	e.reset()
	c.enc(e, rv)
	if e.err != nil {
		return nil, nil, e.err
	}
	return e.buf, c, nil
}
