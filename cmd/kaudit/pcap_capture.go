package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kaudit/kaudit/capture/live"
)

type pcapCaptureOpts struct {
	iface      string
	duration   time.Duration
	count      int
	filterHost string
	out        string
}

func newPcapCaptureCmd() *cobra.Command {
	var o pcapCaptureOpts
	cmd := &cobra.Command{
		Use:   "capture --iface IF --duration D -w FILE",
		Short: "Capture packets on a Linux interface to a pcap file (pure Go, needs root or CAP_NET_RAW)",
		Long: `capture records the packets of one Linux interface into a pcap file that
'kaudit pcap analyze', tcpdump and Wireshark read. It uses an AF_PACKET socket
directly (no libpcap) and stops after --duration, after --count packets, or on
Ctrl-C, whichever comes first; the file is complete in every case.
--filter-host keeps only IPv4 packets from or to one address and the ARP
packets naming it (tcpdump's "host ADDR"): take it at the phone with the call
manager's address, and again at the call manager, then compare them with
'kaudit pcap analyze PHONE.pcap --peer CM.pcap'.

Exit codes: 0 captured, 2 usage error or capture failure (no privilege, no
such interface).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPcapCapture(cmd.Context(), cmd.ErrOrStderr(), &o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.iface, "iface", "i", "", "interface to capture on (required)")
	f.DurationVar(&o.duration, "duration", 0, "stop after this long, e.g. 10m (required)")
	f.IntVarP(&o.count, "count", "c", live.DefaultCount, "stop after this many packets")
	f.StringVar(&o.filterHost, "filter-host", "", "keep only IPv4 packets from or to this address, and ARP naming it")
	f.StringVarP(&o.out, "write", "w", "", "pcap file to write (required)")
	return cmd
}

func runPcapCapture(ctx context.Context, stderr io.Writer, o *pcapCaptureOpts) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.iface == "" {
		return usageErr("--iface is required")
	}
	if o.duration <= 0 {
		return usageErr("--duration is required and must be positive")
	}
	if o.count <= 0 {
		return usageErr("--count must be positive, got %d", o.count)
	}
	if o.out == "" {
		return usageErr("-w FILE is required")
	}
	opts := live.Options{Interface: o.iface, Duration: o.duration, Count: o.count}
	if o.filterHost != "" {
		a, err := netip.ParseAddr(o.filterHost)
		if err != nil {
			return usageErr("--filter-host: %v", err)
		}
		opts.FilterHost = a
	}
	// Open before creating the file: no empty pcap is left behind when
	// the privilege or the interface is missing.
	h, err := live.Open(opts)
	if err != nil {
		if errors.Is(err, live.ErrPermission) {
			return usageErr("%v: run as root, or grant it with 'setcap cap_net_raw+ep $(command -v kaudit)'", err)
		}
		return usageErr("%v", err)
	}
	defer h.Close()
	f, err := os.Create(o.out)
	if err != nil {
		return usageErr("-w: %v", err)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	bw := bufio.NewWriterSize(f, 1<<16)
	st, runErr := h.Run(ctx, bw)
	if err := bw.Flush(); err != nil && runErr == nil {
		runErr = fmt.Errorf("write %s: %w", o.out, err)
	}
	if err := f.Close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("write %s: %w", o.out, err)
	}
	fmt.Fprintf(stderr, "kaudit: %d packets (%d bytes) captured on %s to %s, stopped by %s", st.Packets, st.Bytes, o.iface, o.out, st.Stopped)
	if st.KernelDrops > 0 {
		fmt.Fprintf(stderr, ", %d dropped by the kernel", st.KernelDrops)
	}
	fmt.Fprintln(stderr)
	if runErr != nil {
		return &exitError{code: 2, err: runErr}
	}
	return nil
}
