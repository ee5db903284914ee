package live

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestPacerSchedule: events asked for at once take consecutive slots gap
// apart; one asked for between slots gets the next free one; after an
// idle spell the next event goes at once, with no burst saved up. The
// times are the test's own, so the schedule is exact on any machine.
func TestPacerSchedule(t *testing.T) {
	const gap = 20 * time.Millisecond
	t0 := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	p := pacer{gap: gap}
	for i, c := range []struct {
		now, want time.Duration // from t0
	}{
		{0, 0},
		{0, gap},
		{0, 2 * gap},
		{2*gap + gap/2, 3 * gap}, // between slots: the next free one
		{10 * gap, 10 * gap},     // idle: at once
		{10 * gap, 11 * gap},
		{30 * gap, 30 * gap}, // one idle spell does not buy two events at once
		{30 * gap, 31 * gap},
	} {
		if got := p.reserve(t0.Add(c.now)); !got.Equal(t0.Add(c.want)) {
			t.Errorf("event %d asked for at +%s: slot +%s, want +%s", i, c.now, got.Sub(t0), c.want)
		}
	}
}

// TestPacerWait: a zero gap never waits, a wait returns no earlier than
// its slot, and a cancelled context ends a wait.
func TestPacerWait(t *testing.T) {
	var zero pacer
	if err := zero.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !zero.next.IsZero() {
		t.Errorf("a zero gap reserved a slot: %s", zero.next)
	}
	const gap = 20 * time.Millisecond
	p := pacer{gap: gap}
	start := time.Now() // no slot can be earlier
	for i := range 4 {
		if err := p.wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		slot := start.Add(time.Duration(i) * gap)
		if early := slot.Sub(time.Now()); early > slotEarly {
			t.Errorf("wait %d returned %s before its slot", i, early)
		}
	}
	slow := pacer{gap: time.Hour}
	_ = slow.wait(context.Background()) // takes the first slot at once
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := slow.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait = %v", err)
	}
}
