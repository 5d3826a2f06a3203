package bottest

import (
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
)

// librarySamples adds the messages of the library of past contracts:
// consent, examples offered while drafting, searched and opened, and the
// list of what a learner shares.
func librarySamples(t testing.TB, now time.Time, msgs map[string]message.Message) {
	t.Helper()
	const learner, approver, colleague = "ULEE", "UMO", "USAM"
	s := sampler{NewWorld(t, now), msgs, nil}
	Signed(s.World, learner, approver)
	s.Command(learner, "submit")
	s.Say(learner, "https://wiki.example.com/design-reviews/write-up")
	s.Click(learner, "Done: rate my criteria")
	s.Click(learner, "Met")
	s.Click(learner, "Skip")
	s.Click(approver, "Assess")
	s.Submit(approver, map[string]string{conversation.FieldRating(1): "met"})
	s.Click(learner, "Reflect and finish")
	s.Say(learner, "Short checklists get used; long ones don't")
	s.Click(learner, "Skip")
	s.Say(learner, "I timebox every review")
	s.Click(learner, "Share anonymously")
	s.keep("consent_chosen_card", Updated, learner)

	s.Command(colleague, "examples gardening")
	s.keep("examples_none", Sent, colleague)
	s.Command(colleague, "examples *")
	s.keep("examples_bad", Sent, colleague)
	s.Say(colleague, "new")
	s.Say(colleague, "Running better design reviews")
	s.keepSummary("examples_offered", Sent, colleague, "Colleagues learned something similar")
	s.Click(colleague, "Open")
	s.keep("example", Sent, colleague)
	s.Command(colleague, "examples design reviews")
	s.keep("examples_found", Sent, colleague)

	s.Say("UKAI", "new")
	s.Say("UKAI", "Design reviews for my team")
	s.Command("UKAI", "home")
	s.keep("home_examples", Sent, "UKAI")

	s.Command(learner, "library")
	s.keep("library_list", Sent, learner)
	s.Click(learner, "Don't share")
	s.keep("consent_chosen", Sent, learner)
	s.Command(colleague, "library")
	s.keep("library_empty", Sent, colleague)
	s.Click(colleague, "Open")
	s.keep("example_gone", Ephemeral, colleague)
}
