package e2e

import (
	"slices"
	"testing"

	"github.com/learnpact/learnpact/bot/teams/connectortest"
	"github.com/learnpact/learnpact/conversation"
)

// fromTemplate takes user (over Teams) from installing the app through the
// menu of templates and the form of the one with id, filled in with form,
// to the deadline the template suggests, and returns that question.
func (h *teamsHarness) fromTemplate(user, id string, form map[string]string) connectortest.Activity {
	h.t.Helper()
	h.install(user)
	start := h.expect(user, "Start from a template, or start blank?")
	h.click(user, start, string(conversation.ActionFromTemplate), nil)
	pick := h.expect(user, "Which template?")
	h.click(user, pick, string(conversation.ActionPickTemplate), map[string]string{"lp_select_" + string(conversation.ActionPickTemplate): id})
	card := h.expect(user, "Success criteria: the template's standard")
	h.click(user, card, "lp_submit", form)
	return h.expect(user, "Your draft is filled in from")
}

// keepTemplateDefaults keeps the deadline and the check-ins the template
// suggests, up to the approver's step.
func (h *teamsHarness) keepTemplateDefaults(user string, deadline connectortest.Activity) {
	h.t.Helper()
	h.click(user, deadline, string(conversation.ActionKeep), nil)
	cadence := h.expect(user, "How often should we check in?")
	h.click(user, cadence, string(conversation.ActionKeep), nil)
	h.expect(user, "Who will approve")
}

// signAll has each of signers approve and sign the proposal waiting for
// them, then waits until the learner hears the contract is active.
func (h *teamsHarness) signAll(learner string, signers ...string) {
	h.t.Helper()
	for _, s := range signers {
		card := h.expect(s, "Still to sign")
		sign := conversation.ActionApprove
		if slices.Contains(teamsActions(card), string(conversation.ActionAdvocateSign)) {
			sign = conversation.ActionAdvocateSign
		}
		h.click(s, card, string(sign), nil)
	}
	h.expect(learner, "It's active now")
}

// TestTeamsDraftFromTemplate: over Teams, a learner drafts from a template
// (menus picked, one activity added), the template's criteria are kept,
// names the approver and a workplace advocate in one message, and all
// three sign.
func TestTeamsDraftFromTemplate(t *testing.T) {
	h := newTeamsHarness(t)
	h.templates = shippedTemplates(t)
	h.startBot()

	deadline := h.fromTemplate(teamsLearner, "presenting", presentingForm)
	h.keepTemplateDefaults(teamsLearner, deadline)
	h.sayMentions(teamsLearner, "%s with %s as my advocate", teamsManager, teamsAdvocate)
	h.click(teamsLearner, h.expect(teamsLearner, "What support will you need"), string(conversation.ActionSkip), nil)
	h.click(teamsLearner, h.expect(teamsLearner, "Any ethical considerations"), string(conversation.ActionSkip), nil)
	summary := h.expect(teamsLearner, "From template **Present with confidence** (presenting@1)")
	h.click(teamsLearner, summary, string(conversation.ActionSend), nil)
	h.expect(teamsLearner, "Sent to")
	h.signAll(teamsLearner, teamsManager, teamsAdvocate)

	checkFromTemplate(t, h.contracts(teamsLearner))
	checkAllSigned(t, h.contracts(teamsLearner)[0], teamsLearner, teamsManager, teamsAdvocate)
}
