package contract

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// twoCriteria is an active contract with two criteria and two pieces of
// evidence, and an advocate.
func twoCriteria(t *testing.T) *Contract {
	t.Helper()
	c := New("c1", "slack", "T1", learner, now)
	tm := complete()
	tm.Evidence = append(tm.Evidence, "Slides")
	tm.Criteria = append(tm.Criteria, Criterion{Text: "Reviews take under an hour"})
	must(t, c.SetTerms(learner, tm, now))
	must(t, c.SetApprover(learner, approver, now))
	c.Advocate = advocate
	must(t, c.DoPropose(learner, "", now))
	must(t, c.DoSign(approver, 1, now))
	must(t, c.DoSign(advocate, 1, now))
	if c.Status != Active {
		t.Fatalf("status %s", c.Status)
	}
	return c
}

// handIn adds one link, one file and one text and self-rates both
// criteria Met, then submits.
func handIn(t *testing.T, c *Contract, at time.Time) {
	t.Helper()
	must(t, c.DoAddEvidence(learner, EvidenceItem{Of: 1, Kind: EvidenceLink, URL: "https://example.com/write-up"}, at))
	must(t, c.DoAddEvidence(learner, EvidenceItem{Of: 2, Kind: EvidenceFile, File: &File{ID: "F1", Name: "slides.pdf", Permalink: "https://files.example/F1"}}, at))
	must(t, c.DoAddEvidence(learner, EvidenceItem{Kind: EvidenceText, Text: "Ana says the reviews got shorter"}, at))
	must(t, c.DoSelfAssess(learner, 1, Met, "used by Bo and Cy", at))
	must(t, c.DoSelfAssess(learner, 2, Met, "", at))
	must(t, c.DoSubmit(learner, at))
}

func TestFinishActiveToCompleted(t *testing.T) {
	c := twoCriteria(t)
	at := now.AddDate(0, 0, 20)
	handIn(t, c, at)
	if c.Status != Submitted || c.CurrentSubmission() != 1 || len(c.Evidence) != 3 {
		t.Fatalf("after submit: %s, submission %d, %d evidence", c.Status, c.CurrentSubmission(), len(c.Evidence))
	}
	if s, _ := c.LastSubmission(); !s.Early || c.EndReason != FinishedEarly {
		t.Errorf("submitted before the deadline: early %v, reason %q", s.Early, c.EndReason)
	}
	if got := c.Plan(at); len(got) != 0 {
		t.Errorf("a submitted contract plans nothing, got %v", got)
	}
	if c.Drifting(at.AddDate(0, 2, 0)) {
		t.Error("a submitted contract drifts")
	}
	must(t, c.DoAssess(approver, 1, 1, Partly, "only Bo uses it so far", at))
	if c.Assessed() {
		t.Fatal("assessed with one criterion unrated")
	}
	if err := c.DoComplete(learner, Reflection{}, DefaultImpactDays, at); !errors.Is(err, ErrNotAssessed) {
		t.Fatalf("complete before assessment: %v", err)
	}
	must(t, c.DoAssess(approver, 1, 2, Met, "", at))
	if !c.Assessed() {
		t.Fatal("not assessed with every criterion rated")
	}
	if d := c.Differ(1); len(d) != 1 || d[0] != 1 {
		t.Errorf("Differ = %v, want [1]", d)
	}
	must(t, c.DoComment(learner, 1, "Cy starts next week", at))
	must(t, c.DoComment(advocate, 0, "Nice slides", at))
	must(t, c.DoComplete(learner, Reflection{Learned: "pace", Change: "timebox reviews"}, DefaultImpactDays, at))
	if c.Status != Completed || c.Reflection == nil || c.Reflection.Learned != "pace" || c.Reflection.Differently != "" {
		t.Fatalf("after complete: %s %+v", c.Status, c.Reflection)
	}
	// Impact: the 30-day check, then the 90-day one with the approver's question.
	plan := c.Plan(at)
	if len(plan) != 2 || plan[0].Kind != DueImpact || !plan[0].At.Equal(day(at).AddDate(0, 0, 30).Add(9*time.Hour)) ||
		plan[1].Kind != DueImpactApprover || plan[1].User != approver || !plan[1].At.Equal(day(at).AddDate(0, 0, 90).Add(9*time.Hour)) {
		t.Fatalf("impact plan = %+v", plan)
	}
	if c.ImpactDay(plan[0]) != 30 {
		t.Errorf("ImpactDay = %d", c.ImpactDay(plan[0]))
	}
	c.Sent(plan[0], plan[0].At)
	plan = c.Plan(plan[0].At)
	if len(plan) != 2 || plan[0].Kind != DueImpact || c.ImpactDay(plan[0]) != 90 {
		t.Fatalf("after the first check: %+v", plan)
	}
	must(t, c.DoAnswerImpact(learner, 30, ImpactSomewhat, "reviews are timeboxed", plan[0].At))
	if err := c.DoAnswerImpact(learner, 45, ImpactSomewhat, "", now); !errors.Is(err, ErrNoCheck) {
		t.Errorf("answer to no check: %v", err)
	}
	if err := c.DoAnswerImpact(stranger, 30, ImpactSomewhat, "", now); !isDenied(err) {
		t.Errorf("stranger answers impact: %v", err)
	}
	if len(c.Impacts) != 1 || c.Impacts[0].Example != "reviews are timeboxed" {
		t.Errorf("impacts = %+v", c.Impacts)
	}
	if !c.InDigest() {
		t.Error("a completed contract with check-backs to come leaves the digest")
	}
	for _, d := range c.Plan(plan[0].At) {
		c.Sent(d, d.At)
	}
	if c.InDigest() || len(c.Plan(now.AddDate(1, 0, 0))) != 0 {
		t.Error("a completed contract stays in the digest after its last check-back")
	}
}

