package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/outbox"
	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/embedded"
	"github.com/learnpact/learnpact/storage/memory"
	redisstore "github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// outboxStart is the sandbox time the outbox tests begin at.
var outboxStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// logRecorder keeps what a logger wrote, for tests that check errors are
// logged.
type logRecorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *logRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(p)
}

func (r *logRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

func (r *logRecorder) logger() *slog.Logger { return slog.New(slog.NewTextHandler(r, nil)) }

// outboxEnv is the sandbox serving the Web API on a frozen clock, and
// adapters that queue in an outbox and take their time from that clock.
type outboxEnv struct {
	ws    *sandbox.Workspace
	clock *sandbox.Clock
	api   *httptest.Server
	log   *logRecorder
}

func newOutboxEnv(t *testing.T, people []sandbox.Person) *outboxEnv {
	t.Helper()
	e := &outboxEnv{clock: sandbox.NewClock(outboxStart), log: &logRecorder{}}
	e.ws = sandbox.New(sandbox.Config{Clock: e.clock, People: people})
	e.api = httptest.NewServer(e.ws.APIHandler())
	t.Cleanup(e.api.Close)
	return e
}

// adapter returns an adapter on store, shut down when the test ends.
func (e *outboxEnv) adapter(t *testing.T, store storage.DueStore) *Adapter {
	t.Helper()
	a, err := New(Config{
		BotToken:      e.ws.Token(),
		SigningSecret: e.ws.Secret(),
		APIURL:        e.api.URL + "/api/",
		Outbox:        store,
		Now:           e.clock.Now,
	}, newEngine(bot.Config{Store: memory.New()}), e.log.logger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Shutdown(context.Background()) })
	return a
}

// drain flushes the outbox, moving the clock to each time something was
// put off until, until nothing is left. It returns how many messages were
// delivered and how many flushes it took.
func (e *outboxEnv) drain(t *testing.T, a *Adapter) (delivered, flushes int) {
	t.Helper()
	for ; flushes < 10_000; flushes++ {
		n, err := a.FlushOutbox(t.Context())
		if err != nil {
			t.Fatalf("flush %d: %v", flushes, err)
		}
		delivered += n
		next, due := a.out.NextPending(e.clock.Now())
		if due {
			t.Fatalf("flush %d left messages due", flushes)
		}
		if next.IsZero() {
			return delivered, flushes + 1
		}
		e.clock.Set(next)
	}
	t.Fatalf("the outbox did not drain in %d flushes", flushes)
	return
}

// retune rebuilds a's drain, not started yet, with change made to its
// configuration.
func retune(tb testing.TB, a *Adapter, change func(*outbox.Config)) {
	tb.Helper()
	c := a.drainConfig(a.cfg)
	change(&c)
	d, err := outbox.New(c)
	if err != nil {
		tb.Fatal(err)
	}
	a.out = d
}

// outboxStores open an outbox on each store; reopen opens it again on the
// same data, as a restarted process would.
var outboxStores = map[string]func(t *testing.T) (open func() storage.DueStore, closeStore func()){
	"embedded": func(t *testing.T) (func() storage.DueStore, func()) {
		path := filepath.Join(t.TempDir(), "learnpact.db")
		var s *embedded.Store
		open := func() storage.DueStore {
			var err error
			if s, err = embedded.Open(path); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s.Outbox("slack")
		}
		return open, func() { s.Close() }
	},
	"redis": func(t *testing.T) (func() storage.DueStore, func()) {
		srv := redistest.Start(t)
		var s *redisstore.Store
		open := func() storage.DueStore {
			var err error
			if s, err = redisstore.Open(srv.URL()); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s.Outbox("slack")
		}
		return open, func() { s.Close() }
	},
}

// people returns n workspace members.
func people(n int) []sandbox.Person {
	out := make([]sandbox.Person, n)
	for i := range out {
		out[i] = sandbox.Person{ID: fmt.Sprintf("U%04d", i+1), Name: fmt.Sprintf("p%d", i+1)}
	}
	return out
}

// withMarker is a message whose notification text is its marker.
func withMarker(marker string) message.Message {
	return message.Message{Summary: marker, Blocks: []message.Block{message.Section{Text: message.T("Message " + marker)}}}
}

// destination is where message i of a test goes: the learning set, or
// the DM of one of the people.
type destination struct {
	channel string // sandbox.LearningSet, or "" for a DM
	user    string
}

func (d destination) conversation(ws *sandbox.Workspace) string {
	if d.channel != "" {
		return d.channel
	}
	return ws.DMChannel(d.user)
}

