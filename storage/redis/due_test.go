package redis

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/redis/redistest"
	"github.com/learnpact/learnpact/storage/storagetest"
)

func TestDueConformance(t *testing.T) {
	storagetest.RunDue(t, func(t *testing.T) storage.DueStore {
		s, _ := open(t)
		return s
	})
}

// TestDueConformanceCluster runs the due suite on a one-node cluster, and
// checks that every due key hashes to one slot, as the scripts and
// transactions need (a cluster of several nodes rejects them otherwise).
func TestDueConformanceCluster(t *testing.T) {
	srv := redistest.StartCluster(t)
	open := func(t *testing.T) *Store {
		s, err := Open("redis+cluster://" + srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Client().FlushAll(t.Context()).Err(); err != nil {
			t.Fatal(err)
		}
		return s
	}
	storagetest.RunDue(t, func(t *testing.T) storage.DueStore { return open(t) })

	t.Run("KeysShareASlot", func(t *testing.T) {
		s := open(t)
		slot := func(key string) int64 {
			n, err := s.Client().ClusterKeySlot(t.Context(), key).Result()
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, k := range dueKeys[1:] {
			if slot(k) != slot(dueKeys[0]) {
				t.Errorf("%s is in slot %d, %s in %d", k, slot(k), dueKeys[0], slot(dueKeys[0]))
			}
		}
	})
}

var dueT0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// openTwo returns two stores on one server, each with its own client, as
// two bot processes would have.
func openTwo(t *testing.T) (a, b *Store, srv *redistest.Server) {
	t.Helper()
	a, srv = open(t)
	b, err := Open(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b, srv
}

func scheduleN(t *testing.T, s *Store, n int, at time.Time) []storage.DueItem {
	t.Helper()
	items := make([]storage.DueItem, n)
	for i := range items {
		id := fmt.Sprintf("checkin:c%05d:1", i)
		items[i] = storage.DueItem{ID: id, At: at.Add(time.Duration(i%600) * time.Second), Data: fmt.Appendf(nil, `{"contract":"c%05d","n":1}`, i)}
	}
	for chunk := range slices.Chunk(items, 1000) {
		if err := s.Schedule(t.Context(), chunk...); err != nil {
			t.Fatal(err)
		}
	}
	return items
}

// TestDoneAllOneRoundTrip: a batch of claims is settled in one round
// trip however many it holds, lost leases among them, and a bad claim
// costs none.
func TestDoneAllOneRoundTrip(t *testing.T) {
	s, _ := open(t)
	ctx := t.Context()
	scheduleN(t, s, 1200, dueT0)
	cs, err := s.Claim(ctx, dueT0.Add(time.Hour), 2000, time.Minute)
	if err != nil || len(cs) != 1200 {
		t.Fatalf("Claim = %d, %v; want 1200", len(cs), err)
	}
	if err := s.Done(ctx, cs[0]); err != nil { // loads the script
		t.Fatal(err)
	}
	rt := new(roundTrips)
	s.Client().AddHook(rt)
	var res []error
	if n := rt.count(func() { res, err = s.DoneAll(ctx, cs...) }); n != 1 || err != nil {
		t.Fatalf("DoneAll of %d claims: %d round trips, %v; want 1, no error", len(cs), n, err)
	}
	if !errors.Is(res[0], storage.ErrLeaseLost) || slices.ContainsFunc(res[1:], func(err error) bool { return err != nil }) {
		t.Errorf("DoneAll: first result %v, want ErrLeaseLost, and the rest done", res[0])
	}
	bad := cs[1]
	bad.Token = ""
	if n := rt.count(func() { _, err = s.DoneAll(ctx, cs[1], bad) }); n != 0 || err == nil {
		t.Errorf("DoneAll with a claim without token: %d round trips, %v; want 0, an error", n, err)
	}
}

// TestTwoProcessesClaimEachOnce: two clients racing over the same due set
// each with several workers, get every item exactly once between them.
func TestTwoProcessesClaimEachOnce(t *testing.T) {
	const (
		n       = 10_000
		workers = 4 // per process
		batch   = 50
	)
	a, b, _ := openTwo(t)
	items := scheduleN(t, a, n, dueT0)
	now := dueT0.Add(time.Hour)

	ctx := t.Context()
	got := make([][]string, 2*workers)
	var (
		wg    sync.WaitGroup
		total atomic.Int64 // claims so far; past n, items came twice
	)
	for w := range got {
		s := []*Store{a, b}[w%2]
		wg.Go(func() {
			for total.Load() <= n {
				cs, err := s.Claim(ctx, now, batch, time.Hour)
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
				if len(cs) == 0 {
					return
				}
				total.Add(int64(len(cs)))
				for _, c := range cs {
					got[w] = append(got[w], c.Item.ID)
					if c.Attempt != 1 {
						t.Errorf("worker %d: %s at attempt %d, want 1", w, c.Item.ID, c.Attempt)
					}
				}
			}
		})
	}
	wg.Wait()

	count := make(map[string]int, n)
	perProcess := [2]int{}
	for w, g := range got {
		perProcess[w%2] += len(g)
		for _, id := range g {
			count[id]++
		}
	}
	missing, twice := 0, 0
	for _, it := range items {
		switch count[it.ID] {
		case 0:
			missing++
		case 1:
		default:
			twice++
		}
	}
	if missing > 0 || twice > 0 || len(count) != n {
		t.Errorf("of %d items, %d never claimed, %d claimed more than once; %d distinct ids claimed", n, missing, twice, len(count))
	}
	// Both processes took part; otherwise the test proves nothing.
	if perProcess[0] == 0 || perProcess[1] == 0 {
		t.Errorf("claims per process = %v; want both to have claimed", perProcess)
	}
	t.Logf("claims per process: %v", perProcess)
}

// TestDeadClaimer: a process claims items and dies before finishing; once
// its lease runs out the other process claims them, once.
func TestDeadClaimer(t *testing.T) {
	const lease = 5 * time.Minute
	dead, alive, srv := openTwo(t)
	ctx := t.Context()
	items := scheduleN(t, alive, 100, dueT0.Add(-time.Hour))

	lost, err := dead.Claim(ctx, dueT0, 30, lease)
	if err != nil || len(lost) != 30 {
		t.Fatalf("dying process claimed %d items, %v; want 30", len(lost), err)
	}
	// The process is gone: its connections close, Done is never called.
	if err := dead.Close(); err != nil {
		t.Fatal(err)
	}

	// Before the lease runs out the survivor gets the other 70 only.
	before, err := alive.Claim(ctx, dueT0.Add(lease-time.Millisecond), 1000, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 70 {
		t.Fatalf("survivor claimed %d items before the lease ran out, want 70", len(before))
	}
	for _, c := range before {
		if err := alive.Done(ctx, c); err != nil {
			t.Fatal(err)
		}
	}

	after, err := alive.Claim(ctx, dueT0.Add(lease), 1000, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sortedIDs(after), sortedIDs(lost); !slices.Equal(got, want) {
		t.Fatalf("survivor claimed %q after the lease, want the dead process's %q", got, want)
	}
	for _, c := range after {
		if c.Attempt != 2 {
			t.Errorf("%s at attempt %d, want 2", c.Item.ID, c.Attempt)
		}
		if err := alive.Done(ctx, c); err != nil {
			t.Errorf("Done(%s): %v", c.Item.ID, err)
		}
	}
	// Were the dead process to come back, its claims are void.
	back, err := Open(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if err := back.Done(ctx, lost[0]); !errors.Is(err, storage.ErrLeaseLost) {
		t.Errorf("Done by the returning process: err = %v, want ErrLeaseLost", err)
	}
	if rest, err := alive.Claim(ctx, dueT0.Add(24*time.Hour), 1000, time.Hour); err != nil || len(rest) != 0 {
		t.Errorf("after all were done: claimed %d, %v; want none of the %d left", len(rest), err, len(items))
	}
}

func sortedIDs(cs []storage.Claim) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.Item.ID
	}
	slices.Sort(ids)
	return ids
}

func TestDueKeys(t *testing.T) {
	s, _ := open(t)
	ctx := t.Context()
	c := s.Client()
	if err := s.Schedule(ctx, storage.DueItem{ID: "a", At: dueT0, Data: []byte(`{"x":1}`)}, storage.DueItem{ID: "b", At: dueT0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	cs, err := s.Claim(ctx, dueT0, 10, time.Minute)
	if err != nil || len(cs) != 1 {
		t.Fatalf("Claim = %d claims, %v; want 1", len(cs), err)
	}
	if _, err := s.Lock(ctx, "digest", 10*time.Minute, dueT0); err != nil {
		t.Fatal(err)
	}
	// The documented layout, which operators rely on.
	for key, typ := range map[string]string{
		"lp:{due}":        "zset",
		"lp:{due}:items":  "hash",
		"lp:{due}:leases": "hash",
		"lp:lock:digest":  "string",
	} {
		if got := c.Type(ctx, key).Val(); got != typ {
			t.Errorf("TYPE %s = %q, want %q", key, got, typ)
		}
	}
	scores := c.ZRangeWithScores(ctx, "lp:{due}", 0, -1).Val()
	want := []float64{float64(dueT0.Add(time.Minute).UnixMilli()), float64(dueT0.Add(time.Hour).UnixMilli())}
	if len(scores) != 2 || scores[0].Member != "a" || scores[0].Score != want[0] || scores[1].Member != "b" || scores[1].Score != want[1] {
		t.Errorf("lp:{due} = %v, want a at the lease's end %v, b at its due time %v", scores, want[0], want[1])
	}
	if got := c.HGet(ctx, "lp:{due}:leases", "a").Val(); got != "1:"+cs[0].Token {
		t.Errorf("lease of a = %q, want %q", got, "1:"+cs[0].Token)
	}
	if c.HExists(ctx, "lp:{due}:leases", "b").Val() {
		t.Error("b has a lease before any claim")
	}
	if ttl := c.PTTL(ctx, "lp:lock:digest").Val(); ttl <= 9*time.Minute || ttl > 10*time.Minute {
		t.Errorf("lock TTL = %s, want about 10m", ttl)
	}
	// Done leaves nothing behind.
	if err := s.Done(ctx, cs[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.Cancel(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	for _, key := range dueKeys {
		if n := c.Exists(ctx, key).Val(); n != 0 {
			t.Errorf("%s still exists after Done and Cancel", key)
		}
	}
}

// TestClaimLargeBatch: a claim larger than the script's chunks of ids
// keeps the order and skips nothing.
func TestClaimLargeBatch(t *testing.T) {
	s, _ := open(t)
	ctx := t.Context()
	items := scheduleN(t, s, 1234, dueT0)
	cs, err := s.Claim(ctx, dueT0.Add(time.Hour), 5000, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != len(items) {
		t.Fatalf("claimed %d items, want %d", len(cs), len(items))
	}
	for i, c := range cs {
		if i > 0 && c.Item.At.Before(cs[i-1].Item.At) {
			t.Fatalf("claim %d (%s, due %s) comes after one due %s", i, c.Item.ID, c.Item.At, cs[i-1].Item.At)
		}
	}
	if distinct := len(slices.Compact(sortedIDs(cs))); distinct != len(items) {
		t.Errorf("claimed %d distinct ids, want %d", distinct, len(items))
	}
}

// TestClaimDropsOrphans: an id in lp:{due} whose item was deleted by hand
// is dropped, not handed out or left to block the queue.
func TestClaimDropsOrphans(t *testing.T) {
	s, _ := open(t)
	ctx := t.Context()
	scheduleN(t, s, 3, dueT0)
	if err := s.Client().HDel(ctx, dueItemsKey, "checkin:c00000:1").Err(); err != nil {
		t.Fatal(err)
	}
	cs, err := s.Claim(ctx, dueT0.Add(time.Hour), 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedIDs(cs); !slices.Equal(got, []string{"checkin:c00001:1", "checkin:c00002:1"}) {
		t.Errorf("claimed %q, want the two items still stored", got)
	}
	if s.Client().ZScore(ctx, dueKey, "checkin:c00000:1").Err() == nil {
		t.Error("the orphaned id is still in lp:{due}")
	}
}

// benchItems is how many items BenchmarkClaim10k schedules: 1,000,000
// (about 7 s to load, 300 MB in Redis), or LEARNPACT_BENCH_ITEMS.
func benchItems(b *testing.B) int {
	v := os.Getenv("LEARNPACT_BENCH_ITEMS")
	if v == "" {
		return 1_000_000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 10_000 {
		b.Fatalf("LEARNPACT_BENCH_ITEMS=%q: want a number of items, at least 10000", v)
	}
	return n
}

// BenchmarkClaim10k measures claiming 10,000 due items, in batches of
// 1,000, out of a due set of benchItems items, and reports the Redis
// memory each scheduled item takes.
//
// Every iteration claims at a later time than the one before, with a
// lease shorter than the step, so the due set stays the same size: first
// the items never claimed, then those whose lease ran out.
func BenchmarkClaim10k(b *testing.B) {
	const (
		perOp = 10_000
		batch = 1_000
		load  = 10_000 // items per Schedule call while loading
		step  = time.Hour
		lease = time.Minute
	)
	n := benchItems(b)
	s, _ := open(b)
	ctx := b.Context()

	before := usedMemory(b, s)
	start := time.Now()
	items := make([]storage.DueItem, load)
	for i := 0; i < n; i += load {
		items = items[:min(load, n-i)]
		for j := range items {
			k := i + j
			items[j] = storage.DueItem{
				ID:   fmt.Sprintf("checkin:c-%07d:%d", k/4, k%4),
				At:   dueT0.Add(-time.Duration(k%86_400) * time.Second),
				Data: fmt.Appendf(nil, `{"kind":"checkin","contract":"c-%07d","n":%d}`, k/4, k%4),
			}
		}
		if err := s.Schedule(ctx, items...); err != nil {
			b.Fatal(err)
		}
	}
	loaded := time.Since(start)
	perItem := float64(usedMemory(b, s)-before) / float64(n)
	if got := s.Client().ZCard(ctx, dueKey).Val(); got != int64(n) {
		b.Fatalf("%d items scheduled, want %d", got, n)
	}
	b.Logf("scheduled %d items in %s", n, loaded.Round(time.Millisecond))

	now := dueT0
	b.ResetTimer()
	for b.Loop() {
		now = now.Add(step)
		for claimed := 0; claimed < perOp; {
			cs, err := s.Claim(ctx, now, batch, lease)
			if err != nil {
				b.Fatal(err)
			}
			if len(cs) != batch {
				b.Fatalf("claimed %d items, want %d", len(cs), batch)
			}
			claimed += len(cs)
		}
	}
	b.ReportMetric(perItem, "bytes/item")
}

// usedMemory returns the server's used_memory from INFO memory.
func usedMemory(b *testing.B, s *Store) int64 {
	b.Helper()
	info, err := s.Client().Info(b.Context(), "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatalf("used_memory %q: %v", v, err)
			}
			return n
		}
	}
	b.Fatalf("no used_memory in INFO memory: %q", info)
	return 0
}
