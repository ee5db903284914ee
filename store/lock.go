package store

import (
	"context"
	"os"
	"time"
)

// lockPoll is how often a waiting writer retries the lock file.
const lockPoll = 25 * time.Millisecond

// lockWrite takes the store's write lock: first within the process, then
// the advisory lock on the sidecar file that other kaudit processes take.
// It waits up to s.timeout in all and returns the function that releases
// both.
func (s *Store) lockWrite(ctx context.Context) (func(), error) {
	deadline := time.Now().Add(s.timeout)
	select {
	case s.wmu <- struct{}{}:
	default:
		// Only now start the clock: a free lock must win over a zero
		// timeout, which a single select would pick at random.
		t := time.NewTimer(s.timeout)
		defer t.Stop()
		select {
		case s.wmu <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
			return nil, &BusyError{Path: s.path, PID: os.Getpid(), Waited: s.timeout}
		}
	}
	release, err := flockWait(ctx, s.lockPath, deadline)
	if err != nil {
		<-s.wmu
		if b, ok := err.(*BusyError); ok {
			b.Path, b.Waited = s.path, s.timeout
		}
		return nil, err
	}
	return func() { release(); <-s.wmu }, nil
}
