package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/report"
	"github.com/kaudit/kaudit/rules"
)

// RunRecord is one audit run as stored.
type RunRecord struct {
	ID              int64 // assigned by SaveRun; increasing, never reused
	Started, Ended  time.Time
	Source          string
	InventoryDigest string
	Version         string
	Devices         []report.DeviceResult
	Findings        []rules.Finding
	ExitCode        int
	// Inventory is the run's resolved inventory (inventory.Marshal), and
	// Outputs the outputs of its snapshot's devices: what show --save-raw
	// writes back out. Either may be nil. SaveRun stores them; Run does
	// not read them back (RunOutputs does).
	Inventory []byte   `json:"-"`
	Outputs   *Outputs `json:"-"`
	// Scope is what the run audited (see Scope); zero for a run recorded
	// before scopes were, which is matched by Source instead.
	Scope Scope
	// Unverified are findings of earlier runs of the scope that this run
	// could not check: carried, never resolved (see scope.go).
	Unverified []rules.Finding
}

// timeFormat has fixed-width fractions so that stored times sort as text.
const timeFormat = "2006-01-02T15:04:05.000000000Z07:00"

// devRow is one run_devices row before it is written.
type devRow struct {
	name, platform, status, errText string
	missing, errors                 []string
	reported                        bool
	snapSeq                         int // -1: not in the snapshot
	dev                             *facts.Device
	findings                        []int // indices into RunRecord.Findings, in input order
}

// plan is how a run maps onto rows: each finding goes with its device's
// row (extra when its device is not a row), and order is set only when
// reading the rows back in order and sorting with rules.Compare would not
// give the caller's order.
type plan struct {
	rows  []devRow
	extra []int
	order []int
}

func planRun(rec *RunRecord, snap *facts.Snapshot) (*plan, error) {
	p := &plan{}
	// Reported rows still waiting for their facts, by name; a list
	// because nothing stops an inventory from naming a host twice.
	free := map[string][]int{}
	for i, d := range rec.Devices {
		p.rows = append(p.rows, devRow{
			name: d.Name, platform: d.Platform, status: d.Status, errText: d.Error,
			missing: d.Missing, errors: d.Errors, reported: true, snapSeq: -1,
		})
		free[d.Name] = append(free[d.Name], i)
	}
	if snap != nil {
		for i, d := range snap.Devices {
			if d == nil {
				return nil, fmt.Errorf("snapshot device %d is nil", i)
			}
			if rs := free[d.Name]; len(rs) > 0 {
				free[d.Name] = rs[1:]
				p.rows[rs[0]].dev, p.rows[rs[0]].snapSeq = d, i
				continue
			}
			p.rows = append(p.rows, devRow{name: d.Name, platform: d.Platform, status: d.Status, errText: d.Error, snapSeq: i, dev: d})
		}
	}
	first := map[string]int{}
	for i := len(p.rows) - 1; i >= 0; i-- {
		first[p.rows[i].name] = i
	}
	for j, f := range rec.Findings {
		if r, ok := first[f.Device]; ok {
			p.rows[r].findings = append(p.rows[r].findings, j)
		} else {
			p.extra = append(p.extra, j)
		}
	}
	concat := make([]int, 0, len(rec.Findings))
	for _, r := range p.rows {
		concat = append(concat, r.findings...)
	}
	concat = append(concat, p.extra...)
	sorted := slices.Clone(concat)
	slices.SortStableFunc(sorted, func(a, b int) int { return rules.Compare(rec.Findings[a], rec.Findings[b]) })
	for i, j := range sorted {
		if i != j {
			p.order = make([]int, len(concat))
			for pos, j := range concat {
				p.order[j] = pos
			}
			break
		}
	}
	return p, nil
}

// SaveRun stores rec and the facts of every device in snap (nil: none) as
// a new run, in one transaction, and returns its id. snap.Phones is not
// stored: callers rebuild it with Join. It waits for another writer up
// to the lock timeout and fails with a *BusyError after that.
func (s *Store) SaveRun(ctx context.Context, rec RunRecord, snap *facts.Snapshot) (int64, error) {
	if s.readOnly {
		return 0, fmt.Errorf("store %s: save run: %w", s.path, ErrReadOnly)
	}
	p, err := planRun(&rec, snap)
	if err == nil {
		n := 0
		if snap != nil {
			n = len(snap.Devices)
		}
		err = rec.Outputs.check(n)
	}
	if err != nil {
		return 0, fmt.Errorf("store %s: save run: %w", s.path, err)
	}
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	id, err := s.saveTx(ctx, &rec, p)
	if err != nil {
		return 0, err
	}
	s.checkpoint(ctx)
	return id, nil
}

