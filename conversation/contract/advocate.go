package contract

import (
	"strings"
	"time"
)

// The workplace advocate: named in a draft, shown each version proposed,
// may comment on it, and signs it with the learner and the approver (see
// Parties). Changing the advocate takes a new version: signatures are per
// version, and only the parties of the contract count.

// Advise is the advocate's comment on a pending version.
const Advise Action = "advise"

// RoleAdvocate is the contract's workplace advocate, when it has one of
// its own (not the learner, not the approver).
const RoleAdvocate Role = RoleDrafter + 1

// Kinds of history event about the advocate.
const (
	EventAdvocate        = "advocate"         // named, changed or removed (Old → New)
	EventAdvocateComment = "advocate_comment" // the advocate's comment (Comment)
)

// AdvocateOf is the contract's advocate, when it has one of its own: an
// advocate who is also the learner or the approver is no second person.
func (c *Contract) AdvocateOf() string {
	if c.Advocate != "" && c.Advocate != c.Approver && c.Advocate != c.Learner {
		return c.Advocate
	}
	return ""
}

// SetAdvocate names the draft's workplace advocate, or removes them with
// "". Proposing the draft then asks the advocate to sign.
func (c *Contract) SetAdvocate(actor, advocate string, now time.Time) error {
	if err := c.Check(Edit, actor, 0); err != nil {
		return err
	}
	if advocate != c.Advocate {
		c.record(now, actor, EventAdvocate, FieldAdvocate, c.Advocate, advocate)
		c.Advocate = advocate
	}
	c.UpdatedAt = now
	return nil
}

// DoAdvise records the advocate's comment on version (0: the current one)
// in the history. The comment changes nothing else: the learner and the
// approver read it and decide.
func (c *Contract) DoAdvise(actor string, version int, text string, now time.Time) error {
	if err := c.Check(Advise, actor, version); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return ErrEmpty
	}
	if err := checkNote("the comment", text); err != nil {
		return err
	}
	c.record(now, actor, EventAdvocateComment, "", "", "")
	c.History[len(c.History)-1].Comment = text
	c.UpdatedAt = now
	return nil
}

// AdvocateComments are the advocate comments in the history, oldest first.
func (c *Contract) AdvocateComments() []Event {
	var out []Event
	for _, e := range c.History {
		if e.Kind == EventAdvocateComment {
			out = append(out, e)
		}
	}
	return out
}

// ChangeAdvocate names another advocate (or, with "", none) for a contract
// waiting for signatures. The terms are proposed again as a new version,
// signed by actor: signatures on the earlier version, the former
// advocate's included, no longer count. It fails with ErrNoChange when the
// advocate is the same, and with an *IncompleteError when the contract
// would lack what a proposal needs (the advocate its template asks for).
func (c *Contract) ChangeAdvocate(actor, advocate string, now time.Time) error {
	if err := c.Check(Propose, actor, 0); err != nil {
		return err
	}
	if c.Status != Proposed {
		return &StateError{Action: Propose, Status: c.Status}
	}
	if advocate == c.Advocate {
		return ErrNoChange
	}
	old := c.Advocate
	c.Advocate = advocate
	if gaps := c.gaps(now); len(gaps) > 0 {
		c.Advocate = old
		return incomplete(gaps)
	}
	c.record(now, actor, EventAdvocate, FieldAdvocate, old, advocate)
	c.newVersion(actor, c.Version, c.Terms, "", now)
	c.Requested = ""
	return nil
}
