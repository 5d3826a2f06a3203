package scheduler

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Hours are the times nudges may be sent, read in each recipient's time
// zone. The zero value means 09:00–17:00, Monday to Friday.
type Hours struct {
	// Start and End bound the working day as wall-clock times since local
	// midnight, 0 ≤ Start < End ≤ 24h. Both zero mean 9h and 17h.
	Start, End time.Duration
	// Weekdays are the working days; Monday to Friday when empty.
	Weekdays []time.Weekday
	// Holidays are local dates without working hours, as "2026-12-25".
	Holidays []string
}

// searchDays bounds the search for a working day: two years, so that a
// year of holidays cannot hide the next one.
const searchDays = 2*366 + 7

// Validate reports hours that Next cannot honour.
func (h Hours) Validate() error {
	h = h.withDefaults()
	var errs []error
	if h.Start < 0 || h.End > 24*time.Hour || h.Start >= h.End {
		errs = append(errs, fmt.Errorf("working hours %s–%s: want 0 ≤ start < end ≤ 24h", h.Start, h.End))
	}
	for _, d := range h.Weekdays {
		if d < time.Sunday || d > time.Saturday {
			errs = append(errs, fmt.Errorf("working days: %d is not a weekday", d))
		}
	}
	for _, d := range h.Holidays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			errs = append(errs, fmt.Errorf("holiday %q: want a date like 2026-12-25", d))
		}
	}
	return errors.Join(errs...)
}

func (h Hours) withDefaults() Hours {
	if h.Start == 0 && h.End == 0 {
		h.Start, h.End = 9*time.Hour, 17*time.Hour
	}
	if len(h.Weekdays) == 0 {
		h.Weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	return h
}

// Next returns t when t is within working hours in loc (UTC when nil),
// and otherwise the start of the next working window. Windows follow the
// local wall clock across daylight-saving changes; a window whose start
// falls in the hour skipped when clocks go forward opens when they have.
// When no working day comes within two years (holidays cover them all),
// Next returns t.
func (h Hours) Next(t time.Time, loc *time.Location) time.Time {
	h = h.withDefaults()
	if loc == nil {
		loc = time.UTC
	}
	if h.inside(t, loc) {
		return t
	}
	lt := t.In(loc)
	y, m, d := lt.Date()
	if s, ok := h.windowStart(y, m, d, loc); ok && !s.Before(t) {
		return s
	}
	if w := wall(lt); w < h.Start {
		// Today's window opened before t by the clock, yet t reads
		// earlier: clocks went back in between, and will reach the start
		// again.
		if s := t.Add(h.Start - w); h.inside(s, loc) {
			return s
		}
	}
	for i := 1; i < searchDays; i++ {
		if s, ok := h.windowStart(y, m, d+i, loc); ok && !s.Before(t) {
			return s
		}
	}
	return t
}

// NextDay returns the start of the first working window on a local date
// after t's in loc (UTC when nil), or t when there is none within two
// years.
func (h Hours) NextDay(t time.Time, loc *time.Location) time.Time {
	h = h.withDefaults()
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := t.In(loc).Date()
	for i := 1; i < searchDays; i++ {
		if s, ok := h.windowStart(y, m, d+i, loc); ok && s.After(t) {
			return s
		}
	}
	return t
}

// windowStart returns the first instant of the working window on a local
// date (normalised as time.Date does), and false when that date has none.
func (h Hours) windowStart(y int, m time.Month, d int, loc *time.Location) (time.Time, bool) {
	// time.Date normalises the nanoseconds into a wall-clock time.
	s := time.Date(y, m, d, 0, 0, 0, int(h.Start), loc)
	if naive(s.In(loc)).Before(time.Date(y, m, d, 0, 0, 0, int(h.Start), time.UTC)) {
		// The start was skipped when clocks went forward, and time.Date
		// read it with the earlier offset: the window opens at the change.
		_, s = s.ZoneBounds()
	}
	return s, h.inside(s, loc)
}

// inside reports whether t falls on a working day within working hours,
// on the wall clock in loc.
func (h Hours) inside(t time.Time, loc *time.Location) bool {
	lt := t.In(loc)
	w := wall(lt)
	return w >= h.Start && w < h.End &&
		slices.Contains(h.Weekdays, lt.Weekday()) &&
		!slices.Contains(h.Holidays, lt.Format(time.DateOnly))
}

// naive returns t's wall-clock date and time as if in UTC, for comparing
// wall-clock readings.
func naive(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// wall returns the wall-clock time of t since its midnight.
func wall(t time.Time) time.Duration {
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
		time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
}

// HoursFromEnv reads working hours from the environment:
//
//	WORK_HOURS  "09:00-17:00" (the default)
//	WORK_DAYS   "mon-fri" (the default), "mon,tue,thu", "sun-thu", "mon-wed,fri"
//	HOLIDAYS    "2026-12-25,2027-01-01" (none by default)
//
// An error names each variable that is wrong and what it should look like.
func HoursFromEnv(getenv func(string) string) (Hours, error) {
	var h Hours
	var errs []error
	if v := strings.TrimSpace(getenv("WORK_HOURS")); v != "" {
		start, end, err := parseWorkHours(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("WORK_HOURS=%q: %w", v, err))
		}
		h.Start, h.End = start, end
	}
	if v := strings.TrimSpace(getenv("WORK_DAYS")); v != "" {
		days, err := parseWorkDays(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("WORK_DAYS=%q: %w", v, err))
		}
		h.Weekdays = days
	}
	if v := strings.TrimSpace(getenv("HOLIDAYS")); v != "" {
		for d := range strings.SplitSeq(v, ",") {
			d = strings.TrimSpace(d)
			if d == "" {
				continue
			}
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				errs = append(errs, fmt.Errorf("HOLIDAYS=%q: %q is not a date like 2026-12-25", v, d))
				continue
			}
			h.Holidays = append(h.Holidays, d)
		}
	}
	if len(errs) > 0 {
		return Hours{}, errors.Join(errs...)
	}
	return h, nil
}

