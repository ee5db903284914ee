package store

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/kaudit/kaudit/facts"
)

// decFn reads a value of its wire type into v (settable, of the Go type
// it was built for).
type decFn func(d *binDecoder, v reflect.Value)

// decodePlan decodes the root of a schema into a Go type.
type decodePlan struct {
	dec decFn
}

type planKey struct {
	schema hash
	t      reflect.Type
}

var (
	plans     sync.Map // planKey → *decodePlan
	planCount atomic.Int64
)

// maxPlans bounds the plans kept: a store holds a few schemas (one per
// kaudit release that wrote it), but a damaged one could name many.
const maxPlans = 64

// planFor builds (once) the decoder of blobs of schema sc into t.
func planFor(sc *schema, t reflect.Type) (*decodePlan, error) {
	k := planKey{sc.hash, t}
	if p, ok := plans.Load(k); ok {
		return p.(*decodePlan), nil
	}
	b := &planBuilder{sc: sc, fns: map[planFnKey]*decFn{}}
	fn, ok := b.build(0, t)
	if !ok {
		return nil, fmt.Errorf("schema %s does not describe a %s", sc.hash, t)
	}
	p := &decodePlan{dec: fn}
	if planCount.Load() >= maxPlans {
		return p, nil
	}
	if q, loaded := plans.LoadOrStore(k, p); loaded {
		return q.(*decodePlan), nil
	}
	planCount.Add(1)
	return p, nil
}

type planFnKey struct {
	wire int
	t    reflect.Type
}

type planBuilder struct {
	sc  *schema
	fns map[planFnKey]*decFn
}

// build returns the decoder of wire type id into Go type t, or false
// when the two do not match (the field then is skipped).
func (b *planBuilder) build(id int, t reflect.Type) (decFn, bool) {
	k := planFnKey{id, t}
	if p, ok := b.fns[k]; ok {
		return func(d *binDecoder, v reflect.Value) { (*p)(d, v) }, true
	}
	wt := b.sc.types[id]
	gk, err := wireKind(t)
	if err != nil || gk != wt.kind && wt.kind != wJSON {
		return nil, false
	}
	if wt.kind == wArray && t.Len() != wt.n {
		return nil, false
	}
	p := new(decFn)
	b.fns[k] = p
	var fn decFn
	switch wt.kind {
	case wBool:
		fn = func(d *binDecoder, v reflect.Value) { v.SetBool(d.byte() != 0) }
	case wInt:
		fn = func(d *binDecoder, v reflect.Value) {
			x := d.varint()
			if v.OverflowInt(x) {
				d.fail("integer %d out of range of %s", x, v.Type())
			}
			v.SetInt(x)
		}
	case wUint:
		fn = func(d *binDecoder, v reflect.Value) {
			x := d.uvarint()
			if v.OverflowUint(x) {
				d.fail("integer %d out of range of %s", x, v.Type())
			}
			v.SetUint(x)
		}
	case wFloat:
		fn = func(d *binDecoder, v reflect.Value) { v.SetFloat(d.float()) }
	case wString:
		fn = func(d *binDecoder, v reflect.Value) { v.SetString(d.str()) }
	case wBytes:
		fn = bytesDecoder(t)
	case wText:
		fn = func(d *binDecoder, v reflect.Value) {
			if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(d.bytes()); err != nil {
				d.fail("%s: %v", v.Type(), err)
			}
		}
	case wJSON:
		fn = func(d *binDecoder, v reflect.Value) {
			b := d.bytes()
			if b == nil {
				b = []byte("null")
			}
			if err := json.Unmarshal(b, v.Addr().Interface()); err != nil {
				d.fail("%s: %v", v.Type(), err)
			}
		}
	case wSources:
		fn = decodeSources
	case wPtr:
		elem, ok := b.build(wt.elem, t.Elem())
		if !ok {
			return nil, false
		}
		et := t.Elem()
		fn = func(d *binDecoder, v reflect.Value) {
			if d.byte() == 0 {
				v.SetZero()
				return
			}
			p := reflect.New(et)
			elem(d, p.Elem())
			v.Set(p)
		}
	case wSlice:
		elem, ok := b.build(wt.elem, t.Elem())
		if !ok {
			return nil, false
		}
		m := b.sc.minSize[wt.elem]
		fn = func(d *binDecoder, v reflect.Value) {
			n := d.count(m)
			if n < 0 {
				v.SetZero()
				return
			}
			s := reflect.MakeSlice(v.Type(), n, n)
			for i := range n {
				elem(d, s.Index(i))
			}
			v.Set(s)
		}
	case wArray:
		elem, ok := b.build(wt.elem, t.Elem())
		if !ok {
			return nil, false
		}
		fn = func(d *binDecoder, v reflect.Value) {
			for i := range v.Len() {
				elem(d, v.Index(i))
			}
		}
	case wMap:
		key, ok1 := b.build(wt.key, t.Key())
		elem, ok2 := b.build(wt.elem, t.Elem())
		if !ok1 || !ok2 {
			return nil, false
		}
		size := b.sc.minSize[wt.key] + b.sc.minSize[wt.elem]
		fn = func(d *binDecoder, v reflect.Value) {
			n := d.count(size)
			if n < 0 {
				v.SetZero()
				return
			}
			m := reflect.MakeMapWithSize(v.Type(), n)
			kv, ev := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			for range n {
				kv.SetZero()
				ev.SetZero()
				key(d, kv)
				elem(d, ev)
				m.SetMapIndex(kv, ev)
			}
			v.Set(m)
		}
	case wStruct:
		fn = b.structDecoder(wt, t)
	}
	*p = fn
	return fn, true
}

