package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/memory"
	redisstore "github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

var errStoreDown = errors.New("store down")

// faultyStore is a store whose turns fail while it is down (Load, Save
// and FirstSeen) or while only its Saves fail, and that counts the turns
// it saved. Its outbox fails while it is down, too.
type faultyStore struct {
	storage.Store
	outbox   storage.DueStore
	down     atomic.Bool
	failSave atomic.Bool
	saves    atomic.Int32
	// failed hears of each call refused (never blocking).
	failed chan string
}

func newFaultyStore(s storage.Stores) *faultyStore {
	f := &faultyStore{Store: s.Turns, failed: make(chan string, 100)}
	f.outbox = faultyOutbox{DueStore: s.Outbox("slack"), s: f}
	return f
}

func (f *faultyStore) refuse(call string) error {
	select {
	case f.failed <- call:
	default:
	}
	return errStoreDown
}

func (f *faultyStore) Load(ctx context.Context, u storage.UserKey, id, event string) (storage.Snapshot, error) {
	if f.down.Load() {
		return storage.Snapshot{}, f.refuse("load")
	}
	return f.Store.Load(ctx, u, id, event)
}

func (f *faultyStore) Save(ctx context.Context, w storage.TurnWrite) error {
	if f.down.Load() || f.failSave.Load() {
		return f.refuse("save")
	}
	err := f.Store.Save(ctx, w)
	if err == nil && w.Session != nil {
		f.saves.Add(1)
	}
	return err
}

func (f *faultyStore) FirstSeen(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	if f.down.Load() {
		return false, f.refuse("first seen")
	}
	return f.Store.FirstSeen(ctx, id, ttl)
}

type faultyOutbox struct {
	storage.DueStore
	s *faultyStore
}

func (o faultyOutbox) Schedule(ctx context.Context, items ...storage.DueItem) error {
	if o.s.down.Load() {
		return o.s.refuse("schedule")
	}
	return o.DueStore.Schedule(ctx, items...)
}

func (o faultyOutbox) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]storage.Claim, error) {
	if o.s.down.Load() {
		return nil, o.s.refuse("claim")
	}
	return o.DueStore.Claim(ctx, now, limit, lease)
}

// newFaultyHarness is an adapter in HTTP mode with an outbox, on a
// faulty memory store.
func newFaultyHarness(t *testing.T) (*harness, *faultyStore) {
	t.Helper()
	fs := newFaultyStore(memory.New().Stores())
	h := (&harness{}).start(t, Config{Workers: 2, Outbox: fs.outbox}, fs, defaultLimits, nil, nil)
	return h, fs
}

// delivered flushes the outbox and returns the texts Slack was sent with
// chat.postMessage to channel, in order.
func (h *harness) delivered(t testing.TB, channel string) []string {
	t.Helper()
	if _, err := h.a.FlushOutbox(t.Context()); err != nil {
		t.Fatalf("flush: %v", err)
	}
	var out []string
	for _, c := range h.api.Calls("chat.postMessage") {
		if c.Form.Get("channel") == channel {
			out = append(out, c.Form.Get("text"))
		}
	}
	return out
}

