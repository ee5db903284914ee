package offline

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/facts"
)

// DirReader reads the saved outputs of one host, DIR/<host>/<key>.txt of
// the offline layout, refusing files larger than a command can print.
// Only files inside DIR are read: a symbolic link is followed while it
// stays inside (and is relative); one leading out of DIR, as the output
// or as the host directory, is refused, so a planted link to /etc/shadow
// cannot get the file quoted into a report.
func DirReader(hostDir string) collectors.Reader {
	hostDir = filepath.Clean(hostDir)
	dir, host := filepath.Dir(hostDir), filepath.Base(hostDir)
	return func(key string) ([]byte, error) {
		return readInDir(dir, filepath.Join(host, key+".txt"))
	}
}

// readInDir is ReadOutput for DIR/name, never reading outside DIR.
func readInDir(dir, name string) ([]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	path := filepath.Join(dir, name)
	st, err := root.Stat(name)
	if err != nil {
		return nil, outsideErr(dir, path, err)
	}
	if err := regular(path, st); err != nil {
		return nil, err
	}
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, outsideErr(dir, path, err)
	}
	defer f.Close()
	return readOpened(path, f)
}

// statInDir is os.Stat of DIR/name, never following a link out of DIR.
func statInDir(dir, name string) (fs.FileInfo, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	st, err := root.Stat(name)
	if err != nil {
		return nil, outsideErr(dir, filepath.Join(dir, name), err)
	}
	return st, nil
}

// outsideErr turns err, from an os.Root of dir, into an error naming path
// and saying plainly when a link leads out of dir: the Root's own error
// ("path escapes from parent") has no exported sentinel, but a path the
// Root cannot reach and the plain file system can is that case. A
// missing file stays fs.ErrNotExist, which is a missing output.
func outsideErr(dir, path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if _, serr := os.Stat(path); serr == nil {
		return fmt.Errorf("%s: leads out of %s through a symbolic link: refused", path, dir)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// ReadOutput reads a saved output (or a proposed config) but refuses a
// file larger than a command can print, without reading it all into
// memory first, and anything that is not a regular file: a FIFO would
// block the audit until a writer came, a device like /dev/zero never ends.
func ReadOutput(path string) ([]byte, error) {
	// Stat first so that a FIFO or a device is not even opened (opening
	// some devices has effects); the open below checks again, as the path
	// may change in between.
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := regular(path, st); err != nil {
		return nil, err
	}
	// O_NONBLOCK: should a FIFO appear after the Stat, opening it does
	// not wait for a writer. Reads of a regular file ignore the flag.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpened(path, f)
}

// readOpened reads the whole of f, opened from path, if it is a regular
// file of at most facts.MaxOutputBytes.
func readOpened(path string, f *os.File) ([]byte, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := regular(path, st); err != nil {
		return nil, err
	}
	if st.Size() > facts.MaxOutputBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a command can print", path, st.Size(), facts.MaxOutputBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, facts.MaxOutputBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > facts.MaxOutputBytes {
		return nil, fmt.Errorf("%s: grew past %d bytes while reading", path, facts.MaxOutputBytes)
	}
	return data, nil
}

// regular refuses what is not a regular file, saying what it is.
func regular(path string, st fs.FileInfo) error {
	if st.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("%s: not a regular file (%s)", path, kind(st.Mode()))
}

// kind names a file type for an error message.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "mode " + m.String()
}
