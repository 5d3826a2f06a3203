package contract

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func sharedDraft(t *testing.T) *Contract {
	t.Helper()
	c := New("c1", "slack", "T1", "ULEE", date("2027-03-01")) // a Monday
	c.Approver = "UMO"
	c.Terms.Goals = []Goal{{Text: "Run design reviews"}}
	if err := c.ShareDraft("ULEE", "CSET", false, "", []string{"UPAT", "USAM"}, date("2027-03-01")); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestShareDraft(t *testing.T) {
	c := sharedDraft(t)
	if c.Status != InPeerReview || c.Round() != 1 || c.LearningSet != "CSET" || !slices.Equal(c.Waiting(), []string{"UPAT", "USAM"}) {
		t.Fatalf("after sharing: %s round %d set %q waiting %v", c.Status, c.Round(), c.LearningSet, c.Waiting())
	}
	c.Posted(1, "1.5")
	c.Posted(1, "9.9") // the first post stays the thread
	if sh, _ := c.CurrentShare(); sh.TS != "1.5" {
		t.Fatalf("thread root %q", sh.TS)
	}
	if err := c.ShareDraft("UPAT", "CSET", false, "", nil, date("2027-03-02")); !isDenied(err) {
		t.Fatalf("someone else shared the draft: %v", err)
	}
	if err := c.ShareDraft("ULEE", "CSET", false, "", []string{"UKAI"}, date("2027-03-02")); err != nil || c.Round() != 2 || !slices.Equal(c.Waiting(), []string{"UKAI"}) {
		t.Fatalf("second round: %v, round %d, waiting %v", err, c.Round(), c.Waiting())
	}
	p := c.Clone()
	p.Status = ChangesRequested
	if err := p.ShareDraft("ULEE", "CSET", false, "", []string{"USAM"}, date("2027-03-02")); err != nil || p.Status != InPeerReview || p.Round() != 3 {
		t.Fatalf("sharing after changes were requested: %v, %s round %d", err, p.Status, p.Round())
	}
	p.Status = Active
	if err := p.ShareDraft("ULEE", "CSET", false, "", nil, date("2027-03-02")); err == nil {
		t.Fatal("shared an active contract")
	}
}

func isDenied(err error) bool {
	var d *DeniedError
	return errors.As(err, &d)
}

func TestFeedbackAndDecline(t *testing.T) {
	c := sharedDraft(t)
	now := date("2027-03-02")
	if err := c.GiveFeedback(Feedback{By: "ULEE", Text: "mine"}, now); !errors.Is(err, ErrOwnDraft) {
		t.Fatalf("own feedback: %v", err)
	}
	long := strings.Repeat("é", MaxFeedback+50)
	if err := c.GiveFeedback(Feedback{By: "UPAT", Source: FromThread, Text: long}, now); err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(c.Feedback[0].Text)); n != MaxFeedback || c.Feedback[0].Round != 1 {
		t.Fatalf("feedback kept %d characters, round %d", n, c.Feedback[0].Round)
	}
	if err := c.DeclineReview("UPAT", nil, now); !errors.Is(err, ErrNotAsked) {
		t.Fatalf("declined after answering: %v", err)
	}
	if err := c.DeclineReview("UKAI", nil, now); !errors.Is(err, ErrNotAsked) {
		t.Fatalf("someone not asked declined: %v", err)
	}
	if err := c.DeclineReview("USAM", []string{"UKAI"}, now); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Waiting(), []string{"UKAI"}) || !slices.Equal(c.Asked(), []string{"UPAT", "USAM", "UKAI"}) {
		t.Fatalf("after decline: waiting %v, asked %v", c.Waiting(), c.Asked())
	}
	// Anyone in the set may add feedback, asked or not; it counts once.
	if err := c.GiveFeedback(Feedback{By: "UANA", Source: FromThread, Text: "+1"}, now); err != nil {
		t.Fatal(err)
	}
	if got := Authors(c.Feedback); !slices.Equal(got, []string{"UPAT", "UANA"}) {
		t.Fatalf("reviewers %v", got)
	}
	if err := c.DoPropose("ULEE", "", now); err == nil {
		t.Fatal("proposed without evidence")
	}
	c.Terms.Evidence, c.Terms.Criteria, c.Terms.Deadline = []string{"a demo"}, []Criterion{{Text: "used"}}, date("2027-05-01")
	if err := c.DoPropose("ULEE", "", now); err != nil {
		t.Fatal(err)
	}
	if err := c.GiveFeedback(Feedback{By: "UKAI", Text: "late"}, now); !errors.Is(err, ErrReviewClosed) {
		t.Fatalf("feedback after proposing: %v", err)
	}
}

func TestReviewPlan(t *testing.T) {
	c := sharedDraft(t) // shared Monday 1 March
	plan := c.Plan(date("2027-03-01"))
	want := map[string]time.Time{
		"review_reminder:UPAT": date("2027-03-03").Add(9 * time.Hour), // two working days on
		"review_reminder:USAM": date("2027-03-03").Add(9 * time.Hour),
		"review_slow":          date("2027-03-05").Add(9 * time.Hour), // four
	}
	if len(plan) != len(want) {
		t.Fatalf("plan %+v", plan)
	}
	for _, d := range plan {
		if at, ok := want[d.Key()]; !ok || !d.At.Equal(at) {
			t.Errorf("planned %s at %s", d.Key(), d.At)
		}
	}
	d, ok := c.DueNowFor(DueReviewReminder, "USAM", date("2027-03-03").Add(10*time.Hour), nil)
	if !ok || d.User != "USAM" {
		t.Fatalf("Sam's reminder not due: %+v %v", d, ok)
	}
	c.Sent(d, date("2027-03-03").Add(10*time.Hour))
	if err := c.GiveFeedback(Feedback{By: "UPAT", Text: "ok"}, date("2027-03-03")); err != nil {
		t.Fatal(err)
	}
	for _, d := range c.Plan(date("2027-03-03")) {
		if d.Kind == DueReviewReminder {
			t.Fatalf("a reminder is still planned: %+v", d)
		}
	}
	keys := c.DueKeys()
	for _, k := range []string{"review_reminder:UPAT", "review_reminder:USAM", "review_slow", "checkin"} {
		if !slices.Contains(keys, k) {
			t.Errorf("DueKeys lacks %s: %v", k, keys)
		}
	}
	if slices.Contains(keys, "review_reminder") {
		t.Errorf("DueKeys has a per-person kind without its person: %v", keys)
	}
}
