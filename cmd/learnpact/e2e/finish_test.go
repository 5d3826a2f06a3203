package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// active takes a contract from drafting to active.
func (h *harness) active() {
	h.t.Helper()
	summary := h.draft()
	h.click(learner, summary, string(conversation.ActionSend))
	card := h.expect(manager, "would like you to approve")
	h.click(manager, card, string(conversation.ActionApprove))
	h.expect(learner, "active")
}

// handIn hands in a link, a file shared in the DM and a text, and rates
// the one criterion Met with a note; it returns the approver's card.
func (h *harness) handIn(link string) sandbox.Message {
	h.t.Helper()
	h.say(learner, "submit")
	h.expect(learner, "Evidence 1 of 1")
	h.say(learner, link)
	h.expect(learner, "the link is handed in")
	if err := h.ws.ShareFile(h.ctx(), learner, "review-checklist.pdf", []byte("%PDF-1.4 checklist"), ""); err != nil {
		h.t.Fatal(err)
	}
	h.expect(learner, "“review-checklist.pdf” is handed in")
	h.say(learner, "Ana says our reviews now take 40 minutes")
	more := h.expect(learner, "your text is handed in")
	h.click(learner, more, string(conversation.ActionEvidenceDone))
	rate := h.expect(learner, "Success criterion 1 of 1")
	h.click(learner, rate, string(conversation.ActionRateMet))
	h.expect(learner, "A note on it?")
	h.say(learner, "Bo and Cy ran reviews with it on their own")
	h.expect(learner, "Handed in")
	return h.expect(manager, "Ready for your assessment")
}

// submitForm waits for user's form to open and submits it with values.
func (h *harness) submitForm(user string, values map[string]string) {
	h.t.Helper()
	if err := h.ws.Await(h.ctx(), func() bool { _, ok := h.ws.OpenModal(user); return ok }); err != nil {
		h.t.Fatalf("no form opened for %s", user)
	}
	if err := h.ws.Submit(h.ctx(), user, values); err != nil {
		h.t.Fatal(err)
	}
}

// next returns the first message after those matched in user's DM that
// contains want, without waiting.
func (h *harness) next(user, want string) (sandbox.Message, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	msgs := h.ws.DM(user)
	for i := h.seen[user]; i < len(msgs); i++ {
		if msgs[i].User != user && strings.Contains(textOf(msgs[i]), want) {
			h.seen[user] = i + 1
			return msgs[i], true
		}
	}
	return sandbox.Message{}, false
}

