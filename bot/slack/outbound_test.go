package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage/memory"
)

func newOutbound(t *testing.T) (*Adapter, *fakeAPI) {
	t.Helper()
	api := newFakeAPI(t)
	// The URL has no trailing slash: New adds it.
	a, err := New(Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: api.Base()}, newEngine(bot.Config{Store: memory.New()}), discardLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Shutdown(context.Background()) })
	return a, api
}

var hello = message.Message{Summary: "Hello & welcome", Blocks: []message.Block{
	message.Section{Text: message.T("Hi ", message.Bold("there"))},
	message.Actions{Buttons: []message.Button{{Label: "Start", ActionID: "lp_start", Value: "c=1&v=1", Style: message.Primary}}},
}}

// Slack's Retry-After is honoured: the second call comes no sooner than
// the server asked.
func TestRateLimitRetryAfter(t *testing.T) {
	a, api := newOutbound(t)
	var n atomic.Int32
	api.Handle("chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, `{"ok":true,"channel":"C1","ts":"2.0"}`)
	})
	ref, err := a.Post(context.Background(), "C1", hello)
	if err != nil {
		t.Fatal(err)
	}
	if ref != (conversation.MessageRef{Channel: "C1", TS: "2.0"}) {
		t.Errorf("ref = %+v", ref)
	}
	calls := api.Calls("chat.postMessage")
	if len(calls) != 2 {
		t.Fatalf("chat.postMessage called %d times, want 2", len(calls))
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("retried after %v, before Retry-After (1s)", gap)
	}
}

