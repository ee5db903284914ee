package live

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// loginHold is the longest a login keeps its place at the gate. A login
// to a nearby device is mostly the auditor's own CPU work (the key
// exchange, a few milliseconds) and finishes well within it; one to a
// distant device is mostly waiting for round trips, and after loginHold
// it lets the next login start, so a slow WAN does not turn the gate into
// a queue: at 4 places the gate still admits 200 logins a second.
const loginHold = 20 * time.Millisecond

// DefaultLogins is the default of Options.Logins: twice the CPUs the
// process may use, at least 4.
func DefaultLogins() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// loginGate bounds the logins (TCP connect, SSH handshake and
// authentication) in progress at once. The connect-rate pacer spaces
// their starts, but at a thousand a second they still overlap by the
// dozen on a loaded machine, and their key exchanges crowd out the
// sessions already typing commands.
type loginGate struct {
	places chan struct{} // nil: no bound
	hold   time.Duration
}

func newLoginGate(n int) *loginGate {
	if n <= 0 {
		return &loginGate{}
	}
	return &loginGate{places: make(chan struct{}, n), hold: loginHold}
}

// enter waits for a place; leave gives it back, as does g.hold passing.
func (g *loginGate) enter(ctx context.Context) (leave func(), err error) {
	if g.places == nil {
		return func() {}, nil
	}
	select {
	case g.places <- struct{}{}:
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	var once sync.Once
	free := func() { once.Do(func() { <-g.places }) }
	t := time.AfterFunc(g.hold, free)
	return func() {
		t.Stop()
		free()
	}, nil
}
