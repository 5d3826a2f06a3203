package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// expectPost waits for a message in a channel, or in the thread under root
// when root is set, whose text contains want.
func (h *harness) expectPost(channel, root, want string) sandbox.Message {
	h.t.Helper()
	var found sandbox.Message
	err := h.ws.Await(h.ctx(), func() bool {
		msgs := h.ws.Channel(channel)
		if root != "" {
			msgs = h.ws.Thread(channel, root)
		}
		for _, m := range msgs {
			if m.User == sandbox.BotUser && strings.Contains(textOf(m), want) {
				found = m
				return true
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("no post containing %q in %s", want, channel)
	}
	return found
}

// awaitModal waits until user has a modal open.
func (h *harness) awaitModal(user string) {
	h.t.Helper()
	if err := h.ws.Await(h.ctx(), func() bool { _, ok := h.ws.OpenModal(user); return ok }); err != nil {
		h.t.Fatalf("no modal opened for %s", user)
	}
}

// only returns the learner's one contract.
func (h *harness) only(user string) *contract.Contract {
	h.t.Helper()
	cs := h.contracts(user)
	if len(cs) != 1 {
		h.t.Fatalf("%s has %d contracts", user, len(cs))
	}
	return cs[0]
}

// TestLearningSetReview: a learner shares a draft with the learning set;
// one asked peer declines and is replaced, one answers in the feedback
// form, the replacement in the thread; someone outside the set is turned
// away; the learner gets the feedback gathered, revises and sends it, and
// the manager sees that peers reviewed it. Leaving the channel afterwards
// loses nothing.
func TestLearningSetReview(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, open(t))
			set := sandbox.LearningSet
			if err := h.ws.Command(h.ctx(), sandbox.PeerPat, set, "learning-set"); err != nil {
				t.Fatal(err)
			}
			h.expectPost(set, "", "is now a learning set")

			summary := h.draft()
			h.click(learner, summary, string(conversation.ActionShare))
			h.awaitModal(learner)
			if err := h.ws.Submit(h.ctx(), learner, map[string]string{conversation.FieldNote: "Is eight weeks enough? <!channel>"}); err != nil {
				t.Fatal(err)
			}
			root := h.expectPost(set, "", "Draft for review")
			h.expect(learner, "Shared with")
			c := h.only(learner)
			asked := c.Waiting()
			members := h.ws.Members(set)
			if c.Status != contract.InPeerReview || len(asked) != 2 || slices.Contains(asked, learner) {
				t.Fatalf("after sharing: %s, asked %v", c.Status, asked)
			}
			for _, r := range asked {
				if !slices.Contains(members, r) || !strings.Contains(textOf(root), "<@"+r+">") {
					t.Fatalf("reviewer %s is not a member (%v) or is not named in the post:\n%s\n%s", r, members, root.Text, root.Blocks)
				}
			}
			if strings.Contains(string(root.Blocks), "<!channel>") {
				t.Fatal("the learner's note pinged the channel")
			}
			// Only members see the post.
			if h.ws.CanSee(manager, set) || h.ws.CanSee(sandbox.Advocate, set) || !h.ws.CanSee(asked[0], set) {
				t.Fatal("channel visibility is wrong")
			}

			// Someone outside the set is refused politely; nothing is stored.
			h.clickAs(sandbox.Advocate, root, string(conversation.ActionFeedback))
			h.expect(sandbox.Advocate, "Only members of")
			if c := h.only(learner); len(c.Feedback) != 0 {
				t.Fatal("feedback from outside the set was stored")
			}

			// One reviewer declines and someone else is asked.
			h.click(asked[0], root, string(conversation.ActionDeclineReview))
			h.expectPost(set, root.TS, "could you take a look instead?")
			c = h.only(learner)
			waiting := c.Waiting()
			if len(waiting) != 2 || slices.Contains(waiting, asked[0]) || waiting[0] != asked[1] {
				t.Fatalf("after the decline, waiting for %v", waiting)
			}
			byForm, byThread := waiting[0], waiting[1]

			// One gives feedback in the form, the other in the thread.
			h.click(byForm, root, string(conversation.ActionFeedback))
			h.awaitModal(byForm)
			if err := h.ws.Submit(h.ctx(), byForm, map[string]string{
				conversation.FieldSpecific:   "Goal 1 is clear and measurable.",
				conversation.FieldSuggestion: "Ask Ana to observe one review.",
			}); err != nil {
				t.Fatal(err)
			}
			h.expectPost(set, root.TS, "gave feedback through the form")
			if err := h.ws.Post(h.ctx(), byThread, set, "A short demo would be more convincing than a write-up.", root.TS); err != nil {
				t.Fatal(err)
			}
			gathered := h.expect(learner, "Your learning set has reviewed your draft")
			text := textOf(gathered)
			for _, want := range []string{"Goal 1 is clear", "Ask Ana", "short demo", "<@" + byForm + ">", "<@" + byThread + ">"} {
				if !strings.Contains(text, want) {
					t.Fatalf("the gathered feedback lacks %q:\n%s", want, text)
				}
			}

			// The learner revises and sends; the manager sees the review.
			h.click(learner, gathered, string(conversation.ActionReviseDraft))
			h.expect(learner, "work your peers' feedback in")
			h.say(learner, "edit evidence")
			h.expect(learner, "What evidence")
			h.say(learner, "A 10-minute demo of three reviews")
			revised := h.expect(learner, "Send to my manager")
			h.click(learner, revised, string(conversation.ActionSend))
			card := h.expect(manager, "would like you to approve")
			if text := textOf(card); !strings.Contains(text, "Peer review") || !strings.Contains(text, "short demo") {
				t.Fatalf("the manager's card does not show the peer review:\n%s", text)
			}

			// The learner leaves the channel: the feedback stays.
			if err := h.ws.Leave(h.ctx(), learner, set); err != nil {
				t.Fatal(err)
			}
			c = h.only(learner)
			if len(c.Feedback) != 2 || c.Status != contract.Proposed || c.Version != 1 {
				t.Fatalf("after leaving: %d feedback, %s v%d", len(c.Feedback), c.Status, c.Version)
			}
			if f := c.Feedback; f[0].By != byForm || f[0].Source != contract.FromForm || f[1].By != byThread || f[1].Round != 1 {
				t.Fatalf("stored feedback: %+v", f)
			}
		})
	}
}

