package devsim

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scrapli/scrapligo/driver/options"
	scrapliplatform "github.com/scrapli/scrapligo/platform"
	"github.com/scrapli/scrapligo/transport"
)

// TestScrapligoIOSXE drives the simulated switch with the driver the
// collectors use: it must find the prompt, escalate with enable, turn
// paging off and read a paged-length output whole.
func TestScrapligoIOSXE(t *testing.T) {
	srv := startLab(t, Options{}, nil)
	kh := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(kh, srv.KnownHosts(), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(srv.Addr("sw1"))
	p, _ := strconv.Atoi(port)
	pl, err := scrapliplatform.NewPlatform("cisco_iosxe", host,
		options.WithTransportType(transport.StandardTransport),
		options.WithPort(p),
		options.WithAuthUsername(user),
		options.WithAuthPassword(password),
		options.WithAuthSecondary(enablePW),
		options.WithSSHKnownHostsFile(kh),
		options.WithTimeoutOps(waitFor),
		options.WithTimeoutSocket(waitFor),
	)
	if err != nil {
		t.Fatal(err)
	}
	d, err := pl.GetNetworkDriver()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Open(); err != nil {
		t.Fatalf("open: %v", err)
	}
	defer d.Close()

	for _, tc := range []struct{ cmd, key string }{
		{"show running-config", "show_running-config"},
		{"show mac address-table aging-time", "show_mac_address-table_aging-time"},
	} {
		r, err := d.SendCommand(tc.cmd)
		if err != nil {
			t.Fatalf("%s: %v", tc.cmd, err)
		}
		// scrapligo drops CRs and the blank edges of an output.
		want := strings.Trim(strings.ReplaceAll(wantBody(t, "sw1", tc.key), "\r", ""), "\n")
		if r.Failed != nil || r.Result != want {
			t.Errorf("%s: failed=%v\n got: %q\nwant: %q", tc.cmd, r.Failed, r.Result, want)
		}
	}
	r, err := d.SendCommand("show foo")
	if err != nil || r.Failed == nil {
		t.Errorf("invalid command not flagged as failed: err=%v result=%q", err, r.Result)
	}

	got := srv.Commands("sw1")
	want := []string{"enable", Redacted, "terminal width 512", "terminal length 0",
		"show running-config", "show mac address-table aging-time", "show foo"}
	if !slices.Equal(got, want) {
		t.Errorf("Commands = %q, want %q", got, want)
	}
}
