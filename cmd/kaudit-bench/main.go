// Command kaudit-bench measures a live audit at scale: N simulated access
// switches (the 48-port switch of testdata/labs/case2-port-security-aging,
// about 780 config lines) on 127.0.0.1 with a fixed latency before every
// command's output, audited over SSH by W workers. It reports wall time,
// devices/s, the ratio to the ideal (N × per-device scripted latency ÷ W)
// and the process's peak RSS (simulator and auditor together; -sim-process
// moves the simulator to a child process to see the auditor's alone).
//
//	go run ./cmd/kaudit-bench -n 1000 -workers 200 -latency 50ms
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kaudit/kaudit/collectors"
	"github.com/kaudit/kaudit/collectors/live"
	"github.com/kaudit/kaudit/collectors/offline"
	"github.com/kaudit/kaudit/collectors/platform"
	"github.com/kaudit/kaudit/collectors/sshx"
	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/internal/devsim"
	"github.com/kaudit/kaudit/inventory"
)

func main() {
	n := flag.Int("n", 1000, "simulated switches")
	workers := flag.Int("workers", 200, "devices collected at once")
	latency := flag.Duration("latency", 50*time.Millisecond, "latency before each command's output")
	lab := flag.String("lab", "testdata/labs/case2-port-security-aging/sw-floor1", "saved outputs every simulated switch plays")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the audit to FILE")
	separate := flag.Bool("sim-process", false, "run the simulator in a child process, so peak RSS and the profile are the auditor's alone (on a small machine the two processes then pay for switching between them)")
	memprofile := flag.String("memprofile", "", "write a heap profile taken right after the audit to FILE")
	serve := flag.String("serve", "", "internal: serve the simulated switches and write their addresses to this file")
	flag.IntVar(&connectRate, "connect-rate", 0, "new connections per second (0: the collector's default; negative: unbounded)")
	flag.IntVar(&logins, "logins", 0, "logins in progress at once (0: the collector's default; negative: unbounded)")
	flag.BoolVar(&phases, "phases", false, "print the time to pass the connect-rate pacer and the login gate, to connect, to log in, per command and per device (mean and percentiles, from the collector's debug log)")
	flag.StringVar(&simProfile, "sim-cpuprofile", "", "write a CPU profile of the simulator child process to FILE")
	flag.Parse()
	if *serve != "" {
		if err := serveSim(*n, *latency, *lab, *serve, simProfile); err != nil {
			fmt.Fprintln(os.Stderr, "kaudit-bench: simulator:", err)
			os.Exit(1)
		}
		return
	}
	simProcess = *separate
	memProfile = *memprofile
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(*n, *workers, *latency, *lab); err != nil {
		fmt.Fprintln(os.Stderr, "kaudit-bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// memProfile is where to write a heap profile after the audit.
var memProfile string

// connectRate is live.Options.ConnectRate.
var connectRate int

// logins is live.Options.Logins.
var logins int

// phases prints where a device's time goes (see phaseLog).
var phases bool

// simProfile is where the simulator child writes its CPU profile.
var simProfile string

// simProcess runs the simulator in a child process (see -sim-process).
var simProcess bool

const benchPassword = "bench-secret"

// simHosts are the simulated switches: every one plays the same files,
// which the simulator reads once.
func simHosts(n int, latency time.Duration, lab string) []devsim.Host {
	cmds, _ := platform.Commands(facts.PlatformIOS)
	keys := map[string]string{}
	for _, c := range cmds {
		keys[c.CLI] = c.Key
	}
	hosts := make([]devsim.Host, n)
	for i := range hosts {
		hosts[i] = devsim.Host{Name: fmt.Sprintf("sw%04d", i), Platform: facts.PlatformIOS, Dir: lab,
			Username: "audit", Password: benchPassword, Latency: latency, Keys: keys}
	}
	return hosts
}

// serveSim is the child process: it serves the switches, writes
// "name port" lines and the known_hosts to files, and runs until killed.
func serveSim(n int, latency time.Duration, lab, out, profile string) error {
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	hosts := simHosts(n, latency, lab)
	srv, err := devsim.Start(context.Background(), hosts, devsim.Options{})
	if err != nil {
		return err
	}
	defer srv.Close()
	var b strings.Builder
	for _, h := range hosts {
		fmt.Fprintf(&b, "%s %s\n", h.Name, srv.Addr(h.Name))
	}
	if err := os.WriteFile(out+".kh", srv.KnownHosts(), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(out+".tmp", []byte(b.String()), 0o600); err != nil {
		return err
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		return err
	}
	// The parent ends the child with SIGTERM once the audit is done.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	<-sig
	pprof.StopCPUProfile()
	return nil
}

func run(n, workers int, latency time.Duration, lab string) error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "kaudit-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	pwFile := filepath.Join(tmp, "password")
	if err := os.WriteFile(pwFile, []byte(benchPassword), 0o600); err != nil {
		return err
	}
	hosts := simHosts(n, latency, lab)
	kh := filepath.Join(tmp, "known_hosts")
	addrs := map[string]string{}
	var commands func() int
	if simProcess {
		addrFile := filepath.Join(tmp, "addrs")
		child := exec.Command(os.Args[0], "-serve", addrFile, "-n", fmt.Sprint(n), "-latency", latency.String(), "-lab", lab, "-sim-cpuprofile", simProfile)
		child.Stderr = os.Stderr
		if err := child.Start(); err != nil {
			return err
		}
		var once sync.Once
		stopSim = func() {
			once.Do(func() {
				child.Process.Signal(syscall.SIGTERM)
				done := make(chan struct{})
				go func() { child.Wait(); close(done) }()
				select {
				case <-done:
				case <-time.After(10 * time.Second):
					child.Process.Kill()
					<-done
				}
			})
		}
		defer stopSim()
		deadline := time.Now().Add(60 * time.Second)
		for {
			// Bounded like every file kaudit reads.
			data, err := offline.ReadOutput(addrFile)
			if err == nil {
				for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
					if f := strings.Fields(line); len(f) == 2 {
						addrs[f[0]] = f[1]
					}
				}
				break
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("simulator addresses: %w", err)
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("simulator did not start within 60s")
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err := os.Rename(addrFile+".kh", kh); err != nil {
			return err
		}
		commands = func() int { return 0 }
	} else {
		// Goroutines inherit profiler labels: with -cpuprofile, the
		// simulator's samples (its SSH layer included) carry
		// side=simulator and the audit's side=auditor (pprof -tagfocus).
		pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels("side", "simulator")))
		srv, err := devsim.Start(ctx, hosts, devsim.Options{})
		pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels("side", "auditor")))
		if err != nil {
			return err
		}
		defer srv.Close()
		if err := os.WriteFile(kh, srv.KnownHosts(), 0o600); err != nil {
			return err
		}
		for _, h := range hosts {
			addrs[h.Name] = srv.Addr(h.Name)
		}
		commands = func() int { return len(srv.Commands(hosts[0].Name)) }
	}
	var b strings.Builder
	b.WriteString("hosts:\n")
	for _, h := range hosts {
		addr := addrs[h.Name]
		port := addr[strings.LastIndexByte(addr, ':')+1:]
		fmt.Fprintf(&b, "  %s: {platform: ios, address: 127.0.0.1, port: %s, username: audit, password: {file: %s}, known_hosts: %s}\n", h.Name, port, pwFile, kh)
	}
	inv, err := inventory.Parse("bench-inventory.yaml", []byte(b.String()))
	if err != nil {
		return err
	}
	runtime.GC()
	cpu0 := rusage(syscall.RUSAGE_SELF)
	start := time.Now()
	pl := &phaseLog{sums: map[string][]time.Duration{}}
	opt := live.Options{Workers: workers, KnownHostsFile: kh, ConnectRate: connectRate, Logins: logins}
	if phases {
		opt.Logger = slog.New(pl)
	}
	snap, err := live.Collect(ctx, inv, opt)
	wall := time.Since(start)
	cpu := rusage(syscall.RUSAGE_SELF).sub(cpu0)
	if err != nil {
		return err
	}
	if memProfile != "" {
		runtime.GC() // the profile shows what the snapshot keeps
		if f, err := os.Create(memProfile); err == nil {
			pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	failed := 0
	for _, d := range snap.Devices {
		if d.Status == facts.StatusFailed {
			failed++
			if failed <= 3 {
				fmt.Fprintf(os.Stderr, "failed: %s: %s\n", d.Name, d.Error)
			}
		}
	}
	// The commands a device is sent: counted by the in-process simulator,
	// else those the collector types (login and paging lines included).
	ncmd := commands()
	if ncmd == 0 {
		ncmd = commandsPerDevice()
	}
	perDevice := time.Duration(ncmd) * latency
	ideal := time.Duration(float64(perDevice) * float64(n) / float64(workers))
	fmt.Printf("devices            %d (%d failed)\n", n, failed)
	fmt.Printf("workers            %d\n", workers)
	fmt.Printf("commands/device    %d (%s scripted latency each)\n", ncmd, latency)
	fmt.Printf("simulator          %s\n", map[bool]string{true: "child process (RSS below is the auditor's alone)", false: "in this process"}[simProcess])
	fmt.Printf("wall time          %s\n", wall.Round(time.Millisecond))
	fmt.Printf("devices/s          %.1f\n", float64(n)/wall.Seconds())
	fmt.Printf("ideal              %s (N × %s ÷ workers)\n", ideal.Round(time.Millisecond), perDevice)
	fmt.Printf("ratio to ideal     %.2f\n", wall.Seconds()/ideal.Seconds())
	fmt.Printf("peak RSS           %d kB\n", rusage(syscall.RUSAGE_SELF).rss)
	who := "CPU, auditor"
	if !simProcess {
		who = "CPU, both" // the simulator's share: -cpuprofile, then pprof -tags
	}
	fmt.Printf("%-19s%.2fs user+system during the audit (%.2f ms/device); %s\n", who, cpu.cpu.Seconds(), cpu.cpu.Seconds()*1000/float64(n), cpu)
	if simProcess {
		// The child's CPU is known once it has exited: its whole life,
		// start-up (reading the lab, listening) included.
		stopSim()
		sim := rusage(syscall.RUSAGE_CHILDREN)
		fmt.Printf("CPU, simulator     %.2fs user+system, start-up included; %s; peak RSS %d kB\n", sim.cpu.Seconds(), sim, sim.rss)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("heap after audit   %d MiB in use, %d MiB from the OS; stacks %d MiB; %d GCs\n", ms.HeapInuse>>20, (ms.HeapSys-ms.HeapReleased)>>20, ms.StackSys>>20, ms.NumGC)
	fmt.Printf("runnable wait      %s (how long goroutines waited for a CPU, upper bucket bounds: median, 90th, 99th percentile)\n", schedLatency())
	if phases {
		pl.print()
	}
	if failed > 0 {
		return fmt.Errorf("%d devices failed", failed)
	}
	return nil
}

// commandsPerDevice is what a switch receives per audit, counted by the
// simulator when it runs in this process: the paging lines after login
// and the commands a live audit of IOS types.
func commandsPerDevice() int {
	cmds, _ := platform.Commands(facts.PlatformIOS)
	return len(sshx.PagingCommands(facts.PlatformIOS)) + len(collectors.Live(cmds))
}

// stopSim ends the simulator child process (a no-op in-process).
var stopSim = func() {}

// usage is what getrusage counts: CPU time, minor page faults and
// context switches (voluntary and not), which are costly on a VM, and the
// peak RSS in kB.
type usage struct {
	cpu              time.Duration
	faults, csw, rss int64
}

func (u usage) sub(v usage) usage {
	return usage{u.cpu - v.cpu, u.faults - v.faults, u.csw - v.csw, u.rss}
}

func (u usage) String() string {
	return fmt.Sprintf("%d page faults, %d context switches", u.faults, u.csw)
}

// schedLatency reads the runtime's histogram of how long goroutines were
// runnable before they ran: the queueing that a busy CPU adds to every
// hop of every round trip.
func schedLatency() string {
	m := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindFloat64Histogram {
		return "unknown"
	}
	h := m[0].Value.Float64Histogram()
	var total uint64
	for _, c := range h.Counts {
		total += c
	}
	q := func(p float64) string {
		want, seen := uint64(p*float64(total)), uint64(0)
		for i, c := range h.Counts {
			if seen += c; seen > want {
				if b := h.Buckets[i+1]; b < 3600 { // the last bucket is open-ended
					return time.Duration(b * 1e9).String()
				}
				return "over " + time.Duration(h.Buckets[i]*1e9).String()
			}
		}
		return "?"
	}
	return q(0.5) + ", " + q(0.9) + ", " + q(0.99)
}

// rusage is the usage of who (RUSAGE_SELF or RUSAGE_CHILDREN).
func rusage(who int) usage {
	var ru syscall.Rusage
	if syscall.Getrusage(who, &ru) != nil {
		return usage{}
	}
	return usage{time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Minflt, ru.Nvcsw + ru.Nivcsw, ru.Maxrss}
}

// phaseLog is a slog handler that averages the "elapsed" of the
// collector's debug messages: admitted (past the connect-rate pacer and
// the login gate), connected and logged in (since the device started),
// command done (each command), device done; with their percentiles, since
// a mean hides whether all devices are slower or a few very much so.
type phaseLog struct {
	mu   sync.Mutex
	sums map[string][]time.Duration
}

func (p *phaseLog) Enabled(context.Context, slog.Level) bool { return true }
func (p *phaseLog) WithAttrs([]slog.Attr) slog.Handler       { return p }
func (p *phaseLog) WithGroup(string) slog.Handler            { return p }

func (p *phaseLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "elapsed" {
			return true
		}
		d, ok := a.Value.Any().(time.Duration)
		if !ok {
			return false
		}
		p.mu.Lock()
		p.sums[r.Message] = append(p.sums[r.Message], d)
		p.mu.Unlock()
		return false
	})
	return nil
}

func (p *phaseLog) print() {
	for _, m := range []string{"admitted", "connected", "logged in", "command done", "device done"} {
		all := p.sums[m]
		if len(all) == 0 {
			continue
		}
		slices.Sort(all)
		var sum time.Duration
		for _, d := range all {
			sum += d
		}
		q := func(f float64) time.Duration {
			return all[int(f*float64(len(all)-1))].Round(100 * time.Microsecond)
		}
		fmt.Printf("%-13s mean %s, median %s, 90th %s, 99th %s, max %s (%d)\n", m,
			(sum / time.Duration(len(all))).Round(100*time.Microsecond), q(0.5), q(0.9), q(0.99), q(1), len(all))
	}
}
