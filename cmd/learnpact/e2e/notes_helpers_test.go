package e2e

import (
	"fmt"

	"github.com/learnpact/learnpact/conversation"
)

// notePrompts are the drafting steps after the approver, in order: the
// workplace advocate, support needed, ethical considerations.
var notePrompts = []string{"workplace advocate", "What support will you need", "Any ethical considerations"}

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
