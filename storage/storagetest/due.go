package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learnpact/learnpact/storage"
)

// RunDue runs the conformance tests of storage.DueStore against stores made
// by open, which returns a new, empty store and closes it when the test
// ends (t.Cleanup).
//
// Behaviour pinned down beyond the storage.DueStore comments:
//   - Times come back to the millisecond, in UTC.
//   - Items claimable at the same millisecond come in the order of their
//     ids (byte-wise).
//   - Each Claim call uses one new token, different from every earlier
//     claim's.
func RunDue(t *testing.T, open func(t *testing.T) storage.DueStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s storage.DueStore)
	}{
		{"ClaimInOrder", testClaimInOrder},
		{"NotYetDue", testNotYetDue},
		{"Limit", testLimit},
		{"LeaseExpires", testLeaseExpires},
		{"LapsedLeaseOrder", testLapsedLeaseOrder},
		{"Done", testDone},
		{"LateDone", testLateDone},
		{"LeaseLost", testLeaseLost},
		{"DoneAll", testDoneAll},
		{"DoneAllEmpty", testDoneAllEmpty},
		{"DoneAllBadClaim", testDoneAllBadClaim},
		{"DoneAllMany", testDoneAllMany},
		{"Release", testRelease},
		{"Cancel", testCancel},
		{"Reschedule", testReschedule},
		{"RescheduleClaimed", testRescheduleClaimed},
		{"Values", testDueValues},
		{"ConcurrentClaimers", testConcurrentClaimers},
		{"Lock", testLock},
		{"ConcurrentLock", testConcurrentLock},
		{"BadInput", testDueBadInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// t0 is an arbitrary start for the tests' clocks.
var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

func item(id string, at time.Time) storage.DueItem {
	return storage.DueItem{ID: id, At: at, Data: fmt.Appendf(nil, `{"id":%q}`, id)}
}

func schedule(t *testing.T, s storage.DueStore, items ...storage.DueItem) {
	t.Helper()
	if err := s.Schedule(t.Context(), items...); err != nil {
		t.Fatalf("Schedule: %v", err)
	}
}

func claim(t *testing.T, s storage.DueStore, now time.Time, limit int, lease time.Duration) []storage.Claim {
	t.Helper()
	cs, err := s.Claim(t.Context(), now, limit, lease)
	if err != nil {
		t.Fatalf("Claim(%s, %d, %s): %v", now.Format(time.TimeOnly), limit, lease, err)
	}
	for _, c := range cs {
		if c.Token == "" {
			t.Errorf("claim of %q has no token", c.Item.ID)
		}
		if want := leaseEnd(now, lease); !c.Until.Equal(want) {
			t.Errorf("claim of %q: Until = %s, want %s", c.Item.ID, c.Until, want)
		}
	}
	return cs
}

// leaseEnd is when a lease taken at now ends: at now's millisecond plus
// the lease rounded up to a whole millisecond.
func leaseEnd(now time.Time, lease time.Duration) time.Time {
	return now.Truncate(time.Millisecond).Add((lease + time.Millisecond - 1).Truncate(time.Millisecond))
}

func ids(cs []storage.Claim) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Item.ID
	}
	return out
}

// checkClaimed fails unless cs are the items with these ids, in order.
func checkClaimed(t *testing.T, cs []storage.Claim, want ...string) {
	t.Helper()
	if got := ids(cs); !slices.Equal(got, want) {
		t.Errorf("claimed %q, want %q", got, want)
	}
}

// checkClaim compares one claim with the item and attempt expected.
func checkClaim(t *testing.T, c storage.Claim, want storage.DueItem, attempt int) {
	t.Helper()
	if c.Item.ID != want.ID || !c.Item.At.Equal(want.At) || !bytes.Equal(c.Item.Data, want.Data) || c.Attempt != attempt {
		t.Errorf("claim = {%q at %s, %s, attempt %d}, want {%q at %s, %s, attempt %d}",
			c.Item.ID, c.Item.At, show(c.Item.Data), c.Attempt, want.ID, want.At, show(want.Data), attempt)
	}
}

