package store

import (
	"context"
	"fmt"
	"strings"
)

// appID marks the file as a kaudit store (PRAGMA application_id, "kaud"),
// so that kaudit never migrates another program's SQLite database.
const appID = 0x6b617564

// pageSize is SQLite's largest: the store is mostly blobs of tens of
// kilobytes, and 4 KB pages made storing a 10,000-device run spend a
// quarter of its time in write system calls.
const pageSize = 65536

// migrations are applied in order; PRAGMA user_version counts those
// applied. Append only: never edit a released entry, since stores in the
// field already ran it.
var migrations = []string{
	// 1: the first schema.
	//
	// blobs is content-addressed: hash is the sha256 of the canonical JSON
	// (a device's facts, a device's findings, a findings order), data its
	// gzip. (Since kaudit stores facts and findings in a binary encoding,
	// their blobs are binary: codec.go, codec_blob.go; JSON blobs still
	// read.) Rows refer to blobs by id rather than by the 32-byte hash: a
	// 10,000-device run is 10,000 run_devices rows with two references
	// each, and hashes there would make an unchanged run cost over 1 MB
	// instead of about 0.4 MB.
	`PRAGMA application_id = ` + fmt.Sprint(appID) + `;
CREATE TABLE blobs (
	id   INTEGER PRIMARY KEY,
	hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
	data BLOB NOT NULL
);
-- One row per finding of each distinct findings blob (a device's list),
-- to find a finding across runs by fingerprint without decoding blobs.
CREATE TABLE findings (
	blob_id     INTEGER NOT NULL REFERENCES blobs(id),
	idx         INTEGER NOT NULL,
	fingerprint TEXT NOT NULL,
	rule        TEXT NOT NULL,
	severity    INTEGER NOT NULL,
	device      TEXT NOT NULL,
	object      TEXT NOT NULL,
	PRIMARY KEY (blob_id, idx)
) WITHOUT ROWID;
CREATE INDEX findings_fingerprint ON findings(fingerprint);
-- The counts are written in the same transaction as the run's rows, so a
-- reader can tell a complete run from a damaged one.
CREATE TABLE runs (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	started           TEXT NOT NULL,
	ended             TEXT NOT NULL,
	source            TEXT NOT NULL,
	inventory_digest  TEXT NOT NULL,
	version           TEXT NOT NULL,
	exit_code         INTEGER NOT NULL,
	devices           INTEGER NOT NULL,
	devices_ok        INTEGER NOT NULL,
	devices_partial   INTEGER NOT NULL,
	devices_failed    INTEGER NOT NULL,
	snapshot_devices  INTEGER NOT NULL,
	findings          INTEGER NOT NULL,
	findings_critical INTEGER NOT NULL,
	findings_warning  INTEGER NOT NULL,
	findings_info     INTEGER NOT NULL,
	-- findings whose device is not one of the run's devices
	extra_findings    INTEGER REFERENCES blobs(id),
	-- set only when the findings were not in rules.Sort order
	findings_order    INTEGER REFERENCES blobs(id)
);
-- One row per device of the run: reported rows are the run's
-- report.DeviceResults in order; the others are snapshot devices the
-- report did not list. snap_seq is the position in the snapshot.
CREATE TABLE run_devices (
	run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	seq      INTEGER NOT NULL,
	name     TEXT NOT NULL,
	platform TEXT NOT NULL,
	status   TEXT NOT NULL,
	error    TEXT,
	missing  TEXT,
	errors   TEXT,
	reported INTEGER NOT NULL,
	snap_seq INTEGER,
	facts    INTEGER REFERENCES blobs(id),
	findings INTEGER REFERENCES blobs(id),
	PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;`,

	// 2: the outputs behind the facts, so that a recorded run can be
	// patched (check --store --patch) and written back out (show
	// --save-raw). Each output is a blob (hash: sha256 of the text); a
	// device's outputs are listed by a manifest blob (see outputs.go),
	// so an unchanged device still costs one reference a run. inventory
	// is the run's resolved inventory (inventory.Marshal: secrets are
	// references, never values).
	`ALTER TABLE runs ADD COLUMN inventory INTEGER REFERENCES blobs(id);
ALTER TABLE run_devices ADD COLUMN outputs INTEGER REFERENCES blobs(id);`,

	// 3: a run's scope, so that it is compared with the previous run of
	// the same scope (scope.go): the inventory it audited and its --limit
	// expression; both NULL in runs recorded before, which are matched by
	// their source instead. unverified holds the findings of earlier runs
	// that this run could not check (a device failed or was partial, a
	// fact became unknown), carried so that the next run still knows them.
	`ALTER TABLE runs ADD COLUMN scope_inventory TEXT;
ALTER TABLE runs ADD COLUMN scope_limit TEXT;
ALTER TABLE runs ADD COLUMN unverified INTEGER REFERENCES blobs(id);
CREATE INDEX runs_scope ON runs(scope_inventory, scope_limit, id);`,
}

