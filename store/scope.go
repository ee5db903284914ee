package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/kaudit/kaudit/rules"
)

// Scope is what a run audited: the inventory (the absolute path of its
// file, or of the offline directory) and the --limit expression ("" for
// all its hosts). A run is compared with the previous run of the same
// scope, so that a --limit run between two full runs, or two sites
// audited one after the other into one store, never pass for changes.
type Scope struct {
	Inventory string
	Limit     string
}

// IsZero reports a scope that was not recorded.
func (s Scope) IsZero() bool { return s.Inventory == "" && s.Limit == "" }

func (s Scope) String() string {
	if s.IsZero() {
		return "(not recorded)"
	}
	if s.Limit == "" {
		return s.Inventory
	}
	return s.Inventory + " --limit " + s.Limit
}

func (s Scope) inventoryArg() any {
	if s.IsZero() {
		return nil
	}
	return s.Inventory
}

func (s Scope) limitArg() any {
	if s.IsZero() {
		return nil
	}
	return s.Limit
}

// scopeRow is a run's scope columns as read.
type scopeRow struct {
	inventory, limit sql.NullString
	unverified       sql.NullInt64
}

func (r scopeRow) scope() Scope {
	if !r.inventory.Valid {
		return Scope{}
	}
	return Scope{Inventory: r.inventory.String, Limit: r.limit.String}
}

// scopeColumns selects scope_inventory, scope_limit and unverified, or
// NULLs from a store of a schema before 3 (read-only opens do not
// migrate).
func (s *Store) scopeColumns() string {
	if s.schema < 3 {
		return "NULL, NULL, NULL"
	}
	return "scope_inventory, scope_limit, unverified"
}

// sameScope is the condition and arguments that select the runs of scope
// sc: those that recorded it, and those recorded before scopes were whose
// source is source (the same command line gives the same source).
func (s *Store) sameScope(sc Scope, source string) (string, []any) {
	if s.schema < 3 {
		return "source = ?", []any{source}
	}
	if sc.IsZero() {
		return "(scope_inventory IS NULL AND source = ?)", []any{source}
	}
	return "((scope_inventory = ? AND scope_limit = ?) OR (scope_inventory IS NULL AND source = ?))",
		[]any{sc.Inventory, sc.Limit, source}
}

// Previous returns the newest run before run id (0: before any run yet to
// be saved) of scope sc, or 0 when there is none. source stands in for
// the scope of runs recorded before scopes were.
func (s *Store) Previous(ctx context.Context, sc Scope, source string, id int64) (int64, error) {
	if id <= 0 {
		id = math.MaxInt64
	}
	cond, args := s.sameScope(sc, source)
	var prev int64
	err := s.db.QueryRowContext(ctx, "SELECT id FROM runs WHERE id < ? AND "+cond+" ORDER BY id DESC LIMIT 1",
		append([]any{id}, args...)...).Scan(&prev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, s.wrap("find the previous run", err)
	}
	return prev, nil
}

// LastSuccess is when the newest run of scope sc with exit code 0
// started; zero when none did.
func (s *Store) LastSuccess(ctx context.Context, sc Scope, source string) (time.Time, error) {
	cond, args := s.sameScope(sc, source)
	var started string
	err := s.db.QueryRowContext(ctx, "SELECT started FROM runs WHERE exit_code = 0 AND "+cond+" ORDER BY id DESC LIMIT 1", args...).Scan(&started)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, s.wrap("find the last successful run", err)
	}
	t, _, err := parseTimes(started, started)
	return t, err
}

// LatestWith returns the newest run that read device completely (not
// failed, no error, no parse error), preferring a run of a whole
// inventory to a --limit run, so that a pre-change check sees the
// devices around the one it changes; 0 when no run did.
func (s *Store) LatestWith(ctx context.Context, device string) (int64, error) {
	order := "r.id DESC"
	if s.schema >= 3 {
		order = "(COALESCE(r.scope_limit, '') = '') DESC, r.id DESC"
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT r.id FROM runs r JOIN run_devices d ON d.run_id = r.id
		WHERE d.name = ? AND d.reported AND d.status IN ('ok', 'partial') AND d.error IS NULL AND d.errors IS NULL
		ORDER BY `+order+` LIMIT 1`, device).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, s.wrap(fmt.Sprintf("find a run of %s", device), err)
	}
	return id, nil
}

// putUnverified stores a run's unverified findings as one blob; nil when
// there are none.
func (w *writer) putUnverified(ctx context.Context, fs []rules.Finding) (any, error) {
	if len(fs) == 0 {
		return nil, nil
	}
	return w.putValue(ctx, fs)
}
