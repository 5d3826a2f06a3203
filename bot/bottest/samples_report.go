package bottest

import (
	"fmt"
	"slices"
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

// homeSamples are homes: a learner's (a contract active, one with a title
// full of markup waiting for approval, a learning set), the approver's
// with the decision waiting, a reviewer's with a peer review waiting, an
// empty one, and a full one whose lists are cut.
func homeSamples(t testing.TB, now time.Time, msgs map[string]message.Message) {
	t.Helper()
	const learner, approver, other, peer = "ULEE", "UMO", "USAM", "UPAT"
	s := sampler{NewWorld(t, now), msgs, nil}
	s.AddChannel("CSET", learner, other, peer)
	s.Joined(learner, "CSET")
	s.ClickInChannel(peer, "CSET", "Make this a learning set")
	Signed(s.World, learner, approver)
	ProposeAs(s.World, learner, approver, "<!channel> *Ship* it & <https://evil.example|win>", "Explain our deployment pipeline to a new teammate without notes")
	s.Command(learner, "home")
	s.keep("home", Sent, learner)
	s.Command(approver, "home")
	s.keep("home_approver", Sent, approver)

	s.Command(other, "new")
	s.Say(other, "Public speaking")
	s.Say(other, "Explain our deployment pipeline to a new teammate without notes")
	s.Click(other, "Skip")
	s.Click(other, "Done with goals")
	s.Say(other, "Two rehearsals with the team")
	s.Say(other, "Notes from two rehearsals")
	s.Say(other, "Three questions answered without notes")
	s.Say(other, "in 6 weeks")
	s.Click(other, "Weekly")
	s.Say(other, "<@"+approver+">")
	s.SkipNotes(other)
	s.Click(other, "Share with my learning set")
	s.Submit(other, nil)
	if !slices.Contains(s.Contract("c3").Waiting(), peer) {
		s.fatalf("Pat was not asked to review: %v", s.Contract("c3").Waiting())
	}
	s.Command(peer, "home")
	s.keep("home_reviewer", Sent, peer)
	s.Command("UNEW", "home")
	s.keep("home_empty", Sent, "UNEW")

	for i := range 30 {
		c := s.Contract("c1").Clone()
		c.ID, c.Rev = fmt.Sprintf("mine%d", i), 0
		s.Store(c)
		d := s.Contract("c2").Clone()
		d.ID, d.Rev, d.Learner, d.Approver, d.Signatures = fmt.Sprintf("theirs%d", i), 0, other, learner, nil
		s.Store(d)
	}
	s.Command(learner, "home")
	s.keep("home_full", Sent, learner)
}
