//go:build !race

package facts

// raceEnabled: see race_on_test.go.
const raceEnabled = false
