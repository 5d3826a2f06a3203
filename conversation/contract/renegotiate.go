package contract

import (
	"errors"
	"time"
)

// ErrNoChange says that proposed terms are the same as the ones in force.
var ErrNoChange = errors.New("contract: the proposed terms change nothing")

// InForce returns the terms of the signed version, or the working terms
// while nothing is signed.
func (c *Contract) InForce() Terms {
	if r, ok := c.Revision(c.Signed); ok && c.Signed > 0 {
		return r.Terms
	}
	return c.Terms
}

// DoRenegotiate proposes changed terms for an active contract (a new
// deadline, a smaller scope) as a new version, signed by actor. The contract
// becomes renegotiating; the signed version stays in force until every party
// has signed the new one (DoSign), or one declines (DoDecline).
func (c *Contract) DoRenegotiate(actor string, version int, t Terms, comment string, now time.Time) error {
	if err := c.Check(Renegotiate, actor, version); err != nil {
		return err
	}
	if gaps := termGaps(t, now); len(gaps) > 0 {
		return incomplete(gaps)
	}
	t = t.Clone()
	if err := keepFixed(c.InForce(), &t); err != nil {
		return err
	}
	if len(Diff(c.InForce(), t)) == 0 {
		return ErrNoChange
	}
	c.newVersion(actor, c.Signed, t, comment, now)
	c.Terms = t.Clone()
	c.record(now, actor, "renegotiating", "status", string(Active), string(Renegotiating))
	c.Status = Renegotiating
	return nil
}

// DoDecline turns down a pending renegotiation: the contract is active again
// on the signed version, whose terms become the working terms.
func (c *Contract) DoDecline(actor string, version int, comment string, now time.Time) error {
	if err := c.Check(Decline, actor, version); err != nil {
		return err
	}
	c.Terms = c.InForce().Clone()
	c.Status = Active
	c.record(now, actor, "declined", "status", string(Renegotiating), string(Active))
	c.History[len(c.History)-1].Comment = comment
	c.UpdatedAt = now
	return nil
}

// NoteDecline adds the decliner's reason to their latest decline, after the
// fact; it reports the version the decline kept out, or ErrNoDecline.
func (c *Contract) NoteDecline(actor, reason string, now time.Time) (int, error) {
	for i := len(c.History) - 1; i >= 0; i-- {
		e := c.History[i]
		if e.Kind != "declined" {
			continue
		}
		if e.Actor != actor {
			return 0, ErrNoDecline
		}
		c.History[i].Comment = reason
		c.UpdatedAt = now
		return c.Version, nil
	}
	return 0, ErrNoDecline
}

// ErrNoDecline says that the actor made no decline to give a reason for.
var ErrNoDecline = errors.New("contract: no decline of yours to give a reason for")
