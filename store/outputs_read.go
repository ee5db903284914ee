package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
)

// RunOutputs is what a run recorded of its devices' outputs: enough to
// write the run back out in the offline layout, or to patch a device's
// recorded running config. Outputs are read one at a time (Read), so a
// 10,000-device run never sits in memory whole. Its methods read the
// store: use them before closing it.
type RunOutputs struct {
	s   *Store
	run int64
	// Inventory is the run's resolved inventory (inventory.Marshal), nil
	// when the run did not record one.
	Inventory []byte
	// Devices are the run's snapshot devices, in snapshot order.
	Devices []DeviceOutputs
}

// DeviceOutputs lists the recorded outputs of one device.
type DeviceOutputs struct {
	Name, Platform string
	// Recorded is false when the run kept no outputs of the device: it
	// failed, or the run was recorded by a kaudit that did not keep
	// outputs.
	Recorded bool
	// Keys are the command keys recorded, sorted.
	Keys   []string
	hashes []hash
}

// Any reports whether the run recorded the outputs of any device.
func (o *RunOutputs) Any() bool {
	for _, d := range o.Devices {
		if d.Recorded {
			return true
		}
	}
	return false
}

// RunOutputs reads the list of outputs run id recorded (not the outputs
// themselves).
func (s *Store) RunOutputs(ctx context.Context, id int64) (*RunOutputs, error) {
	tx, _, err := s.openRun(ctx, id)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	out := &RunOutputs{s: s, run: id}
	if s.schema < 2 {
		// Recorded before stores kept outputs.
		return out, s.listDevices(ctx, tx, id, out)
	}
	var inv sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT inventory FROM runs WHERE id = ?", id).Scan(&inv); err != nil {
		return nil, s.wrap(fmt.Sprintf("read run %d", id), err)
	}
	if inv.Valid {
		if out.Inventory, err = s.textByID(ctx, tx, inv.Int64); err != nil {
			return nil, s.damaged(id, "inventory: %v", err)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT r.name, r.platform, b.hash, b.data FROM run_devices r LEFT JOIN blobs b ON b.id = r.outputs
		WHERE r.run_id = ? AND r.snap_seq IS NOT NULL ORDER BY r.snap_seq`, id)
	if err != nil {
		return nil, s.wrap(fmt.Sprintf("read run %d outputs", id), err)
	}
	defer rows.Close()
	for rows.Next() {
		var d DeviceOutputs
		var h, data []byte
		if err := rows.Scan(&d.Name, &d.Platform, &h, &data); err != nil {
			return nil, s.wrap(fmt.Sprintf("read run %d outputs", id), err)
		}
		if h != nil {
			d.Recorded = true
			var want hash
			copy(want[:], h)
			text, err := gunzipBlob(data, want)
			var man []manifestEntry
			if err == nil {
				man, err = parseManifest(text)
			}
			if err != nil {
				return nil, s.damaged(id, "outputs of %s: %v", d.Name, err)
			}
			for _, e := range man {
				d.Keys = append(d.Keys, e.key)
				d.hashes = append(d.hashes, e.h)
			}
		}
		out.Devices = append(out.Devices, d)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(fmt.Sprintf("read run %d outputs", id), err)
	}
	return out, nil
}

// listDevices fills o.Devices, none recorded, from a store of schema 1.
func (s *Store) listDevices(ctx context.Context, tx *sql.Tx, id int64, o *RunOutputs) error {
	rows, err := tx.QueryContext(ctx, "SELECT name, platform FROM run_devices WHERE run_id = ? AND snap_seq IS NOT NULL ORDER BY snap_seq", id)
	if err != nil {
		return s.wrap(fmt.Sprintf("read run %d devices", id), err)
	}
	defer rows.Close()
	for rows.Next() {
		var d DeviceOutputs
		if err := rows.Scan(&d.Name, &d.Platform); err != nil {
			return s.wrap(fmt.Sprintf("read run %d devices", id), err)
		}
		o.Devices = append(o.Devices, d)
	}
	if err := rows.Err(); err != nil {
		return s.wrap(fmt.Sprintf("read run %d devices", id), err)
	}
	return nil
}

func (s *Store) textByID(ctx context.Context, tx *sql.Tx, id int64) ([]byte, error) {
	var b, data []byte
	if err := tx.QueryRowContext(ctx, "SELECT hash, data FROM blobs WHERE id = ?", id).Scan(&b, &data); err != nil {
		return nil, fmt.Errorf("blob %d: %w", id, err)
	}
	var h hash
	copy(h[:], b)
	return gunzipBlob(data, h)
}

// Read returns the recorded output of command key on device dev (an
// index into Devices). An output the run did not record is an error
// wrapping fs.ErrNotExist, as a missing file is offline.
func (o *RunOutputs) Read(ctx context.Context, dev int, key string) ([]byte, error) {
	if dev < 0 || dev >= len(o.Devices) {
		return nil, fmt.Errorf("store %s: run %d has no device %d", o.s.path, o.run, dev)
	}
	d := &o.Devices[dev]
	for i, k := range d.Keys {
		if k != key {
			continue
		}
		var data []byte
		err := o.s.db.QueryRowContext(ctx, "SELECT data FROM blobs WHERE hash = ?", d.hashes[i][:]).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, o.s.damaged(o.run, "output %s of %s is listed but not stored", key, d.Name)
		}
		if err != nil {
			return nil, o.s.wrap(fmt.Sprintf("read output %s of %s", key, d.Name), err)
		}
		text, err := gunzipBlob(data, d.hashes[i])
		if err != nil {
			return nil, o.s.damaged(o.run, "output %s of %s: %v", key, d.Name, err)
		}
		return text, nil
	}
	why := "not recorded"
	if !d.Recorded {
		why = "the run recorded no outputs of this device"
	}
	return nil, fmt.Errorf("%s/%s: %w (run %d: %s)", d.Name, key, fs.ErrNotExist, o.run, why)
}

// Reader returns a reader of the recorded outputs of the first device
// named host (collectors.Reader's shape), or nil when the run recorded
// none of its outputs.
func (o *RunOutputs) Reader(ctx context.Context, host string) func(key string) ([]byte, error) {
	for i, d := range o.Devices {
		if d.Name == host {
			if !d.Recorded {
				return nil
			}
			return func(key string) ([]byte, error) { return o.Read(ctx, i, key) }
		}
	}
	return nil
}
