package contract

import "slices"

// Clone returns a deep copy of the terms: changing the copy's slices leaves
// the original untouched.
func (t Terms) Clone() Terms {
	t.Goals = slices.Clone(t.Goals)
	t.Activities = slices.Clone(t.Activities)
	t.Evidence = slices.Clone(t.Evidence)
	t.Criteria = slices.Clone(t.Criteria)
	return t
}

// Clone returns a deep copy of the contract, Rev included.
func (c *Contract) Clone() *Contract {
	if c == nil {
		return nil
	}
	d := *c
	d.Terms = c.Terms.Clone()
	d.Revisions = make([]Revision, len(c.Revisions))
	for i, r := range c.Revisions {
		r.Terms = r.Terms.Clone()
		d.Revisions[i] = r
	}
	if c.Revisions == nil {
		d.Revisions = nil
	}
	d.Signatures = slices.Clone(c.Signatures)
	d.History = slices.Clone(c.History)
	d.CheckIns = slices.Clone(c.CheckIns)
	d.Replies = slices.Clone(c.Replies)
	d.Nudges = slices.Clone(c.Nudges)
	d.Queued = slices.Clone(c.Queued)
	d.Shares = slices.Clone(c.Shares)
	d.Reviews = slices.Clone(c.Reviews)
	d.Feedback = slices.Clone(c.Feedback)
	d.Evidence = slices.Clone(c.Evidence)
	for i, e := range d.Evidence {
		if e.File != nil {
			f := *e.File
			d.Evidence[i].File = &f
		}
	}
	d.Submissions = slices.Clone(c.Submissions)
	d.Assessments = slices.Clone(c.Assessments)
	d.Comments = slices.Clone(c.Comments)
	if c.Reflection != nil {
		r := *c.Reflection
		d.Reflection = &r
	}
	d.ImpactDays = slices.Clone(c.ImpactDays)
	d.Impacts = slices.Clone(c.Impacts)
	return &d
}
