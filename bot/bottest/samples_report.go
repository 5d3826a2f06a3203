package bottest

import (
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/message"
)

// reportSamples are the report cards: an admin's, an approver's and the
// refusal.
func reportSamples(t testing.TB, now time.Time, msgs map[string]message.Message) {
	t.Helper()
	const learner, approver, admin = "ULEE", "UMO", "UADA"
	s := sampler{NewWorld(t, now), msgs, nil}
	s.Reports(admin)
	Signed(s.World, learner, approver)
	s.Command(admin, "report")
	s.keep("report", FileSent, admin)
	s.Command(approver, "report since 2027-01-01")
	s.keep("report_approver", FileSent, approver)
	s.Command(learner, "report")
	s.keep("report_refused", Sent, learner)
}

// homeSamples are homes: a learner's with a contract waiting for approval,
// the approver's with the decision waiting, and an empty one.
func homeSamples(t testing.TB, now time.Time, msgs map[string]message.Message) {
	t.Helper()
	const learner, approver, other = "ULEE", "UMO", "USAM"
	s := sampler{NewWorld(t, now), msgs, nil}
	Signed(s.World, learner, approver)
	s.Command(learner, "home")
	s.keep("home", Sent, learner)
	s.Command(approver, "home")
	s.keep("home_approver", Sent, approver)
	s.Command(other, "home")
	s.keep("home_empty", Sent, other)
}
