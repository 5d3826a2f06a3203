package e2e

import (
	"fmt"

	"github.com/learnpact/learnpact/conversation"
)

// notePrompts are the drafting steps after the approver, in order: the
// workplace advocate, support needed, ethical considerations.
var notePrompts = []string{"workplace advocate", "What support will you need", "Any ethical considerations"}

// draftToApprover has the learner draft "Running design reviews" blank
// through the page, with the activities and criterion given, up to the
// question of who will approve it.
func (p *browserPage) draftToApprover(activities, criterion string) {
	p.t.Helper()
	p.send("new")
	p.expect(learner, "a title")
	p.send("Running design reviews")
	p.expect(learner, "first goal")
	p.send("Run three design reviews using a checklist the team adopts")
	p.click(p.expect(learner, "mastered"), conversation.ActionSkip)
	p.click(p.expect(learner, "Your goals so far"), conversation.ActionGoalsDone)
	p.expect(learner, "How will you learn it?")
	p.send(activities)
	p.expect(learner, "What evidence")
	p.send("A write-up of three reviews")
	p.expect(learner, "How should your evidence be judged")
	p.send(criterion)
	p.expect(learner, "By when?")
	p.send("in 8 weeks")
	p.click(p.expect(learner, "How often should we check in?"), conversation.ActionWeekly)
	p.expect(learner, "Who will approve")
}

// skipNotes skips the steps after the approver.
func (h *harness) skipNotes(user string) {
	h.t.Helper()
	for _, q := range notePrompts {
		h.click(user, h.expect(user, q), string(conversation.ActionSkip))
	}
}

// skipNotes skips the steps after the approver.
func (h *teamsHarness) skipNotes(user string) {
	h.t.Helper()
	for _, q := range notePrompts {
		h.click(user, h.expect(user, q), string(conversation.ActionSkip), nil)
	}
}

// skipNotes skips the steps after the approver.
func (p *browserPage) skipNotes(user string) {
	for _, q := range notePrompts {
		p.click(p.expect(user, q), conversation.ActionSkip)
	}
}

// sayMentions sends text with an @mention of each of who in place of the
// %s in format, in order.
func (h *teamsHarness) sayMentions(user, format string, who ...string) {
	h.t.Helper()
	var (
		args     []any
		entities []any
	)
	for _, u := range who {
		at := "<at>" + teamsNames[u] + "</at>"
		args = append(args, at)
		entities = append(entities, map[string]any{"type": "mention", "text": at, "mentioned": map[string]any{"id": u, "name": teamsNames[u]}})
	}
	act := h.activity("message", user)
	act["text"] = fmt.Sprintf(format, args...)
	act["entities"] = entities
	h.mustDeliver(act)
}