// TestFinishToImpact: an active contract is handed in (a link, a file
// shared in the DM, a text), self-assessed, assessed by the approver with
// a disagreement the learner replies to, reflected on and completed; the
// 30-day impact check-back arrives in the learner's working hours and is
// answered; the approver's next digest tells of it and of no drift.
func TestFinishToImpact(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, open(t))
			h.active()
			h.sweep(3 * 24 * time.Hour)
			card := h.handIn("https://wiki.example.com/design-reviews/write-up")
			if !strings.Contains(textOf(card), "review-checklist.pdf") || !strings.Contains(textOf(card), "Met") {
				t.Errorf("the approver's card lacks the evidence or the learner's rating: %s", textOf(card))
			}
			c := h.contracts(learner)[0]
			if c.Status != contract.Submitted || len(c.Evidence) != 3 || c.Evidence[1].File == nil ||
				c.Evidence[1].File.Name != "review-checklist.pdf" || !strings.Contains(c.Evidence[1].File.Permalink, "/files/"+c.Evidence[1].File.ID+"/") {
				t.Fatalf("handed in: %s, evidence %+v", c.Status, c.Evidence)
			}

			h.click(manager, card, string(conversation.ActionAssess))
			h.submitForm(manager, map[string]string{conversation.FieldRating(1): "partly",
				conversation.FieldRatingNote(1): "Cy still asks you before each review"})
			assessed := h.expect(learner, "Here are your ratings side by side")
			h.click(learner, assessed, string(conversation.ActionReplyAssess))
			h.expect(learner, "Your reply?")
			h.say(learner, "Cy runs Thursday's review alone")
			h.expect(manager, "replied about criterion 1")
			h.expect(learner, "What did you learn?")
			h.say(learner, "Short checklists get used")
			skip := h.expect(learner, "What would you do differently")
			h.click(learner, skip, string(conversation.ActionSkipDifferently))
			h.expect(learner, "What will you change")
			h.say(learner, "Timebox every review")
			h.expect(learner, "is complete")
			h.expect(manager, "Here's the summary")
			c = h.contracts(learner)[0]
			if c.Status != contract.Completed || c.Reflection == nil || c.Reflection.Learned == "" || len(c.Comments) != 1 {
				t.Fatalf("completed: %s %+v", c.Status, c.Reflection)
			}
			if st := h.sweep(7 * 24 * time.Hour); st.Sent > 1 {
				t.Errorf("a week after completion %d items went out, want the digest at most: %+v", st.Sent, st)
			}

			// The 30-day check-back: only in the learner's working hours.
			h.sweep(22 * 24 * time.Hour)
			var prompt sandbox.Message
			for i := 0; i < 24*5; i++ {
				h.sweep(time.Hour)
				if m, ok := h.next(learner, "Has it changed how you work?"); ok {
					prompt = m
					break
				}
			}
			if prompt.TS == "" {
				t.Fatalf("no impact check-back; DM:\n%s", h.dump(learner))
			}
			london, _ := time.LoadLocation("Europe/London")
			local := h.ws.Clock().Now().In(london)
			if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday || local.Hour() < 9 || local.Hour() >= 17 {
				t.Errorf("the check-back arrived at %s in London, outside working hours", local.Format(time.RFC1123))
			}
			if d := local.Sub(c.CompletedAt); d < 30*24*time.Hour || d > 34*24*time.Hour {
				t.Errorf("the check-back came %s after completion", d)
			}
			h.click(learner, prompt, string(conversation.ActionImpactSomewhat))
			h.expect(learner, "An example?")
			h.say(learner, "I timebox reviews and share the checklist up front")
			h.expect(learner, "Thanks!")

			// The approver's weekly digest (Mondays, in their working hours in
			// New York) tells of the answer.
			var digest sandbox.Message
			for i := 0; i < 8*8 && digest.TS == ""; i++ {
				h.sweep(3 * time.Hour)
				digest, _ = h.next(manager, "Since they completed")
			}
			if digest.TS == "" {
				t.Fatalf("no digest told of the completion; DM:\n%s", h.dump(manager))
			}
			if text := textOf(digest); !strings.Contains(text, "Somewhat") || strings.Contains(text, "Drifting") {
				t.Errorf("the digest: %s", text)
			}
			c = h.contracts(learner)[0]
			if len(c.Impacts) != 1 || c.Impacts[0].Day != 30 || c.Impacts[0].Example == "" {
				t.Errorf("impact kept: %+v", c.Impacts)
			}
		})
	}
}

// TestFinishAskForMore: the approver asks for more evidence with a new
// date; the contract is active again with that date, a click on the old
// card is answered, the learner hands in again and it is completed.
func TestFinishAskForMore(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, open(t))
			h.active()
			card := h.handIn("https://wiki.example.com/write-up")
			h.click(manager, card, string(conversation.ActionAskMore))
			h.submitForm(manager, map[string]string{conversation.FieldComment: "A short survey of the teammates",
				conversation.FieldDue: "in 3 weeks"})
			again := h.expect(learner, "would like more evidence")
			c := h.contracts(learner)[0]
			if c.Status != contract.Active || c.Deadline().Equal(c.InForce().Deadline) {
				t.Fatalf("after asking for more: %s, deadline %s", c.Status, c.Deadline())
			}
			if code := h.clickAs(manager, card, string(conversation.ActionAssess)); code != 200 {
				t.Fatalf("a click on the old card answered %d", code)
			}
			if open, ok := h.ws.OpenModal(manager); ok {
				t.Fatalf("the old card opened a form: %+v", open)
			}
			h.click(learner, again, string(conversation.ActionSubmitEvidence))
			skip := h.expect(learner, "Evidence 1 of 1")
			h.click(learner, skip, string(conversation.ActionSkipEvidence))
			h.say(learner, "https://forms.example.com/survey/results")
			h.say(learner, "done")
			h.say(learner, "met")
			h.say(learner, "skip")
			card2 := h.expect(manager, "submission 2")
			h.click(manager, card2, string(conversation.ActionAssess))
			h.submitForm(manager, map[string]string{conversation.FieldRating(1): "met"})
			reflect := h.expect(learner, "Here are your ratings side by side")
			h.click(learner, reflect, string(conversation.ActionReflect))
			for _, q := range []string{"What did you learn?", "What would you do differently", "What will you change"} {
				h.expect(learner, q)
				h.say(learner, "skip")
			}
			h.expect(learner, "is complete")
			c = h.contracts(learner)[0]
			if c.Status != contract.Completed || len(c.Submissions) != 2 || len(c.Evidence) != 4 {
				t.Fatalf("completed: %s, %d submissions, %d evidence", c.Status, len(c.Submissions), len(c.Evidence))
			}
		})
	}
}
