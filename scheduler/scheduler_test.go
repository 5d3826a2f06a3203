package scheduler_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/scheduler"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/memory"
)

type fixture struct {
	due   storage.DueStore
	clock *clock
	rec   *recorder
	logs  *logs
	slack *platform
	s     *scheduler.Scheduler
}

// newFixture returns a scheduler on store with one platform, "slack",
// whose users live in zones (UTC when not listed).
func newFixture(t testing.TB, store storage.DueStore, now time.Time, zones map[string]*time.Location, mod func(*scheduler.Config)) *fixture {
	t.Helper()
	f := &fixture{due: store, clock: newClock(now), rec: &recorder{}, logs: &logs{}, slack: &platform{name: "slack", zones: zones}}
	cfg := scheduler.Config{
		Due:       store,
		Handler:   f.rec,
		Platforms: map[string]bot.Platform{"slack": f.slack},
		Now:       f.clock.Now,
		Log:       f.logs.Logger(),
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := scheduler.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	return f
}

func item(id string, kind contract.DueKind, user string) scheduler.Item {
	return scheduler.Item{Platform: "slack", Team: "T1", Contract: id, Kind: kind, User: user}
}

func wantStats(t testing.TB, got, want scheduler.Stats) {
	t.Helper()
	if got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
}

func TestDefersToWorkingHours(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) storage.DueStore) {
		kolkata := zone(t, "Asia/Kolkata")
		dueAt := at(t, kolkata, "2026-03-03 03:00") // a Tuesday
		f := newFixture(t, open(t), dueAt, map[string]*time.Location{"U1": kolkata}, nil)
		schedule(t, f.due, dueAt, item("c1", "checkin", "U1"))

		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Deferred: 1})
		f.clock.Set(at(t, kolkata, "2026-03-03 08:59"))
		wantStats(t, sweep(t, f.s), scheduler.Stats{})
		if n := len(f.rec.Turns()); n != 0 {
			t.Fatalf("%d turns before working hours", n)
		}

		f.clock.Set(at(t, kolkata, "2026-03-03 09:00"))
		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Sent: 1})
		turns := f.rec.Turns()
		if len(turns) != 1 {
			t.Fatalf("%d turns, want 1", len(turns))
		}
		want := conversation.Input{
			Kind:     conversation.DueInput,
			User:     "U1",
			DueKind:  "checkin",
			Contract: "c1",
		}
		if got := turns[0]; got.Platform != f.slack || got.Team != "T1" || !reflect.DeepEqual(got.Input, want) {
			t.Errorf("turn = %+v, want slack, T1, %+v", got, want)
		}
		if id := conversation.ContractOf(turns[0].Input); id != "c1" {
			t.Errorf("the turn is about contract %q, want c1", id)
		}

		f.clock.Advance(72 * time.Hour)
		wantStats(t, sweep(t, f.s), scheduler.Stats{})
	})
}

func TestOneNudgePerContractPerDay(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) storage.DueStore) {
		ny := zone(t, "America/New_York")
		friday := at(t, ny, "2026-03-06 10:00")
		f := newFixture(t, open(t), friday, map[string]*time.Location{"U1": ny}, nil)
		schedule(t, f.due, friday, item("c1", "checkin", "U1"), item("c1", "midpoint", "U1"), item("c2", "checkin", "U1"))

		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 3, Sent: 2, Deferred: 1})
		got := f.rec.Counts()
		if got["c1:checkin"]+got["c1:midpoint"] != 1 || got["c2:checkin"] != 1 {
			t.Fatalf("counts = %v, want one of c1's items and c2's", got)
		}

		f.clock.Set(at(t, ny, "2026-03-06 16:59"))
		wantStats(t, sweep(t, f.s), scheduler.Stats{})
		// Monday, the first working day after; the clocks went forward on
		// Sunday.
		f.clock.Set(at(t, ny, "2026-03-09 08:59"))
		wantStats(t, sweep(t, f.s), scheduler.Stats{})
		f.clock.Set(at(t, ny, "2026-03-09 09:00"))
		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Sent: 1})
		want := map[string]int{"c1:checkin": 1, "c1:midpoint": 1, "c2:checkin": 1}
		if got := f.rec.Counts(); !reflect.DeepEqual(got, want) {
			t.Errorf("counts = %v, want %v", got, want)
		}
	})
}

// minBackoff is the least wait after failed attempt n.
func minBackoff(n int) time.Duration { return min(time.Minute<<(n-1), time.Hour) }