func (d destination) send(ctx context.Context, a *Adapter, m message.Message) error {
	if d.channel != "" {
		_, err := a.Post(ctx, d.channel, m)
		return err
	}
	_, err := a.SendDM(ctx, d.user, m)
	return err
}

// destinations returns the learning set and the DMs of ps.
func destinations(ps []sandbox.Person) []destination {
	out := []destination{{channel: sandbox.LearningSet}}
	for _, p := range ps {
		out = append(out, destination{user: p.ID})
	}
	return out
}

// queueMarked queues n messages marked m000, m001, … over dests in turn,
// and returns each conversation's markers in the order queued.
func queueMarked(t *testing.T, ws *sandbox.Workspace, a *Adapter, dests []destination, n int) map[string][]string {
	t.Helper()
	want := map[string][]string{}
	for i := range n {
		d := dests[i%len(dests)]
		marker := fmt.Sprintf("m%03d", i)
		if err := d.send(t.Context(), a, withMarker(marker)); err != nil {
			t.Fatalf("queue %s: %v", marker, err)
		}
		c := d.conversation(ws)
		want[c] = append(want[c], marker)
	}
	return want
}

// delivered returns the markers each conversation shows, in order.
func deliveredMarkers(ws *sandbox.Workspace, convs []string) map[string][]string {
	got := map[string][]string{}
	for _, c := range convs {
		for _, m := range ws.Channel(c) {
			if m.User == ws.BotUserID() {
				got[c] = append(got[c], m.Text)
			}
		}
	}
	return got
}

// checkDelivered fails unless every conversation shows exactly the
// markers queued to it, once each, in the order queued.
func checkDelivered(t *testing.T, ws *sandbox.Workspace, want map[string][]string) {
	t.Helper()
	got := deliveredMarkers(ws, slices.Collect(func(yield func(string) bool) {
		for c := range want {
			if !yield(c) {
				return
			}
		}
	}))
	seen := map[string]int{}
	for c, markers := range got {
		for _, m := range markers {
			seen[m]++
		}
		if !slices.Equal(markers, want[c]) {
			t.Errorf("%s shows %q\nwant %q", c, markers, want[c])
		}
	}
	for _, markers := range want {
		for _, m := range markers {
			if seen[m] != 1 {
				t.Errorf("%s delivered %d times, want once", m, seen[m])
			}
		}
	}
}

// checkEmpty fails unless the outbox holds nothing, due or not.
func checkEmpty(t *testing.T, store storage.DueStore) {
	t.Helper()
	cs, err := store.Claim(t.Context(), outboxStart.Add(365*24*time.Hour), 1000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) > 0 {
		t.Errorf("%d messages left in the outbox, e.g. %s", len(cs), cs[0].Item.Data)
	}
}

// checkRateLimits fails when a chat.postMessage call came before the
// Retry-After of a 429 to its channel had passed, or went over the
// channel's rate (a burst of 3, then one a second) or the workspace's.
func checkRateLimits(t *testing.T, calls []sandbox.Call) {
	t.Helper()
	byChannel := map[string][]sandbox.Call{}
	for i, c := range calls {
		if i > 0 && c.At.Before(calls[i-1].At) {
			t.Fatalf("call %d at %s logged after one at %s", i, c.At, calls[i-1].At)
		}
		byChannel[c.Channel] = append(byChannel[c.Channel], c)
	}
	checkRate(t, "the workspace", calls, methodRates[methodPost])
	for ch, cs := range byChannel {
		var heldUntil time.Time
		for _, c := range cs {
			if c.At.Before(heldUntil) {
				t.Errorf("%s: call at %s, before the Retry-After that ends at %s", ch, c.At.Format(time.StampMilli), heldUntil.Format(time.StampMilli))
			}
			if c.Status == http.StatusTooManyRequests {
				heldUntil = c.At.Add(c.RetryAfter)
			}
		}
		checkRate(t, ch, cs, channelRate)
	}
}

// checkRate fails when calls, in time order, went over r: more than
// r.burst calls plus one per r.every in any stretch of time.
func checkRate(t *testing.T, what string, calls []sandbox.Call, r rate) {
	t.Helper()
	for i, c := range calls {
		for j := range i {
			if allowed := r.burst + int(c.At.Sub(calls[j].At)/r.every); i-j+1 > allowed {
				t.Fatalf("%s: %d calls from %s to %s, over the rate", what, i-j+1, calls[j].At.Format(time.StampMilli), c.At.Format(time.StampMilli))
			}
		}
	}
}

