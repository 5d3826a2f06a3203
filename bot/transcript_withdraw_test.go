package bot_test

import (
	"strings"
	"testing"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation/contract"
)

// TestTranscriptWithdraw: with nothing to withdraw the learner is told
// what can be; a draft is withdrawn only after confirming (Keep it changes
// nothing); a sent contract withdrawn is announced to the approver, whose
// old card can no longer approve it.
func TestTranscriptWithdraw(t *testing.T) {
	w := newWorld(t, "Withdrawing a draft and a sent contract")
	w.Say(lee, "withdraw")
	if got := lastText(w, lee); !strings.Contains(got, "There's nothing to withdraw") {
		t.Fatalf("withdraw with no contract: %s", got)
	}

	draftAndSend(w) // c1, sent to Mo
	w.Say(lee, "new")
	w.Say(lee, "A second plan")
	w.Say(lee, "withdraw")
	if got := lastText(w, lee); !strings.Contains(got, "Withdraw “A second plan”?") || !strings.Contains(got, "Nobody else has seen it") {
		t.Fatalf("withdraw in a draft: %s", got)
	}
	w.Click(lee, "Keep it")
	if c := w.Contract("c2"); c.Status != contract.Draft {
		t.Fatalf("Keep it changed the draft: %s", c.Status)
	}
	w.Say(lee, "withdraw")
	w.Click(lee, "Withdraw it")
	if c := w.Contract("c2"); c.Status != contract.Withdrawn {
		t.Fatalf("after confirming: %s", c.Status)
	}

	// Only c1 is left to withdraw: it is asked about at once.
	w.Say(lee, "withdraw")
	if got := lastText(w, lee); !strings.Contains(got, "Running design reviews") || !strings.Contains(got, "I'll tell @UMO") {
		t.Fatalf("withdraw with one sent contract: %s", got)
	}
	w.Click(lee, "Withdraw it")
	if c := w.Contract("c1"); c.Status != contract.Withdrawn {
		t.Fatalf("c1 after confirming: %s", c.Status)
	}
	if got := lastText(w, mo); !strings.Contains(got, "withdrew “Running design reviews”") {
		t.Errorf("the approver was not told: %s", got)
	}
	w.Click(mo, "Approve & sign")
	if c := w.Contract("c1"); c.Status != contract.Withdrawn || len(c.Signatures) != 1 {
		t.Errorf("an old card approved a withdrawn contract: %s, %d signatures", c.Status, len(c.Signatures))
	}
	// A stranger replaying the confirmation changes nothing.
	w.Say(lee, "new")
	w.Say(lee, "A third plan")
	w.Say(lee, "withdraw")
	w.ClickOn(sam, w.Latest(lee), "Withdraw it")
	if c := w.Contract("c3"); c.Status != contract.Draft {
		t.Errorf("someone else withdrew Lee's draft: %s", c.Status)
	}
	golden(t, w, "withdraw")
}

// TestWithdrawWhich: with several contracts that can be withdrawn and none
// in the dialog, the learner picks one, confirms, and only that one is
// withdrawn.
func TestWithdrawWhich(t *testing.T) {
	w := newWorld(t, "Withdrawing one of several")
	for _, id := range []string{"c8", "c9"} {
		c := contract.New(id, bottest.PlatformName, bottest.Team, lee, w.Now())
		c.Terms.Title = "Plan " + id
		w.Store(c)
	}
	w.Say(lee, "withdraw")
	w.ClickOn(lee, w.Latest(lee), "Withdraw…") // the first: c8
	w.Click(lee, "Withdraw it")
	if a, b := w.Contract("c8").Status, w.Contract("c9").Status; a != contract.Withdrawn || b != contract.Draft {
		t.Errorf("c8 %s, c9 %s: want only c8 withdrawn", a, b)
	}
}
