package confirm

import (
	"time"

	"github.com/kaudit/kaudit/capture/clidump"
)

// Dump families a capture is fetched in, over the same CLI that started
// it (capture/clidump reads every layout of each).
const (
	// FormatEPC is IOS-XE's `show monitor capture NAME buffer dump`.
	FormatEPC = clidump.FamilyEPC
	// FormatASA is the ASA's `show capture NAME dump`.
	FormatASA = clidump.FamilyASA
)

// Packet is one captured frame (Ethernet, as both platforms dump it).
type Packet = clidump.Packet

// RenderDump prints packets as the platform's dump command does in its
// most common layout (Catalyst 16.x with a summary line per packet; the
// ASA's): the tests' simulated devices serve captures through it. ASA
// times of day are printed in loc.
func RenderDump(format string, pkts []Packet, loc *time.Location) []byte {
	l := clidump.EPCSummary
	if format == FormatASA {
		l = clidump.ASA
	}
	return clidump.Render(l, pkts, clidump.RenderOptions{Loc: loc})
}
