package capture

import (
	"fmt"
	"sort"
	"time"
)

// pairKey matches a keepalive between two captures: over TCP the
// connection plus the (seq, len) of the segment carrying it; over UDP
// the connection plus CSeq and Call-ID.
type pairKey struct {
	phone, cm   string
	proto       string
	pport, cpor uint16
	seq, len    uint32
	cseq        uint32
	callID      uint64
}

func keyOfKeepalive(tl *Timeline, k *Keepalive) pairKey {
	pk := pairKey{phone: tl.Phone, cm: tl.CallManager, proto: tl.Protocol, pport: k.PhonePort, cpor: k.CMPort}
	if tl.Protocol == "SIP/UDP" {
		pk.cseq, pk.callID = k.CSeq, k.callID
	} else {
		pk.seq, pk.len = k.Seq, k.Len
	}
	return pk
}

// MatchPair compares a phone-side capture with a call-manager-side
// capture of the same traffic. Every keepalive the phone side saw is
// looked up on the call-manager side by connection and (seq, len); the
// ones never seen there were lost in between.
//
// The captures' clocks are not synchronised. The offset is estimated
// from the first keepalive (in phone-side time) seen by both, as
// arrival - send; so it includes that keepalive's one-way delay, and the
// delays reported are relative to it (a keepalive that needed a
// retransmission shows the RTO as its delay).
func MatchPair(phone, cm *FileAnalysis, opts Options) (*Pair, []Verdict) {
	opts = opts.withDefaults()
	p := &Pair{PhoneFile: phone.File, CMFile: cm.File, Keepalives: []PairKeepalive{}}
	arrived := map[pairKey]Timestamp{}
	for _, tl := range cm.Timelines {
		for i := range tl.Keepalives {
			k := &tl.Keepalives[i]
			key := keyOfKeepalive(tl, k)
			if t, ok := arrived[key]; !ok || k.Sent < t {
				arrived[key] = k.Sent
			}
		}
	}
	for _, tl := range phone.Timelines {
		for i := range tl.Keepalives {
			k := &tl.Keepalives[i]
			pk := PairKeepalive{Phone: tl.Phone, CallManager: tl.CallManager, Protocol: tl.Protocol, Sent: k.Sent,
				Seq: k.Seq, Len: k.Len, CSeq: k.CSeq, Copies: 1 + len(k.Retransmissions)}
			if t, ok := arrived[keyOfKeepalive(tl, k)]; ok {
				pk.Received, pk.Arrived = true, t
			}
			p.Keepalives = append(p.Keepalives, pk)
		}
	}
	sort.SliceStable(p.Keepalives, func(i, j int) bool { return p.Keepalives[i].Sent < p.Keepalives[j].Sent })
	var offset time.Duration
	found := false
	for _, k := range p.Keepalives {
		if k.Received {
			offset, found = k.Arrived.Sub(k.Sent), true
			p.OffsetFrom = fmt.Sprintf("%s %s → %s seq %d len %d sent %s", k.Protocol, k.Phone, k.CallManager, k.Seq, k.Len, k.Sent.Time().Format(time.RFC3339Nano))
			break
		}
	}
	p.ClockOffset = Duration(offset)
	var vs []Verdict
	for i := range p.Keepalives {
		k := &p.Keepalives[i]
		what := fmt.Sprintf("%s → %s %s keepalive", k.Phone, k.CallManager, k.Protocol)
		if k.CSeq != 0 {
			what += fmt.Sprintf(" CSeq %d", k.CSeq)
		}
		if !k.Received {
			p.NotReceived++
			if found {
				vs = append(vs, Verdict{ID: "keepalive-not-received", Severity: Critical, Phone: k.Phone, CallManager: k.CallManager, Time: k.Sent,
					Message: fmt.Sprintf("%s sent at %s (seq %d, len %d, %d cop%s) never reached the call-manager capture: it was dropped in between",
						what, k.Sent.Time().Format("15:04:05.000"), k.Seq, k.Len, k.Copies, plural(k.Copies, "y", "ies")),
					Numbers: map[string]float64{"copies": float64(k.Copies)}})
			}
			continue
		}
		p.Matched++
		k.Delay = Duration(k.Arrived.Sub(k.Sent) - offset)
		if time.Duration(k.Delay) > opts.LateTolerance {
			vs = append(vs, Verdict{ID: "keepalive-delayed", Severity: Warning, Phone: k.Phone, CallManager: k.CallManager, Time: k.Sent,
				Message: fmt.Sprintf("%s sent at %s reached the call manager %s later than the first matched keepalive's delay (%d cop%s sent)",
					what, k.Sent.Time().Format("15:04:05.000"), fmtSeconds(time.Duration(k.Delay)), k.Copies, plural(k.Copies, "y", "ies")),
				Numbers: map[string]float64{"delay_s": time.Duration(k.Delay).Seconds()}})
		}
	}
	if !found && len(p.Keepalives) > 0 {
		vs = append(vs, Verdict{ID: "pair-no-common-keepalives", Severity: Warning, Time: p.Keepalives[0].Sent,
			Message: fmt.Sprintf("none of the %d keepalives of %s appear in %s: different traffic, or NAT between the capture points", len(p.Keepalives), phone.File, cm.File)})
	}
	return p, vs
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
