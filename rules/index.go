package rules

import (
	"net/netip"
	"sort"

	"github.com/kaudit/kaudit/facts"
)

// index holds lookups that several rules need, built once per evaluation so
// that a 10,000-device snapshot stays linear.
type index struct {
	// phonesOnPort maps a switch port to the phones there: a run of
	// s.Phones, which Join sorts by switch and port.
	phonesOnPort map[portKey][2]int32
	// phonesByCM maps a CUCM device name to the phones it lists.
	phonesByCM map[string][]*facts.Phone
	// phoneIPs are the phones with a known IP address.
	phoneIPs []phoneAddr
	// cucms are the call managers with their voice address.
	cucms []cmAddr
	snap  *facts.Snapshot
	// quietest caches, per switch, the phone that can stay silent longest.
	quietest map[string]*facts.Phone
}

type portKey struct{ sw, port string }

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
	x := &index{phonesOnPort: make(map[portKey][2]int32, len(s.Phones)), phonesByCM: map[string][]*facts.Phone{}, snap: s, quietest: map[string]*facts.Phone{}}
	for i := range s.Phones {
		p := &s.Phones[i]
		if p.Switch != "" {
			k := portKey{p.Switch, p.Port}
			if r, ok := x.phonesOnPort[k]; ok && int(r[1]) == i {
				x.phonesOnPort[k] = [2]int32{r[0], int32(i + 1)}
			} else if !ok {
				x.phonesOnPort[k] = [2]int32{int32(i), int32(i + 1)}
			}
		}
		if p.CallManager != "" {
			x.phonesByCM[p.CallManager] = append(x.phonesByCM[p.CallManager], p)
		}
		if ip, err := netip.ParseAddr(p.IP); err == nil {
			x.phoneIPs = append(x.phoneIPs, phoneAddr{ip, p})
		}
	}
	sort.Slice(x.phoneIPs, func(i, j int) bool { return x.phoneIPs[i].ip.Less(x.phoneIPs[j].ip) })
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

// PhonesOn returns the phones seen on port of switch sw.
func (c *Context) PhonesOn(sw, port string) []*facts.Phone {
	r, ok := c.idx.phonesOnPort[portKey{sw, port}]
	if !ok {
		return nil
	}
	out := make([]*facts.Phone, 0, r[1]-r[0])
	for i := r[0]; i < r[1]; i++ {
		out = append(out, &c.idx.snap.Phones[i])
	}
	return out
}

// phonesIn returns the phones whose IP lies in prefix, using the sorted IP
// list so each lookup costs O(log n + matches).
func (c *Context) phonesIn(p netip.Prefix) []*facts.Phone {
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
