package scheduler_test

import (
	"testing"
	"time"

	"github.com/learnpact/learnpact/scheduler"
	"github.com/learnpact/learnpact/storage"
)

// TestHeldUntilLocalTime: an item meant for 09:00 on a date reaches people
// at 09:00 of that date in their own zone, east or west of UTC, although
// the store holds it from the earliest zone's 09:00.
func TestHeldUntilLocalTime(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) storage.DueStore) {
		sgp, la := zone(t, "Asia/Singapore"), zone(t, "America/Los_Angeles")
		wall := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC) // Tuesday 09:00, as a wall-clock time
		start := wall.Add(-scheduler.Early)
		f := newFixture(t, open(t), start, map[string]*time.Location{"USGP": sgp, "ULA": la}, nil)
		east, west := item("c1", "checkin", "USGP"), item("c2", "checkin", "ULA")
		east.Local, west.Local = wall.Format(scheduler.LocalLayout), wall.Format(scheduler.LocalLayout)
		schedule(t, f.due, start, east, west)

		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 2, Deferred: 2})
		f.clock.Set(at(t, sgp, "2026-03-03 08:59"))
		wantStats(t, sweep(t, f.s), scheduler.Stats{})
		f.clock.Set(at(t, sgp, "2026-03-03 09:00"))
		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Sent: 1})
		f.clock.Set(at(t, la, "2026-03-03 08:59"))
		wantStats(t, sweep(t, f.s), scheduler.Stats{})
		f.clock.Set(at(t, la, "2026-03-03 09:00"))
		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Sent: 1})
		turns := f.rec.Turns()
		if len(turns) != 2 || turns[0].Input.User != "USGP" || turns[1].Input.User != "ULA" {
			t.Fatalf("turns = %+v", turns)
		}
	})
}
