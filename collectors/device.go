package collectors

import (
	"net/netip"

	"github.com/kaudit/kaudit/facts"
	"github.com/kaudit/kaudit/inventory"
)

// NewDevice starts the snapshot entry of an inventory host. Its voice
// address is data.ip when given (where kaudit connects may differ), else
// the address when that is an IP.
func NewDevice(h *inventory.Host) *facts.Device {
	d := &facts.Device{
		Name:     h.Name,
		Platform: h.Platform,
		Address:  h.Address,
		Roles:    append([]string(nil), h.Roles...),
		Tags:     append([]string(nil), h.Tags...),
	}
	if ip, ok := h.Data["ip"]; ok {
		d.IP = ip
	} else if a, err := netip.ParseAddr(h.Address); err == nil {
		d.IP = a.String()
	}
	return d
}