// waitTurns waits for the turns accepted so far, and takes no more.
func (h *harness) waitTurns(t *testing.T) {
	t.Helper()
	if err := h.a.pool.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func retryHeader(n string) http.Header {
	hd := http.Header{}
	hd.Set("X-Slack-Retry-Num", n)
	hd.Set("X-Slack-Retry-Reason", "http_error")
	return hd
}

// TestEventRefusedUntilSaved: an event whose save fails is answered 503,
// with nothing sent (Slack will retry it); redelivered once the store
// has recovered it is applied, and further redeliveries are acknowledged
// without running it again.
func TestEventRefusedUntilSaved(t *testing.T) {
	h, fs := newFaultyHarness(t)
	fs.failSave.Store(true)
	resp := h.postEvent(t, dmEvent("Ev1", "U1", "new"), nil)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("event whose save failed: status %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if got := h.delivered(t, "DU1"); len(got) != 0 {
		t.Errorf("sent %q for an event Slack will retry, want nothing", got)
	}
	if n := len(h.api.Calls("chat.postMessage")); n != 0 {
		t.Errorf("%d messages sent (an apology?) while Slack will retry, want none", n)
	}

	fs.failSave.Store(false)
	for _, retry := range []string{"1", "2"} {
		if resp := h.postEvent(t, dmEvent("Ev1", "U1", "new"), retryHeader(retry)); resp.StatusCode != http.StatusOK {
			t.Fatalf("retry %s after the store recovered: status %d, want 200", retry, resp.StatusCode)
		}
	}
	if n := fs.saves.Load(); n != 1 {
		t.Errorf("the event was applied %d times, want once", n)
	}
	got := h.delivered(t, "DU1")
	if len(got) != 1 || !strings.Contains(got[0], "contract") {
		t.Errorf("answers %q, want the one answer to \"new\"", got)
	}
}

// TestRedeliveryOfAppliedEvent: when an event is acknowledged it is
// stored as applied, and its redelivery is acknowledged without a second
// turn.
func TestRedeliveryOfAppliedEvent(t *testing.T) {
	h, fs := newFaultyHarness(t)
	if resp := h.postEvent(t, dmEvent("Ev1", "U1", "new"), nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	snap, err := fs.Load(t.Context(), storage.UserKey{Platform: "slack", Team: "T1", User: "U1"}, "", "slack:Ev1")
	if err != nil || !snap.Applied {
		t.Fatalf("at its acknowledgement the event is applied: %v (err %v), want true", snap.Applied, err)
	}
	if resp := h.postEvent(t, dmEvent("Ev1", "U1", "new"), retryHeader("1")); resp.StatusCode != http.StatusOK {
		t.Fatalf("redelivery: status %d, want 200", resp.StatusCode)
	}
	if n := fs.saves.Load(); n != 1 {
		t.Errorf("%d turns saved, want 1", n)
	}
	if got := h.delivered(t, "DU1"); len(got) != 1 {
		t.Errorf("answers %q, want one", got)
	}
}

// TestInteractionsAppliedOnce: a click delivered twice (same trigger_id)
// and a form submitted twice (same view) are applied once each; another
// click on the same button is a turn of its own.
func TestInteractionsAppliedOnce(t *testing.T) {
	h, fs := newFaultyHarness(t)
	click := func(trigger string) string {
		return mustJSON(map[string]any{
			"type": "block_actions", "trigger_id": trigger,
			"user": map[string]any{"id": "U1"}, "team": map[string]any{"id": "T1"},
			"container": map[string]any{"type": "message", "channel_id": "DU1", "message_ts": "1.1"},
			"actions":   []any{map[string]any{"type": "button", "action_id": "lp_help", "block_id": "b", "value": ""}},
		})
	}
	submit := func(trigger string) string {
		return mustJSON(map[string]any{
			"type": "view_submission", "trigger_id": trigger, "user": map[string]any{"id": "U1"}, "team": map[string]any{"id": "T1"},
			"view": map[string]any{"id": "V1", "callback_id": "changes", "private_metadata": "c=abc&v=2",
				"state": map[string]any{"values": map[string]any{}}},
		})
	}
	for i, payload := range []string{click("t1"), click("t1"), click("t2"), submit("t3"), submit("t4")} {
		if resp := h.postInteraction(t, payload); resp.StatusCode != http.StatusOK {
			t.Fatalf("interaction %d: status %d", i, resp.StatusCode)
		}
	}
	if n := fs.saves.Load(); n != 3 {
		t.Errorf("%d turns saved, want 3: two clicks and one submission", n)
	}
}

// TestLastRetryApologisesDirectly: with the store down, the last retry of
// an event is still refused, and the person is told at once through the
// Web API, not through the outbox (which is in the store that is down).
func TestLastRetryApologisesDirectly(t *testing.T) {
	h, fs := newFaultyHarness(t)
	fs.down.Store(true)
	if resp := h.postEvent(t, dmEvent("Ev1", "U1", "new"), retryHeader("2")); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("retry 2 with the store down: status %d, want 503", resp.StatusCode)
	}
	if n := len(h.api.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("%d messages sent before the last retry, want none", n)
	}
	if resp := h.postEvent(t, dmEvent("Ev1", "U1", "new"), retryHeader("3")); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("last retry with the store down: status %d, want 503", resp.StatusCode)
	}
	h.waitTurns(t) // the apology is sent on the turn's worker
	posts := h.api.Calls("chat.postMessage")
	// The fake conversations.open answers D1 for U1.
	if len(posts) != 1 || posts[0].Form.Get("channel") != "D1" || !strings.Contains(posts[0].Form.Get("text"), "went wrong") {
		t.Fatalf("posts %+v, want one apology in U1's DM", posts)
	}
}

// crashable is a store shared with a process that dies at crash():
// nothing reaches the store from it afterwards. Its outbox's Schedule
// waits for the crash, so a message queued apart from its turn's save is
// lost with the process.
type crashable struct {
	storage.Store
	outbox  storage.DueStore
	crashed chan struct{}
}

var errCrashed = errors.New("the process died")

func (c *crashable) dead() bool {
	select {
	case <-c.crashed:
		return true
	default:
		return false
	}
}

func (c *crashable) Load(ctx context.Context, u storage.UserKey, id, event string) (storage.Snapshot, error) {
	if c.dead() {
		return storage.Snapshot{}, errCrashed
	}
	return c.Store.Load(ctx, u, id, event)
}

func (c *crashable) Save(ctx context.Context, w storage.TurnWrite) error {
	if c.dead() {
		return errCrashed
	}
	return c.Store.Save(ctx, w)
}

func (c *crashable) FirstSeen(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	if c.dead() {
		return false, errCrashed
	}
	return c.Store.FirstSeen(ctx, id, ttl)
}

type crashableOutbox struct {
	storage.DueStore
	c *crashable
}

