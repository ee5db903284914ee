//go:build !linux

package live

import (
	"context"
	"errors"
	"io"
	"runtime"

	"github.com/google/gopacket/layers"
)

// Handle is an open capture; on this system none can be opened.
type Handle struct{}

// Open fails: AF_PACKET sockets exist only on Linux.
func Open(opts Options) (*Handle, error) {
	return nil, errors.New("capture: live capture is only supported on Linux, not " + runtime.GOOS + "; use tcpdump or Wireshark and 'kaudit pcap analyze'")
}

// Close does nothing.
func (h *Handle) Close() {}

// LinkType is never reached.
func (h *Handle) LinkType() layers.LinkType { return layers.LinkTypeNull }

// Run fails.
func (h *Handle) Run(ctx context.Context, w io.Writer) (Stats, error) {
	return Stats{}, errors.New("capture: live capture is only supported on Linux")
}
