package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/kaudit/kaudit/collectors/live"
)

// progress draws a one-line progress bar on a terminal: devices done and
// failed, and an ETA from the rate so far. It draws nothing on a pipe or
// in CI, where the report is what matters.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	started time.Time
	done    int
	failed  int
	total   int
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || os.Getenv("CI") != "" {
		return nil
	}
	return &progress{w: w, started: time.Now()}
}

func (p *progress) event(e live.Event) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = e.Total
	switch e.Kind {
	case live.DeviceDone:
		p.done++
	case live.DeviceFailed:
		p.done++
		p.failed++
	default:
		return
	}
	const width = 30
	fill := 0
	if p.total > 0 {
		fill = width * p.done / p.total
	}
	eta := "?"
	if p.done > 0 && p.done < p.total {
		per := time.Since(p.started) / time.Duration(p.done)
		eta = (per * time.Duration(p.total-p.done)).Round(time.Second).String()
	} else if p.done == p.total {
		eta = "0s"
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d devices, %d failed, ETA %s ", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), p.done, p.total, p.failed, eta)
}

// finish ends the progress line.
func (p *progress) finish() {
	if p == nil {
		return
	}
	fmt.Fprintln(p.w)
}
