package slack

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/workpool"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/memory"
)

func TestSignature(t *testing.T) {
	h := newHarness(t, defaultLimits, nil)
	body := []byte(`{"type":"url_verification","challenge":"abc"}`)
	send := func(mutate func(*http.Request)) int {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/slack/events", strings.NewReader(string(body)))
		sign(req.Header, body, time.Now(), testSecret)
		mutate(req)
		resp, err := h.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct {
		name   string
		mutate func(*http.Request)
		want   int
	}{
		{"valid", func(*http.Request) {}, http.StatusOK},
		{"forged", func(r *http.Request) { sign(r.Header, body, time.Now(), "not-the-secret") }, http.StatusUnauthorized},
		{"body changed", func(r *http.Request) { sign(r.Header, []byte(`{"type":"x"}`), time.Now(), testSecret) }, http.StatusUnauthorized},
		{"stale", func(r *http.Request) { sign(r.Header, body, time.Now().Add(-6*time.Minute), testSecret) }, http.StatusUnauthorized},
		{"from the future", func(r *http.Request) { sign(r.Header, body, time.Now().Add(6*time.Minute), testSecret) }, http.StatusUnauthorized},
		{"no signature", func(r *http.Request) { r.Header.Del("X-Slack-Signature") }, http.StatusUnauthorized},
		{"no timestamp", func(r *http.Request) { r.Header.Del("X-Slack-Request-Timestamp") }, http.StatusUnauthorized},
		{"garbage signature", func(r *http.Request) { r.Header.Set("X-Slack-Signature", "v0=zz") }, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := send(tt.mutate); got != tt.want {
				t.Errorf("status = %d, want %d", got, tt.want)
			}
		})
	}
	for _, path := range []string{"/slack/interactivity", "/slack/commands"} {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader("payload=x"))
		resp, err := h.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("unsigned %s: status = %d, want 401", path, resp.StatusCode)
		}
	}
	if turns := h.finish(t); len(turns) != 0 {
		t.Errorf("refused requests started %d turns", len(turns))
	}
}

func TestBodyLimit(t *testing.T) {
	h := newHarness(t, defaultLimits, nil)
	// A valid event padded to exactly the limit is read; one byte more is not.
	event := dmEvent("Ev1", "U1", "hi")
	fit := []byte(event + strings.Repeat(" ", maxBody-len(event)))
	if resp := h.post(t, "/slack/events", "application/json", fit, time.Time{}, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("body of exactly 1 MiB: status = %d, want 200", resp.StatusCode)
	}
	over := append(fit, ' ')
	if resp := h.post(t, "/slack/events", "application/json", over, time.Time{}, nil); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("body of 1 MiB + 1: status = %d, want 413", resp.StatusCode)
	}
	if turns := h.finish(t); len(turns) != 1 {
		t.Errorf("got %d turns, want 1", len(turns))
	}
}

func TestMalformed(t *testing.T) {
	h := newHarness(t, defaultLimits, nil)
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name, path, contentType, body string
	}{
		{"event not JSON", "/slack/events", "application/json", `{"type":`},
		{"event of the wrong shape", "/slack/events", "application/json", `{"type":["event_callback"]}`},
		{"interaction without payload", "/slack/interactivity", form, "foo=bar"},
		{"interaction payload not JSON", "/slack/interactivity", form, url.Values{"payload": {"{nope"}}.Encode()},
		{"interaction without user", "/slack/interactivity", form, url.Values{"payload": {`{"type":"block_actions","actions":[{"action_id":"a"}]}`}}.Encode()},
		{"interaction form broken", "/slack/interactivity", form, "payload=%zz"},
		{"command without user", "/slack/commands", form, "command=%2Fcontract&text=new"},
		{"command form broken", "/slack/commands", form, "user_id=%zz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.post(t, tt.path, tt.contentType, []byte(tt.body), time.Time{}, nil)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", resp.StatusCode)
			}
		})
	}
	if turns := h.finish(t); len(turns) != 0 {
		t.Errorf("malformed requests started %d turns", len(turns))
	}
}