func TestRateLimitBounded(t *testing.T) {
	a, api := newOutbound(t)
	a.minRetryWait = time.Millisecond
	api.Handle("chat.update", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	err := a.Update(context.Background(), conversation.MessageRef{Channel: "C1", TS: "1.0"}, hello)
	if _, ok := errors.AsType[*slackapi.RateLimitedError](err); !ok {
		t.Errorf("err = %v, want a rate-limit error", err)
	}
	if n := len(api.Calls("chat.update")); n != maxRateLimitRetries+1 {
		t.Errorf("chat.update called %d times, want %d", n, maxRateLimitRetries+1)
	}
}

// TestPublishHomeNotRetried: a rate-limited views.publish is given up at
// once, so the worker that refreshes homes after a turn never waits out a
// Retry-After.
func TestPublishHomeNotRetried(t *testing.T) {
	a, api := newOutbound(t)
	api.Handle("views.publish", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	err := a.PublishHome(context.Background(), "U1", hello)
	if _, ok := errors.AsType[*slackapi.RateLimitedError](err); !ok {
		t.Errorf("err = %v, want a rate-limit error", err)
	}
	if n := len(api.Calls("views.publish")); n != 1 {
		t.Errorf("views.publish called %d times, want 1", n)
	}
}

func TestRateLimitWaitCancelled(t *testing.T) {
	a, api := newOutbound(t)
	ctx, cancel := context.WithCancel(context.Background())
	api.Handle("chat.postEphemeral", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
		cancel()
	})
	err := a.Ephemeral(ctx, "C1", "U1", hello)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if n := len(api.Calls("chat.postEphemeral")); n != 1 {
		t.Errorf("chat.postEphemeral called %d times, want 1", n)
	}
}

func TestSendDM(t *testing.T) {
	a, api := newOutbound(t)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		user := []string{"U1", "U2"}[i%2]
		wg.Go(func() {
			ref, err := a.SendDM(context.Background(), user, hello)
			if err == nil && ref.Channel != "D"+user[1:] {
				err = fmt.Errorf("DM to %s went to %s", user, ref.Channel)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(api.Calls("conversations.open")); n != 2 {
		t.Errorf("conversations.open called %d times, want once per user", n)
	}
	post := api.Calls("chat.postMessage")[0]
	wantBlocks, wantText := Render(hello)
	if got, want := post.Form.Get("blocks"), mustJSON(wantBlocks); got != want {
		t.Errorf("blocks = %s\nwant %s", got, want)
	}
	if got := post.Form.Get("text"); got != wantText || got != "Hello &amp; welcome" {
		t.Errorf("text = %q, want %q", got, wantText)
	}
}

func TestUpdateEphemeralModal(t *testing.T) {
	a, api := newOutbound(t)
	ctx := context.Background()
	if err := a.Update(ctx, conversation.MessageRef{Channel: "C1", TS: "9.9"}, hello); err != nil {
		t.Fatal(err)
	}
	if err := a.Ephemeral(ctx, "C2", "U1", hello); err != nil {
		t.Fatal(err)
	}
	modal := message.Modal{CallbackID: "changes", PrivateData: "c=1&v=2", Title: "Ask for changes",
		Blocks: []message.Block{message.Input{ID: "comment", Label: "What should change?", Multiline: true}}}
	if err := a.OpenModal(ctx, "trig", modal); err != nil {
		t.Fatal(err)
	}
	up := api.Calls("chat.update")
	if len(up) != 1 || up[0].Form.Get("channel") != "C1" || up[0].Form.Get("ts") != "9.9" {
		t.Errorf("chat.update calls = %+v", up)
	}
	eph := api.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("channel") != "C2" || eph[0].Form.Get("user") != "U1" {
		t.Errorf("chat.postEphemeral calls = %+v", eph)
	}
	views := api.Calls("views.open")
	if len(views) != 1 {
		t.Fatalf("views.open called %d times", len(views))
	}
	var got struct {
		TriggerID string          `json:"trigger_id"`
		View      json.RawMessage `json:"view"`
	}
	if err := json.Unmarshal(views[0].Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.TriggerID != "trig" || string(got.View) != mustJSON(RenderModal(modal)) {
		t.Errorf("views.open got %s %s", got.TriggerID, got.View)
	}
}

// A card only its clicker sees has no ts for chat.update: it is replaced
// through the click's response_url.
func TestUpdateThroughResponseURL(t *testing.T) {
	a, api := newOutbound(t)
	ref := conversation.MessageRef{Channel: "C1", ReplaceURL: api.URL + "/actions/T1/1/x"}
	if err := a.Update(context.Background(), ref, hello); err != nil {
		t.Fatal(err)
	}
	if up := api.Calls("chat.update"); len(up) != 0 {
		t.Errorf("chat.update called for a message without a ts: %+v", up)
	}
	calls := api.Calls("/actions/T1/1/x")
	if len(calls) != 1 {
		t.Fatalf("response_url called %d times, want once", len(calls))
	}
	var got struct {
		Replace bool              `json:"replace_original"`
		Text    string            `json:"text"`
		Blocks  []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(calls[0].Body, &got); err != nil {
		t.Fatal(err)
	}
	if !got.Replace || got.Text == "" || len(got.Blocks) != 2 {
		t.Errorf("response_url got %s", calls[0].Body)
	}
}

func TestSlackErrorsReachTheCaller(t *testing.T) {
	a, api := newOutbound(t)
	api.Handle("views.open", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"ok":false,"error":"expired_trigger_id"}`)
	})
	err := a.OpenModal(context.Background(), "trig", message.Modal{Title: "x"})
	var slackErr slackapi.SlackErrorResponse
	if !errors.As(err, &slackErr) || slackErr.Err != "expired_trigger_id" {
		t.Errorf("err = %v, want Slack's expired_trigger_id", err)
	}
}

func TestNewValidates(t *testing.T) {
	engine := newEngine(bot.Config{Store: memory.New()})
	bad := []Config{
		{SigningSecret: "s"},
		{BotToken: "xoxb"},
		{BotToken: "xoxb", SigningSecret: "s", APIURL: "ftp://example.com/api/"},
		{BotToken: "xoxb", SigningSecret: "s", APIURL: "::"},
	}
	for _, cfg := range bad {
		if a, err := New(cfg, engine, nil); err == nil {
			a.Shutdown(context.Background())
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
	if _, err := New(Config{BotToken: "xoxb", SigningSecret: "s"}, nil, nil); err == nil {
		t.Error("New without an engine succeeded")
	}
	a, err := New(Config{BotToken: "xoxb", SigningSecret: "s"}, engine, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	if a.cfg.APIURL != "https://slack.com/api/" || a.cfg.Workers != 8 {
		t.Errorf("defaults: %+v", a.cfg)
	}
}