func checkNoneDue(t *testing.T, s storage.DueStore, now time.Time) {
	t.Helper()
	if cs := claim(t, s, now, 100, time.Minute); len(cs) > 0 {
		t.Errorf("Claim at %s = %q, want nothing", now.Format(time.TimeOnly), ids(cs))
	}
}

func testClaimInOrder(t *testing.T, s storage.DueStore) {
	items := []storage.DueItem{
		item("c", t0.Add(3*time.Minute)),
		item("b2", t0.Add(time.Minute)),
		item("a", t0.Add(2*time.Minute)),
		item("b1", t0.Add(time.Minute)),
		item("d", t0.Add(-24*time.Hour)),
	}
	schedule(t, s, items[:2]...)
	schedule(t, s, items[2:]...)
	now := t0.Add(10 * time.Minute)
	cs := claim(t, s, now, 10, time.Minute)
	checkClaimed(t, cs, "d", "b1", "b2", "a", "c")
	if len(cs) == 5 {
		checkClaim(t, cs[0], items[4], 1)
		checkClaim(t, cs[1], items[3], 1)
		checkClaim(t, cs[4], items[0], 1)
	}
	checkNoneDue(t, s, now)
}

func testNotYetDue(t *testing.T, s storage.DueStore) {
	schedule(t, s, item("x", t0.Add(time.Minute)), item("y", t0.Add(2*time.Minute)))
	checkNoneDue(t, s, t0)
	checkNoneDue(t, s, t0.Add(time.Minute-time.Millisecond))
	// Due at At exactly.
	checkClaimed(t, claim(t, s, t0.Add(time.Minute), 10, time.Hour), "x")
	checkNoneDue(t, s, t0.Add(90*time.Second))
	checkClaimed(t, claim(t, s, t0.Add(2*time.Minute), 10, time.Hour), "y")
}

func testLimit(t *testing.T, s storage.DueStore) {
	var want []string
	for i := range 10 {
		id := fmt.Sprintf("item-%02d", i)
		schedule(t, s, item(id, t0.Add(time.Duration(i)*time.Second)))
		want = append(want, id)
	}
	now := t0.Add(time.Hour)
	checkClaimed(t, claim(t, s, now, 3, time.Hour), want[:3]...)
	checkClaimed(t, claim(t, s, now, 1, time.Hour), want[3])
	checkClaimed(t, claim(t, s, now, 100, time.Hour), want[4:]...)
	checkNoneDue(t, s, now)
}

func testLeaseExpires(t *testing.T, s storage.DueStore) {
	it := item("checkin:c1:1", t0)
	schedule(t, s, it)
	cs := claim(t, s, t0, 10, 5*time.Minute)
	if len(cs) != 1 {
		t.Fatalf("claimed %q, want the item", ids(cs))
	}
	first := cs[0]
	checkClaim(t, first, it, 1)
	checkNoneDue(t, s, t0.Add(5*time.Minute-time.Millisecond))

	// Its claimer did not finish in time: claimable again.
	cs = claim(t, s, t0.Add(5*time.Minute), 10, 5*time.Minute)
	if len(cs) != 1 {
		t.Fatalf("claimed %q after the lease ran out, want the item", ids(cs))
	}
	checkClaim(t, cs[0], it, 2)
	if cs[0].Token == first.Token {
		t.Errorf("second claim has the first one's token %q", first.Token)
	}
	checkNoneDue(t, s, t0.Add(9*time.Minute))
	cs = claim(t, s, t0.Add(time.Hour), 10, time.Minute)
	if len(cs) != 1 {
		t.Fatalf("claimed %q after the second lease ran out, want the item", ids(cs))
	}
	checkClaim(t, cs[0], it, 3)
}

