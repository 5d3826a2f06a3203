package scheduler_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/learnpact/learnpact/scheduler"
)

// propZones have half-hour and 45-minute offsets, 30-minute DST shifts,
// DST at midnight (Santiago, São Paulo until 2019) and a skipped day
// (Apia, 2011-12-30).
var propZones = []string{
	"UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Pacific/Auckland",
	"Australia/Lord_Howe", "Pacific/Chatham", "America/Sao_Paulo", "America/Santiago",
	"Asia/Tehran", "Pacific/Apia",
}

// insideWorkingHours is an independent reading of what Hours means.
func insideWorkingHours(h scheduler.Hours, t time.Time, loc *time.Location) bool {
	if h.Start == 0 && h.End == 0 {
		h.Start, h.End = 9*time.Hour, 17*time.Hour
	}
	days := h.Weekdays
	if len(days) == 0 {
		days = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	lt := t.In(loc)
	w := time.Duration(lt.Hour())*time.Hour + time.Duration(lt.Minute())*time.Minute +
		time.Duration(lt.Second())*time.Second + time.Duration(lt.Nanosecond())
	return slices.Contains(days, lt.Weekday()) &&
		!slices.Contains(h.Holidays, lt.Format(time.DateOnly)) &&
		w >= h.Start && w < h.End
}

// checkNext checks Next's properties at t: never earlier than t, inside
// working hours, a fixed point, t itself when t is inside, when the clocks
// do not change in between, nothing inside just before it, and no working
// day skipped: no local date from t's to Next's opens a window in between.
func checkNext(tb testing.TB, h scheduler.Hours, t time.Time, loc *time.Location) {
	tb.Helper()
	n := h.Next(t, loc)
	fail := func(format string, args ...any) {
		tb.Helper()
		tb.Fatalf("hours %+v in %s, t=%s (%s): Next=%s: "+format,
			append([]any{h, loc, t.In(loc), t.UTC(), n.In(loc)}, args...)...)
	}
	if n.Before(t) {
		fail("before t")
	}
	if !insideWorkingHours(h, n, loc) {
		fail("outside working hours")
	}
	if again := h.Next(n, loc); !again.Equal(n) {
		fail("Next(Next) = %s", again.In(loc))
	}
	if insideWorkingHours(h, t, loc) && !n.Equal(t) {
		fail("t is inside working hours")
	}
	if prev := n.Add(-time.Nanosecond); !n.Equal(t) && !prev.Before(t) {
		if _, change := t.In(loc).ZoneBounds(); (change.IsZero() || change.After(n)) && insideWorkingHours(h, prev, loc) {
			fail("%s is inside working hours already", prev.In(loc))
		}
	}
	if s, ok := skippedWindow(h, t, n, loc); ok {
		fail("a working window opens before it, at %s", s.In(loc))
	}
}

// skippedWindow looks, date by local date from t's to n's, for a working
// window that opens (by the wall clock) after t and before n.
func skippedWindow(h scheduler.Hours, t, n time.Time, loc *time.Location) (time.Time, bool) {
	start := h.Start
	if h.Start == 0 && h.End == 0 {
		start = 9 * time.Hour
	}
	y, m, d := t.In(loc).Date()
	for day := time.Date(y, m, d, 12, 0, 0, 0, loc); !day.After(n.Add(24 * time.Hour)); day = day.AddDate(0, 0, 1) {
		dy, dm, dd := day.Date()
		s := time.Date(dy, dm, dd, 0, 0, 0, int(start), loc)
		if s.After(t) && s.Before(n) && insideWorkingHours(h, s, loc) {
			return s, true
		}
	}
	return time.Time{}, false
}

// randomHours returns valid hours, at minutes or at any nanosecond.
func randomHours(r *rand.Rand, t time.Time, loc *time.Location) scheduler.Hours {
	var h scheduler.Hours
	if r.IntN(8) > 0 {
		unit := time.Minute
		if r.IntN(4) == 0 {
			unit = time.Nanosecond
		}
		day := int64(24 * time.Hour / unit)
		start := r.Int64N(day)
		h.Start = time.Duration(start) * unit
		h.End = time.Duration(start+1+r.Int64N(day-start)) * unit
	}
	if r.IntN(4) > 0 {
		for d := range time.Weekday(7) {
			if r.IntN(2) == 0 {
				h.Weekdays = append(h.Weekdays, d)
			}
		}
	}
	for range r.IntN(4) {
		h.Holidays = append(h.Holidays, t.In(loc).AddDate(0, 0, r.IntN(12)-2).Format(time.DateOnly))
	}
	return h
}

func TestNextProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(20260303, 1))
	lo := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	hi := time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for range n {
		loc := zone(t, propZones[r.IntN(len(propZones))])
		tm := time.Unix(0, lo+r.Int64N(hi-lo))
		if r.IntN(2) == 0 {
			// Close to a change of the clocks, where mistakes live.
			if _, change := tm.In(loc).ZoneBounds(); !change.IsZero() {
				tm = change.Add(time.Duration(r.Int64N(int64(52*time.Hour))) - 26*time.Hour)
			}
		}
		checkNext(t, randomHours(r, tm, loc), tm, loc)
	}
}

func FuzzNext(f *testing.F) {
	f.Add(time.Date(2026, 3, 8, 6, 30, 0, 0, time.UTC).UnixNano(), uint8(2), uint32(150), uint32(450), uint8(0x7f), int8(-1))
	f.Add(time.Date(2026, 11, 1, 6, 10, 0, 0, time.UTC).UnixNano(), uint8(2), uint32(90), uint32(600), uint8(0x01), int8(-1))
	f.Add(time.Date(2026, 4, 5, 13, 0, 0, 0, time.UTC).UnixNano(), uint8(4), uint32(0), uint32(0), uint8(0), int8(1))
	f.Add(time.Date(2011, 12, 29, 20, 0, 0, 0, time.UTC).UnixNano(), uint8(10), uint32(540), uint32(480), uint8(0x3e), int8(-1))
	f.Fuzz(func(t *testing.T, unixNano int64, zi uint8, startMin, lenMin uint32, days uint8, holiday int8) {
		loc := zone(t, propZones[int(zi)%len(propZones)])
		tm := time.Unix(0, unixNano)
		if y := tm.Year(); y < 1900 || y > 2200 {
			t.Skip("outside the years of interest")
		}
		var h scheduler.Hours
		if startMin != 0 || lenMin != 0 {
			h.Start = time.Duration(startMin%(24*60)) * time.Minute
			h.End = h.Start + time.Duration(1+lenMin%(24*60-uint32(h.Start/time.Minute)))*time.Minute
		}
		for d := range time.Weekday(7) {
			if days&(1<<d) != 0 {
				h.Weekdays = append(h.Weekdays, d)
			}
		}
		if holiday >= 0 {
			h.Holidays = []string{tm.In(loc).AddDate(0, 0, int(holiday%10)).Format(time.DateOnly)}
		}
		if err := h.Validate(); err != nil {
			t.Fatalf("invalid hours from fuzz input: %v", err)
		}
		checkNext(t, h, tm, loc)
	})
}
