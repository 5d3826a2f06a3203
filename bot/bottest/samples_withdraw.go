package bottest

import (
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// withdrawSamples adds the messages of withdrawing: nothing to withdraw,
// the choice among several, the confirmation, the outcome and the notice
// to the approver.
func withdrawSamples(t testing.TB, now time.Time, msgs map[string]message.Message) {
	t.Helper()
	const learner, approver = "ULEE", "UMO"
	s := sampler{NewWorld(t, now), msgs, nil}
	s.Say(learner, "withdraw")
	s.keep("withdraw_nothing", Sent, learner)

	for _, id := range []string{"c8", "c9"} {
		c := contract.New(id, PlatformName, Team, learner, now)
		c.Terms.Title = "Plan " + id
		s.Store(c)
	}
	s.Say(learner, "withdraw")
	s.keep("withdraw_which", Sent, learner)

	DraftToApprover(s.World, learner)
	s.Say(learner, "<@"+approver+"|mo>")
	s.SkipNotes(learner)
	s.Click(learner, "Send to my manager")
	s.Say(learner, "withdraw")
	s.keep("withdraw_confirm", Sent, learner)
	s.Click(learner, "Withdraw it")
	s.keep("withdrawn", Updated, learner)
	s.keep("withdrawn_notice", Sent, approver)
}
