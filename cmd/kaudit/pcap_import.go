package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kaudit/kaudit/capture/clidump"
)

type pcapImportOpts struct {
	from, out, start, brief string
}

func newPcapImportCmd() *cobra.Command {
	var o pcapImportOpts
	cmd := &cobra.Command{
		Use:   "import [--from epc|asa|auto] DUMP... -o FILE.pcap",
		Short: "Turn capture dumps printed by Cisco devices into a pcap",
		Long: `import reads the text of IOS-XE 'show monitor capture NAME buffer dump' (every
layout: Catalyst 16.x with a summary line per packet, IOS-XE 16 routers, IOS-XE
17, classic IOS 'show monitor capture buffer NAME dump') or ASA 'show capture
NAME dump', as devices print it or as it was pasted into a ticket, and writes
one pcap that Wireshark, tshark and 'kaudit pcap analyze' read. DUMP "-" is
standard input. Several dumps are written one after the other.

Times: the ASA prints the time of day (the date is --start's), Catalyst 16.x
seconds since the first packet (placed at --start), classic IOS date and time.
IOS-XE 16 routers and IOS-XE 17 print no time at all: give the output of 'show
monitor capture NAME buffer brief' with --brief, or the pcap gets synthetic
times (1 µs apart from 1970-01-01) and says so: keepalive timing cannot be
judged on such a file.

Exit codes: 0 written, 2 usage error or a dump that does not read (the error
names the file and line).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPcapImport(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.from, "from", clidump.FamilyAuto, "dump family: epc, asa or auto (detected from the text)")
	f.StringVarP(&o.out, "out", "o", "", "pcap file to write (required)")
	f.StringVar(&o.start, "start", "", "date (2006-01-02) or time (RFC 3339) of the capture: the date of ASA times of day, the first packet of Catalyst relative times (default: today, 00:00 UTC)")
	f.StringVar(&o.brief, "brief", "", "output of 'show monitor capture NAME buffer brief' for the one DUMP: its packet times, for layouts that print none")
	return cmd
}

func runPcapImport(stdin io.Reader, stdout, stderr io.Writer, dumps []string, o *pcapImportOpts) error {
	if o.out == "" {
		return usageErr("-o FILE.pcap is required")
	}
	if o.from != clidump.FamilyEPC && o.from != clidump.FamilyASA && o.from != clidump.FamilyAuto {
		return usageErr("--from %q: want epc, asa or auto", o.from)
	}
	if o.brief != "" && len(dumps) != 1 {
		return usageErr("--brief goes with exactly one DUMP")
	}
	start, err := importStart(o.start)
	if err != nil {
		return err
	}
	var pkts []clidump.Packet
	var b strings.Builder
	synthetic := false
	for _, name := range dumps {
		d, err := readDump(stdin, name, o, start)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s: %s, %d packets, times: %s\n", name, d.Layout.Describe(), len(d.Packets), timesText(d, start))
		for _, n := range d.Notes {
			fmt.Fprintf(&b, "  note: %s\n", n)
		}
		synthetic = synthetic || d.Synthetic()
		pkts = append(pkts, d.Packets...)
	}
	if synthetic {
		// One clock for the whole file: real times beside made-up ones
		// would read as a gap of decades.
		for i := range pkts {
			pkts[i].Time = clidump.SyntheticTime(i)
		}
	}
	var pc bytes.Buffer
	if err := clidump.WritePcap(&pc, pkts); err != nil {
		return err
	}
	if err := os.WriteFile(o.out, pc.Bytes(), 0o644); err != nil {
		return usageErr("-o: %v", err)
	}
	fmt.Fprintf(&b, "wrote %s: %d packets\n", o.out, len(pkts))
	if synthetic {
		warn := fmt.Sprintf("TIMES ARE SYNTHETIC: a dump holds no packet times, so the packets in %s are 1 µs apart from 1970-01-01 00:00:00 UTC; keepalive timing cannot be judged on it (give --brief with the output of 'show monitor capture NAME buffer brief')", o.out)
		fmt.Fprintf(&b, "%s\n", warn)
		fmt.Fprintf(stderr, "note: %s\n", warn)
	}
	_, err = io.WriteString(stdout, b.String())
	return err
}

// importStart reads --start; a bare date is midnight UTC.
func importStart(s string) (time.Time, error) {
	if s == "" {
		now := time.Now().UTC()
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, usageErr("--start %q: want a date (2006-01-02) or an RFC 3339 time", s)
	}
	return t, nil
}

// readDump parses one dump ("-" is stdin) and, with --brief, takes its
// packet times from buffer brief.
func readDump(stdin io.Reader, name string, o *pcapImportOpts, start time.Time) (*clidump.Dump, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		defer f.Close()
		r = f
	}
	d, err := clidump.Parse(r, o.from, clidump.Options{Name: name, Start: start})
	if err != nil {
		return nil, usageErr("%v", err)
	}
	if o.brief == "" {
		return d, nil
	}
	f, err := os.Open(o.brief)
	if err != nil {
		return nil, usageErr("--brief: %v", err)
	}
	defer f.Close()
	rows, err := clidump.ParseBrief(f, o.brief)
	if err != nil {
		return nil, usageErr("--brief: %v", err)
	}
	if err := clidump.ApplyBrief(d, rows, start); err != nil {
		return nil, usageErr("--brief %s: %v", o.brief, err)
	}
	return d, nil
}

func timesText(d *clidump.Dump, start time.Time) string {
	switch d.Timing {
	case clidump.TimingNone:
		return "NONE in this layout (synthetic times written)"
	case clidump.TimingRelative:
		return "relative to the first packet, placed at " + start.Format(time.RFC3339)
	case clidump.TimingTimeOfDay:
		return "time of day, on " + start.Format(time.DateOnly) + " (--start)"
	}
	return "date and time as printed"
}
