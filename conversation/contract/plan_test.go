package contract

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// monday is when the six-week contract of the plan tests is activated.
var monday = time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// sixWeeks is an active contract with weekly check-ins, activated on
// Monday 1 Feb 2027, due Monday 15 Mar 2027.
func sixWeeks(t *testing.T) *Contract {
	t.Helper()
	c := New("c1", "slack", "T1", learner, monday)
	tm := complete()
	tm.Deadline, tm.Cadence = date("2027-03-15"), Weekly
	must(t, c.SetTerms(learner, tm, monday))
	must(t, c.SetApprover(learner, approver, monday))
	must(t, c.DoPropose(learner, "", monday))
	must(t, c.DoSign(approver, 1, monday))
	return c
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// plan renders a plan as "kind date" lines, for comparison.
func plan(ds []Due) string {
	var out []string
	for _, d := range ds {
		if d.At.Hour() != 9 || d.At.Minute() != 0 || d.At.Location() != time.UTC {
			out = append(out, fmt.Sprintf("%s at %s (not 09:00 UTC)", d.Kind, d.At))
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %s", d.Kind, d.At.Format("Mon 2006-01-02"), d.User))
	}
	return strings.Join(out, "\n")
}

func lines(ls ...string) string { return strings.Join(ls, "\n") }

func TestPlanAtActivation(t *testing.T) {
	c := sixWeeks(t)
	want := lines(
		"checkin Mon 2027-02-08 ULEE",
		"midpoint Mon 2027-02-22 ULEE",
		"deadline_7d Mon 2027-03-08 ULEE",
		"deadline_1d Sun 2027-03-14 ULEE",
		"overdue Tue 2027-03-16 ULEE",
	)
	if got := plan(c.Plan(monday)); got != want {
		t.Errorf("plan at activation:\n%s\nwant:\n%s", got, want)
	}
}

// TestPlanWholeContract sends every item when it comes due, the learner
// checking in an hour after each prompt, and checks what was sent when.
func TestPlanWholeContract(t *testing.T) {
	c := sixWeeks(t)
	now := monday
	var sent []string
	for i := 0; i < 20; i++ {
		p := c.Plan(now)
		if len(p) == 0 {
			break
		}
		d := p[0]
		if d.At.After(now) {
			now = d.At
		}
		if got, ok := c.DueNow(d.Kind, now, time.UTC); !ok || got != d {
			t.Fatalf("%s planned at %s is not due at %s", d.Kind, d.At, now)
		}
		c.Sent(d, now)
		sent = append(sent, fmt.Sprintf("%s %s", d.Kind, d.At.Format("Mon 2006-01-02")))
		if again, ok := c.DueNow(d.Kind, now, time.UTC); ok {
			t.Fatalf("%s is due again right after it was sent: %+v", d.Kind, again)
		}
		switch d.Kind {
		case DueCheckIn, DueMidpoint:
			now = now.Add(time.Hour)
			must(t, c.DoCheckIn(learner, OnTrack, now))
		}
	}
	want := lines(
		"checkin Mon 2027-02-08",
		"checkin Mon 2027-02-15",
		"midpoint Mon 2027-02-22", // the third weekly check-in gives way to it
		"checkin Mon 2027-03-01",
		"checkin Mon 2027-03-08", // with the one-week reminder folded in
		"deadline_1d Sun 2027-03-14",
		"overdue Tue 2027-03-16",
	)
	if got := strings.Join(sent, "\n"); got != want {
		t.Errorf("sent:\n%s\nwant:\n%s", got, want)
	}
	if p := c.Plan(now.AddDate(0, 2, 0)); len(p) != 0 {
		t.Errorf("still planned months after the deadline: %s", plan(p))
	}
}

// prompt sends the item of the kind planned at its time and returns it.
func prompt(t *testing.T, c *Contract, k DueKind) Due {
	t.Helper()
	for _, d := range c.Plan(monday) {
		if d.Kind == k {
			c.Sent(d, d.At)
			return d
		}
	}
	t.Fatalf("no %s planned: %s", k, plan(c.Plan(monday)))
	return Due{}
}

func planned(c *Contract, now time.Time, k DueKind) string {
	for _, d := range c.Plan(now) {
		if d.Kind == k {
			return d.At.Format(time.DateOnly)
		}
	}
	return "none"
}

func TestPlanCheckInMovesTheNext(t *testing.T) {
	tests := []struct {
		name    string
		checkIn time.Time
		want    string
	}{
		{"on the day", date("2027-02-08").Add(11 * time.Hour), "2027-02-15"},
		{"two days late", date("2027-02-10").Add(16 * time.Hour), "2027-02-17"},
		{"early, before the prompt", date("2027-02-05").Add(16 * time.Hour), "2027-02-12"},
	}
	for _, tc := range tests {
		c := sixWeeks(t)
		if tc.checkIn.After(date("2027-02-08")) {
			prompt(t, c, DueCheckIn)
		}
		must(t, c.DoCheckIn(learner, Behind, tc.checkIn))
		if got := planned(c, tc.checkIn, DueCheckIn); got != tc.want {
			t.Errorf("%s: next check-in %s, want %s", tc.name, got, tc.want)
		}
		if got := planned(c, tc.checkIn, DueCheckInMissed); got != "none" {
			t.Errorf("%s: a re-nudge is planned after the check-in: %s", tc.name, got)
		}
	}
}

func TestPlanSnoozeMovesByADay(t *testing.T) {
	c := sixWeeks(t)
	p := prompt(t, c, DueCheckIn)
	must(t, c.DoSnooze(learner, p.At.Add(30*time.Minute)))
	now := p.At.Add(time.Hour)
	if got := planned(c, now, DueCheckIn); got != "2027-02-09" {
		t.Errorf("snoozed check-in at %s, want 2027-02-09", got)
	}
	if got := planned(c, now, DueCheckInMissed); got != "none" {
		t.Errorf("a snoozed check-in is re-nudged at %s", got)
	}
	if _, ok := c.DueNow(DueCheckIn, now, time.UTC); ok {
		t.Error("the snoozed check-in is due again today")
	}
	// It comes back the next day and the cadence carries on from there.
	back := date("2027-02-09").Add(9 * time.Hour)
	d, ok := c.DueNow(DueCheckIn, back, time.UTC)
	if !ok {
		t.Fatal("the snoozed check-in is not due the next day")
	}
	c.Sent(d, back)
	if got := planned(c, back, DueCheckIn); got != "2027-02-16" {
		t.Errorf("after the snoozed check-in the next is %s, want 2027-02-16", got)
	}
	// The mid-point snoozes the same way.
	c = sixWeeks(t)
	c.CheckIns = []CheckIn{{At: date("2027-02-16"), By: learner, Status: OnTrack}}
	p = prompt(t, c, DueMidpoint)
	must(t, c.DoSnooze(learner, p.At.Add(time.Hour)))
	if got := planned(c, p.At, DueMidpoint); got != "2027-02-23" {
		t.Errorf("snoozed mid-point at %s, want 2027-02-23", got)
	}
	if err := sixWeeks(t).DoSnooze(learner, monday); err != ErrNothingToSnooze {
		t.Errorf("snoozing with no check-in waiting: %v", err)
	}
}

func TestPlanPauseAndResume(t *testing.T) {
	c := sixWeeks(t)
	p := prompt(t, c, DueCheckIn) // unanswered when the learner pauses
	paused := p.At.Add(2 * time.Hour)
	must(t, c.DoPause(learner, "on leave", paused))
	// Paused, the only item is the approver's news of it, a quarter of an
	// hour on (time for the reason).
	news := Due{Kind: DueSupport, At: paused.Add(15 * time.Minute), User: c.Approver}
	for _, now := range []time.Time{paused, date("2027-02-20"), date("2027-03-20")} {
		if got := c.Plan(now); len(got) != 1 || got[0] != news {
			t.Errorf("paused, planned at %s: %s", now, plan(got))
		}
	}
	c.Sent(news, paused.Add(time.Hour))
	if got := c.Plan(paused.Add(time.Hour)); len(got) != 0 {
		t.Errorf("paused, the approver told, planned: %s", plan(got))
	}
	if c.NeedsSupport(date("2027-02-20")) {
		t.Error("a paused contract needs support")
	}
	resumed := date("2027-02-10").Add(15 * time.Hour)
	must(t, c.DoResume(learner, resumed))
	want := lines(
		"support at "+resumed.String()+" (not 09:00 UTC)",
		"checkin Wed 2027-02-17 ULEE",
		"midpoint Mon 2027-02-22 ULEE",
		"deadline_7d Mon 2027-03-08 ULEE",
		"deadline_1d Sun 2027-03-14 ULEE",
		"overdue Tue 2027-03-16 ULEE",
	)
	if got := plan(c.Plan(resumed)); got != want {
		t.Errorf("after resuming:\n%s\nwant:\n%s", got, want)
	}

	// Resumed after the mid-point and the one-week reminder: neither is
	// sent late.
	c = sixWeeks(t)
	must(t, c.DoPause(learner, "", monday.Add(time.Hour)))
	resumed = date("2027-03-09").Add(8 * time.Hour)
	must(t, c.DoResume(learner, resumed))
	want = lines(
		"support at 2027-02-01 11:15:00 +0000 UTC (not 09:00 UTC)",
		"deadline_1d Sun 2027-03-14 ULEE",
		"overdue Tue 2027-03-16 ULEE",
	)
	if got := plan(c.Plan(resumed)); got != want {
		t.Errorf("resumed a week before the deadline:\n%s\nwant:\n%s", got, want)
	}
}

func TestPlanMissedCheckInOneReNudge(t *testing.T) {
	c := sixWeeks(t)
	p := prompt(t, c, DueCheckIn)
	if got := planned(c, p.At, DueCheckInMissed); got != "2027-02-10" {
		t.Fatalf("re-nudge at %s, want 2027-02-10", got)
	}
	if got := planned(c, p.At, DueCheckIn); got != "2027-02-15" {
		t.Errorf("next check-in %s, want 2027-02-15", got)
	}
	nudge := prompt(t, c, DueCheckInMissed)
	for _, now := range []time.Time{nudge.At, nudge.At.AddDate(0, 0, 1), nudge.At.AddDate(0, 0, 4)} {
		if got := planned(c, now, DueCheckInMissed); got != "none" {
			t.Errorf("a second re-nudge at %s, planned %s", now, got)
		}
	}
	if c.NeedsSupport(nudge.At.AddDate(0, 0, 1)) {
		t.Error("needs support a day after the re-nudge")
	}
	if !c.NeedsSupport(nudge.At.AddDate(0, 0, 2)) {
		t.Error("does not need support two days after an unanswered re-nudge")
	}
	must(t, c.DoCheckIn(learner, Blocked, nudge.At.AddDate(0, 0, 3)))
	if c.NeedsSupport(nudge.At.AddDate(0, 0, 3)) {
		t.Error("still needs support after checking in")
	}
}

func TestPlanApprovalReminder(t *testing.T) {
	tests := []struct {
		proposed string
		want     string
	}{
		{"2027-01-11", "Wed 2027-01-13"}, // Monday
		{"2027-01-14", "Mon 2027-01-18"}, // Thursday
		{"2027-01-15", "Tue 2027-01-19"}, // Friday
		{"2027-01-16", "Tue 2027-01-19"}, // Saturday
		{"2027-01-17", "Tue 2027-01-19"}, // Sunday
	}
	for _, tc := range tests {
		at := date(tc.proposed).Add(16 * time.Hour)
		c := New("c1", "slack", "T1", learner, at)
		must(t, c.SetTerms(learner, complete(), at))
		must(t, c.SetApprover(learner, approver, at))
		must(t, c.DoPropose(learner, "", at))
		want := "approval_reminder " + tc.want + " UMO"
		if got := plan(c.Plan(at)); got != want {
			t.Errorf("proposed %s: %s, want %s", tc.proposed, got, want)
		}
	}

	c := inStatus(t, Proposed)
	d := c.Plan(now)[0]
	c.Sent(d, d.At)
	if got := c.Plan(d.At.AddDate(0, 0, 5)); len(got) != 0 {
		t.Errorf("a second reminder for version 1: %s", plan(got))
	}
	// A new version gets its own reminder.
	must(t, c.DoRequestChanges(approver, 1, "more", now))
	if got := c.Plan(now); len(got) != 0 {
		t.Errorf("changes requested: %s", plan(got))
	}
	must(t, c.DoPropose(learner, "", now.AddDate(0, 0, 1)))
	if got := plan(c.Plan(now)); got != "approval_reminder Tue 2027-01-19 UMO" {
		t.Errorf("version 2: %s", got)
	}
	// An amendment waits for the learner.
	must(t, c.DoAmend(approver, 2, complete(), "", now.AddDate(0, 0, 3)))
	if got := plan(c.Plan(now)); got != "approval_reminder Wed 2027-01-20 ULEE" {
		t.Errorf("amendment: %s", got)
	}
}

func TestPlanNothingToDo(t *testing.T) {
	for _, st := range []Status{Draft, ChangesRequested, Withdrawn} {
		if got := inStatus(t, st).Plan(now); len(got) != 0 {
			t.Errorf("%s: %s", st, plan(got))
		}
	}
	c := sixWeeks(t)
	c.Status = Completed
	if got := c.Plan(monday); len(got) != 0 {
		t.Errorf("completed: %s", plan(got))
	}
}

func TestPlanShortContract(t *testing.T) {
	// Activated five days before the deadline: no one-week reminder, a
	// mid-point two days in, no regular check-in before the deadline.
	at := date("2027-02-01").Add(10 * time.Hour)
	c := New("c1", "slack", "T1", learner, at)
	tm := complete()
	tm.Deadline = date("2027-02-06")
	must(t, c.SetTerms(learner, tm, at))
	must(t, c.SetApprover(learner, approver, at))
	must(t, c.DoPropose(learner, "", at))
	must(t, c.DoSign(approver, 1, at))
	want := lines(
		"midpoint Wed 2027-02-03 ULEE",
		"deadline_1d Fri 2027-02-05 ULEE",
		"overdue Sun 2027-02-07 ULEE",
	)
	if got := plan(c.Plan(at)); got != want {
		t.Errorf("five-day contract:\n%s\nwant:\n%s", got, want)
	}
}

func TestDueNowInTheRecipientsZone(t *testing.T) {
	c := sixWeeks(t)
	tokyo := time.FixedZone("JST", 9*3600)
	honolulu := time.FixedZone("HST", -10*3600)
	tests := []struct {
		now  time.Time
		loc  *time.Location
		want bool
	}{
		{date("2027-02-07").Add(23 * time.Hour), time.UTC, false},
		{date("2027-02-07").Add(23 * time.Hour), tokyo, true}, // 08:00 on the 8th in Tokyo
		{date("2027-02-08").Add(1 * time.Hour), time.UTC, true},
		{date("2027-02-08").Add(8 * time.Hour), honolulu, false}, // still the 7th in Honolulu
		{date("2027-02-08").Add(19 * time.Hour), honolulu, true},
		{date("2027-02-08").Add(19 * time.Hour), nil, true},
	}
	for _, tc := range tests {
		if _, got := c.DueNow(DueCheckIn, tc.now, tc.loc); got != tc.want {
			t.Errorf("at %s in %v: due %v, want %v", tc.now, tc.loc, got, tc.want)
		}
	}
	if _, ok := c.DueNow(DueApprovalReminder, monday.AddDate(0, 1, 0), nil); ok {
		t.Error("an approval reminder is due on an active contract")
	}
}

func TestPlanDoesNotChangeTheContract(t *testing.T) {
	c := sixWeeks(t)
	prompt(t, c, DueCheckIn)
	before := c.Clone()
	c.Plan(date("2027-02-20"))
	c.NeedsSupport(date("2027-02-20"))
	c.DueNow(DueCheckIn, date("2027-02-20"), nil)
	if !reflect.DeepEqual(before, c) {
		t.Error("planning changed the contract")
	}
}

func TestDueKindsAreAllKnown(t *testing.T) {
	got := DueKinds()
	want := []DueKind{DueApprovalReminder, DueCheckIn, DueMidpoint, DueCheckInMissed, DueDeadlineSoon, DueDeadlineTomorrow, DueOverdue, DueReviewReminder, DueReviewSlow, DueImpact, DueImpactApprover}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DueKinds() = %v", got)
	}
	got[0] = "changed"
	if DueKinds()[0] != DueApprovalReminder {
		t.Error("DueKinds shares its slice")
	}
}
