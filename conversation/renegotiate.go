package conversation

import (
	"errors"
	"strings"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/deadline"
)

// newDeadline asks the learner for the deadline to propose.
func (t *turn) newDeadline() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	c := t.c
	if t.in.User != c.Learner {
		t.refuse(&contract.DeniedError{Action: contract.Renegotiate, Actor: t.in.User, Allowed: []string{c.Learner}}, "propose a new deadline for")
		return
	}
	if err := c.Check(contract.Renegotiate, t.in.User, 0); err != nil {
		t.refuse(err, "propose a new deadline for")
		return
	}
	t.beginFollowUp(StateNewDeadline)
	t.reply(t.followUpPrompt(nil))
}

// examples are deadlines to type, from today.
func (t *turn) examples() []string { return deadline.Examples(t.env.Now) }

// proposeDeadline reads the new deadline and shows the learner the date
// understood, to confirm before it goes to the approver.
func (t *turn) proposeDeadline(typed string) {
	d, err := deadline.Parse(typed, t.env.Now, t.env.Location)
	if err != nil {
		t.reply(deadlineRetryMsg(err, t.examples()))
		return
	}
	if d.Equal(t.c.InForce().Deadline) {
		t.s.State, t.s.Date = StateNewDeadline, ""
		t.reply(t.followUpPrompt(txt("That's the deadline already.")))
		return
	}
	t.s.State, t.s.Date = StateConfirmDate, d.Format(time.DateOnly)
	t.reply(t.followUpPrompt(nil))
}

// understood is the new deadline waiting for confirmation.
func (t *turn) understood() (time.Time, bool) {
	d, err := time.Parse(time.DateOnly, t.s.Date)
	return d, err == nil
}

// confirmDeadline reads the learner's answer to the date understood: yes
// sends it, no asks again, and another date is understood in its place.
func (t *turn) confirmDeadline(typed string) {
	switch normalize(typed) {
	case "yes", "y", "yep", "yes please", "ok", "okay", "send", "send it", "confirm", "correct", "right", "that's right", "thats right":
		t.sendDeadline()
	case "no", "n", "nope", "change", "change it", "another date", "wrong":
		t.s.State, t.s.Date = StateNewDeadline, ""
		t.reply(t.followUpPrompt(nil))
	default:
		t.proposeDeadline(typed)
	}
}

// sendDeadlineClick handles Send on the date understood; a card whose
// question was answered (or replaced by another date) sends nothing.
func (t *turn) sendDeadlineClick() {
	v, ok := t.target(t.in.Value)
	if !ok {
		return
	}
	d, ok := t.understood()
	switch {
	case !t.inFollowUp() || t.s.State != StateConfirmDate || t.s.ContractID != v.ContractID:
		t.ephemeral(note("That question has been answered",
			"That date was answered already. Type ", code("status"), " to see where your contract is."))
	case !ok || v.Prompt != datePrompt(d):
		t.ephemeral(note("That date was replaced", "That was for an earlier date. The one waiting for you to confirm is ",
			bold(formatDate(d)), ": use the newest card, or type another date."))
	default:
		t.sendDeadline()
	}
}

// datePrompt names the question "is this the date?" on a Send button, so
// a click on the card of a date since replaced sends nothing.
func datePrompt(d time.Time) string { return "date:" + d.Format(time.DateOnly) }

// sendDeadline proposes the deadline the learner confirmed.
func (t *turn) sendDeadline() {
	d, ok := t.understood()
	if !ok {
		t.s.State = StateNewDeadline
		t.reply(t.followUpPrompt(nil))
		return
	}
	tm := t.c.InForce().Clone()
	tm.Deadline = d
	t.renegotiate(tm, "", 0)
}

// openRenegotiation opens the form to change the terms of an active
// contract, filled with the terms in force.
func (t *turn) openRenegotiation() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	c := t.c
	if err := c.Check(contract.Renegotiate, t.in.User, 0); err != nil {
		t.refuse(err, "propose a change to")
		return
	}
	av := ActionValue{ContractID: c.ID, Version: c.Version, Ref: t.in.Source}
	t.out = append(t.out, OpenModal{TriggerID: t.in.TriggerID, Modal: renegotiateModal(c, t.in.User, av)})
}

// submitRenegotiation proposes the terms of the renegotiation form.
func (t *turn) submitRenegotiation() {
	v, ok := t.target(t.in.PrivateData)
	if !ok {
		return
	}
	c := t.c
	if err := c.Check(contract.Renegotiate, t.in.User, v.Version); err != nil {
		t.refuse(err, "propose a change to")
		return
	}
	terms, problems := t.formTerms(c.InForce())
	if len(problems) > 0 {
		t.ephemeral(retryFormMsg(problemsText("The change wasn't sent:", problems), "Open the form again", ActionChangeScope, v))
		return
	}
	if len(contract.Diff(c.InForce(), terms)) == 0 {
		t.ephemeral(note("Nothing changed", "You haven't changed any of the terms, so there's nothing to propose. The signed version stays as it is."))
		return
	}
	t.renegotiate(terms, strings.TrimSpace(t.in.Form[FieldComment]), v.Version)
}

// renegotiate proposes changed terms for the loaded active contract and
// sends them to the parties who have still to sign.
func (t *turn) renegotiate(tm contract.Terms, comment string, version int) {
	c := t.c
	err := c.DoRenegotiate(t.in.User, version, tm, comment, t.env.Now)
	var inc *contract.IncompleteError
	switch {
	case errors.As(err, &inc):
		t.ephemeral(note("That change can't be proposed", "The change wasn't sent: it needs ", andList(inc.Missing), "."))
		return
	case errors.Is(err, contract.ErrNoChange):
		t.ephemeral(note("Nothing changed", "That's what the contract says already, so there's nothing to propose."))
		return
	case !t.decide(err, "propose a change to"):
		return
	}
	aside := false
	if t.inFollowUp() {
		aside = t.endFollowUp()
	}
	t.reply(renegotiationSentMsg(c, aside))
	for _, u := range c.AwaitingSignature() {
		t.send(u, renegotiationRequestMsg(c, u))
	}
}

// decline turns down a renegotiation: the signed version stays in force.
func (t *turn) decline() {
	v, ok := t.target(t.in.Value)
	if !ok {
		return
	}
	c := t.c
	r, _ := c.Revision(c.Version)
	if !t.decide(c.DoDecline(t.in.User, v.Version, "", t.env.Now), "decline") {
		return
	}
	t.decided(v, t.in.Source, r.Version, "Declined", declinedOutcome(t.in.User, c.Signed))
	if r.ProposedBy != t.in.User && r.ProposedBy != "" {
		t.send(r.ProposedBy, declinedMsg(c, t.in.User))
		t.reply(declineReasonOffer(c, r.ProposedBy))
	}
}
