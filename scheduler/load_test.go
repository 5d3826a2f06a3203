package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/scheduler"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

const loadItems = 10_000

// scheduleLoad schedules n check-ins due at at, each of its own contract
// (so that the one-nudge-a-day rule holds none back), and returns their
// ids.
func scheduleLoad(tb testing.TB, s storage.DueStore, prefix string, n int, at time.Time) []string {
	tb.Helper()
	ids := make([]string, n)
	items := make([]storage.DueItem, n)
	for i := range items {
		items[i] = item(fmt.Sprintf("%s%05d", prefix, i), "checkin", "U1").Due(at)
		ids[i] = items[i].ID
	}
	for chunk := range slices.Chunk(items, 1000) {
		if err := s.Schedule(context.Background(), chunk...); err != nil {
			tb.Fatal(err)
		}
	}
	return ids
}

func newLoadScheduler(tb testing.TB, store storage.DueStore, h scheduler.Handler, clk *clock) *scheduler.Scheduler {
	tb.Helper()
	s, err := scheduler.New(scheduler.Config{
		Due:       store,
		Handler:   h,
		Platforms: map[string]bot.Platform{"slack": &platform{name: "slack"}},
		Now:       clk.Now,
		Log:       slog.New(slog.DiscardHandler),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestTwoProcessesHandleEachItemOnce: two schedulers, each with its own
// connection to one Redis as two processes would have, sweep 10,000 items
// at the same time; each item is handled exactly once.
func TestTwoProcessesHandleEachItemOnce(t *testing.T) {
	srv := redistest.Start(t)
	stores := []storage.DueStore{openRedis(t, srv), openRedis(t, srv)}
	t0 := at(t, time.UTC, "2026-03-03 10:00")
	ids := scheduleLoad(t, stores[0], "c", loadItems, t0)
	clk := newClock(t0.Add(time.Minute))
	rec := &recorder{}

	var wg sync.WaitGroup
	stats := make([]scheduler.Stats, len(stores))
	errs := make([]error, len(stores))
	for i, store := range stores {
		s := newLoadScheduler(t, store, rec, clk)
		wg.Go(func() { stats[i], errs[i] = s.Sweep(t.Context()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v", i, err)
		}
	}
	t.Logf("process stats: %+v", stats)

	counts := rec.Counts()
	for _, id := range ids {
		if counts[id] != 1 {
			t.Errorf("%s handled %d times", id, counts[id])
		}
	}
	if len(counts) != len(ids) {
		t.Errorf("%d items handled, want %d", len(counts), len(ids))
	}
	if sent := stats[0].Sent + stats[1].Sent; sent != loadItems {
		t.Errorf("sent %d, want %d", sent, loadItems)
	}
	clk.Advance(time.Hour)
	if st := sweep(t, newLoadScheduler(t, stores[1], rec, clk)); st.Claimed != 0 {
		t.Errorf("after both swept: %+v", st)
	}
}

// watched is a DueStore that records what one process claimed and
// finished.
type watched struct {
	storage.DueStore
	mu      sync.Mutex
	claimed map[string]bool
	done    map[string]bool
}

func (w *watched) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]storage.Claim, error) {
	cs, err := w.DueStore.Claim(ctx, now, limit, lease)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range cs {
		w.claimed[c.Item.ID] = true
	}
	return cs, err
}

func (w *watched) Done(ctx context.Context, c storage.Claim) error {
	err := w.DueStore.Done(ctx, c)
	if err == nil {
		w.mu.Lock()
		w.done[c.Item.ID] = true
		w.mu.Unlock()
	}
	return err
}

// dying is a Handler whose process is killed during its nth turn: the
// turn may have been sent, and nothing after it happens.
type dying struct {
	h      scheduler.Handler
	nth    int32
	n      atomic.Int32
	kill   context.CancelFunc
	killed string        // the item whose turn it died in
	first  chan struct{} // closed at the first turn
}

func (d *dying) Handle(ctx context.Context, t bot.Turn) error {
	n := d.n.Add(1)
	if n == 1 {
		close(d.first)
	}
	err := d.h.Handle(ctx, t)
	if n == d.nth {
		d.killed = turnItem(t)
		d.kill()
		return ctx.Err()
	}
	return err
}

// TestDeadProcessItemsTakenUp: of two processes sweeping 10,000 items, one
// dies in the middle of a batch. The survivor takes up its items once
// their lease runs out: every item is handled, and only the one the dead
// process was sending when it died is handled twice.
func TestDeadProcessItemsTakenUp(t *testing.T) {
	srv := redistest.Start(t)
	dead := &watched{DueStore: openRedis(t, srv), claimed: map[string]bool{}, done: map[string]bool{}}
	survivor := openRedis(t, srv)
	t0 := at(t, time.UTC, "2026-03-03 10:00") // a Tuesday
	ids := scheduleLoad(t, survivor, "c", loadItems, t0)
	clk := newClock(t0.Add(time.Minute))
	rec := &recorder{}

	ctx, kill := context.WithCancel(t.Context())
	d := &dying{h: rec, nth: 150, kill: kill, first: make(chan struct{})} // in its second batch of 100
	sd := newLoadScheduler(t, dead, d, clk)
	ss := newLoadScheduler(t, survivor, rec, clk)

	var deadErr error
	var wg sync.WaitGroup
	wg.Go(func() { _, deadErr = sd.Sweep(ctx) })
	waitFor(t, d.first, "turn in the process that dies")
	first := sweep(t, ss)
	wg.Wait()
	if !errors.Is(deadErr, context.Canceled) {
		t.Fatalf("dead process: sweep returned %v, want it killed at its turn %d", deadErr, d.nth)
	}
	unfinished := 0
	for id := range dead.claimed {
		if !dead.done[id] {
			unfinished++
		}
	}
	t.Logf("dead process claimed %d, finished %d; survivor: %+v", len(dead.claimed), len(dead.done), first)

	// Past the lease, the survivor takes up what the dead one held; the
	// item it died sending already had its nudge for the day and waits for
	// the next working day.
	clk.Advance(2*time.Minute + time.Second)
	st := sweep(t, ss)
	if st.Claimed != unfinished || st.Sent != unfinished-1 || st.Deferred != 1 {
		t.Errorf("after the lease: %+v, want the %d unfinished items, one deferred", st, unfinished)
	}
	clk.Set(at(t, time.UTC, "2026-03-04 09:00"))
	if st := sweep(t, ss); st != (scheduler.Stats{Claimed: 1, Sent: 1}) {
		t.Errorf("next day: %+v", st)
	}

	counts := rec.Counts()
	var twice []string
	for _, id := range ids {
		switch n := counts[id]; {
		case n == 0 || n > 2:
			t.Errorf("%s handled %d times", id, n)
		case n == 2:
			twice = append(twice, id)
			if !dead.claimed[id] || dead.done[id] {
				t.Errorf("%s handled twice, but the dead process had not claimed it without finishing", id)
			}
		}
	}
	if !slices.Equal(twice, []string{d.killed}) {
		t.Errorf("handled twice: %v, want only %s", twice, d.killed)
	}
	clk.Advance(7 * 24 * time.Hour)
	if st := sweep(t, ss); st.Claimed != 0 {
		t.Errorf("left over: %+v", st)
	}
}

type nop struct{}

func (nop) Handle(context.Context, bot.Turn) error { return nil }

// BenchmarkSweep10k sweeps 10,000 due items on Redis with a handler that
// does nothing: the scheduler's own cost per item (claim, nudge lock,
// done). ns/op is per 10,000 items.
func BenchmarkSweep10k(b *testing.B) {
	store := openRedis(b, redistest.Start(b))
	t0 := at(b, time.UTC, "2026-03-03 10:00")
	clk := newClock(t0)
	s := newLoadScheduler(b, store, nop{}, clk)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		scheduleLoad(b, store, fmt.Sprintf("b%d-", i), loadItems, t0)
		b.StartTimer()
		st, err := s.Sweep(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if st.Sent != loadItems {
			b.Fatalf("sent %d, want %d", st.Sent, loadItems)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*loadItems), "ns/item")
}
