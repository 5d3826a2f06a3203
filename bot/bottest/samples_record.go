package bottest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/message"
)

// recordSamples adds the messages of the signed record: shown, picked,
// refused, exported, sent as a message where files are refused, and one
// whose fields run to 10,000 characters.
func recordSamples(t testing.TB, now time.Time, msgs map[string]message.Message) {
	t.Helper()
	const learner, approver, other = "ULEE", "UMO", "USAM"
	s := sampler{NewWorld(t, now), msgs, nil}
	Signed(s.World, learner, approver)
	Signed(s.World, other, approver)
	s.Command(approver, "show")
	s.keep("record_pick", Sent, approver)
	s.Command(learner, "show c1")
	s.keep("record", Sent, learner)
	s.Command(other, "show c1")
	s.keep("record_not_yours", Sent, other)
	s.Command(learner, "export c1")
	s.keep("record_exported", FileSent, learner)
	s.Platform.FileError = errors.New("not_allowed")
	s.Command(learner, "export c1")
	s.keep("record_card", Sent, learner)
	s.Platform.FileError = nil
	s.Say(learner, "new")
	s.Say(learner, "Show and tell")
	s.Command(learner, "export")
	s.keep("record_draft_export", Sent, learner)

	c := s.Contract("c1")
	huge := strings.Repeat("Ran the review and wrote it up; ", 10000/32)
	c.Terms.Title = strings.Repeat("T", 10000)
	c.Revisions[0].Terms.Title = c.Terms.Title
	c.Revisions[0].Comment = huge
	c.History[len(c.History)-1].Comment = huge
	s.Store(c)
	s.Command(learner, "show c1")
	s.keep("record_huge", Sent, learner)
}
