package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/teams/connectortest"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/embedded"
)

const (
	tenant   = "tenant-1"
	botID    = "28:" + connectortest.AppID
	lee      = "29:lee"
	mo       = "29:mo"
	leeChat  = "a:chat-lee"
	moChat   = "a:chat-mo"
	teamChan = "19:general@thread.tacv2"
)

// env is one adapter wired to a fake Bot Framework and a real embedded
// store.
type env struct {
	t     *testing.T
	fake  *connectortest.Server
	store *embedded.Store
	// turns, when set, is the store adapters built from now on save
	// turns in, instead of store.
	turns storage.Store
	a     *Adapter
	srv   *httptest.Server
	now   time.Time

	mu    sync.Mutex
	waits []time.Duration // retry waits asked for
}

func newEnv(t *testing.T, edit func(*Config)) *env {
	t.Helper()
	e := &env{t: t, fake: connectortest.New(t), now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	st, err := embedded.Open(filepath.Join(t.TempDir(), "lp.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	e.a = e.adapter(edit)
	e.srv = httptest.NewServer(e.a.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// newEngine builds an engine for an adapter under test.
func newEngine(cfg bot.Config) *bot.Engine {
	e, err := bot.New(cfg)
	if err != nil {
		panic(err) // a test's own config
	}
	return e
}

// adapter builds an adapter on the env's fake and store, as a (re)started
// process would.
func (e *env) adapter(edit func(*Config)) *Adapter {
	e.t.Helper()
	var turns storage.Store = e.store
	if e.turns != nil {
		turns = e.turns
	}
	engine := newEngine(bot.Config{Store: turns, Now: func() time.Time { return e.now }, Log: slog.New(slog.DiscardHandler),
		Docs: e.store, Erase: e.store, Reports: bot.Reports{Contracts: e.store}})
	cfg := Config{
		AppID: connectortest.AppID, AppPassword: connectortest.AppPassword, TenantID: tenant,
		ServiceURL: e.fake.ServiceURL(), TokenURL: e.fake.TokenURL(), OpenIDMetadataURL: e.fake.OpenIDMetadataURL(),
		Docs: e.store, Workers: 4,
	}
	if edit != nil {
		edit(&cfg)
	}
	a, err := New(cfg, engine, slog.New(slog.DiscardHandler))
	if err != nil {
		e.t.Fatal(err)
	}
	record := func(ctx context.Context, d time.Duration) error {
		e.mu.Lock()
		e.waits = append(e.waits, d)
		e.mu.Unlock()
		return nil
	}
	a.conn.backoff, a.conn.wait = time.Millisecond, record
	if a.lib != nil {
		a.lib.backoff, a.lib.wait = time.Millisecond, record
	}
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a.Shutdown(ctx)
	})
	return a
}

func (e *env) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	e.t.Cleanup(cancel)
	return ctx
}

// post delivers an activity with a channel token (or the given
// Authorization header when auth is not nil) and returns the status.
func (e *env) post(act map[string]any, auth *string) int {
	e.t.Helper()
	body, err := json.Marshal(act)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.postRaw(body, auth)
}

// postBody delivers an activity with a channel token and returns the
// status and body of the answer.
func (e *env) postBody(act map[string]any) (int, string) {
	e.t.Helper()
	body, err := json.Marshal(act)
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/messages", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.fake.Token(e.fake.ServiceURL(), nil))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func (e *env) postRaw(body []byte, auth *string) int {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/messages", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != nil {
		if *auth != "" {
			req.Header.Set("Authorization", *auth)
		}
	} else {
		req.Header.Set("Authorization", "Bearer "+e.fake.Token(e.fake.ServiceURL(), nil))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

var activitySeq int

// personal is a message activity in a user's personal chat.
func (e *env) personal(user, conv, text string) map[string]any {
	activitySeq++
	return map[string]any{
		"type": "message", "id": "m" + itoa(activitySeq), "serviceUrl": e.fake.ServiceURL(), "channelId": "msteams",
		"from":         map[string]any{"id": user, "name": "Name of " + user},
		"recipient":    map[string]any{"id": botID, "name": "learnpact"},
		"conversation": map[string]any{"id": conv, "conversationType": "personal", "tenantId": tenant},
		"text":         text, "localTimezone": "Europe/Berlin",
		"channelData": map[string]any{"tenant": map[string]any{"id": tenant}},
	}
}

// submit is a card's Action.Submit from user on the card replyTo.
func (e *env) submit(user, conv, replyTo string, value map[string]any) map[string]any {
	act := e.personal(user, conv, "")
	delete(act, "text")
	act["value"] = value
	act["replyToId"] = replyTo
	return act
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// await waits for an activity the bot sent that satisfies cond.
func (e *env) await(what string, cond func(connectortest.Activity) bool) connectortest.Activity {
	e.t.Helper()
	var found connectortest.Activity
	err := e.fake.Await(e.ctx(), func(as []connectortest.Activity) bool {
		for _, a := range as {
			if cond(a) {
				found = a
				return true
			}
		}
		return false
	})
	if err != nil {
		e.t.Fatalf("no activity %s; sent:\n%s", what, dump(e.fake.Activities()))
	}
	return found
}

// sentTo matches a posted activity in conv whose text contains want.
func sentTo(conv, want string) func(connectortest.Activity) bool {
	return func(a connectortest.Activity) bool {
		return a.Method == http.MethodPost && a.Conversation == conv && strings.Contains(string(a.Raw), want)
	}
}

func dump(as []connectortest.Activity) string {
	var b strings.Builder
	for _, a := range as {
		b.WriteString("  " + a.Method + " " + a.Conversation + " " + a.ID + ": " + cardText(a.Body) + "\n")
	}
	return b.String()
}

// cardText is every text in an activity, one line.
func cardText(v any) string {
	var parts []string
	walk(v, func(m map[string]any) {
		for _, k := range []string{"text", "title", "value"} {
			if s, ok := m[k].(string); ok {
				parts = append(parts, s)
			}
		}
	})
	return strings.Join(parts, " | ")
}

// buttonData finds the data of the first submit action whose action id
// is id.
func buttonData(t *testing.T, a connectortest.Activity, id string) map[string]any {
	t.Helper()
	var found map[string]any
	walk(a.Body, func(m map[string]any) {
		if d, ok := m["data"].(map[string]any); ok && found == nil && (d[keyAction] == id || (id == keySubmit && d[keySubmit] != nil)) {
			found = d
		}
	})
	if found == nil {
		t.Fatalf("no button %s on %s", id, cardText(a.Body))
	}
	return found
}
