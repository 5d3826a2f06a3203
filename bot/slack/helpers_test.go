package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/workpool"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/memory"
)

// apiCall is one request the fake Web API received.
type apiCall struct {
	Method string
	Form   url.Values
	Body   []byte
	At     time.Time
}

// fakeAPI is a tiny Slack Web API: auth.test, conversations.open and the
// chat and views methods answer ok; tests override methods with Handle.
type fakeAPI struct {
	*httptest.Server
	mu       sync.Mutex
	calls    []apiCall
	handlers map[string]http.HandlerFunc
}

func newFakeAPI(t testing.TB) *fakeAPI {
	f := &fakeAPI{handlers: map[string]http.HandlerFunc{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) Handle(method string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[method] = h
}

func (f *fakeAPI) Calls(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	f.calls = append(f.calls, apiCall{Method: method, Form: form, Body: body, At: time.Now()})
	h := f.handlers[method]
	f.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if h != nil {
		h(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch method {
	case "auth.test":
		fmt.Fprint(w, `{"ok":true,"user_id":"UBOT","team_id":"T1","bot_id":"BBOT"}`)
	case "conversations.open":
		fmt.Fprintf(w, `{"ok":true,"channel":{"id":"D%s"}}`, strings.TrimPrefix(form.Get("users"), "U"))
	case "chat.postMessage", "chat.update":
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.000100"}`, form.Get("channel"))
	case "users.info":
		fmt.Fprint(w, `{"ok":true,"user":{"id":"U1","tz":"Europe/Berlin"}}`)
	default:
		fmt.Fprint(w, `{"ok":true}`)
	}
}

// URL is the Web API base the adapter is configured with.
func (f *fakeAPI) Base() string { return f.URL + "/api" }

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// harness is an adapter in HTTP mode with a recording engine.
type harness struct {
	a     *Adapter
	srv   *httptest.Server
	api   *fakeAPI
	store *memory.Store
	turns chan bot.Turn
}

// defaultLimits are the pool limits New gives an adapter.
var defaultLimits = workpool.Limits{PerKey: personDepth}

func newHarness(t *testing.T, limits workpool.Limits, gate func(bot.Turn)) *harness {
	t.Helper()
	return newHarnessWith(t, Config{Workers: 2}, limits, gate, nil)
}

// newHarnessAt is newHarness with the adapter's and the engine's clock.
func newHarnessAt(t *testing.T, limits workpool.Limits, gate func(bot.Turn), now func() time.Time) *harness {
	t.Helper()
	return newHarnessWith(t, Config{Workers: 2, Now: now}, limits, gate, nil)
}

// newHarnessWith is newHarness with cfg's workers, clock and
// acknowledgement wait, on api (a new fake when nil), the adapter changed
// by tweaks before it starts.
func newHarnessWith(t *testing.T, cfg Config, limits workpool.Limits, gate func(bot.Turn), api *fakeAPI, tweaks ...func(*Adapter)) *harness {
	t.Helper()
	h := &harness{store: memory.New()}
	return h.start(t, cfg, h.store, limits, gate, api, tweaks...)
}

// start builds h's adapter on store, with cfg's workers, clock,
// acknowledgement wait and outbox (which must be store's, if any).
func (h *harness) start(t testing.TB, cfg Config, store storage.Store, limits workpool.Limits, gate func(bot.Turn), api *fakeAPI, tweaks ...func(*Adapter)) *harness {
	t.Helper()
	if api == nil {
		api = newFakeAPI(t)
	}
	h.api, h.turns = api, make(chan bot.Turn, 1000)
	engine := newEngine(bot.Config{Store: store, Log: discardLog(), Now: cfg.Now})
	a, err := newAdapter(Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: h.api.Base(), Workers: cfg.Workers, Now: cfg.Now,
		AckWait: cfg.AckWait, Outbox: cfg.Outbox},
		engine, discardLog(), limits, tweaks...)
	if err != nil {
		t.Fatal(err)
	}
	a.handle = func(ctx context.Context, turn bot.Turn) error {
		h.turns <- turn
		if gate != nil {
			gate(turn)
		}
		return engine.Handle(ctx, turn)
	}
	h.a = a
	h.srv = httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		h.srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Shutdown(ctx)
	})
	return h
}

// knowsBot waits until the adapter has learnt the bot's identity.
func (h *harness) knowsBot(t *testing.T) {
	t.Helper()
	select {
	case <-h.a.idKnown:
	case <-time.After(10 * time.Second):
		t.Fatal("the bot's identity was never learnt")
	}
}

// finish shuts the adapter down, waiting for every accepted turn, and
// returns the turns that ran.
func (h *harness) finish(t *testing.T) []bot.Turn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.a.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	close(h.turns)
	var out []bot.Turn
	for turn := range h.turns {
		out = append(out, turn)
	}
	return out
}

// post sends a request signed at ts (now when zero).
func (h *harness) post(t testing.TB, path, contentType string, body []byte, ts time.Time, extra http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if ts.IsZero() {
		ts = time.Now()
	}
	sign(req.Header, body, ts, testSecret)
	for k, v := range extra {
		req.Header[k] = v
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (h *harness) postEvent(t testing.TB, event string, extra http.Header) *http.Response {
	return h.post(t, "/slack/events", "application/json", []byte(event), time.Time{}, extra)
}

func (h *harness) postInteraction(t *testing.T, payload string) *http.Response {
	body := url.Values{"payload": {payload}}.Encode()
	return h.post(t, "/slack/interactivity", "application/x-www-form-urlencoded", []byte(body), time.Time{}, nil)
}

func sign(hd http.Header, body []byte, ts time.Time, secret string) {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	hd.Set("X-Slack-Request-Timestamp", stamp)
	hd.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// dmEvent is an Events API callback for a DM from user.
func dmEvent(eventID, user, text string) string {
	return mustJSON(map[string]any{
		"type": "event_callback", "team_id": "T1", "event_id": eventID,
		"event": map[string]any{
			"type": "message", "channel_type": "im", "channel": "D" + user, "user": user, "text": text, "ts": "1.1",
		},
	})
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// newEngine builds an engine for an adapter under test.
func newEngine(cfg bot.Config) *bot.Engine {
	e, err := bot.New(cfg)
	if err != nil {
		panic(err) // a test's own config
	}
	return e
}
