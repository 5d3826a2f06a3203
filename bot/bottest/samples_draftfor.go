package bottest

import (
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/approverpolicy"
	"github.com/learnpact/learnpact/conversation/message"
)

// draftForSamples are the messages of drafting a contract for someone:
// the refusals of draft-for, the drafter's welcome and summary, the
// learner's card, and the answers to it (accepted, declined).
func draftForSamples(t testing.TB, now time.Time, msgs map[string]message.Message, modals map[string]message.Modal) {
	t.Helper()
	const learner, approver, other = "ULEE", "UMO", "UKAI"
	s := sampler{NewWorld(t, now), msgs, modals}
	draft := func(who, welcome string) {
		s.Command(approver, "draft-for <@"+who+">")
		if welcome != "" {
			s.keep(welcome, Sent, approver)
		}
		s.Say(approver, "Running design reviews")
		s.Say(approver, "Run three design reviews using a checklist the team adopts")
		s.Click(approver, "Skip")
		s.Click(approver, "Done with goals")
		s.Say(approver, "Shadow Ana's reviews")
		s.Say(approver, "A write-up of three reviews")
		s.Say(approver, "Two teammates use the checklist without help")
		s.Say(approver, "in 8 weeks")
		s.Click(approver, "Weekly")
	}

	s.Command(approver, "draft-for")
	s.keep("draft_for_who", Sent, approver)
	s.Command(approver, "draft-for <@"+approver+">")
	s.keep("draft_for_self", Sent, approver)
	s.Command(approver, "draft-for <@"+learner+"> <@"+other+">")
	s.keep("draft_for_two", Sent, approver)
	draft(learner, "draft_for_welcome")
	s.keep("draft_for_summary", Sent, approver)
	s.Command(approver, "draft-for <@"+learner+">")
	s.keep("draft_for_already", Sent, approver)
	s.Click(approver, "Open it")
	s.Click(approver, "Send to the learner")
	s.keep("draft_for_sent", Sent, approver)
	s.keep("drafted_for", Sent, learner)
	s.Click(learner, "Accept & sign")
	s.keep("draft_accepted_card", Updated, learner)
	s.keep("draft_accepted", Sent, approver)

	draft(other, "")
	s.Click(approver, "Send to the learner")
	s.Click(other, "Decline")
	s.keep("draft_declined_card", Updated, other)
	s.keep("draft_declined", Sent, approver)
	s.Click(other, "Add a reason")
	s.form("draft_decline_reason", other)
	s.Submit(other, map[string]string{conversation.FieldReason: "Not this quarter: the migration comes first."})
	s.keep("draft_declined_why", Sent, approver)

	group, _ := approverpolicy.Parse("@managers", nil)
	s.Approvers(group)
	s.Platform.AddGroup("managers", approver)
	s.Command(other, "draft-for <@"+learner+">")
	s.keep("draft_for_refused", Sent, other)
}
