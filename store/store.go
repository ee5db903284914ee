// Package store keeps the history of audit runs in one embedded SQLite file
// (pure Go, modernc.org/sqlite): each run's devices, the facts read from
// them and its findings, so that a nightly audit can say what changed since
// yesterday. Device facts and findings are stored compressed and
// content-addressed, so an unchanged device costs a few dozen bytes a run.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"modernc.org/sqlite"
)

// DefaultLockTimeout is how long a run waits for another run that is
// writing to the same store before giving up.
const DefaultLockTimeout = 30 * time.Second

// Options tune Open.
type Options struct {
	// LockTimeout bounds the wait for another process (or goroutine)
	// writing to the same store. Zero means DefaultLockTimeout; a negative
	// value means do not wait at all.
	LockTimeout time.Duration
}

// ErrNotFound is returned (wrapped) for a run id the store does not hold.
var ErrNotFound = errors.New("no such run")

// ErrBusy is matched by errors.Is for a BusyError.
var ErrBusy = errors.New("store in use")

// BusyError says that another kaudit run held the store for longer than
// the lock timeout.
type BusyError struct {
	Path   string
	PID    int // holder's process id, 0 when unknown
	Waited time.Duration
}

func (e *BusyError) Error() string {
	pid := "pid unknown"
	if e.PID > 0 {
		pid = fmt.Sprintf("pid %d", e.PID)
	}
	return fmt.Sprintf("store %s is in use by another kaudit run (%s) — waited %s", e.Path, pid, e.Waited)
}

// Is makes errors.Is(err, ErrBusy) true.
func (e *BusyError) Is(target error) bool { return target == ErrBusy }

// Store is an open history file. Its methods are safe for concurrent use;
// writes are serialised (within the process and across processes), reads
// run alongside a write and see the runs committed before they started.
type Store struct {
	path     string
	lockPath string
	db       *sql.DB
	timeout  time.Duration
	// wmu serialises SaveRun within the process: the flock is per open
	// file, so two goroutines sharing one Store would both "hold" it.
	wmu chan struct{}
	// readOnly is set by OpenReadOnly: SaveRun refuses before it would
	// create the lock file.
	readOnly bool
	// readUnlock, when set, releases the shared lock an immutable
	// read-only store holds until Close.
	readUnlock func()
	// schema is the file's schema version (user_version): a read-only
	// store may be older than this build, and its readers then leave
	// out what that version did not record.
	schema int
}

// DefaultPath is where the history lives when the caller names no
// --store: $XDG_DATA_HOME/kaudit/history.db, else
// ~/.local/share/kaudit/history.db.
func DefaultPath() (string, error) {
	// The XDG spec says a relative XDG_DATA_HOME is invalid and must be
	// ignored; honouring it would scatter stores over working directories.
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "kaudit", "history.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("store: default path: %w", err)
	}
	return filepath.Join(home, ".local", "share", "kaudit", "history.db"), nil
}

// Open opens the store at path, creating it (and its directory) if absent
// and migrating an older schema. A file that is not a kaudit store, or one
// written by a newer kaudit, is refused with an error naming the path.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	return open(ctx, path, opt, migrations)
}

func open(ctx context.Context, path string, opt Options, migs []string) (*Store, error) {
	abs, err := absPath(path)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("store %s is a directory, not a history file", abs)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("store %s: %w", abs, err)
	}
	// Runs hold device configurations; create the file private before
	// SQLite does (it uses the umask, and copies the mode to -wal/-shm).
	f, err := os.OpenFile(abs, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", abs, err)
	}
	f.Close()

	timeout := lockTimeout(opt)
	db, err := sql.Open("sqlite", dsn(abs, timeout))
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", abs, err)
	}
	// SaveRun's encoders look blobs up while the writer holds its own
	// connection; keep their connections instead of reopening them.
	db.SetMaxIdleConns(runtime.GOMAXPROCS(0) + 2)
	s := &Store{path: abs, lockPath: abs + ".lock", db: db, timeout: timeout, wmu: make(chan struct{}, 1)}
	if err := s.init(ctx, migs); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// lockTimeout is opt.LockTimeout with its zero and negative values
// resolved.
func lockTimeout(opt Options) time.Duration {
	switch {
	case opt.LockTimeout == 0:
		return DefaultLockTimeout
	case opt.LockTimeout < 0:
		return 0
	}
	return opt.LockTimeout
}

// absPath is the absolute path a store is known by in its messages.
func absPath(path string) (string, error) {
	if path == "" {
		return "", errors.New("store: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("store %s: %w", path, err)
	}
	return abs, nil
}

// dsn builds a file: URI so that any path works ('?', '#', '%' are
// escaped), with per-connection settings every pooled connection needs.
func dsn(path string, timeout time.Duration) string {
	u := url.URL{Scheme: "file", Path: path, OmitHost: true}
	q := url.Values{}
	// SQLite's own busy handler is the second line behind the lock file:
	// it covers writers that do not take it (an sqlite3 shell, an old
	// kaudit) and the checkpoint after a run.
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", timeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	// FULL: a committed run survives a power cut, not only a crash; one
	// extra fsync per run is nothing next to collecting the network.
	q.Add("_pragma", "synchronous(FULL)")
	// Write transactions take the write lock at BEGIN, so two writers
	// never both read and then deadlock upgrading; read-only
	// transactions still begin deferred.
	q.Set("_txlock", "immediate")
	return u.String() + "?" + q.Encode()
}

// Path is the absolute path of the store file.
func (s *Store) Path() string { return s.path }

// Close closes the store.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.readUnlock != nil {
		s.readUnlock()
		s.readUnlock = nil
	}
	if err != nil {
		return fmt.Errorf("store %s: close: %w", s.path, err)
	}
	return nil
}

// SQLite primary result codes the error messages tell apart.
const (
	sqliteBusy       = 5
	sqliteCorrupt    = 11
	sqliteConstraint = 19
	sqliteNotADB     = 26
)

func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// wrap names the store in err and turns SQLite's own verdicts into
// sentences a user can act on.
func (s *Store) wrap(what string, err error) error {
	switch sqliteCode(err) {
	case sqliteNotADB:
		return fmt.Errorf("store %s is not a kaudit history database (not an SQLite file): %s: %w", s.path, what, err)
	case sqliteCorrupt:
		return fmt.Errorf("store %s is damaged (SQLite reports corruption; restore it from a backup or move it away): %s: %w", s.path, what, err)
	case sqliteBusy:
		return fmt.Errorf("store %s is locked by another process (SQLite busy after %s): %s: %w", s.path, s.timeout, what, err)
	}
	return fmt.Errorf("store %s: %s: %w", s.path, what, err)
}
