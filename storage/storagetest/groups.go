package storagetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/storage"
)

// The tests of groups (storage.DueItem.Group) run on an outbox, where each
// call of Stores.Outbox is a holder of its own.

func grouped(id, group string, at time.Time) storage.DueItem {
	it := item(id, at)
	it.Group = group
	return it
}

func done(t *testing.T, s storage.DueStore, cs ...storage.Claim) {
	t.Helper()
	res, err := s.DoneAll(t.Context(), cs...)
	if err != nil {
		t.Fatalf("DoneAll: %v", err)
	}
	for i, err := range res {
		if err != nil {
			t.Fatalf("DoneAll of %s: %v", cs[i].Item.ID, err)
		}
	}
}

// testGroupOneHolder: while one holder has a claim of a group, another
// claims the other groups' items and the ungrouped ones, not the group's;
// the holder claims the group's next item itself; once it settled all, the
// other holder claims the group.
func testGroupOneHolder(t *testing.T, sub Subject) {
	a, b := sub.Outbox("slack"), sub.Outbox("slack")
	schedule(t, a,
		grouped("a1", "@alice", t0),
		grouped("a2", "@alice", t0.Add(time.Millisecond)),
		grouped("b1", "@bob", t0.Add(2*time.Millisecond)),
		item("x", t0.Add(3*time.Millisecond)),
	)
	first := claim(t, a, t0.Add(time.Second), 1, time.Minute)
	checkClaimed(t, first, "a1")
	if len(first) == 1 && first[0].Item.Group != "@alice" {
		t.Errorf("claimed item's Group = %q, want @alice", first[0].Item.Group)
	}
	checkClaimed(t, claim(t, b, t0.Add(time.Second), 10, time.Minute), "b1", "x")
	second := claim(t, a, t0.Add(time.Second), 10, time.Minute)
	checkClaimed(t, second, "a2")

	schedule(t, b, grouped("a3", "@alice", t0.Add(2*time.Second)))
	done(t, a, first...)
	checkNoneDue(t, b, t0.Add(3*time.Second))
	done(t, a, second...)
	checkClaimed(t, claim(t, b, t0.Add(3*time.Second), 10, time.Minute), "a3")
	checkNoneDue(t, a, t0.Add(3*time.Second))
}

// testGroupHoldRunsOut: a holder that settles nothing keeps its group for
// storage.GroupHold after each of its claims; then another holder claims
// the group's new items, while the first holder's claims hold until their
// leases run out.
func testGroupHoldRunsOut(t *testing.T, sub Subject) {
	hold := storage.GroupHold
	a, b := sub.Outbox("slack"), sub.Outbox("slack")
	schedule(t, a, grouped("a1", "@alice", t0))
	c1 := claim(t, a, t0, 10, time.Hour)
	checkClaimed(t, c1, "a1")
	schedule(t, a, grouped("a2", "@alice", t0.Add(time.Second)))
	checkNoneDue(t, b, t0.Add(hold-time.Millisecond))
	// A claims again: its group is kept for GroupHold from then.
	later := t0.Add(10 * time.Second)
	checkClaimed(t, claim(t, a, later, 10, time.Hour), "a2")
	checkNoneDue(t, b, t0.Add(hold+time.Millisecond))
	schedule(t, a, grouped("a3", "@alice", t0.Add(12*time.Second)))
	checkNoneDue(t, b, later.Add(hold-time.Millisecond))
	checkClaimed(t, claim(t, b, later.Add(hold), 10, time.Hour), "a3")
	// The first holder's claim still holds; settling it frees nothing.
	if len(c1) == 1 {
		if err := a.Done(t.Context(), c1[0]); err != nil {
			t.Errorf("Done of a claim whose hold ended, while its lease holds: %v", err)
		}
	}
	schedule(t, a, grouped("a4", "@alice", later.Add(hold)))
	checkNoneDue(t, a, later.Add(hold+time.Second))
	checkClaimed(t, claim(t, b, later.Add(hold+time.Second), 10, time.Hour), "a4")
}

// testGroupLeaseRunsOut: the items of a holder that died come back when
// their leases run out, to whoever holds the group then.
func testGroupLeaseRunsOut(t *testing.T, sub Subject) {
	a, b := sub.Outbox("slack"), sub.Outbox("slack")
	schedule(t, a, grouped("a1", "@alice", t0))
	checkClaimed(t, claim(t, a, t0, 10, time.Minute), "a1")
	schedule(t, a, grouped("a2", "@alice", t0.Add(10*time.Second)))
	checkClaimed(t, claim(t, a, t0.Add(10*time.Second), 10, time.Minute), "a2")
	// a1's lease ends at t0+1m, a2's at t0+1m10s.
	cs := claim(t, b, t0.Add(71*time.Second), 10, time.Minute)
	checkClaimed(t, cs, "a1", "a2")
	if len(cs) != 2 {
		t.FailNow()
	}
	for _, c := range cs {
		if c.Attempt != 2 {
			t.Errorf("%s claimed again: attempt %d, want 2", c.Item.ID, c.Attempt)
		}
	}
	schedule(t, a, grouped("a3", "@alice", t0.Add(72*time.Second)))
	checkNoneDue(t, a, t0.Add(80*time.Second))
}

