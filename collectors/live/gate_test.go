package live

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoginGateBound: no more than n logins hold a place at once, and
// every one gets in.
func TestLoginGateBound(t *testing.T) {
	g := newLoginGate(3)
	g.hold = time.Hour // only leave frees a place here
	var in, most, done atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			leave, err := g.enter(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			n := in.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			in.Add(-1)
			leave()
			leave() // a second leave frees nothing more
			done.Add(1)
		})
	}
	wg.Wait()
	if most.Load() > 3 || most.Load() < 1 || done.Load() != 20 {
		t.Fatalf("at most %d in at once (want 1..3), %d of 20 got through", most.Load(), done.Load())
	}
	if len(g.places) != 0 {
		t.Fatalf("%d places still taken after every login left", len(g.places))
	}
}

// TestLoginGateHold: a login that does not leave (a slow WAN) gives its
// place up after the hold, and its late leave frees nothing extra.
func TestLoginGateHold(t *testing.T) {
	g := newLoginGate(1)
	g.hold = 30 * time.Millisecond
	slow, err := g.enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	next, err := g.enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 25*time.Millisecond {
		t.Fatalf("the second login got in after %s, before the first's hold ended", waited)
	}
	slow() // late: its place is already given up
	if len(g.places) != 1 {
		t.Fatalf("%d places taken, want the second login's 1", len(g.places))
	}
	next()
}

// TestLoginGateCancel: a login waiting for a place ends with its context.
func TestLoginGateCancel(t *testing.T) {
	g := newLoginGate(1)
	g.hold = time.Hour
	leave, err := g.enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer leave()
	why := errors.New("device budget spent")
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(10*time.Millisecond, func() { cancel(why) })
	if _, err := g.enter(ctx); !errors.Is(err, why) {
		t.Fatalf("waiting login ended with %v, want %v", err, why)
	}
}

// TestLoginGateUnbounded: n <= 0 never waits.
func TestLoginGateUnbounded(t *testing.T) {
	g := newLoginGate(-1)
	for range 1000 {
		if _, err := g.enter(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}
