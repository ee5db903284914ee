package confirm

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kaudit/kaudit/capture/clidump"
	"github.com/kaudit/kaudit/collectors/sshx"
)

var epcCmds = (&Plan{Method: MethodEPC, Name: "KAUD0001"}).Commands()

// TestReadFetched: a dump with times keeps them; one without takes them
// from buffer brief; when brief fails too the times are synthetic and
// say why; a refusal where the dump should be is EPC not available.
func TestReadFetched(t *testing.T) {
	pkts := readPcap(t, "seed_case2.pcap")[:5]
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	xe17 := clidump.Render(clidump.EPCXE17, pkts, clidump.RenderOptions{})
	briefs := 0
	brief := func(out string, err error) func() ([]byte, error) {
		return func() ([]byte, error) { briefs++; return []byte(out), err }
	}
	gap := pkts[4].Time.Sub(pkts[0].Time)

	d, err := readFetched("sw1", epcCmds, RenderDump(FormatEPC, pkts, time.UTC), t0, brief("", errors.New("not asked")))
	if err != nil || d.noTimes != "" || briefs != 0 || d.Packets[4].Time.Sub(d.Packets[0].Time) != gap {
		t.Fatalf("summary layout: %v %q briefs %d", err, d.noTimes, briefs)
	}
	d, err = readFetched("sw1", epcCmds, xe17, t0, brief(string(clidump.RenderBrief(clidump.EPCXE17, pkts)), nil))
	if err != nil || d.noTimes != "" || briefs != 1 || d.Packets[4].Time.Sub(d.Packets[0].Time) != gap || !d.Packets[0].Time.Equal(t0) {
		t.Fatalf("IOS-XE 17 with brief: %v %q briefs %d", err, d.noTimes, briefs)
	}
	rejected := fmt.Errorf("%s: %w: %% Invalid input detected at '^' marker.", epcCmds.Brief, sshx.ErrRejected)
	d, err = readFetched("sw1", epcCmds, xe17, t0, brief("", rejected))
	if err != nil || !d.Synthetic() || !strings.Contains(d.noTimes, "prints no packet times (IOS-XE 17 EPC dump (hex rows only)) and show monitor capture KAUD0001 buffer brief gave none") {
		t.Fatalf("IOS-XE 17 without brief: %v %q", err, d.noTimes)
	}
	_, err = readFetched("sw1", epcCmds, []byte("% Packet capture is not available without a DNA Advantage license\n"), t0, nil)
	if !errors.Is(err, ErrEPCUnavailable) || !strings.Contains(err.Error(), "sw1: EPC not available") {
		t.Errorf("licence text: %v", err)
	}
	_, err = readFetched("sw1", epcCmds, []byte("0000  zz\n"), t0, nil)
	if err == nil || errors.Is(err, ErrEPCUnavailable) || !strings.Contains(err.Error(), "sw1: show monitor capture KAUD0001 buffer dump") {
		t.Errorf("garbage: %v", err)
	}
}

func TestEPCUnavailable(t *testing.T) {
	cli := "monitor capture KAUD0001 start"
	for _, tc := range []struct {
		out  string
		err  error
		want bool
	}{
		{"", fmt.Errorf("%s: %w: %% Invalid input detected at '^' marker.", cli, sshx.ErrRejected), true},
		{"Unable to activate Capture.", nil, true},
		{"% Capture is not Supported", nil, true},
		{"Started capture point : KAUD0001", nil, false},
		{"", nil, false},
		{"", sshx.ErrConnLost, false},
	} {
		err := epcUnavailable("sw1", cli, []byte(tc.out), tc.err)
		if got := errors.Is(err, ErrEPCUnavailable); got != tc.want {
			t.Errorf("%q %v: %v", tc.out, tc.err, err)
		}
	}
}

func FuzzReadFetched(f *testing.F) {
	pkts := readPcap(f, "seed_case2.pcap")[:3]
	f.Add(RenderDump(FormatEPC, pkts, time.UTC), []byte{})
	f.Add(clidump.Render(clidump.EPCXE17, pkts, clidump.RenderOptions{}), clidump.RenderBrief(clidump.EPCXE17, pkts))
	f.Add(clidump.Render(clidump.EPCXE16, pkts, clidump.RenderOptions{}), clidump.RenderBrief(clidump.EPCXE16, pkts))
	f.Fuzz(func(t *testing.T, dump, brief []byte) {
		d, err := readFetched("sw1", epcCmds, dump, time.Unix(0, 0), func() ([]byte, error) { return brief, nil })
		if err != nil {
			return
		}
		if len(d.Packets) == 0 || d.Synthetic() != (d.noTimes != "") {
			t.Fatalf("%d packets, synthetic %v, noTimes %q", len(d.Packets), d.Synthetic(), d.noTimes)
		}
	})
}
