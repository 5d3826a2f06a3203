package contract

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Action is something a person does to a contract.
type Action string

const (
	Edit           Action = "edit"            // change the working terms
	Propose        Action = "propose"         // send a version for signature
	Sign           Action = "sign"            // agree to the current version
	RequestChanges Action = "request_changes" // send it back with comments
	Amend          Action = "amend"           // approver proposes changed terms
	Withdraw       Action = "withdraw"        // the drafter abandons the contract
	// CounterAmendment turns the approver's pending amendment back into a
	// draft the learner edits.
	CounterAmendment Action = "counter"

	// Renegotiate proposes changed terms for an active contract; the
	// signed version stays in force until every party signs the new one.
	Renegotiate Action = "renegotiate"
	// Decline turns down a renegotiation: the signed version stays.
	Decline Action = "decline"

	RecordCheckIn Action = "check_in" // say how it's going
	Snooze        Action = "snooze"   // put a check-in off by a day
	Pause         Action = "pause"    // stop nudges (leave, crunch time)
	Resume        Action = "resume"   // pick a paused contract up again
	AskForHelp    Action = "ask_help" // ask the approver for a hand
	ReplyCheckIn  Action = "reply"    // the approver answers a check-in
)

// Role is who may fire an action.
type Role int

const (
	RoleLearner Role = iota
	RoleApprover
	RoleSigner // a party (learner, approver or advocate) who has not yet signed
	RoleParty  // the learner or the approver
)

type rule struct {
	from []Status
	who  Role
}

// rules is the lifecycle as data: which statuses an action may start from and
// who may fire it.
var rules = map[Action]rule{
	Edit:           {from: []Status{Draft, InPeerReview, ChangesRequested}, who: RoleDrafter},
	Propose:        {from: []Status{Draft, InPeerReview, ChangesRequested, Proposed}, who: RoleDrafter},
	Sign:           {from: []Status{Proposed, Renegotiating}, who: RoleSigner},
	RequestChanges: {from: []Status{Proposed}, who: RoleApprover},
	Amend:          {from: []Status{Proposed}, who: RoleApprover},
	Withdraw:       {from: []Status{Draft, InPeerReview, Proposed, ChangesRequested, Paused}, who: RoleDrafter},

	CounterAmendment: {from: []Status{Proposed}, who: RoleLearner},

	Renegotiate:   {from: []Status{Active}, who: RoleParty},
	Decline:       {from: []Status{Renegotiating}, who: RoleSigner},
	RecordCheckIn: {from: []Status{Active, Renegotiating}, who: RoleLearner},
	Snooze:        {from: []Status{Active, Renegotiating}, who: RoleLearner},
	Pause:         {from: []Status{Active, Renegotiating}, who: RoleLearner},
	Resume:        {from: []Status{Paused}, who: RoleLearner},
	AskForHelp:    {from: []Status{Active, Renegotiating}, who: RoleLearner},
	ReplyCheckIn:  {from: []Status{Active, Renegotiating, Paused}, who: RoleApprover},
	Advise:        {from: []Status{Proposed, ChangesRequested, Renegotiating}, who: RoleAdvocate},
	ShareExample:  {from: []Status{Completed}, who: RoleLearner},
}

// ErrAlreadySigned says that the actor has signed the current version
// already; the others have yet to.
var ErrAlreadySigned = errors.New("contract: already signed this version")

// ErrNotAmended says that there is no amendment to counter: the pending
// version is the learner's own proposal.
var ErrNotAmended = errors.New("contract: the pending version is not an amendment")

// DeniedError says that someone may not do something; Allowed is who may.
type DeniedError struct {
	Action  Action
	Actor   string
	Allowed []string
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("%s may not %s (allowed: %s)", e.Actor, e.Action, strings.Join(e.Allowed, ", "))
}

// StaleError says that an action was aimed at an older version.
type StaleError struct {
	Clicked, Current int
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("action for version %d, contract is at version %d", e.Clicked, e.Current)
}

