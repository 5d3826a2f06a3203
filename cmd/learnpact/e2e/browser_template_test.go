package e2e

import (
	"fmt"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/chromedp/chromedp"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/template"
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

	p.pickTemplate("presenting")
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

// TestBrowserTemplateLongMenu: a template menu of more than ten items is a
// multi-select menu on Slack; the sandbox page shows it as check boxes and
// sends what was ticked, past the tenth item too.
func TestBrowserTemplateLongMenu(t *testing.T) {
	requireChromium(t)
	long := "id: long\nversion: 1\ntitle: A long menu\ngoals: [{text: Lead a retro}]\ncriteria: [The team agrees on one change]\nevidence: [Notes of the retro]\nactivities:\n"
	for i := range template.MaxMenu {
		long += fmt.Sprintf("  - Activity %d\n", i+1)
	}
	lib, err := template.Load(fstest.MapFS{"long.yaml": {Data: []byte(long)}})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, stores["embedded"](t))
	h.templates = lib
	h.stopBot()
	h.startBot()
	tab := openBrowser(t)
	p := openPage(t, h, tab)

	p.pickTemplate("long")
	p.do("tick the first goal, activities 2 and 25, and the evidence",
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="modal"]`)),
		chromedp.Click(chromedp.CSS(`#modal-input-`+contract.FieldGoals+`-0`)),
		chromedp.Click(chromedp.CSS(`#modal-input-`+contract.FieldActivities+`-1`)),
		chromedp.Click(chromedp.CSS(`#modal-input-`+contract.FieldActivities+`-24`)),
		chromedp.Click(chromedp.CSS(`#modal-input-`+contract.FieldEvidence+`-0`)))
	if n := p.count(`[data-testid="modal-option-` + contract.FieldActivities + `"]`); n != template.MaxMenu {
		t.Errorf("the page shows %d activities to tick, want %d", n, template.MaxMenu)
	}
	p.do("submit the form",
		chromedp.Click(chromedp.CSS(`[data-testid="modal-submit"]`)),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-testid="modal"]`)))
	p.expect(learner, "Your draft is filled in from A long menu")
	if got := h.contracts(learner)[0].Terms.Activities; !slices.Equal(got, []string{"Activity 2", "Activity 25"}) {
		t.Errorf("activities = %q, want Activity 2 and Activity 25", got)
	}
}

// pickTemplate starts a draft from the template id through the page: New,
// From a template, then the template in the menu.
func (p *browserPage) pickTemplate(id string) {
	p.t.Helper()
	p.send("new")
	p.click(p.expect(learner, "Start from a template, or start blank?"), conversation.ActionFromTemplate)
	pick := p.expect(learner, "Which template?")
	p.waitFor("the page to settle", `() => performance.now() - window.lastChange > 100`)
	p.do("pick the "+id+" template", chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.querySelector('[data-testid="message"][data-ts=`+jsString(pick)+`] [data-testid="select-`+string(conversation.ActionPickTemplate)+`"]');
		s.value = `+jsString(id)+`;
		s.dispatchEvent(new Event("change"));
	})()`))
}
