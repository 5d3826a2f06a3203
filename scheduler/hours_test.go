package scheduler_test

import (
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/scheduler"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at reads a wall-clock time "2006-01-02 15:04" in loc.
func at(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNext(t *testing.T) {
	allWeek := []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	tests := []struct {
		name  string
		zone  string
		hours scheduler.Hours
		t     string // local wall clock
		want  string // local wall clock
		utc   string // want, in UTC, where the offset matters
	}{
		{name: "before work", zone: "Europe/London", t: "2026-03-03 08:00", want: "2026-03-03 09:00"},
		{name: "at start", zone: "Europe/London", t: "2026-03-03 09:00", want: "2026-03-03 09:00"},
		{name: "inside", zone: "Europe/London", t: "2026-03-03 16:59", want: "2026-03-03 16:59"},
		{name: "at end", zone: "Europe/London", t: "2026-03-03 17:00", want: "2026-03-04 09:00"},
		{name: "night", zone: "Europe/London", t: "2026-03-03 23:30", want: "2026-03-04 09:00"},
		{name: "friday evening", zone: "Europe/London", t: "2026-03-06 17:30", want: "2026-03-09 09:00"},
		{name: "weekend", zone: "Europe/London", t: "2026-03-07 11:00", want: "2026-03-09 09:00"},
		{name: "London clocks go forward", zone: "Europe/London", t: "2026-03-27 18:00", want: "2026-03-30 09:00", utc: "2026-03-30 08:00"},
		{name: "London clocks go back", zone: "Europe/London", t: "2026-10-24 12:00", want: "2026-10-26 09:00", utc: "2026-10-26 09:00"},
		{name: "New York clocks go forward", zone: "America/New_York", t: "2026-03-07 10:00", want: "2026-03-09 09:00", utc: "2026-03-09 13:00"},
		{name: "New York clocks go back", zone: "America/New_York", t: "2026-10-30 17:30", want: "2026-11-02 09:00", utc: "2026-11-02 14:00"},
		{
			name: "on the day London clocks go forward", zone: "Europe/London", t: "2026-03-29 05:00", want: "2026-03-29 09:00", utc: "2026-03-29 08:00",
			hours: scheduler.Hours{Weekdays: allWeek},
		},
		{
			name: "on the day Auckland clocks go back", zone: "Pacific/Auckland", t: "2026-04-05 01:00", want: "2026-04-05 09:00", utc: "2026-04-04 21:00",
			hours: scheduler.Hours{Weekdays: allWeek},
		},
		{name: "Kolkata half hour", zone: "Asia/Kolkata", t: "2026-03-02 08:59", want: "2026-03-02 09:00", utc: "2026-03-02 03:30"},
		{name: "Kolkata evening", zone: "Asia/Kolkata", t: "2026-03-02 17:00", want: "2026-03-03 09:00", utc: "2026-03-03 03:30"},
		{name: "Auckland clocks go back", zone: "Pacific/Auckland", t: "2026-04-03 17:00", want: "2026-04-06 09:00", utc: "2026-04-05 21:00"},
		{name: "Auckland clocks go forward", zone: "Pacific/Auckland", t: "2026-09-25 17:00", want: "2026-09-28 09:00", utc: "2026-09-27 20:00"},
		{
			name: "holidays and a weekend", zone: "Europe/London", t: "2026-12-24 17:00", want: "2026-12-29 09:00",
			hours: scheduler.Hours{Holidays: []string{"2026-12-25", "2026-12-28"}},
		},
		{
			name: "on a holiday", zone: "Europe/London", t: "2026-12-25 10:00", want: "2026-12-29 09:00",
			hours: scheduler.Hours{Holidays: []string{"2026-12-25", "2026-12-28"}},
		},
		{
			name: "holiday is local", zone: "Pacific/Auckland", t: "2026-12-24 17:00", want: "2026-12-28 09:00",
			hours: scheduler.Hours{Holidays: []string{"2026-12-25"}},
		},
		{
			name: "sunday to thursday", zone: "Asia/Dubai", t: "2026-03-06 10:00", want: "2026-03-08 09:00",
			hours: scheduler.Hours{Weekdays: []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday}},
		},
		{
			name: "start skipped by clocks going forward", zone: "America/New_York", t: "2026-03-08 00:00", want: "2026-03-08 03:00", utc: "2026-03-08 07:00",
			hours: scheduler.Hours{Start: 2*time.Hour + 30*time.Minute, End: 10 * time.Hour, Weekdays: allWeek},
		},
		{
			name: "start in the repeated hour", zone: "America/New_York", t: "2026-11-01 00:00", want: "2026-11-01 01:30", utc: "2026-11-01 05:30",
			hours: scheduler.Hours{Start: 90 * time.Minute, End: 10 * time.Hour, Weekdays: allWeek},
		},
		{
			name: "all day every day", zone: "Asia/Kolkata", t: "2026-03-07 03:17", want: "2026-03-07 03:17",
			hours: scheduler.Hours{Start: 0, End: 24 * time.Hour, Weekdays: allWeek},
		},
		{
			name: "night shift", zone: "UTC", t: "2026-03-03 07:00", want: "2026-03-04 00:00",
			hours: scheduler.Hours{Start: 0, End: 6 * time.Hour},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := zone(t, tt.zone)
			got := tt.hours.Next(at(t, loc, tt.t), loc)
			if want := at(t, loc, tt.want); !got.Equal(want) {
				t.Errorf("Next(%s) = %s, want %s", tt.t, got.In(loc), want)
			}
			if tt.utc != "" && !got.Equal(at(t, time.UTC, tt.utc)) {
				t.Errorf("Next(%s) = %s UTC, want %s UTC", tt.t, got.UTC(), tt.utc)
			}
		})
	}
}

