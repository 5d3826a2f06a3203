package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/teams/connectortest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// shareFile sends a file to the bot in user's personal chat, as Teams
// delivers one (supportsFiles): an attachment naming the file in the
// sender's OneDrive, with a short-lived download URL the bot must not keep.
func (h *teamsHarness) shareFile(user, name string) {
	h.t.Helper()
	act := h.activity("message", user)
	act["attachments"] = []any{map[string]any{
		"contentType": "application/vnd.microsoft.teams.file.download.info", "name": name,
		"contentUrl": "https://contoso-my.sharepoint.com/personal/lee/Documents/" + name,
		"content":    map[string]any{"downloadUrl": "https://contoso-my.sharepoint.com/download.aspx?tempauth=SECRET", "uniqueId": "A1B2C3", "fileType": "pdf"},
	}}
	h.mustDeliver(act)
}

// TestTeamsFinishToImpact: the whole finish over /api/messages: hand in a
// link, a file and a text, rate yourself, the approver assesses on the
// form card with a disagreement the learner replies to, reflection,
// completion, the 30-day check-back in the learner's working hours
// (Berlin), and the approver's digest.
func TestTeamsFinishToImpact(t *testing.T) {
	h := newTeamsHarness(t)
	h.signed()
	h.sweep(2 * 24 * time.Hour)

	h.say(teamsLearner, "submit")
	h.expect(teamsLearner, "Evidence 1 of 1")
	h.say(teamsLearner, "https://contoso.sharepoint.com/sites/eng/reviews")
	h.expect(teamsLearner, "the link is handed in")
	h.shareFile(teamsLearner, "review-checklist.pdf")
	h.expect(teamsLearner, "“review-checklist.pdf” is handed in")
	h.say(teamsLearner, "Ana says our reviews now take 40 minutes")
	more := h.expect(teamsLearner, "your text is handed in")
	h.click(teamsLearner, more, string(conversation.ActionEvidenceDone), nil)
	rate := h.expect(teamsLearner, "Success criterion 1 of 1")
	h.click(teamsLearner, rate, string(conversation.ActionRateMet), nil)
	h.expect(teamsLearner, "A note on it?")
	h.say(teamsLearner, "Bo and Cy ran reviews with it on their own")
	h.expect(teamsLearner, "Handed in")
	assess := h.expect(teamsManager, "Ready for your assessment")
	c := h.contracts(teamsLearner)[0]
	if f := c.Evidence[1].File; c.Status != contract.Submitted || f == nil || f.ID != "A1B2C3" || strings.Contains(f.Permalink, "tempauth") {
		t.Fatalf("handed in: %s, file %+v", c.Status, f)
	}

	h.click(teamsManager, assess, string(conversation.ActionAssess), nil)
	form := h.expect(teamsManager, "Assess the work")
	h.click(teamsManager, form, "lp_submit", map[string]string{conversation.FieldRating(1): "partly",
		conversation.FieldRatingNote(1): "Cy still asks you before each review"})
	assessed := h.expect(teamsLearner, "Here are your ratings side by side")
	h.click(teamsLearner, assessed, string(conversation.ActionReplyAssess), nil)
	h.expect(teamsLearner, "Your reply?")
	h.say(teamsLearner, "Cy runs Thursday's review alone")
	h.expect(teamsManager, "replied about criterion 1")
	h.expect(teamsLearner, "What did you learn?")
	h.say(teamsLearner, "Short checklists get used")
	h.expect(teamsLearner, "What would you do differently")
	h.say(teamsLearner, "skip")
	h.expect(teamsLearner, "What will you change")
	h.say(teamsLearner, "Timebox every review")
	h.expect(teamsLearner, "is complete")
	h.expect(teamsManager, "Here's the summary")
	c = h.contracts(teamsLearner)[0]
	if c.Status != contract.Completed {
		t.Fatalf("status %s", c.Status)
	}

	h.sweep(29 * 24 * time.Hour)
	var prompt connectortest.Activity
	for i := 0; i < 24*5 && prompt.ID == ""; i++ {
		h.sweep(time.Hour)
		for _, a := range h.fake.Activities() {
			if strings.Contains(teamsText(a), "Has it changed how you work?") && strings.HasPrefix(a.Conversation, h.chat(teamsLearner)) {
				prompt = a
			}
		}
	}
	if prompt.ID == "" {
		t.Fatalf("no impact check-back; chat:\n%s", h.dump(teamsLearner))
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	local := h.clock.Now().In(berlin)
	if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday || local.Hour() < 9 || local.Hour() >= 17 {
		t.Errorf("the check-back arrived at %s in Berlin, outside working hours", local.Format(time.RFC1123))
	}
	h.click(teamsLearner, prompt, string(conversation.ActionImpactALot), nil)
	h.expect(teamsLearner, "An example?")
	h.say(teamsLearner, "I timebox reviews now")
	h.expect(teamsLearner, "Thanks!")

	// The approver's weekly digest, on Monday in their working hours.
	for i := 0; i < 8*8; i++ {
		h.sweep(3 * time.Hour)
	}
	digest := h.expect(teamsManager, "Since they completed")
	if text := teamsText(digest); !strings.Contains(text, "Yes, a lot") || strings.Contains(text, "Drifting") {
		t.Errorf("the digest: %s", text)
	}
}

// TestTeamsFinishAskForMore: over /api/messages, the approver asks for
// more evidence on the form card (a date in the past first, which the form
// answers); the contract is active with the new date, the old card's
// Assess is answered, the learner hands in again and it is completed.
func TestTeamsFinishAskForMore(t *testing.T) {
	h := newTeamsHarness(t)
	h.signed()

	h.say(teamsLearner, "submit")
	h.expect(teamsLearner, "Evidence 1 of 1")
	h.say(teamsLearner, "A write-up on the team wiki")
	h.say(teamsLearner, "done")
	h.say(teamsLearner, "partly")
	h.say(teamsLearner, "skip")
	assess := h.expect(teamsManager, "Ready for your assessment")

	h.click(teamsManager, assess, string(conversation.ActionAskMore), nil)
	form := h.expect(teamsManager, "Ask for more evidence")
	h.click(teamsManager, form, "lp_submit", map[string]string{conversation.FieldComment: "A short survey", conversation.FieldDue: "yesterday"})
	h.expect(teamsManager, "already past")
	if c := h.contracts(teamsLearner)[0]; c.Status != contract.Submitted {
		t.Fatalf("a refused form changed the contract to %s", c.Status)
	}
	h.click(teamsManager, form, "lp_submit", map[string]string{conversation.FieldComment: "A short survey", conversation.FieldDue: "in 3 weeks"})
	again := h.expect(teamsLearner, "would like more evidence")
	c := h.contracts(teamsLearner)[0]
	if c.Status != contract.Active || c.Deadline().Equal(c.InForce().Deadline) {
		t.Fatalf("after asking for more: %s, deadline %s", c.Status, c.Deadline())
	}
	h.click(teamsManager, assess, string(conversation.ActionAssess), nil)
	h.expect(teamsManager, "This card was for submission 1")

	h.click(teamsLearner, again, string(conversation.ActionSubmitEvidence), nil)
	h.expect(teamsLearner, "Evidence 1 of 1")
	h.say(teamsLearner, "https://forms.office.com/r/survey-results")
	h.say(teamsLearner, "done")
	h.say(teamsLearner, "met")
	h.say(teamsLearner, "skip")
	card2 := h.expect(teamsManager, "submission 2")
	h.click(teamsManager, card2, string(conversation.ActionAssess), nil)
	form2 := h.expect(teamsManager, "Assess the work")
	h.click(teamsManager, form2, "lp_submit", map[string]string{conversation.FieldRating(1): "met"})
	reflect := h.expect(teamsLearner, "Here are your ratings side by side")
	h.click(teamsLearner, reflect, string(conversation.ActionReflect), nil)
	for _, q := range []string{"What did you learn?", "What would you do differently", "What will you change"} {
		h.expect(teamsLearner, q)
		h.say(teamsLearner, "skip")
	}
	h.expect(teamsLearner, "is complete")
	if c := h.contracts(teamsLearner)[0]; c.Status != contract.Completed || len(c.Submissions) != 2 {
		t.Fatalf("completed: %s with %d submissions", c.Status, len(c.Submissions))
	}
}
