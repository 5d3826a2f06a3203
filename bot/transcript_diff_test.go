package bot_test

import (
	"strings"
	"testing"

	"github.com/learnpact/learnpact/bot/bottest"
)

// TestTranscriptLongGoalDiff: when one long goal changes, the approver's
// card shows that goal before and now, each side shortened around the
// change, and not the goal that stayed the same.
func TestTranscriptLongGoalDiff(t *testing.T) {
	w := newWorld(t, "A long goal changed: the approver sees it before and now")
	bottest.LongGoalRevised(w, lee, mo)
	card := lastText(w, mo)
	golden(t, w, "long_goal_diff")

	card = card[:strings.Index(card, "\n# Running design reviews")]
	before := strings.Index(card, "Before:")
	now := strings.Index(card, "Now:")
	if before < 0 || now < before {
		t.Fatalf("the approver's card lacks Before: then Now::\n%s", card)
	}
	if !strings.Contains(card[before:now], "and who signs it off.") || !strings.Contains(card[now:], "and Priya, our staff engineer, signs it off.") {
		t.Errorf("the change is not visible on both sides:\n%s", card[before:])
	}
	if !strings.Contains(card, "Goal 1\nBefore:") {
		t.Errorf("the card does not name the goal that changed:\n%s", card)
	}
	if strings.Contains(card, "one-page guide") {
		t.Errorf("the diff shows the goal that did not change:\n%s", card)
	}
}
