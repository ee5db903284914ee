package confirm

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/kaudit/kaudit/capture/clidump"
	"github.com/kaudit/kaudit/collectors/sshx"
)

// ErrEPCUnavailable marks a switch that cannot run Embedded Packet
// Capture: the command is missing or refused (no licence for it, an
// image without it).
var ErrEPCUnavailable = errors.New("EPC not available")

// epcRefusals are answers that mean the switch will not capture. Only
// "Capture is not Supported" and "Unable to activate Capture" are public
// (Wireshark's ciscodump checks for them after `monitor capture NAME
// start`); no transcript of a switch without the licence (Catalyst 9000
// Network Essentials: the configuration guides make Wireshark-based
// capture a DNA Advantage feature) was found, so the licence wording is
// assumed.
var epcRefusals = regexp.MustCompile(`(?i)capture is not supported|unable to activate capture|not supported|licen[cs]e|feature not enabled|not available`)

// epcUnavailable says whether a capture command's answer (out, err) means
// the switch has no EPC, and builds the error that says so.
func epcUnavailable(host, cli string, out []byte, err error) error {
	why := ""
	switch {
	case errors.Is(err, sshx.ErrRejected):
		why = err.Error()
	case err == nil && epcRefusals.Match(out):
		why = firstText(out)
	default:
		return nil
	}
	return fmt.Errorf("%s: %w: %q answered %s: the switch has no Embedded Packet Capture, or no licence for it (Catalyst 9000 with Network Essentials); confirm at another point (--at cucm) or capture on a SPAN port",
		host, ErrEPCUnavailable, cli, why)
}

func firstText(b []byte) string {
	for _, l := range strings.Split(string(b), "\n") {
		if t := strings.TrimSpace(l); t != "" {
			return trim(t)
		}
	}
	return "nothing"
}

// trim cuts device text quoted in an error to a readable length.
func trim(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// fetchedDump is a fetched capture with its packet times.
type fetchedDump struct {
	*clidump.Dump
	// noTimes says why the times are synthetic; "" when they are real.
	noTimes string
}

// readFetched parses the fetched dump. A dump that prints no packet
// times (IOS-XE 16 routers, IOS-XE 17) takes them from `buffer brief`
// (brief runs it); when that fails too the packets keep synthetic times
// and noTimes says why, so that nothing judges keepalive timing on them.
func readFetched(host string, cmds Commands, dump []byte, start time.Time, brief func() ([]byte, error)) (*fetchedDump, error) {
	d, err := clidump.Parse(bytes.NewReader(dump), cmds.Format, clidump.Options{Name: host + ": " + cmds.Fetch, Start: start})
	if err != nil {
		if cmds.Format == FormatEPC {
			if u := epcUnavailable(host, cmds.Fetch, dump, nil); u != nil {
				return nil, u
			}
		}
		return nil, err
	}
	f := &fetchedDump{Dump: d}
	if !d.Synthetic() {
		return f, nil
	}
	why := fmt.Sprintf("%s prints no packet times (%s)", cmds.Fetch, d.Layout.Describe())
	if cmds.Brief == "" {
		f.noTimes = why
		return f, nil
	}
	out, err := brief()
	var rows []clidump.BriefRow
	if err == nil {
		rows, err = clidump.ParseBrief(bytes.NewReader(out), host+": "+cmds.Brief)
	}
	if err == nil {
		err = clidump.ApplyBrief(d, rows, start)
	}
	if err != nil {
		f.noTimes = fmt.Sprintf("%s and %s gave none: %v", why, cmds.Brief, err)
	}
	return f, nil
}
