package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/rules"
)

// helperEnv selects the child process role of TestHelperWriter:
// "writer:PATH" saves runs in a loop until killed; "hold:PATH" takes the
// write lock and keeps it until its stdin closes.
const helperEnv = "KAUDIT_STORE_HELPER"

// TestHelperWriter is not a test: it is the child process the crash and
// lock tests start (the test binary re-executed).
func TestHelperWriter(t *testing.T) {
	role, path, ok := strings.Cut(os.Getenv(helperEnv), ":")
	if !ok {
		t.Skip("helper process only")
	}
	ctx := context.Background()
	s, err := Open(ctx, path, Options{LockTimeout: 20 * time.Second})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	switch role {
	case "hold":
		unlock, err := s.lockWrite(ctx)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("locked")
		io.Copy(io.Discard, os.Stdin)
		unlock()
		os.Exit(0)
	case "writer":
		runWriter(ctx, s)
	}
	os.Exit(2)
}

// runWriter saves runs of varying size and content forever, printing
// "begin" before and "committed ID DEVICES FINDINGS SNAPDEVICES" after
// each, so the parent knows what must have survived.
func runWriter(ctx context.Context, s *Store) {
	seed, _ := strconv.ParseUint(os.Getenv(helperEnv+"_SEED"), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 7))
	rec, base := synthRun(80, 7)
	for i := 0; ; i++ {
		// New content in a third of the devices each run, so each run
		// writes megabytes of new blobs and a kill lands mid-write.
		for _, d := range base.Devices {
			if rng.IntN(3) == 0 {
				d.Tags = []string{fmt.Sprintf("seed-%d-run-%d", seed, i)}
			}
		}
		n := 20 + rng.IntN(len(base.Devices)-20)
		snap := &facts.Snapshot{Devices: base.Devices[:n]}
		r := rec
		r.Devices = rec.Devices[:n]
		r.Findings = nil
		for _, f := range rec.Findings {
			if snap.Device(f.Device) != nil && rng.IntN(4) != 0 {
				r.Findings = append(r.Findings, f)
			}
		}
		fmt.Println("begin")
		id, err := s.SaveRun(ctx, r, snap)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("committed", id, len(r.Devices), len(r.Findings), len(snap.Devices))
	}
}

type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
}

func startHelper(t *testing.T, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: in, lines: make(chan string, 1000)}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	return c
}

// await waits for the child's next line starting with prefix, failing
// the test on an error line, an early exit or a timeout.
func (c *child) await(t *testing.T, prefix string) {
	t.Helper()
	c.awaitAll(t, prefix)
}

// awaitAll is await returning every line read, the awaited one last.
func (c *child) awaitAll(t *testing.T, prefix string) []string {
	t.Helper()
	timeout := time.After(60 * time.Second)
	var lines []string
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				t.Fatalf("helper exited before printing %q", prefix)
			}
			if strings.HasPrefix(l, "error") {
				t.Fatalf("helper: %s", l)
			}
			lines = append(lines, l)
			if strings.HasPrefix(l, prefix) {
				return lines
			}
		case <-timeout:
			t.Fatalf("helper did not print %q within 60s", prefix)
		}
	}
}

type committed struct{ id, devices, findings, snapDevices int64 }

