package sshx

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func testKeys(t testing.TB, n int) []ssh.PublicKey {
	t.Helper()
	var keys []ssh.PublicKey
	for i := range n {
		seed := bytes.Repeat([]byte{byte(i + 1)}, ed25519.SeedSize)
		pub, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(seed).Public())
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, pub)
	}
	return keys
}

func khLine(hosts string, k ssh.PublicKey) string {
	return hosts + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
}

// sameAnswer asks x/crypto's callback and the index the same question.
func sameAnswer(t *testing.T, file, addr string, key ssh.PublicKey, idx ssh.HostKeyCallback) {
	t.Helper()
	ref, err := knownhosts.New(file)
	if err != nil {
		t.Fatal(err)
	}
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 22}
	want, got := ref(addr, remote, key), idx(addr, remote, key)
	if (want == nil) != (got == nil) {
		t.Fatalf("%s: x/crypto says %v, the index %v", addr, want, got)
	}
	if want == nil {
		return
	}
	var wk, gk *knownhosts.KeyError
	if !errors.As(want, &wk) || !errors.As(got, &gk) {
		t.Fatalf("%s: x/crypto %T, index %T", addr, want, got)
	}
	if len(wk.Want) != len(gk.Want) {
		t.Fatalf("%s: x/crypto lists %d keys, the index %d", addr, len(wk.Want), len(gk.Want))
	}
	for i := range wk.Want {
		w, g := wk.Want[i], gk.Want[i]
		if w.Filename != g.Filename || w.Line != g.Line || !bytes.Equal(w.Key.Marshal(), g.Key.Marshal()) {
			t.Errorf("%s: key %d is %s:%d, x/crypto says %s:%d", addr, i, g.Filename, g.Line, w.Filename, w.Line)
		}
	}
}

// TestIndexKnownHosts: on files of plain entries the index answers every
// question exactly as x/crypto's callback, and files it cannot index are
// left to x/crypto.
func TestIndexKnownHosts(t *testing.T) {
	k := testKeys(t, 4)
	dir := t.TempDir()
	file := filepath.Join(dir, "known_hosts")
	content := strings.Join([]string{
		"# kaudit test",
		"",
		khLine("sw1", k[0]),
		khLine("[127.0.0.1]:2201,sw2.example", k[1]),
		khLine("[127.0.0.1]:2201", k[2]), // a second key for the same address
		khLine("10.1.1.1", k[3]),
		khLine("[10.1.1.1]:22", k[0]),
	}, "\n") + "\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	idx, ok, err := indexKnownHosts(file)
	if err != nil || !ok {
		t.Fatalf("indexKnownHosts = %v, %v", ok, err)
	}
	for _, addr := range []string{"sw1:22", "127.0.0.1:2201", "sw2.example:22", "10.1.1.1:22", "unknown:22", "sw1:2222", "127.0.0.1:22"} {
		for i, key := range k {
			t.Run(fmt.Sprintf("%s/key%d", addr, i), func(t *testing.T) { sameAnswer(t, file, addr, key, idx) })
		}
	}
	for name, line := range map[string]string{
		"hashed":         "|1/1nGJpN5JyqDwQFOhg0bddI6LmcE=|uEkAz5yFnw8Ct1M5Tv0vB9eeg1k= " + strings.TrimPrefix(khLine("x", k[0]), "x "),
		"wildcard":       khLine("*.example", k[0]),
		"negation":       khLine("!sw9,sw*", k[0]),
		"revoked":        "@revoked " + khLine("sw1", k[0]),
		"cert-authority": "@cert-authority " + khLine("*", k[0]),
	} {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(khLine("sw1", k[1])+"\n"+line+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := indexKnownHosts(f); ok || err != nil {
			t.Errorf("%s: indexed (%v, %v), want it left to x/crypto", name, ok, err)
		}
	}
}

// FuzzIndexKnownHosts: whatever the file holds, the index either declines
// it or answers as x/crypto does for the hosts the file names.
func FuzzIndexKnownHosts(f *testing.F) {
	k := testKeys(f, 2)
	f.Add(khLine("sw1", k[0])+"\n"+khLine("[h]:2200,sw2", k[1]), "sw1:22")
	f.Add("# comment\n\n"+khLine("10.0.0.1", k[1]), "10.0.0.1:22")
	f.Add(khLine("[::1]:2222", k[0]), "[::1]:2222")
	f.Fuzz(func(t *testing.T, content, addr string) {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return
		}
		file := filepath.Join(t.TempDir(), "kh")
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := knownhosts.New(file); err != nil {
			return // x/crypto refuses the file; load reports that error
		}
		idx, ok, err := indexKnownHosts(file)
		if err != nil || !ok {
			return
		}
		for _, key := range k {
			sameAnswer(t, file, addr, key, idx)
		}
	})
}

// BenchmarkKnownHosts10k checks one host of a 10,000-entry known_hosts
// file, as each connection of a 10,000-device audit does.
func BenchmarkKnownHosts10k(b *testing.B) {
	k := testKeys(b, 1)[0]
	var sb strings.Builder
	for i := range 10000 {
		sb.WriteString(khLine(fmt.Sprintf("[127.0.0.1]:%d", 20000+i), k) + "\n")
	}
	file := filepath.Join(b.TempDir(), "known_hosts")
	if err := os.WriteFile(file, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	ref, err := knownhosts.New(file)
	if err != nil {
		b.Fatal(err)
	}
	idx, ok, err := indexKnownHosts(file)
	if err != nil || !ok {
		b.Fatal(ok, err)
	}
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 25000}
	for name, cb := range map[string]ssh.HostKeyCallback{"x-crypto": ref, "index": idx} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := cb("127.0.0.1:25000", remote, k); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
