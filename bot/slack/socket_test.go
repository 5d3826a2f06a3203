package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/socketmode"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/workpool"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/storage/memory"
)

// socketSlack plays Slack's side of Socket Mode: apps.connections.open on
// the fake Web API hands out a WebSocket URL, and each connection runs the
// script for its number.
type socketSlack struct {
	t       *testing.T
	api     *fakeAPI
	ws      *httptest.Server
	acks    chan socketAck
	mu      sync.Mutex
	conns   int
	scripts []func(c *wsConn)
}

type socketAck struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload"`
}

type wsConn struct {
	*websocket.Conn
	s *socketSlack
}

func newSocketSlack(t *testing.T, scripts ...func(c *wsConn)) *socketSlack {
	s := &socketSlack{t: t, api: newFakeAPI(t), acks: make(chan socketAck, 100), scripts: scripts}
	s.ws = httptest.NewServer(http.HandlerFunc(s.serveWS))
	t.Cleanup(s.ws.Close)
	s.api.Handle("apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer xapp-test" {
			t.Errorf("apps.connections.open authorised with %q, want the app-level token", got)
		}
		fmt.Fprintf(w, `{"ok":true,"url":%q}`, "ws"+strings.TrimPrefix(s.ws.URL, "http")+"/link")
	})
	return s
}

func (s *socketSlack) serveWS(w http.ResponseWriter, r *http.Request) {
	// slack-go dials with Origin https://api.slack.com.
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		s.t.Errorf("upgrade: %v", err)
		return
	}
	defer conn.Close()
	s.mu.Lock()
	n := s.conns
	s.conns++
	s.mu.Unlock()
	acks := make(chan socketAck, 10)
	go func() {
		defer close(acks)
		for {
			var a socketAck
			if err := conn.ReadJSON(&a); err != nil {
				return
			}
			s.acks <- a
			acks <- a
		}
	}()
	c := &wsConn{Conn: conn, s: s}
	c.send(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A1"}})
	if n < len(s.scripts) {
		s.scripts[n](c)
	}
	for range acks { // hold the connection until the client closes it
	}
}

func (c *wsConn) send(v any) {
	if err := c.WriteJSON(v); err != nil {
		c.s.t.Errorf("write: %v", err)
	}
}

// envelope sends one envelope and waits for its acknowledgement.
func (c *wsConn) envelope(typ, id string, payload any) socketAck {
	c.send(map[string]any{"type": typ, "envelope_id": id, "payload": payload, "accepts_response_payload": typ != "events_api"})
	for {
		select {
		case a := <-c.s.acks:
			if a.EnvelopeID == id {
				return a
			}
			c.s.t.Errorf("ack for %q while waiting for %q", a.EnvelopeID, id)
		case <-time.After(10 * time.Second):
			c.s.t.Errorf("no acknowledgement for envelope %s", id)
			return socketAck{}
		}
	}
}