// StateError says the contract's status does not allow the action.
type StateError struct {
	Action Action
	Status Status
}

func (e *StateError) Error() string {
	return fmt.Sprintf("cannot %s a contract that is %s", e.Action, e.Status)
}

// IncompleteError lists what a proposal is missing: Missing for people,
// Fields (parallel to Missing) naming the part to fill, e.g. FieldGoals or
// FieldApprover.
type IncompleteError struct {
	Missing []string
	Fields  []string
}

func (e *IncompleteError) Error() string {
	return "incomplete contract: missing " + strings.Join(e.Missing, ", ")
}

// New starts a draft contract for a learner.
func New(id, platform, team, learner string, now time.Time) *Contract {
	c := &Contract{
		ID: id, Platform: platform, Team: team, Learner: learner,
		Status: Draft, CreatedAt: now, UpdatedAt: now,
		Terms: Terms{Cadence: Weekly},
	}
	c.record(now, learner, "created", "", "", "")
	return c
}

// Check reports whether actor may fire action at the given version (0 means
// "whatever is current"). It changes nothing. Errors, in the order checked:
// *DeniedError (not someone who may ever do this), *StaleError (aimed at
// another version), *StateError (the status does not allow it), and for
// Sign ErrAlreadySigned.
func (c *Contract) Check(a Action, actor string, version int) error {
	r, ok := rules[a]
	if !ok {
		return fmt.Errorf("unknown action %q", a)
	}
	if !contains(c.eligible(r.who), actor) || actor == "" {
		return &DeniedError{Action: a, Actor: actor, Allowed: c.allowed(r.who)}
	}
	if version != 0 && version != c.Version {
		return &StaleError{Clicked: version, Current: c.Version}
	}
	if !containsStatus(r.from, c.Status) {
		return &StateError{Action: a, Status: c.Status}
	}
	if r.who == RoleSigner && c.SignedBy(actor, c.Version) {
		return ErrAlreadySigned
	}
	return nil
}

// eligible is who may ever fire an action of the role, whatever the version.
func (c *Contract) eligible(r Role) []string {
	if r == RoleSigner {
		return c.Parties()
	}
	return c.allowed(r)
}

// allowed is who may fire an action of the role now: for signing, the
// parties still to sign (or all of them once everyone has).
func (c *Contract) allowed(r Role) []string {
	switch r {
	case RoleLearner:
		return []string{c.Learner}
	case RoleApprover:
		if c.Approver == "" {
			return nil
		}
		return []string{c.Approver}
	case RoleParty:
		if c.Approver == "" {
			return []string{c.Learner}
		}
		return []string{c.Learner, c.Approver}
	case RoleMember:
		return c.Parties()
	case RoleAdvocate:
		if a := c.AdvocateOf(); a != "" {
			return []string{a}
		}
		return nil
	case RoleDrafter:
		return []string{c.Drafter()}
	default:
		if w := c.AwaitingSignature(); len(w) > 0 {
			return w
		}
		return c.Parties()
	}
}

// Parties are the people who must sign: learner, approver and, when named,
// the advocate.
func (c *Contract) Parties() []string {
	p := []string{c.Learner}
	if c.Approver != "" {
		p = append(p, c.Approver)
	}
	if a := c.AdvocateOf(); a != "" {
		p = append(p, a)
	}
	return p
}

// AwaitingSignature lists the parties who have not signed the current
// version.
func (c *Contract) AwaitingSignature() []string {
	var out []string
	for _, p := range c.Parties() {
		if !c.SignedBy(p, c.Version) {
			out = append(out, p)
		}
	}
	return out
}

// SignedBy reports whether user signed the given version.
func (c *Contract) SignedBy(user string, version int) bool {
	for _, s := range c.Signatures {
		if s.By == user && s.Version == version {
			return true
		}
	}
	return false
}

