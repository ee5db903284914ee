//go:build unix

package offline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kaudit/kaudit/facts"
)

// hangGuard is how long a read may block before the test calls it a hang.
// It is only a guard: the reads under test return at once or never.
const hangGuard = 30 * time.Second

// mkfifo makes a named pipe at path, and its directory.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
}

// noHang runs fn, failing the test instead of hanging when fn blocks.
// A writer then opens and closes fifo, which lets a reader blocked on
// it go, so the test binary can go on.
func noHang(t *testing.T, fifo string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(hangGuard):
		if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
		t.Fatalf("blocked on %s for %s", fifo, hangGuard)
	}
}

// TestFIFOIsRefused: a named pipe where an output is expected fails its
// own device with an error naming it, at once; the other device is read.
func TestFIFOIsRefused(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "inventory.yaml"), []byte("hosts:\n  sw-fifo: {platform: ios}\n  sw-good: {platform: ios}\n"))
	write(t, filepath.Join(dir, "sw-good", "show_running-config.txt"), []byte("hostname sw\n!\ninterface GigabitEthernet1/0/1\n!\nend\n"))
	fifo := filepath.Join(dir, "sw-fifo", "show_running-config.txt")
	mkfifo(t, fifo)
	inv, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var snap *facts.Snapshot
	noHang(t, fifo, func() { snap, err = Collect(context.Background(), dir, inv) })
	if err != nil {
		t.Fatal(err)
	}
	bad, good := snap.Devices[0], snap.Devices[1]
	if bad.Status != facts.StatusFailed || !strings.Contains(errs(bad), "sw-fifo/show_running-config.txt: not a regular file") {
		t.Errorf("sw-fifo: %s %s", bad.Status, errs(bad))
	}
	if good.Status != facts.StatusOK {
		t.Errorf("sw-good: %s %s", good.Status, errs(good))
	}
}

// TestFIFOInventoryIsRefused: Load refuses an inventory.yaml that is a
// named pipe instead of waiting for a writer.
func TestFIFOInventoryIsRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, InventoryFile)
	mkfifo(t, fifo)
	var err error
	noHang(t, fifo, func() { _, err = Load(dir) })
	if err == nil || !strings.Contains(err.Error(), fifo+": not a regular file") {
		t.Errorf("Load: %v", err)
	}
}

// TestReadOutputRefusesSpecialFiles: ReadOutput (kaudit check's candidate,
// kaudit parse's FILE) refuses a FIFO and a device without blocking or
// reading without end.
func TestReadOutputRefusesSpecialFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "candidate.cfg")
	mkfifo(t, fifo)
	for _, path := range []string{fifo, "/dev/zero"} {
		var err error
		noHang(t, fifo, func() { _, err = ReadOutput(path) })
		if err == nil || !strings.Contains(err.Error(), path+": not a regular file") {
			t.Errorf("%s: %v", path, err)
		}
	}
}