func TestNextRepeatedHour(t *testing.T) {
	// 01:10 on the second pass through the repeated hour: the clock
	// reaches 01:30 again twenty minutes later.
	loc := zone(t, "America/New_York")
	h := scheduler.Hours{Start: 90 * time.Minute, End: 10 * time.Hour, Weekdays: []time.Weekday{time.Sunday}}
	second := at(t, time.UTC, "2026-11-01 06:10") // 01:10 EST
	if got, want := h.Next(second, loc), at(t, time.UTC, "2026-11-01 06:30"); !got.Equal(want) {
		t.Errorf("Next = %s, want %s", got.In(loc), want.In(loc))
	}
}

func TestNextNilLocationIsUTC(t *testing.T) {
	got := scheduler.Hours{}.Next(at(t, time.UTC, "2026-03-03 05:00"), nil)
	if want := at(t, time.UTC, "2026-03-03 09:00"); !got.Equal(want) {
		t.Errorf("Next = %s, want %s", got, want)
	}
}

func TestNextDay(t *testing.T) {
	ny := zone(t, "America/New_York")
	tests := []struct{ t, want string }{
		{"2026-03-06 10:00", "2026-03-09 09:00"}, // Friday, over a DST change
		{"2026-03-09 08:00", "2026-03-10 09:00"}, // before work: still the next day
		{"2026-03-09 23:59", "2026-03-10 09:00"},
	}
	for _, tt := range tests {
		got := scheduler.Hours{}.NextDay(at(t, ny, tt.t), ny)
		if want := at(t, ny, tt.want); !got.Equal(want) {
			t.Errorf("NextDay(%s) = %s, want %s", tt.t, got.In(ny), want)
		}
	}
}

