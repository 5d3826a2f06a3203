package e2e

import (
	"strings"
	"testing"

	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// command runs "/contract text" as user in their DM with the bot.
func (h *harness) command(user, text string) {
	h.t.Helper()
	if err := h.ws.Command(h.ctx(), user, "", text); err != nil {
		h.t.Fatalf("%s runs /contract %s: %v", user, text, err)
	}
}

// draftFor has the manager draft a contract for the learner, from
// /contract draft-for to its summary, which it returns.
func (h *harness) draftFor() sandbox.Message {
	h.command(manager, "draft-for <@"+learner+">")
	h.expect(manager, "Let's draft a learning contract for")
	h.say(manager, "Running design reviews")
	h.expect(manager, "first goal")
	h.say(manager, "Run three design reviews using a checklist the team adopts")
	mastery := h.expect(manager, "mastered")
	h.click(manager, mastery, string(conversation.ActionSkip))
	goals := h.expect(manager, "Your goals so far")
	h.click(manager, goals, string(conversation.ActionGoalsDone))
	h.expect(manager, "How will they learn it?")
	h.say(manager, "Shadow Ana's reviews; read the Design Review Handbook")
	h.expect(manager, "What evidence")
	h.say(manager, "A write-up of three reviews")
	h.expect(manager, "How should their evidence be judged")
	h.say(manager, "Two teammates use the checklist without help")
	h.expect(manager, "By when?")
	h.say(manager, "in 8 weeks")
	cadence := h.expect(manager, "How often should we check in?")
	h.click(manager, cadence, string(conversation.ActionWeekly))
	return h.expect(manager, "Send to the learner")
}

// TestDraftForEndToEnd: over Slack HTTP against the sandbox, the manager
// runs /contract draft-for (first for themselves and for two people, which
// are refused and start nothing), drafts without an approver step and
// sends it; the learner, who saw nothing until then, counters with a later
// deadline; the manager signs the counter and the learner's contract is
// active, signed by both on version 2.
func TestDraftForEndToEnd(t *testing.T) {
	h := newHarness(t, stores["redis"](t))
	h.command(manager, "draft-for <@"+manager+">")
	h.expect(manager, "That's you")
	h.command(manager, "draft-for <@"+learner+"> <@"+stranger+">")
	h.expect(manager, "mention one person")
	if cs := h.contracts(manager); len(cs) != 0 {
		t.Fatalf("refused draft-for commands stored %d contracts", len(cs))
	}

	summary := h.draftFor()
	for _, m := range h.ws.DM(learner) {
		if m.User != learner {
			t.Fatalf("the learner heard of the draft before it was sent: %s", textOf(m))
		}
	}
	h.click(manager, summary, string(conversation.ActionSend))
	h.expect(manager, "Sent to")
	card := h.expect(learner, "drafted a learning contract for you")
	if ids := actionIDs(card); !strings.Contains(strings.Join(ids, " "), string(conversation.ActionDeclineDraft)) {
		t.Errorf("the learner's card has no way to decline: %v", ids)
	}

	h.click(learner, card, string(conversation.ActionCounter))
	h.expect(learner, "Send to my manager")
	h.say(learner, "edit deadline")
	h.expect(learner, "By when?")
	h.say(learner, "in 10 weeks")
	summary2 := h.expect(learner, "Send to my manager")
	h.click(learner, summary2, string(conversation.ActionSend))
	card2 := h.expect(manager, "What changed since version 1")
	h.click(manager, card2, string(conversation.ActionApprove))
	h.expect(learner, "active")

	c := h.contracts(learner)[0]
	if c.Status != contract.Active || c.Version != 2 || c.Signed != 2 || !c.SignedBy(learner, 2) || !c.SignedBy(manager, 2) {
		t.Fatalf("contract is %s v%d (signed %d), signatures %+v", c.Status, c.Version, c.Signed, c.Signatures)
	}
	if c.Learner != learner || c.Approver != manager || c.DraftedBy != manager {
		t.Errorf("learner %s approver %s drafted by %s", c.Learner, c.Approver, c.DraftedBy)
	}
	if r, _ := c.Revision(1); r.ProposedBy != manager {
		t.Errorf("version 1 proposed by %s, want the manager", r.ProposedBy)
	}
}

// sayFor sends "text @who" from user in their Teams chat, with the
// mention entity Teams adds.
func (h *teamsHarness) sayFor(user, text string, who ...string) {
	h.t.Helper()
	act := h.activity("message", user)
	entities, _ := act["entities"].([]any)
	for _, w := range who {
		at := "<at>" + teamsNames[w] + "</at>"
		text += " " + at
		entities = append(entities, map[string]any{"type": "mention", "text": at, "mentioned": map[string]any{"id": w, "name": teamsNames[w]}})
	}
	act["text"], act["entities"] = text, entities
	h.mustDeliver(act)
}

// TestTeamsDraftFor: the same over /api/messages. The manager types
// draft-for mentioning the learner (first also a second person, which is
// refused), drafts and sends; the learner, whose chat the bot starts,
// counters with a later deadline; the manager signs the counter: active,
// signed by both.
func TestTeamsDraftFor(t *testing.T) {
	h := newTeamsHarness(t)
	h.sayFor(teamsManager, "draft-for", teamsLearner, teamsStranger)
	h.expect(teamsManager, "mention one person")
	h.sayFor(teamsManager, "draft-for", teamsLearner)
	h.expect(teamsManager, "Let's draft a learning contract for")
	h.say(teamsManager, "Running design reviews")
	h.expect(teamsManager, "first goal")
	h.say(teamsManager, "Run three design reviews using a checklist the team adopts")
	mastery := h.expect(teamsManager, "mastered")
	h.click(teamsManager, mastery, string(conversation.ActionSkip), nil)
	goals := h.expect(teamsManager, "Your goals so far")
	h.click(teamsManager, goals, string(conversation.ActionGoalsDone), nil)
	h.expect(teamsManager, "How will they learn it?")
	h.say(teamsManager, "Shadow Ana's reviews")
	h.expect(teamsManager, "What evidence")
	h.say(teamsManager, "A write-up of three reviews")
	h.expect(teamsManager, "How should their evidence be judged")
	h.say(teamsManager, "Two teammates use the checklist without help")
	h.expect(teamsManager, "By when?")
	h.say(teamsManager, "in 8 weeks")
	cadence := h.expect(teamsManager, "How often should we check in?")
	h.click(teamsManager, cadence, string(conversation.ActionWeekly), nil)
	summary := h.expect(teamsManager, "Send to the learner")
	if h.chat(teamsLearner) != "" {
		t.Fatal("the bot wrote to the learner before the draft was sent")
	}

	h.click(teamsManager, summary, string(conversation.ActionSend), nil)
	card := h.expect(teamsLearner, "drafted a learning contract for you")
	h.click(teamsLearner, card, string(conversation.ActionCounter), nil)
	h.expect(teamsLearner, "Send to my manager")
	h.say(teamsLearner, "edit deadline")
	h.expect(teamsLearner, "By when?")
	h.say(teamsLearner, "in 10 weeks")
	summary2 := h.expect(teamsLearner, "Send to my manager")
	h.click(teamsLearner, summary2, string(conversation.ActionSend), nil)
	card2 := h.expect(teamsManager, "What changed since version 1")
	h.click(teamsManager, card2, string(conversation.ActionApprove), nil)
	h.expect(teamsLearner, "active")

	c := h.contracts(teamsLearner)[0]
	if c.Status != contract.Active || c.Version != 2 || c.Signed != 2 || !c.SignedBy(teamsLearner, 2) || !c.SignedBy(teamsManager, 2) {
		t.Fatalf("contract is %s v%d (signed %d), signatures %+v", c.Status, c.Version, c.Signed, c.Signatures)
	}
	if c.Learner != teamsLearner || c.DraftedBy != teamsManager || c.Team != teamsTenant {
		t.Errorf("learner %s drafted by %s team %s", c.Learner, c.DraftedBy, c.Team)
	}
}