func count(calls []sandbox.Call, status int) int {
	n := 0
	for _, c := range calls {
		if c.Status == status {
			n++
		}
	}
	return n
}

// TestOutboxUnderFailures queues 300 messages to 20 conversations while
// Slack answers 30% of chat.postMessage calls with 429 (Retry-After: 1)
// and 5% with 500: each message arrives once, in order within its
// conversation, and no call breaks a Retry-After or a channel's rate.
func TestOutboxUnderFailures(t *testing.T) {
	const n = 300
	for name, stores := range outboxStores {
		t.Run(name, func(t *testing.T) {
			ps := people(19)
			e := newOutboxEnv(t, ps)
			e.ws.FailRandomly(methodPost, 0.3, 0.05, time.Second, 7)
			open, _ := stores(t)
			store := open()
			a := e.adapter(t, store)
			want := queueMarked(t, e.ws, a, destinations(ps), n)

			delivered, flushes := e.drain(t, a)
			if delivered != n {
				t.Errorf("FlushOutbox counted %d deliveries, want %d", delivered, n)
			}
			checkDelivered(t, e.ws, want)
			checkEmpty(t, store)
			calls := e.ws.CallLog(methodPost)
			checkRateLimits(t, calls)
			limited, failed := count(calls, http.StatusTooManyRequests), count(calls, http.StatusInternalServerError)
			if len(calls) != n+limited+failed {
				t.Errorf("%d chat.postMessage calls: %d delivered, %d rate limited, %d failed; want each message sent once", len(calls), n, limited, failed)
			}
			if limited == 0 || failed == 0 {
				t.Errorf("no failures to recover from: %d rate limited, %d failed", limited, failed)
			}
			if opens := len(e.ws.CallLog(methodOpen)); opens != len(ps) {
				t.Errorf("conversations.open called %d times, want once per DM (%d)", opens, len(ps))
			}
			t.Logf("%d messages to %d conversations delivered in %s of clock time, %d flushes; %d calls: %d answered 429, %d answered 500",
				n, len(want), e.clock.Now().Sub(outboxStart), flushes, len(calls), limited, failed)
		})
	}
}

// TestOutboxRestart: messages that could not be delivered before the bot
// stopped are delivered, once each and in order, by the next process.
func TestOutboxRestart(t *testing.T) {
	const n = 50
	for name, stores := range outboxStores {
		t.Run(name, func(t *testing.T) {
			ps := people(4)
			e := newOutboxEnv(t, ps)
			e.ws.FailRandomly(methodPost, 0, 1, 0, 1)
			open, closeStore := stores(t)
			a := e.adapter(t, open())
			want := queueMarked(t, e.ws, a, destinations(ps), n)
			// Four failures put the next attempts further off than
			// Shutdown waits.
			for range 4 {
				if _, err := a.FlushOutbox(t.Context()); err != nil {
					t.Fatal(err)
				}
				next, _ := a.out.NextPending(e.clock.Now())
				e.clock.Set(next)
			}
			if err := a.Shutdown(t.Context()); err != nil {
				t.Fatalf("shutdown: %v", err)
			}
			if got := count(e.ws.CallLog(methodPost), http.StatusOK); got != 0 {
				t.Fatalf("%d messages delivered while Slack failed", got)
			}
			closeStore()

			e.ws.FailRandomly(methodPost, 0, 0, 0, 0)
			store := open()
			b := e.adapter(t, store)
			e.clock.Advance(5 * time.Minute * 5 / 4) // past any backoff
			delivered, _ := e.drain(t, b)
			if delivered != n {
				t.Errorf("the new process delivered %d messages, want %d", delivered, n)
			}
			checkDelivered(t, e.ws, want)
			checkEmpty(t, store)
		})
	}
}

