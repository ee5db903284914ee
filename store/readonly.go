package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"time"
)

// MissingError says that OpenReadOnly found no store at Path. It matches
// fs.ErrNotExist.
type MissingError struct {
	Path string // absolute
}

func (e *MissingError) Error() string { return "no run history at " + e.Path }

// Is makes errors.Is(err, fs.ErrNotExist) true.
func (e *MissingError) Is(target error) bool { return target == fs.ErrNotExist }

// ErrReadOnly is returned (wrapped) by SaveRun on a store opened with
// OpenReadOnly.
var ErrReadOnly = errors.New("store opened read-only")

// OpenReadOnly opens an existing store for reading only: the commands that
// list, show and compare runs must work on a history they may not write
// (another user's, a read-only mount, a backup) and must not leave a file
// behind when pointed at a wrong path. It creates nothing and never
// migrates: a store of an older schema is read as it is. It refuses a
// file that is not a kaudit store, or one a newer kaudit wrote, with an
// error naming the path; a missing file is a *MissingError.
//
// SQLite cannot read a WAL database through its locks without creating
// the -wal and -shm files beside it when they are absent (and fails when
// the directory is read-only). So:
//   - while a writer has the store open (its -wal exists) the store is
//     read through SQLite's locks (mode=ro) and sees each run as it is
//     committed;
//   - otherwise the file alone holds every committed run, and it is read
//     as immutable while a shared lock on the writers' lock file keeps
//     kaudit writers out until Close. A writer waits (up to its lock
//     timeout) for the reader, never the reverse of a half-written read.
//     Only a writer that ignores the lock file (an sqlite3 shell), or a
//     lock file this user cannot read, escapes that guard.
func OpenReadOnly(ctx context.Context, path string, opt Options) (*Store, error) {
	return openReadOnly(ctx, path, opt, migrations)
}

func openReadOnly(ctx context.Context, path string, opt Options, migs []string) (*Store, error) {
	abs, err := absPath(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &MissingError{Path: abs}
	case err != nil:
		return nil, fmt.Errorf("store %s: %w", abs, err)
	case fi.IsDir():
		return nil, fmt.Errorf("store %s is a directory, not a history file", abs)
	}
	s := &Store{path: abs, lockPath: abs + ".lock", timeout: lockTimeout(opt), readOnly: true}
	// Taken before looking for the -wal: a writer in SaveRun finishes
	// (and folds its WAL into the file) before the reader decides.
	release, err := flockSharedWait(ctx, s.lockPath, time.Now().Add(s.timeout))
	if err != nil {
		var b *BusyError
		if errors.As(err, &b) {
			b.Path, b.Waited = s.path, s.timeout
		}
		return nil, err
	}
	immutable := !exists(abs+"-wal") && !exists(abs+"-journal")
	if !immutable {
		release()
		release = nil
	}
	s.db, err = sql.Open("sqlite", dsnReadOnly(abs, s.timeout, immutable))
	if err != nil {
		if release != nil {
			release()
		}
		return nil, fmt.Errorf("store %s: %w", abs, err)
	}
	s.readUnlock = release
	if err := s.checkReadable(ctx, migs); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// exists is false only for a path known to be absent: a path that cannot
// be looked at is taken to exist, which picks the locked way of reading.
func exists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// dsnReadOnly is dsn for OpenReadOnly: mode=ro makes SQLite refuse every
// write and never create the file; immutable (see OpenReadOnly for when)
// also keeps it from creating -wal and -shm.
func dsnReadOnly(path string, timeout time.Duration, immutable bool) string {
	u := url.URL{Scheme: "file", Path: path, OmitHost: true}
	q := url.Values{}
	q.Set("mode", "ro")
	if immutable {
		q.Set("immutable", "1")
	}
	// A reader can still meet a lock: while a writer recovers the WAL
	// index after a crash, or when the file is in rollback mode.
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", timeout.Milliseconds()))
	return u.String() + "?" + q.Encode()
}

// checkReadable is init for a read-only store: it can neither create the
// schema nor migrate it. A store of an older schema is read as it is
// (migrations only add what later runs record), so that runs, show and
// diff keep working on a history the nightly audit has not upgraded yet.
func (s *Store) checkReadable(ctx context.Context, migs []string) error {
	ver, app, tables, _, err := s.header(ctx)
	if err != nil {
		return err
	}
	if err := s.checkHeader(ver, app, tables, len(migs)); err != nil {
		return err
	}
	if ver == 0 {
		return fmt.Errorf("store %s is empty, not a kaudit history", s.path)
	}
	s.schema = ver
	return nil
}
