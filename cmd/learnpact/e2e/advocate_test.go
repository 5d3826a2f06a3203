package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

const advocate = sandbox.Advocate

// teamsAdvocate is the workplace advocate on Teams.
const teamsAdvocate = "29:wen"

const (
	supportNeeded = "Two hours a week for the reviews"
	advocateNote  = "Fridays are quiet here: book the reviews then."
)

// TestAdvocateEndToEnd, over Slack's HTTP protocol against the sandbox:
// the learner names the approver and the advocate in one message and
// notes the support they need; the advocate gets a card, a stranger's
// click on it is refused, the advocate's comment reaches learner and
// approver, and the contract is active once all three have signed.
func TestAdvocateEndToEnd(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, open(t))
			h.draftToApprover("in 8 weeks")
			h.say(learner, "<@"+manager+"> with <@"+advocate+"> as my advocate")
			h.expect(learner, "What support will you need")
			h.say(learner, supportNeeded)
			h.click(learner, h.expect(learner, "Any ethical considerations"), string(conversation.ActionSkip))
			summary := h.expect(learner, "Send to my manager")
			for _, want := range []string{"<@" + advocate + ">", supportNeeded} {
				if !strings.Contains(textOf(summary), want) {
					t.Errorf("the summary lacks %q: %s", want, textOf(summary))
				}
			}
			h.click(learner, summary, string(conversation.ActionSend))
			h.expect(learner, "Sent to")
			approval := h.expect(manager, "would like you to approve")
			card := h.expect(advocate, "names you as workplace advocate")
			if got := actionIDs(card); !containsPrefix(got, string(conversation.ActionAdvocateSign)) || !containsPrefix(got, string(conversation.ActionAdvocateComment)) {
				t.Fatalf("the advocate's card buttons = %v", got)
			}
			if !strings.Contains(textOf(card), supportNeeded) {
				t.Errorf("the advocate's card lacks the support needed: %s", textOf(card))
			}

			before := h.contracts(learner)[0].Rev
			if code := h.clickAs(stranger, card, string(conversation.ActionAdvocateSign)); code != http.StatusOK {
				t.Fatalf("stranger's click answered %d", code)
			}
			h.expect(stranger, "Only")
			if after := h.contracts(learner)[0].Rev; after != before {
				t.Errorf("a stranger's click changed the contract (rev %d → %d)", before, after)
			}

			h.click(advocate, card, string(conversation.ActionAdvocateComment))
			h.submitForm(advocate, map[string]string{conversation.FieldComment: advocateNote})
			h.expect(learner, advocateNote)
			h.expect(manager, advocateNote)

			h.click(manager, approval, string(conversation.ActionApprove))
			h.expect(learner, "once <@"+advocate+"> signs")
			if c := h.contracts(learner)[0]; c.Status != contract.Proposed {
				t.Fatalf("the contract is %s before the advocate signed", c.Status)
			}
			h.click(advocate, card, string(conversation.ActionAdvocateSign))
			h.expect(learner, "It's active now")
			h.expect(manager, "It's active now")
			checkSignedByAll(t, h.contracts(learner)[0], learner, manager, advocate)
		})
	}
}

// TestTeamsAdvocate: the same over /api/messages. The advocate, who never
// wrote to the bot, gets the card in a chat the bot starts and comments
// through its form card.
func TestTeamsAdvocate(t *testing.T) {
	h := newTeamsHarness(t)
	h.draftToApprover()
	h.sayMentions(teamsLearner, "%s with %s as my advocate", teamsManager, teamsAdvocate)
	h.expect(teamsLearner, "What support will you need")
	h.say(teamsLearner, supportNeeded)
	h.click(teamsLearner, h.expect(teamsLearner, "Any ethical considerations"), string(conversation.ActionSkip), nil)
	summary := h.expect(teamsLearner, "Send to my manager")
	h.click(teamsLearner, summary, string(conversation.ActionSend), nil)
	h.expect(teamsLearner, "Sent to")
	approval := h.expect(teamsManager, "would like you to approve")
	card := h.expect(teamsAdvocate, "names you as workplace advocate")
	if !strings.Contains(teamsText(card), supportNeeded) {
		t.Errorf("the advocate's card lacks the support needed: %s", teamsText(card))
	}

	before := h.contracts(teamsLearner)[0].Rev
	if code := h.click(teamsStranger, card, string(conversation.ActionAdvocateSign), nil); code != http.StatusOK {
		t.Fatalf("stranger's click answered %d", code)
	}
	h.expect(teamsStranger, "Only")
	if after := h.contracts(teamsLearner)[0].Rev; after != before {
		t.Errorf("a stranger's click changed the contract (rev %d → %d)", before, after)
	}

	h.click(teamsAdvocate, card, string(conversation.ActionAdvocateComment), nil)
	form := h.expect(teamsAdvocate, "Comment as advocate")
	h.click(teamsAdvocate, form, "lp_submit", map[string]string{conversation.FieldComment: advocateNote})
	h.expect(teamsLearner, advocateNote)
	h.expect(teamsManager, advocateNote)

	h.click(teamsManager, approval, string(conversation.ActionApprove), nil)
	h.expect(teamsLearner, "signs too")
	h.click(teamsAdvocate, card, string(conversation.ActionAdvocateSign), nil)
	h.expect(teamsLearner, "It's active now")
	h.expect(teamsManager, "It's active now")
	checkSignedByAll(t, h.contracts(teamsLearner)[0], teamsLearner, teamsManager, teamsAdvocate)
}

// checkSignedByAll checks that c is active on version 1, signed by each of
// who, and that the advocate's comment is in its history.
func checkSignedByAll(t *testing.T, c *contract.Contract, who ...string) {
	t.Helper()
	if c.Status != contract.Active || c.Signed != 1 {
		t.Fatalf("the contract is %s, signed %d", c.Status, c.Signed)
	}
	for _, u := range who {
		if !c.SignedBy(u, 1) {
			t.Errorf("%s has not signed version 1", u)
		}
	}
	if c.Terms.Support != supportNeeded {
		t.Errorf("support needed %q", c.Terms.Support)
	}
	if cs := c.AdvocateComments(); len(cs) != 1 || cs[0].Comment != advocateNote {
		t.Errorf("the advocate's comment in the history: %+v", cs)
	}
}
