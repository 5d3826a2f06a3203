package contract

import (
	"encoding/json"
	"testing"
	"time"
)

// A nudge the platform has not taken yet is queued: the plan moves on (no
// second nudge), but it does not count as sent until Taken.
func TestQueuedIsNotSent(t *testing.T) {
	c := sixWeeks(t)
	d, ok := c.DueNow(DueCheckIn, date("2027-02-08").Add(9*time.Hour), time.UTC)
	if !ok {
		t.Fatalf("no check-in due: %s", plan(c.Plan(monday)))
	}
	now := d.At
	c.Queue(d, now)
	if _, again := c.DueNow(DueCheckIn, now, time.UTC); again {
		t.Fatal("the check-in is due again once queued")
	}
	if !c.IsQueued(d) || c.SentCount(DueCheckIn) != 0 || len(c.Nudges) != 0 {
		t.Fatalf("queued check-in counts as sent: queued %v, sent %v", c.Queued, c.Nudges)
	}
	// Two days unanswered: the re-nudge is planned from the queued prompt,
	// but a prompt never taken is never "missed".
	later := now.AddDate(0, 0, 2)
	r, ok := c.DueNow(DueCheckInMissed, later, time.UTC)
	if !ok {
		t.Fatalf("no re-nudge planned after a queued prompt: %s", plan(c.Plan(later)))
	}
	c.Queue(r, later)
	if c.NeedsSupport(later.AddDate(0, 0, 3)) {
		t.Error("needs support for prompts the platform never took")
	}

	taken := now.Add(time.Second)
	if !c.Taken(d, taken) {
		t.Fatal("Taken found no queued check-in")
	}
	if c.IsQueued(d) || c.SentCount(DueCheckIn) != 1 || !c.Nudges[0].Taken.Equal(taken) || !c.Nudges[0].At.Equal(now) {
		t.Fatalf("after Taken: queued %v, sent %v", c.Queued, c.Nudges)
	}
	before := c.Clone()
	if c.Taken(d, taken.Add(time.Minute)) {
		t.Error("a second confirmation was taken")
	}
	if len(c.Nudges) != len(before.Nudges) || len(c.Queued) != len(before.Queued) || !c.UpdatedAt.Equal(before.UpdatedAt) {
		t.Error("a second confirmation changed the contract")
	}
	if !c.Taken(r, later.Add(time.Second)) {
		t.Fatal("Taken found no queued re-nudge")
	}
	if !c.NeedsSupport(later.AddDate(0, 0, 3)) {
		t.Error("no support offered once both prompts were taken and went unanswered")
	}
	if len(c.Queued) != 0 {
		t.Errorf("still queued: %v", c.Queued)
	}
}

// The plan is the same whether the nudges that went out are queued or
// sent.
func TestPlanSameQueuedOrSent(t *testing.T) {
	queued, sent := sixWeeks(t), sixWeeks(t)
	now := monday
	for range 6 {
		p := sent.Plan(now)
		if got, want := plan(queued.Plan(now)), plan(p); got != want {
			t.Fatalf("at %s, queued plans:\n%s\nsent plans:\n%s", now, got, want)
		}
		if len(p) == 0 {
			break
		}
		d := p[0]
		now = later(now, d.At)
		queued.Queue(d, now)
		sent.Sent(d, now)
	}
}

// Contracts stored before queued and sent were told apart hold only sent
// nudges: they read as sent.
func TestOldNudgesReadAsSent(t *testing.T) {
	c := sixWeeks(t)
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	must(t, json.Unmarshal(data, &m))
	m["nudges"] = []any{map[string]any{"kind": "checkin", "for": "2027-02-08T09:00:00Z", "at": "2027-02-08T09:00:00Z"}}
	data, err = json.Marshal(m)
	must(t, err)
	var old Contract
	must(t, json.Unmarshal(data, &old))
	if old.SentCount(DueCheckIn) != 1 || len(old.Queued) != 0 {
		t.Fatalf("old nudge reads as: sent %v, queued %v", old.Nudges, old.Queued)
	}
	if old.Taken(Due{Kind: DueCheckIn, At: date("2027-02-08").Add(9 * time.Hour), User: learner}, monday) {
		t.Error("a confirmation took an old nudge again")
	}
}
