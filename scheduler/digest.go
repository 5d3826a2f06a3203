package scheduler

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// DefaultDigestSpec sends digests on Mondays at 09:00 UTC, a nominal time
// the scheduler moves into each approver's working hours.
const DefaultDigestSpec = "0 9 * * MON"

const (
	// maxGrace bounds how long after its time a digest may still be
	// waiting for the approver's working hours: long enough for any time
	// zone, and for a few retries.
	maxGrace = 36 * time.Hour
	// specCheckYear is where ParseDigestSchedule looks for a first time,
	// to reject specs that never come due.
	specCheckYear = 2000
)

// DigestSchedule says when approvers get their digests. The zero value is
// the default schedule.
type DigestSchedule struct {
	sched cron.Schedule
}

// ParseDigestSchedule reads a cron spec: five fields (minute hour
// day-of-month month day-of-week, like "0 9 * * MON") or a descriptor like
// "@weekly", in UTC unless it starts with CRON_TZ=Zone. An empty spec is
// DefaultDigestSpec (the zero DigestSchedule).
func ParseDigestSchedule(spec string) (DigestSchedule, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return DigestSchedule{}, nil
	}
	bad := func(why string) (DigestSchedule, error) {
		return DigestSchedule{}, fmt.Errorf("digest spec %q: %s; want five cron fields like %q", spec, why, DefaultDigestSpec)
	}
	full := spec
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		if !strings.Contains(spec, " ") {
			return bad("a time zone without a schedule")
		}
	} else {
		full = "CRON_TZ=UTC " + spec
	}
	sched, err := cron.ParseStandard(full)
	if err != nil {
		return bad(err.Error())
	}
	if _, ok := sched.(cron.ConstantDelaySchedule); ok {
		return bad("@every counts from whenever it is asked, so a digest would never settle on a time")
	}
	if sched.Next(time.Date(specCheckYear, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return bad("it never comes due")
	}
	return DigestSchedule{sched: sched}, nil
}

var defaultDigests = func() cron.Schedule {
	s, err := ParseDigestSchedule(DefaultDigestSpec)
	if err != nil {
		panic(err) // a constant that parses
	}
	return s.sched
}()

func (s DigestSchedule) schedule() cron.Schedule {
	if s.sched == nil {
		return defaultDigests
	}
	return s.sched
}

// Next returns the first digest time after t.
func (s DigestSchedule) Next(t time.Time) time.Time { return s.schedule().Next(t) }

// grace is how long after its time a digest may still be waiting to be
// sent: maxGrace, or half the time between digests when that is shorter.
func (s DigestSchedule) grace(now time.Time) time.Duration {
	next := s.Next(now)
	if half := s.Next(next).Sub(next) / 2; half < maxGrace {
		return half
	}
	return maxGrace
}

// Pending returns the digest time to schedule an approver's digest for at
// now. That is the next one, unless a digest time came within the last
// while (36 hours at most): that digest may still be waiting for the
// approver's working hours, and scheduling the next one would put it off
// a whole period. Then Pending returns that time and true; its digest is
// scheduled again (due at once) only by whoever takes its TakenLock first.
func (s DigestSchedule) Pending(now time.Time) (time.Time, bool) {
	at := s.Next(now.Add(-s.grace(now)))
	if at.IsZero() || at.After(now) {
		return s.Next(now), false
	}
	return at, true
}

// TakenLock names the lock that marks as taken the digest of it due at
// at: sent (or found empty), or scheduled again while pending. Whoever
// takes it first deals with that digest; the others leave the item alone.
// The lock is held for ttl, longer than the digest may be pending.
func (s DigestSchedule) TakenLock(it Item, at time.Time) (name string, ttl time.Duration) {
	return lockName("digest-taken:" + it.ID() + ":" + strconv.FormatInt(at.Unix(), 10)), 2 * s.grace(at)
}
