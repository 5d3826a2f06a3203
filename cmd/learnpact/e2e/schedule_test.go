package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/conversation"
)

// TestSixWeeksOfNudges signs a six-week weekly contract on Monday 22 Feb
// 2027 and runs the scheduler every simulated hour until after the
// deadline, across London's change to summer time (28 Mar). The learner
// answers each check-in. Every nudge must arrive inside the learner's
// working hours (09:00–17:00 local, Mon–Fri), at most one a day, and the
// sequence must be exactly the expected one.
func TestSixWeeksOfNudges(t *testing.T) {
	h := newHarnessAt(t, stores["embedded"](t), time.Date(2027, 2, 22, 10, 0, 0, 0, time.UTC))
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	summary := h.draftWith("in 6 weeks")
	h.click(learner, summary, string(conversation.ActionSend))
	card := h.expect(manager, "would like you to approve")
	h.click(manager, card, string(conversation.ActionApprove))
	h.expect(learner, "active")

	var got []string
	days := map[string]bool{}
	end := h.ws.Clock().Now().AddDate(0, 0, 7*7)
	for h.ws.Clock().Now().Before(end) {
		st := h.sweep(time.Hour)
		if st.Sent == 0 {
			continue
		}
		now := h.ws.Clock().Now().In(london)
		for _, m := range h.newBotMessages(learner) {
			line := fmt.Sprintf("%s %s", now.Format("Mon 02 Jan 15:04"), m.Text)
			got = append(got, line)
			if hm := now.Hour(); hm < 9 || hm >= 17 || now.Weekday() == time.Saturday || now.Weekday() == time.Sunday {
				t.Errorf("outside working hours: %s", line)
			}
			day := now.Format("2006-01-02")
			if days[day] {
				t.Errorf("a second nudge on %s: %s", day, line)
			}
			days[day] = true
			if buttonValue(m, string(conversation.ActionOnTrack)) != "" {
				h.click(learner, m, string(conversation.ActionOnTrack))
				next := h.expect(learner, "What happened since last time?")
				h.click(learner, next, string(conversation.ActionSkip))
				skip := h.expect(learner, "what's next?")
				h.click(learner, skip, string(conversation.ActionSkip))
				h.expect(learner, "Thanks")
			}
		}
	}
	// Sweeps run on the hour, so a nudge due at 09:00 local arrives at
	// 09:00 (08:00 UTC after the clocks change).
	want := []string{
		"Mon 01 Mar 09:00 Time for a quick check-in",
		"Mon 08 Mar 09:00 Time for a quick check-in",
		"Mon 15 Mar 09:00 Halfway there: time for a check-in",
		"Mon 22 Mar 09:00 Time for a quick check-in",
		"Mon 29 Mar 09:00 Time for a quick check-in",
		"Mon 05 Apr 09:00 The deadline is today",
		"Tue 06 Apr 09:00 The deadline has passed",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("nudges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// newBotMessages returns the bot's messages in user's DM that no expect has
// matched yet, and marks them seen.
func (h *harness) newBotMessages(user string) []sandbox.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	msgs := h.ws.DM(user)
	var out []sandbox.Message
	for i := h.seen[user]; i < len(msgs); i++ {
		if msgs[i].User != user && !msgs[i].Ephemeral {
			out = append(out, msgs[i])
		}
	}
	h.seen[user] = len(msgs)
	return out
}
