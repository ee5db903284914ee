// Command gencap writes the capture package's test captures, one large
// SIP/TCP capture for benchmarks, or captures that stress the analysis's
// memory: many SYN-only TCP flows, or a pcapng with many interfaces.
//
//	go run ./capture/internal/gencap -testdata capture/testdata
//	go run ./capture/internal/gencap -packets 1000000 -o /tmp/big.pcap
//	go run ./capture/internal/gencap -syn-flows 1000000 -sip-every 100 -o /tmp/syn.pcap
//	go run ./capture/internal/gencap -idbs 1000000 -o /tmp/idb.pcapng
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kaudit/kaudit/capture/internal/pcapgen"
)

type config struct {
	dir                      string
	packets, phones          int
	synFlows, sipEvery, idbs int
	ng                       bool
	out                      string
}

func main() {
	var c config
	flag.StringVar(&c.dir, "testdata", "", "write every scenario into this directory")
	flag.IntVar(&c.packets, "packets", 0, "write a large SIP/TCP capture with this many packets")
	flag.IntVar(&c.phones, "phones", 0, "phones in the large capture (default packets/500)")
	flag.IntVar(&c.synFlows, "syn-flows", 0, "write a capture of this many SYN-only TCP flows (to port 80)")
	flag.IntVar(&c.sipEvery, "sip-every", 0, "with -syn-flows: every n-th flow goes to port 5060")
	flag.IntVar(&c.idbs, "idbs", 0, "write a pcapng with this many interface description blocks and one packet")
	flag.BoolVar(&c.ng, "pcapng", false, "write the large or SYN capture as pcapng")
	flag.StringVar(&c.out, "o", "", "output file for -packets, -syn-flows or -idbs")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "gencap:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	format := pcapgen.PCAP
	if c.ng {
		format = pcapgen.PCAPNG
	}
	switch {
	case c.dir != "":
		for _, s := range pcapgen.Scenarios() {
			b, _, err := s.Build()
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(c.dir, s.Name), b, 0o644); err != nil {
				return err
			}
		}
		return nil
	case c.packets > 0 && c.out != "":
		var tr pcapgen.BigTruth
		err := writeFile(c.out, func(f *os.File) (err error) {
			tr, err = pcapgen.WriteBig(f, pcapgen.BigConfig{Packets: c.packets, Phones: c.phones, Format: format})
			return err
		})
		if err != nil {
			return err
		}
		fmt.Printf("%s: %d packets, %d bytes, %d TCP retransmissions, %d REGISTERs (%d with retransmitted copies)\n",
			c.out, tr.Packets, tr.Bytes, tr.TCPRetransmissions, tr.Registers, tr.RegisterCopies)
		return nil
	case c.synFlows > 0 && c.out != "":
		var n int
		err := writeFile(c.out, func(f *os.File) (err error) {
			n, err = pcapgen.WriteSYNFlood(f, pcapgen.SYNFloodConfig{Flows: c.synFlows, SIPEvery: c.sipEvery, Format: format})
			return err
		})
		if err == nil {
			fmt.Printf("%s: %d SYN-only flows\n", c.out, n)
		}
		return err
	case c.idbs > 0 && c.out != "":
		err := writeFile(c.out, func(f *os.File) error { return pcapgen.WriteIDBFlood(f, c.idbs) })
		if err == nil {
			fmt.Printf("%s: %d interface description blocks, 1 packet\n", c.out, c.idbs)
		}
		return err
	}
	flag.Usage()
	return fmt.Errorf("need -testdata DIR, or -packets, -syn-flows or -idbs N with -o FILE")
}

// writeFile creates path, lets write fill it and closes it.
func writeFile(path string, write func(*os.File) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
