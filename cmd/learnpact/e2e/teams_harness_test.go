package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/bot/teams"
	"github.com/learnpact/learnpact/bot/teams/connectortest"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/template"
	"github.com/learnpact/learnpact/scheduler"
	"github.com/learnpact/learnpact/storage"
	redisstore "github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// Teams users. Their display names are what the channel sends as from.name.
const (
	teamsTenant   = "tenant-e2e"
	teamsBot      = "28:" + connectortest.AppID
	teamsLearner  = "29:lee"
	teamsManager  = "29:mo"
	teamsStranger = "29:sam"
)

var teamsNames = map[string]string{teamsLearner: "Lee Learner", teamsManager: "Mo Manager", teamsStranger: "Sam Peer",
	teamsAdvocate: "Wen Advocate"}

// teamsHarness is the Teams adapter over loopback HTTP, a fake Bot
// Framework service, a real Redis and the scheduler. It plays the Teams
// clients: it delivers signed activities to /api/messages and reads what
// the bot sent from the fake connector.
type teamsHarness struct {
	t     *testing.T
	fake  *connectortest.Server
	store *redisstore.Store
	clock *sandbox.Clock
	srv   *httptest.Server
	bot   *teams.Adapter
	sched *scheduler.Scheduler

	handler http.Handler
	mu      sync.Mutex
	seq     int
	chats   map[string]string // user → personal chat id
	seen    map[string]int    // user → activities already matched
	// templates are the contract templates the bot offers (none when nil).
	templates *template.Library
}

