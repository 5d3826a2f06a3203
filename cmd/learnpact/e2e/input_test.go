package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHugeGoal sends a 10,000-character goal: it is kept whole, and every
// message the bot sends about it still fits Slack's limits (the sandbox
// refuses blocks that do not).
func TestHugeGoal(t *testing.T) {
	h := newHarness(t, stores["embedded"](t))
	h.say(learner, "new")
	h.expect(learner, "a title")
	h.say(learner, "Big plans")
	h.expect(learner, "first goal")
	goal := "Explain " + strings.Repeat("distributed systems trade-offs ", 400)
	goal = goal[:10000]
	h.say(learner, goal)
	h.expect(learner, "Use suggestion") // too long to be measurable as written
	keep := h.ws.DM(learner)
	h.click(learner, keep[len(keep)-1], "lp_keep_mine")
	h.expect(learner, "mastered")
	h.say(learner, "status")
	h.expect(learner, "Big plans")

	c := h.contracts(learner)
	if len(c) != 1 || len(c[0].Terms.Goals) != 1 || len(c[0].Terms.Goals[0].Text) != len(strings.TrimSpace(goal)) {
		t.Fatalf("the goal was not kept whole: %+v", c)
	}
	if n := h.ws.Calls("chat.postMessage"); n == 0 {
		t.Fatal("no messages sent")
	}
}

// TestBadRequests are answered with a clear status and change nothing.
func TestBadRequests(t *testing.T) {
	h := newHarness(t, stores["embedded"](t))
	h.say(learner, "new")
	h.expect(learner, "a title")
	before := h.contracts(learner)[0].Rev

	event := `{"type":"event_callback","team_id":"` + h.ws.TeamID() + `","event_id":"Ev1","event":{"type":"message","channel_type":"im","user":"` + learner + `","channel":"D01ADA","text":"Hijacked title","ts":"1.1"}}`
	cases := []struct {
		name string
		code int
		send func() int
	}{
		{"stale timestamp", http.StatusUnauthorized, func() int {
			return h.post("/slack/events", "application/json", event, time.Now().Add(-10*time.Minute))
		}},
		{"forged signature", http.StatusUnauthorized, func() int {
			req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/slack/events", strings.NewReader(event))
			req.Header.Set("X-Slack-Request-Timestamp", "1")
			req.Header.Set("X-Slack-Signature", "v0=00")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}},
		{"malformed JSON", http.StatusBadRequest, func() int {
			return h.post("/slack/events", "application/json", `{"type":`, time.Now())
		}},
		{"oversized body", http.StatusRequestEntityTooLarge, func() int {
			return h.post("/slack/events", "application/json", `{"pad":"`+strings.Repeat("x", 1<<20)+`"}`, time.Now())
		}},
		{"unknown button", http.StatusOK, func() int {
			return h.clickAs(learner, h.ws.DM(learner)[0], "lp_no_such_button")
		}},
	}
	for _, c := range cases {
		if got := c.send(); got != c.code {
			t.Errorf("%s: status %d, want %d", c.name, got, c.code)
		}
	}
	h.expect(learner, "help") // the unknown button is answered
	if after := h.contracts(learner)[0].Rev; after != before {
		t.Errorf("bad requests changed the contract (rev %d → %d)", before, after)
	}
}
