package devsim

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// recordConn records the writes that reach the wire.
type recordConn struct {
	net.Conn
	mu     sync.Mutex
	writes [][]byte
	fail   bool
}

func (r *recordConn) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return 0, errors.New("connection gone")
	}
	r.writes = append(r.writes, bytes.Clone(p))
	return len(p), nil
}

func (r *recordConn) got() (n int, all string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b []byte
	for _, w := range r.writes {
		b = append(b, w...)
	}
	return len(r.writes), string(b)
}

// TestCorkConn: uncorked writes go straight through; corked ones, from
// any goroutine, leave in order in one write at the uncork.
func TestCorkConn(t *testing.T) {
	r := &recordConn{}
	c := &corkConn{Conn: r}
	c.Write([]byte("echo\r\n"))
	if n, _ := r.got(); n != 1 {
		t.Fatalf("an uncorked write made %d writes", n)
	}
	c.cork()
	var want strings.Builder
	want.WriteString("echo\r\n")
	for i := range 6 {
		p := strings.Repeat(string(rune('a'+i)), writeBuffer)
		want.WriteString(p)
		if i == 3 { // as the handshake goroutine might, meanwhile
			var wg sync.WaitGroup
			wg.Go(func() { c.Write([]byte(p)) })
			wg.Wait()
			continue
		}
		c.Write([]byte(p))
	}
	if n, _ := r.got(); n != 1 {
		t.Fatalf("corked writes reached the wire: %d writes", n)
	}
	c.uncork()
	n, all := r.got()
	if n != 2 || all != want.String() {
		t.Fatalf("%d writes, %d bytes; want 2 writes of the %d bytes given", n, len(all), want.Len())
	}
	if c.buf != nil {
		t.Error("the buffer is still held after the uncork")
	}
	c.Write([]byte("next"))
	if n, _ := r.got(); n != 3 {
		t.Fatalf("a write after the uncork was held: %d writes", n)
	}
}

// TestCorkLimit: no more than corkLimit is ever held.
func TestCorkLimit(t *testing.T) {
	r := &recordConn{}
	c := &corkConn{Conn: r}
	c.cork()
	defer c.uncork()
	p := bytes.Repeat([]byte{'x'}, corkLimit/2+1)
	c.Write(p)
	c.Write(p)
	if n, all := r.got(); n != 1 || len(all) != len(p) {
		t.Fatalf("held past the limit: %d writes, %d bytes", n, len(all))
	}
	big := bytes.Repeat([]byte{'y'}, corkLimit+1)
	c.Write(big)
	if n, all := r.got(); n != 3 || len(all) != 2*len(p)+len(big) {
		t.Fatalf("a write over the limit was held: %d writes, %d bytes", n, len(all))
	}
}

// TestCorkWait: held bytes leave after corkWait even without an uncork
// (a session waiting for the client's window), and later writes pass.
func TestCorkWait(t *testing.T) {
	r := &recordConn{}
	c := &corkConn{Conn: r}
	c.cork()
	c.Write([]byte("held"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if n, all := r.got(); n == 1 && all == "held" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("held bytes never left without an uncork")
		}
		time.Sleep(time.Millisecond)
	}
	c.Write([]byte("more"))
	if n, _ := r.got(); n != 2 {
		t.Fatalf("a write after the watchdog was held: %d writes", n)
	}
}

// TestCorkError: a failed flush is reported by every write after.
func TestCorkError(t *testing.T) {
	r := &recordConn{fail: true}
	c := &corkConn{Conn: r}
	c.cork()
	if _, err := c.Write([]byte("x")); err != nil {
		t.Fatalf("a held write failed: %v", err)
	}
	c.uncork()
	if _, err := c.Write([]byte("y")); err == nil {
		t.Fatal("a write after a failed flush succeeded")
	}
}
