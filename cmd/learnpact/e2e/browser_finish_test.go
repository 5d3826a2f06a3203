package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// TestBrowserFinish walks the finish in the sandbox page: the learner
// hands in a link, a file shared with the page's 📎 and a text, and rates
// themselves; the manager assesses in the form, rating differently with a
// comment; the learner reflects and the contract is completed.
func TestBrowserFinish(t *testing.T) {
	requireChromium(t)
	h := newHarness(t, stores["embedded"](t))
	h.active()
	tab := openBrowser(t)
	p := openPage(t, h, tab)

	p.expect(learner, "active")
	p.send("submit")
	p.expect(learner, "Evidence 1 of 1")
	p.send("https://wiki.example.com/design-reviews/write-up")
	p.expect(learner, "the link is handed in")
	file := filepath.Join(t.TempDir(), "review-checklist.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4 the checklist"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.do("share a file in the DM", chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="attach"]`), []string{file}, chromedp.NodeReady))
	shared := p.expect(learner, "“review-checklist.pdf” is handed in")
	p.screenshot("finish-01-file-shared", shared)
	p.send("Ana says our reviews now take 40 minutes")
	p.click(p.expect(learner, "your text is handed in"), conversation.ActionEvidenceDone)
	p.click(p.expect(learner, "Success criterion 1 of 1"), conversation.ActionRateMet)
	p.expect(learner, "A note on it?")
	p.send("Bo and Cy ran reviews with it on their own")
	p.screenshot("finish-02-handed-in", p.expect(learner, "Handed in"))

	p.as(manager)
	card := p.expect(manager, "Ready for your assessment")
	p.wantText(card, "review-checklist.pdf")
	p.screenshot("finish-03-assessment-card", card)
	p.click(card, conversation.ActionAssess)
	partly := chromedp.CSS(`[data-testid="modal-option-` + conversation.FieldRating(1) + `"][value="partly"]`)
	note := chromedp.CSS(`[data-testid="modal-input-` + conversation.FieldRatingNote(1) + `"]`)
	p.do("rate in the form", chromedp.WaitVisible(partly), chromedp.Click(partly), chromedp.SendKeys(note, "Cy still asks you before each review"))
	p.screenshot("finish-04-assessment-form", "")
	p.do("submit the form",
		chromedp.Click(chromedp.CSS(`[data-testid="modal-submit"]`)),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-testid="modal"]`)))
	p.gone(card, conversation.ActionAssess)

	p.as(learner)
	assessed := p.expect(learner, "side by side")
	p.screenshot("finish-05-assessed", assessed)
	p.click(assessed, conversation.ActionReflect)
	p.expect(learner, "What did you learn?")
	p.send("Short checklists get used")
	p.expect(learner, "What would you do differently")
	p.send("skip")
	p.expect(learner, "What will you change")
	p.send("Timebox every review")
	p.screenshot("finish-06-completed", p.expect(learner, "is complete"))

	c := h.contracts(learner)[0]
	if c.Status != contract.Completed || len(c.Evidence) != 3 || c.Evidence[1].File == nil {
		t.Fatalf("after the page's flow: %s, evidence %+v", c.Status, c.Evidence)
	}
	if a, ok := c.Rated(manager, 1, 1); !ok || a.Rating != contract.Partly || a.Note == "" {
		t.Errorf("the manager's rating: %+v", a)
	}
}