// testLapsedLeaseOrder: a lapsed claim is claimable from its Until, so it
// comes after items due before that time.
func testLapsedLeaseOrder(t *testing.T, s storage.DueStore) {
	schedule(t, s, item("early", t0))
	checkClaimed(t, claim(t, s, t0, 10, 10*time.Minute), "early")
	schedule(t, s, item("later", t0.Add(5*time.Minute)), item("latest", t0.Add(15*time.Minute)))
	checkClaimed(t, claim(t, s, t0.Add(20*time.Minute), 10, time.Minute), "later", "early", "latest")
}

func testDone(t *testing.T, s storage.DueStore) {
	ctx := t.Context()
	schedule(t, s, item("a", t0), item("b", t0))
	cs := claim(t, s, t0, 10, time.Minute)
	checkClaimed(t, cs, "a", "b")
	if len(cs) != 2 {
		return
	}
	if err := s.Done(ctx, cs[0]); err != nil {
		t.Fatalf("Done(a): %v", err)
	}
	if err := s.Done(ctx, cs[0]); !errors.Is(err, storage.ErrLeaseLost) {
		t.Errorf("second Done(a): err = %v, want ErrLeaseLost", err)
	}
	// a is gone; b, not done, comes back after its lease.
	checkClaimed(t, claim(t, s, t0.Add(time.Hour), 10, time.Minute), "b")
}

// testLateDone: a claim past its lease still holds while nobody claimed
// the item again.
func testLateDone(t *testing.T, s storage.DueStore) {
	schedule(t, s, item("slow", t0))
	cs := claim(t, s, t0, 1, time.Minute)
	if len(cs) != 1 {
		t.Fatalf("claimed %q, want slow", ids(cs))
	}
	if err := s.Done(t.Context(), cs[0]); err != nil {
		t.Fatalf("Done after the lease ran out, nobody else claiming: %v", err)
	}
	checkNoneDue(t, s, t0.Add(time.Hour))
}

func testLeaseLost(t *testing.T, s storage.DueStore) {
	ctx := t.Context()
	it := item("nudge:c1", t0)
	schedule(t, s, it)
	a := claim(t, s, t0, 1, time.Minute)
	b := claim(t, s, t0.Add(2*time.Minute), 1, time.Minute)
	if len(a) != 1 || len(b) != 1 {
		t.Fatalf("claims %q then %q; want the item twice", ids(a), ids(b))
	}
	checkClaim(t, b[0], it, 2)

	if err := s.Done(ctx, a[0]); !errors.Is(err, storage.ErrLeaseLost) {
		t.Errorf("Done by the first claimer: err = %v, want ErrLeaseLost", err)
	}
	if err := s.Release(ctx, a[0], t0); !errors.Is(err, storage.ErrLeaseLost) {
		t.Errorf("Release by the first claimer: err = %v, want ErrLeaseLost", err)
	}
	// The second claim is untouched: leased until its Until, then due.
	checkNoneDue(t, s, b[0].Until.Add(-time.Millisecond))
	c := claim(t, s, b[0].Until, 1, time.Minute)
	if len(c) != 1 {
		t.Fatalf("claimed %q after the second lease, want the item", ids(c))
	}
	checkClaim(t, c[0], it, 3)
	if err := s.Done(ctx, b[0]); !errors.Is(err, storage.ErrLeaseLost) {
		t.Errorf("Done by the second claimer: err = %v, want ErrLeaseLost", err)
	}
	if err := s.Done(ctx, c[0]); err != nil {
		t.Errorf("Done by the third claimer: %v", err)
	}
	checkNoneDue(t, s, t0.Add(time.Hour))
}

// checkDoneAll fails unless DoneAll of cs succeeds with a result per
// claim that is nil where ok[i] and ErrLeaseLost elsewhere.
func checkDoneAll(t *testing.T, s storage.DueStore, cs []storage.Claim, ok []bool) {
	t.Helper()
	res, err := s.DoneAll(t.Context(), cs...)
	if err != nil {
		t.Fatalf("DoneAll of %d claims: %v", len(cs), err)
	}
	if len(res) != len(cs) {
		t.Fatalf("DoneAll of %d claims: %d results", len(cs), len(res))
	}
	for i, err := range res {
		switch {
		case ok[i] && err != nil:
			t.Errorf("DoneAll, claim %d (%s): %v, want done", i, cs[i].Item.ID, err)
		case !ok[i] && !errors.Is(err, storage.ErrLeaseLost):
			t.Errorf("DoneAll, claim %d (%s): err = %v, want ErrLeaseLost", i, cs[i].Item.ID, err)
		}
	}
}