func TestFailingTurnBacksOffAndGivesUp(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) storage.DueStore) {
		t0 := at(t, time.UTC, "2026-03-03 09:00")
		f := newFixture(t, open(t), t0, nil, nil)
		f.rec.fail = func(bot.Turn) error { return errors.New("slack is down") }
		schedule(t, f.due, t0, item("c1", "checkin", "U1"))

		for n := 1; n <= scheduler.MaxAttempts; n++ {
			wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Failed: 1})
			if got := len(f.rec.Turns()); got != n {
				t.Fatalf("after attempt %d: %d turns", n, got)
			}
			if n == scheduler.MaxAttempts {
				break
			}
			failed := f.clock.Now()
			f.clock.Set(failed.Add(minBackoff(n) - time.Millisecond))
			wantStats(t, sweep(t, f.s), scheduler.Stats{})
			f.clock.Set(failed.Add(minBackoff(n) * 11 / 10))
		}
		if got := len(f.logs.Records(t, "due item failed, will retry")); got != scheduler.MaxAttempts-1 {
			t.Errorf("%d retries logged, want %d", got, scheduler.MaxAttempts-1)
		}
		gaveUp := f.logs.Records(t, "giving up due item")
		if len(gaveUp) != 1 || gaveUp[0]["id"] != "c1:checkin" || gaveUp[0]["level"] != "ERROR" || !strings.Contains(gaveUp[0]["err"].(string), "slack is down") {
			t.Errorf("giving up logged as %v", gaveUp)
		}
		f.clock.Advance(48 * time.Hour)
		wantStats(t, sweep(t, f.s), scheduler.Stats{})
	})
}

func TestBackoff(t *testing.T) {
	for n := range 12 {
		lo := minBackoff(max(n, 1))
		for range 100 {
			if d := scheduler.Backoff(n); d < lo || d >= lo*11/10 {
				t.Fatalf("Backoff(%d) = %s, want [%s, %s)", n, d, lo, lo*11/10)
			}
		}
	}
}

// TestRetryTheSameDay: a turn that failed after taking the contract's
// nudge for the day may try again that day, and nobody else may.
func TestRetryTheSameDay(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) storage.DueStore) {
		t0 := at(t, time.UTC, "2026-03-03 09:00")
		f := newFixture(t, open(t), t0, nil, nil)
		var calls atomic.Int32
		f.rec.fail = func(bot.Turn) error {
			if calls.Add(1) <= 2 {
				return errors.New("slack is down")
			}
			return nil
		}
		schedule(t, f.due, t0, item("c1", "checkin", "U1"))

		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Failed: 1})
		schedule(t, f.due, t0.Add(30*time.Second), item("c1", "midpoint", "U1"))
		f.clock.Advance(time.Minute * 11 / 10)
		// The midpoint is put off to tomorrow; the check-in is retried.
		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 2, Deferred: 1, Failed: 1})
		f.clock.Advance(2 * time.Minute * 11 / 10)
		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Sent: 1})
		if got := f.rec.Counts(); got["c1:checkin"] != 3 || got["c1:midpoint"] != 0 {
			t.Fatalf("counts = %v", got)
		}
		f.clock.Set(at(t, time.UTC, "2026-03-04 09:00"))
		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Sent: 1})
	})
}

func TestBadItemsDropped(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) storage.DueStore) {
		t0 := at(t, time.UTC, "2026-03-03 09:00")
		f := newFixture(t, open(t), t0, nil, nil)
		teams := item("c9", "checkin", "U9")
		teams.Platform = "teams"
		long := item(strings.Repeat("c", 65), "checkin", "U1")
		schedule(t, f.due, t0, item("c1", "checkin", "U1"), teams, long)
		err := f.due.Schedule(t.Context(),
			storage.DueItem{ID: "junk", At: t0, Data: []byte("not json")},
			storage.DueItem{ID: "half", At: t0, Data: []byte(`{"p":"slack","c":"c2"}`)},
		)
		if err != nil {
			t.Fatal(err)
		}

		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 5, Sent: 1, Failed: 4})
		dropped := map[string]bool{}
		for _, r := range f.logs.Records(t, "dropping bad due item") {
			dropped[r["id"].(string)] = r["level"] == "ERROR"
		}
		if want := map[string]bool{"junk": true, "half": true, long.Due(t0).ID: true}; !reflect.DeepEqual(dropped, want) {
			t.Errorf("dropped %v, want %v", dropped, want)
		}
		// The item for a platform that is not configured is kept: another
		// process may serve it.
		retried := f.logs.Records(t, "due item failed, will retry")
		if len(retried) != 1 || retried[0]["id"] != "c9:checkin" || !strings.Contains(retried[0]["err"].(string), `"teams"`) {
			t.Errorf("retries logged: %v", retried)
		}
		f.clock.Advance(2 * time.Minute)
		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Failed: 1})
	})
}

