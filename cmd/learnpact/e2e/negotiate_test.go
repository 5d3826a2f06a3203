package e2e

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// evidence holds what a user typed literally (Slack escapes it as
// &lt;!channel&gt;) next to a real @here mention and a link.
const evidence = "A write-up of three reviews &lt;!channel&gt; <!here> <https://evil.example|click me>"

const (
	learner  = sandbox.Learner
	manager  = sandbox.Manager
	stranger = sandbox.PeerSam
)

// draft takes the learner from "new" to the summary, with one coached goal,
// one bad deadline and one "back". It returns the summary message.
func (h *harness) draft() sandbox.Message { return h.draftWith("in 8 weeks") }

// draftWith drafts with the given deadline.
func (h *harness) draftWith(deadline string) sandbox.Message {
	h.draftToApprover(deadline)
	h.say(learner, "<@"+manager+">")
	h.skipNotes(learner)
	return h.expect(learner, "Send to my manager")
}

// draftToApprover drafts up to the approver step.
func (h *harness) draftToApprover(deadline string) {
	h.say(learner, "new")
	h.expect(learner, "a title")
	h.say(learner, "Running design reviews")
	h.expect(learner, "first goal")

	h.say(learner, "learn about negotiation") // vague: coached
	coached := h.expect(learner, "Use suggestion")
	h.click(learner, coached, string(conversation.ActionUseSuggestion))
	mastery := h.expect(learner, "mastered")
	h.click(learner, mastery, string(conversation.ActionSkip))
	goals := h.expect(learner, "Your goals so far")
	h.click(learner, goals, string(conversation.ActionGoalsDone))

	h.expect(learner, "How will you learn it?")
	h.say(learner, "Shadow Ana's reviews; read the Design Review Handbook")
	h.expect(learner, "What evidence")
	h.say(learner, evidence)
	h.expect(learner, "How should your evidence be judged")
	h.say(learner, "back") // one step back, to the evidence
	h.expect(learner, "What evidence")
	h.say(learner, evidence)
	h.expect(learner, "How should your evidence be judged")
	h.say(learner, "Two teammates use my checklist without help")
	h.expect(learner, "By when?")

	h.say(learner, "yesterday") // bad deadline: re-prompted with examples
	h.expect(learner, "in 6 weeks")
	h.say(learner, deadline)
	cadence := h.expect(learner, "How often should we check in?")
	h.click(learner, cadence, string(conversation.ActionWeekly))
	h.expect(learner, "Who will approve")
}

