package capture

import "fmt"

// A timeline holds only its latest keepalives (Timeline.open): the ones
// an answer, a covering ACK or a retransmission may still change. Older
// ones are judged as they close (judgeKeepalive) and then either kept in
// Timeline.Keepalives or only counted, so with Options.OnlyNotable a
// timeline costs the same after a week as after an hour.

// DefaultMaxTimelines is Options.MaxTimelines when unset: twice the
// 40,000 devices of a CUCM cluster, about 80 MB at the most.
const DefaultMaxTimelines = 80_000

// maxOpenKeepalives bounds a timeline's open keepalives whatever the
// traffic: past it the oldest is judged even if it could still change
// (it would take more than maxPendingKeepalives unanswered keepalives on
// several connections at once).
const maxOpenKeepalives = 4 * maxPendingKeepalives

// at returns the keepalive numbered i+1 while it is open, else nil.
func (tl *Timeline) at(i int) *Keepalive {
	if i < tl.base || i >= tl.base+len(tl.open) {
		return nil
	}
	return &tl.open[i-tl.base]
}

// count is the number of keepalives seen so far.
func (tl *Timeline) count() int { return tl.base + len(tl.open) }

// last is the newest keepalive, or nil before the first.
func (tl *Timeline) last() *Keepalive {
	if len(tl.open) == 0 {
		return nil
	}
	return &tl.open[len(tl.open)-1]
}

// push appends a keepalive and returns its index (number - 1).
func (tl *Timeline) push(ka Keepalive) int {
	i := tl.count()
	ka.Number = i + 1
	tl.open = append(tl.open, ka)
	return i
}

// await records that keepalive i waits for a response, forgetting the
// oldest waiting one past maxPendingKeepalives.
func (tl *Timeline) await(i int) {
	if len(tl.pending) >= maxPendingKeepalives {
		if k := tl.at(tl.pending[0]); k != nil {
			k.awaiting = false
		}
		tl.pending = tl.pending[1:]
	}
	tl.pending = append(tl.pending, i)
	if k := tl.at(i); k != nil {
		k.awaiting = true
	}
}

// answer marks keepalive k answered at ts (the earliest answer counts).
func (tl *Timeline) answer(k *Keepalive, ts Timestamp) {
	if k.Answered == 0 || ts < k.Answered {
		k.Answered = ts
	}
	tl.answered = true
}

// unpend removes the j-th pending keepalive.
func (tl *Timeline) unpend(j int) {
	if k := tl.at(tl.pending[j]); k != nil {
		k.awaiting = false
	}
	tl.pending = append(tl.pending[:j], tl.pending[j+1:]...)
}

// unref drops one appConn.kas reference to keepalive i.
func (tl *Timeline) unref(i int) {
	if k := tl.at(i); k != nil && k.refs > 0 {
		k.refs--
	}
}

// closedAt says whether open[n], once those before it are judged, can no
// longer change at capture time now: it is not the newest (UDP resends
// attach to that), awaits no response, no ACK (a retransmission attaches
// until then), and is answered or past answerWait (its unanswered status
// is known). Until the timeline's first answer, up to
// maxPendingKeepalives wait: whether the timeline has answers decides how
// they are judged.
func (tl *Timeline) closedAt(n int, now Timestamp) bool {
	m := len(tl.open) - n
	switch {
	case m > maxOpenKeepalives:
		return true
	case m < 2, !tl.answered && m <= maxPendingKeepalives:
		return false
	}
	k := &tl.open[n]
	return !k.awaiting && k.refs == 0 && (k.Answered != 0 || now.Sub(k.Delivered) > answerWait)
}

// settle judges the keepalives that can no longer change, oldest first.
func (a *analyzer) settle(tl *Timeline, now Timestamp) {
	n := 0
	for n < len(tl.open) && tl.closedAt(n, now) {
		a.judgeKeepalive(tl, &tl.open[n], now)
		n++
	}
	if n == 0 {
		return
	}
	k := copy(tl.open, tl.open[n:])
	clear(tl.open[k:])
	tl.open = tl.open[:k]
	tl.base += n
	a.open -= n
}

// settleAll judges every open keepalive at the end of the capture.
func (a *analyzer) settleAll(tl *Timeline) {
	for i := range tl.open {
		a.judgeKeepalive(tl, &tl.open[i], tl.End)
	}
	tl.base += len(tl.open)
	a.open -= len(tl.open)
	tl.open = nil
	tl.pending = nil
}

// notable says whether a judged keepalive has something to show.
func (k *Keepalive) notable() bool {
	return k.Status != StatusOK || len(k.Retransmissions) > 0 || k.MissingBefore > 0
}

// keep lists a judged keepalive, or only counts it.
func (a *analyzer) keep(tl *Timeline, k *Keepalive) {
	if !a.opts.OnlyNotable || tl == a.full || k.notable() {
		tl.Keepalives = append(tl.Keepalives, *k)
		return
	}
	tl.KeepalivesOmitted++
}

// prune drops from a timeline that no longer sorts first the keepalives
// OnlyNotable would not have kept.
func prune(tl *Timeline) {
	j := 0
	for _, k := range tl.Keepalives {
		if k.notable() {
			tl.Keepalives[j] = k
			j++
		}
	}
	clear(tl.Keepalives[j:])
	tl.KeepalivesOmitted += len(tl.Keepalives) - j
	tl.Keepalives = tl.Keepalives[:j]
}

// less orders timelines: by phone, call manager, protocol.
func (x tlKey) less(y tlKey) bool {
	if x.phone != y.phone {
		return x.phone.Less(y.phone)
	}
	if x.cm != y.cm {
		return x.cm.Less(y.cm)
	}
	return x.proto < y.proto
}

// protoCode numbers a timeline's protocol for tlKey.hash.
var protoCode = map[string]uint16{"SIP/TCP": 1, "SIP/UDP": 2, "SCCP": 3}

// hash identifies a timeline in the sketch of the ones not followed.
func (x tlKey) hash() uint64 {
	return flowKey{a: x.phone.As16(), b: x.cm.As16(), pa: protoCode[x.proto]}.hash()
}

// timelinesNote says how many timelines MaxTimelines left out, or "".
func (a *analyzer) timelinesNote() string {
	if a.tlIgnored.set == 0 {
		return ""
	}
	return fmt.Sprintf("too many keepalive timelines: followed the first %d, about %d more ignored (their messages are counted)",
		a.opts.MaxTimelines, a.tlIgnored.estimate())
}