func TestAskForMoreReturnsToActiveWithNewDate(t *testing.T) {
	c := twoCriteria(t)
	at := now.AddDate(0, 0, 20)
	handIn(t, c, at)
	if err := c.DoAskForMore(approver, 1, "the survey too", at, at); !errors.Is(err, ErrBadDue) {
		t.Fatalf("a new date of today: %v", err)
	}
	due := time.Date(2027, 4, 2, 0, 0, 0, 0, time.UTC)
	must(t, c.DoAskForMore(approver, 1, "the survey too", due, at))
	if c.Status != Active || !c.Deadline().Equal(due) || c.CurrentSubmission() != 2 {
		t.Fatalf("after asking for more: %s, deadline %v, submission %d", c.Status, c.Deadline(), c.CurrentSubmission())
	}
	// The plan counts to the new date: an overdue note the day after it.
	var overdue Due
	for _, d := range c.Plan(at) {
		if d.Kind == DueOverdue {
			overdue = d
		}
	}
	if !day(overdue.At).Equal(due.AddDate(0, 0, 1)) {
		t.Errorf("overdue planned %v, want the day after %v", overdue.At, due)
	}
	// A card of the first submission is stale now.
	if err := c.DoAssess(approver, 1, 1, Met, "", at); err == nil {
		t.Error("assessed an active contract")
	}
	if err := c.DoSubmit(learner, at); !errors.Is(err, ErrNoEvidence) {
		t.Fatalf("resubmit with nothing new: %v", err)
	}
	must(t, c.DoAddEvidence(learner, EvidenceItem{Kind: EvidenceLink, URL: "https://example.com/survey"}, at))
	if err := c.DoSubmit(learner, at); !errors.Is(err, ErrNotSelfRated) {
		t.Fatalf("resubmit without rating again: %v", err)
	}
	must(t, c.DoSelfAssess(learner, 1, Met, "", at))
	must(t, c.DoSelfAssess(learner, 2, Met, "", at))
	must(t, c.DoSubmit(learner, at))
	var stale *StaleSubmissionError
	if err := c.DoAssess(approver, 1, 1, Met, "", at); !errors.As(err, &stale) || stale.Current != 2 {
		t.Fatalf("assessment on a card of the first submission: %v", err)
	}
	if got := len(c.SubmissionEvidence(2)); got != 4 {
		t.Errorf("evidence of submission 2 = %d, want all 4", got)
	}
	must(t, c.DoAssess(approver, 2, 1, Met, "", at))
	must(t, c.DoAssess(approver, 2, 2, Met, "", at))
	must(t, c.DoComplete(learner, Reflection{}, nil, at))
	if c.Status != Completed || len(c.Plan(at)) != 0 {
		t.Fatalf("completed without impact checks: %s %v", c.Status, c.Plan(at))
	}
}

