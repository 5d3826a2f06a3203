package bot_test

import (
	"strings"
	"testing"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

// TestTranscriptHome: the home shows the learner their contract and what
// comes next, and the approver the decision waiting for them; once signed,
// the approver's decision is gone and the next check-in is shown.
func TestTranscriptHome(t *testing.T) {
	w := newWorld(t, "Home: contracts, what waits for you and what comes next")
	w.Say(sam, "home")
	w.Quietly("Lee drafted “Running design reviews” and sent it to Mo", func() { draftAndSend(w) })
	w.Say(lee, "home")
	w.Command(mo, "home")
	if got := messagetest.Text(w.Last(bottest.Sent, mo)); !strings.Contains(got, "Waiting for you") || !strings.Contains(got, "waits for your decision") {
		t.Errorf("Mo's home shows no decision waiting:\n%s", got)
	}
	w.Click(mo, "Approve & sign")
	w.Command(mo, "home")
	if got := messagetest.Text(w.Last(bottest.Sent, mo)); strings.Contains(got, "Waiting for you") {
		t.Errorf("Mo's home still shows a decision waiting after signing:\n%s", got)
	}
	w.Say(lee, "home")
	if got := messagetest.Text(w.Last(bottest.Sent, lee)); !strings.Contains(got, "next check-in") {
		t.Errorf("Lee's home shows no next check-in:\n%s", got)
	}
	golden(t, w, "home")
}
