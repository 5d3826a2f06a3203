// Package deadline reads a contract deadline written in plain language
// ("in 6 weeks", "next Friday", "end of June", "friday 29 jan", "end of Q1",
// "2027-03-20") relative to a given moment. Only the calendar day counts: results are dates at 00:00 UTC.
//
// Weekdays, "tomorrow" and "in N days/weeks" go to github.com/olebedev/when.
// Its month arithmetic, month-name dates and slash dates are unreliable (see
// when_test.go), so months, years, "end of …", month names and numeric dates
// are read here; month names still use when's matcher for the words.
//
// Numeric dates are day-first ("05/03/2027" is 5 March), as in most of the
// world; they are read month-first only when the first number cannot be a
// month and the second can ("03/20/2027" is 20 March). A month name with no
// day ("June", "end of June") means the last day of that month. A date with no
// year means its next occurrence after today, and a weekday ("Friday", "next
// Friday") the first one after today. A weekday before a date ("friday 29
// jan") must be that date's weekday (else ErrWeekday). A quarter ("end of Q1",
// "Q3 2027") means its last day, the next one to end after today when no year
// is given.
package deadline

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/olebedev/when"
	"github.com/olebedev/when/rules"
	"github.com/olebedev/when/rules/en"
)

var (
	// ErrUnknown means the text could not be read as a date.
	ErrUnknown = errors.New("deadline: could not read a date")
	// ErrPast means the date is today or earlier.
	ErrPast = errors.New("deadline: date is not after today")
	// ErrTooFar means the date is more than two years after today.
	ErrTooFar = errors.New("deadline: date is more than two years away")
	// ErrWeekday means a weekday was named with a date that falls on
	// another day (see WeekdayError).
	ErrWeekday = errors.New("deadline: the weekday does not match the date")
)

// WeekdayError is the error for a date named with the wrong weekday
// ("friday 28 jan" when 28 January is a Thursday); it matches ErrWeekday.
type WeekdayError struct {
	Date  time.Time    // the date that was read
	Named time.Weekday // the weekday that was typed
}

func (e *WeekdayError) Error() string {
	return "deadline: " + e.Date.Format(time.DateOnly) + " is a " + e.Date.Weekday().String() + ", not a " + e.Named.String()
}

// Is makes a WeekdayError match ErrWeekday.
func (e *WeekdayError) Is(target error) bool { return target == ErrWeekday }

// Weekend reports whether d falls on a Saturday or a Sunday.
func Weekend(d time.Time) bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

const (
	maxInput  = 200 // longer text is not a date
	maxMonths = 24  // the furthest deadline, in months from today
)

// Parse reads a deadline relative to now in loc (UTC when nil) and returns
// the date at 00:00 UTC of that calendar day. The date must be after today
// (else ErrPast) and at most two calendar years on (else ErrTooFar; from
// 29 February that is 28 February). Text it can't read gives ErrUnknown.
func Parse(text string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	if len(text) > maxInput {
		return time.Time{}, ErrUnknown
	}
	today := dateOf(now.In(loc))
	s := normalize(text)
	d, ok := read(s, today)
	if !ok {
		// "friday 29 jan": the date, then a check of its weekday.
		if named, rest, cut := cutWeekday(s); cut {
			if d, ok = read(rest, today); ok && d.Weekday() != named {
				return time.Time{}, &WeekdayError{Date: d, Named: named}
			}
		}
	}
	switch {
	case !ok:
		return time.Time{}, ErrUnknown
	case !d.After(today):
		return time.Time{}, ErrPast
	case d.After(addMonths(today, maxMonths)):
		return time.Time{}, ErrTooFar
	}
	return d, nil
}

// Examples returns short deadlines, computed from now, that Parse accepts.
func Examples(now time.Time) []string {
	today := dateOf(now)
	md := time.Date(today.Year(), today.Month()+3, 20, 0, 0, 0, 0, time.UTC)
	iso := time.Date(today.Year(), today.Month()+6, 20, 0, 0, 0, 0, time.UTC)
	return []string{"in 6 weeks", md.Format("January 2"), iso.Format(time.DateOnly)}
}