// TestLeaseLostIsNotAnError: an item rescheduled while its turn ran is
// the new schedule's; the sweep goes on.
func TestLeaseLostIsNotAnError(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) storage.DueStore) {
		t0 := at(t, time.UTC, "2026-03-03 09:00")
		f := newFixture(t, open(t), t0, nil, nil)
		it := item("c1", "checkin", "U1")
		f.rec.fail = func(t bot.Turn) error {
			if turnItem(t) != it.ID() {
				return nil
			}
			return f.due.Schedule(context.Background(), it.Due(t0.Add(24*time.Hour)))
		}
		schedule(t, f.due, t0, it, item("c2", "checkin", "U1"))

		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 2, Sent: 2})
		if lost := f.logs.Records(t, "lease lost"); len(lost) != 1 || lost[0]["id"] != it.ID() || lost[0]["level"] != "DEBUG" {
			t.Errorf("lease lost logged as %v", lost)
		}
		f.rec.fail = nil
		f.clock.Advance(24 * time.Hour)
		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Sent: 1})
	})
}

// TestGivesBackWhenLeaseRunsLow: a slow turn leaves too little lease for
// the rest of the batch, which is given back and claimed afresh.
func TestGivesBackWhenLeaseRunsLow(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) storage.DueStore) {
		t0 := at(t, time.UTC, "2026-03-03 09:00")
		f := newFixture(t, open(t), t0, nil, func(c *scheduler.Config) {
			c.Batch = 3
			c.Lease = 2 * time.Minute
		})
		var calls atomic.Int32
		f.rec.fail = func(bot.Turn) error {
			if calls.Add(1) == 1 {
				f.clock.Advance(100 * time.Second)
			}
			return nil
		}
		schedule(t, f.due, t0, item("c1", "checkin", "U1"), item("c2", "checkin", "U1"), item("c3", "checkin", "U1"))

		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 5, Sent: 3})
		want := map[string]int{"c1:checkin": 1, "c2:checkin": 1, "c3:checkin": 1}
		if got := f.rec.Counts(); !reflect.DeepEqual(got, want) {
			t.Errorf("counts = %v, want %v", got, want)
		}
	})
}

// fireOnce is a cron schedule that fires at once, then never again.
type fireOnce struct{ fired atomic.Bool }

func (o *fireOnce) Next(t time.Time) time.Time {
	if o.fired.CompareAndSwap(false, true) {
		return t
	}
	return time.Time{}
}

// waitFor fails the test if ch is not closed or sent on within a generous
// bound; it does not wait for time to pass.
func waitFor[T any](t *testing.T, ch <-chan T, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("no %s", what)
	}
}

func TestStartSweeps(t *testing.T) {
	t0 := at(t, time.UTC, "2026-03-03 09:00")
	f := newFixture(t, stores["embedded"](t), t0, nil, nil)
	f.s.SetSchedule(new(fireOnce))
	turns := make(chan bot.Turn, 2)
	f.rec.fail = func(t bot.Turn) error { turns <- t; return nil }
	schedule(t, f.due, t0, item("c1", "checkin", "U1"), item("c2", "checkin", "U1"))

	ctx, cancel := context.WithCancel(t.Context())
	if err := f.s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Start(ctx); err == nil {
		t.Error("second Start: no error")
	}
	waitFor(t, turns, "first turn")
	waitFor(t, turns, "second turn")
	cancel()
	f.s.Stop() // waits for the sweep, stopped with ctx
	f.s.Stop()
	if got := len(f.rec.Turns()); got != 2 {
		t.Errorf("%d turns, want 2", got)
	}
	wantStats(t, sweep(t, f.s), scheduler.Stats{})
}