// TestOutboxRefused: a message Slack refuses is dropped and logged, not
// retried, and does not hold up the others.
func TestOutboxRefused(t *testing.T) {
	e := newOutboxEnv(t, people(1))
	open, _ := outboxStores["embedded"](t)
	store := open()
	a := e.adapter(t, store)
	ctx := t.Context()
	if _, err := a.Post(ctx, "C0NOWHERE", withMarker("lost")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SendDM(ctx, "U0NOBODY", withMarker("nobody")); err != nil {
		t.Fatal(err)
	}
	want := queueMarked(t, e.ws, a, []destination{{channel: sandbox.LearningSet}}, 2)
	if delivered, _ := e.drain(t, a); delivered != 2 {
		t.Errorf("delivered %d, want 2", delivered)
	}
	e.clock.Advance(time.Hour)
	if _, err := a.FlushOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, e.ws, want)
	checkEmpty(t, store)
	var toNowhere int
	for _, c := range e.ws.CallLog(methodPost) {
		if c.Channel == "C0NOWHERE" {
			toNowhere++
		}
	}
	if toNowhere != 1 {
		t.Errorf("the refused message was sent %d times, want once", toNowhere)
	}
	if n := len(e.ws.CallLog(methodOpen)); n != 1 {
		t.Errorf("conversations.open for an unknown user called %d times, want once", n)
	}
	logs := e.log.String()
	for _, code := range []string{"channel_not_found", "user_not_found"} {
		if !strings.Contains(logs, "dropping a message the platform refused") || !strings.Contains(logs, code) {
			t.Errorf("no error logged for %s:\n%s", code, logs)
		}
	}
}

// TestOutboxGivesUp: a message whose calls keep failing is retried with
// growing backoff, then given up and logged.
func TestOutboxGivesUp(t *testing.T) {
	e := newOutboxEnv(t, people(1))
	e.ws.FailRandomly(methodPost, 0, 1, 0, 1)
	open, _ := outboxStores["embedded"](t)
	store := open()
	a := e.adapter(t, store)
	if _, err := a.Post(t.Context(), sandbox.LearningSet, withMarker("doomed")); err != nil {
		t.Fatal(err)
	}
	e.drain(t, a)
	calls := e.ws.CallLog(methodPost)
	if len(calls) != maxDeliveryAttempts {
		t.Fatalf("%d calls, want %d", len(calls), maxDeliveryAttempts)
	}
	for i := 1; i < len(calls); i++ {
		base := min(time.Second<<(i-1), 5*time.Minute)
		if gap := calls[i].At.Sub(calls[i-1].At); gap < base || gap > base*5/4+time.Millisecond {
			t.Errorf("retry %d came %s after the failure, want %s plus up to a quarter", i, gap, base)
		}
	}
	checkEmpty(t, store)
	if logs := e.log.String(); !strings.Contains(logs, "giving up a message after repeated failures") {
		t.Errorf("giving up was not logged:\n%s", logs)
	}
}

// TestOutboxRunsAndStops runs the deliverer on the real clock: a queued
// message is delivered without a flush, and Shutdown delivers what was
// queued after the deliverer stopped.
func TestOutboxRunsAndStops(t *testing.T) {
	ws := sandbox.New(sandbox.Config{})
	api := httptest.NewServer(ws.APIHandler())
	defer api.Close()
	open, _ := outboxStores["embedded"](t)
	store := open()
	settled := newSettleRecorder(store)
	a, err := New(Config{BotToken: ws.Token(), SigningSecret: ws.Secret(), APIURL: api.URL + "/api/", Outbox: settled},
		newEngine(bot.Config{Store: memory.New()}), discardLog())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	runCtx, stopRun := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- a.RunOutbox(runCtx) }()

	if _, err := a.SendDM(ctx, sandbox.Learner, withMarker("first")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-settled.batches: // delivered and marked done
	case <-ctx.Done():
		t.Fatal("the queued message was not delivered")
	}
	if err := a.RunOutbox(ctx); err == nil {
		t.Error("a second RunOutbox started")
	}
	stopRun()
	if err := <-ran; err != nil {
		t.Errorf("RunOutbox: %v", err)
	}
	if _, err := a.SendDM(ctx, sandbox.Learner, withMarker("last")); err != nil {
		t.Fatal(err)
	}
	if err := a.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := deliveredMarkers(ws, []string{ws.DMChannel(sandbox.Learner)})[ws.DMChannel(sandbox.Learner)]; !slices.Equal(got, []string{"first", "last"}) {
		t.Errorf("DM shows %q after Shutdown, want first and last", got)
	}
	checkEmpty(t, store)
}

