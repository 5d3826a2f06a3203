package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

// TestTranscriptBadSpell walks a four-month contract with fortnightly
// check-ins through Behind, Blocked and a request for help. Each Monday
// digest reflects it, even in the weeks without a check-in and long before
// half the time has gone (the digest used to stay silent then); the
// approver hears of Blocked and of the request for help, answers, and the
// learner gets the answer.
func TestTranscriptBadSpell(t *testing.T) {
	w := newWorld(t, "A bad spell: the approver hears, answers, and the digest keeps saying so")
	w.Quietly("Lee drafted “Running design reviews”, fortnightly check-ins, due in 16 weeks; Mo approved and signed it on Fri 15 Jan", func() {
		w.Say(lee, "new")
		w.Say(lee, "Running design reviews")
		w.Say(lee, "Run three design reviews using a checklist the team adopts")
		w.Click(lee, "Skip")
		w.Click(lee, "Done with goals")
		w.Say(lee, "Shadow Ana's reviews; read the Design Review Handbook")
		w.Say(lee, "A write-up of three reviews")
		w.Say(lee, "Two teammates use my checklist without help")
		w.Say(lee, "in 16 weeks")
		w.Click(lee, "Fortnightly")
		w.Say(lee, "<@UMO|mo>")
		w.SkipNotes(lee)
		w.Click(lee, "Send to my manager")
		w.Click(mo, "Approve & sign")
	})
	monday := func() {
		now := w.Now()
		y, m, d := now.Date()
		ahead := (8 - int(now.Weekday())) % 7
		if ahead == 0 {
			ahead = 7
		}
		w.Wait(time.Date(y, m, d+ahead, 9, 0, 0, 0, time.UTC).Sub(now))
		w.DigestDue(mo)
	}

	w.Due("c1", contract.DueCheckIn)
	w.Click(lee, "Behind")
	w.Say(lee, "Two of the reviews I meant to shadow were cancelled")
	w.Say(lee, "Book two more with Ana")
	monday()
	week3 := lastText(w, mo)
	monday()
	week4 := lastText(w, mo)

	w.Due("c1", contract.DueCheckIn)
	w.Click(lee, "Blocked")
	w.Click(lee, "Skip")
	w.Say(lee, "No team I know runs design reviews right now")
	w.Click(lee, "Ask my manager for help")
	w.Say(lee, "Could you introduce me to a team that runs them?")
	w.Due("c1", contract.DueSupport)
	alert := lastText(w, mo)
	w.Click(mo, "Let's talk")
	heard := lastText(w, lee)
	monday()
	monday()
	week7 := w.Latest(mo)
	w.ClickOn(mo, week7, "Reply")
	w.Submit(mo, map[string]string{conversation.FieldReply: "Ana's team runs reviews on Thursdays: sit in on this week's."})
	answer := lastText(w, lee)
	golden(t, w, "bad_spell")

	for name, got := range map[string]string{"week 3": week3, "week 4": week4} {
		if !strings.Contains(got, "Behind or blocked\n• “Running design reviews” · @ULEE · latest check-in Behind (Fri 29 Jan 2027)") {
			t.Errorf("the %s digest does not say Lee is behind:\n%s", name, got)
		}
	}
	if !strings.Contains(alert, "@ULEE could use a hand") || !strings.Contains(alert, "Could you introduce me to a team that runs them?") {
		t.Errorf("the approver's news:\n%s", alert)
	}
	if !strings.Contains(heard, "@UMO would like to talk about your check-in") {
		t.Errorf("what Lee heard:\n%s", heard)
	}
	if got := messagetest.Text(week7.Message); !strings.Contains(got, "Behind or blocked\n• “Running design reviews” · @ULEE · latest check-in Blocked (Fri 12 Feb 2027)") {
		t.Errorf("the digest three weeks after Blocked does not say so:\n%s", got)
	}
	if !strings.Contains(answer, "Ana's team runs reviews on Thursdays") {
		t.Errorf("Lee's answer:\n%s", answer)
	}
}