// FieldApprover and FieldAdvocate name the approver and the workplace
// advocate when a proposal lacks one (see IncompleteError.Fields).
const (
	FieldApprover = "approver"
	FieldAdvocate = "advocate"
)

// Missing lists what the working terms lack before they can be proposed.
func (c *Contract) Missing(now time.Time) []string {
	var out []string
	for _, g := range c.gaps(now) {
		out = append(out, g.what)
	}
	return out
}

type gap struct{ field, what string }

func (c *Contract) gaps(now time.Time) []gap {
	m := termGaps(c.Terms, now)
	if c.Approver == "" {
		m = append(m, gap{FieldApprover, "an approver"})
	} else if c.Approver == c.Learner {
		m = append(m, gap{FieldApprover, "an approver other than yourself"})
	}
	if c.AdvocateRequired && (c.Advocate == "" || c.Advocate == c.Learner || c.Advocate == c.Approver) {
		m = append(m, gap{FieldAdvocate, "a workplace advocate (the template asks for one)"})
	}
	return m
}

// termGaps lists what terms lack before they can be proposed.
func termGaps(t Terms, now time.Time) []gap {
	var m []gap
	if len(t.Goals) == 0 {
		m = append(m, gap{FieldGoals, "a goal"})
	}
	if len(t.Evidence) == 0 {
		m = append(m, gap{FieldEvidence, "evidence"})
	}
	if len(t.Criteria) == 0 {
		m = append(m, gap{FieldCriteria, "a success criterion"})
	}
	if t.Deadline.IsZero() {
		m = append(m, gap{FieldDeadline, "a deadline"})
	} else if !t.Deadline.After(now) {
		m = append(m, gap{FieldDeadline, "a deadline in the future"})
	}
	return m
}

func incomplete(gaps []gap) *IncompleteError {
	e := &IncompleteError{}
	for _, g := range gaps {
		e.Missing = append(e.Missing, g.what)
		e.Fields = append(e.Fields, g.field)
	}
	return e
}

// SetTerms replaces the working terms (an edit of the draft). Field-level
// history is recorded when the terms are proposed. Terms that leave out a
// criterion fixed by the template are refused with *FixedError.
func (c *Contract) SetTerms(actor string, t Terms, now time.Time) error {
	if err := c.Check(Edit, actor, 0); err != nil {
		return err
	}
	t = t.Clone()
	if err := keepFixed(c.Terms, &t); err != nil {
		return err
	}
	c.Terms = t
	c.UpdatedAt = now
	return nil
}

// SetApprover names the approver (and optional advocate) of a draft.
func (c *Contract) SetApprover(actor, approver string, now time.Time) error {
	if err := c.Check(Edit, actor, 0); err != nil {
		return err
	}
	if approver != c.Approver {
		c.record(now, actor, "approver", "approver", c.Approver, approver)
		c.Approver = approver
	}
	c.UpdatedAt = now
	return nil
}

// DoPropose sends the working terms as a new version, signed by whoever
// sends it: the learner, or the approver who drafted it for them (whose
// proposal, like an amendment, the learner then accepts or counters).
func (c *Contract) DoPropose(actor, comment string, now time.Time) error {
	if err := c.Check(Propose, actor, 0); err != nil {
		return err
	}
	if gaps := c.gaps(now); len(gaps) > 0 {
		return incomplete(gaps)
	}
	c.newVersion(actor, c.Version, c.Terms, comment, now)
	c.Status = Proposed
	c.Requested = ""
	return nil
}

// DoSign records actor's signature on version; when every party has signed
// it the contract becomes active.
func (c *Contract) DoSign(actor string, version int, now time.Time) error {
	if err := c.Check(Sign, actor, version); err != nil {
		return err
	}
	c.Signatures = append(c.Signatures, Signature{By: actor, Version: c.Version, At: now})
	c.record(now, actor, "signed", "", "", "")
	if len(c.AwaitingSignature()) == 0 {
		from := c.Status
		c.Status = Active
		c.Signed = c.Version
		c.record(now, actor, "activated", "status", string(from), string(Active))
	}
	c.UpdatedAt = now
	return nil
}

