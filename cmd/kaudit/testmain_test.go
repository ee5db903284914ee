package main

import (
	"os"
	"testing"
)

// TestMain points the default run history at a temporary directory, so the
// tests never write into the user's data dir.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kaudit-cmd-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_DATA_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
