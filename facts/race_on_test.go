//go:build race

package facts

// raceEnabled: the race detector's instrumentation allocates on its own
// (unique.Make among others), so allocation counts are not the code's.
const raceEnabled = true