func TestSocketMode(t *testing.T) {
	acks := make(chan socketAck, 10)
	record := func(a socketAck) { acks <- a }
	s := newSocketSlack(t,
		func(c *wsConn) {
			var dm map[string]any
			_ = json.Unmarshal([]byte(dmEvent("Ev1", "U1", "hi &lt;there&gt;")), &dm)
			record(c.envelope("events_api", "env-1", dm))
			record(c.envelope("interactive", "env-2", map[string]any{
				"type": "block_actions", "trigger_id": "trig", "user": map[string]any{"id": "U1"}, "team": map[string]any{"id": "T1"},
				"container": map[string]any{"type": "message", "channel_id": "D1", "message_ts": "5.5"},
				"actions":   []any{map[string]any{"type": "button", "block_id": "b1", "action_id": "lp_approve", "value": "c=x&v=1"}},
			}))
			record(c.envelope("slash_commands", "env-3", map[string]any{
				"team_id": "T1", "channel_id": "C1", "user_id": "U2", "command": "/contract", "text": "status",
			}))
			record(c.envelope("interactive", "env-4", map[string]any{
				"type": "view_submission", "user": map[string]any{"id": "U1"}, "team": map[string]any{"id": "T1"},
				"view": map[string]any{"callback_id": "cb", "state": map[string]any{"values": map[string]any{}}},
			}))
			c.send(map[string]any{"type": "disconnect", "reason": "refresh_requested"})
		},
		func(c *wsConn) {
			var dm map[string]any
			_ = json.Unmarshal([]byte(dmEvent("Ev2", "U3", "after reconnect")), &dm)
			record(c.envelope("events_api", "env-5", dm))
		},
	)

	turns := make(chan bot.Turn, 10)
	engine := newEngine(bot.Config{Store: memory.New(), Log: discardLog()})
	a, err := New(Config{BotToken: "xoxb-test", AppToken: "xapp-test", APIURL: s.api.Base(), Workers: 2}, engine, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	a.handle = func(ctx context.Context, turn bot.Turn) error {
		turns <- turn
		return engine.Handle(ctx, turn)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.RunSocketMode(ctx) }()

	want := map[string]conversation.Input{
		"hi <there>":      {Kind: conversation.TextInput, User: "U1", Channel: "DU1", Text: "hi <there>"},
		"lp_approve":      {Kind: conversation.ActionInput, User: "U1", Channel: "D1", ActionID: "lp_approve", Value: "c=x&v=1", Source: conversation.MessageRef{Channel: "D1", TS: "5.5"}, TriggerID: "trig"},
		"status":          {Kind: conversation.CommandInput, User: "U2", Channel: "C1", Text: "status"},
		"cb":              {Kind: conversation.SubmitInput, User: "U1", CallbackID: "cb"},
		"after reconnect": {Kind: conversation.TextInput, User: "U3", Channel: "DU3", Text: "after reconnect"},
	}
	got := map[string]conversation.Input{}
	for len(got) < len(want) {
		select {
		case turn := <-turns:
			got[firstOf(turn.Input.Text, turn.Input.ActionID, turn.Input.CallbackID)] = turn.Input
			if turn.Team != "T1" {
				t.Errorf("turn in team %q, want T1", turn.Team)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("turns so far: %+v", got)
		}
	}
	for k, w := range want {
		if !equalInput(got[k], w) {
			t.Errorf("turn %q: got %+v, want %+v", k, got[k], w)
		}
	}

	acked := map[string]socketAck{}
	for len(acked) < 5 {
		select {
		case a := <-acks:
			acked[a.EnvelopeID] = a
		case <-time.After(20 * time.Second):
			t.Fatalf("acknowledged so far: %v", acked)
		}
	}
	for _, id := range []string{"env-1", "env-2", "env-3", "env-4", "env-5"} {
		a, ok := acked[id]
		if !ok {
			t.Errorf("envelope %s not acknowledged", id)
		}
		if len(a.Payload) != 0 && string(a.Payload) != "null" {
			t.Errorf("envelope %s acknowledged with payload %s, want none", id, a.Payload)
		}
	}
	if n := len(s.api.Calls("apps.connections.open")); n != 2 {
		t.Errorf("apps.connections.open called %d times, want 2 (a reconnect after disconnect)", n)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunSocketMode returned %v after ctx was done, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunSocketMode did not return after ctx was done")
	}
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := a.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
}

// A connection that cannot be opened is retried until ctx is done.
func TestSocketModeKeepsTrying(t *testing.T) {
	api := newFakeAPI(t)
	attempts := make(chan struct{}, 10)
	api.Handle("apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		attempts <- struct{}{}
		fmt.Fprint(w, `{"ok":false,"error":"invalid_auth"}`)
	})
	a, err := New(Config{BotToken: "xoxb-test", AppToken: "xapp-test", APIURL: api.Base()}, newEngine(bot.Config{Store: memory.New()}), discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.RunSocketMode(ctx) }()
	for range 2 {
		select {
		case <-attempts:
		case err := <-done:
			t.Fatalf("RunSocketMode returned %v before ctx was done", err)
		case <-time.After(10 * time.Second):
			t.Fatal("no retry")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("RunSocketMode = %v, want nil", err)
	}
}

func TestSocketModeNeedsAppToken(t *testing.T) {
	a, err := New(Config{BotToken: "xoxb-test", SigningSecret: "s"}, newEngine(bot.Config{Store: memory.New()}), discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	if err := a.RunSocketMode(context.Background()); err == nil {
		t.Error("RunSocketMode without an app-level token returned nil")
	}
}

// An envelope whose turn cannot be queued is not acknowledged, so Slack
// delivers it again; a slash command, which Slack does not redeliver, is
// acknowledged at once with a note that the bot is busy.
func TestSocketModeFullQueue(t *testing.T) {
	started := make(chan struct{}, 10)
	release := make(chan struct{})
	h := newHarness(t, workpool.Limits{Depth: 1}, func(bot.Turn) {
		started <- struct{}{}
		<-release
	})
	event := func(id, user string) socketmode.Request {
		return socketmode.Request{Type: socketmode.RequestTypeEventsAPI, Payload: json.RawMessage(dmEvent(id, user, "hi"))}
	}
	if r, ok := h.a.socketRequest(event("Ev1", "U1")); !ok || r.wait == nil {
		t.Fatal("first event not queued")
	}
	<-started
	if r, ok := h.a.socketRequest(event("Ev2", "U1")); !ok || r.wait == nil {
		t.Fatal("second event not queued")
	}
	if _, ok := h.a.socketRequest(event("Ev3", "U2")); ok {
		t.Error("event past a full queue acknowledged; want it left for Slack to deliver again")
	}
	click := socketmode.Request{Type: socketmode.RequestTypeInteractive, Payload: json.RawMessage(mustJSON(map[string]any{
		"type": "block_actions", "trigger_id": "trig", "user": map[string]any{"id": "U3"}, "team": map[string]any{"id": "T1"},
		"container": map[string]any{"type": "message", "channel_id": "D1", "message_ts": "5.5"},
		"actions":   []any{map[string]any{"type": "button", "block_id": "b1", "action_id": "lp_approve", "value": "c=x&v=1"}},
	}))}
	if _, ok := h.a.socketRequest(click); ok {
		t.Error("click past a full queue acknowledged")
	}
	command := socketmode.Request{Type: socketmode.RequestTypeSlashCommands, Payload: json.RawMessage(mustJSON(map[string]any{
		"team_id": "T1", "channel_id": "C1", "user_id": "U4", "command": "/contract", "text": "status",
	}))}
	if r, ok := h.a.socketRequest(command); !ok || r.payload == nil || r.wait != nil {
		t.Errorf("busy slash command: payload %v, acknowledged %v, waiting %v; want the busy note at once", r.payload, ok, r.wait != nil)
	}
	close(release)
	if turns := h.finish(t); len(turns) != 2 {
		t.Errorf("%d turns ran, want 2", len(turns))
	}
}
