package events

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// FuzzParseLine: any line either is skipped, gives an error, or gives an
// alarm with a device name and a time; never a panic.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		"31 uc-ucm-01 local7 3 : 41679: uc-ucm-01.pcce.local Jul 02 2015 06:22:31 UTC :   " + seedAlarm,
		"<187>1 2015-07-02T06:22:31.123Z uc-ucm-01 ccm - - - " + seedAlarm,
		"312 <187>1 2015-07-02T06:22:31.123+02:00 u - - - - %UC_CALLMANAGER-3-EndPointTransientConnection: %[DeviceName=SEP1][Reason=6]: x",
		"<187>1: u: Feb 29 2024 23:59:60.9999999999 +14:00: %UC_CALLMANAGER-6-EndPointRegistered: %[DeviceName=SEP1][Description=a\\]b [c]]: x",
		"Jul  2 06:22:35 h %UC_CALLMANAGER-3-DeviceUnregistered: %[DeviceName=SEP1][Reason=",
		"%UC_CALLMANAGER-3-EndPointUnregistered: %[",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		a, ok, err := ParseLine(line)
		if !ok && err == nil && a != (Alarm{}) {
			t.Fatalf("skipped line gave %+v", a)
		}
		if ok {
			if !isDeviceName(a.Device) || a.Device == "" || a.Time.IsZero() || a.Kind == 0 {
				t.Fatalf("alarm %+v from %q", a, line)
			}
		}
	})
}

// FuzzReadFrom: any stream reads without a panic, every line counted,
// problems bounded.
func FuzzReadFrom(f *testing.F) {
	f.Add([]byte(alarmLine(1, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "SEP1", 13, "n") + "junk\n\x1f\x8b"))
	f.Add([]byte{0x1f, 0x8b, 0x08, 0x00})
	f.Add([]byte("\n\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h := NewHistory(16)
		if err := h.ReadFrom(context.Background(), "fuzz.log", bytes.NewReader(data)); err != nil {
			return
		}
		if len(h.Stats.Problems) > maxProblems || h.Stats.Alarms > h.Stats.Lines || h.Devices() > 16 {
			t.Fatalf("stats %+v", h.Stats)
		}
		for _, p := range h.Phones() {
			_ = p.Period.String()
		}
	})
}