// TestStopGivesBackTheRest: Stop lets the running turn finish and gives
// back the rest of the batch, for others to claim at once.
func TestStopGivesBackTheRest(t *testing.T) {
	t0 := at(t, time.UTC, "2026-03-03 09:00")
	f := newFixture(t, memory.New(), t0, nil, nil)
	f.s.SetSchedule(new(fireOnce))
	first, proceed := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	f.rec.fail = func(bot.Turn) error {
		if calls.Add(1) == 1 {
			close(first)
			<-proceed
		}
		return nil
	}
	schedule(t, f.due, t0, item("c1", "checkin", "U1"), item("c2", "checkin", "U1"), item("c3", "checkin", "U1"))

	if err := f.s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, first, "turn")
	stopped := make(chan struct{})
	go func() {
		f.s.Stop()
		close(stopped)
	}()
	waitFor(t, f.s.Stopping(), "stop")
	close(proceed)
	waitFor(t, stopped, "return from Stop")

	if got := len(f.rec.Turns()); got != 1 {
		t.Errorf("%d turns after Stop, want 1", got)
	}
	claims, err := f.due.Claim(t.Context(), t0, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) != 2 || claims[0].Item.ID != "c2:checkin" || claims[1].Item.ID != "c3:checkin" {
		t.Errorf("claimable after Stop: %+v", claims)
	}
}

func TestNewRejects(t *testing.T) {
	store := stores["embedded"](t)
	slack := &platform{name: "slack"}
	ok := scheduler.Config{Due: store, Handler: &recorder{}, Platforms: map[string]bot.Platform{"slack": slack}}
	if _, err := scheduler.New(ok); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	tests := map[string]struct {
		mod  func(*scheduler.Config)
		want string
	}{
		"no store":      {func(c *scheduler.Config) { c.Due = nil }, "no due store"},
		"no handler":    {func(c *scheduler.Config) { c.Handler = nil }, "no handler"},
		"no platforms":  {func(c *scheduler.Config) { c.Platforms = nil }, "no platforms"},
		"nil platform":  {func(c *scheduler.Config) { c.Platforms = map[string]bot.Platform{"slack": nil} }, `"slack" is nil`},
		"misnamed":      {func(c *scheduler.Config) { c.Platforms = map[string]bot.Platform{"teams": slack} }, `"slack" is listed as "teams"`},
		"bad spec":      {func(c *scheduler.Config) { c.SweepSpec = "every now and then" }, "sweep spec"},
		"bad hours":     {func(c *scheduler.Config) { c.Hours.Holidays = []string{"Christmas"} }, "Christmas"},
		"negative":      {func(c *scheduler.Config) { c.Lease = -time.Second }, "lease"},
		"negative size": {func(c *scheduler.Config) { c.Batch = -1 }, "batch"},
	}
	for name, tt := range tests {
		cfg := ok
		tt.mod(&cfg)
		_, err := scheduler.New(cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New = %v, want an error about %s", name, err, tt.want)
		}
	}
}

// TestDigests: a digest item (one per approver, no contract) runs as a
// digest turn for its approver in their working hours, once a local day,
// and one approver's digest does not hold back another's.
func TestDigests(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) storage.DueStore) {
		ny := zone(t, "America/New_York")
		monday := at(t, time.UTC, "2026-11-30 09:00")
		f := newFixture(t, open(t), monday, map[string]*time.Location{"UNY": ny}, nil)
		digest := func(user string) storage.DueItem { return scheduler.Digest("slack", "T1", user).Due(monday) }
		if err := f.due.Schedule(context.Background(), digest("UMO"), digest("UANA"), digest("UNY")); err != nil {
			t.Fatal(err)
		}
		schedule(t, f.due, monday, item("c1", "checkin", "UMO"))

		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 4, Sent: 3, Deferred: 1})
		want := map[string]int{"digest:slack:T1:UMO": 1, "digest:slack:T1:UANA": 1, "c1:checkin": 1}
		if got := f.rec.Counts(); !reflect.DeepEqual(got, want) {
			t.Fatalf("counts = %v, want %v", got, want)
		}
		for _, turn := range f.rec.Turns() {
			in := turn.Input
			if contract.DueKind(in.DueKind) != contract.DueDigest {
				continue
			}
			if in.Kind != conversation.DueInput || in.Contract != "" || in.Value != "" || turn.Team != "T1" || turn.Platform != f.slack {
				t.Errorf("digest turn %+v", turn)
			}
			if conversation.ContractOf(in) != "" {
				t.Errorf("a digest turn names contract %q", conversation.ContractOf(in))
			}
		}

		// The same approver's digest again that day waits for the next.
		if err := f.due.Schedule(context.Background(), digest("UMO")); err != nil {
			t.Fatal(err)
		}
		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Deferred: 1})

		f.clock.Set(at(t, ny, "2026-11-30 09:00"))
		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Sent: 1})
		f.clock.Set(at(t, time.UTC, "2026-12-01 09:00"))
		wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Sent: 1})
		want = map[string]int{"digest:slack:T1:UMO": 2, "digest:slack:T1:UANA": 1, "digest:slack:T1:UNY": 1, "c1:checkin": 1}
		if got := f.rec.Counts(); !reflect.DeepEqual(got, want) {
			t.Errorf("counts = %v, want %v", got, want)
		}
	})
}

