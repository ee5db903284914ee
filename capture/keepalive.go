package capture

import (
	"fmt"
	"math"
	"strings"
	"time"
)

func secondsDur(n int) time.Duration { return time.Duration(n) * time.Second }

// answerWait is how long after its last copy a keepalive may stay
// without an answer before the capture end before it counts as
// unanswered.
const answerWait = 5 * time.Second

// judgeState is what judging a timeline's keepalives in order carries
// from one to the next.
type judgeState struct {
	anchor    Timestamp
	intervals medianSketch
}

// expectation is the interval a timeline's keepalives should keep and the
// grace the call manager allows past it.
func (a *analyzer) expectation(tl *Timeline) (expected, grace time.Duration) {
	o := a.opts
	switch {
	case tl.Protocol == "SCCP":
		return o.SCCPInterval, o.SCCPGrace
	case o.SIPInterval > 0:
		return o.SIPInterval, o.Grace
	case tl.learned > 0:
		return tl.learned, o.Grace
	}
	return DefaultSIPInterval, o.Grace
}

// expectedFrom says where expectation's interval comes from.
func (a *analyzer) expectedFrom(tl *Timeline) string {
	switch {
	case tl.Protocol == "SCCP":
		return "SCCP station keepalive interval"
	case a.opts.SIPInterval > 0:
		return "option"
	case tl.learned > 0:
		return fmt.Sprintf("200 OK Expires %s minus register delta %s", fmtSeconds(tl.learned+a.opts.SIPRegisterDelta), fmtSeconds(a.opts.SIPRegisterDelta))
	}
	return "default (Expires 120 s minus register delta 5 s)"
}

// judgeKeepalive sets the interval and status of the timeline's next
// keepalive k, once nothing in the capture can change it any more (see
// settle), and adds it to the summary; end is the capture time by which
// an unanswered keepalive is judged.
//
// Each keepalive is measured from the previous refresh the call manager
// saw: the previous keepalive's first answer (TCP ACK, 200 OK or
// KeepAliveAck), or, in a timeline without answers, its delivery. Its
// delivery is its last copy. Lateness is how far delivery is past the
// keepalive's slot (the refresh plus n intervals, n = 1 unless the phone
// skipped keepalives). A keepalive delivered more than interval + grace
// after the previous refresh arrives after the call manager has given up
// on the phone: seed case 2. The interval is the one learnt from the
// call manager's 200 OKs so far.
func (a *analyzer) judgeKeepalive(tl *Timeline, k *Keepalive, end Timestamp) {
	expected, grace := a.expectation(tl)
	j, s := &tl.judge, &tl.Summary
	s.Keepalives++
	k.Status = StatusOK
	if j.anchor != 0 {
		since := k.Delivered.Sub(j.anchor)
		n := int(math.Round(float64(k.Sent.Sub(j.anchor)) / float64(expected)))
		n = max(n, 1)
		k.MissingBefore = n - 1
		k.Interval = Duration(since)
		k.Lateness = Duration(since - time.Duration(n)*expected)
		switch {
		case since > expected+grace:
			k.Status = StatusLost
		case time.Duration(k.Lateness) > a.opts.LateTolerance:
			k.Status = StatusLate
		}
		if j.intervals.n == 0 {
			s.MinInterval, s.MaxInterval = Duration(since), Duration(since)
		}
		s.MinInterval, s.MaxInterval = min(s.MinInterval, Duration(since)), max(s.MaxInterval, Duration(since))
		j.intervals.add(since)
		s.Missing += k.MissingBefore
	}
	if tl.answered && k.Answered == 0 && k.Status != StatusLost && end.Sub(k.Delivered) > answerWait {
		k.Status = StatusUnanswered
	}
	switch {
	case !tl.answered:
		j.anchor = k.Delivered
	case k.Answered != 0:
		j.anchor = k.Answered
	case j.anchor == 0:
		j.anchor = k.Delivered
	}
	if len(k.Retransmissions) > 0 {
		s.Retransmitted++
	}
	switch k.Status {
	case StatusLate:
		s.Late++
	case StatusLost:
		s.Lost++
	case StatusUnanswered:
		s.Unanswered++
	}
	a.keep(tl, k)
}

