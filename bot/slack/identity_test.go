package slack

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation"
)

// holdAuthTest makes auth.test hang until release is closed (or the
// caller gives up), then answer UBOT.
func holdAuthTest(api *fakeAPI, release <-chan struct{}) {
	api.Handle("auth.test", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, `{"ok":true,"user_id":"UBOT","team_id":"T1","bot_id":"BBOT"}`)
	})
}

// TestTurnsDoNotWaitForAuthTest: with auth.test hanging, turns run side
// by side without the bot's identity; once it answers, the identity is
// known.
func TestTurnsDoNotWaitForAuthTest(t *testing.T) {
	api := newFakeAPI(t)
	release := make(chan struct{})
	holdAuthTest(api, release)
	h := newHarnessWith(t, Config{Workers: 4}, defaultLimits, nil, api)
	const people = 10
	for i := range people {
		h.postEvent(t, dmEvent(fmt.Sprintf("Ev%d", i), fmt.Sprintf("U%d", i), "hello"), nil)
	}
	for i := range people {
		select {
		case <-h.turns:
		case <-time.After(10 * time.Second):
			t.Fatalf("%d of %d turns ran while auth.test hangs", i, people)
		}
	}
	if id := h.a.BotUserID(context.Background()); id != "" {
		t.Errorf("bot id while auth.test hangs = %q, want unknown", id)
	}
	close(release)
	h.knowsBot(t)
	if id := h.a.BotUserID(context.Background()); id != "UBOT" {
		t.Errorf("bot id = %q, want UBOT", id)
	}
	if n := len(api.Calls("auth.test")); n != 1 {
		t.Errorf("auth.test called %d times, want once", n)
	}
}

// TestAuthTestRetried: auth.test that fails is tried again, with a pause,
// until it answers.
func TestAuthTestRetried(t *testing.T) {
	api := newFakeAPI(t)
	var calls atomic.Int32
	api.Handle("auth.test", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, `{"ok":true,"user_id":"UBOT","team_id":"T1","bot_id":"BBOT"}`)
	})
	h := newHarnessWith(t, Config{Workers: 1}, defaultLimits, nil, api, func(a *Adapter) { a.idBackoff = time.Millisecond })
	h.knowsBot(t)
	if n := calls.Load(); n != 3 {
		t.Errorf("auth.test called %d times, want 3", n)
	}
}

// joinEvent is the bot (UBOT) added to channel C1 by U1.
func joinEvent(id string) string {
	return mustJSON(map[string]any{"type": "event_callback", "team_id": "T1", "event_id": id,
		"event": map[string]any{"type": "member_joined_channel", "user": "UBOT", "channel": "C1", "inviter": "U1"}})
}

// TestJoinWaitsForIdentity: a join, which cannot tell whether the bot was
// the one added without its id, waits a moment for auth.test; when the
// identity comes in time the join is a turn.
func TestJoinWaitsForIdentity(t *testing.T) {
	api := newFakeAPI(t)
	release := make(chan struct{})
	holdAuthTest(api, release)
	h := newHarnessWith(t, Config{Workers: 1}, defaultLimits, nil, api, func(a *Adapter) { a.idWait = time.Minute })
	acked := make(chan int, 1)
	go func() { acked <- h.postEvent(t, joinEvent("Ev1"), nil).StatusCode }()
	close(release)
	if code := <-acked; code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	turns := h.finish(t)
	if len(turns) != 1 || turns[0].Input.Kind != conversation.JoinInput {
		t.Fatalf("turns = %+v, want the join", turns)
	}
}

// TestJoinWithoutIdentity: a join whose bot id never comes is not a turn
// (who joined cannot be told), as before; other turns go on.
func TestJoinWithoutIdentity(t *testing.T) {
	api := newFakeAPI(t)
	holdAuthTest(api, make(chan struct{}))
	h := newHarnessWith(t, Config{Workers: 1}, defaultLimits, nil, api, func(a *Adapter) { a.idWait = time.Millisecond })
	h.postEvent(t, joinEvent("Ev1"), nil)
	h.postEvent(t, dmEvent("Ev2", "U2", "hello"), nil)
	turns := h.finish(t)
	if len(turns) != 1 || turns[0].Input.User != "U2" {
		t.Fatalf("turns = %+v, want only U2's message", turns)
	}
}
