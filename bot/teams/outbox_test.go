package teams

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/teams/connectortest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/memory"
	"github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// outClock is the outbox's clock in tests: it moves only when told.
type outClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *outClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *outClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// withOutbox gives the adapter out as its outbox and clock as its clock.
func withOutbox(out storage.DueStore, clock *outClock) func(*Config) {
	return func(c *Config) { c.Outbox, c.Now = out, clock.Now }
}

// queue puts a message with text into conv through Queue, in lane l, as a
// turn would.
func queue(t *testing.T, a *Adapter, out storage.DueStore, l bot.Lane, ef conversation.Effect) {
	t.Helper()
	ctx := bot.WithLane(context.Background(), l)
	it, ok, err := a.Queue(ctx, bot.Turn{Platform: a, Input: conversation.Input{User: lee}}, ef)
	if err != nil || !ok {
		t.Fatalf("Queue(%T) = %v, %v", ef, ok, err)
	}
	if err := out.Schedule(ctx, it); err != nil {
		t.Fatal(err)
	}
}

func post(conv, text string) conversation.Effect {
	return conversation.Post{Channel: conv, Message: note(text)}
}

// sentTexts are the texts of the notes the fake received, in order.
func sentTexts(fake *connectortest.Server) []string {
	var out []string
	for _, act := range fake.Activities() {
		raw := string(act.Raw)
		for _, w := range strings.Fields(strings.NewReplacer(`"`, " ", `\`, " ").Replace(raw)) {
			if strings.HasPrefix(w, "msg-") {
				out = append(out, w)
				break
			}
		}
	}
	return out
}

func flush(t *testing.T, a *Adapter) int {
	t.Helper()
	n, err := a.FlushOutbox(context.Background())
	if err != nil {
		t.Fatalf("FlushOutbox: %v", err)
	}
	return n
}

// TestOutboxReplySurvivesRestart: a reply saved with its turn but not yet
// delivered when the process dies is delivered by the next process on the
// same store, and only once.
func TestOutboxReplySurvivesRestart(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) (storage.Store, storage.DueStore){
		"memory": func(t *testing.T) (storage.Store, storage.DueStore) {
			s := memory.New()
			return s, s.Outbox("teams")
		},
		"redis": func(t *testing.T) (storage.Store, storage.DueStore) {
			s, err := redis.Open(redistest.Start(t).URL())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s, s.Outbox("teams")
		},
	} {
		t.Run(name, func(t *testing.T) {
			clock := &outClock{t: time.Now()} // the channel's tokens are checked by it
			e := newEnv(t, nil)
			turns, out := open(t)
			e.turns = turns
			first := e.adapter(withOutbox(out, clock))
			e.srv = httptest.NewServer(first.Handler())
			t.Cleanup(e.srv.Close)
			if code := e.post(e.personal(lee, leeChat, "help"), nil); code != http.StatusOK {
				t.Fatalf("activity answered %d", code)
			}
			if got := len(e.fake.Activities()); got != 0 {
				t.Fatalf("%d activities sent before any delivery; want the reply only in the outbox", got)
			}
			// The first process dies here, its reply undelivered.
			next := e.adapter(withOutbox(out, clock))
			if n := flush(t, next); n != 1 {
				t.Fatalf("the next process delivered %d messages, want the reply", n)
			}
			acts := e.fake.Activities()
			if len(acts) != 1 || acts[0].Conversation != leeChat {
				t.Fatalf("sent %+v, want one reply in %s", acts, leeChat)
			}
			if n := flush(t, next); n != 0 {
				t.Errorf("a second flush delivered %d more", n)
			}
		})
	}
}

// TestOutboxReplyBeforeBacklog: with 10,000 nudges waiting, a reply takes
// the next free slot of the app's budget.
func TestOutboxReplyBeforeBacklog(t *testing.T) {
	clock := &outClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	out := memory.New().Outbox("teams")
	e := newEnv(t, withOutbox(out, clock))
	const backlog = 10_000
	items := make([]storage.DueItem, 0, backlog)
	for i := range backlog {
		ctx := bot.WithLane(context.Background(), bot.LaneNudge)
		it, _, err := e.a.Queue(ctx, bot.Turn{Platform: e.a}, post(fmt.Sprintf("a:conv-%d", i), fmt.Sprintf("msg-nudge-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	if err := out.Schedule(context.Background(), items...); err != nil {
		t.Fatal(err)
	}
	if n := flush(t, e.a); n != appLimit.n {
		t.Fatalf("first second: %d sent, want the app's budget of %d", n, appLimit.n)
	}
	clock.Advance(100 * time.Millisecond)
	queue(t, e.a, out, bot.LaneReply, post(leeChat, "msg-reply"))
	e.a.Wake()
	if n := flush(t, e.a); n != 0 {
		t.Fatalf("%d sent before the budget had a free slot", n)
	}
	clock.Advance(time.Second)
	flush(t, e.a)
	// The reply is claimed first and takes the slot's first token; where
	// it lands among the slot's messages depends on how the concurrent
	// senders are scheduled, so only the slot is checked. Behind the
	// backlog, it would wait hundreds of slots.
	texts := sentTexts(e.fake)
	next := texts[appLimit.n:]
	if len(next) > appLimit.n {
		t.Fatalf("the second slot sent %d messages, more than the budget of %d", len(next), appLimit.n)
	}
	if !slices.Contains(next, "msg-reply") {
		t.Fatalf("the reply did not go in the next slot; sent %d then %v…", appLimit.n, next[:min(len(next), 5)])
	}
}

// TestOutboxOrderWithinConversation: one conversation's messages arrive in
// the order they were queued, whatever their lane, across a failed call.
func TestOutboxOrderWithinConversation(t *testing.T) {
	clock := &outClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	out := memory.New().Outbox("teams")
	e := newEnv(t, withOutbox(out, clock))
	want := []string{"msg-0", "msg-1", "msg-2", "msg-3", "msg-4"}
	lanes := []bot.Lane{bot.LaneNudge, bot.LaneNudge, bot.LaneReply, bot.LaneNudge, bot.LaneReply}
	for i, text := range want {
		queue(t, e.a, out, lanes[i], post(leeChat, text))
	}
	e.fake.Fail(maxAttempts, connectortest.Drop) // the first message's call fails for good
	if n := flush(t, e.a); n != 0 {
		t.Fatalf("%d sent while the conversation's first message failed; want none past it", n)
	}
	clock.Advance(10 * time.Second) // past the first failure's backoff, within the lease
	if n := flush(t, e.a); n != len(want) {
		t.Fatalf("%d sent after the backoff, want %d", n, len(want))
	}
	if got := sentTexts(e.fake); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("arrived %v, want %v", got, want)
	}
}

// TestOutboxRetryAfter: after a 429 the conversation waits for its
// Retry-After, and no call is made before.
func TestOutboxRetryAfter(t *testing.T) {
	clock := &outClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	out := memory.New().Outbox("teams")
	e := newEnv(t, withOutbox(out, clock))
	queue(t, e.a, out, bot.LaneReply, post(leeChat, "msg-limited"))
	e.fake.SetRetryAfter(7 * time.Second)
	e.fake.Fail(1, connectortest.TooMany)
	if n := flush(t, e.a); n != 0 {
		t.Fatalf("%d sent through a 429", n)
	}
	calls := e.fake.Calls()
	clock.Advance(6 * time.Second)
	if n := flush(t, e.a); n != 0 || e.fake.Calls() != calls {
		t.Fatalf("6 s into a 7 s Retry-After: %d sent, %d calls made", n, e.fake.Calls()-calls)
	}
	clock.Advance(time.Second)
	if n := flush(t, e.a); n != 1 {
		t.Fatalf("after Retry-After: %d sent, want 1", n)
	}
	if e.waits != nil {
		t.Errorf("the connector waited %v itself; the outbox should wait out a 429", e.waits)
	}
}

// TestOutboxDropsWhatTeamsRefuses: a message to a chat the app was removed
// from is dropped, and the next one goes.
func TestOutboxDropsWhatTeamsRefuses(t *testing.T) {
	clock := &outClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	out := memory.New().Outbox("teams")
	e := newEnv(t, withOutbox(out, clock))
	ref := reference{Removed: true}
	ref.Conversation.ID = moChat
	if err := e.a.remember(context.Background(), convKey(moChat), ref); err != nil {
		t.Fatal(err)
	}
	queue(t, e.a, out, bot.LaneReply, post(moChat, "msg-removed"))
	queue(t, e.a, out, bot.LaneReply, post(leeChat, "msg-ok"))
	flush(t, e.a)
	if got := sentTexts(e.fake); strings.Join(got, " ") != "msg-ok" {
		t.Errorf("sent %v, want only msg-ok", got)
	}
	clock.Advance(24 * time.Hour)
	if cs, err := out.Claim(context.Background(), clock.Now(), 10, time.Minute); err != nil || len(cs) != 0 {
		t.Errorf("left in the outbox: %d, %v; want nothing", len(cs), err)
	}
}

// TestOutboxesApart: the Teams outbox does not claim Slack's messages on
// the same store.
func TestOutboxesApart(t *testing.T) {
	clock := &outClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	s := memory.New()
	e := newEnv(t, withOutbox(s.Outbox("teams"), clock))
	slackMsg := storage.DueItem{ID: "slack-1", At: clock.Now().Add(-time.Hour), Data: []byte(`{"method":"chat.postMessage","channel":"C1"}`)}
	if err := s.Outbox("slack").Schedule(context.Background(), slackMsg); err != nil {
		t.Fatal(err)
	}
	flush(t, e.a)
	cs, err := s.Outbox("slack").Claim(context.Background(), clock.Now(), 10, time.Minute)
	if err != nil || len(cs) != 1 || cs[0].Attempt != 1 {
		t.Errorf("Slack's message after a Teams flush: %+v, %v; want it unclaimed", cs, err)
	}
}