// TestOutboxShutdownDrains: Shutdown delivers the messages that wait a
// second or two for their rate limit, and leaves those put off further
// for the next start.
func TestOutboxShutdownDrains(t *testing.T) {
	ps := people(1)
	e := newOutboxEnv(t, ps)
	open, closeStore := outboxStores["embedded"](t)
	a := e.adapter(t, open())
	retune(t, a, func(c *outbox.Config) {
		c.Sleep = func(_ context.Context, d time.Duration) error {
			e.clock.Advance(d)
			return nil
		}
	})
	e.ws.FailNext(methodPost, http.StatusTooManyRequests, time.Minute, 1)
	if _, err := a.Post(t.Context(), sandbox.LearningSet, withMarker("later")); err != nil {
		t.Fatal(err)
	}
	if n, err := a.FlushOutbox(t.Context()); n != 0 || err != nil {
		t.Fatalf("FlushOutbox = %d, %v; want the message put off", n, err)
	}
	dm := destination{user: ps[0].ID}
	want := queueMarked(t, e.ws, a, []destination{dm}, 5) // a burst of 3, then one a second
	if err := a.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, e.ws, want)
	if waited := e.clock.Now().Sub(outboxStart); waited != 2*time.Second {
		t.Errorf("Shutdown waited %s of clock time, want 2s for the DM's rate", waited)
	}
	if got := deliveredMarkers(e.ws, []string{sandbox.LearningSet})[sandbox.LearningSet]; len(got) != 0 {
		t.Errorf("a message put off a minute was delivered by Shutdown: %q", got)
	}
	closeStore()

	b := e.adapter(t, open())
	e.clock.Advance(time.Minute)
	if n, err := b.FlushOutbox(t.Context()); n != 1 || err != nil {
		t.Errorf("the next start delivered %d, %v; want the message put off", n, err)
	}
}

// TestOutboxSendsWhatDirectSendingSends: the queued message reaches Slack
// with the same blocks and text, and SendDM, Post and Update return at
// once without calling Slack.
func TestOutboxSendsWhatDirectSendingSends(t *testing.T) {
	api := newFakeAPI(t)
	clock := sandbox.NewClock(outboxStart)
	a, err := New(Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: api.Base(), Outbox: memory.New().Outbox("slack"), Now: clock.Now},
		newEngine(bot.Config{Store: memory.New()}), discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	ctx := t.Context()
	ref, err := a.SendDM(ctx, "U1", hello)
	if err != nil || ref != (conversation.MessageRef{}) {
		t.Fatalf("SendDM = %+v, %v; want an empty ref", ref, err)
	}
	if _, err := a.Post(ctx, "C1", hello); err != nil {
		t.Fatal(err)
	}
	if err := a.Update(ctx, conversation.MessageRef{Channel: "C1", TS: "9.9"}, hello); err != nil {
		t.Fatal(err)
	}
	if err := a.Update(ctx, conversation.MessageRef{Channel: "C1"}, hello); err == nil {
		t.Error("an update without a ts was queued")
	}
	if _, err := a.Post(ctx, "", hello); err == nil {
		t.Error("a post without a channel was queued")
	}
	if n := len(api.Calls("chat.postMessage")) + len(api.Calls("chat.update")) + len(api.Calls("conversations.open")); n > 0 {
		t.Fatalf("%d calls before the outbox was flushed", n)
	}
	if n, err := a.FlushOutbox(ctx); err != nil || n != 3 {
		t.Fatalf("FlushOutbox = %d, %v; want 3", n, err)
	}
	wantBlocks, wantText := Render(hello)
	posts, updates := api.Calls("chat.postMessage"), api.Calls("chat.update")
	if len(posts) != 2 || len(updates) != 1 {
		t.Fatalf("%d posts and %d updates, want 2 and 1", len(posts), len(updates))
	}
	for _, c := range append(posts, updates...) {
		if got, want := c.Form.Get("blocks"), mustJSON(wantBlocks); got != want {
			t.Errorf("%s blocks = %s\nwant %s", c.Method, got, want)
		}
		if got := c.Form.Get("text"); got != wantText {
			t.Errorf("%s text = %q, want %q", c.Method, got, wantText)
		}
	}
	to := []string{posts[0].Form.Get("channel"), posts[1].Form.Get("channel")}
	if slices.Sort(to); !slices.Equal(to, []string{"C1", "D1"}) {
		t.Errorf("posts went to %q, want C1 and D1", to)
	}
	if u := updates[0].Form; u.Get("channel") != "C1" || u.Get("ts") != "9.9" {
		t.Errorf("update of %s %s, want C1 9.9", u.Get("channel"), u.Get("ts"))
	}
}

