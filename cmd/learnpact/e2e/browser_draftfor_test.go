package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// TestBrowserDraftFor drives the sandbox page: the manager types
// "/contract draft-for @ada" in the composer (the sandbox sends the
// mention escaped, as Slack does for /contract), drafts and sends it; the
// learner, who saw nothing until then, gets the card, counters with a
// later deadline, and the manager signs the counter.
func TestBrowserDraftFor(t *testing.T) {
	requireChromium(t)
	h := newHarness(t, stores["embedded"](t))
	tab := openBrowser(t)
	p := openPage(t, h, tab)

	p.switchTo(manager) // no messages yet: as would wait for some
	p.send("/contract draft-for @ada")
	p.expect(manager, "Let's draft a learning contract for")
	p.send("Running design reviews")
	p.expect(manager, "first goal")
	p.send("Run three design reviews using a checklist the team adopts")
	p.click(p.expect(manager, "mastered"), conversation.ActionSkip)
	p.click(p.expect(manager, "Your goals so far"), conversation.ActionGoalsDone)
	p.expect(manager, "How will they learn it?")
	p.send("Shadow Ana's reviews")
	p.expect(manager, "What evidence")
	p.send("A write-up of three reviews")
	p.expect(manager, "How should their evidence be judged")
	p.send("Two teammates use the checklist without help")
	p.expect(manager, "By when?")
	p.send("in 8 weeks")
	p.click(p.expect(manager, "How often should we check in?"), conversation.ActionWeekly)
	summary := p.expect(manager, "Send to the learner")
	p.wantText(summary, "Approver")
	p.screenshot("draft-for-1-drafter-summary", summary)
	p.click(summary, conversation.ActionSend)
	p.expect(manager, "Sent to")

	p.as(learner)
	card := p.expect(learner, "drafted a learning contract for you")
	p.screenshot("draft-for-2-learner-card", card)
	p.click(card, conversation.ActionCounter)
	p.gone(card, conversation.ActionCounter)
	p.expect(learner, "Send to my manager")
	p.send("edit deadline")
	p.expect(learner, "By when?")
	p.send("in 10 weeks")
	p.click(p.expect(learner, "Send to my manager"), conversation.ActionSend)

	p.as(manager)
	counter := p.expect(manager, "What changed since version 1")
	p.screenshot("draft-for-3-counter-diff", counter)
	p.click(counter, conversation.ActionApprove)
	p.gone(counter, conversation.ActionApprove)

	p.as(learner)
	active := p.expect(learner, "active")
	p.screenshot("draft-for-4-active", active)
	c := h.contracts(learner)[0]
	if c.Status != contract.Active || c.Signed != 2 || !c.SignedBy(learner, 2) || !c.SignedBy(manager, 2) || c.DraftedBy != manager {
		t.Fatalf("contract is %s, signed v%d, signatures %+v, drafted by %q", c.Status, c.Signed, c.Signatures, c.DraftedBy)
	}
}

// switchTo switches the page to user, who may have no messages yet.
func (p *browserPage) switchTo(user string) {
	p.t.Helper()
	p.do("switch to "+user, chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.querySelector('[data-testid="person-switcher"]');
		s.value = `+jsString(user)+`;
		s.dispatchEvent(new Event("change"));
	})()`))
	p.me = user
	p.waitFor(user+"'s page", `(dm) => [...document.querySelectorAll('[data-testid="message"]')].every(m => m.dataset.channel === dm)`,
		p.h.ws.DMChannel(user))
}
