package teams

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/bot/teams/connectortest"
	"github.com/learnpact/learnpact/conversation"
)

// invoke is an invoke activity named name from user in their chat.
func (e *env) invoke(user, conv, replyTo, name string, value any) map[string]any {
	act := e.personal(user, conv, "")
	delete(act, "text")
	act["type"], act["name"], act["value"], act["replyToId"] = "invoke", name, value, replyTo
	return act
}

// postInvoke delivers an invoke with a channel token and returns the
// HTTP status and the decoded invoke response body (nil when empty).
func (e *env) postInvoke(act map[string]any) (int, map[string]any) {
	e.t.Helper()
	body, _ := json.Marshal(act)
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/messages", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.fake.Token(e.fake.ServiceURL(), nil))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if len(bytes.TrimSpace(raw)) == 0 {
		return resp.StatusCode, nil
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("invoke response %q: %v", raw, err)
	}
	return resp.StatusCode, out
}

// handle decodes an activity and does its work on the test's goroutine,
// as a worker would after the handler accepted it.
func (e *env) handle(act map[string]any) {
	e.t.Helper()
	body, _ := json.Marshal(act)
	in, err := decode(body)
	if err != nil {
		e.t.Fatal(err)
	}
	e.a.run(e.ctx(), in, func(error) {})
}

