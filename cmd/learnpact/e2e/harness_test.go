// Package e2e drives the real Slack adapter over HTTP, with signed requests,
// against the sandbox workspace (the one fake Slack) and a real store.
package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/sandbox"
	slackbot "github.com/learnpact/learnpact/bot/slack"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/template"
	"github.com/learnpact/learnpact/scheduler"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/embedded"
	redisstore "github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// start is the sandbox time every test begins at.
var start = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// stores opens each store implementation the flows must pass on.
var stores = map[string]func(t *testing.T) storage.Stores{
	"redis": func(t *testing.T) storage.Stores {
		srv := redistest.Start(t)
		s, err := redisstore.Open(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		return s.Stores()
	},
	"embedded": func(t *testing.T) storage.Stores {
		s, err := embedded.Open(filepath.Join(t.TempDir(), "learnpact.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s.Stores()
	},
}

// harness is one sandbox workspace wired to one bot (adapter + engine) over
// loopback HTTP.
type harness struct {
	t     *testing.T
	ws    *sandbox.Workspace
	store storage.Stores
	srv   *httptest.Server
	bot   *slackbot.Adapter
	sched *scheduler.Scheduler
	// handler is the current bot's HTTP handler; a restart swaps it.
	handler atomic.Pointer[http.Handler]
	mu      sync.Mutex
	seen    map[string]int // per user: DM messages already matched
	// templates are the contract templates the bot offers (none when nil).
	templates *template.Library
}

func newHarness(t *testing.T, store storage.Stores) *harness {
	t.Helper()
	return newHarnessAt(t, store, start)
}

// newHarnessAt starts the sandbox clock at a given time.
func newHarnessAt(t *testing.T, store storage.Stores, at time.Time) *harness {
	t.Helper()
	h := &harness{t: t, store: store, seen: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/slack/", func(w http.ResponseWriter, r *http.Request) {
		(*h.handler.Load()).ServeHTTP(w, r)
	})
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	h.ws = sandbox.New(sandbox.Config{BotURL: h.srv.URL, URL: h.srv.URL, Clock: sandbox.NewClock(at)})
	mux.Handle("/", h.ws.Handler()) // the Web API under /api/, the page everywhere else
	h.startBot()
	t.Cleanup(func() { h.stopBot() })
	return h
}

// startBot builds a fresh engine and adapter on the harness's store, as a
// restarted process would.
func (h *harness) startBot() {
	h.t.Helper()
	dueStore := h.store.Due
	engine := h.newEngine(true)
	a, err := slackbot.New(slackbot.Config{
		BotToken:      h.ws.Token(),
		SigningSecret: h.ws.Secret(),
		APIURL:        h.srv.URL + "/api/",
	}, engine, slog.New(slog.DiscardHandler))
	if err != nil {
		h.t.Fatal(err)
	}
	h.bot = a
	h.sched, err = scheduler.New(scheduler.Config{
		Due: dueStore, Handler: engine, Now: h.ws.Clock().Now,
		Platforms: map[string]bot.Platform{a.Name(): a},
		Log:       slog.New(slog.DiscardHandler),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	hd := a.Handler()
	h.handler.Store(&hd)
}

// newEngine builds an engine on the harness's store and sandbox clock, with
// the scheduler's planner; docs gives it learning sets.
func (h *harness) newEngine(docs bool) *bot.Engine {
	h.t.Helper()
	planner := scheduler.NewPlanner(scheduler.PlannerConfig{})
	cfg := bot.Config{Store: h.store.Turns, Erase: h.store.Erase, Library: h.store.Library, Planner: planner, Now: h.ws.Clock().Now, Log: slog.New(slog.DiscardHandler),
		Templates: h.templates}
	if docs {
		cfg.Docs = h.store.Docs
	}
	engine, err := bot.New(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	return engine
}

func (h *harness) stopBot() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.bot.Shutdown(ctx); err != nil {
		h.t.Errorf("shutdown: %v", err)
	}
}

func (h *harness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	h.t.Cleanup(cancel)
	return ctx
}

// say sends a DM from user to the bot.
func (h *harness) say(user, text string) {
	h.t.Helper()
	if err := h.ws.SendDM(h.ctx(), user, text); err != nil {
		h.t.Fatalf("%s says %q: %v", user, text, err)
	}
}

// click clicks a button on a message.
func (h *harness) click(user string, m sandbox.Message, actionID string) {
	h.t.Helper()
	if err := h.ws.Click(h.ctx(), user, m.Ref(), actionID); err != nil {
		h.t.Fatalf("%s clicks %s: %v", user, actionID, err)
	}
}

// expect waits for the next bot message in user's DM whose text contains
// want, and returns it. Messages before it are passed over.
func (h *harness) expect(user, want string) sandbox.Message {
	h.t.Helper()
	var found sandbox.Message
	err := h.ws.Await(h.ctx(), func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		msgs := h.ws.DM(user)
		for i := h.seen[user]; i < len(msgs); i++ {
			if msgs[i].User == user {
				continue
			}
			if strings.Contains(textOf(msgs[i]), want) {
				found = msgs[i]
				h.seen[user] = i + 1
				return true
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("%s never got a message containing %q; DM:\n%s", user, want, h.dump(user))
	}
	return found
}

// dump renders a DM for failure messages.
func (h *harness) dump(user string) string {
	var b strings.Builder
	for _, m := range h.ws.DM(user) {
		b.WriteString("  [" + m.User + "] " + strings.ReplaceAll(textOf(m), "\n", " ⏎ ") + "\n")
	}
	return b.String()
}

// contracts loads the user's stored contracts.
func (h *harness) contracts(user string) []*contract.Contract {
	h.t.Helper()
	ctx := h.ctx()
	ids, err := h.store.Turns.Contracts(ctx, storage.UserKey{Platform: "slack", Team: h.ws.TeamID(), User: user})
	if err != nil {
		h.t.Fatal(err)
	}
	var out []*contract.Contract
	for _, id := range ids {
		data, rev, err := h.store.Turns.Contract(ctx, id)
		if err != nil {
			h.t.Fatal(err)
		}
		c := new(contract.Contract)
		if err := json.Unmarshal(data, c); err != nil {
			h.t.Fatal(err)
		}
		c.Rev = rev
		out = append(out, c)
	}
	return out
}

// textOf returns every text in a message: its fallback and each "text"
// string in its blocks, one per line.
func textOf(m sandbox.Message) string {
	var parts []string
	parts = append(parts, m.Text)
	var v any
	if len(m.Blocks) > 0 && json.Unmarshal(m.Blocks, &v) == nil {
		collectText(v, &parts)
	}
	return strings.Join(parts, "\n")
}

func collectText(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "text" {
				*out = append(*out, s)
				continue
			}
			collectText(e, out)
		}
	case []any:
		for _, e := range x {
			collectText(e, out)
		}
	}
}

// buttons lists the buttons of a message's blocks.
func buttons(m sandbox.Message) []map[string]any {
	var out []map[string]any
	var v any
	if json.Unmarshal(m.Blocks, &v) != nil {
		return nil
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["type"] == "button" {
				out = append(out, x)
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// actionIDs lists the action ids of a message's buttons.
func actionIDs(m sandbox.Message) []string {
	var ids []string
	for _, b := range buttons(m) {
		id, _ := b["action_id"].(string)
		ids = append(ids, id)
	}
	return ids
}

// clickAs delivers a signed block_actions payload for a button on m as user,
// whether or not the sandbox would let user see m: what a forwarded card or
// a crafted request looks like to the bot.
func (h *harness) clickAs(user string, m sandbox.Message, actionID string) int {
	h.t.Helper()
	value := buttonValue(m, actionID)
	payload := map[string]any{
		"type":       "block_actions",
		"team":       map[string]any{"id": h.ws.TeamID()},
		"user":       map[string]any{"id": user},
		"channel":    map[string]any{"id": m.Channel},
		"container":  map[string]any{"type": "message", "channel_id": m.Channel, "message_ts": m.TS},
		"message":    map[string]any{"ts": m.TS},
		"trigger_id": "1.2.forged",
		"actions": []any{map[string]any{
			"type": "button", "action_id": actionID, "block_id": "b", "value": value, "action_ts": "1",
		}},
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		h.t.Fatal(err)
	}
	body := url.Values{"payload": {string(raw)}}.Encode()
	return h.post("/slack/interactivity", "application/x-www-form-urlencoded", body, time.Now())
}

// post sends a request to the bot signed with the workspace's secret as at
// the given time.
func (h *harness) post(path, contentType, body string, at time.Time) int {
	h.t.Helper()
	req, err := http.NewRequestWithContext(h.ctx(), http.MethodPost, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(h.ws.Secret()))
	mac.Write([]byte("v0:" + ts + ":" + body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// buttonValue returns the value of the first button whose action id starts
// with actionID (the renderer suffixes repeated ids).
func buttonValue(m sandbox.Message, actionID string) string {
	for _, b := range buttons(m) {
		if id, _ := b["action_id"].(string); strings.HasPrefix(id, actionID) {
			v, _ := b["value"].(string)
			return v
		}
	}
	return ""
}

// sweep moves the sandbox clock forward and runs the scheduler once, as its
// cron would.
func (h *harness) sweep(d time.Duration) scheduler.Stats {
	h.t.Helper()
	h.ws.Clock().Advance(d)
	st, err := h.sched.Sweep(h.ctx())
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}
