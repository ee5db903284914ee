package sshx

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/kaudit/kaudit/collectors/cucm"
	"github.com/kaudit/kaudit/internal/devsim"
	"github.com/kaudit/kaudit/inventory"
)

const (
	testUser   = "netops"
	testPass   = "Sshx-Pass-31c9"
	testEnable = "Sshx-Enable-77d0"
	envPass    = "KAUDIT_SSHX_TEST_PASSWORD"
	envEnable  = "KAUDIT_SSHX_TEST_ENABLE"
	wait       = 10 * time.Second
)

// startDevsim serves testdata/lab (sw1, asa1, cucm1) on 127.0.0.1 and
// returns it with a known_hosts file for its keys.
func startDevsim(t *testing.T, mod func(h *devsim.Host)) (*devsim.Server, string) {
	t.Helper()
	setCreds(t)
	hosts, err := devsim.LoadHostsFromDir("testdata/lab", map[string]string{"sw1": "ios", "asa1": "asa", "cucm1": "cucm"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range hosts {
		h := &hosts[i]
		h.Username, h.Password = testUser, testPass
		if h.Platform == devsim.PlatformCUCM {
			h.Keys = map[string]string{cucm.CLIProcessConfig: cucm.KeyProcessConfig}
		} else {
			h.EnablePassword = testEnable
		}
		if mod != nil {
			mod(h)
		}
	}
	srv, err := devsim.Start(context.Background(), hosts, devsim.Options{Seed: []byte("sshx-test")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	kh := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(kh, srv.KnownHosts(), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, kh
}

func setCreds(t *testing.T) {
	t.Setenv(envPass, testPass)
	t.Setenv(envEnable, testEnable)
}

func splitAddr(t *testing.T, addr string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(p)
	return h, port
}

// invHost is an inventory host for a devsim (or test server) address.
func invHost(t *testing.T, name, platform, addr, knownHosts string) *inventory.Host {
	t.Helper()
	host, port := splitAddr(t, addr)
	h := &inventory.Host{
		Name: name, Platform: platform, Address: host, Port: port, Username: testUser,
		Password:   inventory.SecretRef{Kind: inventory.SecretEnv, Ref: envPass},
		KnownHosts: knownHosts, Timeout: wait, CommandTimeout: wait,
	}
	if platform != inventory.PlatformCUCM {
		h.Enable = inventory.SecretRef{Kind: inventory.SecretEnv, Ref: envEnable}
	}
	return h
}

func newSigner(t *testing.T) (ssh.Signer, ed25519.PrivateKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, priv
}

func appendKnown(t *testing.T, file, addr string, key ssh.PublicKey) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(knownhosts.Line([]string{addr}, key) + "\n"); err != nil {
		t.Fatal(err)
	}
}

func quickCfg() Config { return Config{Backoff: 10 * time.Millisecond} }