// TestCrashMidWrite kills a writing process at random moments and checks
// that the store stays sound and every committed run stays whole.
func TestCrashMidWrite(t *testing.T) {
	t.Parallel() // mostly waiting on the child; overlap it with the rest
	if testing.Short() {
		t.Skip("short")
	}
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL test")
	}
	ctx := context.Background()
	path := t.TempDir() + "/history.db"
	rng := rand.New(rand.NewPCG(11, 12))
	var runs []committed
	midWrite := 0
	const iterations = 20
	for i := range iterations {
		c := startHelper(t, helperEnv+"=writer:"+path, fmt.Sprintf("%s_SEED=%d", helperEnv, i))
		// Let it commit a run or two first (the first run of a fresh store
		// is the slowest, and kills must also land in later ones).
		var seen []string
		for range 1 + i%3 {
			seen = append(seen, c.awaitAll(t, "begin")...)
		}
		time.Sleep(time.Duration(50+rng.IntN(251)) * time.Millisecond)
		if err := c.cmd.Process.Kill(); err != nil { // SIGKILL: no cleanup at all
			t.Fatal(err)
		}
		c.cmd.Wait()
		for l := range c.lines {
			seen = append(seen, l)
		}
		last := ""
		for _, l := range seen {
			if strings.HasPrefix(l, "error") {
				t.Fatalf("writer %d: %s", i, l)
			}
			last = l
			if r, ok := strings.CutPrefix(l, "committed "); ok {
				var cm committed
				if _, err := fmt.Sscan(r, &cm.id, &cm.devices, &cm.findings, &cm.snapDevices); err != nil {
					t.Fatalf("writer line %q: %v", l, err)
				}
				runs = append(runs, cm)
			}
		}
		if last == "begin" {
			midWrite++
		}
	}
	t.Logf("%d kills, %d during SaveRun, %d runs reported committed", iterations, midWrite, len(runs))
	if midWrite < iterations/4 {
		t.Fatalf("only %d of %d kills landed during a write: the test proves little", midWrite, iterations)
	}
	if len(runs) == 0 {
		t.Fatal("no run was ever committed")
	}

	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var check string
	if err := s.db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	if n := count(t, s, "SELECT count(*) FROM pragma_foreign_key_check"); n != 0 {
		t.Fatalf("%d dangling references", n)
	}
	sums, err := s.Runs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Every run in the store is whole (Run and Snapshot check the counts
	// written in the run's transaction), and every run a writer saw
	// committed is there with its counts.
	byID := map[int64]RunSummary{}
	for _, sum := range sums {
		byID[sum.ID] = sum
		rec, err := s.Run(ctx, sum.ID)
		if err != nil {
			t.Fatalf("run %d: %v", sum.ID, err)
		}
		if len(rec.Devices) != sum.Devices || len(rec.Findings) != sum.Findings {
			t.Fatalf("run %d: %d devices, %d findings; summary says %d, %d", sum.ID, len(rec.Devices), len(rec.Findings), sum.Devices, sum.Findings)
		}
		if _, err := s.Snapshot(ctx, sum.ID); err != nil {
			t.Fatalf("run %d: %v", sum.ID, err)
		}
	}
	for _, cm := range runs {
		sum, ok := byID[cm.id]
		if !ok {
			t.Fatalf("committed run %d is gone", cm.id)
		}
		snap, _ := s.Snapshot(ctx, cm.id)
		if int64(sum.Devices) != cm.devices || int64(sum.Findings) != cm.findings || int64(len(snap.Devices)) != cm.snapDevices {
			t.Fatalf("run %d: stored %d devices, %d findings, %d facts; writer saved %d, %d, %d",
				cm.id, sum.Devices, sum.Findings, len(snap.Devices), cm.devices, cm.findings, cm.snapDevices)
		}
	}
	// The store still takes runs, with a higher id.
	rec, snap := labRun(t, "clean")
	id, err := s.SaveRun(ctx, rec, snap)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) > 0 && id <= sums[0].ID {
		t.Fatalf("new run id %d not above %d", id, sums[0].ID)
	}
}

