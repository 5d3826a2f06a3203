package contract

import (
	"errors"
	"time"
)

// Contracts drafted for a learner: an approver (a manager, someone in L&D)
// drafts the terms and sends them; the learner accepts, counters or
// declines, and negotiation goes on as for a contract the learner drafted.

// RoleDrafter is who holds the pen on the working terms (see Drafter).
const RoleDrafter Role = RoleMember + 1

// DeclineDrafted turns down terms drafted for the learner: the contract is
// withdrawn and the drafter told.
const DeclineDrafted Action = "decline_drafted"

func init() {
	rules[DeclineDrafted] = rule{from: []Status{Proposed}, who: RoleLearner}
}

// ErrNotDrafted says that there is no drafted proposal to decline: the
// contract was not drafted for the learner, or the pending version is their
// own.
var ErrNotDrafted = errors.New("contract: the pending version was not drafted for the learner")

// NewDraftFor starts a draft that drafter writes for learner; drafter is
// its approver.
func NewDraftFor(id, platform, team, learner, drafter string, now time.Time) *Contract {
	c := &Contract{
		ID: id, Platform: platform, Team: team, Learner: learner, Approver: drafter, DraftedBy: drafter,
		Status: Draft, CreatedAt: now, UpdatedAt: now,
		Terms: Terms{Cadence: Weekly},
	}
	c.record(now, drafter, "created", "drafted_by", "", drafter)
	return c
}

// Drafter is who may edit and send the working terms: the person drafting
// a contract for its learner until they first send it, the learner
// otherwise (after countering, or on a contract of their own).
func (c *Contract) Drafter() string {
	if c.DraftedBy != "" && c.Version == 0 {
		return c.DraftedBy
	}
	return c.Learner
}

// HiddenFrom reports whether user may not see c yet: its learner, while
// someone else drafts it for them and has not sent it.
func (c *Contract) HiddenFrom(user string) bool {
	return c.DraftedBy != "" && c.Version == 0 && user == c.Learner && user != c.DraftedBy
}

// DoDeclineDrafted lets the learner turn down terms drafted for them
// (the pending version, proposed by someone else): the contract is
// withdrawn. NoteDecline adds a reason afterwards.
func (c *Contract) DoDeclineDrafted(actor string, version int, now time.Time) error {
	if err := c.Check(DeclineDrafted, actor, version); err != nil {
		return err
	}
	if r, ok := c.Revision(c.Version); c.DraftedBy == "" || !ok || r.ProposedBy == c.Learner {
		return ErrNotDrafted
	}
	c.record(now, actor, "declined", "status", string(c.Status), string(Withdrawn))
	c.Status = Withdrawn
	c.UpdatedAt = now
	return nil
}