// TestLearningSetReminders: through the scheduler, each reviewer who has
// not answered gets one reminder after two working days, in their working
// hours, and after four the learner hears they may go ahead.
func TestLearningSetReminders(t *testing.T) {
	h := newHarness(t, stores["redis"](t)) // shared on Monday 23 November, 10:00 UTC
	set := sandbox.LearningSet
	if err := h.ws.Command(h.ctx(), sandbox.PeerSam, set, "learning-set"); err != nil {
		t.Fatal(err)
	}
	h.expectPost(set, "", "is now a learning set")
	summary := h.draft()
	h.click(learner, summary, string(conversation.ActionShare))
	h.awaitModal(learner)
	if err := h.ws.Submit(h.ctx(), learner, nil); err != nil {
		t.Fatal(err)
	}
	root := h.expectPost(set, "", "Draft for review")
	asked := h.only(learner).Waiting()
	if len(asked) != 2 {
		t.Fatalf("asked %v", asked)
	}
	// One answers at once; the other stays silent.
	if err := h.ws.Post(h.ctx(), asked[0], set, "Looks solid to me.", root.TS); err != nil {
		t.Fatal(err)
	}
	if err := h.ws.Await(h.ctx(), func() bool { return len(h.only(learner).Feedback) == 1 }); err != nil {
		t.Fatal("the thread reply was not stored")
	}
	if st := h.sweep(24 * time.Hour); st.Sent != 0 {
		t.Fatalf("a reminder after one day: %+v", st)
	}
	reminded := func(user string) int {
		n := 0
		for _, m := range h.ws.DM(user) {
			if strings.Contains(textOf(m), "gentle reminder") {
				n++
			}
		}
		return n
	}
	for range 3 { // Wednesday and Thursday, in everyone's working hours
		h.sweep(12 * time.Hour)
	}
	if reminded(asked[1]) != 1 || reminded(asked[0]) != 0 {
		t.Fatalf("reminders: silent %s got %d, %s (who answered) got %d", asked[1], reminded(asked[1]), asked[0], reminded(asked[0]))
	}
	for range 6 { // on to the next Monday: four working days
		h.sweep(12 * time.Hour)
	}
	h.expect(learner, "go ahead without them")
	if reminded(asked[1]) != 1 {
		t.Fatalf("%s was reminded %d times", asked[1], reminded(asked[1]))
	}
}