// structDecoder reads the fields the blob has into the Go fields of the
// same name and type; a field the Go type lacks (or has with another
// type) is skipped, one the blob lacks stays zero.
func (b *planBuilder) structDecoder(wt wireType, t reflect.Type) decFn {
	gfs, _ := goFields(t) // wireKind accepted t, so goFields did too
	byName := map[string]int{}
	for _, f := range gfs {
		byName[f.name] = f.index
	}
	type step struct {
		index int // Go field, or -1: skip
		wire  int
		dec   decFn
	}
	steps := make([]step, len(wt.fields))
	for i, f := range wt.fields {
		steps[i] = step{index: -1, wire: f.typ}
		if gi, ok := byName[f.name]; ok {
			if dec, ok := b.build(f.typ, t.Field(gi).Type); ok {
				steps[i].index, steps[i].dec = gi, dec
			}
		}
	}
	sc := b.sc
	return func(d *binDecoder, v reflect.Value) {
		d.enter()
		defer d.leave()
		for _, s := range steps {
			if s.index < 0 {
				d.skip(sc, s.wire)
				continue
			}
			s.dec(d, v.Field(s.index))
		}
	}
}

func bytesDecoder(t reflect.Type) decFn {
	if t.Kind() == reflect.Slice {
		return func(d *binDecoder, v reflect.Value) {
			b := d.bytes()
			if b == nil {
				v.SetZero()
				return
			}
			s := reflect.MakeSlice(v.Type(), len(b), len(b))
			copy(s.Bytes(), b)
			v.Set(s)
		}
	}
	return func(d *binDecoder, v reflect.Value) {
		if err := v.Addr().Interface().(encoding.BinaryUnmarshaler).UnmarshalBinary(d.bytes()); err != nil {
			d.fail("%s: %v", v.Type(), err)
		}
	}
}

func decodeSources(d *binDecoder, v reflect.Value) {
	s := v.Addr().Interface().(*facts.Sources)
	*s = facts.Sources{}
	n := d.count(sourceMinSize)
	if n <= 0 {
		return
	}
	s.Grow(n)
	for range n {
		name, ni := d.strIndex()
		src := facts.Source{Host: d.str(), Key: d.str(), Line: d.int(), Text: d.str(), Via: d.str()}
		s.SetAttr(d.attr(name, ni), src)
	}
}

// binDecoder reads one blob's body, a string: every string decoded is
// a piece of it, so a blob costs one allocation for all its text.
type binDecoder struct {
	s     string
	i     int
	strs  []string
	attrs []facts.Attr // interned attribute names, by string number
	depth int
}

// maxDepth bounds nesting: a recursive type in a damaged blob could
// otherwise recurse once a byte, past what a stack holds.
const maxDepth = 1000

func (d *binDecoder) enter() {
	if d.depth++; d.depth > maxDepth {
		d.fail("nested deeper than %d", maxDepth)
	}
}

func (d *binDecoder) leave() { d.depth-- }

// decodeError carries a damaged body's problem out of the decoder.
type decodeError struct{ msg string }

func (d *binDecoder) fail(format string, args ...any) {
	panic(decodeError{fmt.Sprintf("byte %d: ", d.i) + fmt.Sprintf(format, args...)})
}

