// Command analyzecmd runs the capture analysis on files and prints the
// counts the tests compare with tshark (or the full report with -text,
// -md or -json, every keepalive listed):
//
//	go run ./capture/internal/analyzecmd /tmp/big.pcap
//
// Benchmark the built `kaudit pcap analyze` instead (see
// BenchmarkAnalyze): it is what users run, with its output formats.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/kaudit/kaudit/capture"
)

func main() {
	text := flag.Bool("text", false, "print the text report")
	md := flag.Bool("md", false, "print the Markdown report")
	js := flag.Bool("json", false, "print the analysis as JSON")
	pair := flag.Bool("pair", false, "analyse two files as phone side and call-manager side")
	svg := flag.String("svg", "", "write the first timeline as SVG to this file")
	flag.Parse()
	ctx := context.Background()
	var an *capture.Analysis
	var err error
	if *pair && flag.NArg() == 2 {
		an, err = capture.AnalyzePair(ctx, flag.Arg(0), flag.Arg(1), capture.Options{})
	} else if flag.NArg() == 1 {
		an, err = capture.Analyze(ctx, flag.Arg(0), capture.Options{})
	} else {
		fmt.Fprintln(os.Stderr, "usage: analyzecmd [-text|-md|-json] [-svg out.svg] FILE | -pair PHONE CM")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "analyzecmd:", err)
		if an == nil {
			os.Exit(1)
		}
	}
	switch {
	case *text:
		an.WriteText(os.Stdout)
	case *md:
		an.WriteMarkdown(os.Stdout)
	case *js:
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(an)
	default:
		for _, f := range an.Files {
			c := f.Counts
			fmt.Printf("%s: packets %d, tcp retransmissions %d, sip requests %d, sip registers %d, sccp keepalives %d, arp replies %d, timelines %d, verdicts %d\n",
				f.File, c.Packets, c.TCPRetransmissions, c.SIPRequests, c.SIPRegisters, c.SCCPKeepalives, c.ARPReplies, len(f.Timelines), len(f.Verdicts))
		}
	}
	if *svg != "" && len(an.Files) > 0 && len(an.Files[0].Timelines) > 0 {
		out, err := os.Create(*svg)
		if err == nil {
			err = capture.WriteSVG(out, an.Files[0].Timelines[0])
			out.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "analyzecmd:", err)
		}
	}
	if err != nil {
		os.Exit(1)
	}
}
