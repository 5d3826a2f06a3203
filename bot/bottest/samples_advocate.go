package bottest

import (
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
)

// advocateSamples adds the messages and forms of a contract with a
// workplace advocate: naming approver and advocate in one message, the
// private notes, the advocate's card, comment and signature, and a change
// of advocate after the first proposal.
func advocateSamples(t testing.TB, now time.Time, msgs map[string]message.Message, modals map[string]message.Modal) {
	t.Helper()
	const learner, approver, advocate, second, stranger = "ULEE", "UMO", "UWEN", "UKAI", "USAM"
	s := sampler{NewWorld(t, now), msgs, modals}
	DraftToApprover(s.World, learner)
	s.Say(learner, "<@"+approver+"|mo> with <@"+advocate+"|wen> as my advocate")
	s.keep("people_named", Sent, learner)
	s.Say(learner, "Two hours a week for the reviews; time with Ana to shadow hers")
	s.Say(learner, "The reviews discuss unreleased designs: my notes stay in the team space")
	s.keep("summary_advocate", Sent, learner)
	s.Click(learner, "Send to my manager")
	s.keep("sent_advocate", Sent, learner)
	s.keep("approval_request_advocate", Sent, approver)
	s.keep("advocate_request", Sent, advocate)
	s.Say(learner, "status")
	s.keep("status_advocate", Sent, learner)

	s.ClickOn(stranger, s.Latest(advocate), "Sign as advocate")
	s.keep("advocate_denied", Ephemeral, stranger)
	s.Click(advocate, "Comment")
	s.form("advocate_comment", advocate)
	s.Submit(advocate, map[string]string{conversation.FieldComment: "Fridays are quiet here: book the reviews then."})
	s.keep("advocate_comment_sent", Ephemeral, advocate)
	s.keep("advocate_commented", Sent, learner)

	// A new advocate after a change request: a new version, the former
	// advocate released.
	s.Click(approver, "Request changes")
	s.Submit(approver, map[string]string{conversation.FieldComments: "Could Kai be your advocate? Wen is away for a month."})
	s.Click(learner, "Revise")
	s.ClickID(learner, conversation.ActionEditAdvocate)
	s.Say(learner, "<@"+second+">")
	s.Click(learner, "Send to my manager")
	s.keep("advocate_released", Sent, advocate)
	s.keep("advocate_request_diff", Sent, second)
	s.Click(second, "Sign as advocate")
	s.keep("advocate_signed_card", Updated, second)
	s.keep("advocate_signed", Sent, learner)
	s.Click(approver, "Approve & sign")
	s.keep("advocate_active", Sent, second)
}

// DraftToApprover has learner draft a contract up to the approver step:
// one goal, evidence, a criterion, a deadline in 8 weeks, weekly
// check-ins.
func DraftToApprover(w *World, learner string) {
	w.t.Helper()
	w.Say(learner, "new")
	w.Say(learner, "Running design reviews")
	w.Say(learner, "Run three design reviews using a checklist the team adopts")
	w.Click(learner, "Skip")
	w.Click(learner, "Done with goals")
	w.Say(learner, "Shadow Ana's reviews; read the Design Review Handbook")
	w.Say(learner, "A write-up of three reviews")
	w.Say(learner, "Two teammates use my checklist without help")
	w.Say(learner, "in 8 weeks")
	w.Click(learner, "Weekly")
}
