package conversation

import (
	"errors"
	"slices"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
)

// The workplace advocate's part in the negotiation: told of each version
// proposed, they comment (to the learner and the approver, kept in the
// history) and sign. The contract is active once every party has signed.

// CallbackAdvise is the advocate's comment form; its field is FieldComment.
const CallbackAdvise = "advocate_comment"

// tellAdvocate asks the advocate to read and sign the version just
// proposed, unless they have signed it (or proposed it) already; an
// advocate the new version no longer names is told so.
func (t *turn) tellAdvocate() {
	c := t.c
	if a := c.AdvocateOf(); a != "" && a != t.in.User && !c.SignedBy(a, c.Version) {
		t.send(a, advocateRequestMsg(c))
	}
	if prev, ok := c.Revision(baseOf(c, c.Version)); ok && prev.Advocate != "" && prev.Advocate != c.AdvocateOf() {
		t.send(prev.Advocate, advocateReleasedMsg(c, prev.Advocate))
	}
}

// tellActive tells the advocate that the contract they signed is now in
// force, when someone else's signature made it so.
func (t *turn) tellActive() {
	c := t.c
	if a := c.AdvocateOf(); a != "" && a != t.in.User && len(c.AwaitingSignature()) == 0 {
		t.send(a, advocateActiveMsg(c, t.in.User))
	}
}

// advocateSign signs the version on the advocate's card.
func (t *turn) advocateSign() {
	v, ok := t.target(t.in.Value)
	if !ok {
		return
	}
	c := t.c
	if a := c.AdvocateOf(); a == "" || t.in.User != a {
		t.ephemeral(notAdvocateMsg(a))
		return
	}
	renegotiating := c.Status == contract.Renegotiating
	if !t.decide(c.DoSign(t.in.User, v.Version, t.env.Now), "sign") {
		return
	}
	pending := c.AwaitingSignature()
	t.decided(v, t.in.Source, c.Version, "Signed as advocate", advocateSignedOutcome(c, pending))
	for _, u := range []string{c.Learner, c.Approver} {
		if u != "" && !slices.Contains(pending, u) {
			t.send(u, advocateSignedMsg(c, t.in.User, pending, renegotiating))
		}
	}
}

// adviseClick opens the advocate's comment form.
func (t *turn) adviseClick() { t.openModal(contract.Advise, "comment as advocate on", adviseModal) }

// submitAdvice records the advocate's comment and passes it on to the
// learner and the approver.
func (t *turn) submitAdvice() {
	v, ok := t.target(t.in.PrivateData)
	if !ok {
		return
	}
	c := t.c
	text := strings.TrimSpace(t.in.Form[FieldComment])
	err := c.DoAdvise(t.in.User, v.Version, text, t.env.Now)
	var long *contract.TooLongError
	switch {
	case errors.Is(err, contract.ErrEmpty):
		t.ephemeral(retryFormMsg(txt("Please write your comment."), "Open the form again", ActionAdvocateComment, v))
		return
	case errors.As(err, &long):
		t.ephemeral(retryFormMsg(problemText(err), "Open the form again", ActionAdvocateComment, v))
		return
	case !t.decide(err, "comment as advocate on"):
		return
	}
	others := othersOf(c, t.in.User)
	t.ephemeral(advisedNoteMsg(others))
	for _, u := range others {
		t.send(u, advisedMsg(c, t.in.User, text))
	}
}

// askNewAdvocate asks the learner for another advocate when c is their
// proposal waiting for signatures; it reports whether it asked.
func (t *turn) askNewAdvocate(c *contract.Contract) bool {
	if c == nil || c.Learner != t.in.User || c.Check(contract.Propose, t.in.User, 0) != nil || c.Status != contract.Proposed {
		return false
	}
	t.beginFollowUp(StateNewAdvocate)
	t.reply(t.followUpPrompt(nil))
	return true
}

// newAdvocate reads the answer to askNewAdvocate: another advocate (or
// none) makes a new version, sent to the approver and the new advocate.
func (t *turn) newAdvocate(text string) {
	c := t.c
	id := ""
	if !noOne(text) {
		p, err := readPeople(text, StateAdvocate)
		switch {
		case err != nil:
			t.reply(t.followUpPrompt(advocateErrorText(err, "")))
			return
		case len(p.advocates) > 1 || len(p.approvers) > 0:
			t.reply(t.followUpPrompt(txt("Mention just the one person who should be your advocate. (The approver stays ", at(c.Approver), ".)")))
			return
		}
		id = p.advocate
		if err := checkPerson(id, t.in.User, t.env.BotUser); err != nil {
			t.reply(t.followUpPrompt(advocateErrorText(err, id)))
			return
		}
		if id == c.Approver {
			t.reply(t.followUpPrompt(advocateErrorText(errSameAdvocate, id)))
			return
		}
	}
	err := c.ChangeAdvocate(t.in.User, id, t.env.Now)
	var inc *contract.IncompleteError
	switch {
	case errors.Is(err, contract.ErrNoChange):
		t.endFollowUp()
		t.say("Nothing changed", "That's your advocate already, so nothing changed.")
		return
	case errors.As(err, &inc):
		t.reply(t.followUpPrompt(txt("The contract needs ", andList(inc.Missing), ".")))
		return
	case !t.decide(err, "change the advocate of"):
		return
	}
	t.endFollowUp()
	t.reply(sentMsg(c))
	t.send(c.Approver, approvalRequestMsg(c))
	t.tellAdvocate()
}