// decodeBody decodes body into v (a pointer) with plan p, turning a
// damaged body into an error. nstr is how many distinct strings it has
// (a hint).
func decodeBody(p *decodePlan, body string, nstr int, v any) (err error) {
	d := &binDecoder{s: body, strs: make([]string, 0, nstr)}
	defer func() {
		if r := recover(); r != nil {
			de, ok := r.(decodeError)
			if !ok {
				panic(r)
			}
			err = errors.New(de.msg)
		}
	}()
	p.dec(d, reflect.ValueOf(v).Elem())
	if d.i != len(d.s) {
		d.fail("%d bytes left over", len(d.s)-d.i)
	}
	return nil
}

func (d *binDecoder) byte() byte {
	if d.i >= len(d.s) {
		d.fail("truncated")
	}
	c := d.s[d.i]
	d.i++
	return c
}

func (d *binDecoder) uvarint() uint64 {
	var x uint64
	for shift := uint(0); ; shift += 7 {
		if shift >= 64 {
			d.fail("varint overflows")
		}
		c := d.byte()
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x
		}
	}
}

func (d *binDecoder) varint() int64 {
	u := d.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (d *binDecoder) int() int {
	x := d.varint()
	if x != int64(int(x)) {
		d.fail("integer %d out of range", x)
	}
	return int(x)
}

func (d *binDecoder) float() float64 {
	b := d.take(8)
	var u uint64
	for i := 7; i >= 0; i-- {
		u = u<<8 | uint64(b[i])
	}
	return math.Float64frombits(u)
}

// count reads a slice or map length written as n+1; -1 is nil. A length
// of more elements of min bytes each than there are bytes left is damage:
// it is refused before anything is allocated for it.
func (d *binDecoder) count(min int) int {
	n := d.uvarint()
	if n == 0 {
		return -1
	}
	if n-1 > uint64((len(d.s)-d.i)/max(min, 1)) {
		d.fail("length %d beyond the end", n-1)
	}
	return int(n - 1)
}

// take returns the next n bytes.
func (d *binDecoder) take(n int) string {
	if n < 0 || n > len(d.s)-d.i {
		d.fail("length %d beyond the end", n)
	}
	s := d.s[d.i : d.i+n]
	d.i += n
	return s
}

// bytes reads what binEncoder.bytes wrote: nil, or a copy.
func (d *binDecoder) bytes() []byte {
	n := d.count(1)
	if n < 0 {
		return nil
	}
	return []byte(d.take(n))
}

func (d *binDecoder) str() string {
	s, _ := d.strIndex()
	return s
}

// strIndex reads a string and its number in the blob (-1 for "").
func (d *binDecoder) strIndex() (string, int) {
	v := d.uvarint()
	switch {
	case v == 0:
		return "", -1
	case v&1 == 1:
		n := v >> 1
		if n > uint64(len(d.s)-d.i) {
			d.fail("string of %d bytes beyond the end", n)
		}
		s := d.take(int(n))
		d.strs = append(d.strs, s)
		return s, len(d.strs) - 1
	}
	n := v>>1 - 1
	if n >= uint64(len(d.strs)) {
		d.fail("string %d not yet defined", n+1)
	}
	return d.strs[n], int(n)
}

// attr interns an attribute name once per blob.
func (d *binDecoder) attr(name string, i int) facts.Attr {
	if i < 0 {
		return facts.NewAttr(name)
	}
	for len(d.attrs) <= i {
		d.attrs = append(d.attrs, facts.Attr{})
	}
	if d.attrs[i] == (facts.Attr{}) {
		d.attrs[i] = facts.NewAttr(name)
	}
	return d.attrs[i]
}

// skip reads past a value of wire type id.
func (d *binDecoder) skip(sc *schema, id int) {
	d.enter()
	defer d.leave()
	wt := sc.types[id]
	switch wt.kind {
	case wBool, wPtr:
		if d.byte() != 0 && wt.kind == wPtr {
			d.skip(sc, wt.elem)
		}
	case wInt, wUint:
		d.uvarint()
	case wFloat:
		d.take(8)
	case wString:
		d.str()
	case wBytes, wText, wJSON:
		if n := d.count(1); n > 0 {
			d.take(n)
		}
	case wSlice:
		for range d.count(sc.minSize[wt.elem]) {
			d.skip(sc, wt.elem)
		}
	case wArray:
		for range wt.n {
			d.skip(sc, wt.elem)
		}
	case wMap:
		for range d.count(sc.minSize[wt.key] + sc.minSize[wt.elem]) {
			d.skip(sc, wt.key)
			d.skip(sc, wt.elem)
		}
	case wStruct:
		for _, f := range wt.fields {
			d.skip(sc, f.typ)
		}
	case wSources:
		for range d.count(sourceMinSize) {
			d.str()
			d.str()
			d.str()
			d.varint()
			d.str()
			d.str()
		}
	}
}