func TestLockAcrossProcesses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("flock")
	}
	ctx := context.Background()
	s, path := openTemp(t, Options{LockTimeout: 150 * time.Millisecond})
	rec, snap := labRun(t, "clean")

	c := startHelper(t, helperEnv+"=hold:"+path)
	c.await(t, "locked")
	start := time.Now()
	_, err := s.SaveRun(ctx, rec, snap)
	want := fmt.Sprintf("store %s is in use by another kaudit run (pid %d) — waited 150ms", path, c.cmd.Process.Pid)
	var be *BusyError
	if err == nil || err.Error() != want || !errors.Is(err, ErrBusy) || !errors.As(err, &be) {
		t.Fatalf("SaveRun while another process writes: %v\nwant: %s", err, want)
	}
	if waited := time.Since(start); waited < 150*time.Millisecond {
		t.Errorf("gave up after %v, before the lock timeout", waited)
	}
	if n := count(t, s, "SELECT count(*) FROM runs"); n != 0 {
		t.Fatalf("%d runs written without the lock", n)
	}

	// A patient run waits for the other process and then succeeds.
	patient, err := Open(ctx, path, Options{LockTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer patient.Close()
	done := make(chan error, 1)
	go func() {
		_, err := patient.SaveRun(ctx, rec, snap)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("SaveRun did not wait for the lock holder: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	c.stdin.Close() // the holder releases and exits
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("SaveRun after the holder released: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("SaveRun still waiting after the holder released")
	}
	if n := count(t, s, "SELECT count(*) FROM runs"); n != 1 {
		t.Fatalf("%d runs, want 1", n)
	}
}

// TestConcurrentWriters: several stores on one file (as separate runs
// would open it) and goroutines sharing one store all get their runs in,
// one at a time, with distinct ids.
func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	a, path := openTemp(t, Options{})
	b, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	recs := []struct {
		rec  RunRecord
		snap *facts.Snapshot
	}{}
	for _, lab := range []string{"case1-proxy-arp", "case2-port-security-aging", "clean"} {
		r, s := labRun(t, lab)
		recs = append(recs, struct {
			rec  RunRecord
			snap *facts.Snapshot
		}{r, s})
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	saved := map[int64]int{} // id → which record
	for i, st := range []*Store{a, b, a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := i % len(recs)
			id, err := st.SaveRun(ctx, recs[k].rec, recs[k].snap)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			saved[id] = k
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(saved) != 6 {
		t.Fatalf("%d distinct run ids for 6 runs", len(saved))
	}
	for id, k := range saved {
		got, err := b.Run(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := mustJSON(t, got.Findings), mustJSON(t, recs[k].rec.Findings); g != w {
			t.Errorf("run %d holds another run's findings", id)
		}
	}
}

// TestLockTimeoutInProcess: a writer that cannot get the lock in time
// fails with the documented message and leaves the store untouched.
func TestLockTimeoutInProcess(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no lock file off unix: two stores in one process only meet in SQLite's busy handler")
	}
	ctx := context.Background()
	holder, path := openTemp(t, Options{})
	tests := []struct {
		name    string
		timeout time.Duration
		hold    time.Duration
		wantErr string
	}{
		{"waits then succeeds", 10 * time.Second, 300 * time.Millisecond, ""},
		{"tiny timeout fails", time.Millisecond, 300 * time.Millisecond, fmt.Sprintf("store %s is in use by another kaudit run (pid %d) — waited 1ms", path, os.Getpid())},
		{"no wait at all", -1, 300 * time.Millisecond, fmt.Sprintf("store %s is in use by another kaudit run (pid %d) — waited 0s", path, os.Getpid())},
	}
	rec, snap := labRun(t, "clean")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx, path, Options{LockTimeout: tt.timeout})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			unlock, err := holder.lockWrite(ctx)
			if err != nil {
				t.Fatal(err)
			}
			released := time.Now().Add(tt.hold)
			go func() { time.Sleep(tt.hold); unlock() }()
			before := count(t, s, "SELECT count(*) FROM runs")
			_, err = s.SaveRun(ctx, rec, snap)
			after := count(t, s, "SELECT count(*) FROM runs")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if time.Now().Before(released) {
					t.Error("wrote while the lock was held")
				}
				if after != before+1 {
					t.Errorf("runs %d → %d", before, after)
				}
			} else {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("err = %v\nwant  %s", err, tt.wantErr)
				}
				if after != before {
					t.Errorf("a refused run was written")
				}
			}
			time.Sleep(time.Until(released) + 20*time.Millisecond)
		})
	}
	// Cancelling the context ends the wait early: with the context's
	// error, and before the lock timeout would have (a schedule, not a
	// speed: the timeout gives a loaded machine a minute).
	unlock, err := holder.lockWrite(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	const lockTimeout = time.Minute
	s, err := Open(ctx, path, Options{LockTimeout: lockTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := s.SaveRun(cctx, rec, snap); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) >= lockTimeout {
		t.Errorf("cancelled wait: %v after %v", err, time.Since(start))
	}
}

func TestFindingsUseRulesOrder(t *testing.T) {
	// planRun relies on rules.Compare being the order Run restores;
	// check it on a mixed set that rules.Sort must reorder.
	fs := []rules.Finding{
		{Rule: "b", Severity: rules.Info, Device: "sw1", Object: "Gi1/0/12"},
		{Rule: "a", Severity: rules.Critical, Device: "sw2", Object: "x"},
		{Rule: "b", Severity: rules.Info, Device: "sw1", Object: "Gi1/0/2"},
	}
	p, err := planRun(&RunRecord{Findings: fs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.order == nil {
		t.Fatal("unsorted findings stored without their order")
	}
	rules.Sort(fs)
	if p, _ := planRun(&RunRecord{Findings: fs}, nil); p.order != nil {
		t.Fatalf("sorted findings stored with an order %v", p.order)
	}
}
