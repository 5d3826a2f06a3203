package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/learnpact/learnpact/storage"
)

// testTurnDueChanges: a turn's due changes are in Stores.Due once Save
// returns, as Schedule and Cancel would have made them: a replaced item
// loses its claim, unknown ids to cancel are ignored, an id both
// scheduled and cancelled is cancelled. The outbox does not see them.
func testTurnDueChanges(t *testing.T, s Subject) {
	ctx := t.Context()
	schedule(t, s.Due, item("keep", t0), item("gone", t0), item("claimed", t0.Add(-time.Hour)))
	old := claim(t, s.Due, t0.Add(-time.Hour), 10, 24*time.Hour)
	checkClaimed(t, old, "claimed")

	replaced := storage.DueItem{ID: "claimed", At: t0, Data: []byte("replaced")}
	saveTurn(t, s.Turns, storage.TurnWrite{
		User: alice, Session: session("s1"), CurrentContract: "c1",
		Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "v1"), Users: []storage.UserKey{alice}},
		Out:      []storage.DueItem{message("m1")},
		Due: storage.DueChanges{
			Schedule: []storage.DueItem{item("new", t0), replaced, item("both", t0), item("later", t0.Add(time.Minute))},
			Cancel:   []string{"gone", "unknown", "both"},
		},
	})
	if len(old) == 1 {
		if err := s.Due.Done(ctx, old[0]); !errors.Is(err, storage.ErrLeaseLost) {
			t.Errorf("Done of the claim the turn's item replaced: err = %v, want ErrLeaseLost", err)
		}
	}
	cs := claim(t, s.Due, t0, 100, time.Hour)
	checkClaimed(t, cs, "claimed", "keep", "new")
	if len(cs) == 3 {
		checkClaim(t, cs[0], replaced, 1)
		checkClaim(t, cs[2], item("new", t0), 1)
	}
	cs = claim(t, s.Due, t0.Add(time.Minute), 100, time.Hour)
	checkClaimed(t, cs, "later")
	checkOutbox(t, s.Outbox("slack"), message("m1"))
	checkSnapshot(t, load(t, s.Turns, alice, ""), storage.Snapshot{Session: session("s1"), ContractID: "c1", Contract: contract("c1", "v1"), Rev: 1})

	// A turn with changes only, and one without any, save as well.
	saveTurn(t, s.Turns, storage.TurnWrite{User: bob, Due: storage.DueChanges{Cancel: []string{"keep"}}})
	saveTurn(t, s.Turns, storage.TurnWrite{User: bob, Session: session("b")})
	cs = claim(t, s.Due, t0.Add(2*time.Hour), 100, time.Hour)
	checkClaimed(t, cs, "claimed", "new", "later")
}

// testTurnDueLocks: a turn takes its locks as Lock does, in the same
// place, and schedules a lock's items only when it got the lock.
func testTurnDueLocks(t *testing.T, s Subject) {
	if !lock(t, s.Due, "held", time.Hour, t0) {
		t.Fatal("Lock(held) = false the first time")
	}
	saveTurn(t, s.Turns, storage.TurnWrite{User: alice, Session: session("s1"), Due: storage.DueChanges{Locks: []storage.DueLock{
		{Name: "held", TTL: time.Hour, Now: t0.Add(time.Minute), Items: []storage.DueItem{item("a", t0)}},
		{Name: "free", TTL: time.Hour, Now: t0, Items: []storage.DueItem{item("b", t0), item("c", t0)}},
		{Name: "bare", TTL: time.Hour, Now: t0},
	}}})
	for _, name := range []string{"held", "free", "bare"} {
		if lock(t, s.Due, name, time.Hour, t0.Add(30*time.Minute)) {
			t.Errorf("Lock(%s) = true after the turn; want it held", name)
		}
	}
	// While held, a lock's items are left alone; once it ended, the next
	// turn takes it and schedules them.
	saveTurn(t, s.Turns, storage.TurnWrite{User: bob, Due: storage.DueChanges{Locks: []storage.DueLock{
		{Name: "free", TTL: time.Hour, Now: t0.Add(time.Hour - time.Millisecond), Items: []storage.DueItem{item("d", t0)}},
	}}})
	saveTurn(t, s.Turns, storage.TurnWrite{User: bob, Due: storage.DueChanges{Locks: []storage.DueLock{
		{Name: "free", TTL: time.Hour, Now: t0.Add(time.Hour), Items: []storage.DueItem{item("e", t0)}},
	}}})
	checkClaimed(t, claim(t, s.Due, t0, 100, time.Hour), "b", "c", "e")
	// The outbox keeps locks of its own.
	if !lock(t, s.Outbox("slack"), "bare", time.Hour, t0) {
		t.Error("the outbox's Lock(bare) = false; a turn's locks are the due store's")
	}
}

// testTurnDueChangesAtomic: a save that returns ErrConflict or ErrApplied
// makes none of its due changes: nothing scheduled or cancelled, no lock
// taken. Run again on the fresh revision, the turn makes them all.
func testTurnDueChangesAtomic(t *testing.T, s Subject) {
	saveTurn(t, s.Turns, storage.TurnWrite{
		User: alice, Session: session("s1"), CurrentContract: "c1",
		Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "v1"), Users: []storage.UserKey{alice}},
		Event:    "Ev1", EventTTL: eventTTL,
	})
	schedule(t, s.Due, item("existing", t0))
	changes := func(lock string) storage.DueChanges {
		return storage.DueChanges{
			Schedule: []storage.DueItem{item("x", t0)},
			Locks:    []storage.DueLock{{Name: lock, TTL: time.Hour, Now: t0, Items: []storage.DueItem{item("y-"+lock, t0)}}},
			Cancel:   []string{"existing"},
		}
	}
	stale := storage.TurnWrite{
		User: alice, Session: session("s2"), CurrentContract: "c1",
		Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "stale"), Users: []storage.UserKey{alice}},
		Event:    "Ev2", EventTTL: eventTTL,
		Due: changes("conflict"),
	}
	checkSaveFails(t, s.Turns, stale, storage.ErrConflict)
	again := storage.TurnWrite{User: alice, Session: session("s3"), Event: "Ev1", EventTTL: eventTTL, Due: changes("applied")}
	checkSaveFails(t, s.Turns, again, storage.ErrApplied)
	checkClaimed(t, claim(t, s.Due, t0, 100, time.Minute), "existing")

	stale.Contract.Rev = 1
	saveTurn(t, s.Turns, stale)
	checkClaimed(t, claim(t, s.Due, t0.Add(time.Hour), 100, time.Minute), "x", "y-conflict")
	if lock(t, s.Due, "conflict", time.Hour, t0.Add(time.Minute)) {
		t.Error("Lock(conflict) = true after the turn that took it saved")
	}
	if !lock(t, s.Due, "applied", time.Hour, t0.Add(time.Minute)) {
		t.Error("Lock(applied) = false: the turn that returned ErrApplied took it")
	}
}
