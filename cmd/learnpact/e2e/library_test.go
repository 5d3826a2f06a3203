package e2e

import (
	"strings"
	"testing"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// TestLibraryOverSlackHTTP: over Slack's HTTP protocol, a contract
// completed and shared anonymously is offered to a colleague who drafts on
// a similar topic, without its learner's name, and found by a search; once
// its learner withdraws consent, the search finds nothing.
func TestLibraryOverSlackHTTP(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, open(t))
			h.active()
			card := h.handIn("https://wiki.example.com/design-reviews/write-up")
			h.click(manager, card, string(conversation.ActionAssess))
			h.submitForm(manager, map[string]string{conversation.FieldRating(1): "met"})
			assessed := h.expect(learner, "Reflect and finish")
			h.click(learner, assessed, string(conversation.ActionReflect))
			h.expect(learner, "What did you learn?")
			h.say(learner, "Short checklists get used")
			skip := h.expect(learner, "What would you do differently")
			h.click(learner, skip, string(conversation.ActionSkipDifferently))
			skip = h.expect(learner, "What will you change")
			h.click(learner, skip, string(conversation.ActionSkipChange))
			consent := h.expect(learner, "May colleagues learn from")
			h.click(learner, consent, string(conversation.ActionShareAnonymous))
			if c := h.contracts(learner)[0]; c.Status != contract.Completed || c.Library != contract.Anonymous {
				t.Fatalf("after sharing: %s, %q", c.Status, c.Library)
			}

			h.say(stranger, "new")
			h.expect(stranger, "a title")
			h.say(stranger, "Running better design reviews")
			offer := h.expect(stranger, "Colleagues learned something similar")
			if text := textOf(offer); !strings.Contains(text, "Running design reviews") || strings.Contains(text, learner) || strings.Contains(text, manager) {
				t.Errorf("the offer: %s", text)
			}
			h.expect(stranger, "first goal")
			h.click(stranger, offer, string(conversation.ActionOpenExample))
			whole := h.expect(stranger, "Shared anonymously by a colleague")
			if text := textOf(whole); !strings.Contains(text, "Short checklists get used") || strings.Contains(text, learner) || strings.Contains(text, manager) {
				t.Errorf("the example opened: %s", text)
			}
			h.say(stranger, "examples design review checklist")
			h.expect(stranger, "Examples: design review checklist")

			h.say(learner, "library")
			list := h.expect(learner, "Your contracts in the library")
			h.click(learner, list, string(conversation.ActionShareNone))
			h.expect(learner, "Not shared")
			if c := h.contracts(learner)[0]; c.Library != contract.NotShared {
				t.Fatalf("after withdrawing: %q", c.Library)
			}
			h.say(stranger, "examples design review checklist")
			h.expect(stranger, "No examples about")
		})
	}
}