// testDoneAll: claims that hold are done and the others are ErrLeaseLost,
// each on its own, whatever their order in the batch.
func testDoneAll(t *testing.T, s storage.DueStore) {
	ctx := t.Context()
	schedule(t, s, item("b", t0.Add(-time.Minute)))
	early := claim(t, s, t0.Add(-time.Minute), 10, time.Minute)
	schedule(t, s, item("a", t0), item("c", t0), item("d", t0), item("e", t0))
	// b's first lease ran out at t0: it is claimed again with the others.
	cs := claim(t, s, t0, 10, time.Minute)
	checkClaimed(t, early, "b")
	checkClaimed(t, cs, "a", "b", "c", "d", "e")
	if len(early) != 1 || len(cs) != 5 {
		return
	}
	a, b, c, d, e := cs[0], cs[1], cs[2], cs[3], cs[4]
	if err := s.Release(ctx, c, t0.Add(time.Hour)); err != nil {
		t.Fatalf("Release(c): %v", err)
	}
	if err := s.Cancel(ctx, d.Item.ID); err != nil {
		t.Fatalf("Cancel(d): %v", err)
	}
	never := storage.Claim{Item: item("never-scheduled", t0), Token: a.Token, Until: a.Until, Attempt: 1}
	checkDoneAll(t, s,
		[]storage.Claim{early[0], a, c, d, never, e, a, b},
		[]bool{false, true, false, false, false, true, false, true})
	// Only c is left, released to t0+1h and claimable from then.
	checkNoneDue(t, s, t0.Add(time.Hour-time.Millisecond))
	checkClaimed(t, claim(t, s, t0.Add(24*time.Hour), 10, time.Minute), "c")
}

// testDoneAllEmpty: a batch of no claims changes nothing.
func testDoneAllEmpty(t *testing.T, s storage.DueStore) {
	schedule(t, s, item("a", t0))
	checkClaimed(t, claim(t, s, t0, 10, time.Minute), "a")
	res, err := s.DoneAll(t.Context())
	if err != nil || len(res) != 0 {
		t.Errorf("DoneAll() = %v, %v; want no results and no error", res, err)
	}
	checkClaimed(t, claim(t, s, t0.Add(time.Hour), 10, time.Minute), "a")
}

// testDoneAllBadClaim: a batch with a claim without id or token is an
// error, neither ErrLeaseLost nor ErrNotFound, and removes nothing, not
// even the items of the claims that hold.
func testDoneAllBadClaim(t *testing.T, s storage.DueStore) {
	schedule(t, s, item("a", t0), item("b", t0))
	cs := claim(t, s, t0, 10, time.Minute)
	checkClaimed(t, cs, "a", "b")
	if len(cs) != 2 {
		return
	}
	noID, noToken := cs[1], cs[1]
	noID.Item.ID = ""
	noToken.Token = ""
	for name, batch := range map[string][]storage.Claim{
		"without id":    {cs[0], noID, cs[1]},
		"without token": {cs[0], cs[1], noToken},
		"only bad":      {noID},
	} {
		res, err := s.DoneAll(t.Context(), batch...)
		switch {
		case err == nil:
			t.Errorf("DoneAll with a claim %s: results %v, no error", name, res)
		case errors.Is(err, storage.ErrLeaseLost) || errors.Is(err, storage.ErrNotFound):
			t.Errorf("DoneAll with a claim %s: err = %v; bad input is neither a lost lease nor a missing item", name, err)
		}
	}
	checkClaimed(t, claim(t, s, t0.Add(time.Hour), 10, time.Minute), "a", "b")
}

