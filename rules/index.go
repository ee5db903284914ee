package rules

import (
	"net/netip"
	"slices"
	"sort"
	"sync"

	"github.com/kaudit/kaudit/facts"
)

// index holds lookups that several rules need, built once per evaluation so
// that a 10,000-device snapshot stays linear. Lists only some rules need are
// built on first use.
type index struct {
	snap *facts.Snapshot
	// ptrs[i] is &snap.Phones[i]; rules get sub-slices of it, so looking
	// up the phones on a port allocates nothing.
	ptrs []*facts.Phone
	// phoneIPs are the phones with a known IP address, sorted (lazy:
	// rules run concurrently, so lazy parts are built under a sync.Once).
	phoneIPs     []phoneAddr
	phoneIPsOnce sync.Once
	// byCM maps a CUCM device name to the phones it lists (lazy).
	byCM     map[string][]*facts.Phone
	byCMOnce sync.Once
	// cucms are the call managers with their voice address.
	cucms []cmAddr
}

type phoneAddr struct {
	ip    netip.Addr
	phone *facts.Phone
}

type cmAddr struct {
	ip     netip.Addr
	device *facts.Device
	backup bool
}

func buildIndex(s *facts.Snapshot) *index {
	x := &index{snap: s}
	x.ptrs = make([]*facts.Phone, len(s.Phones))
	for i := range s.Phones {
		x.ptrs[i] = &s.Phones[i]
	}
	for _, d := range s.Devices {
		if d.Platform != facts.PlatformCUCM {
			continue
		}
		if ip, err := netip.ParseAddr(d.IP); err == nil {
			x.cucms = append(x.cucms, cmAddr{ip: ip, device: d, backup: d.HasRole("cucm-backup")})
		}
	}
	return x
}

// PhonesOn returns the phones seen on port of switch sw. Join sorts
// s.Phones by switch and port, so they are one run found by binary search.
func (c *Context) PhonesOn(sw, port string) []*facts.Phone {
	ps := c.idx.snap.Phones
	before := func(p *facts.Phone) bool { return p.Switch < sw || p.Switch == sw && p.Port < port }
	lo := sort.Search(len(ps), func(i int) bool { return !before(&ps[i]) })
	hi := lo
	for hi < len(ps) && ps[hi].Switch == sw && ps[hi].Port == port {
		hi++
	}
	if hi == lo {
		return nil
	}
	return c.idx.ptrs[lo:hi:hi]
}

// phonesByCM returns the phones the call manager named cm lists.
func (c *Context) phonesByCM(cm string) []*facts.Phone {
	c.idx.byCMOnce.Do(func() {
		c.idx.byCM = map[string][]*facts.Phone{}
		for _, p := range c.idx.ptrs {
			if p.CallManager != "" {
				c.idx.byCM[p.CallManager] = append(c.idx.byCM[p.CallManager], p)
			}
		}
	})
	return c.idx.byCM[cm]
}

// phonesIn returns the phones whose IP lies in prefix, using the sorted IP
// list so each lookup costs O(log n + matches).
func (c *Context) phonesIn(p netip.Prefix) []*facts.Phone {
	c.idx.phoneIPsOnce.Do(func() {
		for _, ph := range c.idx.ptrs {
			if ip, err := netip.ParseAddr(ph.IP); err == nil {
				c.idx.phoneIPs = append(c.idx.phoneIPs, phoneAddr{ip, ph})
			}
		}
		slices.SortFunc(c.idx.phoneIPs, func(a, b phoneAddr) int { return a.ip.Compare(b.ip) })
	})
	ips := c.idx.phoneIPs
	p = p.Masked()
	lo := sort.Search(len(ips), func(i int) bool { return !ips[i].ip.Less(p.Addr()) })
	var out []*facts.Phone
	for i := lo; i < len(ips) && p.Contains(ips[i].ip); i++ {
		out = append(out, ips[i].phone)
	}
	return out
}

// shortestKeepalive returns the phone among ps with the shortest keepalive
// interval (the longest silence any of them can have), or nil.
func shortestKeepalive(ps []*facts.Phone) *facts.Phone {
	var best *facts.Phone
	for _, p := range ps {
		if best == nil || p.Keepalive.ShortestSeconds() < best.Keepalive.ShortestSeconds() {
			best = p
		}
	}
	return best
}

// phoneNames lists the names of ps (a port for unnamed phones).
func phoneNames(ps []*facts.Phone) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if p.Name != "" {
			out = append(out, p.Name)
		} else {
			out = append(out, p.Model+" on "+p.Switch+" "+p.Port)
		}
	}
	sort.Strings(out)
	return out
}
