package devsim

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

type recordWriter struct {
	writes [][]byte
	fail   int // the write with this index (from 1) fails
}

func (r *recordWriter) Write(p []byte) (int, error) {
	r.writes = append(r.writes, bytes.Clone(p))
	if len(r.writes) == r.fail {
		return 0, errors.New("connection gone")
	}
	return len(p), nil
}

// TestOutBuf: output leaves in writeBuffer-sized writes and at a flush,
// in order, and the buffer is held only while something is pending.
func TestOutBuf(t *testing.T) {
	r := &recordWriter{}
	o := &outBuf{w: r}
	if o.Buffered() != 0 || o.Flush() != nil || len(r.writes) != 0 {
		t.Fatalf("an empty flush wrote %d times", len(r.writes))
	}
	big := strings.Repeat("0123456789abcdef", writeBuffer/16*2+3) // two buffers and 48 bytes
	o.WriteString("echo\r\n")
	if o.Buffered() != 6 || o.buf == nil {
		t.Fatalf("buffered %d", o.Buffered())
	}
	o.Write([]byte(big))
	o.WriteByte('#')
	if err := o.Flush(); err != nil {
		t.Fatal(err)
	}
	if o.buf != nil || o.Buffered() != 0 {
		t.Error("the buffer is still held after the flush")
	}
	want := "echo\r\n" + big + "#"
	var got []byte
	for i, w := range r.writes {
		if i < len(r.writes)-1 && len(w) != writeBuffer {
			t.Errorf("write %d is %d bytes, want %d", i, len(w), writeBuffer)
		}
		got = append(got, w...)
	}
	if len(r.writes) != 3 || string(got) != want {
		t.Fatalf("%d writes of %d bytes, want 3 writes of the %d bytes given", len(r.writes), len(got), len(want))
	}
}

// TestOutBufError: the first failed write is reported by every call after.
func TestOutBufError(t *testing.T) {
	r := &recordWriter{fail: 1}
	o := &outBuf{w: r}
	o.WriteString("show version\r\n")
	if err := o.Flush(); err == nil {
		t.Fatal("the failed write was not reported")
	}
	if _, err := o.WriteString("more"); err == nil {
		t.Error("a write after the failure succeeded")
	}
	if err := o.WriteByte('x'); err == nil {
		t.Error("WriteByte after the failure succeeded")
	}
	if err := o.Flush(); err == nil || len(r.writes) != 1 {
		t.Errorf("flush after the failure: %v, %d writes", err, len(r.writes))
	}
}

// TestWireEqualsLines: an output written in one piece is byte for byte
// what the line-by-line path prints with paging off.
func TestWireEqualsLines(t *testing.T) {
	for _, body := range []string{
		"", "\n", "one", "one\n", "one\r\ntwo\r\n", "a\n\n\nb", "x\r", " trailing  \n\r\n\tTab\n",
		strings.Repeat("GigabitEthernet1/0/1 is up\n", 500),
	} {
		o := frameless([]byte(body))
		var lines bytes.Buffer
		s := &session{w: &outBuf{w: &lines}}
		if !s.output(&bodyLines{rest: o.body}, -1) || s.w.Flush() != nil {
			t.Fatal("write failed")
		}
		if !bytes.Equal(o.wire, lines.Bytes()) {
			t.Errorf("%q: in one piece %q, line by line %q", body, o.wire, lines.Bytes())
		}
	}
}
