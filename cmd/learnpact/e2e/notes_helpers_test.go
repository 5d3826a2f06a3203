package e2e

import "github.com/learnpact/learnpact/conversation"

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
