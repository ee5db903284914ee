package asa

import (
	"github.com/kaudit/kaudit/facts"
)

// ifAttrs are the interface attributes two commands can both report, with
// how to copy each. The running config is authoritative for what it sets;
// show interface fills the rest (MAC, link state) and any gap, so the
// result does not depend on the order the outputs are parsed in.
var ifAttrs = []struct {
	name string
	copy func(dst *facts.ASAInterface, src *facts.ASAInterface)
}{
	{"interface", func(dst, src *facts.ASAInterface) {}},
	{"nameif", func(dst, src *facts.ASAInterface) { dst.Nameif = src.Nameif }},
	{"security_level", func(dst, src *facts.ASAInterface) { dst.SecurityLevel = src.SecurityLevel }},
	{"ip_address", func(dst, src *facts.ASAInterface) { dst.Prefix, dst.StandbyIP = src.Prefix, src.StandbyIP }},
	{"shutdown", func(dst, src *facts.ASAInterface) { dst.Shutdown = src.Shutdown }},
	{"vlan", func(dst, src *facts.ASAInterface) { dst.VLAN = src.VLAN }},
	{"mac", func(dst, src *facts.ASAInterface) { dst.MAC = src.MAC }},
	{"status", func(dst, src *facts.ASAInterface) {
		dst.LinkStatus, dst.LineProtocol = src.LinkStatus, src.LineProtocol
	}},
}

// mergeInterfaces returns have with add, parsed from key, folded in by
// name. What an earlier parse of the same key set is dropped first, so a
// re-read output replaces the old one. It never modifies have's elements,
// which the caller may still share.
func mergeInterfaces(have, add []facts.ASAInterface, key string) []facts.ASAInterface {
	out := make([]facts.ASAInterface, 0, len(have)+len(add))
	idx := make(map[string]int, len(have)+len(add))
	var zero facts.ASAInterface
	for _, h := range have {
		had := h.Sources.Len()
		h.Sources = h.Sources.Clone()
		for _, a := range ifAttrs {
			if src, ok := h.Sources.Get(a.name); ok && src.Key == key {
				a.copy(&h, &zero)
				h.Sources.Delete(a.name)
			}
		}
		if had > 0 && h.Sources.Len() == 0 {
			continue // known only from the output being replaced
		}
		if _, dup := idx[h.Name]; !dup {
			idx[h.Name] = len(out)
		}
		out = append(out, h)
	}
	authoritative := key == KeyRunningConfig
	for _, n := range add {
		i, ok := idx[n.Name]
		if !ok {
			n.Sources = n.Sources.Clone()
			idx[n.Name] = len(out)
			out = append(out, n)
			continue
		}
		dst := &out[i]
		for _, a := range ifAttrs {
			src, has := n.Sources.Get(a.name)
			if !has {
				continue
			}
			old, had := dst.Sources.Get(a.name)
			if authoritative || !had || old.Key == src.Key {
				a.copy(dst, &n)
				dst.Sources.Set(a.name, src)
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// mergeProxyARP returns have with add (parsed from key) folded in by
// nameif: entries key set before are replaced, and the running config's
// explicit lines win over show running-config all sysopt.
func mergeProxyARP(have, add []facts.ProxyARPSetting, key string) []facts.ProxyARPSetting {
	out := make([]facts.ProxyARPSetting, 0, len(have)+len(add))
	for _, h := range have {
		if h.Source.Key != key {
			out = append(out, h)
		}
	}
	idx := make(map[string]int, len(out)+len(add))
	for i, o := range out {
		idx[o.Nameif] = i
	}
	for _, a := range add {
		i, ok := idx[a.Nameif]
		switch {
		case !ok:
			idx[a.Nameif] = len(out)
			out = append(out, a)
		case key == KeyRunningConfig || out[i].Source.Key != KeyRunningConfig:
			out[i] = a
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
