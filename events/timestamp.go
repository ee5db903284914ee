package events

import (
	"bytes"
	"errors"
	"time"
)

var months = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// alarmTime finds when an alarm was raised in the text in front of its
// marker: the CiscoLog header's "Mmm DD YYYY HH:MM:SS[.mmm] [ZONE]" (the
// last one, nearest the marker, since a syslog server may put its own
// time in front), else the RFC 5424 or RFC 3339 time that starts the line.
func alarmTime(head []byte) (time.Time, error) {
	if t, ok := ciscoLogTime(head); ok {
		return t, nil
	}
	if t, ok := leadingRFC3339(head); ok {
		return t, nil
	}
	return time.Time{}, errors.New("no time with a year in front of the alarm (neither CiscoLog's \"Mmm DD YYYY HH:MM:SS\" nor an RFC 5424/3339 time)")
}

func ciscoLogTime(head []byte) (time.Time, bool) {
	var best time.Time
	found := false
	for i := 0; i+3 <= len(head); i++ {
		if i > 0 && isLetter(head[i-1]) {
			continue
		}
		m := monthAt(head[i:])
		if m == 0 {
			continue
		}
		if t, ok := parseCiscoLog(head[i+3:], m); ok {
			best, found = t, true
		}
	}
	return best, found
}

func monthAt(s []byte) time.Month {
	if len(s) < 4 || s[3] != ' ' {
		return 0
	}
	for i, m := range months {
		if string(s[:3]) == m {
			return time.Month(i + 1)
		}
	}
	return 0
}

// parseCiscoLog reads " DD YYYY HH:MM:SS[.fff][ ZONE]" after the month.
func parseCiscoLog(s []byte, month time.Month) (time.Time, bool) {
	p := scanner{s: s}
	p.spaces()
	day, ok := p.number(1, 2)
	if !ok || !p.spaces() {
		return time.Time{}, false
	}
	year, ok := p.number(4, 4)
	if !ok || !p.spaces() {
		return time.Time{}, false
	}
	hh, ok1 := p.number(2, 2)
	ok2 := p.byte(':')
	mm, ok3 := p.number(2, 2)
	ok4 := p.byte(':')
	ss, ok5 := p.number(2, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5) || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, false
	}
	nanos := 0
	if p.byte('.') {
		start := p.i
		frac, ok := p.number(1, 9)
		if !ok {
			return time.Time{}, false
		}
		for n := p.i - start; n < 9; n++ {
			frac *= 10
		}
		nanos = frac
	}
	p.spaces()
	loc := p.zone()
	t := time.Date(year, month, day, hh, mm, ss, nanos, loc)
	if t.Day() != day {
		return time.Time{}, false // Feb 30
	}
	return t, true
}

// leadingRFC3339 reads the time of an RFC 5424 header ("<PRI>1 TIME",
// possibly after an RFC 6587 octet count) or an RFC 3339 time that
// starts the line (rsyslog's file format).
func leadingRFC3339(head []byte) (time.Time, bool) {
	s := bytes.TrimLeft(head, " ")
	// RFC 6587 octet counting: "123 <PRI>...".
	if i := bytes.IndexByte(s, ' '); i > 0 && allDigits(s[:i]) && i+1 < len(s) && s[i+1] == '<' {
		s = s[i+1:]
	}
	if len(s) > 0 && s[0] == '<' {
		end := bytes.IndexByte(s, '>')
		if end < 0 || !allDigits(s[1:end]) {
			return time.Time{}, false
		}
		s = s[end+1:]
		// The RFC 5424 version, "1 ".
		if len(s) > 2 && s[0] == '1' && s[1] == ' ' {
			s = s[2:]
		}
	}
	tok := s
	if i := bytes.IndexByte(s, ' '); i >= 0 {
		tok = s[:i]
	}
	t, err := time.Parse(time.RFC3339Nano, string(tok))
	return t, err == nil
}

type scanner struct {
	s []byte
	i int
}

func (p *scanner) spaces() bool {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
	return p.i > start
}

func (p *scanner) byte(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *scanner) number(min, max int) (int, bool) {
	n, start := 0, p.i
	for p.i < len(p.s) && p.i-start < max && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		n = n*10 + int(p.s[p.i]-'0')
		p.i++
	}
	return n, p.i-start >= min
}

// zone reads a time zone (UTC, GMT, Z, +hhmm, -hh:mm or a name) up to a
// colon or a space; a name other than UTC or GMT keeps the clock time as
// printed (see the package doc).
func (p *scanner) zone() *time.Location {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != ':' && p.s[p.i] != ' ' && p.i-start < 8 {
		p.i++
	}
	z := p.s[start:p.i]
	// "+00:00" stops at its colon: take the minutes too.
	if len(z) == 3 && (z[0] == '+' || z[0] == '-') && p.i+2 < len(p.s) && p.s[p.i] == ':' {
		z = p.s[start : p.i+3]
	}
	switch string(z) {
	case "", "UTC", "GMT", "Z":
		return time.UTC
	}
	if off, ok := numericOffset(z); ok {
		return time.FixedZone(string(z), off)
	}
	for _, c := range z {
		if !isLetter(c) {
			return time.UTC
		}
	}
	return time.FixedZone(string(z), 0)
}

// numericOffset reads +hhmm, -hhmm or ±hh:mm as seconds east of UTC.
func numericOffset(z []byte) (int, bool) {
	if len(z) < 5 || (z[0] != '+' && z[0] != '-') {
		return 0, false
	}
	d := bytes.ReplaceAll(z[1:], []byte(":"), nil)
	if len(d) != 4 || !allDigits(d) {
		return 0, false
	}
	h := int(d[0]-'0')*10 + int(d[1]-'0')
	m := int(d[2]-'0')*10 + int(d[3]-'0')
	if h > 14 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if z[0] == '-' {
		off = -off
	}
	return off, true
}

func allDigits(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
