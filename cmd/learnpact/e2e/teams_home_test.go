package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/conversation"
)

// TestTeamsHome: on Teams, `/contract home` and `home` typed answer with
// the home card: the learner's contract waiting for a signature, and the
// manager's decision waiting, with a button to open it.
func TestTeamsHome(t *testing.T) {
	h := newTeamsHarness(t)
	summary := h.draft()
	h.click(teamsLearner, summary, string(conversation.ActionSend), nil)
	h.expect(teamsLearner, "Sent to")

	h.say(teamsLearner, "/contract home")
	mine := h.expect(teamsLearner, "Your learning contracts")
	if got := teamsText(mine); !strings.Contains(got, "Your contracts") || !strings.Contains(got, "version 1 waits for") {
		t.Errorf("the learner's home card: %s", got)
	}
	if !slices.Contains(teamsActions(mine), string(conversation.ActionStartNew)) {
		t.Errorf("the learner's home card has no New contract: %v", teamsActions(mine))
	}

	h.say(teamsManager, "home")
	theirs := h.expect(teamsManager, "Your learning contracts")
	if got := teamsText(theirs); !strings.Contains(got, "Waiting for you") || !strings.Contains(got, "version 1 waits for your decision") {
		t.Errorf("the manager's home card: %s", got)
	}
	if !slices.Contains(teamsActions(theirs), string(conversation.ActionDecide)) {
		t.Errorf("the manager's home card has no Decide: %v", teamsActions(theirs))
	}
}