// testDoneAllMany: a batch larger than a store may take in one piece,
// with an item repeated far apart, is done whole.
func testDoneAllMany(t *testing.T, s storage.DueStore) {
	const n = 1203
	items := make([]storage.DueItem, n)
	for i := range items {
		items[i] = item(fmt.Sprintf("m%04d", i), t0)
	}
	schedule(t, s, items...)
	cs := claim(t, s, t0, 2*n, time.Minute)
	if len(cs) != n {
		t.Fatalf("claimed %d items, want %d", len(cs), n)
	}
	ok := make([]bool, n, n+2)
	for i := range ok {
		ok[i] = true
	}
	// The first item again at the end, and the last again after it.
	checkDoneAll(t, s, append(cs, cs[0], cs[n-1]), append(ok, false, false))
	checkNoneDue(t, s, t0.Add(time.Hour))
}

func testRelease(t *testing.T, s storage.DueStore) {
	ctx := t.Context()
	it := item("reminder:c1", t0)
	schedule(t, s, it)
	cs := claim(t, s, t0, 1, time.Minute)
	if len(cs) != 1 {
		t.Fatalf("claimed %q, want the item", ids(cs))
	}
	later := t0.Add(time.Hour)
	if err := s.Release(ctx, cs[0], later); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if err := s.Done(ctx, cs[0]); !errors.Is(err, storage.ErrLeaseLost) {
		t.Errorf("Done after Release: err = %v, want ErrLeaseLost", err)
	}
	if err := s.Release(ctx, cs[0], later); !errors.Is(err, storage.ErrLeaseLost) {
		t.Errorf("second Release: err = %v, want ErrLeaseLost", err)
	}
	// Not due before the new time, even though the lease has run out.
	checkNoneDue(t, s, later.Add(-time.Millisecond))
	again := claim(t, s, later, 1, time.Minute)
	if len(again) != 1 {
		t.Fatalf("claimed %q at the release time, want the item", ids(again))
	}
	checkClaim(t, again[0], storage.DueItem{ID: it.ID, At: later, Data: it.Data}, 2)

	// Released to a time already past: due at once.
	if err := s.Release(ctx, again[0], t0); err != nil {
		t.Fatalf("Release to the past: %v", err)
	}
	checkClaimed(t, claim(t, s, later, 1, time.Minute), it.ID)
}

func testCancel(t *testing.T, s storage.DueStore) {
	ctx := t.Context()
	schedule(t, s, item("leased", t0), item("waiting", t0.Add(time.Hour)), item("kept", t0.Add(time.Hour)))
	cs := claim(t, s, t0, 10, time.Minute)
	checkClaimed(t, cs, "leased")
	if err := s.Cancel(ctx, "leased", "waiting", "never-scheduled"); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if err := s.Cancel(ctx); err != nil {
		t.Fatalf("Cancel of nothing: %v", err)
	}
	if len(cs) == 1 {
		if err := s.Done(ctx, cs[0]); !errors.Is(err, storage.ErrLeaseLost) {
			t.Errorf("Done of a cancelled item: err = %v, want ErrLeaseLost", err)
		}
		if err := s.Release(ctx, cs[0], t0); !errors.Is(err, storage.ErrLeaseLost) {
			t.Errorf("Release of a cancelled item: err = %v, want ErrLeaseLost", err)
		}
	}
	checkClaimed(t, claim(t, s, t0.Add(24*time.Hour), 10, time.Minute), "kept")
}

func testReschedule(t *testing.T, s storage.DueStore) {
	v1 := storage.DueItem{ID: "checkin:c1:1", At: t0.Add(time.Minute), Data: []byte(`{"v":1}`)}
	v2 := storage.DueItem{ID: "checkin:c1:1", At: t0.Add(2 * time.Minute), Data: []byte(`{"v":2}`)}
	v3 := storage.DueItem{ID: "checkin:c1:1", At: t0.Add(90 * time.Second), Data: []byte(`{"v":3}`)}
	schedule(t, s, v1)
	schedule(t, s, v2)
	checkNoneDue(t, s, t0.Add(time.Minute))
	// Within one call, the last item with an id wins.
	schedule(t, s, v1, v3)
	checkNoneDue(t, s, t0.Add(time.Minute))
	cs := claim(t, s, t0.Add(2*time.Minute), 10, time.Minute)
	if len(cs) != 1 {
		t.Fatalf("claimed %q, want one item", ids(cs))
	}
	checkClaim(t, cs[0], v3, 1)
}