func TestURLVerification(t *testing.T) {
	h := newHarness(t, defaultLimits, nil)
	resp := h.postEvent(t, `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	var got struct{ Challenge string }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Challenge != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("challenge = %q", got.Challenge)
	}
}

// TestAckAfterSave: the acknowledgement waits for the turn's save. While
// the turn is held nothing is answered; the 200 comes once the event is
// stored as applied.
func TestAckAfterSave(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	h := newHarness(t, defaultLimits, func(bot.Turn) {
		close(started)
		<-release
	})
	acked := make(chan int, 1)
	go func() {
		resp := h.postEvent(t, dmEvent("Ev1", "U1", "hello"), nil)
		acked <- resp.StatusCode
	}()
	<-started
	select {
	case code := <-acked:
		t.Fatalf("answered %d before the turn was saved", code)
	default:
	}
	close(release)
	select {
	case code := <-acked:
		if code != http.StatusOK {
			t.Errorf("status = %d, want 200", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no acknowledgement")
	}
	snap, err := h.store.Load(context.Background(), storage.UserKey{Platform: "slack", Team: "T1", User: "U1"}, "", "slack:Ev1")
	if err != nil || !snap.Applied || snap.Session == nil {
		t.Errorf("at the acknowledgement: applied %v, session %s, err %v; want the turn saved", snap.Applied, snap.Session, err)
	}
	turns := h.finish(t)
	if len(turns) != 1 || turns[0].Input.Text != "hello" {
		t.Fatalf("turns = %+v", turns)
	}
}

// TestRetryDedupe: redeliveries of an event reach the engine, which finds
// the event applied and does nothing: one answer per event.
func TestRetryDedupe(t *testing.T) {
	h := newHarness(t, defaultLimits, nil)
	for i, retry := range []string{"", "1", "2"} {
		hd := http.Header{}
		if retry != "" {
			hd.Set("X-Slack-Retry-Num", retry)
			hd.Set("X-Slack-Retry-Reason", "http_timeout")
		}
		if resp := h.postEvent(t, dmEvent("Ev1", "U1", "help"), hd); resp.StatusCode != http.StatusOK {
			t.Errorf("delivery %d: status = %d", i, resp.StatusCode)
		}
	}
	h.postEvent(t, dmEvent("Ev2", "U1", "help"), nil)
	h.finish(t)
	if n := len(h.api.Calls("chat.postMessage")); n != 2 {
		t.Errorf("%d answers, want 2: one per event", n)
	}
}

// TestLateRetriesDeduped: Slack retries an event it saw no answer to
// about one and five minutes after the first delivery; those retries find
// the event applied, however long the first delivery took to answer.
func TestLateRetriesDeduped(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	h := &harness{store: memory.New(memory.WithClock(clock))}
	h.start(t, Config{Workers: 2, Now: clock}, h.store, defaultLimits, nil, nil)
	for i, d := range []time.Duration{0, time.Minute, 4 * time.Minute} {
		mu.Lock()
		now = now.Add(d)
		mu.Unlock()
		hd := http.Header{}
		if i > 0 {
			hd.Set("X-Slack-Retry-Num", strconv.Itoa(i))
			hd.Set("X-Slack-Retry-Reason", "http_timeout")
		}
		body := dmEvent("Ev1", "U1", "help")
		if resp := h.post(t, "/slack/events", "application/json", []byte(body), time.Time{}, hd); resp.StatusCode != http.StatusOK {
			t.Errorf("delivery %d: status = %d", i, resp.StatusCode)
		}
	}
	h.finish(t)
	if n := len(h.api.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d answers to one event delivered three times over five minutes, want 1", n)
	}
}

func TestEventsIgnored(t *testing.T) {
	h := newHarness(t, defaultLimits, nil)
	h.knowsBot(t) // so that its own user id is recognised
	event := func(id string, e map[string]any) string {
		return mustJSON(map[string]any{"type": "event_callback", "team_id": "T1", "event_id": id, "event": e})
	}
	ignored := []string{
		// The bot's own message, seen by user id (auth.test says UBOT).
		event("E1", map[string]any{"type": "message", "channel_type": "im", "channel": "D1", "user": "UBOT", "text": "mine"}),
		// Any bot's message.
		event("E2", map[string]any{"type": "message", "channel_type": "im", "channel": "D1", "user": "U1", "bot_id": "B9", "text": "bot"}),
		event("E3", map[string]any{"type": "message", "subtype": "bot_message", "channel_type": "im", "channel": "D1", "bot_id": "BBOT", "text": "bot"}),
		event("E4", map[string]any{"type": "message", "subtype": "message_changed", "channel_type": "im", "channel": "D1",
			"message": map[string]any{"user": "U1", "text": "edited"}}),
		event("E5", map[string]any{"type": "message", "subtype": "message_deleted", "channel_type": "im", "channel": "D1", "user": "U1"}),
		// A channel message without a mention.
		event("E6", map[string]any{"type": "message", "channel_type": "channel", "channel": "C1", "user": "U1", "text": "chatter"}),
		event("E7", map[string]any{"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "messages"}),
		`{"type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820}`,
	}
	for i, e := range ignored {
		if resp := h.postEvent(t, e, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("event %d: status = %d, want 200", i, resp.StatusCode)
		}
	}
	h.postEvent(t, event("E8", map[string]any{"type": "app_mention", "channel": "C1", "user": "U2",
		"text": "<@UBOT> status &amp; more"}), nil)
	turns := h.finish(t)
	if len(turns) != 1 {
		t.Fatalf("got %d turns, want only the mention: %+v", len(turns), turns)
	}
	if n := len(h.api.Calls("auth.test")); n != 1 {
		t.Errorf("auth.test called %d times, want once", n)
	}
	want := conversation.Input{Kind: conversation.TextInput, User: "U2", Channel: "C1", Text: "status & more", Public: true}
	if !equalInput(turns[0].Input, want) || turns[0].Team != "T1" || turns[0].Platform != bot.Platform(h.a) {
		t.Errorf("turn = %+v, want input %+v in T1", turns[0], want)
	}
}

func TestInteractions(t *testing.T) {
	h := newHarness(t, defaultLimits, nil)
	for _, typ := range []string{"shortcut", "message_action", "view_closed", "block_suggestion", "dialog_submission", "something_new"} {
		resp := h.postInteraction(t, mustJSON(map[string]any{"type": typ, "user": map[string]any{"id": "U1"}, "team": map[string]any{"id": "T1"}}))
		if resp.StatusCode != http.StatusOK || readBody(t, resp) != "" {
			t.Errorf("%s: status %d, want an empty 200", typ, resp.StatusCode)
		}
	}
	click := mustJSON(map[string]any{
		"type": "block_actions", "trigger_id": "trig1",
		"user": map[string]any{"id": "U1"}, "team": map[string]any{"id": "T1"},
		"container": map[string]any{"type": "message", "channel_id": "D1", "message_ts": "111.222"},
		"actions":   []any{map[string]any{"type": "button", "action_id": "lp_edit#2", "block_id": "b", "value": "c=abc&v=2"}},
	})
	if resp := h.postInteraction(t, click); resp.StatusCode != http.StatusOK {
		t.Errorf("block_actions: status = %d", resp.StatusCode)
	}
	submit := mustJSON(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "U1"}, "team": map[string]any{"id": "T1"},
		"view": map[string]any{"callback_id": "changes", "private_metadata": "c=abc&v=2",
			"state": map[string]any{"values": map[string]any{
				"comment": map[string]any{"comment": map[string]any{"type": "plain_text_input", "value": "Please add a deadline"}},
			}}},
	})
	resp := h.postInteraction(t, submit)
	if resp.StatusCode != http.StatusOK || readBody(t, resp) != "" {
		t.Errorf("view_submission: status %d, want an empty 200 (closes the modal)", resp.StatusCode)
	}
	turns := h.finish(t)
	if len(turns) != 2 {
		t.Fatalf("got %d turns, want 2", len(turns))
	}
	byKind := map[conversation.InputKind]conversation.Input{}
	for _, turn := range turns {
		byKind[turn.Input.Kind] = turn.Input
	}
	wantClick := conversation.Input{Kind: conversation.ActionInput, User: "U1", Channel: "D1", ActionID: "lp_edit", Value: "c=abc&v=2",
		Source: conversation.MessageRef{Channel: "D1", TS: "111.222"}, TriggerID: "trig1"}
	if !equalInput(byKind[conversation.ActionInput], wantClick) {
		t.Errorf("click = %+v, want %+v", byKind[conversation.ActionInput], wantClick)
	}
	wantSubmit := conversation.Input{Kind: conversation.SubmitInput, User: "U1", CallbackID: "changes", PrivateData: "c=abc&v=2",
		Form: map[string]string{"comment": "Please add a deadline"}}
	if !equalInput(byKind[conversation.SubmitInput], wantSubmit) {
		t.Errorf("submit = %+v, want %+v", byKind[conversation.SubmitInput], wantSubmit)
	}
}