// testGroupReleaseHoldsBack: an item given back to a later time holds its
// group back until then, for every holder, so an item queued after it
// cannot go first; at that time both come due together.
func testGroupReleaseHoldsBack(t *testing.T, sub Subject) {
	a, b := sub.Outbox("slack"), sub.Outbox("slack")
	schedule(t, a, grouped("a1", "@alice", t0))
	cs := claim(t, a, t0, 10, time.Minute)
	checkClaimed(t, cs, "a1")
	if len(cs) != 1 {
		t.FailNow()
	}
	if err := a.Release(t.Context(), cs[0], t0.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	schedule(t, b, grouped("a2", "@alice", t0.Add(time.Second)), grouped("b1", "@bob", t0.Add(time.Second)))
	checkClaimed(t, claim(t, b, t0.Add(2*time.Second), 10, time.Minute), "b1")
	checkNoneDue(t, a, t0.Add(2*time.Second))
	checkClaimed(t, claim(t, b, t0.Add(10*time.Second), 10, time.Minute), "a2", "a1")
}

// testGroupDoneAllMixed: DoneAll of claims of several groups frees each
// group whose claims it settles, and only those.
func testGroupDoneAllMixed(t *testing.T, sub Subject) {
	a, b := sub.Outbox("slack"), sub.Outbox("slack")
	schedule(t, a,
		grouped("a1", "@alice", t0),
		grouped("b1", "@bob", t0),
		grouped("b2", "@bob", t0.Add(time.Millisecond)),
	)
	cs := claim(t, a, t0.Add(time.Millisecond), 10, time.Minute)
	checkClaimed(t, cs, "a1", "b1", "b2")
	if len(cs) != 3 {
		t.FailNow()
	}
	schedule(t, b, grouped("a2", "@alice", t0.Add(time.Second)), grouped("b3", "@bob", t0.Add(time.Second)))
	done(t, a, cs[0], cs[1]) // b2 still held
	checkClaimed(t, claim(t, b, t0.Add(2*time.Second), 10, time.Minute), "a2")
	done(t, a, cs[2])
	checkClaimed(t, claim(t, b, t0.Add(2*time.Second), 10, time.Minute), "b3")
}

// testGroupConcurrentHolders: holders claiming and settling at once never
// hold claims of one group at the same time, and every item is done once.
func testGroupConcurrentHolders(t *testing.T, sub Subject) {
	const holders, groups, perGroup = 4, 6, 15
	var items []storage.DueItem
	for i := range perGroup {
		for g := range groups {
			items = append(items, grouped(fmt.Sprintf("g%d-%02d", g, i), fmt.Sprintf("g%d", g), t0.Add(time.Duration(i)*time.Millisecond)))
		}
	}
	schedule(t, sub.Outbox("slack"), items...)
	var (
		mu      sync.Mutex
		holding = map[string]int{} // group → holder with unsettled claims
		counts  = map[string]int{} // group → how many it has
		got     [][]string
		wg      sync.WaitGroup
	)
	got = make([][]string, holders)
	for h := range holders {
		s := sub.Outbox("slack")
		wg.Go(func() {
			for range 200 {
				cs, err := s.Claim(t.Context(), t0.Add(time.Second), 3, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, c := range cs {
					g := c.Item.Group
					if other, ok := holding[g]; ok && other != h && counts[g] > 0 {
						t.Errorf("holder %d claimed %s while holder %d holds %d claims of %s", h, c.Item.ID, other, counts[g], g)
					}
					holding[g] = h
					counts[g]++
					got[h] = append(got[h], c.Item.ID)
				}
				mu.Unlock()
				if len(cs) == 0 {
					continue
				}
				// Settle under the lock: the claims stop counting when the
				// store has settled them, not before.
				mu.Lock()
				if _, err := s.DoneAll(t.Context(), cs...); err != nil {
					t.Error(err)
				}
				for _, c := range cs {
					counts[c.Item.Group]--
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	checkEachOnce(t, items, got)
	for h, ids := range got {
		last := map[string]string{}
		for _, id := range ids {
			g := id[:2]
			if prev, ok := last[g]; ok && prev > id {
				t.Errorf("holder %d claimed %s after %s", h, id, prev)
			}
			last[g] = id
		}
	}
	if rest := claim(t, sub.Outbox("slack"), t0.Add(2*time.Hour), 100, time.Minute); len(rest) > 0 {
		t.Errorf("left in the outbox: %q", ids(rest))
	}
}

// testGroupSavedMessages: a turn's outgoing messages keep their group, and
// wait for the holder of the group like scheduled ones.
func testGroupSavedMessages(t *testing.T, sub Subject) {
	a, b := sub.Outbox("slack"), sub.Outbox("slack")
	schedule(t, a, grouped("m0", "@alice", t0))
	checkClaimed(t, claim(t, a, t0, 10, time.Minute), "m0")
	saveTurn(t, sub.Turns, storage.TurnWrite{User: alice, Session: session("s"),
		Out: []storage.DueItem{grouped("m1", "@alice", t0.Add(time.Second)), grouped("m2", "@bob", t0.Add(time.Second))}})
	cs := claim(t, b, t0.Add(time.Second), 10, time.Minute)
	checkClaimed(t, cs, "m2")
	if len(cs) == 1 && cs[0].Item.Group != "@bob" {
		t.Errorf("saved message's Group = %q, want @bob", cs[0].Item.Group)
	}
	checkClaimed(t, claim(t, a, t0.Add(time.Second), 10, time.Minute), "m1")
}
