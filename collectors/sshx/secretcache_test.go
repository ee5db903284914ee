package sshx

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/inventory"
)

// TestSecretCache: a password file is read once per cache, its failure
// too; environment variables and a nil cache are read every time.
func TestSecretCache(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "password")
	if err := os.WriteFile(pw, []byte("first-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := inventory.SecretRef{Kind: inventory.SecretFile, Ref: pw}
	var c SecretCache
	if v, err := c.resolve(file); err != nil || v != "first-secret" {
		t.Fatalf("first read: %q, %v", v, err)
	}
	if err := os.WriteFile(pw, []byte("second-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if v, err := c.resolve(file); err != nil || v != "first-secret" {
		t.Errorf("second host of the same audit: %q, %v; want the value read first", v, err)
	}
	var none *SecretCache
	if v, err := none.resolve(file); err != nil || v != "second-secret" {
		t.Errorf("without a cache: %q, %v", v, err)
	}

	missing := inventory.SecretRef{Kind: inventory.SecretFile, Ref: filepath.Join(dir, "absent")}
	_, err1 := c.resolve(missing)
	if err := os.WriteFile(missing.Ref, []byte("late\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err2 := c.resolve(missing); err1 == nil || err2 == nil || err1.Error() != err2.Error() {
		t.Errorf("a missing file: %v then %v; want the same error for every host", err1, err2)
	}

	env := inventory.SecretRef{Kind: inventory.SecretEnv, Ref: "KAUDIT_TEST_SECRET_CACHE"}
	t.Setenv(env.Ref, "one")
	c.resolve(env)
	t.Setenv(env.Ref, "two")
	if v, _ := c.resolve(env); v != "two" {
		t.Errorf("environment variable cached: %q", v)
	}
}

func TestSecretCachePrintsNoSecret(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "password")
	os.WriteFile(pw, []byte("canary-Pa55\n"), 0o600)
	c := &SecretCache{}
	c.resolve(inventory.SecretRef{Kind: inventory.SecretFile, Ref: pw})
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%+v", Config{Secrets: c})} {
		if strings.Contains(s, "canary-Pa55") {
			t.Errorf("printed: %s", s)
		}
	}
}