func TestNegotiationEndToEnd(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, open(t))
			summary := h.draft()

			// Version 1 goes to the manager, who asks for changes in a modal.
			h.click(learner, summary, string(conversation.ActionSend))
			h.expect(learner, "Sent to")
			card1 := h.expect(manager, "would like you to approve")
			if got := actionIDs(card1); !containsPrefix(got, string(conversation.ActionApprove)) {
				t.Fatalf("approval card buttons = %v", got)
			}
			h.click(manager, card1, string(conversation.ActionRequestChanges))
			if err := h.ws.Await(h.ctx(), func() bool { _, ok := h.ws.OpenModal(manager); return ok }); err != nil {
				t.Fatal("no modal opened for the manager")
			}
			if err := h.ws.Submit(h.ctx(), manager, map[string]string{conversation.FieldComments: "Please give yourself 10 weeks."}); err != nil {
				t.Fatal(err)
			}
			revise := h.expect(learner, "Please give yourself 10 weeks.")
			if updated, _ := h.ws.Message(card1.Ref()); len(actionIDs(updated)) != 0 {
				t.Errorf("the decided card still has buttons: %v", actionIDs(updated))
			}

			// The learner revises the deadline and sends version 2.
			h.click(learner, revise, string(conversation.ActionRevise))
			h.expect(learner, "Send to my manager")
			h.say(learner, "edit deadline")
			h.expect(learner, "By when?")
			h.say(learner, "in 10 weeks")
			summary2 := h.expect(learner, "Send to my manager")
			h.click(learner, summary2, string(conversation.ActionSend))
			card2 := h.expect(manager, "What changed since version 1")

			// A stranger's click and a stale click change nothing.
			before := h.contracts(learner)[0].Rev
			if code := h.clickAs(stranger, card2, string(conversation.ActionApprove)); code != http.StatusOK {
				t.Fatalf("stranger's click answered %d", code)
			}
			h.expect(stranger, "Only")
			if after := h.contracts(learner)[0].Rev; after != before {
				t.Errorf("a stranger's click changed the contract (rev %d → %d)", before, after)
			}
			// card1 lost its buttons when decided; a click from an old
			// client still carries version 1.
			if code := h.clickAs(manager, card1, string(conversation.ActionApprove)); code != http.StatusOK {
				t.Fatalf("stale click answered %d", code)
			}
			h.expect(manager, "version 2")
			if after := h.contracts(learner)[0].Rev; after != before {
				t.Errorf("a stale click changed the contract (rev %d → %d)", before, after)
			}

			h.click(manager, card2, string(conversation.ActionApprove))
			h.expect(learner, "active")

			cs := h.contracts(learner)
			if len(cs) != 1 {
				t.Fatalf("learner has %d contracts, want 1", len(cs))
			}
			c := cs[0]
			if c.Status != contract.Active || c.Version != 2 || c.Signed != 2 {
				t.Fatalf("contract is %s at version %d (signed %d), want active at version 2", c.Status, c.Version, c.Signed)
			}
			for _, who := range []string{learner, manager} {
				if !c.SignedBy(who, 2) {
					t.Errorf("%s has not signed version 2", who)
				}
			}
			if n := countSignatures(c, 2); n != 2 {
				t.Errorf("version 2 has %d signatures, want 2", n)
			}
			kinds := map[string]int{}
			var deadlineChanged bool
			for _, e := range c.History {
				kinds[e.Kind]++
				if e.Kind == "changed" && e.Field == contract.FieldDeadline && e.Version == 2 && e.Old != "" && e.New != e.Old {
					deadlineChanged = true
				}
			}
			for _, k := range []string{"created", "proposed", "changes_requested", "signed", "activated"} {
				if kinds[k] == 0 {
					t.Errorf("history has no %q event: %v", k, kinds)
				}
			}
			if !deadlineChanged {
				t.Errorf("history does not record the deadline change in version 2")
			}
			// The learner's text is stored as written and shown harmlessly.
			if !strings.Contains(c.Terms.Evidence[0], "<!channel>") {
				t.Errorf("evidence stored as %q", c.Terms.Evidence[0])
			}
			for _, m := range h.ws.DM(manager) {
				for _, live := range []string{"<!channel>", "<!here>", "<https://evil"} {
					if strings.Contains(textOf(m), live) {
						t.Errorf("a message to the manager contains a live %s: %s", live, textOf(m))
					}
				}
			}
			if !strings.Contains(textOf(card2), "&lt;!channel&gt;") {
				t.Errorf("the escaped evidence is missing from the card: %s", textOf(card2))
			}
		})
	}
}

// TestConcurrentApprovals clicks Approve twice at the same moment: one
// signature, one approval message.
func TestConcurrentApprovals(t *testing.T) {
	h := newHarness(t, stores["redis"](t))
	summary := h.draft()
	h.click(learner, summary, string(conversation.ActionSend))
	card := h.expect(manager, "would like you to approve")

	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.ws.Click(h.ctx(), manager, card.Ref(), string(conversation.ActionApprove)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	h.expect(learner, "active")
	// The second click is answered privately; wait for it so the count
	// below sees every message.
	h.expect(manager, "already")

	c := h.contracts(learner)[0]
	if n := countSignatures(c, 1); n != 2 {
		t.Errorf("version 1 has %d signatures, want 2 (learner + manager)", n)
	}
	approved := 0
	for _, m := range h.ws.DM(learner) {
		if m.User != learner && strings.Contains(textOf(m), "active") {
			approved++
		}
	}
	if approved != 1 {
		t.Errorf("learner was told %d times that the contract is active, want 1", approved)
	}
}

// TestRestartBetweenTurns stops the bot mid-dialog and starts a fresh one on
// the same store: the next message continues the dialog.
func TestRestartBetweenTurns(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, open(t))
			h.say(learner, "new")
			h.expect(learner, "a title")
			h.say(learner, "Running design reviews")
			h.expect(learner, "first goal")

			h.stopBot()
			h.startBot()

			h.say(learner, "Run three design reviews using a checklist the team adopts")
			h.expect(learner, "mastered")
			c := h.contracts(learner)
			if len(c) != 1 || c[0].Terms.Title != "Running design reviews" || len(c[0].Terms.Goals) != 1 {
				t.Fatalf("after restart the draft is %+v", c)
			}
		})
	}
}

func countSignatures(c *contract.Contract, version int) int {
	n := 0
	for _, s := range c.Signatures {
		if s.Version == version {
			n++
		}
	}
	return n
}

func containsPrefix(ids []string, prefix string) bool {
	return slices.ContainsFunc(ids, func(id string) bool { return strings.HasPrefix(id, prefix) })
}
