//go:build linux

package live

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"golang.org/x/sys/unix"
)

func TestInsertTag(t *testing.T) {
	untagged := []byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, // dst, src
		0x08, 0x06, // ARP
		0, 1, 8, 0, 6, 4, 0, 1, // htype, ptype, hlen, plen, request
		2, 0, 0, 0, 0, 1, 198, 18, 110, 1, 0, 0, 0, 0, 0, 0, 198, 18, 110, 2,
	}
	for _, tc := range []struct {
		tci      uint16
		vlan     uint16
		priority uint8
	}{
		{110, 110, 0},
		{5<<13 | 4094, 4094, 5}, // voice VLANs usually carry CoS 5
		{0, 0, 0},               // priority-tagged
	} {
		t.Run(fmt.Sprint(tc.tci), func(t *testing.T) {
			prefix := []byte("keep")
			got := insertTag(append([]byte(nil), prefix...), untagged, tc.tci)
			if !bytes.HasPrefix(got, prefix) || len(got) != len(prefix)+len(untagged)+4 {
				t.Fatalf("length %d, want %d after the kept prefix", len(got), len(prefix)+len(untagged)+4)
			}
			p := gopacket.NewPacket(got[len(prefix):], layers.LinkTypeEthernet, gopacket.Default)
			tag, _ := p.Layer(layers.LayerTypeDot1Q).(*layers.Dot1Q)
			arp, _ := p.Layer(layers.LayerTypeARP).(*layers.ARP)
			if tag == nil || arp == nil {
				t.Fatalf("not 802.1Q + ARP: %v", p)
			}
			if tag.VLANIdentifier != tc.vlan || tag.Priority != tc.priority {
				t.Errorf("VLAN %d priority %d, want %d %d", tag.VLANIdentifier, tag.Priority, tc.vlan, tc.priority)
			}
			if !bytes.Equal(arp.DstProtAddress, []byte{198, 18, 110, 2}) {
				t.Errorf("ARP target %v", arp.DstProtAddress)
			}
		})
	}
}

func TestIsTimeout(t *testing.T) {
	// The way pcapgo v1.1.19 words a failed read.
	wrap := func(e error) error {
		return fmt.Errorf("couldn't read packet data: %s", fmt.Errorf("couldn't read packet: %s", e))
	}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{wrap(unix.EAGAIN), true},
		{wrap(unix.EINTR), true},
		{wrap(unix.ENETDOWN), false},
		{wrap(unix.EBADF), false},
		{errors.New("something else"), false},
	} {
		if got := isTimeout(tc.err); got != tc.want {
			t.Errorf("isTimeout(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
