package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// TestBrowserAdvocate drives the sandbox page: the learner names the
// manager and the advocate in one message ("@mo with @wen as my
// advocate") and notes the support they need; the advocate comments in the
// form and signs from their card; the manager signs. Screenshots of the
// summary, the advocate's card, the comment form and the signed card.
func TestBrowserAdvocate(t *testing.T) {
	requireChromium(t)
	h := newHarness(t, stores["embedded"](t))
	tab := openBrowser(t)
	p := openPage(t, h, tab)

	p.draftToApprover("Shadow Ana's reviews", "Two teammates use the checklist without help")
	p.send("@mo with @wen as my advocate")
	p.expect(learner, "What support will you need")
	p.send(supportNeeded)
	p.click(p.expect(learner, "Any ethical considerations"), conversation.ActionSkip)
	summary := p.expect(learner, "Send to my manager")
	p.wantText(summary, "Wen Advocate")
	p.wantText(summary, supportNeeded)
	p.screenshot("advocate-1-summary", summary)
	p.click(summary, conversation.ActionSend)
	p.expect(learner, "Sent to")

	p.as(advocate)
	card := p.expect(advocate, "named you as their workplace advocate")
	p.screenshot("advocate-2-card", card)
	p.click(card, conversation.ActionAdvocateComment)
	field := chromedp.CSS(`[data-testid="modal-input-` + conversation.FieldComment + `"]`)
	p.do("fill in the comment", chromedp.WaitVisible(field), chromedp.SendKeys(field, advocateNote))
	p.screenshot("advocate-3-comment-form", "")
	p.do("submit the comment",
		chromedp.Click(chromedp.CSS(`[data-testid="modal-submit"]`)),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-testid="modal"]`)))
	p.click(card, conversation.ActionAdvocateSign)
	p.gone(card, conversation.ActionAdvocateSign)
	p.screenshot("advocate-4-signed-card", card)

	p.as(manager)
	approval := p.expect(manager, "would like you to approve")
	p.expect(manager, advocateNote)
	p.click(approval, conversation.ActionApprove)
	p.gone(approval, conversation.ActionApprove)

	p.as(learner)
	p.expect(learner, advocateNote)
	active := p.expect(learner, "It's active now")
	p.screenshot("advocate-5-active", active)
	checkSignedByAll(t, h.contracts(learner)[0], learner, manager, advocate)
	if c := h.contracts(learner)[0]; c.Status != contract.Active {
		t.Fatalf("contract is %s", c.Status)
	}
}
