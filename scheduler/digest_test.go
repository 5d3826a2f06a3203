package scheduler_test

import (
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/scheduler"
)

func TestParseDigestSchedule(t *testing.T) {
	from := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) // a Wednesday
	tests := []struct {
		spec string
		want string // the first digest after from, in UTC
	}{
		{"", "Mon 2026-11-30 09:00"},
		{"0 9 * * MON", "Mon 2026-11-30 09:00"},
		{"  30 8 * * FRI  ", "Fri 2026-11-27 08:30"},
		{"0 7 * * *", "Thu 2026-11-26 07:00"},
		{"@weekly", "Sun 2026-11-29 00:00"},
		{"CRON_TZ=America/New_York 0 9 * * MON", "Mon 2026-11-30 14:00"},
	}
	for _, tc := range tests {
		s, err := scheduler.ParseDigestSchedule(tc.spec)
		if err != nil {
			t.Errorf("%q: %v", tc.spec, err)
			continue
		}
		if got := s.Next(from).UTC().Format("Mon 2006-01-02 15:04"); got != tc.want {
			t.Errorf("%q: next %s, want %s", tc.spec, got, tc.want)
		}
	}
	var zero scheduler.DigestSchedule
	if got := zero.Next(from).Format("Mon 2006-01-02 15:04"); got != "Mon 2026-11-30 09:00" {
		t.Errorf("the zero schedule is not the default: %s", got)
	}
}

func TestParseDigestScheduleRejects(t *testing.T) {
	for _, spec := range []string{
		"every monday", "0 9 * *", "0 25 * * MON", "0 9 * * MON *", "@every 1h", "@fortnightly",
		"0 9 30 2 *", "TZ=UTC", "CRON_TZ=Mars/Olympus 0 9 * * MON",
	} {
		_, err := scheduler.ParseDigestSchedule(spec)
		if err == nil {
			t.Errorf("%q parsed", spec)
			continue
		}
		if !strings.Contains(err.Error(), "digest spec") || !strings.Contains(err.Error(), scheduler.DefaultDigestSpec) {
			t.Errorf("%q: the error does not say what to set: %v", spec, err)
		}
	}
}

func TestDigestPending(t *testing.T) {
	weekly, err := scheduler.ParseDigestSchedule("")
	if err != nil {
		t.Fatal(err)
	}
	daily, err := scheduler.ParseDigestSchedule("0 9 * * *")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name    string
		s       scheduler.DigestSchedule
		now     string
		want    string
		pending bool
	}{
		{"weekly, Wednesday", weekly, "2026-11-25 12:00", "2026-11-30 09:00", false},
		{"weekly, Monday before nine", weekly, "2026-11-30 08:59", "2026-11-30 09:00", false},
		{"weekly, Monday at nine", weekly, "2026-11-30 09:00", "2026-11-30 09:00", true},
		{"weekly, Monday afternoon", weekly, "2026-11-30 15:00", "2026-11-30 09:00", true},
		{"weekly, Tuesday evening", weekly, "2026-12-01 20:59", "2026-11-30 09:00", true},
		{"weekly, 36 hours on", weekly, "2026-12-01 21:00", "2026-12-07 09:00", false},
		{"daily, morning", daily, "2026-11-25 08:00", "2026-11-25 09:00", false},
		{"daily, noon", daily, "2026-11-25 12:00", "2026-11-25 09:00", true},
		{"daily, 12 hours on", daily, "2026-11-25 21:00", "2026-11-26 09:00", false},
	}
	for _, tc := range tests {
		got, pending := tc.s.Pending(at(tc.now))
		if !got.Equal(at(tc.want)) || pending != tc.pending {
			t.Errorf("%s: Pending = %s, %v; want %s, %v", tc.name, got.Format("Mon 2006-01-02 15:04"), pending, tc.want, tc.pending)
		}
	}
	it := scheduler.Digest("slack", "T1", "UMO")
	name, ttl := weekly.TakenLock(it, at("2026-11-30 09:00"))
	if name != scheduler.LockName("digest-taken:digest:slack:T1:UMO:1796029200") || ttl != 72*time.Hour {
		t.Errorf("TakenLock = %q, %s", name, ttl)
	}
	if other, _ := weekly.TakenLock(it, at("2026-12-07 09:00")); other == name {
		t.Error("two digests share a lock")
	}
}
