package conversation

import (
	"cmp"
	"slices"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
)

// recentDays is how far back the digest's check-ins go.
const recentDays = 7

// IsDigest reports whether in is an approver's digest coming due. It names
// no contract (ContractOf is ""): Env.Contracts holds the approver's.
func IsDigest(in Input) bool {
	return in.Kind == DueInput && contract.DueKind(in.DueKind) == contract.DueDigest
}

// digest is what an approver's digest says, about the contracts they
// approve only.
type digest struct {
	// waiting are the proposals and changes waiting for the approver's
	// signature, longest waiting first.
	waiting []*contract.Contract
	// support are the contracts whose learner has missed a check-in.
	support []*contract.Contract
	// struggling are the contracts whose latest check-in says Behind or
	// Blocked, or whose learner asked for a hand in the last week, that
	// are not in support already: whatever time is left.
	struggling []*contract.Contract
	// drifting are the contracts drifting (contract.Drifting) that are
	// in neither list above.
	drifting []*contract.Contract
	// recent are the check-ins of the last week, newest first.
	recent []recentCheckIn
	// assess are the contracts handed in and waiting for the approver's
	// assessment; completed those completed in the last week.
	assess, completed []*contract.Contract
	// impact are the learners' answers to impact check-backs in the last
	// week, newest first.
	impact []recentImpact
}

type recentImpact struct {
	c  *contract.Contract
	im contract.Impact
}

type recentCheckIn struct {
	c  *contract.Contract
	ci contract.CheckIn
	i  int // its place in c.CheckIns
}

// struggling reports whether a contract under way says it is in trouble:
// its latest check-in is Behind or Blocked, or its learner asked for a
// hand since a time.
func struggling(c *contract.Contract, since time.Time) bool {
	if c.Status != contract.Active && c.Status != contract.Renegotiating {
		return false
	}
	if ci, ok := c.LastCheckIn(); ok && (ci.Status == contract.Behind || ci.Status == contract.Blocked) {
		return true
	}
	at, ok := c.HelpAsked()
	return ok && at.After(since)
}

func (d digest) empty() bool {
	return len(d.waiting)+len(d.support)+len(d.struggling)+len(d.drifting)+len(d.recent)+len(d.assess)+len(d.completed)+len(d.impact) == 0
}

// digestOf gathers approver's digest from cs, which may hold anyone's
// contracts: only those approver approves count.
func digestOf(cs []*contract.Contract, approver string, now time.Time) digest {
	var d digest
	since := now.AddDate(0, 0, -recentDays)
	for _, c := range cs {
		if c == nil || approver == "" || c.Approver != approver || c.Learner == approver {
			continue
		}
		if c.Status == contract.Completed && c.CompletedAt.After(since) && !c.CompletedAt.After(now) {
			d.completed = append(d.completed, c)
		}
		for _, im := range c.Impacts {
			if im.By == c.Learner && im.At.After(since) && !im.At.After(now) {
				d.impact = append(d.impact, recentImpact{c: c, im: im})
			}
		}
		if !c.InDigest() {
			continue
		}
		if c.Status == contract.Submitted && !c.Assessed() {
			d.assess = append(d.assess, c)
		}
		if (c.Status == contract.Proposed || c.Status == contract.Renegotiating) && slices.Contains(c.AwaitingSignature(), approver) {
			d.waiting = append(d.waiting, c)
		}
		switch {
		case c.NeedsSupport(now):
			d.support = append(d.support, c)
		case struggling(c, since):
			d.struggling = append(d.struggling, c)
		case c.Drifting(now):
			d.drifting = append(d.drifting, c)
		}
		for i, ci := range c.CheckIns {
			if ci.At.After(since) && !ci.At.After(now) {
				d.recent = append(d.recent, recentCheckIn{c: c, ci: ci, i: i})
			}
		}
	}
	slices.SortStableFunc(d.waiting, func(a, b *contract.Contract) int {
		return proposedAt(a).Compare(proposedAt(b))
	})
	slices.SortStableFunc(d.impact, func(a, b recentImpact) int {
		return cmp.Compare(b.im.At.UnixNano(), a.im.At.UnixNano())
	})
	slices.SortStableFunc(d.recent, func(a, b recentCheckIn) int {
		return cmp.Compare(b.ci.At.UnixNano(), a.ci.At.UnixNano())
	})
	return d
}

// proposedAt is when the current version was proposed.
func proposedAt(c *contract.Contract) time.Time {
	r, _ := c.Revision(c.Version)
	return r.At
}

// sendDigest sends the approver their digest of the contracts in Env, or
// nothing when there is nothing to say. It changes no contract.
func (t *turn) sendDigest() {
	d := digestOf(t.env.Contracts, t.in.User, t.env.Now)
	if d.empty() {
		return
	}
	t.send(t.in.User, digestMsg(d, t.in.User, t.today()))
}
