package live

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kaudit/kaudit/collectors/sshx"
	"github.com/kaudit/kaudit/inventory"
)

// TestUnresolvedSecretStopsBeforeDialling: one host's password variable is
// unset: Collect returns the *sshx.SecretsError naming it, dials no
// device (not even the hosts whose secrets are fine) and writes nothing.
func TestUnresolvedSecretStopsBeforeDialling(t *testing.T) {
	t.Setenv("KAUDIT_LIVE_SET", "Lab-Pass-7c2e")
	t.Setenv("KAUDIT_LIVE_UNSET", "")
	os.Unsetenv("KAUDIT_LIVE_UNSET")
	inv, err := inventory.Parse("inventory.yaml", []byte(`
defaults: {platform: ios, address: 127.0.0.1, port: 1, username: netops, password: {env: KAUDIT_LIVE_SET}}
hosts:
  sw-good: {}
  sw-unset: {password: {env: KAUDIT_LIVE_UNSET}}
  sw-good2: {}
`))
	if err != nil {
		t.Fatal(err)
	}
	var dials atomic.Int32
	raw := filepath.Join(t.TempDir(), "raw")
	snap, err := Collect(context.Background(), inv, Options{
		SaveRaw: raw,
		Retries: 1,
		Dialer: func(context.Context, string, string) (net.Conn, error) {
			dials.Add(1)
			return nil, errors.New("no device here")
		},
	})
	var se *sshx.SecretsError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a *sshx.SecretsError", err)
	}
	if snap != nil {
		t.Errorf("a snapshot of %d devices", len(snap.Devices))
	}
	if n := dials.Load(); n != 0 {
		t.Errorf("%d dials before the secret check stopped the audit", n)
	}
	if !strings.Contains(err.Error(), "sw-unset: password: secret env:KAUDIT_LIVE_UNSET: environment variable is not set") || strings.Contains(err.Error(), "sw-good") {
		t.Errorf("error:\n%v", err)
	}
	if _, err := os.Stat(raw); !os.IsNotExist(err) {
		t.Errorf("--save-raw directory written: %v", err)
	}
}
