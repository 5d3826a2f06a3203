package conversation

import (
	"errors"
	"strings"

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

// proposeDeadline reads the new deadline and proposes it.
func (t *turn) proposeDeadline(typed string) {
	d, err := deadline.Parse(typed, t.env.Now, t.env.Location)
	if err != nil {
		t.reply(deadlineRetryMsg(err, t.examples()))
		return
	}
	tm := t.c.InForce().Clone()
	if d.Equal(tm.Deadline) {
		t.reply(t.followUpPrompt(txt("That's the deadline already.")))
		return
	}
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
	if r.ProposedBy != t.in.User {
		t.send(r.ProposedBy, declinedMsg(c, t.in.User))
	}
}
