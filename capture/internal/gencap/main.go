// Command gencap writes the capture package's test captures, or one large
// SIP/TCP capture for benchmarks.
//
//	go run ./capture/internal/gencap -testdata capture/testdata
//	go run ./capture/internal/gencap -packets 1000000 -o /tmp/big.pcap
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kaudit/kaudit/capture/internal/pcapgen"
)

func main() {
	dir := flag.String("testdata", "", "write every scenario into this directory")
	packets := flag.Int("packets", 0, "write a large SIP/TCP capture with this many packets")
	phones := flag.Int("phones", 0, "phones in the large capture (default packets/500)")
	ng := flag.Bool("pcapng", false, "write the large capture as pcapng")
	out := flag.String("o", "", "output file for -packets")
	flag.Parse()
	if err := run(*dir, *packets, *phones, *ng, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gencap:", err)
		os.Exit(1)
	}
}

func run(dir string, packets, phones int, ng bool, out string) error {
	switch {
	case dir != "":
		for _, s := range pcapgen.Scenarios() {
			b, _, err := s.Build()
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, s.Name), b, 0o644); err != nil {
				return err
			}
		}
		return nil
	case packets > 0 && out != "":
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		cfg := pcapgen.BigConfig{Packets: packets, Phones: phones}
		if ng {
			cfg.Format = pcapgen.PCAPNG
		}
		tr, err := pcapgen.WriteBig(f, cfg)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		fmt.Printf("%s: %d packets, %d bytes, %d TCP retransmissions, %d REGISTERs (%d with retransmitted copies)\n",
			out, tr.Packets, tr.Bytes, tr.TCPRetransmissions, tr.Registers, tr.RegisterCopies)
		return nil
	}
	flag.Usage()
	return fmt.Errorf("need -testdata DIR, or -packets N -o FILE")
}
