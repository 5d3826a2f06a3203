package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/learnpact/learnpact/conversation"
)

// TestBrowserOldCardsAndWorkingMorning drives the sandbox page from a
// Saturday night: a typo of help is questioned rather than taken as a goal;
// Use suggestion on an older coach card is answered privately and the card
// loses its buttons; a week on the clock still lands outside working hours,
// so no check-in comes until "Next working morning"; and a click on a
// check-in card older than one answered since is answered, not recorded.
func TestBrowserOldCardsAndWorkingMorning(t *testing.T) {
	requireChromium(t)
	saturdayNight := time.Date(2027, 1, 16, 21, 0, 0, 0, time.UTC) // 21:00 in London, the learner's zone
	h := newHarnessAt(t, stores["embedded"](t), saturdayNight)
	tab := openBrowser(t)
	p := openPage(t, h, tab)

	p.send("new")
	p.expect(learner, "a title")
	p.send("Presenting")
	p.expect(learner, "first goal")
	p.send("get better at presenting")
	cardA := p.expect(learner, "How about")
	p.send("hepl")
	p.expect(learner, "Did you mean help?")
	p.send("hepl")
	cardB := p.expect(learner, "How about")
	p.click(cardA, conversation.ActionUseSuggestion)
	passed := p.expect(learner, "That suggestion was for a goal you typed earlier")
	p.wantText(passed, "Only visible to you")
	p.gone(cardA, conversation.ActionUseSuggestion)
	p.screenshot("07-old-suggestion-card", cardA)
	if c := h.contracts(learner)[0]; len(c.Terms.Goals) != 0 {
		t.Fatalf("the old suggestion card saved a goal: %+v", c.Terms.Goals)
	}

	p.click(cardB, conversation.ActionUseSuggestion)
	p.click(p.expect(learner, "mastered"), conversation.ActionSkip)
	p.click(p.expect(learner, "Your goals so far"), conversation.ActionGoalsDone)
	p.expect(learner, "How will you learn it?")
	p.send("Watch two talks; rehearse with Sam")
	p.expect(learner, "What evidence")
	p.send("A recorded talk")
	p.expect(learner, "How should your evidence be judged")
	p.send("Finishes within ten minutes")
	p.expect(learner, "By when?")
	p.send("end of Q1")
	p.click(p.expect(learner, "How often should we check in?"), conversation.ActionWeekly)
	p.expect(learner, "Who will approve")
	p.send("@mo")
	p.skipNotes(learner)
	p.click(p.expect(learner, "Send to my manager"), conversation.ActionSend)
	p.expect(learner, "Sent to")
	p.as(manager)
	card := p.expect(manager, "would like you to approve")
	p.click(card, conversation.ActionApprove)
	p.gone(card, conversation.ActionApprove)
	p.as(learner)
	p.expect(learner, "active")

	// A week on is Saturday night again: nothing may reach the learner.
	p.clock("clock-plus-week", saturdayNight.Add(7*24*time.Hour))
	if st := h.sweep(0); st.Sent != 0 {
		t.Fatalf("a nudge went out on a Saturday night: %+v", st)
	}
	monday := time.Date(2027, 1, 25, 9, 0, 0, 0, time.UTC)
	p.clock("clock-morning", monday)
	if st := h.sweep(0); st.Sent != 1 {
		t.Fatalf("on the next working morning the sweep sent %d nudges, want the check-in: %+v", st.Sent, st)
	}
	first := p.expect(learner, "quick check-in")
	p.screenshot("08-check-in-on-the-working-morning", first)

	// The first check-in goes unanswered; a later one is answered Blocked.
	p.clock("clock-plus-week", monday.Add(7*24*time.Hour))
	if st := h.sweep(0); st.Sent != 1 {
		t.Fatalf("a week later the sweep sent %d nudges: %+v", st.Sent, st)
	}
	second := p.expect(learner, "check-in")
	p.click(second, conversation.ActionBlocked)
	p.expect(learner, "What happened since last time?")
	p.send("The review board was cancelled twice")
	p.click(p.expect(learner, "what's next?"), conversation.ActionSkipNext)
	p.expect(learner, "Would any of these help?")

	p.click(first, conversation.ActionOnTrack)
	answer := p.expect(learner, "You've checked in since this was sent: Blocked")
	p.wantText(answer, "Only visible to you")
	p.gone(first, conversation.ActionOnTrack)
	p.screenshot("09-old-check-in-card", first)
	c := h.contracts(learner)[0]
	if len(c.CheckIns) != 1 || c.CheckIns[0].Status != "blocked" {
		t.Errorf("check-ins after the old card's click: %+v", c.CheckIns)
	}
}

// clock presses one of the page's clock controls and waits until the page
// shows the sandbox time want.
func (p *browserPage) clock(control string, want time.Time) {
	p.t.Helper()
	p.waitFor("the page to settle", `() => performance.now() - window.lastChange > 100`)
	p.do("press "+control, chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid=%s]`, jsString(control)))))
	p.waitFor(fmt.Sprintf("the clock to show %s", want.Format(time.RFC3339)), `(want) => {
		const t = document.querySelector('[data-testid="clock-time"]');
		return t && new Date(t.dateTime).getTime() === new Date(want).getTime();
	}`, want.Format(time.RFC3339))
	if got := p.h.ws.Clock().Now(); !got.Equal(want) {
		p.fatalf("after %s the sandbox clock is %v, want %v", control, got, want)
	}
}