func TestFinishRefusals(t *testing.T) {
	c := twoCriteria(t)
	var state *StateError
	if err := c.DoAssess(approver, 0, 1, Met, "", now); !errors.As(err, &state) {
		t.Errorf("assess before submission: %v", err)
	}
	if err := c.DoAddEvidence(learner, EvidenceItem{Kind: EvidenceLink, URL: "my write-up"}, now); err == nil || !strings.Contains(err.Error(), "web address") {
		t.Errorf("a link that is not a URL: %v", err)
	}
	if err := c.DoAddEvidence(learner, EvidenceItem{Kind: EvidenceLink, URL: "javascript:alert(1)"}, now); err == nil {
		t.Error("a javascript: link was taken")
	}
	if err := c.DoAddEvidence(learner, EvidenceItem{Of: 3, Kind: EvidenceText, Text: "x"}, now); err == nil {
		t.Error("evidence for a piece the contract does not name")
	}
	if err := c.DoAddEvidence(learner, EvidenceItem{Kind: EvidenceFile, File: &File{Name: "x"}}, now); err == nil {
		t.Error("a file without an id")
	}
	var long *TooLongError
	if err := c.DoAddEvidence(learner, EvidenceItem{Kind: EvidenceText, Text: strings.Repeat("a", MaxEvidenceText+1)}, now); !errors.As(err, &long) {
		t.Errorf("text over the limit: %v", err)
	}
	if err := c.DoAddEvidence(stranger, EvidenceItem{Kind: EvidenceText, Text: "x"}, now); !isDenied(err) {
		t.Errorf("a stranger hands in evidence: %v", err)
	}
	if len(c.Evidence) != 0 {
		t.Fatalf("refused evidence kept: %+v", c.Evidence)
	}
	if err := c.DoSelfAssess(learner, 3, Met, "", now); !errors.Is(err, ErrNoCriterion) {
		t.Errorf("rating a criterion that does not exist: %v", err)
	}
	if err := c.DoSelfAssess(learner, 1, "great", "", now); !errors.Is(err, ErrBadRating) {
		t.Errorf("an unknown rating: %v", err)
	}
	handIn(t, c, now)
	if err := c.DoSubmit(learner, now); !errors.As(err, &state) {
		t.Errorf("submitting twice: %v", err)
	}
	if err := c.DoAssess(stranger, 1, 1, Met, "", now); !isDenied(err) {
		t.Errorf("a stranger assesses: %v", err)
	}
	if err := c.DoAssess(learner, 1, 1, Met, "", now); !isDenied(err) {
		t.Errorf("the learner assesses as approver: %v", err)
	}
	if err := c.DoComment(stranger, 0, "hi", now); !isDenied(err) {
		t.Errorf("a stranger comments: %v", err)
	}
	// An advocate named after signing has not signed: the learner may
	// still comment.
	c.Advocate = "UNEW"
	must(t, c.DoComment(learner, 1, "a reply", now))
	must(t, c.DoComment("UNEW", 0, "a comment", now))
	c.Advocate = advocate
	must(t, c.DoAssess(approver, 1, 1, Met, "", now))
	must(t, c.DoAssess(approver, 1, 2, Met, "", now))
	if err := c.DoAskForMore(approver, 1, "more", now.AddDate(0, 1, 0), now); !errors.Is(err, ErrAssessed) {
		t.Errorf("asked for more after assessing: %v", err)
	}
	if err := c.DoComplete(learner, Reflection{Learned: strings.Repeat("é", 10000)}, nil, now); !errors.As(err, &long) {
		t.Fatalf("a reflection of 10,000 characters: %v", err)
	}
	if c.Status != Submitted {
		t.Fatalf("a refused reflection changed the status to %s", c.Status)
	}
}

func TestRetireNoLongerRelevant(t *testing.T) {
	c := twoCriteria(t)
	must(t, c.DoPause(learner, "", now))
	must(t, c.DoRetire(learner, "team changed", now))
	if c.Status != Withdrawn || c.EndReason != NoLongerRelevant || c.EndNote != "team changed" {
		t.Fatalf("retired: %s %q %q", c.Status, c.EndReason, c.EndNote)
	}
	if err := c.DoRetire(learner, "", now); err == nil {
		t.Error("retired twice")
	}
	if d := twoCriteria(t); d.DoRetire(approver, "", now) == nil {
		t.Error("the approver retired the learner's contract")
	}
}

func TestCloneCopiesTheFinish(t *testing.T) {
	c := twoCriteria(t)
	handIn(t, c, now)
	must(t, c.DoAssess(approver, 1, 1, Met, "", now))
	must(t, c.DoAssess(approver, 1, 2, Met, "", now))
	must(t, c.DoComplete(learner, Reflection{Learned: "a"}, DefaultImpactDays, now))
	d := c.Clone()
	d.Evidence[1].File.Name = "changed"
	d.Reflection.Learned = "b"
	d.ImpactDays[0] = 1
	d.Assessments[0].Rating = NotYet
	if c.Evidence[1].File.Name != "slides.pdf" || c.Reflection.Learned != "a" || c.ImpactDays[0] != 30 || c.Assessments[0].Rating == NotYet {
		t.Error("the clone shares the finish with the original")
	}
}

func TestDoConsent(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := New("c1", "slack", "T1", learner, at)
	c.Approver = approver
	if err := c.DoConsent(learner, Anonymous, at); err == nil {
		t.Error("a draft was shared as an example")
	}
	c.Status = Completed
	if err := c.DoConsent(approver, Named, at); err == nil {
		t.Error("the approver chose for the learner")
	}
	if err := c.DoConsent(learner, Consent("everyone"), at); err == nil || c.Library != NotShared {
		t.Errorf("an unknown consent: %v, %q", err, c.Library)
	}
	must(t, c.DoConsent(learner, Anonymous, at))
	if !c.Shared() || c.Library != Anonymous {
		t.Fatalf("after sharing anonymously: shared %v, %q", c.Shared(), c.Library)
	}
	n := len(c.History)
	must(t, c.DoConsent(learner, Anonymous, at))
	if len(c.History) != n {
		t.Error("choosing the same again was recorded")
	}
	must(t, c.DoConsent(learner, NotShared, at))
	if ev := c.History[len(c.History)-1]; c.Shared() || ev.Kind != EventLibrary || ev.Old != "anonymous" || ev.New != NotSharedWord {
		t.Errorf("after withdrawing: shared %v, event %+v", c.Shared(), ev)
	}
}