func testRescheduleClaimed(t *testing.T, s storage.DueStore) {
	ctx := t.Context()
	old := storage.DueItem{ID: "digest:T1", At: t0, Data: []byte(`{"week":9}`)}
	schedule(t, s, old)
	first := claim(t, s, t0, 1, time.Hour)
	second := claim(t, s, t0.Add(2*time.Hour), 1, time.Hour)
	if len(first) != 1 || len(second) != 1 {
		t.Fatalf("claims %q then %q; want the item twice", ids(first), ids(second))
	}
	next := storage.DueItem{ID: "digest:T1", At: t0.Add(7 * 24 * time.Hour), Data: []byte(`{"week":10}`)}
	schedule(t, s, next)
	// The claim was lost to the new schedule, which stays.
	if err := s.Done(ctx, second[0]); !errors.Is(err, storage.ErrLeaseLost) {
		t.Errorf("Done of a rescheduled item: err = %v, want ErrLeaseLost", err)
	}
	checkNoneDue(t, s, next.At.Add(-time.Millisecond))
	cs := claim(t, s, next.At, 1, time.Hour)
	if len(cs) != 1 {
		t.Fatalf("claimed %q, want the rescheduled item", ids(cs))
	}
	checkClaim(t, cs[0], next, 1)
}

func testDueValues(t *testing.T, s storage.DueStore) {
	items := []storage.DueItem{
		{ID: "no-data", At: t0},
		{ID: "a:b", At: t0.Add(time.Millisecond), Data: []byte("1:2:3")},
		{ID: "a", At: t0.Add(2 * time.Millisecond), Data: []byte("b:2:3")},
		{ID: "{due}:ünïcødé 🙂", At: t0.Add(3 * time.Millisecond), Data: []byte("\x00\xff\n:\r\n")},
		{ID: "big", At: t0.Add(4 * time.Millisecond), Data: bytes.Repeat([]byte(`{"x":1}`), 10_000)},
		// Before 1970, and sub-millisecond times, which are truncated.
		{ID: "old", At: time.Date(1969, 7, 20, 20, 17, 40, 900_000_000, time.UTC), Data: []byte(`{}`)},
		{ID: "precise", At: t0.Add(5*time.Millisecond + 999*time.Microsecond), Data: []byte(`{}`)},
	}
	schedule(t, s, items...)
	cs := claim(t, s, t0.Add(time.Second), 100, time.Minute)
	checkClaimed(t, cs, "old", "no-data", "a:b", "a", "{due}:ünïcødé 🙂", "big", "precise")
	if len(cs) != len(items) {
		return
	}
	for i, want := range []int{5, 0, 1, 2, 3, 4} {
		checkClaim(t, cs[i], items[want], 1)
	}
	if at := cs[6].Item.At; !at.Equal(t0.Add(5 * time.Millisecond)) {
		t.Errorf("At = %s, want %s (truncated to the millisecond)", at, t0.Add(5*time.Millisecond))
	}
	for _, c := range cs {
		if c.Item.At.Location() != time.UTC || c.Until.Location() != time.UTC {
			t.Errorf("claim of %q: times in %s and %s, want UTC", c.Item.ID, c.Item.At.Location(), c.Until.Location())
		}
	}
	// A lease under a millisecond counts as one.
	schedule(t, s, item("short", t0))
	cs = claim(t, s, t0, 1, time.Microsecond)
	if len(cs) != 1 {
		t.Fatalf("claimed %q, want short", ids(cs))
	}
	checkNoneDue(t, s, t0)
}