// finishTimeline judges the keepalives still open at the end of the
// capture and completes the summary and the verdicts of one timeline.
func (a *analyzer) finishTimeline(tl *Timeline) {
	a.settleAll(tl)
	expected, grace := a.expectation(tl)
	tl.Expected, tl.Grace, tl.ExpectedFrom = Duration(expected), Duration(grace), a.expectedFrom(tl)
	s := &tl.Summary
	s.MedianInterval = Duration(tl.judge.intervals.median())
	if anchor := tl.judge.anchor; anchor != 0 {
		if gap := tl.End.Sub(anchor); gap > expected+grace {
			s.TrailingGap = Duration(gap)
			s.Missing += int(gap / expected)
		}
	}
	a.timelineVerdicts(tl)
}

func (tl *Timeline) who() string {
	phone := tl.Phone
	if tl.Device != "" {
		phone = tl.Device + " (" + tl.Phone + ")"
	}
	role := ""
	if tl.Role == "backup" {
		role = " backup"
	}
	return fmt.Sprintf("%s →%s %s %s", phone, role, tl.CallManager, tl.Protocol)
}

func (k *Keepalive) name(proto string) string {
	if k.CSeq != 0 {
		return fmt.Sprintf("REGISTER CSeq %d", k.CSeq)
	}
	if proto == "SCCP" {
		return fmt.Sprintf("KeepAlive (frame %d)", k.Frame)
	}
	return fmt.Sprintf("keepalive (frame %d)", k.Frame)
}

func rtoList(rs []Retransmission) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, fmtSeconds(time.Duration(r.RTO)))
	}
	return strings.Join(parts, ", ")
}

