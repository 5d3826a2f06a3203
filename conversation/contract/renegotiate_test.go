package contract

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestRenegotiation proposes a new deadline for an active contract: the
// signed version stays in force until the approver signs the new one.
func TestRenegotiation(t *testing.T) {
	c := sixWeeks(t)
	at := date("2027-02-16").Add(10 * time.Hour)
	tm := c.Terms.Clone()
	tm.Deadline = date("2027-04-05")
	must(t, c.DoRenegotiate(learner, 1, tm, "two reviews were cancelled", at))
	if c.Status != Renegotiating || c.Version != 2 || c.Signed != 1 {
		t.Fatalf("%s v%d signed %d, want renegotiating v2 signed 1", c.Status, c.Version, c.Signed)
	}
	if !c.InForce().Deadline.Equal(date("2027-03-15")) {
		t.Errorf("in force: deadline %s, want the signed one", c.InForce().Deadline)
	}
	if r, _ := c.Revision(2); r.Base != 1 || r.ProposedBy != learner || !c.SignedBy(learner, 2) {
		t.Errorf("revision 2 %+v", r)
	}
	// While renegotiating, the signed terms keep the check-ins going and
	// the approver gets a reminder.
	p := c.Plan(at)
	if got := plan(p); !strings.Contains(got, "checkin Mon 2027-02-08 ULEE") || !strings.Contains(got, "deadline_7d Mon 2027-03-08") ||
		!strings.Contains(got, "approval_reminder Thu 2027-02-18 UMO") {
		t.Errorf("plan while renegotiating:\n%s", got)
	}
	if err := c.DoRenegotiate(learner, 2, tm, "", at); !errors.As(err, new(*StateError)) {
		t.Errorf("a second renegotiation while one is pending: %v", err)
	}
	if err := c.DoSign(learner, 2, at); !errors.Is(err, ErrAlreadySigned) {
		t.Errorf("the proposer signs again: %v", err)
	}
	if err := c.DoDecline(learner, 2, "", at); !errors.Is(err, ErrAlreadySigned) {
		t.Errorf("the proposer declines their own proposal: %v", err)
	}
	must(t, c.DoSign(approver, 2, at.Add(time.Hour)))
	if c.Status != Active || c.Signed != 2 || !c.InForce().Deadline.Equal(date("2027-04-05")) {
		t.Errorf("after signing: %s signed %d deadline %s", c.Status, c.Signed, c.InForce().Deadline)
	}
	// The plan follows the new deadline, the mid-point included.
	if got := plan(c.Plan(at)); !strings.Contains(got, "midpoint Thu 2027-03-04") ||
		!strings.Contains(got, "deadline_7d Mon 2027-03-29") || !strings.Contains(got, "overdue Tue 2027-04-06") {
		t.Errorf("plan after the new deadline:\n%s", got)
	}
	kinds := withoutChanged(strings.Fields(historyKinds(c)))
	want := "created approver proposed signed activated proposed renegotiating signed activated"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("history %q, want %q", got, want)
	}
}

func TestRenegotiationDeclined(t *testing.T) {
	c := sixWeeks(t)
	signed := c.Terms.Clone()
	smaller := c.Terms.Clone()
	smaller.Goals = smaller.Goals[:0:0]
	smaller.Goals = append(smaller.Goals, Goal{Text: "Run two design reviews"})
	must(t, c.DoRenegotiate(learner, 1, smaller, "", monday.AddDate(0, 0, 10)))
	if err := c.DoDecline(stranger, 2, "", monday); !errors.As(err, new(*DeniedError)) {
		t.Errorf("a stranger declines: %v", err)
	}
	if err := c.DoDecline(approver, 1, "", monday); !errors.As(err, new(*StaleError)) {
		t.Errorf("declining version 1: %v", err)
	}
	must(t, c.DoDecline(approver, 2, "let's talk first", monday.AddDate(0, 0, 11)))
	if c.Status != Active || c.Signed != 1 || c.Version != 2 {
		t.Fatalf("after declining: %s v%d signed %d", c.Status, c.Version, c.Signed)
	}
	if !reflect.DeepEqual(c.Terms, signed) {
		t.Errorf("working terms after declining: %+v, want the signed ones", c.Terms)
	}
	// The next renegotiation is diffed against the signed version, not the
	// declined one.
	later := c.Terms.Clone()
	later.Deadline = date("2027-03-29")
	must(t, c.DoRenegotiate(approver, 2, later, "", monday.AddDate(0, 0, 12)))
	r, _ := c.Revision(3)
	if r.Base != 1 || r.ProposedBy != approver {
		t.Errorf("revision 3: base %d by %s", r.Base, r.ProposedBy)
	}
	var fields []string
	for _, e := range c.History {
		if e.Kind == "changed" && e.Version == 3 {
			fields = append(fields, e.Field)
		}
	}
	if !reflect.DeepEqual(fields, []string{FieldDeadline}) {
		t.Errorf("version 3 changed %v, want only the deadline", fields)
	}
	if got := c.AwaitingSignature(); !reflect.DeepEqual(got, []string{learner}) {
		t.Errorf("awaiting %v, want the learner", got)
	}
	must(t, c.DoSign(learner, 3, monday.AddDate(0, 0, 13)))
	if c.Status != Active || c.Signed != 3 {
		t.Errorf("after the learner signs: %s signed %d", c.Status, c.Signed)
	}
}

