package contract

import (
	"errors"
	"slices"
	"time"
)

// Scheduled work of a completed contract.
const (
	// DueImpact asks the learner whether the contract changed how they
	// work, at each of ImpactDays after completion; one at a time.
	DueImpact DueKind = "impact"
	// DueImpactApprover asks the approver, once, at the last check,
	// whether they have seen a difference.
	DueImpactApprover DueKind = "impact_approver"
)

// DefaultImpactDays are the impact check-backs, in days after completion,
// unless configured otherwise.
var DefaultImpactDays = []int{30, 90}

// Impact answers: has this changed how you work (or, for the approver,
// have you seen a difference)?
const (
	ImpactALot     = "a_lot"
	ImpactSomewhat = "somewhat"
	ImpactNotYet   = "not_yet"
)

// Impact is one answer to an impact check-back.
type Impact struct {
	// Day is the check it answers, in days after completion.
	Day     int       `json:"day"`
	By      string    `json:"by"`
	Answer  string    `json:"answer"` // ImpactALot, ImpactSomewhat or ImpactNotYet
	Example string    `json:"example,omitempty"`
	At      time.Time `json:"at"`
}

// impactPlan is the scheduled work of a completed contract: the next
// impact check that has not gone out, and the approver's one question at
// the last check.
func (c *Contract) impactPlan() []Due {
	if c.CompletedAt.IsZero() || len(c.ImpactDays) == 0 {
		return nil
	}
	done := day(c.CompletedAt)
	var out []Due
	for _, d := range c.ImpactDays {
		at := done.AddDate(0, 0, d)
		if !c.sentFor(DueImpact, at) {
			out = append(out, Due{Kind: DueImpact, At: at.Add(dueHour * time.Hour), User: c.Learner})
			break
		}
	}
	last := done.AddDate(0, 0, slices.Max(c.ImpactDays))
	if c.Approver != "" && !c.sent(DueImpactApprover) {
		out = append(out, Due{Kind: DueImpactApprover, At: last.Add(dueHour * time.Hour), User: c.Approver})
	}
	return out
}

// ImpactDay is the check (days after completion) a planned impact item
// d is for.
func (c *Contract) ImpactDay(d Due) int {
	return daysBetween(day(c.CompletedAt), day(d.At))
}

// Errors of impact answers.
var (
	ErrNoCheck   = errors.New("contract: no such impact check-back")
	ErrBadImpact = errors.New("contract: the answer must be a lot, somewhat or not yet")
)

// DoAnswerImpact records the answer of the learner (or the approver) to
// the impact check of day dayN; a second answer to the same check by the
// same person replaces the first.
func (c *Contract) DoAnswerImpact(actor string, dayN int, answer, example string, now time.Time) error {
	if err := c.Check(AnswerImpact, actor, 0); err != nil {
		return err
	}
	if !slices.Contains(c.ImpactDays, dayN) {
		return ErrNoCheck
	}
	switch answer {
	case ImpactALot, ImpactSomewhat, ImpactNotYet:
	default:
		return ErrBadImpact
	}
	if err := checkNote("the example", example); err != nil {
		return err
	}
	im := Impact{Day: dayN, By: actor, Answer: answer, Example: example, At: now}
	if i := slices.IndexFunc(c.Impacts, func(x Impact) bool { return x.Day == dayN && x.By == actor }); i >= 0 {
		c.Impacts[i] = im
	} else {
		c.Impacts = append(c.Impacts, im)
	}
	c.record(now, actor, "impact_answered", "", "", answer)
	c.UpdatedAt = now
	return nil
}
