package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/scheduler"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/embedded"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// watchedDue is a DueStore that records the calls made to it and the
// errors it returned.
type watchedDue struct {
	storage.DueStore
	mu    sync.Mutex
	calls []string
	errs  []error
}

func (w *watchedDue) record(call string, err error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, call)
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("%s: %w", call, err))
	}
	return err
}

// take returns the calls and errors recorded so far and starts afresh.
func (w *watchedDue) take() (calls []string, errs []error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	calls, errs = w.calls, w.errs
	w.calls, w.errs = nil, nil
	return calls, errs
}

func (w *watchedDue) Schedule(ctx context.Context, items ...storage.DueItem) error {
	return w.record("Schedule", w.DueStore.Schedule(ctx, items...))
}

func (w *watchedDue) Cancel(ctx context.Context, ids ...string) error {
	return w.record("Cancel", w.DueStore.Cancel(ctx, ids...))
}

func (w *watchedDue) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]storage.Claim, error) {
	claims, err := w.DueStore.Claim(ctx, now, limit, lease)
	return claims, w.record("Claim", err)
}

func (w *watchedDue) Done(ctx context.Context, c storage.Claim) error {
	return w.record("Done", w.DueStore.Done(ctx, c))
}

func (w *watchedDue) Release(ctx context.Context, c storage.Claim, at time.Time) error {
	return w.record("Release", w.DueStore.Release(ctx, c, at))
}

func (w *watchedDue) Lock(ctx context.Context, name string, ttl time.Duration, now time.Time) (bool, error) {
	got, err := w.DueStore.Lock(ctx, name, ttl, now)
	return got, w.record("Lock", err)
}

// fullStore keeps sessions, contracts and due items.
type fullStore interface {
	storage.Store
	storage.DueStore
}

var fullStores = map[string]func(t testing.TB) fullStore{
	"embedded": func(t testing.TB) fullStore {
		s, err := embedded.Open(filepath.Join(t.TempDir(), "learnpact.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	},
	"redis": func(t testing.TB) fullStore { return openRedis(t, redistest.Start(t)) },
}

// TestWeeklyCheckIn: a weekly check-in comes due, is sent, and its item is
// settled by the scheduler that claimed it: no lease is lost, and the next
// check-in (and the re-nudge of this one) come at their times.
func TestWeeklyCheckIn(t *testing.T) {
	for _, name := range []string{"embedded", "redis"} {
		t.Run(name, func(t *testing.T) {
			s := fullStores[name](t)
			due := &watchedDue{DueStore: s}
			wednesday := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
			clk := newClock(wednesday)
			e := newEngine(t, s, due, "", clk.Now)
			p := &dms{}
			sched, err := scheduler.New(scheduler.Config{
				Due: due, Handler: e, Platforms: map[string]bot.Platform{"slack": p}, Now: clk.Now,
				Log: slog.New(slog.DiscardHandler),
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			ready(t, s, "c1", learner, manager, wednesday)
			for _, in := range []conversation.Input{send(learner, "c1"), {
				Kind: conversation.ActionInput, User: manager, Channel: "D" + manager, ActionID: string(conversation.ActionApprove),
				Value: conversation.ActionValue{ContractID: "c1", Version: 1}.Encode(),
			}} {
				if err := e.Handle(ctx, bot.Turn{Platform: p, Team: team, Input: in}); err != nil {
					t.Fatal(err)
				}
			}
			if c := stored(t, s, "c1"); c.Status != contract.Active || c.Terms.Cadence != contract.Weekly {
				t.Fatalf("status %s, cadence %v", c.Status, c.Terms.Cadence)
			}
			const prompt, renudge = "Time for a quick check-in", "A gentle nudge about your check-in"
			sweepAt := func(at time.Time) scheduler.Stats {
				t.Helper()
				clk.Set(at)
				st, err := sched.Sweep(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return st
			}

			// On Monday the approver's digest (with nothing to say yet);
			// from Tuesday evening the check-in is held for Wednesday
			// 09:00, the learner's time.
			day := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }
			wantStats(t, sweepAt(day(9, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
			wantStats(t, sweepAt(day(10, 20, 0)), scheduler.Stats{Claimed: 1, Deferred: 1})
			if n := p.count(learner, prompt); n != 0 {
				t.Fatalf("%d check-ins sent early", n)
			}
			_, errs := due.take()
			noErrors(t, errs)

			// A week after the contract took effect, the check-in.
			wantStats(t, sweepAt(day(11, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
			if n := p.count(learner, prompt); n != 1 {
				t.Fatalf("%d check-ins sent: %q", n, p.sent)
			}
			calls, errs := due.take()
			noErrors(t, errs)
			t.Logf("one check-in: %d due-store calls: %s", len(calls), strings.Join(calls, ", "))
			if len(calls) > 4 {
				t.Errorf("one check-in made %d due-store calls, want at most 4: %v", len(calls), calls)
			}

			// Unanswered, it is nudged once more two days on; the next
			// digest comes on Monday, and the next check-in a week after
			// the first, not before.
			wantStats(t, sweepAt(day(13, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
			if n := p.count(learner, renudge); n != 1 {
				t.Errorf("%d re-nudges sent: %q", n, p.sent)
			}
			wantStats(t, sweepAt(day(16, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
			if n := p.count(manager, "Your week in learning contracts"); n != 1 {
				t.Errorf("%d digests sent, want the second week's: %q", n, p.sent)
			}
			wantStats(t, sweepAt(day(18, 8, 59)), scheduler.Stats{Claimed: 1, Deferred: 1})
			wantStats(t, sweepAt(day(18, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
			if n := p.count(learner, prompt); n != 2 {
				t.Errorf("%d check-ins sent, want the second on time: %q", n, p.sent)
			}
			_, errs = due.take()
			noErrors(t, errs)
		})
	}
}

// noErrors fails the test for each error a store call returned, lost
// leases first among them.
func noErrors(t *testing.T, errs []error) {
	t.Helper()
	for _, err := range errs {
		if errors.Is(err, storage.ErrLeaseLost) {
			t.Errorf("a lease was lost on the normal path: %v", err)
		} else {
			t.Errorf("a store call failed: %v", err)
		}
	}
}
