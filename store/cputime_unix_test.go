//go:build unix

package store

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process used so far: with other jobs on
// the machine, wall time alone says little.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
