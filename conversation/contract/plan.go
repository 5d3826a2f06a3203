package contract

import (
	"slices"
	"time"
)

// DueKind names a piece of scheduled work a contract needs.
type DueKind string

const (
	DueCheckIn          DueKind = "checkin"           // the regular check-in, at the agreed cadence
	DueMidpoint         DueKind = "midpoint"          // the mandatory check-in halfway to the deadline
	DueDeadlineSoon     DueKind = "deadline_7d"       // a week before the deadline
	DueDeadlineTomorrow DueKind = "deadline_1d"       // the day before the deadline
	DueOverdue          DueKind = "overdue"           // the day after the deadline
	DueApprovalReminder DueKind = "approval_reminder" // a proposal still waiting for a signature
	DueCheckInMissed    DueKind = "checkin_missed"    // the one gentle re-nudge of an unanswered check-in
	// DueReviewReminder is a reviewer's one reminder of a shared draft,
	// two working days after they were asked; one per reviewer (see
	// PerPerson).
	DueReviewReminder DueKind = "review_reminder"
	// DueReviewSlow tells the learner, four working days after sharing,
	// that some reviewers have not answered and they may go ahead.
	DueReviewSlow DueKind = "review_slow"
	// DueSupport tells the approver that the learner reported Blocked
	// (an hour on, so their notes go with it), asked for a hand (at
	// once), paused (a quarter of an hour on, so their reason goes with
	// it) or resumed (at once). Its time is an instant (see Exact), and
	// the scheduler sends it in the approver's next working hours.
	DueSupport DueKind = "support"
)

// supportDelay is how long after a Blocked check-in the approver is told:
// time for the learner's notes, or a request for help, to go with it;
// pauseDelay is the same for a pause and its reason.
const (
	supportDelay = time.Hour
	pauseDelay   = 15 * time.Minute
)

// Exact reports whether a kind's time (Due.At) is an instant rather than
// a wall-clock time for the recipient: it is due then, wherever they are.
func Exact(k DueKind) bool { return k == DueSupport }

// PerPerson reports whether a kind has one item per recipient rather than
// one per contract; Due.Key then tells them apart.
func PerPerson(k DueKind) bool { return k == DueReviewReminder }

// Key names the item within its contract: its kind, and for PerPerson
// kinds its recipient too.
func (d Due) Key() string {
	if PerPerson(d.Kind) {
		return string(d.Kind) + ":" + d.User
	}
	return string(d.Kind)
}

// DueKeys lists the keys of every item the contract could have, so a
// scheduler can cancel those a new plan no longer holds.
func (c *Contract) DueKeys() []string {
	var out []string
	for _, k := range kinds {
		if !PerPerson(k) {
			out = append(out, string(k))
		}
	}
	seen := map[string]bool{}
	for _, r := range c.Reviews {
		if !seen[r.Reviewer] {
			seen[r.Reviewer] = true
			out = append(out, Due{Kind: DueReviewReminder, User: r.Reviewer}.Key())
		}
	}
	return out
}

// Due is one item of scheduled work: what, when and for whom. At is a
// nominal time, 09:00 UTC of the due date; the scheduler moves it into the
// recipient's working hours.
type Due struct {
	Kind DueKind   `json:"kind"`
	At   time.Time `json:"at"`
	User string    `json:"user"`
}

// Nudge records a scheduled message: queued (in the platform's outbox,
// see Contract.Queued) or sent (the platform took it, Contract.Nudges).
type Nudge struct {
	Kind DueKind `json:"kind"`
	// For is the planned time (Due.At) it was sent for.
	For time.Time `json:"for"`
	// At is when it went out: when the turn that sent it queued it. Plan
	// counts from it.
	At time.Time `json:"at"`
	// User is its recipient (Due.User); empty in records kept before
	// queued and sent were told apart.
	User string `json:"user,omitempty"`
	// Taken is when the platform was known to have taken it; zero while
	// queued, and in records kept before queued and sent were told apart.
	Taken time.Time `json:"taken,omitzero"`
	// Version is the version an approval reminder was about.
	Version int `json:"version,omitempty"`
}