func newTeamsHarness(t *testing.T) *teamsHarness {
	t.Helper()
	srv := redistest.Start(t)
	store, err := redisstore.Open(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := &teamsHarness{t: t, fake: connectortest.New(t), store: store, clock: sandbox.NewClock(start),
		chats: map[string]string{}, seen: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		hd := h.handler
		h.mu.Unlock()
		hd.ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)
	h.startBot()
	return h
}

// startBot builds a fresh engine, adapter and scheduler on the store, as a
// restarted process would (references, names and time zones are then only
// in storage).
func (h *teamsHarness) startBot() {
	h.t.Helper()
	if h.bot != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.bot.Shutdown(ctx); err != nil {
			h.t.Fatal(err)
		}
	}
	planner := scheduler.NewPlanner(scheduler.PlannerConfig{})
	engine, err := bot.New(bot.Config{Store: h.store, Docs: h.store, Library: h.store, Planner: planner, Now: h.clock.Now, Log: slog.New(slog.DiscardHandler),
		Templates: h.templates})
	if err != nil {
		h.t.Fatal(err)
	}
	a, err := teams.New(teams.Config{
		AppID: connectortest.AppID, AppPassword: connectortest.AppPassword, TenantID: teamsTenant,
		ServiceURL: h.fake.ServiceURL(), TokenURL: h.fake.TokenURL(), OpenIDMetadataURL: h.fake.OpenIDMetadataURL(),
		Docs: h.store,
	}, engine, slog.New(slog.DiscardHandler))
	if err != nil {
		h.t.Fatal(err)
	}
	a2 := a
	h.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a2.Shutdown(ctx)
	})
	h.sched, err = scheduler.New(scheduler.Config{
		Due: h.store, Handler: engine, Now: h.clock.Now,
		Platforms: map[string]bot.Platform{a.Name(): a}, Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.mu.Lock()
	h.bot, h.handler = a, a.Handler()
	h.mu.Unlock()
}

func (h *teamsHarness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	h.t.Cleanup(cancel)
	return ctx
}

// chat is the user's personal chat with the bot: the one the bot started,
// or the one the user opened by writing ("" while there is none).
func (h *teamsHarness) chat(user string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.chats[user]; ok {
		return c
	}
	for _, c := range h.fake.Conversations() {
		if len(c.Members) == 1 && c.Members[0] == user {
			h.chats[user] = c.ID
			return c.ID
		}
	}
	return ""
}

// openChat is the user's chat, opened when they have none.
func (h *teamsHarness) openChat(user string) string {
	if c := h.chat(user); c != "" {
		return c
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.chats[user] = "a:chat-" + strings.TrimPrefix(user, "29:")
	return h.chats[user]
}

// activity is an activity from user in their personal chat.
func (h *teamsHarness) activity(typ, user string) map[string]any {
	h.mu.Lock()
	h.seq++
	id := fmt.Sprintf("f:%d", h.seq)
	h.mu.Unlock()
	return map[string]any{
		"type": typ, "id": id, "channelId": "msteams", "serviceUrl": h.fake.ServiceURL(),
		"from":          map[string]any{"id": user, "name": teamsNames[user], "aadObjectId": "aad-" + user},
		"recipient":     map[string]any{"id": teamsBot, "name": "learnpact"},
		"conversation":  map[string]any{"id": h.openChat(user), "conversationType": "personal", "tenantId": teamsTenant},
		"channelData":   map[string]any{"tenant": map[string]any{"id": teamsTenant}},
		"localTimezone": "Europe/Berlin",
		"entities":      []any{map[string]any{"type": "clientInfo", "locale": "en-GB", "timezone": "Europe/Berlin"}},
	}
}

// deliver posts an activity to the bot with a channel token and returns
// the status.
func (h *teamsHarness) deliver(act map[string]any) int {
	h.t.Helper()
	body, err := json.Marshal(act)
	if err != nil {
		h.t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(h.ctx(), http.MethodPost, h.srv.URL+"/api/messages", bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+h.fake.Token(h.fake.ServiceURL(), nil))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (h *teamsHarness) mustDeliver(act map[string]any) {
	h.t.Helper()
	if code := h.deliver(act); code != http.StatusOK {
		h.t.Fatalf("activity answered %d", code)
	}
}

// install adds the bot to user's personal scope, as installing the app
// does.
func (h *teamsHarness) install(user string) {
	h.t.Helper()
	act := h.activity("conversationUpdate", user)
	act["membersAdded"] = []any{map[string]any{"id": teamsBot}}
	h.mustDeliver(act)
}

// say sends a message from user to the bot in their personal chat.
func (h *teamsHarness) say(user, text string) {
	h.t.Helper()
	act := h.activity("message", user)
	act["text"] = text
	h.mustDeliver(act)
}

// sayMentioning sends text with an @mention of who (written @Name).
func (h *teamsHarness) sayMentioning(user, who string) {
	h.t.Helper()
	at := "<at>" + teamsNames[who] + "</at>"
	act := h.activity("message", user)
	act["text"] = at
	act["entities"] = []any{map[string]any{"type": "mention", "text": at, "mentioned": map[string]any{"id": who, "name": teamsNames[who]}}}
	h.mustDeliver(act)
}

// click presses the button with actionID on card as user, with inputs
// filled in (Teams delivers the card's data merged with its inputs). A
// card in someone else's chat is pressed from user's own chat, as a
// forwarded card would be.
func (h *teamsHarness) click(user string, card connectortest.Activity, actionID string, inputs map[string]string) int {
	h.t.Helper()
	data := teamsButton(h.t, card, actionID)
	for k, v := range inputs {
		data[k] = v
	}
	act := h.activity("message", user)
	act["value"] = data
	act["replyToId"] = card.ID
	return h.deliver(act)
}

// teamsButton is the data of the first submit action whose action id is
// id ("lp_submit" finds a form's submit).
func teamsButton(t *testing.T, card connectortest.Activity, id string) map[string]any {
	t.Helper()
	var found map[string]any
	teamsWalk(card.Body, func(m map[string]any) {
		d, ok := m["data"].(map[string]any)
		if !ok || found != nil {
			return
		}
		if d["lp"] == id || (id == "lp_submit" && d["lp_submit"] != nil) {
			found = map[string]any{}
			for k, v := range d {
				found[k] = v
			}
		}
	})
	if found == nil {
		t.Fatalf("no button %s on the card: %s", id, teamsText(card))
	}
	return found
}

func teamsWalk(v any, f func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		f(x)
		for _, e := range x {
			teamsWalk(e, f)
		}
	case []any:
		for _, e := range x {
			teamsWalk(e, f)
		}
	}
}

// teamsText is every text of an activity, one per line.
func teamsText(a connectortest.Activity) string {
	var parts []string
	teamsWalk(a.Body, func(m map[string]any) {
		for _, k := range []string{"text", "title", "summary"} {
			if s, ok := m[k].(string); ok {
				parts = append(parts, s)
			}
		}
	})
	return strings.Join(parts, "\n")
}

// teamsActions lists a card's button action ids.
func teamsActions(a connectortest.Activity) []string {
	var ids []string
	teamsWalk(a.Body, func(m map[string]any) {
		if d, ok := m["data"].(map[string]any); ok {
			if id, ok := d["lp"].(string); ok {
				ids = append(ids, id)
			}
		}
	})
	return ids
}

// expect waits for the next activity the bot posted into user's chat whose
// text contains want, and returns it; activities before it are passed
// over.
func (h *teamsHarness) expect(user, want string) connectortest.Activity {
	h.t.Helper()
	return h.expectWhere(user, want, http.MethodPost)
}

// expectUpdate waits for the next update of a card in user's chat whose
// text contains want.
func (h *teamsHarness) expectUpdate(user, want string) connectortest.Activity {
	h.t.Helper()
	return h.expectWhere(user, want, http.MethodPut)
}

func (h *teamsHarness) expectWhere(user, want, method string) connectortest.Activity {
	h.t.Helper()
	var found connectortest.Activity
	err := h.fake.Await(h.ctx(), func(as []connectortest.Activity) bool {
		chat := h.chat(user)
		if chat == "" {
			return false
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		for i := h.seen[user+method]; i < len(as); i++ {
			a := as[i]
			if a.Method != method || !strings.HasPrefix(a.Conversation, chat) {
				continue
			}
			if strings.Contains(teamsText(a), want) {
				found = a
				h.seen[user+method] = i + 1
				return true
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("%s never got %s containing %q; chat:\n%s", user, method, want, h.dump(user))
	}
	return found
}

func (h *teamsHarness) dump(user string) string {
	var b strings.Builder
	chat := h.chat(user)
	for _, a := range h.fake.Activities() {
		if a.Conversation == chat {
			b.WriteString("  " + a.Method + " " + a.ID + ": " + strings.ReplaceAll(teamsText(a), "\n", " ⏎ ") + "\n")
		}
	}
	return b.String()
}

// contracts loads the user's stored contracts.
func (h *teamsHarness) contracts(user string) []*contract.Contract {
	h.t.Helper()
	ctx := h.ctx()
	ids, err := h.store.Contracts(ctx, storage.UserKey{Platform: "teams", Team: teamsTenant, User: user})
	if err != nil {
		h.t.Fatal(err)
	}
	var out []*contract.Contract
	for _, id := range ids {
		data, rev, err := h.store.Contract(ctx, id)
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

// sweep moves the clock forward and runs the scheduler once.
func (h *teamsHarness) sweep(d time.Duration) scheduler.Stats {
	h.t.Helper()
	h.clock.Advance(d)
	st, err := h.sched.Sweep(h.ctx())
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}
