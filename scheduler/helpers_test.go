package scheduler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/scheduler"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/embedded"
	"github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// clock is a settable clock, safe for concurrent sweeps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// platform is a chat platform that sends nothing and knows its users'
// time zones (UTC for those it does not know).
type platform struct {
	name  string
	zones map[string]*time.Location
}

var (
	_ bot.Platform = (*platform)(nil)
	_ bot.Locator  = (*platform)(nil)
)

func (p *platform) Name() string { return p.name }
func (p *platform) SendDM(context.Context, string, message.Message) (conversation.MessageRef, error) {
	return conversation.MessageRef{}, nil
}
func (p *platform) Post(context.Context, string, message.Message) (conversation.MessageRef, error) {
	return conversation.MessageRef{}, nil
}
func (p *platform) Update(context.Context, conversation.MessageRef, message.Message) error {
	return nil
}
func (p *platform) Ephemeral(context.Context, string, string, message.Message) error { return nil }
func (p *platform) OpenModal(context.Context, string, message.Modal) error           { return nil }
func (p *platform) Location(_ context.Context, user string) *time.Location           { return p.zones[user] }

// recorder is a Handler that records turns, counts them per item, and
// answers with fail's error when fail is set.
type recorder struct {
	mu     sync.Mutex
	turns  []bot.Turn
	counts map[string]int
	fail   func(bot.Turn) error
}

func (r *recorder) Handle(ctx context.Context, t bot.Turn) error {
	r.mu.Lock()
	r.turns = append(r.turns, t)
	if r.counts == nil {
		r.counts = map[string]int{}
	}
	r.counts[turnItem(t)]++
	fail := r.fail
	r.mu.Unlock()
	if fail != nil {
		return fail(t)
	}
	return nil
}

// turnItem returns the id of the item a turn was started by.
func turnItem(t bot.Turn) string {
	if contract.DueKind(t.Input.DueKind) == contract.DueDigest {
		return scheduler.DigestID(t.Platform.Name(), t.Team, t.Input.User)
	}
	return scheduler.ItemID(t.Input.Contract, t.Input.DueKind)
}

func (r *recorder) Turns() []bot.Turn {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Turn(nil), r.turns...)
}

func (r *recorder) Counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.counts))
	for k, v := range r.counts {
		out[k] = v
	}
	return out
}

// stores are the DueStore implementations the scheduler is tested on.
var stores = map[string]func(t testing.TB) storage.DueStore{
	"embedded": func(t testing.TB) storage.DueStore {
		s, err := embedded.Open(filepath.Join(t.TempDir(), "learnpact.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	},
	"redis": func(t testing.TB) storage.DueStore {
		return openRedis(t, redistest.Start(t))
	},
}

func openRedis(t testing.TB, srv *redistest.Server) *redis.Store {
	s, err := redis.Open(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// forEachStore runs a test on each DueStore.
func forEachStore(t *testing.T, test func(t *testing.T, open func(testing.TB) storage.DueStore)) {
	for _, name := range []string{"embedded", "redis"} {
		t.Run(name, func(t *testing.T) { test(t, stores[name]) })
	}
}

// logs collects log records as JSON, for checking what was logged.
type logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logs) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Records returns the records with message msg.
func (l *logs) Records(t testing.TB, msg string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for line := range bytes.Lines(l.buf.Bytes()) {
		var r map[string]any
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if r["msg"] == msg {
			out = append(out, r)
		}
	}
	return out
}

func schedule(t testing.TB, s storage.DueStore, at time.Time, items ...scheduler.Item) {
	t.Helper()
	var ds []storage.DueItem
	for _, it := range items {
		ds = append(ds, it.Due(at))
	}
	if err := s.Schedule(context.Background(), ds...); err != nil {
		t.Fatal(err)
	}
}

func sweep(t testing.TB, s *scheduler.Scheduler) scheduler.Stats {
	t.Helper()
	st, err := s.Sweep(context.Background())
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	return st
}