func TestValidate(t *testing.T) {
	bad := map[string]scheduler.Hours{
		"end before start": {Start: 17 * time.Hour, End: 9 * time.Hour},
		"empty day":        {Start: 9 * time.Hour, End: 9 * time.Hour},
		"past midnight":    {Start: 9 * time.Hour, End: 25 * time.Hour},
		"no such weekday":  {Weekdays: []time.Weekday{7}},
		"bad holiday":      {Holidays: []string{"25/12/2026"}},
	}
	for name, h := range bad {
		if err := h.Validate(); err == nil {
			t.Errorf("%s: Validate(%+v) = nil, want an error", name, h)
		}
	}
	if err := (scheduler.Hours{}).Validate(); err != nil {
		t.Errorf("zero Hours: %v", err)
	}
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestHoursFromEnv(t *testing.T) {
	weekdays := func(ds ...time.Weekday) []time.Weekday { return ds }
	tests := []struct {
		env  map[string]string
		want scheduler.Hours
	}{
		{nil, scheduler.Hours{}},
		{map[string]string{"WORK_HOURS": "08:30-16:45"}, scheduler.Hours{Start: 8*time.Hour + 30*time.Minute, End: 16*time.Hour + 45*time.Minute}},
		{map[string]string{"WORK_HOURS": "00:00-24:00"}, scheduler.Hours{Start: 0, End: 24 * time.Hour}},
		{map[string]string{"WORK_DAYS": "mon-fri"}, scheduler.Hours{Weekdays: weekdays(1, 2, 3, 4, 5)}},
		{map[string]string{"WORK_DAYS": "Sun-Thu"}, scheduler.Hours{Weekdays: weekdays(0, 1, 2, 3, 4)}},
		{map[string]string{"WORK_DAYS": "mon, tue,thursday"}, scheduler.Hours{Weekdays: weekdays(1, 2, 4)}},
		{map[string]string{"WORK_DAYS": "fri-mon"}, scheduler.Hours{Weekdays: weekdays(0, 1, 5, 6)}},
		{map[string]string{"WORK_DAYS": "mon-wed,fri"}, scheduler.Hours{Weekdays: weekdays(1, 2, 3, 5)}},
		{map[string]string{"HOLIDAYS": "2026-12-25, 2027-01-01,"}, scheduler.Hours{Holidays: []string{"2026-12-25", "2027-01-01"}}},
	}
	for _, tt := range tests {
		got, err := scheduler.HoursFromEnv(env(tt.env))
		if err != nil {
			t.Errorf("%v: %v", tt.env, err)
			continue
		}
		if got.Start != tt.want.Start || got.End != tt.want.End || !equal(got.Weekdays, tt.want.Weekdays) || !equal(got.Holidays, tt.want.Holidays) {
			t.Errorf("%v: got %+v, want %+v", tt.env, got, tt.want)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("%v: %v", tt.env, err)
		}
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestHoursFromEnvErrors(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want []string // in the message
	}{
		{map[string]string{"WORK_HOURS": "9-5"}, []string{"WORK_HOURS", `"9"`, "09:00"}},
		{map[string]string{"WORK_HOURS": "09:00"}, []string{"WORK_HOURS", "09:00-17:00"}},
		{map[string]string{"WORK_HOURS": "17:00-09:00"}, []string{"WORK_HOURS", "end after it starts"}},
		{map[string]string{"WORK_HOURS": "09:00-24:30"}, []string{"WORK_HOURS", `"24:30"`}},
		{map[string]string{"WORK_HOURS": "09:60-17:00"}, []string{"WORK_HOURS", `"09:60"`}},
		{map[string]string{"WORK_HOURS": "+9:00-17:00"}, []string{"WORK_HOURS"}},
		{map[string]string{"WORK_DAYS": "mon-fry"}, []string{"WORK_DAYS", `"fry"`, "mon, tue"}},
		{map[string]string{"WORK_DAYS": "monkey"}, []string{"WORK_DAYS", `"monkey"`}},
		{map[string]string{"WORK_DAYS": ","}, []string{"WORK_DAYS", "no working days"}},
		{map[string]string{"HOLIDAYS": "2026-12-25,2026-02-30"}, []string{"HOLIDAYS", `"2026-02-30"`}},
		{
			map[string]string{"WORK_HOURS": "late", "WORK_DAYS": "someday", "HOLIDAYS": "xmas"},
			[]string{"WORK_HOURS", "WORK_DAYS", "HOLIDAYS"},
		},
	}
	for _, tt := range tests {
		_, err := scheduler.HoursFromEnv(env(tt.env))
		if err == nil {
			t.Errorf("%v: no error", tt.env)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q does not mention %s", tt.env, err, w)
			}
		}
	}
}