// TestOneNudgePerLocalDayAheadOfUTC: in Sydney and Auckland the working day
// spans two UTC dates. The day a contract was nudged is the recipient's own:
// a second item the same local afternoon waits for the next working day,
// and one the next local morning (still the same UTC date as the afternoon
// before) is sent.
func TestOneNudgePerLocalDayAheadOfUTC(t *testing.T) {
	for _, name := range []string{"Australia/Sydney", "Pacific/Auckland"} {
		t.Run(name, func(t *testing.T) {
			loc := zone(t, name)
			morning := at(t, loc, "2026-03-03 09:30") // a Tuesday; the day before in UTC
			f := newFixture(t, stores["embedded"](t), morning, map[string]*time.Location{"U1": loc}, nil)
			schedule(t, f.due, morning, item("c1", "checkin", "U1"))
			wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Sent: 1})

			afternoon := at(t, loc, "2026-03-03 16:00") // the next UTC date
			if afternoon.UTC().Day() == morning.UTC().Day() {
				t.Fatalf("the test needs a local day across two UTC dates: %s, %s", morning.UTC(), afternoon.UTC())
			}
			f.clock.Set(afternoon)
			schedule(t, f.due, afternoon, item("c1", "midpoint", "U1"))
			wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Deferred: 1})
			if got := f.rec.Counts(); got["c1:midpoint"] != 0 {
				t.Fatalf("a second nudge the same local day: %v", got)
			}

			// The next local morning is the same UTC date as the afternoon.
			next := at(t, loc, "2026-03-04 09:00")
			if next.UTC().Day() != afternoon.UTC().Day() {
				t.Fatalf("the next morning is on another UTC date: %s, %s", afternoon.UTC(), next.UTC())
			}
			f.clock.Set(next)
			wantStats(t, sweep(t, f.s), scheduler.Stats{Claimed: 1, Sent: 1})
			if got := f.rec.Counts(); got["c1:checkin"] != 1 || got["c1:midpoint"] != 1 {
				t.Errorf("counts = %v, want the check-in, then the mid-point the next local day", got)
			}
		})
	}
}

// TestHousekeepingOncePerDay: of two processes on one store, one runs the
// day's housekeeping; it runs again the next day.
func TestHousekeepingOncePerDay(t *testing.T) {
	store := memory.New()
	runs := 0
	house := func(c *scheduler.Config) { c.Housekeeping = func(context.Context) error { runs++; return nil } }
	now := time.Date(2027, 3, 1, 3, 0, 0, 0, time.UTC)
	a, b := newFixture(t, store, now, nil, house), newFixture(t, store, now, nil, house)
	for _, f := range []*fixture{a, b} {
		if _, err := f.s.Housekeep(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if runs != 1 {
		t.Fatalf("housekeeping ran %d times for two processes on one day, want 1", runs)
	}
	b.clock.Advance(24 * time.Hour)
	if ran, err := b.s.Housekeep(context.Background()); err != nil || !ran || runs != 2 {
		t.Errorf("the next day: ran %v (%v), %d runs in all, want 2", ran, err, runs)
	}
}

// TestDueLag: each claimed item's lateness, from its due time to its
// claim, is reported.
func TestDueLag(t *testing.T) {
	t0 := at(t, time.UTC, "2026-03-03 09:00")
	var lags []time.Duration
	f := newFixture(t, memory.New(), t0, nil, func(c *scheduler.Config) { c.Lag = func(d time.Duration) { lags = append(lags, d) } })
	schedule(t, f.due, t0.Add(-5*time.Minute), item("c1", "checkin", "U1"))
	sweep(t, f.s)
	if len(lags) != 1 || lags[0] != 5*time.Minute {
		t.Errorf("lags %v, want one of 5m", lags)
	}
}
