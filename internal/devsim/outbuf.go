package devsim

import (
	"io"
	"sync"
)

// outBufs are the write buffers of sessions that have output pending.
// A simulated device spends nearly all its time waiting (for a command,
// or for its scripted latency with its echo already flushed), so the
// buffer is taken at the first byte and given back at the flush instead of
// being held for the session's life: a thousand idle sessions cost no
// 32 KiB each.
var outBufs = sync.Pool{New: func() any { b := make([]byte, 0, writeBuffer); return &b }}

// outBuf is bufio.Writer's behaviour for the calls a session makes: bytes
// go out in writeBuffer-sized writes, at a Flush, or when the buffer is
// full, and the first error sticks.
type outBuf struct {
	w   io.Writer
	buf *[]byte // nil while nothing is pending
	err error
}

func (o *outBuf) Buffered() int {
	if o.buf == nil {
		return 0
	}
	return len(*o.buf)
}

func (o *outBuf) Write(p []byte) (int, error) { return write(o, p) }

func (o *outBuf) WriteString(s string) (int, error) { return write(o, s) }

func write[T string | []byte](o *outBuf, p T) (int, error) {
	n := 0
	for len(p) > 0 && o.err == nil {
		if o.buf == nil {
			o.buf = outBufs.Get().(*[]byte)
		}
		b := *o.buf
		c := copy(b[len(b):cap(b)], p)
		*o.buf = b[:len(b)+c]
		n += c
		p = p[c:]
		if len(*o.buf) == cap(*o.buf) {
			o.Flush()
		}
	}
	return n, o.err
}

func (o *outBuf) WriteByte(c byte) error {
	one := [1]byte{c}
	_, err := o.Write(one[:])
	return err
}

// Flush writes what is pending and gives the buffer back.
func (o *outBuf) Flush() error {
	if o.err != nil || o.buf == nil {
		return o.err
	}
	b := *o.buf
	if len(b) > 0 {
		_, o.err = o.w.Write(b)
	}
	*o.buf = b[:0]
	outBufs.Put(o.buf)
	o.buf = nil
	return o.err
}
