package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// TestBrowserTemplateForm drafts from a template on the sandbox page: the
// learner starts from a template, picks it in the menu, ticks a goal, an
// activity and a piece of evidence in the form, adds an activity of their
// own and submits it; the draft holds them and the template's criteria.
func TestBrowserTemplateForm(t *testing.T) {
	requireChromium(t)
	h := newHarness(t, stores["embedded"](t))
	h.templates = shippedTemplates(t)
	h.stopBot()
	h.startBot()
	tab := openBrowser(t)
	p := openPage(t, h, tab)

	p.send("new")
	p.click(p.expect(learner, "Start from a template, or start blank?"), conversation.ActionFromTemplate)
	pick := p.expect(learner, "Which template?")
	p.waitFor("the page to settle", `() => performance.now() - window.lastChange > 100`)
	p.do("pick the presenting template", chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.querySelector('[data-testid="message"][data-ts=`+jsString(pick)+`] [data-testid="select-`+string(conversation.ActionPickTemplate)+`"]');
		s.value = "presenting";
		s.dispatchEvent(new Event("change"));
	})()`))
	tick := func(field string, n string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS(`#modal-input-` + field + `-` + n))
	}
	own := chromedp.CSS(`[data-testid="modal-input-` + conversation.FieldOwnActivities + `"]`)
	p.do("fill in the template's form",
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="modal"]`)),
		tick(contract.FieldGoals, "0"), tick(contract.FieldActivities, "1"), tick(contract.FieldEvidence, "0"),
		chromedp.SendKeys(own, "Present at the all-hands"))
	p.screenshot("template-01-form", "")
	p.do("submit the form",
		chromedp.Click(chromedp.CSS(`[data-testid="modal-submit"]`)),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-testid="modal"]`)))
	deadline := p.expect(learner, "Your draft is filled in from Present with confidence")
	p.screenshot("template-02-filled-in", deadline)

	c := h.contracts(learner)[0]
	tm := c.Terms
	if c.Template != "presenting@1" || len(tm.Goals) != 1 || len(tm.Evidence) != 1 || len(tm.FixedCriteria()) != 2 ||
		len(tm.Activities) != 2 || tm.Activities[1] != "Present at the all-hands" {
		t.Errorf("the draft from the page's form: template %q, terms %+v", c.Template, tm)
	}
}