func TestRenegotiationChecksTerms(t *testing.T) {
	c := sixWeeks(t)
	if err := c.DoRenegotiate(learner, 1, c.Terms, "", monday); !errors.Is(err, ErrNoChange) {
		t.Errorf("no change: %v", err)
	}
	past := c.Terms.Clone()
	past.Deadline = date("2027-01-20")
	var inc *IncompleteError
	if err := c.DoRenegotiate(learner, 1, past, "", monday); !errors.As(err, &inc) || !reflect.DeepEqual(inc.Fields, []string{FieldDeadline}) {
		t.Errorf("a past deadline: %v", err)
	}
	if c.Status != Active || c.Version != 1 {
		t.Errorf("a refused renegotiation changed the contract: %s v%d", c.Status, c.Version)
	}
}

func TestCheckInsAndPause(t *testing.T) {
	c := sixWeeks(t)
	at := date("2027-02-08").Add(12 * time.Hour)
	if err := c.DoCheckIn(learner, "fine", at); err == nil {
		t.Error("an unknown check-in status was recorded")
	}
	if err := c.NoteCheckIn(learner, "x", "", at); !errors.Is(err, ErrNoCheckIn) {
		t.Errorf("notes without a check-in: %v", err)
	}
	must(t, c.DoCheckIn(learner, Behind, at))
	must(t, c.NoteCheckIn(learner, "Shadowed one review", "", at))
	must(t, c.NoteCheckIn(learner, "", "Run my first review", at))
	want := CheckIn{At: at, By: learner, Status: Behind, Happened: "Shadowed one review", Next: "Run my first review", Version: 1}
	if got, _ := c.LastCheckIn(); got != want {
		t.Errorf("check-in %+v, want %+v", got, want)
	}
	must(t, c.DoAskForHelp(learner, "Could I join your next review?", at))

	if err := c.DoPause(approver, "", at); !errors.As(err, new(*DeniedError)) {
		t.Errorf("the approver pauses: %v", err)
	}
	must(t, c.DoPause(learner, "", at))
	if c.Status != Paused || c.PausedFrom != Active {
		t.Fatalf("%s from %s", c.Status, c.PausedFrom)
	}
	must(t, c.NotePause(learner, "crunch time", at))
	if err := c.DoCheckIn(learner, OnTrack, at); !errors.As(err, new(*StateError)) {
		t.Errorf("checking in while paused: %v", err)
	}
	if err := c.DoResume(approver, at); !errors.As(err, new(*DeniedError)) {
		t.Errorf("the approver resumes: %v", err)
	}
	must(t, c.DoResume(learner, at.Add(time.Hour)))
	if c.Status != Active || c.PausedFrom != "" || !c.ResumedAt.Equal(at.Add(time.Hour)) {
		t.Errorf("after resuming: %s from %q at %s", c.Status, c.PausedFrom, c.ResumedAt)
	}
	if err := c.NotePause(learner, "x", at); !errors.As(err, new(*StateError)) {
		t.Errorf("a pause reason when not paused: %v", err)
	}

	// A pause during a renegotiation resumes to it.
	tm := c.Terms.Clone()
	tm.Deadline = date("2027-03-22")
	must(t, c.DoRenegotiate(learner, 1, tm, "", at))
	must(t, c.DoPause(learner, "", at))
	if err := c.DoSign(approver, 2, at); !errors.As(err, new(*StateError)) {
		t.Errorf("signing while paused: %v", err)
	}
	must(t, c.DoResume(learner, at))
	if c.Status != Renegotiating {
		t.Errorf("resumed to %s, want renegotiating", c.Status)
	}

	var got []string
	for _, e := range c.History {
		switch e.Kind {
		case "checked_in", "help_asked", "paused", "resumed", "snoozed":
			got = append(got, e.Kind+":"+e.New+":"+e.Comment)
		}
	}
	wantEvents := []string{"checked_in:behind:", "help_asked::Could I join your next review?", "paused:paused:crunch time",
		"resumed:active:", "paused:paused:", "resumed:renegotiating:"}
	if !reflect.DeepEqual(got, wantEvents) {
		t.Errorf("history %q, want %q", got, wantEvents)
	}
}

func historyKinds(c *Contract) string {
	var ks []string
	for _, e := range c.History {
		ks = append(ks, e.Kind)
	}
	return strings.Join(ks, " ")
}
