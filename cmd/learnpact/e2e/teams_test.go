package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/teams/connectortest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// teamsDraft takes the learner from installing the app to the summary,
// with one coached goal. It returns the summary card.
// signed drafts a contract, sends it, and has the manager approve it:
// active, signed by both.
func (h *teamsHarness) signed() {
	h.t.Helper()
	summary := h.draft()
	h.click(teamsLearner, summary, string(conversation.ActionSend), nil)
	card := h.expect(teamsManager, "would like you to approve")
	h.click(teamsManager, card, string(conversation.ActionApprove), nil)
	h.expect(teamsLearner, "active")
}

func (h *teamsHarness) draft() connectortest.Activity {
	h.draftToApprover()
	h.sayMentioning(teamsLearner, teamsManager)
	h.skipNotes(teamsLearner)
	return h.expect(teamsLearner, "Send to my manager")
}

// draftToApprover takes the learner from installing the app to the
// approver step.
func (h *teamsHarness) draftToApprover() {
	h.install(teamsLearner)
	h.expect(teamsLearner, "a title")
	h.say(teamsLearner, "Running design reviews")
	h.expect(teamsLearner, "first goal")
	h.say(teamsLearner, "learn about negotiation") // vague: coached
	coached := h.expect(teamsLearner, "Use suggestion")
	h.click(teamsLearner, coached, string(conversation.ActionUseSuggestion), nil)
	mastery := h.expect(teamsLearner, "mastered")
	h.click(teamsLearner, mastery, string(conversation.ActionSkip), nil)
	goals := h.expect(teamsLearner, "Your goals so far")
	h.click(teamsLearner, goals, string(conversation.ActionGoalsDone), nil)
	h.expect(teamsLearner, "How will you learn it?")
	h.say(teamsLearner, "Shadow Ana's reviews; read the Design Review Handbook")
	h.expect(teamsLearner, "What evidence")
	h.say(teamsLearner, "A write-up of three reviews **not bold** [x](https://evil.example)")
	h.expect(teamsLearner, "How should your evidence be judged")
	h.say(teamsLearner, "Two teammates use my checklist without help")
	h.expect(teamsLearner, "By when?")
	h.say(teamsLearner, "in 8 weeks")
	cadence := h.expect(teamsLearner, "How often should we check in?")
	h.click(teamsLearner, cadence, string(conversation.ActionWeekly), nil)
	h.expect(teamsLearner, "Who will approve")
}

