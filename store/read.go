package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

// RunSummary is one line of the run history.
type RunSummary struct {
	ID                                 int64
	Started, Ended                     time.Time
	Source, InventoryDigest, Version   string
	ExitCode                           int
	Devices, DevicesOK, DevicesPartial int
	DevicesFailed                      int // failed or unknown status
	Findings                           int
	BySeverity                         map[rules.Severity]int // non-zero counts only
	Scope                              Scope                  // zero: recorded before scopes
}

// Runs lists the newest limit runs, newest first (limit <= 0: all).
func (s *Store) Runs(ctx context.Context, limit int) ([]RunSummary, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, started, ended, source, inventory_digest, version, exit_code,
		devices, devices_ok, devices_partial, devices_failed,
		findings, findings_critical, findings_warning, findings_info, `+s.scopeColumns()+`
		FROM runs ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, s.wrap("list runs", err)
	}
	defer rows.Close()
	var out []RunSummary
	for rows.Next() {
		var r RunSummary
		var started, ended string
		var crit, warn, info int
		var scope scopeRow
		if err := rows.Scan(&r.ID, &started, &ended, &r.Source, &r.InventoryDigest, &r.Version, &r.ExitCode,
			&r.Devices, &r.DevicesOK, &r.DevicesPartial, &r.DevicesFailed,
			&r.Findings, &crit, &warn, &info, &scope.inventory, &scope.limit, &scope.unverified); err != nil {
			return nil, s.wrap("list runs", err)
		}
		r.Scope = scope.scope()
		if r.Started, r.Ended, err = parseTimes(started, ended); err != nil {
			return nil, s.wrap(fmt.Sprintf("run %d", r.ID), err)
		}
		r.BySeverity = map[rules.Severity]int{}
		for sev, n := range map[rules.Severity]int{rules.Critical: crit, rules.Warning: warn, rules.Info: info} {
			if n > 0 {
				r.BySeverity[sev] = n
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("list runs", err)
	}
	return out, nil
}

// Latest returns the ids of the newest n runs, newest first.
func (s *Store) Latest(ctx context.Context, n int) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id FROM runs ORDER BY id DESC LIMIT ?", n)
	if err != nil {
		return nil, s.wrap("list runs", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, s.wrap("list runs", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("list runs", err)
	}
	return ids, nil
}

func parseTimes(started, ended string) (time.Time, time.Time, error) {
	st, err := time.Parse(time.RFC3339Nano, started)
	if err != nil {
		return st, st, fmt.Errorf("bad start time: %w", err)
	}
	en, err := time.Parse(time.RFC3339Nano, ended)
	if err != nil {
		return st, en, fmt.Errorf("bad end time: %w", err)
	}
	return st.UTC(), en.UTC(), nil
}

// runHead is the runs row with what the readers check against.
type runHead struct {
	rec                         RunRecord
	devices, snapDevs, findings int
	extra, order                sql.NullInt64
	scope                       scopeRow
}

// openRun begins the read-only transaction that reads run id back and
// reads its runs row. The caller rolls tx back.
func (s *Store) openRun(ctx context.Context, id int64) (_ *sql.Tx, _ *runHead, err error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, s.wrap("begin read", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	h := &runHead{}
	var started, ended string
	err = tx.QueryRowContext(ctx, `SELECT started, ended, source, inventory_digest, version, exit_code,
		devices, snapshot_devices, findings, extra_findings, findings_order, `+s.scopeColumns()+` FROM runs WHERE id = ?`, id).Scan(
		&started, &ended, &h.rec.Source, &h.rec.InventoryDigest, &h.rec.Version, &h.rec.ExitCode,
		&h.devices, &h.snapDevs, &h.findings, &h.extra, &h.order, &h.scope.inventory, &h.scope.limit, &h.scope.unverified)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("store %s: run %d: %w", s.path, id, ErrNotFound)
	}
	if err != nil {
		return nil, nil, s.wrap(fmt.Sprintf("read run %d", id), err)
	}
	h.rec.ID = id
	h.rec.Scope = h.scope.scope()
	h.rec.Devices, h.rec.Findings = []report.DeviceResult{}, []rules.Finding{}
	if h.rec.Started, h.rec.Ended, err = parseTimes(started, ended); err != nil {
		return nil, nil, s.wrap(fmt.Sprintf("run %d", id), err)
	}
	return tx, h, nil
}

func (s *Store) damaged(id int64, format string, args ...any) error {
	return fmt.Errorf("store %s: run %d is damaged: %s", s.path, id, fmt.Sprintf(format, args...))
}

// Run reads run id back: its devices in the order saved and its findings
// in the order saved. Devices and Findings are never nil, so that a clean
// run renders as [] in JSON as it did when it was audited.
func (s *Store) Run(ctx context.Context, id int64) (*RunRecord, error) {
	tx, h, err := s.openRun(ctx, id)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// The findings blobs come with their rows: one query for a
	// 10,000-device run rather than one a device.
	rows, err := tx.QueryContext(ctx, `SELECT r.name, r.platform, r.status, r.error, r.missing, r.errors, r.reported, r.findings, b.hash, b.data
		FROM run_devices r LEFT JOIN blobs b ON b.id = r.findings WHERE r.run_id = ? ORDER BY r.seq`, id)
	if err != nil {
		return nil, s.wrap(fmt.Sprintf("read run %d devices", id), err)
	}
	var groups []rawBlob // findings blobs, in row order
	for rows.Next() {
		var d report.DeviceResult
		var errText, missing, perrs sql.NullString
		var reported bool
		var group sql.NullInt64
		var raw rawBlob
		var hb []byte
		if err := rows.Scan(&d.Name, &d.Platform, &d.Status, &errText, &missing, &perrs, &reported, &group, &hb, &raw.data); err != nil {
			rows.Close()
			return nil, s.wrap(fmt.Sprintf("read run %d devices", id), err)
		}
		if group.Valid {
			if hb == nil {
				rows.Close()
				return nil, s.damaged(id, "findings blob %d of %s is missing", group.Int64, d.Name)
			}
			copy(raw.h[:], hb)
			groups = append(groups, raw)
		}
		if !reported {
			continue
		}
		d.Error = errText.String
		if d.Missing, err = parseList(missing); err != nil {
			rows.Close()
			return nil, s.damaged(id, "device %s missing keys: %v", d.Name, err)
		}
		if d.Errors, err = parseList(perrs); err != nil {
			rows.Close()
			return nil, s.damaged(id, "device %s errors: %v", d.Name, err)
		}
		h.rec.Devices = append(h.rec.Devices, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.wrap(fmt.Sprintf("read run %d devices", id), err)
	}
	if len(h.rec.Devices) != h.devices {
		return nil, s.damaged(id, "%d devices stored, %d recorded", len(h.rec.Devices), h.devices)
	}
	if h.extra.Valid {
		var raw rawBlob
		var b []byte
		if err := tx.QueryRowContext(ctx, "SELECT hash, data FROM blobs WHERE id = ?", h.extra.Int64).Scan(&b, &raw.data); err != nil {
			return nil, s.damaged(id, "findings blob %d: %v", h.extra.Int64, err)
		}
		copy(raw.h[:], b)
		groups = append(groups, raw)
	}
	if h.rec.Findings, err = s.readFindings(ctx, id, groups); err != nil {
		return nil, err
	}
	if len(h.rec.Findings) != h.findings {
		return nil, s.damaged(id, "%d findings stored, %d recorded", len(h.rec.Findings), h.findings)
	}
	if h.order.Valid {
		var order []int
		if err := s.blobByID(ctx, tx, h.order.Int64, &order); err != nil {
			return nil, s.damaged(id, "findings order: %v", err)
		}
		fs, err := permute(h.rec.Findings, order)
		if err != nil {
			return nil, s.damaged(id, "findings order: %v", err)
		}
		h.rec.Findings = fs
	} else {
		// planRun stored no order because this sort reproduces it.
		slices.SortStableFunc(h.rec.Findings, rules.Compare)
	}
	if h.scope.unverified.Valid {
		if err := s.blobByID(ctx, tx, h.scope.unverified.Int64, &h.rec.Unverified); err != nil {
			return nil, s.damaged(id, "unverified findings: %v", err)
		}
	}
	return &h.rec, nil
}

func parseList(v sql.NullString) ([]string, error) {
	if !v.Valid {
		return nil, nil
	}
	var l []string
	err := json.Unmarshal([]byte(v.String), &l)
	return l, err
}

// permute returns out with out[i] = fs[order[i]], checking that order is
// a permutation.
func permute(fs []rules.Finding, order []int) ([]rules.Finding, error) {
	if len(order) != len(fs) {
		return nil, fmt.Errorf("%d positions for %d findings", len(order), len(fs))
	}
	seen := make([]bool, len(fs))
	out := make([]rules.Finding, len(fs))
	for i, j := range order {
		if j < 0 || j >= len(fs) || seen[j] {
			return nil, fmt.Errorf("position %d is not a permutation entry", j)
		}
		seen[j] = true
		out[i] = fs[j]
	}
	return out, nil
}

func (s *Store) blobByID(ctx context.Context, tx *sql.Tx, id int64, v any) error {
	var b, data []byte
	if err := tx.QueryRowContext(ctx, "SELECT hash, data FROM blobs WHERE id = ?", id).Scan(&b, &data); err != nil {
		return fmt.Errorf("blob %d: %w", id, err)
	}
	var h hash
	copy(h[:], b)
	return s.decodeStored(ctx, data, h, v)
}

type rawBlob struct {
	h    hash
	data []byte
}

// readFindings decodes the findings blobs of run id, in order, into one
// list.
func (s *Store) readFindings(ctx context.Context, id int64, raws []rawBlob) ([]rules.Finding, error) {
	if len(raws) == 0 {
		return []rules.Finding{}, nil
	}
	lists, err := decodeAll[[]rules.Finding](ctx, s, raws)
	if err != nil {
		return nil, s.damaged(id, "%v", err)
	}
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	out := make([]rules.Finding, 0, n)
	for _, l := range lists {
		out = append(out, l...)
	}
	return out, nil
}

// decodeAll decodes blobs on all cores: a 10,000-device snapshot is
// hundreds of megabytes of JSON.
func decodeAll[T any](ctx context.Context, s *Store, raws []rawBlob) ([]T, error) {
	out := make([]T, len(raws))
	var (
		next    atomic.Int64
		mu      sync.Mutex
		errAt   = len(raws)
		wg      sync.WaitGroup
		firstEr error
	)
	for range min(runtime.GOMAXPROCS(0), len(raws)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(raws) {
					return
				}
				if err := s.decodeStored(ctx, raws[i].data, raws[i].h, &out[i]); err != nil {
					mu.Lock()
					if i < errAt { // report the first bad blob, whatever the scheduling
						errAt, firstEr = i, err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return out, firstEr
}

// Snapshot rebuilds the snapshot of run id from its stored device facts,
// in the order saved. Phones is empty: the caller joins it again
// (facts.Snapshot.Join) with the defaults in force.
func (s *Store) Snapshot(ctx context.Context, id int64) (*facts.Snapshot, error) {
	tx, h, err := s.openRun(ctx, id)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT r.snap_seq, b.hash, b.data FROM run_devices r JOIN blobs b ON b.id = r.facts
		WHERE r.run_id = ? ORDER BY r.snap_seq`, id)
	if err != nil {
		return nil, s.wrap(fmt.Sprintf("read run %d facts", id), err)
	}
	var raws []rawBlob
	for rows.Next() {
		var seq int
		var b []byte
		var r rawBlob
		if err := rows.Scan(&seq, &b, &r.data); err != nil {
			rows.Close()
			return nil, s.wrap(fmt.Sprintf("read run %d facts", id), err)
		}
		if seq != len(raws) {
			rows.Close()
			return nil, s.damaged(id, "snapshot position %d where %d was expected", seq, len(raws))
		}
		copy(r.h[:], b)
		raws = append(raws, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.wrap(fmt.Sprintf("read run %d facts", id), err)
	}
	if len(raws) != h.snapDevs {
		return nil, s.damaged(id, "%d snapshot devices stored, %d recorded", len(raws), h.snapDevs)
	}
	devs, err := decodeAll[*facts.Device](ctx, s, raws)
	if err != nil {
		return nil, s.damaged(id, "%v", err)
	}
	for i, d := range devs {
		if d == nil {
			return nil, s.damaged(id, "snapshot device %d is empty", i)
		}
	}
	return &facts.Snapshot{Devices: devs}, nil
}
