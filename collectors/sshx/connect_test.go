package sshx

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/kaudit/kaudit/collectors/sshx/sshxtest"
	"github.com/kaudit/kaudit/inventory"
)

// countingDialer records the first-hop addresses dialled.
type countingDialer struct {
	mu    sync.Mutex
	addrs []string
}

func (d *countingDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.addrs = append(d.addrs, addr)
	d.mu.Unlock()
	var nd net.Dialer
	return nd.DialContext(ctx, network, addr)
}

func (d *countingDialer) list() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.addrs...)
}

func startJump(t *testing.T, c sshxtest.Config) *sshxtest.Server {
	t.Helper()
	s, err := sshxtest.Start(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// startAgent serves an in-process ssh-agent holding key on a unix socket
// and points SSH_AUTH_SOCK at it.
func startAgent(t *testing.T, key any) {
	t.Helper()
	kr := agent.NewKeyring()
	if err := kr.Add(agent.AddedKey{PrivateKey: key}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); agent.ServeAgent(kr, c) }()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
}

// TestJumpHost reaches a devsim switch through a jump host (a test SSH
// server that forwards direct-tcpip), in the ways the inventory allows:
// an inventory host with an encrypted key and a passphrase file, an
// inventory host using the ssh-agent, and [user@]host:port with the
// target's password. The first hop is the jump host, never the device;
// both host keys are checked.
func TestJumpHost(t *testing.T) {
	srv, kh := startDevsim(t, nil)
	jumpKey, _ := newSigner(t)
	userKey, userPriv := newSigner(t)
	js := startJump(t, sshxtest.Config{HostKey: jumpKey, Keys: []ssh.PublicKey{userKey.PublicKey()}, Password: testPass})
	appendKnown(t, kh, js.Addr(), jumpKey.PublicKey())

	dir := t.TempDir()
	const passphrase = "Key-Phrase-0e4c"
	block, err := ssh.MarshalPrivateKeyWithPassphrase(userPriv, "kaudit test", []byte(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "id_ed25519")
	passFile := filepath.Join(dir, "key.pass")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(passFile, []byte(passphrase+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	startAgent(t, userPriv)

	bastion := func(mod func(*inventory.Host)) *inventory.Host {
		h := &inventory.Host{Name: "bastion", Platform: "ios", Address: "127.0.0.1", Port: js.Port(),
			Username: "jumper", KnownHosts: kh, Timeout: wait}
		mod(h)
		return h
	}
	tests := []struct {
		name string
		jump string
		bast *inventory.Host
	}{
		{"inventory jump with encrypted key", "bastion", bastion(func(h *inventory.Host) {
			h.PrivateKey = keyFile
			h.Passphrase = inventory.SecretRef{Kind: inventory.SecretFile, Ref: passFile}
		})},
		{"inventory jump with ssh-agent", "bastion", bastion(func(h *inventory.Host) { h.SSHAgent = true })},
		{"user@host:port jump with the target's password", fmt.Sprintf("%s@127.0.0.1:%d", testUser, js.Port()), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := invHost(t, "sw1", "ios", srv.Addr("sw1"), kh)
			target.Jump = tc.jump
			inv := &inventory.Inventory{Hosts: []inventory.Host{*target}}
			if tc.bast != nil {
				inv.Hosts = []inventory.Host{*tc.bast, *target}
			}
			before := len(js.Forwarded())
			d := &countingDialer{}
			cfg := quickCfg()
			cfg.Dialer = d.dial
			c, err := Connect(context.Background(), inv, target, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			s, err := c.OpenSession(context.Background(), SessionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			out, err := s.Run(context.Background(), "show version", wait)
			if err != nil || !strings.Contains(string(out), "Cisco IOS Software") {
				t.Fatalf("show version through the jump: %v", err)
			}
			if got := d.list(); !slices.Equal(got, []string{js.Addr()}) {
				t.Errorf("first hops %v, want only the jump host %s", got, js.Addr())
			}
			if got := js.Forwarded()[before:]; !slices.Equal(got, []string{srv.Addr("sw1")}) {
				t.Errorf("jump forwarded %v, want %s", got, srv.Addr("sw1"))
			}
		})
	}

	t.Run("unknown jump host key", func(t *testing.T) {
		kh2 := filepath.Join(t.TempDir(), "known_hosts")
		if err := os.WriteFile(kh2, srv.KnownHosts(), 0o600); err != nil {
			t.Fatal(err)
		}
		target := invHost(t, "sw1", "ios", srv.Addr("sw1"), kh2)
		target.Jump = "bastion"
		b := bastion(func(h *inventory.Host) { h.SSHAgent = true; h.KnownHosts = kh2 })
		inv := &inventory.Inventory{Hosts: []inventory.Host{*b, *target}}
		d := &countingDialer{}
		cfg := quickCfg()
		cfg.Dialer = d.dial
		_, err := Connect(context.Background(), inv, target, cfg)
		if err == nil || !strings.HasPrefix(err.Error(), "jump bastion: unknown host key for [127.0.0.1]:") || !errors.Is(err, ErrHostKey) {
			t.Errorf("err %v, want the jump's unknown host key", err)
		}
		if len(d.list()) != 1 {
			t.Errorf("%d dials, want 1 (host key errors are not retried)", len(d.list()))
		}
	})

	t.Run("jump cannot reach the target", func(t *testing.T) {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := ln.Addr().String()
		ln.Close()
		target := invHost(t, "sw9", "ios", closed, kh)
		target.Jump = "bastion"
		inv := &inventory.Inventory{Hosts: []inventory.Host{*bastion(func(h *inventory.Host) { h.SSHAgent = true }), *target}}
		d := &countingDialer{}
		cfg := quickCfg()
		cfg.Dialer = d.dial
		_, err = Connect(context.Background(), inv, target, cfg)
		want := "connect " + closed + " via jump bastion: the jump host could not connect"
		if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "after 3 tries") {
			t.Errorf("err %v, want %q ... after 3 tries", err, want)
		}
		if len(d.list()) != 3 {
			t.Errorf("%d dials to the jump, want 3 (a refused forward is a connection error)", len(d.list()))
		}
	})
}

// TestKeyboardInteractive logs in to a server that offers only
// keyboard-interactive: the echoed question gets the user name, the
// hidden one the password.
func TestKeyboardInteractive(t *testing.T) {
	setCreds(t)
	hk, _ := newSigner(t)
	js := startJump(t, sshxtest.Config{HostKey: hk, User: testUser, Password: testPass, KeyboardInteractive: true})
	kh := filepath.Join(t.TempDir(), "known_hosts")
	appendKnown(t, kh, js.Addr(), hk.PublicKey())
	c, err := Connect(context.Background(), nil, invHost(t, "ki", "ios", js.Addr(), kh), quickCfg())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	a := js.Answers()
	if len(a) != 1 || len(a[0]) != 2 || a[0][0] != testUser || a[0][1] != testPass {
		t.Errorf("keyboard-interactive answers were not [user, password] (%d rounds)", len(a))
	}
}

// TestLegacyAlgorithms: a server that only speaks old algorithms is
// refused (not retried, with a hint) unless the host opts in.
func TestLegacyAlgorithms(t *testing.T) {
	setCreds(t)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := ssh.NewSignerFromKey(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	sha1Only, err := ssh.NewSignerWithAlgorithms(rs.(ssh.AlgorithmSigner), []string{ssh.KeyAlgoRSA})
	if err != nil {
		t.Fatal(err)
	}
	ed, _ := newSigner(t)
	tests := []struct {
		name string
		cfg  sshxtest.Config
	}{
		{"ssh-rsa host key, group14-sha1, aes128-cbc", sshxtest.Config{HostKey: sha1Only,
			KeyExchanges: []string{ssh.InsecureKeyExchangeDH14SHA1}, Ciphers: []string{ssh.InsecureCipherAES128CBC}}},
		{"group1-sha1, 3des-cbc", sshxtest.Config{HostKey: ed,
			KeyExchanges: []string{ssh.InsecureKeyExchangeDH1SHA1}, Ciphers: []string{ssh.InsecureCipherTripleDESCBC}}},
		{"sha1 kex only", sshxtest.Config{HostKey: ed, KeyExchanges: []string{ssh.InsecureKeyExchangeDH14SHA1}}},
		{"cbc only", sshxtest.Config{HostKey: ed, Ciphers: []string{ssh.InsecureCipherAES128CBC}}},
		{"ssh-rsa only", sshxtest.Config{HostKey: sha1Only}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Password, tc.cfg.User = testPass, testUser
			js := startJump(t, tc.cfg)
			kh := filepath.Join(t.TempDir(), "known_hosts")
			appendKnown(t, kh, js.Addr(), tc.cfg.HostKey.PublicKey())
			h := invHost(t, "old", "ios", js.Addr(), kh)
			d := &countingDialer{}
			cfg := quickCfg()
			cfg.Dialer = d.dial
			_, err := Connect(context.Background(), nil, h, cfg)
			if err == nil || !strings.Contains(err.Error(), "no common algorithm") || !strings.Contains(err.Error(), "legacy_algorithms: true") {
				t.Errorf("without legacy: %v", err)
			}
			if len(d.list()) != 1 {
				t.Errorf("without legacy: %d dials, want 1", len(d.list()))
			}
			h.LegacyAlgorithms = true
			c, err := Connect(context.Background(), nil, h, cfg)
			if err != nil {
				t.Fatalf("with legacy: %v", err)
			}
			c.Close()
		})
	}
}

// TestHostKeyTypeOnRecord: a server with an ECDSA and an Ed25519 key,
// of which known_hosts lists only the Ed25519 one, is asked for that one
// (x/crypto would otherwise prefer ECDSA and see a "changed" key).
func TestHostKeyTypeOnRecord(t *testing.T) {
	setCreds(t)
	ed, _ := newSigner(t)
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	es, err := ssh.NewSignerFromKey(ek)
	if err != nil {
		t.Fatal(err)
	}
	js := startJump(t, sshxtest.Config{HostKey: es, ExtraHostKeys: []ssh.Signer{ed}, Password: testPass})
	kh := filepath.Join(t.TempDir(), "known_hosts")
	appendKnown(t, kh, js.Addr(), ed.PublicKey())
	c, err := Connect(context.Background(), nil, invHost(t, "multi", "ios", js.Addr(), kh), quickCfg())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()

	got := hostKeyAlgorithms([]string{ssh.KeyAlgoRSA}, Algorithms(false).HostKeys)
	if got[0] != ssh.KeyAlgoRSASHA512 || got[1] != ssh.KeyAlgoRSASHA256 || slices.Contains(got, ssh.KeyAlgoRSA) {
		t.Errorf("RSA on record, no legacy: %v", got)
	}
	if got := hostKeyAlgorithms([]string{ssh.KeyAlgoRSA}, Algorithms(true).HostKeys); !slices.Contains(got[:3], ssh.KeyAlgoRSA) {
		t.Errorf("RSA on record, legacy: %v", got)
	}
}

// TestTrustOnFirstUseOnce: parallel first connections to one new host
// record its key once; another key for it afterwards is a mismatch.
func TestTrustOnFirstUseOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "deep", "known_hosts")
	hk := &hostKeys{file: file, acceptNew: true}
	key, _ := newSigner(t)
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2222}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- hk.callback()("127.0.0.1:2222", remote, key.PublicKey())
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != 1 || !strings.HasPrefix(string(data), "[127.0.0.1]:2222 ssh-ed25519 ") {
		t.Errorf("known_hosts after parallel first use:\n%s", data)
	}
	other, _ := newSigner(t)
	err = hk.callback()("127.0.0.1:2222", remote, other.PublicKey())
	var he *HostKeyError
	if !errors.As(err, &he) || !he.Changed || !strings.Contains(err.Error(), ssh.FingerprintSHA256(key.PublicKey())) ||
		!strings.Contains(err.Error(), ssh.FingerprintSHA256(other.PublicKey())) {
		t.Errorf("changed key: %v", err)
	}
	if after, _ := os.ReadFile(file); string(after) != string(data) {
		t.Error("a changed key was written to known_hosts")
	}
}