func TestSlashCommand(t *testing.T) {
	h := newHarness(t, defaultLimits, nil)
	for _, text := range []string{"new  &lt;draft&gt; ", ""} {
		body := url.Values{"team_id": {"T1"}, "channel_id": {"C9"}, "user_id": {"U1"}, "command": {"/contract"},
			"text": {text}, "trigger_id": {"trig"}}.Encode()
		resp := h.post(t, "/slack/commands", "application/x-www-form-urlencoded", []byte(body), time.Time{}, nil)
		if resp.StatusCode != http.StatusOK || readBody(t, resp) != "" {
			t.Errorf("status %d, want an empty 200", resp.StatusCode)
		}
	}
	turns := h.finish(t)
	if len(turns) != 2 {
		t.Fatalf("got %d turns, want 2", len(turns))
	}
	want := conversation.Input{Kind: conversation.CommandInput, User: "U1", Channel: "C9", Text: "new  <draft>", TriggerID: "trig"}
	if !equalInput(turns[0].Input, want) {
		t.Errorf("command = %+v, want %+v", turns[0].Input, want)
	}
	if turns[1].Input.Text != "" {
		t.Errorf("empty command text = %q", turns[1].Input.Text)
	}
}

// With the queue full, nothing is acknowledged and dropped: an event or a
// click is refused with 503 and Retry-After, so Slack delivers it again (or
// shows the person it did not go through); a slash command, which Slack
// does not redeliver, is told the bot is busy. Events taken but not saved
// within the acknowledgement wait are refused too (Slack delivers them
// again, and the redelivery finds them applied).
func TestQueueFull(t *testing.T) {
	started := make(chan struct{}, 10)
	release := make(chan struct{})
	h := newHarnessWith(t, Config{Workers: 2, AckWait: 50 * time.Millisecond}, workpool.Limits{Depth: 1}, func(bot.Turn) {
		started <- struct{}{}
		<-release
	}, nil)
	go h.postEvent(t, dmEvent("Ev1", "U1", "running"), nil)
	<-started
	resp := h.postEvent(t, dmEvent("Ev2", "U1", "queued"), nil)
	if resp.StatusCode != http.StatusServiceUnavailable || readBody(t, resp) != "not saved\n" {
		t.Errorf("event queued and not saved in time: status = %d, want 503 (not saved)", resp.StatusCode)
	}
	resp = h.postEvent(t, dmEvent("Ev3", "U2", "refused"), nil)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || readBody(t, resp) != "too busy\n" {
		t.Errorf("event past a full queue: status = %d, Retry-After %q; want 503 with Retry-After (Slack redelivers)",
			resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	click := mustJSON(map[string]any{
		"type": "block_actions", "trigger_id": "trig1",
		"user": map[string]any{"id": "U3"}, "team": map[string]any{"id": "T1"},
		"container": map[string]any{"type": "message", "channel_id": "D1", "message_ts": "111.222"},
		"actions":   []any{map[string]any{"type": "button", "action_id": "lp_edit#2", "block_id": "b", "value": "c=abc&v=2"}},
	})
	if resp := h.postInteraction(t, click); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("click past a full queue: status = %d, want 503", resp.StatusCode)
	}
	body := url.Values{"team_id": {"T1"}, "channel_id": {"C9"}, "user_id": {"U1"}, "command": {"/contract"}}.Encode()
	resp = h.post(t, "/slack/commands", "application/x-www-form-urlencoded", []byte(body), time.Time{}, nil)
	var reply map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil || reply["response_type"] != "ephemeral" || reply["text"] == "" {
		t.Errorf("busy command answered %d %v (%v), want an ephemeral note", resp.StatusCode, reply, err)
	}
	close(release)
	turns := h.finish(t)
	var texts []string
	for _, turn := range turns {
		texts = append(texts, turn.Input.Text)
	}
	if strings.Join(texts, ",") != "running,queued" {
		t.Errorf("turns ran for %q, want running,queued", texts)
	}
}

// One person's flood is refused for that person only (429 with
// Retry-After, so Slack redelivers), and cannot crowd out anyone else: on
// the same single worker, another person's event is taken, and answered
// before the rest of the flood's backlog runs. (While the flood's first
// turn is held nothing is saved, so what is taken is answered 503 once
// the acknowledgement wait passes: Slack delivers it again.)
func TestFloodFromOnePerson(t *testing.T) {
	release := make(chan struct{})  // ends the flood's first turn
	answered := make(chan struct{}) // B got a reply
	var first sync.Once
	h := newHarnessWith(t, Config{Workers: 1, AckWait: 10 * time.Millisecond}, defaultLimits, func(turn bot.Turn) {
		if turn.Input.User != "UA" {
			return
		}
		held := answered
		first.Do(func() { held = release })
		<-held
	}, nil)
	var once sync.Once
	h.api.Handle("chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		if r.ParseForm() == nil && r.PostForm.Get("channel") == "DUB" {
			once.Do(func() { close(answered) })
		}
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.000100"}`, r.PostForm.Get("channel"))
	})
	var accepted, refused int
	for i := range 200 {
		resp := h.postEvent(t, dmEvent(fmt.Sprintf("EvA%d", i), "UA", "flood"), nil)
		switch resp.StatusCode {
		case http.StatusServiceUnavailable:
			if body := readBody(t, resp); body != "not saved\n" {
				t.Fatalf("flood event %d: 503 %q, want one taken and not saved yet", i, body)
			}
			accepted++
		case http.StatusTooManyRequests:
			refused++
			if resp.Header.Get("Retry-After") == "" {
				t.Fatalf("flood event %d refused without Retry-After", i)
			}
		default:
			t.Fatalf("flood event %d: status %d, want 503 (taken, not saved yet) or 429", i, resp.StatusCode)
		}
	}
	if accepted > 1+personDepth || refused == 0 {
		t.Errorf("flood: %d accepted, %d refused; want at most %d accepted (one running, %d waiting) and the rest refused",
			accepted, refused, 1+personDepth, personDepth)
	}
	if resp := h.postEvent(t, dmEvent("EvB", "UB", "hello"), nil); resp.StatusCode == http.StatusTooManyRequests || readBody(t, resp) != "not saved\n" {
		t.Fatalf("another person's event during the flood: status %d, want it taken", resp.StatusCode)
	}
	// Only the flood's running turn holds B up: B goes next, while the
	// flood's other turns wait until B is answered.
	close(release)
	select {
	case <-answered:
	case <-time.After(10 * time.Second):
		t.Fatal("the other person was never answered")
	}
	turns := h.finish(t)
	var a int
	for _, turn := range turns {
		if turn.Input.User == "UA" {
			a++
		}
	}
	if a != accepted {
		t.Errorf("%d of the flood's turns ran, want the %d accepted", a, accepted)
	}
}

