package live

// --save-raw writes into a directory that may be shared, or planted with
// links, and kaudit may run as root. So nothing is written through a name
// that exists: a host's outputs go into a fresh directory made in DIR and
// renamed to DIR/<host>, inventory.yaml is a fresh file renamed into
// place. An earlier DIR/<host> is replaced only when kaudit wrote it
// (only regular files named after a command key), and then only those
// files are removed; a link or anything else is an error naming it and is
// left as it is. Every step goes through an os.Root of DIR, which never
// reaches outside DIR.

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/collectors/platform"
	"github.com/kaudit/kaudit/inventory"
)

// tmpPrefix starts the temporary names kaudit makes in DIR; a host name
// cannot start with a dot (inventory's name rule), so none is a host's.
const tmpPrefix = ".kaudit-"

// WriteInventory and WriteHost write a run recorded in the history back
// out (kaudit show --save-raw) exactly as --save-raw writes a live one,
// with the same care for what is already in dir.
func WriteInventory(dir string, inv *inventory.Inventory) error { return saveInventory(dir, inv) }

// WriteHost writes outs as dir/<host>/<key>.txt; see WriteInventory.
func WriteHost(dir, host string, outs map[string][]byte) error { return saveHost(dir, host, outs) }

// RemoveHost removes the outputs of host that an earlier run left in
// dir, for a device the run written has none of; see WriteInventory.
func RemoveHost(dir, host string) error { return removeHost(dir, host) }

// saveInventory writes the inventory of the run beside the outputs, so
// that offline replay sees the same hosts, roles and data.
func saveInventory(dir string, inv *inventory.Inventory) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save raw: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("save raw: %w", err)
	}
	defer root.Close()
	name := offline.InventoryFile
	switch st, err := root.Lstat(name); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("save raw: %w", err)
	case !st.Mode().IsRegular():
		return notOurs(filepath.Join(dir, name), st, "a file kaudit wrote")
	}
	data := inventory.Marshal(inv)
	tmp, err := fresh(tmpPrefix+"inventory-", func(n string) error { return writeNew(root, n, data) })
	if err != nil {
		return fmt.Errorf("save raw: %w", err)
	}
	// rename replaces the name itself: a link put there since the check
	// is replaced, never written through.
	if err := root.Rename(tmp, name); err != nil {
		root.Remove(tmp)
		return fmt.Errorf("save raw: %w", err)
	}
	return nil
}

// saveHost writes one device's outputs as DIR/<host>/<key>.txt, replacing
// the outputs of an earlier run whole, or replay would mix them with this
// run's.
func saveHost(dir, host string, outs map[string][]byte) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("save raw: %w", err)
	}
	defer root.Close()
	// Checked first, so that a directory that is not kaudit's costs no
	// writing; retire checks again.
	if _, err := ownFiles(root, dir, host); err != nil {
		return err
	}
	tmp, err := fresh(tmpPrefix+host+"-", func(n string) error { return root.Mkdir(n, 0o700) })
	if err != nil {
		return fmt.Errorf("save raw: %w", err)
	}
	written := make([]string, 0, len(outs))
	for key, out := range outs {
		name := key + ".txt"
		if err := writeNew(root, filepath.Join(tmp, name), out); err != nil {
			removeFiles(root, tmp, written)
			return fmt.Errorf("save raw: %w", err)
		}
		written = append(written, name)
	}
	if err := retire(root, dir, host); err != nil {
		removeFiles(root, tmp, written)
		return err
	}
	if err := root.Rename(tmp, host); err != nil {
		removeFiles(root, tmp, written)
		return fmt.Errorf("save raw: %w", err)
	}
	return nil
}

// removeHost removes the outputs an earlier run saved for host, so that
// they do not stand in for a device that failed this time.
func removeHost(dir, host string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("save raw: %w", err)
	}
	defer root.Close()
	return retire(root, dir, host)
}