func (a *analyzer) timelineVerdicts(tl *Timeline) {
	expected, grace := time.Duration(tl.Expected), time.Duration(tl.Grace)
	base := Verdict{Phone: tl.Phone, CallManager: tl.CallManager}
	for i := range tl.Keepalives {
		k := &tl.Keepalives[i]
		if k.Status != StatusLost {
			continue
		}
		v := base
		v.ID, v.Severity, v.Time = "registration-lost", Critical, k.Delivered
		msg := fmt.Sprintf("%s: %s sent at %s was delivered %s after the previous refresh, more than the %s interval plus %s grace",
			tl.who(), k.name(tl.Protocol), k.Sent.Time().Format("15:04:05.000"), fmtSeconds(time.Duration(k.Interval)), fmtSeconds(expected), fmtSeconds(grace))
		if n := len(k.Retransmissions); n > 0 {
			msg += fmt.Sprintf("; it got through only with retransmission %d after %s (RTO %s)", n,
				fmtSeconds(time.Duration(k.Retransmissions[n-1].SinceFirst)), rtoList(k.Retransmissions))
		}
		if k.MissingBefore > 0 {
			msg += fmt.Sprintf("; %d keepalive(s) before it never appeared", k.MissingBefore)
		}
		msg += ": the call manager had already unregistered the phone (EndPointUnregistered Reason=13 KeepAliveTimeout)"
		v.Message = msg
		v.Numbers = map[string]float64{
			"interval_s": time.Duration(k.Interval).Seconds(), "expected_s": expected.Seconds(), "grace_s": grace.Seconds(),
			"lateness_s": time.Duration(k.Lateness).Seconds(), "retransmissions": float64(len(k.Retransmissions)),
		}
		a.verdict(v)
	}
	s := tl.Summary
	// Seed case 2: the first copy after every idle interval is dropped,
	// so nearly every keepalive needs a retransmission and the phone's
	// backoff keeps growing.
	if s.Retransmitted >= 2 && 2*s.Retransmitted >= s.Keepalives-1 {
		var first []string
		var prev time.Duration
		doubling := true
		var last Timestamp
		for i := range tl.Keepalives {
			k := &tl.Keepalives[i]
			if len(k.Retransmissions) == 0 {
				continue
			}
			rto := time.Duration(k.Retransmissions[0].RTO)
			if prev > 0 && (rto < prev*3/2 || rto > prev*5/2) {
				doubling = false
			}
			prev = rto
			first = append(first, fmtSeconds(rto))
			last = k.Sent
		}
		msg := fmt.Sprintf("%s: %d of %d keepalives needed a TCP retransmission (first RTO of each: %s)",
			tl.who(), s.Retransmitted, s.Keepalives, strings.Join(first, ", "))
		if doubling {
			msg += "; the RTO doubles from one keepalive to the next, so it soon outgrows the grace"
		}
		msg += fmt.Sprintf(". The first packet after each %s idle period is dropped on the path: look for a timer shorter than the keepalive interval (port-security aging type inactivity, MAC aging, firewall idle timeout)", fmtSeconds(expected))
		v := base
		v.ID, v.Severity, v.Time, v.Message = "keepalive-first-copy-dropped", Warning, last, msg
		v.Numbers = map[string]float64{"retransmitted": float64(s.Retransmitted), "keepalives": float64(s.Keepalives)}
		a.verdict(v)
	}
	if s.Late > 0 {
		var worst Duration
		var at Timestamp
		for i := range tl.Keepalives {
			if k := &tl.Keepalives[i]; k.Status == StatusLate && k.Lateness > worst {
				worst, at = k.Lateness, k.Delivered
			}
		}
		v := base
		v.ID, v.Severity, v.Time = "keepalive-late", Warning, at
		v.Message = fmt.Sprintf("%s: %d keepalive(s) delivered late, up to %s past their slot (still within the %s grace)",
			tl.who(), s.Late, fmtSeconds(time.Duration(worst)), fmtSeconds(grace))
		v.Numbers = map[string]float64{"late": float64(s.Late), "max_lateness_s": time.Duration(worst).Seconds()}
		a.verdict(v)
	}
	if missing := s.Missing; missing > 0 {
		v := base
		v.ID, v.Severity, v.Time = "keepalive-missing", Warning, tl.End
		var gaps []string
		for i := range tl.Keepalives {
			if k := &tl.Keepalives[i]; k.MissingBefore > 0 {
				gaps = append(gaps, fmt.Sprintf("%d before %s (gap %s)", k.MissingBefore, k.Sent.Time().Format("15:04:05"), fmtSeconds(time.Duration(k.Interval))))
				if v.Time == tl.End {
					v.Time = k.Sent
				}
			}
		}
		if s.TrailingGap > 0 {
			gaps = append(gaps, fmt.Sprintf("none in the last %s of the capture", fmtSeconds(time.Duration(s.TrailingGap))))
		}
		v.Message = fmt.Sprintf("%s: %d expected keepalive(s) (every %s) missing: %s", tl.who(), missing, fmtSeconds(expected), strings.Join(gaps, "; "))
		v.Numbers = map[string]float64{"missing": float64(missing), "expected_s": expected.Seconds()}
		a.verdict(v)
	}
	if s.Unanswered > 0 {
		v := base
		v.ID, v.Severity = "keepalive-unanswered", Warning
		for i := range tl.Keepalives {
			if k := &tl.Keepalives[i]; k.Status == StatusUnanswered {
				v.Time = k.Sent
				v.Message = fmt.Sprintf("%s: %d keepalive(s) got neither a TCP ACK nor an answer, the first %s sent at %s with %d retransmission(s)",
					tl.who(), s.Unanswered, k.name(tl.Protocol), k.Sent.Time().Format("15:04:05.000"), len(k.Retransmissions))
				break
			}
		}
		v.Numbers = map[string]float64{"unanswered": float64(s.Unanswered)}
		a.verdict(v)
	}
}