// TestOutboxHoldsBack: after a 429 on chat.postMessage the channel waits,
// with the messages queued behind it and after it, while others go on;
// the messages held back then go a second apart. A 429 on chat.update
// holds back every update.
func TestOutboxHoldsBack(t *testing.T) {
	api := newFakeAPI(t)
	clock := sandbox.NewClock(outboxStart)
	var mu sync.Mutex
	failOn := map[string]string{"chat.postMessage": "C1", "chat.update": "C4"}
	var order []string
	for method := range failOn {
		api.Handle(method, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if r.FormValue("channel") == failOn[method] {
				failOn[method] = ""
				w.Header().Set("Retry-After", "2")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			order = append(order, r.FormValue("channel")+":"+r.FormValue("text"))
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1.0"}`, r.FormValue("channel"))
		})
	}
	a, err := New(Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: api.Base(), Outbox: memory.New().Outbox("slack"), Now: clock.Now},
		newEngine(bot.Config{Store: memory.New()}), discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	ctx := t.Context()
	post := func(channel, text string) {
		t.Helper()
		if _, err := a.Post(ctx, channel, withMarker(text)); err != nil {
			t.Fatal(err)
		}
	}
	update := func(channel, text string) {
		t.Helper()
		if err := a.Update(ctx, conversation.MessageRef{Channel: channel, TS: "1.0"}, withMarker(text)); err != nil {
			t.Fatal(err)
		}
	}
	// flush advances the clock by d, flushes, and checks what was
	// delivered: in order within a channel, in any order across them.
	flush := func(d time.Duration, want ...string) {
		t.Helper()
		clock.Advance(d)
		mu.Lock()
		order = nil
		mu.Unlock()
		if _, err := a.FlushOutbox(ctx); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		slices.Sort(order)
		if !slices.Equal(order, want) {
			t.Errorf("at +%s delivered %q, want %q", clock.Now().Sub(outboxStart), order, want)
		}
	}
	post("C1", "a")
	post("C1", "b")
	post("C2", "x")
	flush(0, "C2:x")
	post("C1", "c") // queued after the 429: waits behind a and b
	flush(time.Second)
	flush(time.Second, "C1:a", "C1:b", "C1:c") // the channel's burst is whole again

	update("C4", "u1")
	flush(0)
	update("C3", "u2") // another channel, same method: held too
	flush(time.Second)
	flush(time.Second, "C3:u2", "C4:u1")
}

func TestLimiter(t *testing.T) {
	l := newLimiterFor(DefaultMessagesPerMinute)
	now := outboxStart
	// book takes the first slot for a call, at now or later, and checks
	// it is want.
	book := func(method, channel string, want time.Time) {
		t.Helper()
		at := latest(l.channelWait(method, channel, now), l.methodWait(method, now))
		if !at.Equal(want) {
			t.Errorf("a call of %s to %s at +0 may go at +%s; want +%s", method, channel, at.Sub(now), want.Sub(now))
		}
		l.take(method, channel, at)
	}
	// A channel's burst, then one a second, in the order booked.
	for range channelRate.burst {
		book(methodPost, "C1", now)
	}
	book(methodPost, "C1", now.Add(time.Second))
	book(methodPost, "C1", now.Add(2*time.Second))
	book(methodPost, "C2", now)
	// Waiting for a channel is not waiting for the workspace.
	if got := l.channelWait(methodPost, "C1", now); !got.Equal(now.Add(3 * time.Second)) {
		t.Errorf("channelWait(C1) = +%s, want +3s", got.Sub(now))
	}
	if got := l.methodWait(methodPost, now); !got.Equal(now) {
		t.Errorf("methodWait(chat.postMessage) = +%s, want now", got.Sub(now))
	}

	// The workspace budget of a method, shared by every channel.
	r := methodRates[methodUpdate]
	for i := range r.burst {
		book(methodUpdate, fmt.Sprint("C", i), now)
	}
	book(methodUpdate, "C99", now.Add(r.every))
	book(methodUpdate, "C98", now.Add(2*r.every))

	// A hold puts a channel, or a method, off until it ends.
	l.holdChannel("C3", now.Add(5*time.Second))
	l.holdMethod(methodOpen, now.Add(3*time.Second))
	if got := l.channelWait(methodPost, "C3", now); !got.Equal(now.Add(5 * time.Second)) {
		t.Errorf("held channel: held until +%s", got.Sub(now))
	}
	if got := l.channelWait(methodPost, "C4", now); !got.Equal(now) {
		t.Errorf("another channel: held until +%s", got.Sub(now))
	}
	book(methodPost, "C3", now.Add(5*time.Second))
	book(methodOpen, "", now.Add(3*time.Second))

	l.prune(now.Add(time.Hour))
	if len(l.channels)+len(l.channelHolds)+len(l.methodHolds) > 0 {
		t.Errorf("prune kept %d channels, %d channel holds, %d method holds", len(l.channels), len(l.channelHolds), len(l.methodHolds))
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err   error
		want  outbox.Outcome
		after time.Duration
	}{
		{&slackapi.RateLimitedError{RetryAfter: 3 * time.Second}, outbox.RateLimited, 3 * time.Second},
		{fmt.Errorf("slack chat.postMessage: %w", &slackapi.RateLimitedError{RetryAfter: time.Second}), outbox.RateLimited, time.Second},
		{slackapi.StatusCodeError{Code: 429}, outbox.RateLimited, 0},
		{slackapi.StatusCodeError{Code: 500}, outbox.Retryable, 0},
		{slackapi.StatusCodeError{Code: 503}, outbox.Retryable, 0},
		{slackapi.StatusCodeError{Code: 404}, outbox.Permanent, 0},
		{slackapi.SlackErrorResponse{Err: "channel_not_found"}, outbox.Permanent, 0},
		{slackapi.SlackErrorResponse{Err: "invalid_blocks"}, outbox.Permanent, 0},
		{slackapi.SlackErrorResponse{Err: "not_in_channel"}, outbox.Permanent, 0},
		{slackapi.SlackErrorResponse{Err: "internal_error"}, outbox.Retryable, 0},
		{slackapi.SlackErrorResponse{Err: "invalid_auth"}, outbox.Retryable, 0},
		{slackapi.SlackErrorResponse{Err: "ratelimited"}, outbox.RateLimited, 0},
		{errors.New("dial tcp: connection refused"), outbox.Retryable, 0},
	}
	for _, tc := range tests {
		if got, after := classify(tc.err); got != tc.want || after != tc.after {
			t.Errorf("classify(%v) = %d, %s; want %d, %s", tc.err, got, after, tc.want, tc.after)
		}
	}
}

