package contract

import "time"

// DueDigest is an approver's digest of their contracts: one item per
// approver, not per contract, so no Plan holds it and DueKinds does not
// list it.
const DueDigest DueKind = "digest"

// InDigest reports whether the contract belongs in its approver's digest:
// it has been sent to them and is not withdrawn; once completed, only
// while impact check-backs are still to go out (the digest tells of the
// completion and of the answers).
func (c *Contract) InDigest() bool {
	if c.Approver == "" {
		return false
	}
	switch c.Status {
	case Draft, InPeerReview, Withdrawn:
		return false
	case Completed:
		return len(c.impactPlan()) > 0
	}
	return true
}

// Drifting reports whether the learner's own check-ins say the contract is
// falling behind the calendar: the latest check-in is behind or blocked
// with more than half the time from activation to the deadline gone, or no
// check-in has come in for two cadences (counted from activation, or from
// resuming after a pause). Only contracts under way (active, renegotiating)
// drift. Like NeedsSupport, it is for offering help, never a failure.
func (c *Contract) Drifting(now time.Time) bool {
	if c.Status != Active && c.Status != Renegotiating {
		return false
	}
	tm := c.InForce()
	first, _ := c.activations()
	ci, checked := c.LastCheckIn()
	if dl := c.Deadline(); checked && (ci.Status == Behind || ci.Status == Blocked) && !dl.IsZero() &&
		now.Sub(first) > dl.Sub(first)/2 {
		return true
	}
	if tm.Cadence <= 0 {
		return false
	}
	since := later(first, c.ResumedAt)
	if checked {
		since = later(since, ci.At)
	}
	return !since.After(now.AddDate(0, 0, -2*int(tm.Cadence)))
}
