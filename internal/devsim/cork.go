package devsim

import (
	"net"
	"sync"
	"time"
)

// corkConn is the TCP connection beneath a simulated device's SSH server.
// While a session writes a whole lab output (cork to uncork) the SSH
// packets, writeBuffer each, are held back and leave in one write, as a
// device's TCP stack coalesces a burst: the client sees the same packets,
// and the write calls of a benchmark audit fall by a quarter (68,000 to
// 50,000 at a thousand switches, strace -c). Held bytes leave at once when
// they would pass corkLimit, and after corkWait in any case, so a client
// whose window is smaller than an output cannot leave the session waiting
// for a window adjust that only the held bytes would bring.
type corkConn struct {
	net.Conn
	mu     sync.Mutex
	corked bool
	buf    *[]byte // nil while nothing is held
	err    error
	watch  *time.Timer
}

const (
	corkLimit = 64 << 10
	corkWait  = 20 * time.Millisecond
)

var corkBufs = sync.Pool{New: func() any { b := make([]byte, 0, corkLimit); return &b }}

func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if !c.corked {
		return c.Conn.Write(p)
	}
	if c.buf != nil && len(*c.buf)+len(p) > corkLimit {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
	}
	if len(p) > corkLimit {
		return c.Conn.Write(p)
	}
	if c.buf == nil {
		c.buf = corkBufs.Get().(*[]byte)
	}
	*c.buf = append(*c.buf, p...)
	return len(p), nil
}

// cork holds writes back until uncork, or corkWait.
func (c *corkConn) cork() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = true
	if c.watch == nil {
		c.watch = time.AfterFunc(corkWait, c.uncork)
	} else {
		c.watch.Reset(corkWait)
	}
}

// uncork sends what is held and lets writes through again.
func (c *corkConn) uncork() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	if c.watch != nil {
		c.watch.Stop()
	}
	_ = c.flushLocked() // a failed write sticks in c.err
}

func (c *corkConn) flushLocked() error {
	if c.buf == nil {
		return c.err
	}
	if b := *c.buf; len(b) > 0 && c.err == nil {
		_, c.err = c.Conn.Write(b)
	}
	*c.buf = (*c.buf)[:0]
	corkBufs.Put(c.buf)
	c.buf = nil
	return c.err
}