func (o crashableOutbox) Schedule(ctx context.Context, items ...storage.DueItem) error {
	select {
	case <-o.c.crashed:
		return errCrashed
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (o crashableOutbox) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]storage.Claim, error) {
	if o.c.dead() {
		return nil, errCrashed
	}
	return o.DueStore.Claim(ctx, now, limit, lease)
}

// TestReplySurvivesCrash: the process dies right after acknowledging an
// event, before it delivers the reply; a new process on the same store
// delivers it.
func TestReplySurvivesCrash(t *testing.T) {
	stores := map[string]func(t *testing.T) (first, second storage.Stores){
		"memory": func(t *testing.T) (storage.Stores, storage.Stores) {
			s := memory.New().Stores()
			return s, s
		},
		"redis": func(t *testing.T) (storage.Stores, storage.Stores) {
			srv := redistest.Start(t)
			open := func() storage.Stores {
				s, err := redisstore.Open(srv.URL())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s.Stores()
			}
			return open(), open()
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			first, second := open(t)
			c := &crashable{Store: first.Turns, crashed: make(chan struct{})}
			c.outbox = crashableOutbox{DueStore: first.Outbox("slack"), c: c}
			api := newFakeAPI(t)
			dying := (&harness{}).start(t, Config{Workers: 2, Outbox: c.outbox}, c, defaultLimits, nil, api)
			if resp := dying.postEvent(t, dmEvent("Ev1", "U1", "new"), nil); resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			close(c.crashed)
			if n := len(api.Calls("chat.postMessage")); n != 0 {
				t.Fatalf("%d messages sent by the process that died, want none", n)
			}

			next := (&harness{}).start(t, Config{Workers: 2, Outbox: second.Outbox("slack")}, second.Turns, defaultLimits, nil, api)
			got := next.delivered(t, "DU1")
			if len(got) != 1 || !strings.Contains(got[0], "contract") {
				t.Errorf("the new process delivered %q, want the answer to \"new\"", got)
			}
		})
	}
}

// TestSocketModeAckAfterSave: an envelope whose turn fails before its
// save is not acknowledged (Slack delivers it again); its redelivery,
// once the store is back, is applied and acknowledged, once.
func TestSocketModeAckAfterSave(t *testing.T) {
	fs := newFaultyStore(memory.New().Stores())
	fs.down.Store(true)
	recovered := make(chan struct{})
	acked := make(chan socketAck, 10)
	s := newSocketSlack(t, func(c *wsConn) {
		var dm map[string]any
		_ = json.Unmarshal([]byte(dmEvent("Ev1", "U1", "new")), &dm)
		c.send(map[string]any{"type": "events_api", "envelope_id": "env-1", "payload": dm})
		<-recovered
		// Slack's retry: the same event in a new envelope. Its
		// acknowledgement must be the first one.
		c.send(map[string]any{"type": "events_api", "envelope_id": "env-2", "payload": dm, "retry_attempt": 1})
		for a := range c.s.acks {
			acked <- a
			if a.EnvelopeID == "env-2" {
				return
			}
		}
	})
	engine := newEngine(bot.Config{Store: fs, Log: discardLog()})
	a, err := New(Config{BotToken: "xoxb-test", AppToken: "xapp-test", APIURL: s.api.Base(), Workers: 2, Outbox: fs.outbox}, engine, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.RunSocketMode(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		a.Shutdown(context.Background())
	})

	select {
	case <-fs.failed:
	case <-time.After(10 * time.Second):
		t.Fatal("the first delivery never reached the store")
	}
	fs.down.Store(false)
	close(recovered)
	var ids []string
	for len(ids) == 0 || ids[len(ids)-1] != "env-2" {
		select {
		case a := <-acked:
			ids = append(ids, a.EnvelopeID)
		case <-time.After(10 * time.Second):
			t.Fatalf("acknowledged %v, want env-2", ids)
		}
	}
	if len(ids) != 1 {
		t.Errorf("acknowledged %v, want only env-2: env-1 failed before its save", ids)
	}
	if n := fs.saves.Load(); n != 1 {
		t.Errorf("%d turns saved, want 1", n)
	}
}

// A failed save of a slash command, which Slack does not redeliver, is
// answered 200 once the turn is over, and apologised for in the DM.
func TestSlashCommandStoreDown(t *testing.T) {
	h, fs := newFaultyHarness(t)
	fs.down.Store(true)
	body := url.Values{"team_id": {"T1"}, "channel_id": {"C9"}, "user_id": {"U1"}, "command": {"/contract"},
		"text": {"new"}, "trigger_id": {"trig"}}.Encode()
	resp := h.post(t, "/slack/commands", "application/x-www-form-urlencoded", []byte(body), time.Time{}, nil)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d, want 200 (Slack does not redeliver commands)", resp.StatusCode)
	}
	h.waitTurns(t)
	posts := h.api.Calls("chat.postMessage")
	if len(posts) != 1 || !strings.Contains(posts[0].Form.Get("text"), "went wrong") {
		t.Errorf("posts %+v, want one apology", posts)
	}
}
