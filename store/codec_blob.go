package store

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
)

// A binary blob (codec.go) is stored as binMagic, the hash of its schema,
// the body's length and its number of distinct strings (uvarints: the
// decoder sizes its buffers from them) and the body compressed with
// flate. Its hash is sha256(schema hash ‖ body). gzip data, which every other blob
// is, starts with 0x1f 0x8b, so the two are told apart by their first
// bytes.
const binMagic = "kb\x01"

// binaryHash is a binary blob's hash.
func binaryHash(schema hash, body []byte) hash {
	h := sha256.New()
	h.Write(schema[:])
	h.Write(body)
	var out hash
	h.Sum(out[:0])
	return out
}

// binary encodes v (a *facts.Device or []rules.Finding) and returns its
// body, valid until the next call, with its codec and hash.
func (e *encoder) binary(v any) ([]byte, *typeCodec, hash, error) {
	body, c, err := e.bin.encodeBinary(v)
	if err != nil {
		return nil, nil, hash{}, err
	}
	return body, c, binaryHash(c.schema.hash, body), nil
}

// packBinary is what the store keeps of a body: the header and the body
// compressed (BestSpeed: the body is already compact, and the level
// costs reading time for a few percent).
func (e *encoder) packBinary(c *typeCodec, body []byte) []byte {
	e.buf.Reset()
	e.buf.WriteString(binMagic)
	e.buf.Write(c.schema.hash[:])
	e.buf.Write(binary.AppendUvarint(nil, uint64(len(body))))
	e.buf.Write(binary.AppendUvarint(nil, uint64(len(e.bin.strs))))
	if e.fw == nil {
		e.fw, _ = flate.NewWriter(&e.buf, flate.BestSpeed) // level is valid
	} else {
		e.fw.Reset(&e.buf)
	}
	e.fw.Write(body) // writes to a bytes.Buffer do not fail
	e.fw.Close()
	return bytes.Clone(e.buf.Bytes())
}

// maxBody bounds a binary body's length as its header states it, before
// anything is allocated for it.
const maxBody = 1 << 30

// decodeStored decodes a blob as stored, JSON (gzip) or binary, checking
// it against its hash, into v (a pointer).
func (s *Store) decodeStored(ctx context.Context, data []byte, want hash, v any) error {
	rest, ok := bytes.CutPrefix(data, []byte(binMagic))
	if !ok {
		return decodeBlob(data, want, v)
	}
	if len(rest) < len(hash{}) {
		return fmt.Errorf("blob %s: truncated header", want)
	}
	var sh hash
	copy(sh[:], rest)
	rest = rest[len(sh):]
	n, k := binary.Uvarint(rest)
	if k <= 0 || n > maxBody {
		return fmt.Errorf("blob %s: bad body length", want)
	}
	rest = rest[k:]
	nstr, k := binary.Uvarint(rest)
	if k <= 0 {
		return fmt.Errorf("blob %s: bad string count", want)
	}
	rest = rest[k:]
	sc, err := s.schemaOf(ctx, sh)
	if err != nil {
		return fmt.Errorf("blob %s: %w", want, err)
	}
	// The body is read into a string once: every string decoded from it
	// is a piece of it, and it is hashed on the way.
	var body strings.Builder
	// The length comes from the header: grown no further than flate can
	// expand what is stored.
	body.Grow(int(min(n, uint64(len(rest))*1032+64)))
	h := sha256.New()
	h.Write(sh[:])
	// A flate reader holds a 32 KB window: one per blob made reading a
	// snapshot allocate more for readers than for the facts.
	fr := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(fr)
	fr.(flate.Resetter).Reset(bytes.NewReader(rest), nil)
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	if _, err := io.CopyBuffer(&body, io.TeeReader(io.LimitReader(fr, int64(n)+1), h), *buf); err != nil {
		return fmt.Errorf("blob %s: %w", want, err)
	}
	var got hash
	h.Sum(got[:0])
	if uint64(body.Len()) != n || got != want {
		return fmt.Errorf("blob %s: content does not match its hash", want)
	}
	p, err := planFor(sc, reflect.TypeOf(v).Elem())
	if err != nil {
		return fmt.Errorf("blob %s: %w", want, err)
	}
	// Each string takes two bytes at least: a damaged count is no cause
	// to allocate.
	if err := decodeBody(p, body.String(), int(min(nstr, n/2)), v); err != nil {
		return fmt.Errorf("blob %s: %w", want, err)
	}
	return nil
}

var (
	inflaters = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}
	copyBufs  = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
)

// schemas caches schemas by hash: a hash names one text, whatever store
// it came from.
var (
	schemas     sync.Map // hash → *schema
	schemaCount atomic.Int64
)

// schemaOf returns the schema of hash h: this build's own, or the one
// the store keeps (written by a build whose facts had other fields).
func (s *Store) schemaOf(ctx context.Context, h hash) (*schema, error) {
	if sc, ok := schemas.Load(h); ok {
		return sc.(*schema), nil
	}
	var data []byte
	err := s.db.QueryRowContext(ctx, "SELECT data FROM blobs WHERE hash = ?", h[:]).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("schema %s is not stored", h)
	}
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", h, err)
	}
	text, err := gunzipBlob(data, h)
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", h, err)
	}
	sc, err := parseSchema(text)
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", h, err)
	}
	if schemaCount.Load() < maxPlans {
		if _, loaded := schemas.LoadOrStore(h, sc); !loaded {
			schemaCount.Add(1)
		}
	}
	return sc, nil
}
