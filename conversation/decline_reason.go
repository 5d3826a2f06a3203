package conversation

import (
	"errors"
	"fmt"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// A decline may carry a reason: after declining a proposed change, the
// decliner is offered a form to say why, and the other party gets it.

// ActionDeclineReason opens the form for the reason of a decline.
const ActionDeclineReason ActionID = "lp_decline_reason"

// CallbackDeclineReason is that form; FieldReason its text.
const (
	CallbackDeclineReason = "decline_reason"
	FieldReason           = "reason"
)

// declineReasonOffer follows a decline: a button to say why.
func declineReasonOffer(c *contract.Contract, other string) message.Message {
	return msg("Want to say why?",
		section("Want to tell ", at(other), " why? A line helps them see what would work instead."),
		actions(button("Add a reason", ActionDeclineReason, value(c), message.Default)),
	)
}

// declineReasonClick opens the reason form.
func (t *turn) declineReasonClick() {
	v, ok := t.target(t.in.Value)
	if !ok {
		return
	}
	other, ok := t.declinedOther()
	if !ok {
		t.ephemeral(note("Nothing to explain", "There's no decline of yours to give a reason for."))
		return
	}
	av := ActionValue{ContractID: t.c.ID, Version: v.Version}
	lead := section(at(other), " will see your words as written, with the version that stays in force.")
	if t.c.Status == contract.Withdrawn {
		lead = section(at(other), " will see your words as written.")
	}
	t.out = append(t.out, OpenModal{TriggerID: t.in.TriggerID, Modal: message.Modal{
		CallbackID: CallbackDeclineReason, PrivateData: av.Encode(),
		Title: "Why you declined", Submit: "Send", Close: "Cancel",
		Blocks: blocks{
			lead,
			message.Input{ID: FieldReason, Label: "Your reason", Multiline: true, MaxLength: 3000,
				Placeholder: "e.g. The release is in March: let's look at the scope after it."},
		},
	}})
}

// declinedOther is the party the actor's latest decline kept a change
// from: whoever proposed the declined version.
func (t *turn) declinedOther() (string, bool) {
	c := t.c
	for i := len(c.History) - 1; i >= 0; i-- {
		if e := c.History[i]; e.Kind == "declined" {
			r, ok := c.Revision(c.Version)
			if e.Actor != t.in.User || !ok || r.ProposedBy == t.in.User || r.ProposedBy == "" {
				return "", false
			}
			return r.ProposedBy, true
		}
	}
	return "", false
}

// submitDeclineReason keeps the reason with the decline and passes it on.
func (t *turn) submitDeclineReason() {
	if _, ok := t.target(t.in.PrivateData); !ok {
		return
	}
	reason := strings.TrimSpace(t.in.Form[FieldReason])
	other, ok := t.declinedOther()
	if reason == "" || !ok {
		t.ephemeral(note("Nothing was sent", "Nothing was sent: there was no reason to pass on."))
		return
	}
	v, err := t.c.NoteDecline(t.in.User, reason, t.env.Now)
	if errors.Is(err, contract.ErrNoDecline) {
		t.ephemeral(note("Nothing to explain", "There's no decline of yours to give a reason for."))
		return
	}
	t.dirty = true
	c := t.c
	summary := "Why your change was declined"
	if c.Status == contract.Withdrawn {
		summary = "Why your draft was declined"
	}
	t.send(other, note(summary,
		"💬 ", at(t.in.User), fmt.Sprintf(" says why they declined version %d of ", v), quoted(c), ":\n", reason))
	t.ephemeral(note("Your reason was sent", "Sent to ", at(other), "."))
}
