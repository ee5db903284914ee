package main

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestAuditUnresolvedSecret: a secret reference that cannot be resolved
// (an unset variable, a password file that does not exist) fails the
// whole audit up front as a usage error naming the hosts, before any
// device is dialled: the listener standing in for the devices on
// 127.0.0.1 sees no connection at all.
func TestAuditUnresolvedSecret(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int32
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	defer func() { ln.Close(); wg.Wait() }()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)

	dir := t.TempDir()
	t.Setenv("KAUDIT_CMD_TEST_PASSWORD", "canary-Pa55-ok")
	t.Setenv("KAUDIT_CMD_TEST_UNSET", "")
	os.Unsetenv("KAUDIT_CMD_TEST_UNSET")
	inv := filepath.Join(dir, "inventory.yaml")
	os.WriteFile(inv, []byte(`defaults:
  address: 127.0.0.1
  port: `+port+`
  username: netops
  password: {env: KAUDIT_CMD_TEST_PASSWORD}
  timeout: 2s
hosts:
  sw-ok: {platform: ios}
  sw-unset: {platform: ios, enable: {env: KAUDIT_CMD_TEST_UNSET}}
  cucm-nofile: {platform: cucm, password: {file: absent.pass}}
`), 0o600)
	raw := filepath.Join(dir, "raw")
	code, out, errOut := kaudit(t, "", "audit", "-i", inv, "--no-store", "--retries", "1", "--known-hosts", filepath.Join(dir, "known_hosts"), "--save-raw", raw)
	if code != 2 {
		t.Errorf("exit %d, want 2 (usage)\nstdout: %.300s\nstderr: %s", code, out, errOut)
	}
	for _, want := range []string{
		"sw-unset: enable: secret env:KAUDIT_CMD_TEST_UNSET: environment variable is not set",
		"cucm-nofile: password: secret file:" + filepath.Join(dir, "absent.pass"),
		"nothing was contacted",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr does not say %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "canary") || strings.Contains(out, "canary") {
		t.Errorf("a secret value in the output:\n%s%s", out, errOut)
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("%d connections to the devices' address before the audit stopped", n)
	}
	if _, err := os.Stat(raw); !os.IsNotExist(err) {
		t.Errorf("--save-raw written: %v", err)
	}
}