const (
	dueHour = 9 // the nominal hour (UTC) of every item
	// missedAfter is how many days a check-in waits for an answer before
	// its one re-nudge, and the re-nudge before the learner is said to
	// need support.
	missedAfter = 2
	// grace is how many days an item stays planned after its date, so
	// working hours and weekends can delay it without losing it.
	grace = 3
	// near is how many days from the mid-point a regular check-in may be
	// and still give way to it.
	near = 2
	// approvalAfter is how many working days a proposal waits before its
	// reminder.
	approvalAfter = 2
	// reviewRemindAfter and reviewSlowAfter are how many working days a
	// reviewer has before their reminder, and the learner waits before
	// being told they may go ahead.
	reviewRemindAfter = 2
	reviewSlowAfter   = 4
)

// kinds orders items that share a time.
var kinds = []DueKind{DueApprovalReminder, DueCheckIn, DueMidpoint, DueCheckInMissed,
	DueDeadlineSoon, DueDeadlineTomorrow, DueOverdue, DueReviewReminder, DueReviewSlow,
	DueImpact, DueImpactApprover}

// DueKinds lists every kind of scheduled work, so a scheduler can cancel
// the kinds a new plan no longer holds.
func DueKinds() []DueKind { return slices.Clone(kinds) }

// Plan returns the scheduled work the contract needs as of now, derived
// from its state alone: at most one item per kind, ordered by time. A
// scheduler keeps one item per contract and kind, replaced on every change
// and cancelled when the kind is no longer planned.
//
// Active and renegotiating contracts (the signed version stays in force)
// get the next regular check-in (cadence days after the latest of
// activation, resumption, the last check-in and the last check-in prompt,
// and before the deadline day), the mid-point check-in (once; a regular
// check-in within two days of it gives way to it), reminders a week and a
// day before the deadline (when still ahead once the terms took effect, and
// folded into a check-in due the same day), an overdue note the day after
// the deadline, and one re-nudge of a check-in unanswered for two days. A
// snoozed check-in comes back the next day. Proposed and renegotiating
// contracts get one approval reminder per version, two working days after
// the proposal. A draft in peer review gets one reminder per reviewer who
// has not answered, two working days after they were asked, and one note
// to the learner four working days after sharing while anyone is still
// silent. A completed contract gets its impact check-backs, the next one
// still to go out at each of ImpactDays after completion, and the
// approver's one question at the last. Active, renegotiating and paused
// contracts get the approver's news (DueSupport) of a Blocked check-in, a
// request for help, a pause or a resumption not yet told. Submitted
// (waiting for assessment), withdrawn and other drafts get nothing.
func (c *Contract) Plan(now time.Time) []Due {
	var out []Due
	switch c.Status {
	case Active, Renegotiating:
		out = c.keepAlive(now)
		if d, ok := c.supportAlert(); ok {
			out = append(out, d)
		}
	case Paused:
		if d, ok := c.supportAlert(); ok {
			out = append(out, d)
		}
	case InPeerReview:
		out = c.reviewPlan()
	case Completed:
		out = c.impactPlan()
	}
	switch c.Status {
	case Proposed, Renegotiating:
		if d, ok := c.approvalReminder(); ok {
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, func(a, b Due) int {
		if n := a.At.Compare(b.At); n != 0 {
			return n
		}
		return slices.Index(kinds, a.Kind) - slices.Index(kinds, b.Kind)
	})
	return out
}

// DueNow returns the planned item of the kind when it is due at now: its
// time has passed, or its date has begun in loc (the recipient's time zone;
// UTC when nil). It is false when no such item is planned or it is not due
// yet: the item that came due was dealt with already, or no longer applies.
func (c *Contract) DueNow(kind DueKind, now time.Time, loc *time.Location) (Due, bool) {
	return c.DueNowFor(kind, "", now, loc)
}

// DueNowFor is DueNow for the item of one recipient (any when user is
// empty), for PerPerson kinds.
func (c *Contract) DueNowFor(kind DueKind, user string, now time.Time, loc *time.Location) (Due, bool) {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for _, it := range c.Plan(now) {
		if it.Kind == kind && (user == "" || it.User == user) {
			return it, !it.At.After(now) || !day(it.At).After(today)
		}
	}
	return Due{}, false
}

// Queue records that the item d went out at now: its message is queued
// for the platform, so Plan moves on (nothing is planned twice), but it
// does not count as sent until Taken confirms that the platform took it.
func (c *Contract) Queue(d Due, now time.Time) {
	switch d.Kind {
	case DueReviewReminder:
		if r, ok := c.review(d.User); ok {
			r.Reminded = now
		}
	case DueReviewSlow:
		if n := len(c.Shares); n > 0 {
			c.Shares[n-1].Told = now
		}
	}
	n := Nudge{Kind: d.Kind, For: d.At, At: now, User: d.User}
	if d.Kind == DueApprovalReminder {
		n.Version = c.Version
	}
	c.Queued = append(c.Queued, n)
	c.UpdatedAt = now
}

// Taken records that the platform took the queued item d (its kind,
// planned time and recipient) at now: it counts as sent from then on. It
// reports false, changing nothing, when no such item is queued: it was
// confirmed already, or never queued.
func (c *Contract) Taken(d Due, now time.Time) bool {
	i := slices.IndexFunc(c.Queued, func(n Nudge) bool {
		return n.Kind == d.Kind && n.For.Equal(d.At) && n.User == d.User
	})
	if i < 0 {
		return false
	}
	n := c.Queued[i]
	n.Taken = now
	c.Queued = slices.Delete(c.Queued, i, i+1)
	if len(c.Queued) == 0 {
		c.Queued = nil
	}
	at := slices.IndexFunc(c.Nudges, func(m Nudge) bool { return m.At.After(n.At) })
	if at < 0 {
		at = len(c.Nudges)
	}
	c.Nudges = slices.Insert(c.Nudges, at, n)
	c.UpdatedAt = now
	return true
}

// Sent records that the item d was sent at now, queued and taken at once:
// for a platform that sends it while the turn runs.
func (c *Contract) Sent(d Due, now time.Time) {
	c.Queue(d, now)
	c.Taken(d, now)
}

// IsQueued reports whether the item d is queued and not yet taken.
func (c *Contract) IsQueued(d Due) bool {
	return slices.ContainsFunc(c.Queued, func(n Nudge) bool {
		return n.Kind == d.Kind && n.For.Equal(d.At) && n.User == d.User
	})
}

// SentCount counts the items of the kind the platform took.
func (c *Contract) SentCount(k DueKind) int {
	n := 0
	for _, m := range c.Nudges {
		if m.Kind == k {
			n++
		}
	}
	return n
}

// outgoing lists every item that went out, sent or queued, in the order
// they went out: what Plan moves on from.
func (c *Contract) outgoing() []Nudge {
	if len(c.Queued) == 0 {
		return c.Nudges
	}
	out := append(slices.Clone(c.Nudges), c.Queued...)
	slices.SortStableFunc(out, func(a, b Nudge) int { return a.At.Compare(b.At) })
	return out
}

// NeedsSupport reports whether the learner has missed a check-in: its
// prompt and the one re-nudge have gone unanswered for two days. It is
// shown to the approver as "might need support", never as a failure.
func (c *Contract) NeedsSupport(now time.Time) bool {
	if c.Status != Active && c.Status != Renegotiating {
		return false
	}
	cy := c.cycleOf(c.Nudges) // a prompt never taken was never missed
	return cy.open() && !cy.snoozed && cy.renudge != nil &&
		!now.Before(cy.renudge.At.AddDate(0, 0, missedAfter))
}

func (c *Contract) keepAlive(now time.Time) []Due {
	tm := c.InForce()
	today := day(now)
	first, last := c.activations()
	act := day(first)
	start := day(later(first, c.ResumedAt)) // check-ins count from here
	since := day(later(last, c.ResumedAt))  // reminders must be ahead of this
	deadline, hasDeadline := day(c.Deadline()), !c.Deadline().IsZero()
	beforeDeadline := func(d time.Time) bool { return !hasDeadline || d.Before(deadline) }
	cy := c.cycle()

	var out []Due
	prompts := map[time.Time]bool{} // dates of the check-ins planned
	add := func(k DueKind, d time.Time) {
		out = append(out, Due{Kind: k, At: d.Add(dueHour * time.Hour), User: c.Learner})
		if k == DueCheckIn || k == DueMidpoint || k == DueCheckInMissed {
			prompts[d] = true
		}
	}

	var mid time.Time
	midOK := false
	switch {
	case cy.snoozed && cy.prompt.Kind == DueMidpoint:
		mid = tomorrow(c.Snoozed)
		midOK = beforeDeadline(mid)
	case hasDeadline && !c.sent(DueMidpoint):
		mid = act.AddDate(0, 0, daysBetween(act, deadline)/2)
		midOK = mid.After(act) && !mid.Before(start) && !today.After(mid.AddDate(0, 0, grace)) && mid.Before(deadline)
	}

	var next time.Time
	nextOK := false
	switch {
	case cy.snoozed && cy.prompt.Kind == DueCheckIn:
		next, nextOK = tomorrow(c.Snoozed), true
	case tm.Cadence > 0:
		base := start
		if ci, ok := c.LastCheckIn(); ok {
			base = later(base, day(ci.At))
		}
		if cy.has {
			base = later(base, day(cy.prompt.For))
		}
		next, nextOK = base.AddDate(0, 0, int(tm.Cadence)), true
	}
	if nextOK && (!beforeDeadline(next) || (midOK && abs(daysBetween(next, mid)) <= near)) {
		nextOK = false
	}
	if nextOK {
		add(DueCheckIn, next)
	}
	if midOK {
		add(DueMidpoint, mid)
	}

	if cy.open() && !cy.snoozed && cy.renudge == nil {
		m := day(cy.prompt.At).AddDate(0, 0, missedAfter)
		if beforeDeadline(m) && !(nextOK && !next.After(m)) && !(midOK && !mid.After(m)) {
			add(DueCheckInMissed, m)
		}
	}

	if !hasDeadline {
		return out
	}
	soon, eve := deadline.AddDate(0, 0, -7), deadline.AddDate(0, 0, -1)
	switch {
	case c.sentFor(DueDeadlineSoon, soon), c.promptedOn(soon), prompts[soon]:
	case soon.Before(since), today.After(soon.AddDate(0, 0, grace)), !today.Before(eve):
	default:
		add(DueDeadlineSoon, soon)
	}
	switch {
	case c.sentFor(DueDeadlineTomorrow, eve), c.promptedOn(eve), prompts[eve]:
	case eve.Before(since), today.After(deadline):
	default:
		add(DueDeadlineTomorrow, eve)
	}
	if overdue := deadline.AddDate(0, 0, 1); !c.sentFor(DueOverdue, overdue) {
		add(DueOverdue, overdue)
	}
	return out
}

func (c *Contract) approvalReminder() (Due, bool) {
	r, ok := c.Revision(c.Version)
	if !ok {
		return Due{}, false
	}
	for _, n := range c.outgoing() {
		if n.Kind == DueApprovalReminder && n.Version == c.Version {
			return Due{}, false
		}
	}
	w := c.AwaitingSignature()
	if len(w) == 0 {
		return Due{}, false
	}
	d := addWorkdays(day(r.At), approvalAfter)
	return Due{Kind: DueApprovalReminder, At: d.Add(dueHour * time.Hour), User: w[0]}, true
}

// supportAlert is the approver's item telling them of a Blocked check-in
// or a request for help that came after the last one went out.
func (c *Contract) supportAlert() (Due, bool) {
	if c.Approver == "" || c.Approver == c.Learner {
		return Due{}, false
	}
	last := c.lastSupport()
	var at time.Time
	earliest := func(t time.Time) {
		if at.IsZero() || t.Before(at) {
			at = t
		}
	}
	for _, ci := range c.CheckIns {
		if ci.Status == Blocked && ci.At.After(last) {
			earliest(ci.At.Add(supportDelay))
		}
	}
	for _, e := range c.History {
		if !e.At.After(last) {
			continue
		}
		switch e.Kind {
		case "help_asked", "resumed":
			earliest(e.At)
		case "paused":
			earliest(e.At.Add(pauseDelay))
		}
	}
	if at.IsZero() {
		return Due{}, false
	}
	return Due{Kind: DueSupport, At: at, User: c.Approver}, true
}

// lastSupport is when the last DueSupport item went out (zero if none).
func (c *Contract) lastSupport() time.Time {
	var last time.Time
	for _, n := range c.outgoing() {
		if n.Kind == DueSupport {
			last = later(last, n.At)
		}
	}
	return last
}

// cycle is the state of the latest check-in prompt.
type cycle struct {
	prompt   Nudge // the latest check-in or mid-point prompt
	has      bool  // there is one
	answered bool  // a check-in (or a pause) came after it
	snoozed  bool  // snoozed after it and not answered
	renudge  *Nudge
}

// open reports whether a check-in prompt is waiting for an answer.
func (cy cycle) open() bool { return cy.has && !cy.answered }

// cycle is the state of the latest prompt that went out (sent or queued).
func (c *Contract) cycle() cycle { return c.cycleOf(c.outgoing()) }

// cycleOf is the state of the latest prompt among nudges.
func (c *Contract) cycleOf(nudges []Nudge) cycle {
	var cy cycle
	for _, n := range nudges {
		if n.Kind == DueCheckIn || n.Kind == DueMidpoint {
			cy.prompt, cy.has = n, true
		}
	}
	if !cy.has {
		return cy
	}
	if ci, ok := c.LastCheckIn(); ok && !ci.At.Before(cy.prompt.At) {
		cy.answered = true
	}
	if cy.prompt.At.Before(c.ResumedAt) {
		cy.answered = true // a pause closes the prompt: check-ins start afresh
	}
	cy.snoozed = !cy.answered && !c.Snoozed.Before(cy.prompt.At)
	for i, n := range nudges {
		if n.Kind == DueCheckInMissed && !n.At.Before(cy.prompt.At) {
			cy.renudge = &nudges[i]
		}
	}
	return cy
}

// activations returns when the contract first became active and when it
// last did (after a renegotiation).
func (c *Contract) activations() (first, last time.Time) {
	for _, e := range c.History {
		if e.Kind == "activated" {
			if first.IsZero() {
				first = e.At
			}
			last = e.At
		}
	}
	if first.IsZero() {
		first, last = c.CreatedAt, c.CreatedAt
	}
	return first, last
}

// sent reports whether an item of the kind ever went out (sent or queued).
func (c *Contract) sent(k DueKind) bool {
	return slices.ContainsFunc(c.outgoing(), func(n Nudge) bool { return n.Kind == k })
}

// sentFor reports whether the item of the kind planned for date d went
// out (sent or queued).
func (c *Contract) sentFor(k DueKind, d time.Time) bool {
	return slices.ContainsFunc(c.outgoing(), func(n Nudge) bool { return n.Kind == k && day(n.For).Equal(d) })
}

// promptedOn reports whether a check-in prompt was planned for or sent on
// date d; a deadline reminder of that day is folded into it.
func (c *Contract) promptedOn(d time.Time) bool {
	return slices.ContainsFunc(c.outgoing(), func(n Nudge) bool {
		switch n.Kind {
		case DueCheckIn, DueMidpoint, DueCheckInMissed:
			return day(n.For).Equal(d) || day(n.At).Equal(d)
		}
		return false
	})
}

// day is the date of t (in UTC), at 00:00 UTC.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func tomorrow(t time.Time) time.Time { return day(t).AddDate(0, 0, 1) }

func daysBetween(a, b time.Time) int { return int(b.Sub(a) / (24 * time.Hour)) }

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// addWorkdays counts n working days (Monday to Friday) on from date d.
func addWorkdays(d time.Time, n int) time.Time {
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return d
}

// reviewPlan is the scheduled work of a draft in peer review.
func (c *Contract) reviewPlan() []Due {
	sh, ok := c.CurrentShare()
	if !ok {
		return nil
	}
	var out []Due
	var first time.Time
	for _, r := range c.RoundReviews() {
		if r.Status != ReviewAsked {
			continue
		}
		if first.IsZero() || r.AskedAt.Before(first) {
			first = r.AskedAt
		}
		if r.Reminded.IsZero() {
			at := addWorkdays(day(r.AskedAt), reviewRemindAfter).Add(dueHour * time.Hour)
			out = append(out, Due{Kind: DueReviewReminder, At: at, User: r.Reviewer})
		}
	}
	if !first.IsZero() && sh.Told.IsZero() {
		at := addWorkdays(day(sh.At), reviewSlowAfter).Add(dueHour * time.Hour)
		out = append(out, Due{Kind: DueReviewSlow, At: at, User: c.Learner})
	}
	return out
}