// DoRequestChanges sends the proposal back to the learner with a comment.
func (c *Contract) DoRequestChanges(actor string, version int, comment string, now time.Time) error {
	if err := c.Check(RequestChanges, actor, version); err != nil {
		return err
	}
	c.Status = ChangesRequested
	c.Requested = comment
	c.record(now, actor, "changes_requested", "status", string(Proposed), string(ChangesRequested))
	c.History[len(c.History)-1].Comment = comment
	c.UpdatedAt = now
	return nil
}

// DoAmend lets the approver propose changed terms as a new version, which
// the approver signs; the learner then accepts (signs) or counters
// (edits and proposes again).
func (c *Contract) DoAmend(actor string, version int, t Terms, comment string, now time.Time) error {
	if err := c.Check(Amend, actor, version); err != nil {
		return err
	}
	t = t.Clone()
	if err := keepFixed(c.Terms, &t); err != nil {
		return err
	}
	c.newVersion(actor, c.Version, t, comment, now)
	c.Terms = t.Clone()
	c.Status = Proposed
	c.Requested = ""
	return nil
}

// Counter turns a pending amendment back into a draft the learner edits;
// the amended terms are the starting point. It fails with ErrNotAmended when
// the pending version is the learner's own proposal.
func (c *Contract) Counter(actor string, version int, now time.Time) error {
	if err := c.Check(CounterAmendment, actor, version); err != nil {
		return err
	}
	if r, ok := c.Revision(c.Version); !ok || r.ProposedBy == c.Learner {
		return ErrNotAmended
	}
	c.Status = ChangesRequested
	c.record(now, actor, "countered", "status", string(Proposed), string(ChangesRequested))
	c.UpdatedAt = now
	return nil
}

// DoWithdraw abandons the contract.
func (c *Contract) DoWithdraw(actor string, now time.Time) error {
	if err := c.Check(Withdraw, actor, 0); err != nil {
		return err
	}
	c.record(now, actor, "withdrawn", "status", string(c.Status), string(Withdrawn))
	c.Status = Withdrawn
	c.UpdatedAt = now
	return nil
}

// Revision returns the proposed version v.
func (c *Contract) Revision(v int) (Revision, bool) {
	for _, r := range c.Revisions {
		if r.Version == v {
			return r, true
		}
	}
	return Revision{}, false
}

// newVersion records t as the next version, diffed against version base
// (the previous proposal, or the signed version for a renegotiation), and
// signed by actor.
func (c *Contract) newVersion(actor string, base int, t Terms, comment string, now time.Time) {
	prev := Terms{}
	if r, ok := c.Revision(base); ok {
		prev = r.Terms
	}
	c.Version++
	c.Revisions = append(c.Revisions, Revision{Version: c.Version, Base: base, Terms: t.Clone(), ProposedBy: actor, At: now, Comment: comment, Advocate: c.AdvocateOf()})
	c.record(now, actor, "proposed", "", "", "")
	c.History[len(c.History)-1].Comment = comment
	for _, ch := range Diff(prev, t) {
		c.History = append(c.History, Event{At: now, Actor: actor, Kind: "changed", Version: c.Version, Field: ch.Field, Old: ch.Old, New: ch.New})
	}
	c.Signatures = append(c.Signatures, Signature{By: actor, Version: c.Version, At: now})
	c.UpdatedAt = now
}

func (c *Contract) record(now time.Time, actor, kind, field, old, new string) {
	c.History = append(c.History, Event{At: now, Actor: actor, Kind: kind, Version: c.Version, Field: field, Old: old, New: new})
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func containsStatus(xs []Status, x Status) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
