package contract

import (
	"testing"
	"time"
)

// TestDrifting runs on the six-week contract (weekly check-ins, activated
// Mon 1 Feb 10:00, due Mon 15 Mar): half its time is gone on Mon 22 Feb at
// 05:00.
func TestDrifting(t *testing.T) {
	at := func(d string, hour int) time.Time { return date(d).Add(time.Duration(hour) * time.Hour) }
	checkIn := func(status, d string) func(*testing.T, *Contract) {
		return func(t *testing.T, c *Contract) { must(t, c.DoCheckIn(learner, status, at(d, 10))) }
	}
	tests := []struct {
		name  string
		setup []func(*testing.T, *Contract)
		now   time.Time
		want  bool
	}{
		{"just activated", nil, at("2027-02-02", 10), false},
		{"no check-in for 13 days", nil, at("2027-02-14", 10), false},
		{"no check-in for two weeks", nil, at("2027-02-15", 10), true},
		{"on track 12 days ago", []func(*testing.T, *Contract){checkIn(OnTrack, "2027-02-08")}, at("2027-02-20", 10), false},
		{"on track 14 days ago", []func(*testing.T, *Contract){checkIn(OnTrack, "2027-02-08")}, at("2027-02-22", 10), true},
		{"behind, before half time", []func(*testing.T, *Contract){checkIn(Behind, "2027-02-19")}, at("2027-02-22", 4), false},
		{"behind, past half time", []func(*testing.T, *Contract){checkIn(Behind, "2027-02-19")}, at("2027-02-22", 6), true},
		{"blocked, past half time", []func(*testing.T, *Contract){checkIn(Blocked, "2027-02-19")}, at("2027-02-23", 10), true},
		{"on track, past half time", []func(*testing.T, *Contract){checkIn(OnTrack, "2027-02-22")}, at("2027-03-01", 10), false},
		{"behind, then on track", []func(*testing.T, *Contract){checkIn(Behind, "2027-02-19"), checkIn(OnTrack, "2027-02-24")}, at("2027-02-26", 10), false},
		{"behind, past the deadline", []func(*testing.T, *Contract){checkIn(Behind, "2027-03-12")}, at("2027-03-20", 10), true},
		{"paused", []func(*testing.T, *Contract){
			checkIn(Behind, "2027-02-19"),
			func(t *testing.T, c *Contract) { must(t, c.DoPause(learner, "", at("2027-02-20", 10))) },
		}, at("2027-03-10", 10), false},
		{"resumed a week ago, no check-in since", []func(*testing.T, *Contract){
			func(t *testing.T, c *Contract) { must(t, c.DoPause(learner, "", at("2027-02-02", 10))) },
			func(t *testing.T, c *Contract) { must(t, c.DoResume(learner, at("2027-02-10", 10))) },
		}, at("2027-02-17", 10), false},
		{"resumed two weeks ago, no check-in since", []func(*testing.T, *Contract){
			func(t *testing.T, c *Contract) { must(t, c.DoPause(learner, "", at("2027-02-02", 10))) },
			func(t *testing.T, c *Contract) { must(t, c.DoResume(learner, at("2027-02-10", 10))) },
		}, at("2027-02-24", 10), true},
		{"behind, with a new deadline in force", []func(*testing.T, *Contract){
			checkIn(Behind, "2027-02-19"),
			func(t *testing.T, c *Contract) {
				tm := c.InForce()
				tm.Deadline = date("2027-04-30")
				must(t, c.DoRenegotiate(learner, 0, tm, "", at("2027-02-19", 11)))
				must(t, c.DoSign(approver, 2, at("2027-02-19", 12)))
			},
		}, at("2027-02-23", 10), false},
		{"behind, a new deadline waiting to be signed", []func(*testing.T, *Contract){
			checkIn(Behind, "2027-02-19"),
			func(t *testing.T, c *Contract) {
				tm := c.InForce()
				tm.Deadline = date("2027-04-30")
				must(t, c.DoRenegotiate(learner, 0, tm, "", at("2027-02-19", 11)))
			},
		}, at("2027-02-23", 10), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := sixWeeks(t)
			for _, f := range tc.setup {
				f(t, c)
			}
			if got := c.Drifting(tc.now); got != tc.want {
				t.Errorf("Drifting(%s) = %v, want %v", tc.now.Format("Mon 2 Jan 15:04"), got, tc.want)
			}
		})
	}
}

func TestDriftingOnlyUnderWay(t *testing.T) {
	late := now.AddDate(0, 2, 0)
	for _, st := range []Status{Draft, Proposed, ChangesRequested, Withdrawn} {
		if inStatus(t, st).Drifting(late) {
			t.Errorf("a %s contract drifts", st)
		}
	}
	if !inStatus(t, Active).Drifting(late) {
		t.Error("an active contract without check-ins for two months does not drift")
	}
	c := inStatus(t, Active)
	c.Terms.Cadence, c.Revisions[0].Terms.Cadence = 0, 0
	if c.Drifting(late) {
		t.Error("a contract without a cadence drifts for want of check-ins")
	}
}

func TestInDigest(t *testing.T) {
	want := map[Status]bool{Draft: false, Withdrawn: false, Proposed: true, ChangesRequested: true, Active: true}
	for st, w := range want {
		if got := inStatus(t, st).InDigest(); got != w {
			t.Errorf("%s: InDigest = %v, want %v", st, got, w)
		}
	}
	c := inStatus(t, Active)
	c.Status = Completed
	if c.InDigest() {
		t.Error("a completed contract is in the digest")
	}
	c = New("c1", "slack", "T1", learner, now)
	c.Status = Proposed
	if c.InDigest() {
		t.Error("a contract without an approver is in a digest")
	}
}