func (s *Store) saveTx(ctx context.Context, rec *RunRecord, p *plan) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.wrap("begin run", err)
	}
	defer tx.Rollback()

	w, err := s.newWriter(ctx, tx)
	if err != nil {
		return 0, err
	}
	defer w.close()
	ids, extraID, err := s.storeBlobs(ctx, tx, w, rec, p)
	if err != nil {
		return 0, err
	}
	var invID any
	if rec.Inventory != nil {
		id, err := w.putText(ctx, rec.Inventory)
		if err != nil {
			return 0, s.wrap("store inventory", err)
		}
		invID = id
	}
	unverifiedID, err := w.putUnverified(ctx, rec.Unverified)
	if err != nil {
		return 0, s.wrap("store unverified findings", err)
	}
	var orderID any
	if p.order != nil {
		id, err := w.putValue(ctx, p.order)
		if err != nil {
			return 0, s.wrap("store findings order", err)
		}
		orderID = id
	}

	var ok, partial, failed int
	for _, d := range rec.Devices {
		switch d.Status {
		case facts.StatusOK:
			ok++
		case facts.StatusPartial:
			partial++
		default: // as report counts it: unknown is failed
			failed++
		}
	}
	bySev := map[rules.Severity]int{}
	for _, f := range rec.Findings {
		bySev[f.Severity]++
	}
	nsnap := 0
	for _, r := range p.rows {
		if r.dev != nil {
			nsnap++
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO runs(started, ended, source, inventory_digest, version, exit_code,
		devices, devices_ok, devices_partial, devices_failed, snapshot_devices,
		findings, findings_critical, findings_warning, findings_info, extra_findings, findings_order, inventory,
		scope_inventory, scope_limit, unverified)
		VALUES(?,?,?,?,?,?, ?,?,?,?,?, ?,?,?,?,?,?,?, ?,?,?)`,
		rec.Started.UTC().Format(timeFormat), rec.Ended.UTC().Format(timeFormat), rec.Source, rec.InventoryDigest, rec.Version, rec.ExitCode,
		len(rec.Devices), ok, partial, failed, nsnap,
		len(rec.Findings), bySev[rules.Critical], bySev[rules.Warning], bySev[rules.Info], extraID, orderID, invID,
		rec.Scope.inventoryArg(), rec.Scope.limitArg(), unverifiedID)
	if err != nil {
		return 0, s.wrap("insert run", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, s.wrap("insert run", err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO run_devices(run_id, seq, name, platform, status, error, missing, errors, reported, snap_seq, facts, findings, outputs)
		VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return 0, s.wrap("insert devices", err)
	}
	defer ins.Close()
	for i, r := range p.rows {
		missing, err := jsonList(r.missing)
		if err != nil {
			return 0, err
		}
		perrs, err := jsonList(r.errors)
		if err != nil {
			return 0, err
		}
		if _, err := ins.ExecContext(ctx, id, i, r.name, r.platform, r.status, nullString(r.errText), missing, perrs,
			r.reported, nullInt(r.snapSeq), nullID(ids[i].facts), nullID(ids[i].findings), nullID(ids[i].outputs)); err != nil {
			return 0, s.wrap(fmt.Sprintf("insert device %s", r.name), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, s.wrap("commit run", err)
	}
	return id, nil
}

// checkpoint folds the WAL back into the file after a run so that the
// store is one file again at rest. Best effort: a reader in the middle of
// a long query only postpones it to the next run, hence the short wait.
func (s *Store) checkpoint(ctx context.Context) {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "PRAGMA busy_timeout = 200"); err != nil {
		c.Raw(func(any) error { return driver.ErrBadConn }) // do not pool a connection in an unknown state
		return
	}
	c.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", s.timeout.Milliseconds())); err != nil {
		// A pooled connection with the short timeout would make later
		// runs fail early; drop it instead.
		c.Raw(func(any) error { return driver.ErrBadConn })
	}
}

func jsonList(v []string) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}

func nullInt(v int) any {
	if v < 0 {
		return nil
	}
	return v
}

func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// ref is one blob an encoder produced: id is non-zero when the store
// already holds it, else gz is its content to insert.
type ref struct {
	h  hash
	id int64
	gz []byte
	// schema is set for a binary blob: stored with it (codec.go).
	schema *schema
}

// findingMeta is a findings row: what finds a finding across runs
// without decoding its blob.
type findingMeta struct {
	idx                               int
	fingerprint, rule, device, object string
	severity                          int
}

// encoded is the blobs of one row (or of the extra findings, row -1).
type encoded struct {
	row      int
	facts    *ref
	findings *ref
	metas    []findingMeta // set when findings is new to the store
	outputs  *ref          // the manifest
	newOuts  []ref         // outputs the store lacks, set when the manifest is new
}

// rowIDs are the blobs a run_devices row refers to (0: none).
type rowIDs struct{ facts, findings, outputs int64 }

type job struct {
	row  int
	dev  *facts.Device
	fs   []int
	outs []output
	// hasOuts: outputs were recorded for the device (perhaps none).
	hasOuts bool
}

// known finds blob ids by hash without touching the write transaction:
// the previous run's device blobs are preloaded (an unchanged device is
// then one map lookup), the rest are asked of the committed store, which
// cannot change under us while we hold the write lock.
type known struct {
	ids   map[hash]int64
	stmt  *sql.Stmt
	empty bool
}

func (k *known) find(ctx context.Context, h hash) (int64, error) {
	if id, ok := k.ids[h]; ok {
		return id, nil
	}
	if k.empty {
		return 0, nil
	}
	var id int64
	err := k.stmt.QueryRowContext(ctx, h[:]).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func (s *Store) preload(ctx context.Context, tx *sql.Tx) (*known, error) {
	k := &known{ids: map[hash]int64{}}
	if err := tx.QueryRowContext(ctx, "SELECT NOT EXISTS (SELECT 1 FROM blobs)").Scan(&k.empty); err != nil {
		return nil, s.wrap("read blobs", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT b.hash, b.id FROM blobs b WHERE b.id IN (
		SELECT facts FROM run_devices WHERE run_id = (SELECT max(id) FROM runs)
		UNION SELECT findings FROM run_devices WHERE run_id = (SELECT max(id) FROM runs)
		UNION SELECT outputs FROM run_devices WHERE run_id = (SELECT max(id) FROM runs))`)
	if err != nil {
		return nil, s.wrap("read previous run", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b []byte
		var id int64
		if err := rows.Scan(&b, &id); err != nil {
			return nil, s.wrap("read previous run", err)
		}
		var h hash
		copy(h[:], b)
		k.ids[h] = id
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("read previous run", err)
	}
	return k, nil
}

// storeBlobs encodes every device's facts and findings on all cores (the
// JSON encoding of a 10,000-device snapshot is most of a run's cost) and
// writes the new blobs from this goroutine, the only user of tx.
func (s *Store) storeBlobs(ctx context.Context, tx *sql.Tx, w *writer, rec *RunRecord, p *plan) (ids []rowIDs, extraID any, err error) {
	k, err := s.preload(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	k.stmt, err = s.db.PrepareContext(ctx, "SELECT id FROM blobs WHERE hash = ?")
	if err != nil {
		return nil, nil, s.wrap("prepare lookup", err)
	}
	defer k.stmt.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		once     sync.Once
		firstErr error
	)
	fail := func(err error) {
		once.Do(func() { firstErr = err })
		cancel()
	}
	jobs := make(chan job)
	workers := runtime.GOMAXPROCS(0)
	results := make(chan encoded, workers)
	go func() {
		defer close(jobs)
		send := func(j job) bool {
			select {
			case jobs <- j:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for i, r := range p.rows {
			j := job{row: i, dev: r.dev, fs: r.findings}
			if r.dev != nil {
				j.outs, j.hasOuts = rec.Outputs.get(r.snapSeq)
			}
			if (r.dev != nil || len(r.findings) > 0) && !send(j) {
				return
			}
		}
		if len(p.extra) > 0 {
			send(job{row: -1, fs: p.extra})
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			enc := newEncoder()
			for j := range jobs {
				e, err := encodeJob(ctx, enc, k, j, rec.Findings)
				if err != nil {
					fail(err)
					continue // drain jobs so the feeder ends
				}
				select {
				case results <- e:
				case <-ctx.Done():
				}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	ids = make([]rowIDs, len(p.rows))
	for e := range results {
		if ctx.Err() != nil {
			continue // drain
		}
		r, err := w.write(ctx, e)
		if err != nil {
			fail(s.wrap("store blobs", err))
			continue
		}
		if e.row < 0 {
			extraID = r.findings
		} else {
			ids[e.row] = r
		}
	}
	if firstErr != nil {
		return nil, nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, s.wrap("save run", err)
	}
	if err := w.flush(ctx); err != nil {
		return nil, nil, s.wrap("store findings", err)
	}
	return ids, extraID, nil
}

func encodeJob(ctx context.Context, enc *encoder, k *known, j job, all []rules.Finding) (encoded, error) {
	e := encoded{row: j.row}
	if j.dev != nil {
		body, c, h, err := enc.binary(j.dev)
		if err != nil {
			return e, fmt.Errorf("device %s: encode facts: %w", j.dev.Name, err)
		}
		r := ref{h: h, schema: c.schema}
		if r.id, err = k.find(ctx, h); err != nil {
			return e, fmt.Errorf("device %s: look up facts: %w", j.dev.Name, err)
		}
		if r.id == 0 {
			r.gz = enc.packBinary(c, body)
		}
		e.facts = &r
	}
	if j.hasOuts {
		if err := encodeOutputs(ctx, enc, k, j, &e); err != nil {
			return e, err
		}
	}
	if len(j.fs) == 0 {
		return e, nil
	}
	// A device's findings are one blob, in input order: findings change
	// with the device far more often than one by one, and one insert
	// per device instead of per finding is most of a first run's cost.
	group := make([]rules.Finding, len(j.fs))
	for n, fi := range j.fs {
		group[n] = all[fi]
	}
	body, c, h, err := enc.binary(group)
	if err != nil {
		return e, fmt.Errorf("findings on %s: encode: %w", group[0].Device, err)
	}
	r := ref{h: h, schema: c.schema}
	if r.id, err = k.find(ctx, h); err != nil {
		return e, fmt.Errorf("findings on %s: look up: %w", group[0].Device, err)
	}
	e.findings = &r
	if r.id != 0 {
		return e, nil
	}
	r.gz = enc.packBinary(c, body)
	e.metas = make([]findingMeta, len(group))
	for n := range group {
		f := &group[n]
		e.metas[n] = findingMeta{idx: n, fingerprint: Fingerprint(*f), rule: f.Rule, device: f.Device, object: f.Object, severity: int(f.Severity)}
	}
	return e, nil
}

// encodeOutputs sets e.outputs to the device's manifest and e.newOuts to
// the outputs the store does not hold yet. A manifest the store holds
// means every output it lists is there too: blobs are never removed.
func encodeOutputs(ctx context.Context, enc *encoder, k *known, j job, e *encoded) error {
	man := manifest(j.outs)
	r := ref{h: sha256.Sum256(man)}
	var err error
	if r.id, err = k.find(ctx, r.h); err != nil {
		return fmt.Errorf("device %s: look up outputs: %w", j.dev.Name, err)
	}
	e.outputs = &r
	if r.id != 0 {
		return nil
	}
	r.gz = enc.compress(man)
	for _, o := range j.outs {
		id, err := k.find(ctx, o.h)
		if err != nil {
			return fmt.Errorf("device %s: look up output %s: %w", j.dev.Name, o.key, err)
		}
		if id == 0 {
			e.newOuts = append(e.newOuts, ref{h: o.h, gz: o.gz})
		}
	}
	return nil
}

// writer inserts blobs within the run's transaction.
type writer struct {
	tx       *sql.Tx
	ins, sel *sql.Stmt
	// added remembers blobs inserted by this run: two devices with the
	// same facts are both "new" to the encoders.
	added map[hash]int64
	enc   *encoder
	// metas wait to be inserted many rows a statement: one statement per
	// row would cost more than the rest of a first run.
	metas []any
}

// metaBatch rows of 7 columns stay well under SQLite's 32766 parameters.
const metaBatch = 500

func (s *Store) newWriter(ctx context.Context, tx *sql.Tx) (*writer, error) {
	w := &writer{tx: tx, added: map[hash]int64{}, enc: newEncoder()}
	var err error
	// A plain INSERT: with ON CONFLICT or RETURNING, SQLite copies every
	// page the insert touches into a statement journal first, a quarter
	// of a first run's writing. A blob is inserted only when the store
	// did not have it (put), so a conflict is the rare race put handles.
	if w.ins, err = tx.PrepareContext(ctx, "INSERT INTO blobs(hash, data) VALUES(?, ?)"); err != nil {
		return nil, s.wrap("prepare", err)
	}
	if w.sel, err = tx.PrepareContext(ctx, "SELECT id FROM blobs WHERE hash = ?"); err != nil {
		w.close()
		return nil, s.wrap("prepare", err)
	}
	return w, nil
}

func (w *writer) close() {
	for _, st := range []*sql.Stmt{w.ins, w.sel} {
		if st != nil {
			st.Close()
		}
	}
}

// put stores r unless the store has it and returns its id, and whether
// this call inserted it.
func (w *writer) put(ctx context.Context, r *ref) (int64, bool, error) {
	if r.id != 0 {
		return r.id, false, nil
	}
	if id, ok := w.added[r.h]; ok {
		return id, false, nil
	}
	if r.schema != nil {
		// A binary blob's schema first, as a manifest's outputs.
		if _, ok := w.added[r.schema.hash]; !ok {
			if _, err := w.putText(ctx, r.schema.text); err != nil {
				return 0, false, fmt.Errorf("store schema: %w", err)
			}
		}
	}
	var id int64
	inserted := true
	res, err := w.ins.ExecContext(ctx, r.h[:], r.gz)
	if err == nil {
		id, err = res.LastInsertId()
	} else if sqliteCode(err) == sqliteConstraint { // already there
		inserted = false
		err = w.sel.QueryRowContext(ctx, r.h[:]).Scan(&id)
	}
	if err != nil {
		return 0, false, err
	}
	w.added[r.h] = id
	return id, inserted, nil
}

// putText stores b as it is (the inventory).
func (w *writer) putText(ctx context.Context, b []byte) (int64, error) {
	return w.putContent(ctx, b, sha256.Sum256(b))
}

// putValue stores a small value the encoders did not see.
func (w *writer) putValue(ctx context.Context, v any) (int64, error) {
	js, h, err := canonical(v)
	if err != nil {
		return 0, err
	}
	return w.putContent(ctx, js, h)
}

// putContent stores content b of hash h unless the store has it.
func (w *writer) putContent(ctx context.Context, b []byte, h hash) (int64, error) {
	r := ref{h: h}
	err := w.sel.QueryRowContext(ctx, h[:]).Scan(&r.id)
	if errors.Is(err, sql.ErrNoRows) {
		r.gz, err = w.enc.compress(b), nil
	}
	if err != nil {
		return 0, err
	}
	id, _, err := w.put(ctx, &r)
	if err == nil {
		w.added[h] = id // asked once a run (a schema: for every new blob)
	}
	return id, err
}

func (w *writer) write(ctx context.Context, e encoded) (ids rowIDs, err error) {
	if e.facts != nil {
		if ids.facts, _, err = w.put(ctx, e.facts); err != nil {
			return ids, err
		}
	}
	if e.outputs != nil {
		// The outputs first: a manifest never names a missing blob.
		for i := range e.newOuts {
			if _, _, err = w.put(ctx, &e.newOuts[i]); err != nil {
				return ids, err
			}
		}
		if ids.outputs, _, err = w.put(ctx, e.outputs); err != nil {
			return ids, err
		}
	}
	if e.findings != nil {
		var inserted bool
		if ids.findings, inserted, err = w.put(ctx, e.findings); err != nil {
			return ids, err
		}
		if inserted {
			for _, m := range e.metas {
				w.metas = append(w.metas, ids.findings, m.idx, m.fingerprint, m.rule, m.severity, m.device, m.object)
			}
			if len(w.metas) >= metaBatch*7 {
				err = w.flush(ctx)
			}
		}
	}
	return ids, err
}

// flush inserts the findings rows waiting in w.metas.
func (w *writer) flush(ctx context.Context) error {
	for len(w.metas) > 0 {
		n := min(len(w.metas), metaBatch*7)
		q := "INSERT INTO findings(blob_id, idx, fingerprint, rule, severity, device, object) VALUES " +
			strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?),", n/7), ",")
		if _, err := w.tx.ExecContext(ctx, q, w.metas[:n]...); err != nil {
			return err
		}
		w.metas = w.metas[n:]
	}
	w.metas = nil
	return nil
}
