package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
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

// turns is an engine whose turns a planner follows and a scheduler that
// starts them, on one store, watched.
type turns struct {
	t     *testing.T
	store fullStore
	due   *watchedDue
	clock *clock
	logs  *logs
	p     *dms
	e     *bot.Engine
	s     *scheduler.Scheduler
}

func newTurns(t *testing.T, s fullStore, now time.Time) *turns {
	t.Helper()
	f := &turns{t: t, store: s, due: &watchedDue{DueStore: s}, clock: newClock(now), logs: &logs{}, p: &dms{}}
	f.e = newEngine(t, s, "", f.clock.Now)
	f.s = f.scheduler(f.p)
	return f
}

// scheduler returns a scheduler of the engine's turns on p.
func (f *turns) scheduler(p bot.Platform) *scheduler.Scheduler {
	f.t.Helper()
	s, err := scheduler.New(scheduler.Config{
		Due: f.due, Handler: f.e, Platforms: map[string]bot.Platform{"slack": p}, Now: f.clock.Now, Log: f.logs.Logger(),
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *turns) handle(in conversation.Input) {
	f.t.Helper()
	if err := f.e.Handle(context.Background(), bot.Turn{Platform: f.p, Team: team, Input: in}); err != nil {
		f.t.Fatal(err)
	}
}

// activate stores a weekly contract c1 of the learner's, which the
// manager approves now.
func (f *turns) activate() {
	f.t.Helper()
	ready(f.t, f.store, "c1", learner, manager, f.clock.Now())
	f.handle(send(learner, "c1"))
	f.handle(conversation.Input{
		Kind: conversation.ActionInput, User: manager, Channel: "D" + manager, ActionID: string(conversation.ActionApprove),
		Value: conversation.ActionValue{ContractID: "c1", Version: 1}.Encode(),
	})
	if c := stored(f.t, f.store, "c1"); c.Status != contract.Active || c.Terms.Cadence != contract.Weekly {
		f.t.Fatalf("status %s, cadence %v", c.Status, c.Terms.Cadence)
	}
}

// sweepAt sweeps at a time.
func (f *turns) sweepAt(at time.Time) scheduler.Stats {
	f.t.Helper()
	f.clock.Set(at)
	return sweep(f.t, f.s)
}

// day is a time in March 2026, UTC.
func day(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }

const prompt, renudge = "Time for a quick check-in", "A gentle nudge about your check-in"

// TestWeeklyCheckIn: a weekly check-in comes due, is sent, and its item is
// settled by the scheduler that claimed it: no lease is lost, and the next
// check-in (and the re-nudge of this one) come at their times.
func TestWeeklyCheckIn(t *testing.T) {
	for _, name := range []string{"embedded", "redis"} {
		t.Run(name, func(t *testing.T) {
			f := newTurns(t, fullStores[name](t), day(4, 10, 0)) // a Wednesday
			f.activate()
			p := f.p

			// On Monday the approver's digest (with nothing to say yet);
			// from Tuesday evening the check-in is held for Wednesday
			// 09:00, the learner's time.
			wantStats(t, f.sweepAt(day(9, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
			wantStats(t, f.sweepAt(day(10, 20, 0)), scheduler.Stats{Claimed: 1, Deferred: 1})
			if n := p.count(learner, prompt); n != 0 {
				t.Fatalf("%d check-ins sent early", n)
			}
			_, errs := f.due.take()
			noErrors(t, errs)

			// A week after the contract took effect, the check-in.
			wantStats(t, f.sweepAt(day(11, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
			if n := p.count(learner, prompt); n != 1 {
				t.Fatalf("%d check-ins sent: %q", n, p.sent)
			}
			calls, errs := f.due.take()
			noErrors(t, errs)
			t.Logf("one check-in: %d due-store calls: %s", len(calls), strings.Join(calls, ", "))
			if len(calls) > 4 {
				t.Errorf("one check-in made %d due-store calls, want at most 4: %v", len(calls), calls)
			}

			// Unanswered, it is nudged once more two days on; the next
			// digest comes on Monday, and the next check-in a week after
			// the first, not before.
			wantStats(t, f.sweepAt(day(13, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
			if n := p.count(learner, renudge); n != 1 {
				t.Errorf("%d re-nudges sent: %q", n, p.sent)
			}
			wantStats(t, f.sweepAt(day(16, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
			if n := p.count(manager, "Your week in learning contracts"); n != 1 {
				t.Errorf("%d digests sent, want the second week's: %q", n, p.sent)
			}
			wantStats(t, f.sweepAt(day(18, 8, 59)), scheduler.Stats{Claimed: 1, Deferred: 1})
			wantStats(t, f.sweepAt(day(18, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
			if n := p.count(learner, prompt); n != 2 {
				t.Errorf("%d check-ins sent, want the second on time: %q", n, p.sent)
			}
			_, errs = f.due.take()
			noErrors(t, errs)
			if lost := f.logs.Records(t, "lease lost"); len(lost) > 0 {
				t.Errorf("lease lost logged: %v", lost)
			}
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

// TestItemNoLongerPlanned: an item whose contract no longer plans it (a
// draft here) runs a turn that sends nothing, and is done.
func TestItemNoLongerPlanned(t *testing.T) {
	f := newTurns(t, fullStores["embedded"](t), day(4, 10, 0))
	ready(t, f.store, "c1", learner, manager, f.clock.Now())
	it := scheduler.PlannedItem("slack", team, "c1", contract.Due{Kind: contract.DueCheckIn, At: day(11, 9, 0), User: learner})
	if err := f.store.Schedule(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	wantStats(t, f.sweepAt(day(11, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
	if len(f.p.sent) != 0 {
		t.Errorf("sent %q", f.p.sent)
	}
	calls, errs := f.due.take()
	noErrors(t, errs)
	if !slices.Contains(calls, "Done") {
		t.Errorf("the item was not done: %v", calls)
	}
	wantStats(t, f.sweepAt(day(30, 9, 0)), scheduler.Stats{})
}

// rescheduling is a Platform that, on its first message, has another turn
// reschedule the check-in of c1 to at, as a turn on the contract racing the
// scheduled one would.
type rescheduling struct {
	*dms
	due  storage.DueStore
	at   time.Time
	done bool
}

func (r *rescheduling) SendDM(ctx context.Context, user string, m message.Message) (conversation.MessageRef, error) {
	if !r.done {
		r.done = true
		it := scheduler.PlannedItem("slack", team, "c1", contract.Due{Kind: contract.DueCheckIn, At: r.at, User: learner})
		if err := r.due.Schedule(ctx, it); err != nil {
			return conversation.MessageRef{}, err
		}
	}
	return r.dms.SendDM(ctx, user, m)
}

// TestLeaseLostToAnotherTurn: when another turn reschedules the item while
// its scheduled turn runs, the lease is lost for real: that is logged, and
// the other turn's schedule stands.
func TestLeaseLostToAnotherTurn(t *testing.T) {
	f := newTurns(t, fullStores["redis"](t), day(4, 10, 0))
	f.activate()
	f.sweepAt(day(9, 9, 0)) // the digest
	f.s = f.scheduler(&rescheduling{dms: f.p, due: f.store, at: day(12, 9, 0)})
	wantStats(t, f.sweepAt(day(11, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
	if n := f.p.count(learner, prompt); n != 1 {
		t.Fatalf("%d check-ins sent: %q", n, f.p.sent)
	}
	lost := f.logs.Records(t, "lease lost")
	if len(lost) != 1 || lost[0]["id"] != "c1:checkin" || lost[0]["level"] != "WARN" {
		t.Errorf("lease lost logged as %v", lost)
	}
	// The other turn's item stands: it comes due on Thursday (and, as
	// the contract plans no check-in then, sends nothing).
	f.s = f.scheduler(f.p)
	wantStats(t, f.sweepAt(day(12, 8, 59)), scheduler.Stats{Claimed: 1, Deferred: 1})
	wantStats(t, f.sweepAt(day(12, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
	if n := f.p.count(learner, prompt); n != 1 {
		t.Errorf("%d check-ins by Thursday, want 1: %q", n, f.p.sent)
	}
}