func TestAfterShutdown(t *testing.T) {
	h := newHarness(t, defaultLimits, nil)
	h.finish(t)
	if resp := h.postEvent(t, dmEvent("Ev1", "U1", "late"), nil); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("event after shutdown: status = %d, want 503 (Slack redelivers)", resp.StatusCode)
	}
}

func equalInput(a, b conversation.Input) bool {
	if len(a.Form) == 0 {
		a.Form = nil
	}
	if len(b.Form) == 0 {
		b.Form = nil
	}
	return reflect.DeepEqual(a, b)
}

// TestRefusedBeforeBody: a request whose signature headers are missing or
// whose timestamp is stale is refused from its headers while its body is
// still arriving, and so is one declaring more than the limit; a stranger
// trickling bodies holds no memory.
func TestRefusedBeforeBody(t *testing.T) {
	h := newHarness(t, defaultLimits, nil)
	stale, fresh := http.Header{}, http.Header{}
	sign(stale, []byte("{}"), time.Now().Add(-6*time.Minute), testSecret)
	sign(fresh, []byte("{}"), time.Now(), testSecret)
	for _, tt := range []struct {
		name   string
		header http.Header
		length int
		want   int
	}{
		{"unsigned", http.Header{}, maxBody, http.StatusUnauthorized},
		{"stale timestamp", stale, maxBody, http.StatusUnauthorized},
		{"declared too long", fresh, maxBody + 1, http.StatusRequestEntityTooLarge},
	} {
		if got := answerBeforeBody(t, h.srv.URL, "/slack/events", tt.header, tt.length); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}
	if turns := h.finish(t); len(turns) != 0 {
		t.Errorf("refused requests started %d turns", len(turns))
	}
}

// answerBeforeBody sends a request's headers, declaring a body of length
// bytes, and 16 bytes of that body, then reads the answer: a server that
// waits for the rest answers nothing before the deadline.
func answerBeforeBody(t *testing.T, base, path string, header http.Header, length int) int {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(length) + "\r\n"
	for k := range header {
		head += k + ": " + header.Get(k) + "\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\n"+`{"type":"event_`); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer while the body was still arriving: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
