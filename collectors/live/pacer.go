package live

import (
	"context"
	"sync"
	"time"
)

// pacer spaces events at least gap apart: each wait takes the next free
// slot. A zero gap never waits.
type pacer struct {
	gap  time.Duration
	mu   sync.Mutex
	next time.Time
}

// wait blocks until the caller's slot, or until ctx ends.
func (p *pacer) wait(ctx context.Context) error {
	if p.gap <= 0 {
		return nil
	}
	d := time.Until(p.reserve(time.Now()))
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// reserve takes the next free slot for an event asked for at now: now
// itself when the pacer has been idle for a gap (idle time is not saved
// up for a burst), else gap after the last slot taken. It is apart from
// wait, which only sleeps, so that the schedule is tested with times of
// the test's choosing rather than the machine's speed.
func (p *pacer) reserve(now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	slot := p.next
	if slot.Before(now) {
		slot = now
	}
	p.next = slot.Add(p.gap)
	return slot
}
