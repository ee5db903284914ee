//go:build !unix

package store

import "time"

// cpuTime is not measured off unix; the benchmarks report 0.
func cpuTime() time.Duration { return 0 }