// TestOutboxDropsUnreadable: an item that is not a message the outbox
// wrote is dropped with an error, not retried forever.
func TestOutboxDropsUnreadable(t *testing.T) {
	e := newOutboxEnv(t, people(1))
	store := memory.New().Outbox("slack")
	a := e.adapter(t, store)
	bad := []string{`{`, `{"method":"chat.delete","channel":"C1","blocks":[]}`, `{"method":"chat.update","channel":"C1","blocks":[]}`}
	for i, data := range bad {
		if err := store.Schedule(t.Context(), storage.DueItem{ID: strconv.Itoa(i), At: outboxStart, Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := a.FlushOutbox(t.Context()); n != 0 || err != nil {
		t.Errorf("FlushOutbox = %d, %v; want nothing delivered", n, err)
	}
	checkEmpty(t, store)
	if got := strings.Count(e.log.String(), "dropping an unreadable queued message"); got != len(bad) {
		t.Errorf("%d unreadable messages logged, want %d:\n%s", got, len(bad), e.log.String())
	}
}

// settleRecorder is an outbox store that reports what is marked done: each
// DoneAll batch's messages, by their text, and how many single Dones.
type settleRecorder struct {
	storage.DueStore
	batches chan []string
	singles atomic.Int32
}

func newSettleRecorder(store storage.DueStore) *settleRecorder {
	return &settleRecorder{DueStore: store, batches: make(chan []string, 1000)}
}

func (r *settleRecorder) Done(ctx context.Context, c storage.Claim) error {
	r.singles.Add(1)
	return r.DueStore.Done(ctx, c)
}

func (r *settleRecorder) DoneAll(ctx context.Context, claims ...storage.Claim) ([]error, error) {
	res, err := r.DueStore.DoneAll(ctx, claims...)
	texts := make([]string, len(claims))
	for i, c := range claims {
		var j job
		if json.Unmarshal(c.Item.Data, &j) == nil {
			texts[i] = j.Text
		}
	}
	r.batches <- texts
	return res, err
}

// received returns the batches recorded so far.
func (r *settleRecorder) received() [][]string {
	var out [][]string
	for {
		select {
		case b := <-r.batches:
			out = append(out, b)
		default:
			return out
		}
	}
}

// TestOutboxSettlesInBatches: the messages Slack took are marked done
// outbox.SettleBatch at a time and when the pass ends, in one store call each,
// never one by one; none is left in the store or sent twice.
func TestOutboxSettlesInBatches(t *testing.T) {
	stores := map[string]func(t *testing.T) storage.DueStore{
		"memory": func(*testing.T) storage.DueStore { return memory.New().Outbox("slack") },
	}
	for name, s := range outboxStores {
		stores[name] = func(t *testing.T) storage.DueStore {
			open, _ := s(t)
			return open()
		}
	}
	const n = 2*outbox.SettleBatch + outbox.SettleBatch/2
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			store := open(t)
			rec := newSettleRecorder(store)
			s := newSimOn(t, rec, sandbox.NewClock(outboxStart), NoBudget)
			retune(t, s.a, func(c *outbox.Config) { c.SettleEvery = time.Hour }) // batches by count alone
			for i := range n {
				s.post(t, bot.LaneReply, fmt.Sprintf("C%03d", i), fmt.Sprintf("m%03d", i))
			}
			if got := s.step(t); got != n {
				t.Fatalf("one pass delivered %d, want %d", got, n)
			}
			var sizes []int
			marked := map[string]int{}
			for _, b := range rec.received() {
				sizes = append(sizes, len(b))
				for _, text := range b {
					marked[text]++
				}
			}
			if want := []int{outbox.SettleBatch, outbox.SettleBatch, outbox.SettleBatch / 2}; !slices.Equal(sizes, want) {
				t.Errorf("marked done in batches of %v, want %v", sizes, want)
			}
			if got := rec.singles.Load(); got != 0 {
				t.Errorf("%d messages marked done one by one, want none", got)
			}
			for i := range n {
				if m := fmt.Sprintf("m%03d", i); marked[m] != 1 {
					t.Errorf("%s marked done %d times, want once", m, marked[m])
				}
			}
			if posts := s.api.sent(); len(posts) != n {
				t.Errorf("%d posts, want %d", len(posts), n)
			}
			checkEmpty(t, store)
		})
	}
}