// TestInvokeCardAction: a card action sent as an adaptiveCard/action
// invoke (Action.Execute) is answered in the HTTP response and runs the
// same turn as the Action.Submit click.
func TestInvokeCardAction(t *testing.T) {
	e := newEnv(t, nil)
	e.post(e.personal(lee, leeChat, "new"), nil)
	e.await("the title question", sentTo(leeChat, "First, a title"))
	e.post(e.personal(lee, leeChat, "Go"), nil)
	e.await("the goal question", sentTo(leeChat, "first goal"))
	e.post(e.personal(lee, leeChat, "learn about Go"), nil)
	coach := e.await("the coach's suggestion", sentTo(leeChat, "How about"))

	keep := buttonData(t, coach, string(conversation.ActionKeepMine))
	status, body := e.postInvoke(e.invoke(lee, leeChat, coach.ID, "adaptiveCard/action",
		map[string]any{"action": map[string]any{"type": "Action.Execute", "data": keep}, "trigger": "manual"}))
	if status != http.StatusOK || body["statusCode"] != float64(200) || body["type"] != "application/vnd.microsoft.activity.message" {
		t.Fatalf("invoke answered %d %v", status, body)
	}
	e.await("the mastery question", sentTo(leeChat, "Goal 1 saved"))

	// A verb alone names the action, as Universal Actions cards do.
	mastery := e.fake.Activities()[len(e.fake.Activities())-1]
	status, _ = e.postInvoke(e.invoke(lee, leeChat, mastery.ID, "adaptiveCard/action",
		map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": string(conversation.ActionSkip), "data": map[string]any{keyValue: keep[keyValue]}}}))
	if status != http.StatusOK {
		t.Fatalf("verb invoke answered %d", status)
	}
	e.await("the goals so far", sentTo(leeChat, "Your goals so far"))
}

// TestInvokeRefusals: invokes the bot does not offer get 501, unreadable
// card actions 400 with an error the client can show, and neither reaches
// a turn.
func TestInvokeRefusals(t *testing.T) {
	e := newEnv(t, nil)
	if status, _ := e.postInvoke(e.invoke(lee, leeChat, "", "task/fetch", map[string]any{"data": map[string]any{}})); status != http.StatusNotImplemented {
		t.Errorf("task/fetch answered %d", status)
	}
	for _, value := range []any{"not an object", map[string]any{"action": "nope"}, map[string]any{"trigger": "manual"}} {
		status, body := e.postInvoke(e.invoke(lee, leeChat, "", "adaptiveCard/action", value))
		if status != http.StatusBadRequest || body["type"] != "application/vnd.microsoft.error" {
			t.Errorf("unreadable action %v answered %d %v", value, status, body)
		}
	}
	// Unauthenticated invokes are refused before anything is read.
	none := ""
	if got := e.post(e.invoke(lee, leeChat, "", "adaptiveCard/action", map[string]any{"action": map[string]any{"verb": "lp_skip"}}), &none); got != http.StatusUnauthorized {
		t.Errorf("unauthenticated invoke answered %d", got)
	}
	e.post(e.personal(lee, leeChat, "status"), nil)
	e.await("answering status", sentTo(leeChat, "don't have a contract"))
	if n := len(e.fake.Activities()); n != 1 {
		t.Errorf("%d activities sent, want only the answer to status:\n%s", n, dump(e.fake.Activities()))
	}
}

// TestAppRemoved: once a user removes the app nothing more is sent to
// them, not even by starting a new chat; adding it again restores it.
func TestAppRemoved(t *testing.T) {
	e := newEnv(t, nil)
	e.post(e.personal(lee, leeChat, "help"), nil)
	e.await("answering help", sentTo(leeChat, "contract"))
	remove := e.personal(lee, leeChat, "")
	remove["type"], remove["action"] = "installationUpdate", "remove"
	e.handle(remove)
	if ref, ok := e.a.lookup(e.ctx(), userKey(lee)); !ok || !ref.Removed {
		t.Fatalf("the removal was not recorded: %+v", ref)
	}
	calls := e.fake.Calls()
	if _, err := e.a.SendDM(e.ctx(), lee, note("a nudge")); !errors.Is(err, errRemoved) {
		t.Errorf("a message after removal: %v", err)
	}
	if _, err := e.a.Post(e.ctx(), leeChat, note("a post")); !errors.Is(err, errRemoved) {
		t.Errorf("a post in the chat after removal: %v", err)
	}
	if n := e.fake.Calls() - calls; n != 0 {
		t.Errorf("%d calls to the connector after removal", n)
	}

	add := e.personal(lee, leeChat, "")
	add["type"], add["action"] = "installationUpdate", "add"
	e.handle(add)
	if ref, ok := e.a.lookup(e.ctx(), userKey(lee)); !ok || ref.Removed {
		t.Fatalf("adding the app again was not recorded: %+v", ref)
	}
	if _, err := e.a.SendDM(e.ctx(), lee, note("welcome back")); err != nil {
		t.Fatal(err)
	}
	e.await("the message after adding the app again", sentTo(leeChat, "welcome back"))
}

// TestRosterCached: a channel's members are asked for once a minute at
// most, and again at once after Teams says members changed.
func TestRosterCached(t *testing.T) {
	var mu sync.Mutex
	clock := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	e := newEnv(t, func(c *Config) { c.Now = now })
	e.inChannel()
	e.fake.SetMembers(teamChan, connectortest.Member{ID: lee, Name: "Lee"}, connectortest.Member{ID: botID, Name: "learnpact"})
	members := func() []string {
		t.Helper()
		ci, err := e.a.Channel(e.ctx(), teamChan)
		if err != nil {
			t.Fatal(err)
		}
		return ci.Members
	}
	calls := e.fake.Calls()
	members()
	if got := members(); !slices.Equal(got, []string{lee}) || e.fake.Calls() != calls+1 {
		t.Fatalf("members %v after %d calls, want [%s] after one", got, e.fake.Calls()-calls, lee)
	}

	// Mo joins the team: the update clears the list.
	e.fake.SetMembers(teamChan, connectortest.Member{ID: lee, Name: "Lee"}, connectortest.Member{ID: mo, Name: "Mo"})
	joined := e.personal(lee, teamChan, "")
	delete(joined, "text")
	joined["type"], joined["membersAdded"] = "conversationUpdate", []any{map[string]any{"id": mo}}
	joined["conversation"] = map[string]any{"id": teamChan, "conversationType": "channel", "tenantId": tenant}
	e.handle(joined)
	if got := members(); !slices.Equal(got, []string{lee, mo}) {
		t.Fatalf("members after Mo joined: %v", got)
	}

	// Without an update, a minute later the list is asked for again.
	e.fake.SetMembers(teamChan, connectortest.Member{ID: mo, Name: "Mo"})
	if got := members(); !slices.Equal(got, []string{lee, mo}) {
		t.Fatalf("members within the minute: %v", got)
	}
	mu.Lock()
	clock = clock.Add(rosterTTL)
	mu.Unlock()
	if got := members(); !slices.Equal(got, []string{mo}) {
		t.Fatalf("members a minute later: %v", got)
	}
}

// TestFormCancel: a form card's Cancel closes it without a turn, and only
// for the person it was opened for.
func TestFormCancel(t *testing.T) {
	e := newEnv(t, nil)
	e.inChannel()
	e.post(e.personal(lee, leeChat, "help"), nil)
	e.await("answering help", sentTo(leeChat, "contract"))
	thread := teamChan + ";messageid=5"
	_, forms := bottest.Samples(t, e.now)
	form := forms["feedback"]
	if err := e.a.OpenModal(e.ctx(), trigger(thread, "5", mo), form); err != nil {
		t.Fatal(err)
	}
	card := e.await("the form card", sentTo(thread, keySubmit))
	cancel := map[string]any{}
	walk(card.Body, func(m map[string]any) {
		if d, ok := m["data"].(map[string]any); ok && d[keyCancel] != nil {
			cancel = d
			if m["associatedInputs"] != "none" {
				t.Errorf("Cancel sends the inputs: %v", m)
			}
		}
	})
	if cancel[keyCancel] != mo {
		t.Fatalf("Cancel data %v does not name the form's owner", cancel)
	}
	click := func(user string) {
		act := e.submit(user, thread, card.ID, cancel)
		act["conversation"] = map[string]any{"id": thread, "conversationType": "channel", "tenantId": tenant}
		e.post(act, nil)
	}

	click(lee)
	e.await("the answer to someone else's Cancel", sentTo(leeChat, "someone else's"))
	click(mo)
	e.await("the cancelled form", func(a connectortest.Activity) bool {
		return a.Method == http.MethodPut && a.ID == card.ID && strings.Contains(string(a.Raw), "Nothing was sent")
	})
	for _, a := range e.fake.Activities() {
		if a.Method == http.MethodPut && a.ID == card.ID && strings.Contains(string(a.Raw), "Sent.") {
			t.Errorf("the form was taken as sent: %s", a.Raw)
		}
	}
}