// TestTeamsNegotiation: the whole negotiation over /api/messages. The
// manager, who never wrote to the bot, gets the card in a chat the bot
// starts; asks for changes through the card's form (first empty, which the
// form answers, then with comments); the learner revises; a stranger's
// click on the card is refused and changes nothing; the manager approves.
// A week later the check-in arrives proactively, after a restart, through
// the stored conversation reference.
func TestTeamsNegotiation(t *testing.T) {
	h := newTeamsHarness(t)
	summary := h.draft()

	h.click(teamsLearner, summary, string(conversation.ActionSend), nil)
	h.expect(teamsLearner, "Sent to")
	card1 := h.expect(teamsManager, "would like you to approve")
	if !slices.Contains(teamsActions(card1), string(conversation.ActionApprove)) {
		t.Fatalf("approval card buttons = %v", teamsActions(card1))
	}
	if !strings.Contains(teamsText(card1), "<at>Lee Learner</at>") {
		t.Errorf("the card does not mention the learner by name: %s", teamsText(card1))
	}
	if !strings.Contains(teamsText(card1), `\*\*not bold\*\*`) || strings.Contains(teamsText(card1), "[x](https://evil") {
		t.Errorf("the learner's text can format the card: %s", teamsText(card1))
	}

	// Request changes: the form is a card in the manager's chat.
	h.click(teamsManager, card1, string(conversation.ActionRequestChanges), nil)
	form := h.expect(teamsManager, "Request changes")
	h.click(teamsManager, form, "lp_submit", map[string]string{conversation.FieldComments: " "})
	h.expectUpdate(teamsManager, "Please say what you")
	h.click(teamsManager, form, "lp_submit", map[string]string{conversation.FieldComments: "Please give yourself 10 weeks."})
	revise := h.expect(teamsLearner, "Please give yourself 10 weeks.")
	decided := h.expectUpdate(teamsManager, "")
	for decided.ID != card1.ID {
		decided = h.expectUpdate(teamsManager, "")
	}
	if ids := teamsActions(decided); len(ids) != 0 {
		t.Errorf("the decided card still has buttons: %v", ids)
	}

	// The learner revises the deadline and sends version 2.
	h.click(teamsLearner, revise, string(conversation.ActionRevise), nil)
	h.expect(teamsLearner, "Send to my manager")
	h.say(teamsLearner, "edit deadline")
	h.expect(teamsLearner, "By when?")
	h.say(teamsLearner, "in 10 weeks")
	summary2 := h.expect(teamsLearner, "Send to my manager")
	h.click(teamsLearner, summary2, string(conversation.ActionSend), nil)
	card2 := h.expect(teamsManager, "What changed since version 1")

	// Someone else submits the manager's card: a clear answer, no change.
	before := h.contracts(teamsLearner)[0].Rev
	if code := h.click(teamsStranger, card2, string(conversation.ActionApprove), nil); code != http.StatusOK {
		t.Fatalf("stranger's click answered %d", code)
	}
	h.expect(teamsStranger, "Only")
	if after := h.contracts(teamsLearner)[0].Rev; after != before {
		t.Errorf("a stranger's click changed the contract (rev %d → %d)", before, after)
	}

	h.click(teamsManager, card2, string(conversation.ActionApprove), nil)
	h.expect(teamsLearner, "active")
	c := h.contracts(teamsLearner)[0]
	if c.Status != contract.Active || c.Version != 2 || c.Signed != 2 || !c.SignedBy(teamsLearner, 2) || !c.SignedBy(teamsManager, 2) {
		t.Fatalf("contract is %s at version %d (signed %d), signatures %+v", c.Status, c.Version, c.Signed, c.Signatures)
	}
	if c.Approver != teamsManager || c.Team != teamsTenant {
		t.Errorf("approver %q team %q", c.Approver, c.Team)
	}

	// A week later, after a restart, the check-in arrives in the
	// learner's chat through the stored reference.
	h.startBot()
	early := func() int {
		n := 0
		for _, a := range h.fake.Activities() {
			if strings.Contains(teamsText(a), "quick check-in") {
				n++
			}
		}
		return n
	}
	h.sweep(24 * time.Hour)
	if n := early(); n != 0 {
		t.Fatalf("a check-in went out the day after signing")
	}
	if st := h.sweep(6 * 24 * time.Hour); st.Sent < 1 {
		t.Fatalf("a week after signing the sweep sent nothing: %+v", st)
	}
	checkIn := h.expect(teamsLearner, "quick check-in")
	if checkIn.Conversation != h.chat(teamsLearner) {
		t.Errorf("check-in went to %s, want the learner's chat %s", checkIn.Conversation, h.chat(teamsLearner))
	}
	if n := early(); n != 1 {
		t.Errorf("%d check-ins sent, want 1", n)
	}
	h.click(teamsLearner, checkIn, string(conversation.ActionOnTrack), nil)
	h.expect(teamsLearner, "What happened since last time?")
	if n := len(h.fake.Conversations()); n != 1 {
		t.Errorf("the bot started %d chats, want 1 (the manager's)", n)
	}
	h.sentByLibrary(teamsLearner)
	h.sentByLibrary(teamsManager)
}

// libraryAgent is the User-Agent of msbotbuilder-go's connector client
// (Go's default); the adapter's own connector sends teams.UserAgent.
const libraryAgent = "Go-http-client/1.1"

// sentByLibrary checks that every message and update the bot sent into
// user's personal chat went through msbotbuilder-go's connector client.
func (h *teamsHarness) sentByLibrary(user string) {
	h.t.Helper()
	chat, n := h.chat(user), 0
	for _, a := range h.fake.Activities() {
		if a.Conversation != chat {
			continue
		}
		n++
		if a.UserAgent != libraryAgent {
			h.t.Errorf("%s %s in %s's chat came from %q, not the library's client: %s", a.Method, a.ID, user, a.UserAgent, teamsText(a))
		}
	}
	if n == 0 {
		h.t.Errorf("nothing was sent into %s's chat", user)
	}
}
