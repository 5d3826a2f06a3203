package deadline

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // America/New_York on machines without a zone database
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

type parseCase struct {
	in   string
	want string // a date, or "" when err is set
	err  error
}

func runCases(t *testing.T, now time.Time, loc *time.Location, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		got, err := Parse(tc.in, now, loc)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("Parse(%.40q) = %v, %v; want %v", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(day(tc.want)) || got.Location() != time.UTC {
			t.Errorf("Parse(%.40q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

func TestParseMidMonth(t *testing.T) {
	now := time.Date(2026, 5, 13, 10, 0, 0, 0, time.UTC) // a Wednesday
	runCases(t, now, nil, []parseCase{
		{in: "in 6 weeks", want: "2026-06-24"},
		{in: "IN 6 WEEKS", want: "2026-06-24"},
		{in: "6 weeks", want: "2026-06-24"},
		{in: "in two weeks", want: "2026-05-27"},
		{in: "in 10 days", want: "2026-05-23"},
		{in: "a few days", want: "2026-05-16"},
		{in: "in 3 months", want: "2026-08-13"},
		{in: "in a month", want: "2026-06-13"},
		{in: "in six months' time", want: "2026-11-13"},
		{in: "half a year from now", want: "2026-11-13"},
		{in: "in a year", want: "2027-05-13"},
		{in: "in 2 years", want: "2028-05-13"},
		{in: "in 24 months", want: "2028-05-13"},
		{in: "in 104 weeks", want: "2028-05-10"},
		{in: "tomorrow", want: "2026-05-14"},
		{in: "Friday", want: "2026-05-15"},
		{in: "next Friday", want: "2026-05-15"},
		{in: "on Friday", want: "2026-05-15"},
		{in: "friday at 5pm", want: "2026-05-15"},
		{in: "Wednesday", want: "2026-05-20"},
		{in: "March 20", want: "2027-03-20"},
		{in: "20 March", want: "2027-03-20"},
		{in: "Mar 20th", want: "2027-03-20"},
		{in: "the 20th of March", want: "2027-03-20"},
		{in: "March 20 2027", want: "2027-03-20"},
		{in: "March 20, 2027.", want: "2027-03-20"},
		{in: "June 1", want: "2026-06-01"},
		{in: "May 13", want: "2027-05-13"}, // today's date: the next one
		{in: "June", want: "2026-06-30"},
		{in: "by June 2027", want: "2027-06-30"},
		{in: "end of June", want: "2026-06-30"},
		{in: "by the end of June!", want: "2026-06-30"},
		{in: "end of May", want: "2026-05-31"},
		{in: "end of April", want: "2027-04-30"},
		{in: "end of the month", want: "2026-05-31"},
		{in: "end of month", want: "2026-05-31"},
		{in: "end of this month", want: "2026-05-31"},
		{in: "end of next month", want: "2026-06-30"},
		{in: "end of the quarter", want: "2026-06-30"},
		{in: "end of next quarter", want: "2026-09-30"},
		{in: "end of year", want: "2026-12-31"},
		{in: "End of the year", want: "2026-12-31"},
		{in: "end of next year", want: "2027-12-31"},
		{in: "2027-03-20", want: "2027-03-20"},
		{in: " 2027/3/20 ", want: "2027-03-20"},
		{in: "20/03/2027", want: "2027-03-20"},
		{in: "03/20/2027", want: "2027-03-20"}, // month-first only because 20 is no month
		{in: "05/03/2027", want: "2027-03-05"}, // ambiguous: day-first
		{in: "20.6.26", want: "2026-06-20"},
		{in: "20/6", want: "2026-06-20"},
		{in: "1/5", want: "2027-05-01"},

		{in: "today", err: ErrPast},
		{in: "yesterday", err: ErrPast},
		{in: "last Friday", err: ErrPast},
		{in: "2 weeks ago", err: ErrPast},
		{in: "3 months ago", err: ErrPast},
		{in: "in 0 days", err: ErrPast},
		{in: "2026-05-13", err: ErrPast},
		{in: "May 12 2026", err: ErrPast},
		{in: "2020-01-01", err: ErrPast},

		{in: "in 3 years", err: ErrTooFar},
		{in: "in 25 months", err: ErrTooFar},
		{in: "in 105 weeks", err: ErrTooFar},
		{in: "in 9999 years", err: ErrTooFar},
		{in: "2028-05-14", err: ErrTooFar},

		{in: "", err: ErrUnknown},
		{in: "   ", err: ErrUnknown},
		{in: "soon", err: ErrUnknown},
		{in: "asap", err: ErrUnknown},
		{in: "when I can", err: ErrUnknown},
		{in: "I sat down", err: ErrUnknown},
		{in: "I may finish", err: ErrUnknown},
		{in: "next week", err: ErrUnknown},
		{in: "mid-March", err: ErrUnknown},
		{in: "end of the world", err: ErrUnknown},
		{in: "end of March 20", err: ErrUnknown},
		{in: "March 45", err: ErrUnknown},
		{in: "31/02/2027", err: ErrUnknown},
		{in: "2027-02-30", err: ErrUnknown},
		{in: "13/13/2027", err: ErrUnknown},
		{in: "in 99999 days", err: ErrUnknown},
		{in: "in 99999999999999999999 days", err: ErrUnknown},
		{in: strings.Repeat("a", 10000), err: ErrUnknown},
		{in: strings.Repeat("friday ", 1500), err: ErrUnknown},
	})
}

func TestParseYearEnd(t *testing.T) {
	now := time.Date(2026, 12, 31, 18, 0, 0, 0, time.UTC) // a Thursday
	runCases(t, now, nil, []parseCase{
		{in: "tomorrow", want: "2027-01-01"},
		{in: "Friday", want: "2027-01-01"},
		{in: "in 1 month", want: "2027-01-31"},
		{in: "in 2 months", want: "2027-02-28"},
		{in: "March 20", want: "2027-03-20"},
		{in: "December 31", want: "2027-12-31"},
		{in: "31/12", want: "2027-12-31"},
		{in: "end of next month", want: "2027-01-31"},
		{in: "end of next quarter", want: "2027-03-31"},
		{in: "end of next year", want: "2027-12-31"},
		{in: "in 2 years", want: "2028-12-31"},
		{in: "end of the month", err: ErrPast},
		{in: "end of the quarter", err: ErrPast},
		{in: "end of the year", err: ErrPast},
		{in: "2029-01-01", err: ErrTooFar},
	})
}

func TestParseLeapDay(t *testing.T) {
	now := time.Date(2028, 2, 29, 9, 0, 0, 0, time.UTC) // a Tuesday
	runCases(t, now, nil, []parseCase{
		{in: "tomorrow", want: "2028-03-01"},
		{in: "in 4 weeks", want: "2028-03-28"},
		{in: "in 1 month", want: "2028-03-29"},
		{in: "in a year", want: "2029-02-28"},
		{in: "in 2 years", want: "2030-02-28"},
		{in: "end of the quarter", want: "2028-03-31"},
		{in: "end of February", want: "2029-02-28"},
		{in: "February 28", want: "2029-02-28"},
		{in: "end of the month", err: ErrPast},
		{in: "Feb 29", err: ErrTooFar}, // the next one is in 2032
		{in: "29/02/2032", err: ErrTooFar},
		{in: "2030-03-01", err: ErrTooFar},
		{in: "29/02/2029", err: ErrUnknown},
	})
}

func TestParseTimeZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}

	// 23:30 on Saturday 7 March in New York, hours before clocks go
	// forward; already Sunday 8 March in UTC.
	spring := time.Date(2026, 3, 7, 23, 30, 0, 0, ny)
	runCases(t, spring, ny, []parseCase{
		{in: "tomorrow", want: "2026-03-08"},
		{in: "Sunday", want: "2026-03-08"},
		{in: "in 2 days", want: "2026-03-09"},
		{in: "in 1 week", want: "2026-03-14"},
		{in: "Saturday", want: "2026-03-14"},
		{in: "end of the month", want: "2026-03-31"},
		{in: "today", err: ErrPast},
	})
	runCases(t, spring, nil, []parseCase{
		{in: "tomorrow", want: "2026-03-09"},
	})

	// 23:30 on Saturday 31 October in New York, the night clocks go back;
	// already 1 November in UTC.
	autumn := time.Date(2026, 11, 1, 3, 30, 0, 0, time.UTC)
	runCases(t, autumn, ny, []parseCase{
		{in: "tomorrow", want: "2026-11-01"},
		{in: "in 1 week", want: "2026-11-07"},
		{in: "end of next month", want: "2026-11-30"},
		{in: "end of the month", err: ErrPast},
	})
	runCases(t, autumn, nil, []parseCase{
		{in: "tomorrow", want: "2026-11-02"},
		{in: "end of the month", want: "2026-11-30"},
	})
}

var testNows = []time.Time{
	time.Date(2026, 5, 13, 10, 0, 0, 0, time.UTC),
	time.Date(2026, 12, 31, 18, 0, 0, 0, time.UTC),
	time.Date(2028, 2, 29, 9, 0, 0, 0, time.UTC),
	time.Date(2026, 11, 30, 23, 59, 0, 0, time.FixedZone("NZDT", 13*3600)),
}

func TestExamples(t *testing.T) {
	for _, now := range testNows {
		ex := Examples(now)
		if len(ex) == 0 {
			t.Fatalf("Examples(%v) is empty", now)
		}
		for _, e := range ex {
			if _, err := Parse(e, now, now.Location()); err != nil {
				t.Errorf("Examples(%v) gave %q, which Parse rejects: %v", now, e, err)
			}
		}
	}
	got := Examples(time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC))
	want := []string{"in 6 weeks", "February 20", "2027-05-20"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Examples = %q, want %q", got, want)
	}
}

func TestParseLongInputIsFast(t *testing.T) {
	long := strings.Repeat("in 6 weeks ", 1000)
	start := time.Now()
	for range 100 {
		if _, err := Parse(long, testNows[0], nil); !errors.Is(err, ErrUnknown) {
			t.Fatalf("err = %v, want ErrUnknown", err)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("100 parses of 10,000 characters took %v", d)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"in 6 weeks", "next Friday", "March 20 2027", "end of the quarter",
		"2027-03-20", "20/03/2027", "tomorrow", "3 months ago", "friday at 5pm",
		"the 20th of march", "in 9999 years", "31/02", "", "ıN 6 WEEKS",
		"friday 29 jan", "thu 29 january 2027", "end of Q1", "q4 2027", "end of next quarter",
		"the second quarter of 2027", "sun 1/1", "monday jan",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, now := range testNows {
			got, err := Parse(s, now, now.Location())
			if err != nil {
				if !errors.Is(err, ErrUnknown) && !errors.Is(err, ErrPast) && !errors.Is(err, ErrTooFar) && !errors.Is(err, ErrWeekday) {
					t.Fatalf("Parse(%q) error %v is none of the package's errors", s, err)
				}
				var we *WeekdayError
				if errors.As(err, &we) && we.Date.Weekday() == we.Named {
					t.Fatalf("Parse(%q) says %v is not a %v", s, we.Date, we.Named)
				}
				continue
			}
			today := dateOf(now)
			if got != dateOf(got) {
				t.Fatalf("Parse(%q) = %v, not a date at 00:00 UTC", s, got)
			}
			if !got.After(today) || got.After(today.AddDate(2, 0, 0)) {
				t.Fatalf("Parse(%q) at %v = %v, not within two years after today", s, now, got)
			}
			// The date it read, written out with its weekday, reads the same.
			for _, layout := range []string{"Monday 2 January 2006", "Mon 2 Jan 2006", "Mon Jan 2 2006"} {
				back, err := Parse(got.Format(layout), now, now.Location())
				if err != nil || !back.Equal(got) {
					t.Fatalf("Parse(%q) = %v, but Parse(%q) = %v, %v", s, got, got.Format(layout), back, err)
				}
			}
		}
	})
}

func TestParseWeekdayDatesAndQuarters(t *testing.T) {
	now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC) // a Sunday in Q4
	runCases(t, now, nil, []parseCase{
		{in: "friday 29 jan", want: "2027-01-29"},
		{in: "Fri, 29 January", want: "2027-01-29"},
		{in: "on Friday January 29th", want: "2027-01-29"},
		{in: "friday the 29th of january 2027", want: "2027-01-29"},
		{in: "fri 29/01/2027", want: "2027-01-29"},
		{in: "friday at 5pm", want: "2026-12-11"},
		{in: "thursday 29 jan", err: ErrWeekday},
		{in: "sun 29 jan", err: ErrWeekday},
		{in: "friday 31 feb", err: ErrUnknown},
		{in: "friday soon 29", err: ErrUnknown},

		{in: "end of Q1", want: "2027-03-31"},
		{in: "Q1", want: "2027-03-31"},
		{in: "by the end of Q2", want: "2027-06-30"},
		{in: "end of q4", want: "2026-12-31"},
		{in: "end of Q4 2027", want: "2027-12-31"},
		{in: "Q3 2027", want: "2027-09-30"},
		{in: "end of the first quarter", want: "2027-03-31"},
		{in: "2nd quarter", want: "2027-06-30"},
		{in: "end of the last quarter of 2027", want: "2027-12-31"},
		{in: "end of next quarter", want: "2027-03-31"},
		{in: "end of this quarter", want: "2026-12-31"},
		{in: "end of Q3 2025", err: ErrPast},
		{in: "end of Q1 2029", err: ErrTooFar},
		{in: "end of Q5", err: ErrUnknown},
		{in: "Q0 2027", err: ErrUnknown},
	})
}

func TestWeekdayError(t *testing.T) {
	now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	_, err := Parse("thursday 29 jan", now, nil)
	var we *WeekdayError
	if !errors.As(err, &we) || !we.Date.Equal(day("2027-01-29")) || we.Named != time.Thursday {
		t.Fatalf("err = %#v, want 2027-01-29 named Thursday", err)
	}
	if !errors.Is(err, ErrWeekday) || !strings.Contains(err.Error(), "is a Friday, not a Thursday") {
		t.Errorf("err = %v, want ErrWeekday saying the date is a Friday", err)
	}
}

func TestWeekend(t *testing.T) {
	for d, want := range map[string]bool{"2027-01-29": false, "2027-01-30": true, "2027-01-31": true, "2027-02-01": false} {
		if got := Weekend(day(d)); got != want {
			t.Errorf("Weekend(%s) = %v, want %v", d, got, want)
		}
	}
}
