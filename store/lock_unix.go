//go:build unix

package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// flockWait takes an exclusive flock on path, polling until deadline. The
// kernel drops the lock when the holder dies, so a killed run never leaves
// the store locked; the pid written into the file only names the holder in
// the message a waiting run prints.
func flockWait(ctx context.Context, path string, deadline time.Time) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store lock %s: %w", path, err)
	}
	if err := flockPoll(ctx, f, syscall.LOCK_EX, deadline); err != nil {
		f.Close()
		return nil, err
	}
	// Best effort: the pid is only for the message.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return unflock(f), nil
}

// flockSharedWait takes a shared flock on path, which keeps every writer
// out (they take it exclusive) while letting other readers in. It never
// creates the file: a read-only open must leave the store's directory as
// it was. A lock file that is absent (a store copied without it) or that
// this user may not read gives a release that does nothing: no kaudit
// writer can then be kept out, and the caller says so in its contract.
func flockSharedWait(ctx context.Context, path string, deadline time.Time) (func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return func() {}, nil
	}
	if err := flockPoll(ctx, f, syscall.LOCK_SH, deadline); err != nil {
		f.Close()
		return nil, err
	}
	return unflock(f), nil
}

// flockPoll takes the flock how (LOCK_EX or LOCK_SH) on f, retrying every
// lockPoll until deadline; a holder past the deadline is a *BusyError.
func flockPoll(ctx context.Context, f *os.File, how int, deadline time.Time) error {
	fd := int(f.Fd())
	for {
		err := syscall.Flock(fd, how|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return fmt.Errorf("store lock %s: %w", f.Name(), err)
		}
		left := time.Until(deadline)
		if left <= 0 {
			return &BusyError{PID: readPID(f)}
		}
		t := time.NewTimer(min(left, lockPoll))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func unflock(f *os.File) func() {
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
}

func readPID(f *os.File) int {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b[:n])))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
