package devsim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// script logs into a simulated switch and runs the collector's command
// sequence, returning the bytes of output read.
func script(addr string, cfg *ssh.ClientConfig, name string, hold <-chan struct{}) (int, error) {
	c, err := ssh.Dial("tcp", addr, cfg)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		return 0, err
	}
	if err := sess.RequestPty("xterm", 24, 80, nil); err != nil {
		return 0, err
	}
	in, _ := sess.StdinPipe()
	out, _ := sess.StdoutPipe()
	if err := sess.Shell(); err != nil {
		return 0, err
	}
	prompt := []byte(name + "#")
	var buf []byte
	chunk := make([]byte, 8192)
	total := 0
	waitPrompt := func() error {
		buf = buf[:0]
		for !bytes.HasSuffix(buf, prompt) {
			n, err := out.Read(chunk)
			total += n
			buf = append(buf, chunk[:n]...)
			if len(buf) > 4096 {
				buf = append(buf[:0], buf[len(buf)-64:]...)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		return nil
	}
	if err := waitPrompt(); err != nil {
		return total, err
	}
	for _, cmd := range []string{"terminal length 0", "terminal width 511", "show running-config",
		"show mac address-table aging-time", "show port-security", "show cdp neighbors detail"} {
		if _, err := io.WriteString(in, cmd+"\n"); err != nil {
			return total, err
		}
		if err := waitPrompt(); err != nil {
			return total, err
		}
	}
	if hold != nil {
		<-hold
	}
	_, _ = io.WriteString(in, "exit\n")
	return total, sess.Wait()
}

func benchHosts(b *testing.B, n int, lat time.Duration) []Host {
	base := labHosts(b, nil)
	var sw Host
	for _, h := range base {
		if h.Name == "sw1" {
			sw = h
		}
	}
	hosts := make([]Host, n)
	for i := range hosts {
		h := sw
		h.Name = "sw" + strconv.Itoa(1000+i)
		h.EnablePassword = ""
		h.Latency = lat
		hosts[i] = h
	}
	return hosts
}

// BenchmarkConcurrentSessions runs 200 collector sessions at once against
// 200 simulated switches (50 ms per command) and reports the memory and
// goroutines each open connection costs, client and server together.
func BenchmarkConcurrentSessions(b *testing.B) {
	const conc = 200
	srv, err := Start(context.Background(), benchHosts(b, conc, 50*time.Millisecond), Options{Seed: testSeed})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	cfg := &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.Password(password)},
		HostKeyCallback: knownHostsCallback(b, srv), Timeout: 30 * time.Second}

	var heapPerConn, gorPerConn float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		g0 := runtime.NumGoroutine()

		hold := make(chan struct{})
		var ready, wg sync.WaitGroup
		errs := make(chan error, conc)
		for j, name := range srv.Hosts() {
			ready.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				h := make(chan struct{})
				go func() { ready.Done(); <-hold; close(h) }()
				_, err := script(srv.Addr(name), cfg, name, h)
				if err != nil {
					errs <- fmt.Errorf("session %d: %w", j, err)
				}
			}()
		}
		ready.Wait()
		// Let every session get through its commands before measuring.
		time.Sleep(8 * 50 * time.Millisecond)
		runtime.GC()
		var during runtime.MemStats
		runtime.ReadMemStats(&during)
		heapPerConn = float64(int64(during.HeapInuse)-int64(before.HeapInuse)) / conc / 1024
		gorPerConn = float64(runtime.NumGoroutine()-g0) / conc
		close(hold)
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
	b.ReportMetric(heapPerConn, "heapKB/conn")
	b.ReportMetric(gorPerConn, "goroutines/conn")
}

// BenchmarkFlood measures the full 100 MB Flood fault end to end.
func BenchmarkFlood(b *testing.B) {
	hosts := benchHosts(b, 1, 0)
	hosts[0].Faults.Flood = true
	srv, err := Start(context.Background(), hosts, Options{Seed: testSeed})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	cfg := &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.Password(password)},
		HostKeyCallback: knownHostsCallback(b, srv), Timeout: 30 * time.Second}
	name := srv.Hosts()[0]
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n, err := script(srv.Addr(name), cfg, name, nil)
		if err != nil {
			b.Fatal(err)
		}
		if n < DefaultFloodBytes {
			b.Fatalf("read %d bytes", n)
		}
		b.SetBytes(int64(n))
	}
}

// BenchmarkStart1000 starts and closes a 1,000-host lab, reporting what
// each idle host (listener, config, host key, accept goroutine) costs.
func BenchmarkStart1000(b *testing.B) {
	hosts := benchHosts(b, 1000, 0)
	var perHost float64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		srv, err := Start(context.Background(), hosts, Options{Seed: testSeed})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perHost = float64(int64(after.HeapInuse+after.StackInuse)-int64(before.HeapInuse+before.StackInuse)) / 1000 / 1024
		srv.Close()
	}
	b.ReportMetric(perHost, "KB/host")
}
