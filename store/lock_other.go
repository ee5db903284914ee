//go:build !unix

package store

import (
	"context"
	"time"
)

// flockWait has no advisory lock to take off unix; SQLite's own locking
// and busy timeout still keep concurrent runs from corrupting the store.
func flockWait(ctx context.Context, path string, deadline time.Time) (func(), error) {
	return func() {}, nil
}

// flockSharedWait is flockWait's shared counterpart, equally absent.
func flockSharedWait(ctx context.Context, path string, deadline time.Time) (func(), error) {
	return func() {}, nil
}