var (
	isoDate     = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$`)
	numericDate = regexp.MustCompile(`^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}|\d{2}))?$`)
	endOfPeriod = regexp.MustCompile(`^end of (?:the |this )?(next )?(month|quarter|year)$`)
	quarter     = regexp.MustCompile(`^(?:(?:the )?end of )?(?:the )?(?:q([1-4])|([1-4])(?:st|nd|rd|th) quarter|(first|second|third|fourth|last) quarter)(?: of)?(?: (\d{4}))?$`)
	weekdayDate = regexp.MustCompile(`^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday) (?:the )?(\d.*|[a-z]+ \d.*)$`)
	inMonths    = regexp.MustCompile(`^(?:in |within )?(\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few) (months?|years?)( ago)?$`)
	bareCount   = regexp.MustCompile(`^(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few) (?:days?|weeks?|months?|years?)$`)
	trailYear   = regexp.MustCompile(`^(.*?) (\d{4})$`)
	longNumber  = regexp.MustCompile(`\d{5}`)

	monthDate = en.ExactMonthDate(rules.Override)
	casual    = newCasual()
)

// newCasual is when's English parser without the rules read here instead.
func newCasual() *when.Parser {
	p := when.New(nil)
	p.Add(
		en.Weekday(rules.Override),
		en.CasualDate(rules.Override),
		en.CasualTime(rules.Override),
		en.Hour(rules.Override),
		en.HourMinute(rules.Override),
		en.Deadline(rules.Override),
		en.PastTime(rules.Override),
	)
	return p
}

var (
	leadingWords  = []string{"by ", "before ", "until ", "till ", "on ", "due ", "around ", "no later than ", "the "}
	trailingWords = []string{" at the latest", " from now", " from today", " time"}
)

// normalize lower-cases text, drops punctuation that carries no date and
// filler such as "by" or "from now".
func normalize(text string) string {
	s := strings.ToLower(text)
	s = strings.NewReplacer(",", " ", "'", "", "’", "", "half a year", "6 months").Replace(s)
	s = strings.TrimRight(strings.TrimSpace(s), ".!?")
	s = strings.Join(strings.Fields(s), " ")
	for trimmed := true; trimmed; {
		trimmed = false
		for _, w := range leadingWords {
			if t, ok := strings.CutPrefix(s, w); ok {
				s, trimmed = t, true
			}
		}
		for _, w := range trailingWords {
			if t, ok := strings.CutSuffix(s, w); ok {
				s, trimmed = t, true
			}
		}
	}
	if bareCount.MatchString(s) {
		s = "in " + s // "6 weeks" reads as "in 6 weeks"
	}
	return s
}

// read turns normalized text into a date, or reports that it can't.
func read(s string, today time.Time) (time.Time, bool) {
	if s == "" || longNumber.MatchString(s) {
		return time.Time{}, false
	}
	if m := isoDate.FindStringSubmatch(s); m != nil {
		return date(atoi(m[1]), atoi(m[2]), atoi(m[3]))
	}
	if m := numericDate.FindStringSubmatch(s); m != nil {
		return readNumeric(m, today)
	}
	if m := endOfPeriod.FindStringSubmatch(s); m != nil {
		return endOf(m[2], m[1] != "", today), true
	}
	if m := quarter.FindStringSubmatch(s); m != nil {
		return readQuarter(m, today), true
	}
	if m := inMonths.FindStringSubmatch(s); m != nil {
		return readMonths(m, today), true
	}
	if rest, ok := strings.CutPrefix(s, "end of "); ok {
		return readMonthName(rest, true, today)
	}
	if d, ok := readMonthName(s, false, today); ok {
		return d, ok
	}
	return readCasual(s, today)
}

// weekdays are the names of days a date may start with ("fri 29 jan").
var weekdays = map[string]time.Weekday{
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
	"sun": time.Sunday, "sunday": time.Sunday,
}

// cutWeekday takes a weekday off the front of a date that has a day number
// ("friday 29 jan", "fri jan 29", "friday the 29th of january"): the date is
// read without it, then checked against it. A weekday on its own, or before
// other words ("friday next week"), is left for when.
func cutWeekday(s string) (time.Weekday, string, bool) {
	m := weekdayDate.FindStringSubmatch(s)
	if m == nil || !unicode.IsDigit(rune(m[2][0])) && !monthWord[m[2][:3]] {
		return 0, s, false
	}
	return weekdays[m[1]], m[2], true
}

// monthWord holds the first three letters of each month's name.
var monthWord = map[string]bool{"jan": true, "feb": true, "mar": true, "apr": true, "may": true, "jun": true,
	"jul": true, "aug": true, "sep": true, "oct": true, "nov": true, "dec": true}

// quarterNames are quarters written as words.
var quarterNames = map[string]int{"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4}

// readQuarter reads "end of Q1", "Q3 2027" or "the second quarter": the
// quarter's last day, in the year given or else the next time it ends after
// today.
func readQuarter(m []string, today time.Time) time.Time {
	q := atoi(m[1] + m[2])
	if q == 0 {
		q = quarterNames[m[3]]
	}
	month := time.Month(q * 3)
	if m[4] != "" {
		return lastDay(atoi(m[4]), month)
	}
	d := lastDay(today.Year(), month)
	if !d.After(today) {
		d = lastDay(today.Year()+1, month)
	}
	return d
}

// readNumeric reads day/month[/year], month-first only when day-first is
// impossible.
func readNumeric(m []string, today time.Time) (time.Time, bool) {
	day, month := atoi(m[1]), atoi(m[2])
	if month > 12 && day <= 12 {
		day, month = month, day
	}
	if m[3] == "" {
		return next(month, day, today)
	}
	year := atoi(m[3])
	if len(m[3]) == 2 {
		year += 2000
	}
	return date(year, month, day)
}

// readMonths reads "in N months/years" (and "N years ago") on the calendar:
// a month from January 31 is the last day of February.
func readMonths(m []string, today time.Time) time.Time {
	n := count(m[1])
	if strings.HasPrefix(m[2], "year") {
		n *= 12
	}
	if m[3] != "" {
		n = -n
	}
	return addMonths(today, n)
}

// readMonthName reads "March 20", "20th of March", "March 20 2027", "June"
// or "June 2027". A month without a day is its last day; endOf requires that.
func readMonthName(s string, endOf bool, today time.Time) (time.Time, bool) {
	year := 0
	if m := trailYear.FindStringSubmatch(s); m != nil {
		s, year = m[1], atoi(m[2])
	}
	match := monthDate.Find(s)
	if match == nil || !onlyFiller(s, match.Left, match.Right) {
		return time.Time{}, false
	}
	var c rules.Context
	if ok, err := match.Apply(&c, &rules.Options{}, today); !ok || err != nil || c.Month == nil {
		return time.Time{}, false
	}
	month := *c.Month
	switch {
	case endOf && c.Day != nil:
		return time.Time{}, false
	case c.Day == nil && year != 0:
		return lastDay(year, time.Month(month)), true
	case c.Day == nil:
		d := lastDay(today.Year(), time.Month(month))
		if !d.After(today) {
			d = lastDay(today.Year()+1, time.Month(month))
		}
		return d, true
	case year != 0:
		return date(year, month, *c.Day)
	}
	return next(month, *c.Day, today)
}

// readCasual asks when for weekdays, "tomorrow" and "in N days/weeks". The
// reference is midday UTC on today's date, so whole days never cross a
// daylight-saving change.
func readCasual(s string, today time.Time) (time.Time, bool) {
	r, err := casual.Parse(s, today.Add(12*time.Hour))
	if err != nil || r == nil || !onlyFiller(s, r.Index, r.Index+len(r.Text)) {
		return time.Time{}, false
	}
	if strings.Contains(r.Text, "month") || strings.Contains(r.Text, "year") {
		return time.Time{}, false // when wraps months around the year
	}
	return dateOf(r.Time), true
}

// onlyFiller reports whether s outside [left, right) holds no words but
// filler such as "the" or "of".
func onlyFiller(s string, left, right int) bool {
	rest := s[:left] + " " + s[right:]
	for _, w := range strings.FieldsFunc(rest, notAlnum) {
		switch w {
		case "the", "of", "on", "at", "this", "week":
		default:
			return false
		}
	}
	return true
}

func notAlnum(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// endOf returns the last day of today's (or the next) month, quarter or year.
func endOf(period string, following bool, today time.Time) time.Time {
	y, m := today.Year(), today.Month()
	switch period {
	case "month":
		if following {
			m++
		}
	case "quarter":
		m = (m-1)/3*3 + 3
		if following {
			m += 3
		}
	case "year":
		m = 12
		if following {
			y++
		}
	}
	return lastDay(y, m)
}

// next returns the first month/day after today, or false when the day never
// exists in that month.
func next(month, day int, today time.Time) (time.Time, bool) {
	for y := today.Year(); y <= today.Year()+8; y++ {
		if d, ok := date(y, month, day); ok && d.After(today) {
			return d, true
		}
	}
	return time.Time{}, false
}

// date returns the calendar day y-m-d, or false when it does not exist.
func date(y, m, d int) (time.Time, bool) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// dateOf returns t's calendar day in t's location, at 00:00 UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// addMonths adds n calendar months, keeping the day where the month has it
// and using the month's last day where it doesn't.
func addMonths(t time.Time, n int) time.Time {
	last := lastDay(t.Year(), t.Month()+time.Month(n))
	if t.Day() > last.Day() {
		return last
	}
	return time.Date(last.Year(), last.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// lastDay returns the last day of month m of year y (m may be out of range).
func lastDay(y int, m time.Month) time.Time {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC)
}

var words = map[string]int{
	"a": 1, "an": 1, "a few": 3,
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

// count reads a number written in digits or as a word.
func count(s string) int {
	if n, ok := words[s]; ok {
		return n
	}
	return atoi(s)
}

// atoi reads digits the regular expressions already checked.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