// init checks that the file is a kaudit store this build understands and
// brings it to the current schema in WAL mode.
func (s *Store) init(ctx context.Context, migs []string) error {
	ver, app, tables, mode, err := s.header(ctx)
	if err != nil {
		return err
	}
	if err := s.checkHeader(ver, app, tables, len(migs)); err != nil {
		return err
	}
	if ver == len(migs) && strings.EqualFold(mode, "wal") {
		s.schema = ver
		return nil
	}
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if ver == 0 && tables == 0 {
		// Only a new file can take a page size (until a VACUUM).
		if _, err := s.db.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d", pageSize)); err != nil {
			return s.wrap("set page size", err)
		}
	}
	// Readers never block a WAL writer, and a rollback journal would let
	// a reader stall the nightly run; the mode is stored in the file.
	if _, err := s.db.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
		return s.wrap("set WAL mode", err)
	}
	if err := s.migrate(ctx, migs); err != nil {
		return err
	}
	s.schema = len(migs)
	return nil
}

func (s *Store) header(ctx context.Context) (ver, app, tables int, mode string, err error) {
	// The first statement is where SQLite reads the file header, so a
	// stray file fails here.
	if err = s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&ver); err != nil {
		return 0, 0, 0, "", s.wrap("read schema version", err)
	}
	if err = s.db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app); err != nil {
		return 0, 0, 0, "", s.wrap("read application id", err)
	}
	if err = s.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&tables); err != nil {
		return 0, 0, 0, "", s.wrap("read schema", err)
	}
	if err = s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return 0, 0, 0, "", s.wrap("read journal mode", err)
	}
	return ver, app, tables, mode, nil
}

func (s *Store) checkHeader(ver, app, tables, known int) error {
	switch {
	case ver > known:
		return fmt.Errorf("store %s has schema version %d but this kaudit knows only up to %d: it was written by a newer kaudit; upgrade kaudit or pass another --store", s.path, ver, known)
	case ver > 0 && app != appID:
		return fmt.Errorf("store %s is an SQLite database of another application (application_id %#x), not a kaudit history; refusing to touch it", s.path, app)
	case ver == 0 && tables > 0:
		return fmt.Errorf("store %s is an SQLite database with tables of its own, not a kaudit history; refusing to modify it", s.path)
	}
	return nil
}

// migrate applies the migrations the file lacks, each with its version
// bump in one transaction, so a crash leaves a consistent version.
// The caller holds the write lock.
func (s *Store) migrate(ctx context.Context, migs []string) error {
	for {
		done, err := s.migrateOne(ctx, migs)
		if err != nil || done {
			return err
		}
	}
}

func (s *Store) migrateOne(ctx context.Context, migs []string) (done bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, s.wrap("begin migration", err)
	}
	defer tx.Rollback()
	// Re-read inside the transaction: another process may have migrated
	// between our check and our lock.
	var ver, app, tables int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&ver); err != nil {
		return false, s.wrap("read schema version", err)
	}
	if err := tx.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app); err != nil {
		return false, s.wrap("read application id", err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&tables); err != nil {
		return false, s.wrap("read schema", err)
	}
	if err := s.checkHeader(ver, app, tables, len(migs)); err != nil {
		return false, err
	}
	if ver == len(migs) {
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, migs[ver]); err != nil {
		return false, s.wrap(fmt.Sprintf("migrate to schema version %d", ver+1), err)
	}
	// PRAGMA takes no parameters; ver is an int we computed.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", ver+1)); err != nil {
		return false, s.wrap("set schema version", err)
	}
	if err := tx.Commit(); err != nil {
		return false, s.wrap(fmt.Sprintf("commit schema version %d", ver+1), err)
	}
	return false, nil
}
