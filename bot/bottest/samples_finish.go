package bottest

import (
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// SampleFile is a file shared in a DM, as the platforms report it.
var SampleFile = contract.File{ID: "F0SLIDES", Name: "review-checklist.pdf",
	Permalink: "https://files.example.com/F0SLIDES/review-checklist.pdf", Type: "application/pdf", Size: 48213}

// finishSamples adds the messages and forms of finishing a contract:
// evidence, assessment, reflection, completion, ending early and the
// impact check-backs.
func finishSamples(t testing.TB, now time.Time, msgs map[string]message.Message, modals map[string]message.Modal) {
	t.Helper()
	const learner, approver, advocate = "ULEE", "UMO", "UADA"
	s := sampler{NewWorld(t, now), msgs, modals}
	Signed(s.World, learner, approver)
	c := s.Contract("c1")
	c.Advocate = advocate
	s.Store(c)

	s.Share(learner, "", SampleFile)
	s.keep("files_not_kept", Sent, learner)
	s.Say(learner, "end")
	s.keep("end_early", Sent, learner)
	s.Command(learner, "submit")
	s.keep("handin_prompt", Sent, learner)
	s.Say(learner, "wiki.example.com/write-up")
	s.keep("handin_refused", Sent, learner)
	s.Say(learner, "https://wiki.example.com/design-reviews/write-up")
	s.keep("handin_more", Sent, learner)
	s.Share(learner, "", SampleFile)
	s.Say(learner, "Ana says our reviews now take 40 minutes instead of 90")
	s.Click(learner, "Done: rate my criteria")
	s.keep("rate_prompt", Sent, learner)
	s.Click(learner, "Met")
	s.keep("rate_answered_card", Updated, learner)
	s.keep("rate_note_prompt", Sent, learner)
	s.Say(learner, "Bo and Cy ran reviews with it on their own")
	s.keep("submitted", Sent, learner)
	s.keep("assess_card", Sent, approver)
	s.keep("evidence_card", Sent, advocate)
	s.Say(learner, "status")
	s.keep("status_submitted", Sent, learner)

	s.Click(advocate, "Comment")
	s.form("comment_work", advocate)
	s.Submit(advocate, map[string]string{conversation.FieldComment: "The survey idea would make it stronger"})
	s.keep("comment_notice", Sent, approver)

	card := s.Find(approver, "Assess")
	s.Click(approver, "Ask for more evidence")
	s.form("ask_more", approver)
	s.Submit(approver, map[string]string{conversation.FieldComment: "A short survey of the teammates", conversation.FieldDue: "in 3 weeks"})
	s.keep("more_asked_card", Updated, approver)
	s.keep("more_asked", Sent, learner)
	s.ClickOn(approver, card, "Assess")
	s.keep("card_out_of_date", Ephemeral, approver)

	s.Click(learner, "Submit evidence")
	s.Say(learner, "https://forms.example.com/survey/results")
	s.Say(learner, "done")
	s.Click(learner, "Met")
	s.Click(learner, "Skip")
	s.Click(approver, "Assess")
	s.form("assess", approver)
	s.Submit(approver, map[string]string{conversation.FieldRating(1): "partly", conversation.FieldRatingNote(1): "Cy still asks you before each review"})
	s.keep("assessed_card", Updated, approver)
	s.keep("assessed", Sent, learner)
	s.Click(learner, "Reply")
	s.keep("reply_prompt", Sent, learner)
	s.Say(learner, "Cy runs Thursday's review alone")
	s.keep("reply_notice", Sent, approver)
	s.keep("reflect_prompt", Sent, learner)
	s.Say(learner, "Short checklists get used")
	s.Say(learner, "Ask for feedback sooner")
	s.Say(learner, "Timebox every review")
	s.keepSummary("completed", Sent, learner, "Contract completed")
	s.keep("consent_card", Sent, learner)
	s.keep("completed_approver", Sent, approver)
	s.Say(learner, "status")
	s.keep("status_completed", Sent, learner)

	s.Due("c1", contract.DueImpact)
	s.keep("impact_prompt", Sent, learner)
	s.Click(learner, "Somewhat")
	s.keep("impact_answered_card", Updated, learner)
	s.keep("impact_example_prompt", Sent, learner)
	s.Say(learner, "I timebox reviews now")
	s.keep("impact_thanks", Sent, learner)
	s.DigestDue(approver)
	s.keep("digest_finish", Sent, approver)
	s.Due("c1", contract.DueImpact)
	s.Due("c1", contract.DueImpactApprover)
	s.keep("impact_approver", Sent, approver)

	r := sampler{NewWorld(t, now), msgs, modals}
	Signed(r.World, learner, approver)
	r.Say(learner, "end")
	r.Click(learner, "It's no longer relevant")
	r.keep("retire_note_prompt", Sent, learner)
	r.Say(learner, "The team moved to async design docs")
	r.keep("retired", Sent, learner)
	r.keep("retired_notice", Sent, approver)
}