func parseWorkHours(v string) (start, end time.Duration, err error) {
	a, b, ok := strings.Cut(v, "-")
	if !ok {
		return 0, 0, errors.New("want a range like 09:00-17:00")
	}
	if start, err = parseClock(a); err != nil {
		return 0, 0, err
	}
	if end, err = parseClock(b); err != nil {
		return 0, 0, err
	}
	if start >= end {
		return 0, 0, errors.New("the working day must end after it starts, on the same day (at the latest 24:00)")
	}
	return start, end, nil
}

// parseClock reads "HH:MM", 00:00 to 24:00.
func parseClock(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a time like 09:00 (00:00 to 24:00)", s)
	if len(s) != 5 || s[2] != ':' {
		return 0, bad
	}
	digits := []byte{s[0], s[1], s[3], s[4]}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, bad
		}
	}
	hh := int(digits[0]-'0')*10 + int(digits[1]-'0')
	mm := int(digits[2]-'0')*10 + int(digits[3]-'0')
	if mm > 59 || hh*60+mm > 24*60 {
		return 0, bad
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// parseWorkDays reads a comma-separated list of days and ranges of days
// ("mon-fri"; a range may wrap round the week, "fri-mon").
func parseWorkDays(v string) ([]time.Weekday, error) {
	var set [7]bool
	for part := range strings.SplitSeq(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		a, b, isRange := strings.Cut(part, "-")
		from, err := parseDay(a)
		if err != nil {
			return nil, err
		}
		to := from
		if isRange {
			if to, err = parseDay(b); err != nil {
				return nil, err
			}
		}
		for d := from; ; d = (d + 1) % 7 {
			set[d] = true
			if d == to {
				break
			}
		}
	}
	var days []time.Weekday
	for d, ok := range set {
		if ok {
			days = append(days, time.Weekday(d))
		}
	}
	if len(days) == 0 {
		return nil, errors.New("no working days given; want days like mon-fri or mon,tue,wed")
	}
	return days, nil
}

// parseDay reads a day's name: "mon", "Monday", "MON".
func parseDay(s string) (time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) >= 3 {
		if d, ok := dayNames[s[:3]]; ok && (len(s) == 3 || s == strings.ToLower(d.String())) {
			return d, nil
		}
	}
	return 0, fmt.Errorf("%q is not a day; use mon, tue, wed, thu, fri, sat or sun", s)
}
