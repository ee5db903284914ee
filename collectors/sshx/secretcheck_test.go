package sshx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaudit/kaudit/inventory"
)

// TestCheckSecrets: every reference a connection would resolve is
// resolved up front (host password, enable and passphrase; an inventory
// jump host's password), each failure names its hosts and reference,
// and no value is ever printed.
func TestCheckSecrets(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.pass")
	if err := os.WriteFile(good, []byte("canary-Pa55-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KAUDIT_CHECK_SET", "canary-Pa55-env")
	t.Setenv("KAUDIT_CHECK_UNSET", "") // restored after the test
	os.Unsetenv("KAUDIT_CHECK_UNSET")
	var hosts strings.Builder
	for i := 1; i <= 7; i++ {
		// seven hosts share the unset enable: five are named
		fmt.Fprintf(&hosts, "  sw%d: {enable: {env: KAUDIT_CHECK_UNSET}}\n", i)
	}
	src := `defaults:
  platform: ios
  password: {env: KAUDIT_CHECK_SET}
hosts:
` + hosts.String() + `  ok1: {password: {file: ` + good + `}}
  gw: {address: 198.18.0.1, jump: "", password: {file: ` + filepath.Join(dir, "missing.pass") + `}, enable: {env: KAUDIT_CHECK_UNSET}}
  behind: {jump: gw}
  keyed: {private_key: ` + filepath.Join(dir, "id") + `, passphrase: {file: ` + dir + `}}
`
	inv, err := inventory.Parse("inventory.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	// Only the selection is checked, with the jump hosts it goes through.
	sel, err := inventory.Filter(inv, "behind,keyed,sw*")
	if err != nil {
		t.Fatal(err)
	}
	err = CheckSecrets(sel, &SecretCache{})
	var se *SecretsError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a *SecretsError", err)
	}
	want := []string{
		"behind: jump gw password: secret file:" + filepath.Join(dir, "missing.pass") + ":",
		"keyed: passphrase: secret file:" + dir + ": not a regular file",
		"sw1, sw2, sw3, sw4, sw5 and 2 more: enable: secret env:KAUDIT_CHECK_UNSET: environment variable is not set",
	}
	if len(se.Problems) != len(want) {
		t.Fatalf("problems:\n%s", strings.Join(se.Problems, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(se.Problems[i], w) {
			t.Errorf("problem %d: %q, want it to start with %q", i, se.Problems[i], w)
		}
	}
	// gw's own enable is never used on the way to behind.
	if strings.Contains(err.Error(), "jump gw enable") || strings.Contains(err.Error(), "ok1") {
		t.Errorf("checked what no connection uses:\n%v", err)
	}
	if strings.Contains(err.Error(), "canary") {
		t.Errorf("a secret value in the error:\n%v", err)
	}

	ok, err := inventory.Filter(inv, "ok1")
	if err != nil {
		t.Fatal(err)
	}
	cache := &SecretCache{}
	if err := CheckSecrets(ok, cache); err != nil {
		t.Fatalf("resolvable secrets: %v", err)
	}
	// The connection gets the value read by the check, not a second read.
	os.WriteFile(good, []byte("changed\n"), 0o600)
	if v, _ := cache.resolve(ok.Hosts[0].Password); v != "canary-Pa55-file" {
		t.Errorf("connection would read %q", v)
	}
}
