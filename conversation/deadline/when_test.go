package deadline

import (
	"testing"
	"time"

	"github.com/olebedev/when"
)

// TestWhenQuirks pins the behaviour of github.com/olebedev/when that this
// package works around. If it fails after an upgrade, when has changed:
// revisit which expressions deadline.go reads itself.
func TestWhenQuirks(t *testing.T) {
	jan31 := time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)
	nov15 := time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		why  string
		in   string
		now  time.Time
		want string // the date when returns
	}{
		{"months wrap around the year, backwards", "in 1 month", nov15, "2025-12-15"},
		{"months overflow the day", "in 1 month", jan31, "2026-03-03"},
		{"month names keep the current year", "march 20", nov15, "2026-03-20"},
		{"month names overflow the day", "feb 20", jan31, "2026-03-20"},
		{"a year after a month name is ignored", "march 20 2027", jan31, "2026-03-20"},
		{"ISO dates read as a time of day", "2027-03-20", jan31, "2026-01-31"},
		{"a later month without a year is dropped", "20/6", jan31, "2026-01-31"},
		{"impossible days roll over", "march 45", jan31, "2026-04-14"},
		{"a weekday inside a sentence counts", "I sat down", jan31, "2026-02-07"},
	} {
		r, err := when.EN.Parse(tc.in, tc.now)
		if err != nil || r == nil {
			t.Errorf("%s: when.EN.Parse(%q) = %v, %v", tc.why, tc.in, r, err)
			continue
		}
		if got := r.Time.Format(time.DateOnly); got != tc.want {
			t.Errorf("%s: when.EN.Parse(%q) = %s, want %s", tc.why, tc.in, got, tc.want)
		}
	}
}
