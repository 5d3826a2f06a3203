package e2e

import (
	"strings"
	"testing"

	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// complete takes a contract to completion with its criterion met, and
// returns the card asking whether colleagues may see it.
func (h *harness) complete() sandbox.Message {
	h.t.Helper()
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
	return h.expect(learner, "May colleagues learn from")
}

// TestLibraryOverSlackHTTP: over Slack's HTTP protocol, a contract
// completed and shared anonymously is offered to a colleague who drafts on
// a similar topic, without its learner's name, and found by a search; once
// its learner withdraws consent, the search finds nothing.
func TestLibraryOverSlackHTTP(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, open(t))
			consent := h.complete()
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

// TestTeamsLibrary: the same over /api/messages: the consent card at
// completion, the examples offered to a colleague drafting, opened,
// searched, and gone once withdrawn.
func TestTeamsLibrary(t *testing.T) {
	h := newTeamsHarness(t)
	h.signed()
	h.say(teamsLearner, "submit")
	h.expect(teamsLearner, "Evidence 1 of 1")
	h.say(teamsLearner, "https://contoso.sharepoint.com/sites/eng/reviews")
	more := h.expect(teamsLearner, "the link is handed in")
	h.click(teamsLearner, more, string(conversation.ActionEvidenceDone), nil)
	rate := h.expect(teamsLearner, "Success criterion 1 of 1")
	h.click(teamsLearner, rate, string(conversation.ActionRateMet), nil)
	h.expect(teamsLearner, "A note on it?")
	h.say(teamsLearner, "skip")
	assess := h.expect(teamsManager, "Ready for your assessment")
	h.click(teamsManager, assess, string(conversation.ActionAssess), nil)
	form := h.expect(teamsManager, "Assess the work")
	h.click(teamsManager, form, "lp_submit", map[string]string{conversation.FieldRating(1): "met"})
	assessed := h.expect(teamsLearner, "Reflect and finish")
	h.click(teamsLearner, assessed, string(conversation.ActionReflect), nil)
	h.expect(teamsLearner, "What did you learn?")
	h.say(teamsLearner, "Short checklists get used")
	h.expect(teamsLearner, "What would you do differently")
	h.say(teamsLearner, "skip")
	h.expect(teamsLearner, "What will you change")
	h.say(teamsLearner, "skip")
	consent := h.expect(teamsLearner, "May colleagues learn from")
	h.click(teamsLearner, consent, string(conversation.ActionShareAnonymous), nil)
	h.expectUpdate(teamsLearner, "anonymously: no names")

	h.say(teamsStranger, "new")
	h.expect(teamsStranger, "a title")
	h.say(teamsStranger, "Running better design reviews")
	offer := h.expect(teamsStranger, "Colleagues learned something similar")
	if text := teamsText(offer); !strings.Contains(text, "Running design reviews") || strings.Contains(text, "lee") || strings.Contains(text, "Lee") {
		t.Errorf("the offer: %s", text)
	}
	h.click(teamsStranger, offer, string(conversation.ActionOpenExample), nil)
	whole := h.expect(teamsStranger, "Shared anonymously by a colleague")
	if text := teamsText(whole); !strings.Contains(text, "Short checklists get used") || strings.Contains(text, "Lee") || strings.Contains(text, "Mo Manager") {
		t.Errorf("the example opened: %s", text)
	}
	h.say(teamsStranger, "examples design review")
	h.expect(teamsStranger, "Examples: design review")

	h.say(teamsLearner, "library")
	list := h.expect(teamsLearner, "Your contracts in the library")
	h.click(teamsLearner, list, string(conversation.ActionShareNone), nil)
	h.expect(teamsLearner, "Not shared")
	h.say(teamsStranger, "examples design review")
	h.expect(teamsStranger, "No examples about")
}