// testConcurrentClaimers: claimers racing over the same due items get
// each item exactly once.
func testConcurrentClaimers(t *testing.T, s storage.DueStore) {
	const (
		n        = 2000
		claimers = 8
		batch    = 7
	)
	items := make([]storage.DueItem, n)
	for i := range items {
		items[i] = item(fmt.Sprintf("checkin:c%04d:1", i), t0.Add(time.Duration(i%50)*time.Second))
	}
	for chunk := range slices.Chunk(items, 500) {
		schedule(t, s, chunk...)
	}
	ctx := t.Context()
	now := t0.Add(time.Hour)
	got := make([][]string, claimers)
	var (
		wg    sync.WaitGroup
		total atomic.Int64 // claims so far; past n, items came twice
	)
	for w := range claimers {
		wg.Go(func() {
			for total.Load() <= n {
				cs, err := s.Claim(ctx, now, batch, time.Hour)
				if err != nil {
					t.Errorf("claimer %d: Claim: %v", w, err)
					return
				}
				if len(cs) == 0 {
					return
				}
				got[w] = append(got[w], ids(cs)...)
				total.Add(int64(len(cs)))
			}
		})
	}
	wg.Wait()
	checkEachOnce(t, items, got)
	checkNoneDue(t, s, now)
}

// checkEachOnce fails unless the claimers together got every item exactly
// once.
func checkEachOnce(t *testing.T, items []storage.DueItem, got [][]string) {
	t.Helper()
	count := make(map[string]int, len(items))
	for _, g := range got {
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
		delete(count, it.ID)
	}
	if missing > 0 || twice > 0 || len(count) > 0 {
		t.Errorf("of %d items, %d never claimed, %d claimed more than once, %d unknown ids claimed", len(items), missing, twice, len(count))
	}
}

func lock(t *testing.T, s storage.DueStore, name string, ttl time.Duration, now time.Time) bool {
	t.Helper()
	ok, err := s.Lock(t.Context(), name, ttl, now)
	if err != nil {
		t.Fatalf("Lock(%q): %v", name, err)
	}
	return ok
}

func testLock(t *testing.T, s storage.DueStore) {
	if !lock(t, s, "digest", time.Hour, t0) {
		t.Fatal("Lock(digest) = false the first time")
	}
	if lock(t, s, "digest", time.Hour, t0) {
		t.Error("Lock(digest) = true again at once")
	}
	if lock(t, s, "digest", time.Hour, t0.Add(time.Hour-time.Millisecond)) {
		t.Error("Lock(digest) = true just before its ttl ran out")
	}
	if !lock(t, s, "digest:T2", time.Hour, t0) {
		t.Error("Lock(digest:T2) = false; another name is another lock")
	}
	if !lock(t, s, "digest", 2*time.Hour, t0.Add(time.Hour)) {
		t.Fatal("Lock(digest) = false once its ttl ran out")
	}
	// The new holder's ttl counts now.
	if lock(t, s, "digest", time.Hour, t0.Add(150*time.Minute)) {
		t.Error("Lock(digest) = true within the second holder's ttl")
	}
	if !lock(t, s, "digest", time.Hour, t0.Add(3*time.Hour)) {
		t.Error("Lock(digest) = false after the second holder's ttl")
	}
}

