package store

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

type hash [32]byte

func (h hash) String() string { return hex.EncodeToString(h[:]) }

// encoder turns values into their stored form: device facts and findings
// into the binary encoding (codec.go), other values into canonical JSON,
// with their hash and compression. One per goroutine: it reuses its
// buffers, which matters for a call manager whose phone list runs to
// megabytes.
type encoder struct {
	zw  *gzip.Writer
	buf bytes.Buffer
	bin binEncoder    // device facts and findings (codec.go)
	fw  *flate.Writer // their compression, made at first use
}

func newEncoder() *encoder {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // level is valid
	return &encoder{zw: zw}
}

// canonical is encoding/json's output: struct fields in declaration order
// and map keys sorted, so equal facts give equal bytes and equal hashes.
func canonical(v any) ([]byte, hash, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return nil, hash{}, err
	}
	return js, sha256.Sum256(js), nil
}

// compress is BestSpeed gzip: device JSON shrinks about 17 times at that
// level, and higher levels cost time on the 10,000-device first run for
// a few percent.
func (e *encoder) compress(js []byte) []byte {
	e.buf.Reset()
	e.zw.Reset(&e.buf)
	e.zw.Write(js) // writes to a bytes.Buffer do not fail
	e.zw.Close()
	return bytes.Clone(e.buf.Bytes())
}

// decodeBlob gunzips data, checks it against want and unmarshals it into v.
// The check costs little next to the JSON decoding and turns silent
// damage into an error naming the blob.
func decodeBlob(data []byte, want hash, v any) error {
	js, err := gunzipBlob(data, want)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(js, v); err != nil {
		return fmt.Errorf("blob %s: %w", want, err)
	}
	return nil
}

// gunzipBlob is a blob's content, checked against its hash.
func gunzipBlob(data []byte, want hash) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", want, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", want, err)
	}
	if sha256.Sum256(b) != want {
		return nil, fmt.Errorf("blob %s: content does not match its hash", want)
	}
	return b, nil
}
