package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/template"
)

// shippedTemplates are the templates that ship with learnpact.
func shippedTemplates(t *testing.T) *template.Library {
	t.Helper()
	lib, err := template.Load(template.Examples())
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// presentingForm is the presenting template's form as a learner fills it
// in: a goal, an activity and a resource from the menus, an activity of
// their own, and two pieces of evidence.
var presentingForm = map[string]string{
	contract.FieldTitle:             "Present the Q3 update",
	contract.FieldGoals:             "g1",
	contract.FieldActivities:        "a2",
	conversation.FieldResources:     "r1",
	conversation.FieldOwnActivities: "Present at the all-hands",
	contract.FieldEvidence:          "e1,e3",
	conversation.FieldOwnCriteria:   "The slides fit on five pages",
	conversation.FieldOwnGoals:      "",
	conversation.FieldOwnEvidence:   "",
}

// presentingCriteria are the presenting template's criteria: the standard
// every contract from it keeps.
var presentingCriteria = []string{"The update ends on time with a clear ask", "Attendees can say what was asked of them"}

// fromTemplate takes user (on the sandbox, over Slack HTTP) from "new"
// through the menu of templates and the form of the one titled title,
// filled in with form, to the deadline the template suggests, and returns
// that question. The draft then goes on as any other:
// keepTemplateDefaults, the approver, sending.
func (h *harness) fromTemplate(user, title string, form map[string]string) sandbox.Message {
	h.t.Helper()
	h.say(user, "new")
	start := h.expect(user, "Start from a template, or start blank?")
	h.click(user, start, string(conversation.ActionFromTemplate))
	pick := h.expect(user, "Which template?")
	id := ""
	for _, tp := range h.templates.All() {
		if tp.Title == title {
			id = tp.ID
		}
	}
	if err := h.ws.Select(h.ctx(), user, pick.Ref(), string(conversation.ActionPickTemplate), id); err != nil {
		h.t.Fatalf("%s picks %q: %v", user, title, err)
	}
	if err := h.ws.Await(h.ctx(), func() bool { _, ok := h.ws.OpenModal(user); return ok }); err != nil {
		h.t.Fatalf("the template's form never opened: %v\n%s", err, h.dump(user))
	}
	if err := h.ws.Submit(h.ctx(), user, form); err != nil {
		h.t.Fatalf("%s submits the template's form: %v", user, err)
	}
	return h.expect(user, "Your draft is filled in from "+title)
}

// keepTemplateDefaults keeps the deadline and the check-ins the template
// suggests (deadline is the question fromTemplate returned), up to the
// approver's step.
func (h *harness) keepTemplateDefaults(user string, deadline sandbox.Message) {
	h.t.Helper()
	h.click(user, deadline, string(conversation.ActionKeep))
	cadence := h.expect(user, "How often should we check in?")
	h.click(user, cadence, string(conversation.ActionKeep))
	h.expect(user, "Who will approve")
}

// signAll has each of signers approve and sign the proposal waiting for
// them (an approver's card, or an advocate's), then waits until the
// learner hears the contract is active.
func (h *harness) signAll(learner string, signers ...string) {
	h.t.Helper()
	for _, s := range signers {
		card := h.expectButton(s, string(conversation.ActionApprove), string(conversation.ActionAdvocateSign))
		sign := conversation.ActionApprove
		if containsPrefix(actionIDs(card), string(conversation.ActionAdvocateSign)) {
			sign = conversation.ActionAdvocateSign
		}
		h.click(s, card, string(sign))
	}
	h.expect(learner, "It's active now")
}

// TestDraftFromTemplateEndToEnd: over Slack HTTP against the sandbox, a
// learner drafts from a template (menus picked, one activity added), the
// template's criteria are kept, names the approver and a workplace
// advocate in one message, and all three sign. The signed version holds
// what was picked and the template's criteria, marked fixed.
func TestDraftFromTemplateEndToEnd(t *testing.T) {
	h := newHarness(t, stores["redis"](t))
	h.templates = shippedTemplates(t)
	h.stopBot()
	h.startBot()

	deadline := h.fromTemplate(learner, "Present with confidence", presentingForm)
	h.keepTemplateDefaults(learner, deadline)
	h.say(learner, "<@"+manager+"> with <@"+advocate+"> as my advocate")
	h.click(learner, h.expect(learner, "What support will you need"), string(conversation.ActionSkip))
	h.click(learner, h.expect(learner, "Any ethical considerations"), string(conversation.ActionSkip))
	summary := h.expect(learner, "From template *Present with confidence* (presenting@1)")
	h.click(learner, summary, string(conversation.ActionSend))
	h.expect(learner, "Sent to")
	h.signAll(learner, manager, advocate)

	checkFromTemplate(t, h.contracts(learner))
	checkAllSigned(t, h.contracts(learner)[0], learner, manager, advocate)
}

// checkAllSigned checks that c names advocate and that learner, approver
// and advocate signed the version in force.
func checkAllSigned(t *testing.T, c *contract.Contract, learner, approver, advocate string) {
	t.Helper()
	if c.Approver != approver || c.Advocate != advocate {
		t.Errorf("approver %q advocate %q", c.Approver, c.Advocate)
	}
	for _, u := range []string{learner, approver, advocate} {
		if !c.SignedBy(u, c.Signed) {
			t.Errorf("%s has not signed version %d", u, c.Signed)
		}
	}
}

// checkFromTemplate checks the one contract of cs: active, from the
// presenting template, with what presentingForm picked and the template's
// criteria in the signed version.
func checkFromTemplate(t *testing.T, cs []*contract.Contract) {
	t.Helper()
	if len(cs) != 1 {
		t.Fatalf("%d contracts, want 1", len(cs))
	}
	c := cs[0]
	if c.Status != contract.Active || c.Template != "presenting@1" {
		t.Fatalf("contract %s from %q, want active from presenting@1", c.Status, c.Template)
	}
	r, ok := c.Revision(c.Signed)
	if !ok {
		t.Fatalf("no signed version %d", c.Signed)
	}
	tm := r.Terms
	if got := tm.FixedCriteria(); !slices.Equal(got, presentingCriteria) {
		t.Errorf("the signed version's template criteria = %q, want %q", got, presentingCriteria)
	}
	if n := len(tm.Criteria); n != 3 || tm.Criteria[2].Text != "The slides fit on five pages" || tm.Criteria[2].Fixed {
		t.Errorf("criteria = %+v", tm.Criteria)
	}
	want := []string{"Rehearse with a colleague and ask for one change", "Book: Resonate, by Nancy Duarte", "Present at the all-hands"}
	if !slices.Equal(tm.Activities, want) {
		t.Errorf("activities = %q, want %q", tm.Activities, want)
	}
	if len(tm.Goals) != 1 || tm.Goals[0].Text != "Give a clear ten-minute update to the leadership team" || len(tm.Evidence) != 2 {
		t.Errorf("goals %+v, evidence %q", tm.Goals, tm.Evidence)
	}
	if tm.Title != "Present the Q3 update" || tm.Cadence != contract.Weekly {
		t.Errorf("title %q, cadence %s", tm.Title, tm.Cadence)
	}
}

// expectButton waits for the next bot message in user's DM with a button
// whose action id starts with one of ids, and returns it.
func (h *harness) expectButton(user string, ids ...string) sandbox.Message {
	h.t.Helper()
	var found sandbox.Message
	err := h.ws.Await(h.ctx(), func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		msgs := h.ws.DM(user)
		for i := h.seen[user]; i < len(msgs); i++ {
			if msgs[i].User != user && slices.ContainsFunc(ids, func(id string) bool { return containsPrefix(actionIDs(msgs[i]), id) }) {
				found = msgs[i]
				h.seen[user] = i + 1
				return true
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("%s never got a message with a %s button; DM:\n%s", user, strings.Join(ids, " or "), h.dump(user))
	}
	return found
}
