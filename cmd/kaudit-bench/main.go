// Command kaudit-bench measures a live audit at scale: N simulated access
// switches (the 48-port switch of testdata/labs/case2-port-security-aging,
// about 780 config lines) on 127.0.0.1 with a fixed latency before every
// command's output, audited over SSH by W workers. It reports wall time,
// devices/s, the ratio to the ideal (N × per-device scripted latency ÷ W)
// and the process's peak RSS (simulator and auditor together).
//
//	go run ./cmd/kaudit-bench -n 1000 -workers 200 -latency 50ms
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/kaudit/kaudit/collectors/live"
	"github.com/kaudit/kaudit/collectors/platform"
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
	flag.Parse()
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

func run(n, workers int, latency time.Duration, lab string) error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "kaudit-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	pw := "bench-secret"
	pwFile := filepath.Join(tmp, "password")
	if err := os.WriteFile(pwFile, []byte(pw), 0o600); err != nil {
		return err
	}
	cmds, _ := platform.Commands(facts.PlatformIOS)
	keys := map[string]string{}
	for _, c := range cmds {
		keys[c.CLI] = c.Key
	}
	hosts := make([]devsim.Host, n)
	for i := range hosts {
		// Every switch plays the same files: the simulator reads them once.
		hosts[i] = devsim.Host{Name: fmt.Sprintf("sw%04d", i), Platform: facts.PlatformIOS, Dir: lab,
			Username: "audit", Password: pw, Latency: latency, Keys: keys}
	}
	srv, err := devsim.Start(ctx, hosts, devsim.Options{})
	if err != nil {
		return err
	}
	defer srv.Close()
	kh := filepath.Join(tmp, "known_hosts")
	if err := os.WriteFile(kh, srv.KnownHosts(), 0o600); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("hosts:\n")
	for _, h := range hosts {
		port := srv.Addr(h.Name)[strings.LastIndexByte(srv.Addr(h.Name), ':')+1:]
		fmt.Fprintf(&b, "  %s: {platform: ios, address: 127.0.0.1, port: %s, username: audit, password: {file: %s}, known_hosts: %s}\n", h.Name, port, pwFile, kh)
	}
	inv, err := inventory.Parse("bench-inventory.yaml", []byte(b.String()))
	if err != nil {
		return err
	}
	runtime.GC()
	start := time.Now()
	snap, err := live.Collect(ctx, inv, live.Options{Workers: workers, KnownHostsFile: kh})
	wall := time.Since(start)
	if err != nil {
		return err
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
	perDevice := time.Duration(len(srv.Commands(hosts[0].Name))) * latency
	ideal := time.Duration(float64(perDevice) * float64(n) / float64(workers))
	fmt.Printf("devices            %d (%d failed)\n", n, failed)
	fmt.Printf("workers            %d\n", workers)
	fmt.Printf("commands/device    %d (%s scripted latency each)\n", len(srv.Commands(hosts[0].Name)), latency)
	fmt.Printf("wall time          %s\n", wall.Round(time.Millisecond))
	fmt.Printf("devices/s          %.1f\n", float64(n)/wall.Seconds())
	fmt.Printf("ideal              %s (N × %s ÷ workers)\n", ideal.Round(time.Millisecond), perDevice)
	fmt.Printf("ratio to ideal     %.2f\n", wall.Seconds()/ideal.Seconds())
	fmt.Printf("peak RSS           %s\n", peakRSS())
	if failed > 0 {
		return fmt.Errorf("%d devices failed", failed)
	}
	return nil
}

// peakRSS reads the process's high-water resident set size (Linux).
func peakRSS() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
	}
	return "unknown"
}