// hangingAPI is a simAPI whose chat.postMessage to one channel waits
// until released.
type hangingAPI struct {
	*simAPI
	channel string
	entered chan struct{}
	release chan struct{}
}

func (h *hangingAPI) PostMessageContext(ctx context.Context, channel string, options ...slackapi.MsgOption) (string, string, error) {
	if channel == h.channel {
		close(h.entered)
		<-h.release
	}
	return h.simAPI.PostMessageContext(ctx, channel, options...)
}

// TestOutboxSettlesWhileACallHangs: a message Slack took is marked done
// within settleEvery, while another conversation's call still hangs, not
// only when the pass ends; the hanging one is marked done once it
// returns.
func TestOutboxSettlesWhileACallHangs(t *testing.T) {
	clock := sandbox.NewClock(outboxStart)
	api := &hangingAPI{simAPI: &simAPI{clock: clock}, channel: "CSLOW", entered: make(chan struct{}), release: make(chan struct{})}
	rec := newSettleRecorder(memory.New().Outbox("slack"))
	a, err := newAdapter(Config{BotToken: "xoxb-sim", SigningSecret: testSecret, Outbox: rec, Now: clock.Now, MessagesPerMinute: NoBudget},
		newEngine(bot.Config{Store: memory.New()}), discardLog(), defaultLimits, func(a *Adapter) { a.api = api })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Shutdown(context.Background()) })
	var release sync.Once
	t.Cleanup(func() { release.Do(func() { close(api.release) }) }) // before Shutdown
	retune(t, a, func(c *outbox.Config) { c.SettleEvery = time.Millisecond })
	for _, ch := range []string{"CSLOW", "CFAST"} {
		if _, err := a.Post(t.Context(), ch, withMarker(ch)); err != nil {
			t.Fatal(err)
		}
	}
	type flushed struct {
		n   int
		err error
	}
	done := make(chan flushed, 1)
	go func() {
		n, err := a.FlushOutbox(t.Context())
		done <- flushed{n, err}
	}()
	<-api.entered
	select {
	case b := <-rec.batches:
		if !slices.Equal(b, []string{"CFAST"}) {
			t.Errorf("marked done %q while CSLOW hangs, want CFAST", b)
		}
	case f := <-done:
		t.Fatalf("FlushOutbox returned %d, %v while a call hangs", f.n, f.err)
	case <-time.After(10 * time.Second):
		t.Fatal("CFAST, delivered, was not marked done while CSLOW's call hangs")
	}
	release.Do(func() { close(api.release) })
	if f := <-done; f.n != 2 || f.err != nil {
		t.Errorf("FlushOutbox = %d, %v; want 2 delivered", f.n, f.err)
	}
	if b := rec.received(); len(b) != 1 || !slices.Equal(b[0], []string{"CSLOW"}) {
		t.Errorf("marked done %q when the pass ended, want CSLOW", b)
	}
	checkEmpty(t, rec)
}
