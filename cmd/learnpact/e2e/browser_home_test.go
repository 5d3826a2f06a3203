package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/learnpact/learnpact/conversation"
)

// TestBrowserHome opens the Home tab in the sandbox page, as the learner
// and as the manager, after each step of a negotiation: the draft, sending
// it, the manager asking for changes, the learner revising and sending it
// again, and the manager approving and signing. Each time the Home shows
// the contract where it belongs for that person, with what comes next.
// Last, the manager's Home, left open, is refreshed when the learner
// pauses the contract.
func TestBrowserHome(t *testing.T) {
	requireChromium(t)
	h := newHarness(t, stores["embedded"](t))
	tab := openBrowser(t)
	p := openPage(t, h, tab)

	// Before anything, the learner's Home invites a first contract.
	p.home("home-01-home-empty", "None yet", "New contract")
	p.dm()

	// The draft.
	p.draftToApprover("Shadow Ana's reviews; read the Design Review Handbook", "Two teammates use my checklist without help")
	p.send("@mo")
	p.skipNotes(learner)
	summary := p.expect(learner, "Send to my manager")
	p.home("home-02-learner-draft", "Your contracts", "Running design reviews", "Draft, not sent yet", "yours to finish and send")
	p.dm()

	// Sent.
	p.click(summary, conversation.ActionSend)
	p.expect(learner, "Sent to")
	p.home("home-03-learner-sent", "Waiting for approval", "version 1 waits for", "Mo Manager", "'s signature")
	p.dm()
	p.as(manager)
	p.home("home-04-manager-sent", "Waiting for you", "Running design reviews", "Ada Learner", "version 1 waits for your decision")
	p.notOnHome("Contracts you support")
	p.dm()

	// The manager asks for changes.
	card1 := p.expect(manager, "would like you to approve")
	p.click(card1, conversation.ActionRequestChanges)
	field := chromedp.CSS(`[data-testid="modal-input-` + conversation.FieldComments + `"]`)
	p.do("fill in the modal", chromedp.WaitVisible(field), chromedp.SendKeys(field, "Please give yourself 10 weeks."))
	p.do("submit the modal",
		chromedp.Click(chromedp.CSS(`[data-testid="modal-submit"]`)),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-testid="modal"]`)))
	p.gone(card1, conversation.ActionApprove)
	p.home("home-05-manager-changes-requested", "Contracts you support", "Ada Learner", "sent back: waiting for the revision")
	p.notOnHome("Waiting for you")
	p.dm()
	p.as(learner)
	p.home("home-06-learner-changes-requested", "Changes requested", "yours to revise and send again")
	p.dm()

	// The learner revises and sends version 2.
	p.click(p.expect(learner, "10 weeks"), conversation.ActionRevise)
	p.expect(learner, "Send to my manager")
	p.send("edit deadline")
	p.expect(learner, "By when?")
	p.send("in 10 weeks")
	p.click(p.expect(learner, "Send to my manager"), conversation.ActionSend)
	p.expect(learner, "Sent to")
	p.home("home-07-learner-resent", "version 2 waits for", "Mo Manager", "'s signature")
	p.dm()
	p.as(manager)
	p.home("home-08-manager-resent", "Waiting for you", "version 2 waits for your decision")
	// Decide on the Home brings the card to decide on into the DM.
	p.waitFor("the page to settle", `() => performance.now() - window.lastChange > 100`)
	p.do("click Decide on the Home", chromedp.Click(chromedp.CSS(`[data-testid="home"] [data-testid="button-`+string(conversation.ActionDecide)+`"]`)))
	p.dm()
	p.waitFor("the card Decide brought, beside the one sent with version 2", `() => [...document.querySelectorAll('[data-testid="message"]')]
		.filter(m => m.textContent.includes("What changed since version 1")).length === 2`)
	p.screenshot("home-08b-manager-decide-card", "")

	// The manager approves and signs, on the card Decide brought.
	card2 := p.expect(manager, "What changed since version 1")
	p.click(card2, conversation.ActionApprove)
	p.gone(card2, conversation.ActionApprove)
	p.home("home-09-manager-signed", "Contracts you support", "Active", "Ada Learner", "next check-in")
	p.notOnHome("Waiting for you")
	p.dm()
	p.as(learner)
	p.home("home-10-learner-signed", "Your contracts", "Active", "next check-in", "due ")
	p.notOnHome("Waiting for")

	// The manager's Home, left open, is refreshed when the learner pauses
	// the contract in their own DM.
	p.dm()
	p.as(manager)
	p.home("home-11-manager-open", "Contracts you support", "Active")
	h.say(learner, "pause")
	p.waitFor("the manager's open Home to show the pause", `() => {
		const h = document.querySelector('[data-testid="home"]');
		return !!h && h.textContent.includes("Paused");
	}`)
	p.screenshot("home-12-manager-refreshed", "")
}

// home opens the Home tab for the person the page shows, waits until it
// shows each of want, and saves a screenshot as name.png.
func (p *browserPage) home(name string, want ...string) {
	p.t.Helper()
	p.navigate("nav-home")
	p.waitFor(p.me+"'s Home showing "+strings.Join(want, ", "), `(...want) => {
		const h = document.querySelector('[data-testid="home"]');
		return !!h && want.every(w => h.textContent.includes(w));
	}`, toAny(want)...)
	p.screenshot(name, "")
}

// notOnHome checks that the Home shown does not contain text.
func (p *browserPage) notOnHome(text string) {
	p.t.Helper()
	got := poll[string](p, "the Home's text", `() => { const h = document.querySelector('[data-testid="home"]'); return h ? h.textContent : ""; }`)
	if strings.Contains(got, text) {
		p.t.Errorf("%s's Home shows %q: %s", p.me, text, got)
	}
}

// dm goes back to the direct messages.
func (p *browserPage) dm() {
	p.t.Helper()
	p.navigate("nav-dm")
	p.waitFor("the composer", `() => !document.querySelector('[data-testid="composer"]').hidden`)
}

// navigate clicks an item of the page's navigation, once the page has
// settled, by its test id (the navigation is drawn afresh on each change,
// so the element is looked up as it is clicked).
func (p *browserPage) navigate(testid string) {
	p.t.Helper()
	p.waitFor("the page to settle", `() => performance.now() - window.lastChange > 100`)
	p.do("click "+testid, chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=`+jsString(testid)+`]').click()`))
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