func testConcurrentLock(t *testing.T, s storage.DueStore) {
	const contenders = 8
	ctx := t.Context()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for range contenders {
		wg.Go(func() {
			ok, err := s.Lock(ctx, "weekly-digest", time.Hour, t0)
			if err != nil {
				t.Errorf("Lock: %v", err)
				return
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d of %d contenders got the lock, want 1", wins, contenders)
	}
}

func testDueBadInput(t *testing.T, s storage.DueStore) {
	ctx := context.Background()
	ok := storage.Claim{Item: item("x", t0), Token: "token", Until: t0.Add(time.Minute), Attempt: 1}
	noID, noToken := ok, ok
	noID.Item.ID = ""
	noToken.Token = ""
	cases := []struct {
		name string
		err  error
	}{
		{"Schedule without id", s.Schedule(ctx, item("fine", t0), storage.DueItem{At: t0})},
		{"Schedule without time", s.Schedule(ctx, item("fine", t0), storage.DueItem{ID: "x"})},
		{"Cancel of an empty id", s.Cancel(ctx, "fine", "")},
		{"Claim at zero time", claimErr(s.Claim(ctx, time.Time{}, 10, time.Minute))},
		{"Claim of zero items", claimErr(s.Claim(ctx, t0, 0, time.Minute))},
		{"Claim of negative items", claimErr(s.Claim(ctx, t0, -1, time.Minute))},
		{"Claim with zero lease", claimErr(s.Claim(ctx, t0, 10, 0))},
		{"Claim with negative lease", claimErr(s.Claim(ctx, t0, 10, -time.Minute))},
		{"Done without id", s.Done(ctx, noID)},
		{"Done without token", s.Done(ctx, noToken)},
		{"DoneAll without id", doneAllErr(s.DoneAll(ctx, ok, noID))},
		{"DoneAll without token", doneAllErr(s.DoneAll(ctx, noToken, ok))},
		{"Release without id", s.Release(ctx, noID, t0)},
		{"Release without token", s.Release(ctx, noToken, t0)},
		{"Release to zero time", s.Release(ctx, ok, time.Time{})},
		{"Lock without name", lockErr(s.Lock(ctx, "", time.Minute, t0))},
		{"Lock with zero ttl", lockErr(s.Lock(ctx, "x", 0, t0))},
		{"Lock with negative ttl", lockErr(s.Lock(ctx, "x", -time.Minute, t0))},
		{"Lock at zero time", lockErr(s.Lock(ctx, "x", time.Minute, time.Time{}))},
	}
	for _, c := range cases {
		switch {
		case c.err == nil:
			t.Errorf("%s: no error", c.name)
		case errors.Is(c.err, storage.ErrLeaseLost) || errors.Is(c.err, storage.ErrNotFound):
			t.Errorf("%s: err = %v; bad input is neither a lost lease nor a missing item", c.name, c.err)
		case strings.TrimSpace(c.err.Error()) == "":
			t.Errorf("%s: empty error message", c.name)
		}
	}
	// None of it was written: not the valid items beside the bad ones,
	// and not the locks.
	checkNoneDue(t, s, t0.Add(time.Hour))
	if !lock(t, s, "x", time.Minute, t0) {
		t.Error("Lock(x) = false after only rejected calls")
	}
}

func claimErr(_ []storage.Claim, err error) error { return err }

func doneAllErr(_ []error, err error) error { return err }

func lockErr(_ bool, err error) error { return err }

// RunApart checks that two DueStores on one backing store (the due items
// and the outbox) keep their items, ids and locks apart.
func RunApart(t *testing.T, a, b storage.DueStore) {
	t.Helper()
	ctx := t.Context()
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	if err := a.Schedule(ctx, storage.DueItem{ID: "same", At: t0, Data: []byte("a")}); err != nil {
		t.Fatal(err)
	}
	if err := b.Schedule(ctx, storage.DueItem{ID: "same", At: t0, Data: []byte("b")}); err != nil {
		t.Fatal(err)
	}
	if ok, err := a.Lock(ctx, "l", time.Hour, t0); err != nil || !ok {
		t.Fatalf("Lock = %v, %v", ok, err)
	}
	if ok, err := b.Lock(ctx, "l", time.Hour, t0); err != nil || !ok {
		t.Errorf("Lock of a name the other store holds = %v, %v; want taken", ok, err)
	}
	cs, err := b.Claim(ctx, t0, 10, time.Minute)
	if err != nil || len(cs) != 1 || string(cs[0].Item.Data) != "b" {
		t.Fatalf("Claim = %+v, %v; want its own item", cs, err)
	}
	if err := b.Done(ctx, cs[0]); err != nil {
		t.Fatal(err)
	}
	cs, err = a.Claim(ctx, t0, 10, time.Minute)
	if err != nil || len(cs) != 1 || string(cs[0].Item.Data) != "a" {
		t.Errorf("Claim after the other's Done = %+v, %v; want its own item", cs, err)
	}
}