// retire removes DIR/<host> if kaudit wrote it. It is renamed into a fresh
// directory first and checked again there, so what is removed is what was
// checked, whatever happens to the name DIR/<host> meanwhile.
func retire(root *os.Root, dir, host string) error {
	names, err := ownFiles(root, dir, host)
	if err != nil || names == nil {
		return err
	}
	aside, err := fresh(tmpPrefix+host+"-", func(n string) error { return root.Mkdir(n, 0o700) })
	if err != nil {
		return fmt.Errorf("save raw: %w", err)
	}
	old := filepath.Join(aside, host)
	if err := root.Rename(host, old); err != nil {
		root.Remove(aside)
		return fmt.Errorf("save raw: %w", err)
	}
	names, err = ownFiles(root, dir, old)
	if err != nil {
		// Changed between the two checks: put it back untouched.
		if rerr := root.Rename(old, host); rerr == nil {
			root.Remove(aside)
		}
		return err
	}
	removeFiles(root, old, names)
	// Not empty if a file could not be removed: the error names it.
	if err := root.Remove(aside); err != nil {
		return fmt.Errorf("save raw: earlier outputs of %s left in %s: %w", host, filepath.Join(dir, aside), err)
	}
	return nil
}

// ownFiles lists DIR/name when it is a directory kaudit wrote: only
// regular files named after a command key. It returns nil, nil when there
// is no such name, and an error naming what kaudit did not write.
func ownFiles(root *os.Root, dir, name string) ([]string, error) {
	st, err := root.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("save raw: %w", err)
	}
	if !st.IsDir() {
		return nil, notOurs(filepath.Join(dir, name), st, "a directory kaudit wrote")
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, fmt.Errorf("save raw: %w", err)
	}
	ents, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("save raw: %w", err)
	}
	known := outputFiles()
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if !e.Type().IsRegular() || !known[e.Name()] {
			return nil, fmt.Errorf("save raw: %s was not written by kaudit: %s left as it is",
				filepath.Join(dir, name, e.Name()), filepath.Join(dir, name))
		}
		names = append(names, e.Name())
	}
	return names, nil
}

// notOurs is the error for path, found to be st where kaudit writes want.
func notOurs(path string, st fs.FileInfo, want string) error {
	what := "a " + st.Mode().Type().String()
	switch m := st.Mode(); {
	case m&fs.ModeSymlink != 0:
		what = "a symbolic link"
	case m.IsRegular():
		what = "a regular file"
	case m.IsDir():
		what = "a directory"
	}
	return fmt.Errorf("save raw: %s is %s, not %s: left as it is", path, what, want)
}

// outputFiles is the set of file names kaudit saves, <key>.txt for every
// command of every platform and transport: a host's platform or
// transport may have changed since the directory was written.
var outputFiles = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, p := range platform.Names() {
		cmds, _ := platform.AllCommands(p)
		for _, c := range cmds {
			m[c.Key+".txt"] = true
		}
	}
	return m
})

// fresh makes a new entry of a directory with mk, under a name that is
// prefix and a random tail; mk must fail with fs.ErrExist when the name
// is taken, so that nothing there before is used.
func fresh(prefix string, mk func(name string) error) (string, error) {
	for range 100 {
		name := prefix + strconv.FormatUint(rand.Uint64(), 36)
		err := mk(name)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("no free name %s* after 100 tries", prefix)
}

// writeNew creates name with data. O_EXCL refuses any name that exists,
// a symbolic link included, so nothing is ever written through a link.
func writeNew(root *os.Root, name string, data []byte) error {
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		root.Remove(name)
	}
	return err
}

// removeFiles removes the named files of dir, then dir if it is empty:
// the files kaudit wrote there, never others.
func removeFiles(root *os.Root, dir string, names []string) {
	for _, n := range names {
		root.Remove(filepath.Join(dir, n))
	}
	root.Remove(dir)
}
