//go:build !unix

package main

import "testing"

// asOtherUser runs the CLI in-process: there is no root to drop here.
func asOtherUser(t *testing.T, dir string) func(t *testing.T, stdin string, args ...string) (int, string, string) {
	return kaudit
}
