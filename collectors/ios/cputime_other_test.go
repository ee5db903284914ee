//go:build !unix

package ios

import "time"

func cpuTime() time.Duration { return 0 }
