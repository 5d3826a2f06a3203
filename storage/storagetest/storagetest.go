// Package storagetest is the conformance suite every storage.Store passes.
//
// An implementation's tests call Run with a function that opens a new,
// empty store and says how to move its clock:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storagetest.Subject { ... })
//	}
//
// Behaviour the suite pins down beyond the storage.Store comments:
//   - Snapshot.ContractID is the id asked for, or else the session's current
//     one, even when no such contract is stored (Contract is then nil).
//   - Save with a nil session leaves the stored session as it is.
//   - Only the users in ContractWrite.Users get the contract in their lists.
//   - A turn's outgoing messages are in the outbox of its user's platform
//     (Stores.Outbox(User.Platform)) once Save returns, and neither in
//     Stores.Due nor in another platform's outbox.
//   - A turn's due changes (TurnWrite.Due) are in Stores.Due once Save
//     returns, made as Schedule, Lock and Cancel would make them, and
//     none of them when Save returns ErrConflict or ErrApplied.
//   - Events applied by turns are per user, and apart from FirstSeen's.
//   - Bad input (an empty user or contract id, a negative revision, empty
//     contract data, an empty event id, a ttl that is not positive, an
//     outgoing message or due item without id or due time, an empty id to
//     cancel, a lock without name, ttl or time) is an error, never a
//     panic, and writes nothing.
//
// Stores that also keep scheduled work pass RunDue, the suite of
// storage.DueStore.
package storagetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/storage"
)

// Subject is a new, empty store for one test of Run.
type Subject struct {
	// Stores are its parts: Run uses Turns and the outboxes (and Due, to
	// see that messages stay out of it). Turns.Close closes them all.
	storage.Stores
	// Advance moves on by d the clock by which the store counts ttls
	// (sessions, events): the clock the store was given, or the server's
	// expiries. Nil when there is no such clock: tests of expiry then skip
	// that part.
	Advance func(d time.Duration)
}

// Run runs every conformance test against stores made by open. Each test
// opens its own store and closes it when done.
func Run(t *testing.T, open func(t *testing.T) Subject) {
	turns := func(fn func(t *testing.T, s storage.Store)) func(t *testing.T, s Subject) {
		return func(t *testing.T, s Subject) { fn(t, s.Turns) }
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s Subject)
	}{
		{"LoadNothing", turns(testLoadNothing)},
		{"SaveThenLoad", turns(testSaveThenLoad)},
		{"SessionWithoutContract", turns(testSessionWithoutContract)},
		{"NilSessionLeavesSession", turns(testNilSessionLeavesSession)},
		{"LoadFollowsCurrentContract", turns(testLoadFollowsCurrentContract)},
		{"LoadExplicitContract", turns(testLoadExplicitContract)},
		{"UsersAreDistinct", turns(testUsersAreDistinct)},
		{"RevisionZeroOnExistingContract", turns(testRevisionZeroOnExisting)},
		{"StaleRevision", turns(testStaleRevision)},
		{"ConcurrentWriters", turns(testConcurrentWriters)},
		{"ContractsListsEveryUser", turns(testContractsListsEveryUser)},
		{"ContractAndNotFound", turns(testContractAndNotFound)},
		{"FirstSeen", turns(testFirstSeen)},
		{"LargeValues", turns(testLargeValues)},
		{"BadInput", testBadInput},
		{"Ping", turns(testPing)},
		{"OutgoingMessages", testOutgoingMessages},
		{"OutboxPerPlatform", testOutboxPerPlatform},
		{"ConflictWritesNothingOfTheTurn", testConflictWritesNothing},
		{"EventAppliedOnce", testEventAppliedOnce},
		{"LoadReportsApplied", testLoadReportsApplied},
		{"ConcurrentRunsOfAnEvent", testConcurrentRunsOfAnEvent},
		{"TurnDueChanges", testTurnDueChanges},
		{"TurnDueLocks", testTurnDueLocks},
		{"TurnDueChangesAtomic", testTurnDueChangesAtomic},
		{"GroupOneHolder", testGroupOneHolder},
		{"GroupHoldRunsOut", testGroupHoldRunsOut},
		{"GroupLeaseRunsOut", testGroupLeaseRunsOut},
		{"GroupReleaseHoldsBack", testGroupReleaseHoldsBack},
		{"GroupDoneAllMixed", testGroupDoneAllMixed},
		{"GroupConcurrentHolders", testGroupConcurrentHolders},
		{"GroupSavedMessages", testGroupSavedMessages},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Turns.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
	t.Run("Close", func(t *testing.T) {
		s := open(t).Turns
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping of an open store: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if _, err := s.Load(t.Context(), alice, "", ""); err == nil {
			t.Error("Load after Close succeeded; want an error")
		}
		if err := s.Ping(t.Context()); err == nil {
			t.Error("Ping after Close succeeded; want an error")
		}
	})
}

var (
	alice = storage.UserKey{Platform: "slack", Team: "T1", User: "U-alice"}
	bob   = storage.UserKey{Platform: "slack", Team: "T1", User: "U-bob"}
	carol = storage.UserKey{Platform: "slack", Team: "T1", User: "U-carol"}
)

// session and contract build small, distinguishable JSON documents.
func session(step string) []byte {
	return fmt.Appendf(nil, `{"step":%q}`, step)
}

func contract(id, title string) []byte {
	return fmt.Appendf(nil, `{"id":%q,"title":%q}`, id, title)
}

func save(t *testing.T, s storage.Store, u storage.UserKey, sess []byte, current string, c *storage.ContractWrite) {
	t.Helper()
	if err := s.Save(t.Context(), storage.TurnWrite{User: u, Session: sess, CurrentContract: current, Contract: c}); err != nil {
		t.Fatalf("Save(%v, current %q): %v", u, current, err)
	}
}

func load(t *testing.T, s storage.Store, u storage.UserKey, id string) storage.Snapshot {
	t.Helper()
	snap, err := s.Load(t.Context(), u, id, "")
	if err != nil {
		t.Fatalf("Load(%v, %q): %v", u, id, err)
	}
	return snap
}

func checkSnapshot(t *testing.T, got, want storage.Snapshot) {
	t.Helper()
	if !bytes.Equal(got.Session, want.Session) || (got.Session == nil) != (want.Session == nil) {
		t.Errorf("Session = %s, want %s", show(got.Session), show(want.Session))
	}
	if got.ContractID != want.ContractID {
		t.Errorf("ContractID = %q, want %q", got.ContractID, want.ContractID)
	}
	if !bytes.Equal(got.Contract, want.Contract) || (got.Contract == nil) != (want.Contract == nil) {
		t.Errorf("Contract = %s, want %s", show(got.Contract), show(want.Contract))
	}
	if got.Rev != want.Rev {
		t.Errorf("Rev = %d, want %d", got.Rev, want.Rev)
	}
	if got.Applied != want.Applied {
		t.Errorf("Applied = %v, want %v", got.Applied, want.Applied)
	}
}

func show(b []byte) string {
	switch {
	case b == nil:
		return "nil"
	case len(b) > 80:
		return fmt.Sprintf("%q… (%d bytes)", b[:80], len(b))
	default:
		return fmt.Sprintf("%q", b)
	}
}

func contracts(t *testing.T, s storage.Store, u storage.UserKey) []string {
	t.Helper()
	ids, err := s.Contracts(t.Context(), u)
	if err != nil {
		t.Fatalf("Contracts(%v): %v", u, err)
	}
	return ids
}

func checkContracts(t *testing.T, s storage.Store, u storage.UserKey, want ...string) {
	t.Helper()
	got := contracts(t, s, u)
	if len(got) != len(want) || (len(want) > 0 && !slices.Equal(got, want)) {
		t.Errorf("Contracts(%s) = %q, want %q", u.User, got, want)
	}
}

func testLoadNothing(t *testing.T, s storage.Store) {
	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{})
	checkSnapshot(t, load(t, s, alice, "c-missing"), storage.Snapshot{ContractID: "c-missing"})
	checkContracts(t, s, alice)
}

func testSaveThenLoad(t *testing.T, s storage.Store) {
	sess, data := session("drafting"), contract("c1", "Lead a retrospective")
	save(t, s, alice, sess, "c1", &storage.ContractWrite{ID: "c1", Data: data, Users: []storage.UserKey{alice, bob}})

	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{Session: sess, ContractID: "c1", Contract: data, Rev: 1})
	checkSnapshot(t, load(t, s, alice, "c1"), storage.Snapshot{Session: sess, ContractID: "c1", Contract: data, Rev: 1})
	// Bob has no session yet but can load the contract by id.
	checkSnapshot(t, load(t, s, bob, "c1"), storage.Snapshot{ContractID: "c1", Contract: data, Rev: 1})
	checkSnapshot(t, load(t, s, bob, ""), storage.Snapshot{})
}

func testSessionWithoutContract(t *testing.T, s storage.Store) {
	save(t, s, alice, session("hello"), "", nil)
	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{Session: session("hello")})

	// A current contract that is not stored yet loads as none.
	save(t, s, alice, session("naming"), "c9", nil)
	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{Session: session("naming"), ContractID: "c9"})

	// The next save replaces session and current contract together.
	save(t, s, alice, session("idle"), "", nil)
	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{Session: session("idle")})
}

func testNilSessionLeavesSession(t *testing.T, s storage.Store) {
	save(t, s, alice, session("reviewing"), "c1", &storage.ContractWrite{ID: "c1", Data: contract("c1", "v1"), Users: []storage.UserKey{alice}})
	save(t, s, alice, nil, "c2", &storage.ContractWrite{ID: "c1", Data: contract("c1", "v2"), Rev: 1, Users: []storage.UserKey{alice}})
	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{Session: session("reviewing"), ContractID: "c1", Contract: contract("c1", "v2"), Rev: 2})

	// For a user without a session, a nil session creates none.
	save(t, s, bob, nil, "c1", &storage.ContractWrite{ID: "c1", Data: contract("c1", "v3"), Rev: 2, Users: []storage.UserKey{bob}})
	checkSnapshot(t, load(t, s, bob, ""), storage.Snapshot{})
}

func testLoadFollowsCurrentContract(t *testing.T, s storage.Store) {
	save(t, s, alice, session("one"), "c1", &storage.ContractWrite{ID: "c1", Data: contract("c1", "first"), Users: []storage.UserKey{alice}})
	save(t, s, alice, session("two"), "c2", &storage.ContractWrite{ID: "c2", Data: contract("c2", "second"), Users: []storage.UserKey{alice}})
	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{Session: session("two"), ContractID: "c2", Contract: contract("c2", "second"), Rev: 1})

	// Switching back to c1 needs no contract write.
	save(t, s, alice, session("three"), "c1", nil)
	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{Session: session("three"), ContractID: "c1", Contract: contract("c1", "first"), Rev: 1})
}

func testLoadExplicitContract(t *testing.T, s storage.Store) {
	save(t, s, alice, session("mine"), "c1", &storage.ContractWrite{ID: "c1", Data: contract("c1", "alice's"), Users: []storage.UserKey{alice}})
	save(t, s, bob, session("bob"), "c2", &storage.ContractWrite{ID: "c2", Data: contract("c2", "bob's"), Users: []storage.UserKey{bob, alice}})
	save(t, s, bob, session("bob"), "c2", &storage.ContractWrite{ID: "c2", Data: contract("c2", "bob's, amended"), Rev: 1, Users: []storage.UserKey{bob, alice}})

	// Alice clicks a button on bob's contract: her session, that contract.
	checkSnapshot(t, load(t, s, alice, "c2"), storage.Snapshot{Session: session("mine"), ContractID: "c2", Contract: contract("c2", "bob's, amended"), Rev: 2})
	// Her current contract is unchanged.
	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{Session: session("mine"), ContractID: "c1", Contract: contract("c1", "alice's"), Rev: 1})
}

func testUsersAreDistinct(t *testing.T, s storage.Store) {
	users := []storage.UserKey{
		{Platform: "slack", Team: "T1", User: "U1"},
		{Platform: "slack", Team: "T2", User: "U1"},
		{Platform: "teams", Team: "T1", User: "U1"},
		// Separators inside ids must not make two users collide.
		{Platform: "teams", Team: "a:b", User: "c"},
		{Platform: "teams", Team: "a", User: "b:c"},
		{Platform: "teams", Team: "tenant", User: "29:1AbC"},
	}
	for i, u := range users {
		id := fmt.Sprintf("c%d", i)
		save(t, s, u, session(u.Platform+"/"+u.Team+"/"+u.User), id, &storage.ContractWrite{ID: id, Data: contract(id, "x"), Users: []storage.UserKey{u}})
	}
	for i, u := range users {
		id := fmt.Sprintf("c%d", i)
		checkSnapshot(t, load(t, s, u, ""), storage.Snapshot{Session: session(u.Platform + "/" + u.Team + "/" + u.User), ContractID: id, Contract: contract(id, "x"), Rev: 1})
		checkContracts(t, s, u, id)
	}
}

func testRevisionZeroOnExisting(t *testing.T, s storage.Store) {
	save(t, s, alice, session("before"), "c1", &storage.ContractWrite{ID: "c1", Data: contract("c1", "original"), Users: []storage.UserKey{alice}})

	err := s.Save(t.Context(), storage.TurnWrite{User: alice, Session: session("after"), CurrentContract: "c-other", Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "clobbered"), Users: []storage.UserKey{alice, carol}}})
	if !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("Save with Rev 0 on an existing contract: err = %v, want ErrConflict", err)
	}
	// Nothing was written: not the contract, not the session, not the lists.
	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{Session: session("before"), ContractID: "c1", Contract: contract("c1", "original"), Rev: 1})
	checkContracts(t, s, carol)
	checkContracts(t, s, alice, "c1")

	// A revision for a contract that does not exist conflicts too.
	err = s.Save(t.Context(), storage.TurnWrite{User: alice, Session: session("after"), CurrentContract: "c2", Contract: &storage.ContractWrite{ID: "c2", Data: contract("c2", "ghost"), Rev: 3, Users: []storage.UserKey{alice}}})
	if !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("Save with Rev 3 on a missing contract: err = %v, want ErrConflict", err)
	}
	checkSnapshot(t, load(t, s, alice, "c2"), storage.Snapshot{Session: session("before"), ContractID: "c2"})
	checkContracts(t, s, alice, "c1")
}

func testStaleRevision(t *testing.T, s storage.Store) {
	w := func(title string, rev int64) *storage.ContractWrite {
		return &storage.ContractWrite{ID: "c1", Data: contract("c1", title), Rev: rev, Users: []storage.UserKey{alice}}
	}
	save(t, s, alice, session("s1"), "c1", w("v1", 0))
	save(t, s, alice, session("s2"), "c1", w("v2", 1))

	if err := s.Save(t.Context(), storage.TurnWrite{User: bob, Session: session("bob"), CurrentContract: "c1", Contract: w("stale", 1)}); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("Save with stale Rev 1 (stored 2): err = %v, want ErrConflict", err)
	}
	checkSnapshot(t, load(t, s, bob, ""), storage.Snapshot{})
	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{Session: session("s2"), ContractID: "c1", Contract: contract("c1", "v2"), Rev: 2})

	save(t, s, alice, session("s3"), "c1", w("v3", 2))
	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{Session: session("s3"), ContractID: "c1", Contract: contract("c1", "v3"), Rev: 3})
}

// testConcurrentWriters runs load-modify-save loops on one contract from
// several goroutines, retrying on conflict. Every increment must survive.
func testConcurrentWriters(t *testing.T, s storage.Store) {
	const (
		writers    = 4
		increments = 10
		maxTries   = 1000
	)
	type counter struct {
		N int `json:"n"`
	}
	ctx := t.Context()
	successes, conflicts := incrementConcurrently(t, writers, increments, maxTries, func(w, i int) (bool, error) {
		u := storage.UserKey{Platform: "slack", Team: "T1", User: fmt.Sprintf("U-writer-%d", w)}
		snap, err := s.Load(ctx, u, "shared", "")
		if err != nil {
			return false, fmt.Errorf("load the turn: %w", err)
		}
		var c counter
		if snap.Contract != nil {
			if err := json.Unmarshal(snap.Contract, &c); err != nil {
				return false, fmt.Errorf("stored contract %s: %w", snap.Contract, err)
			}
		}
		c.N++
		data, _ := json.Marshal(c)
		err = s.Save(ctx, storage.TurnWrite{User: u, Session: session(fmt.Sprintf("writer %d step %d", w, i)), CurrentContract: "shared", Contract: &storage.ContractWrite{ID: "shared", Data: data, Rev: snap.Rev, Users: []storage.UserKey{u}}})
		switch {
		case errors.Is(err, storage.ErrConflict):
			return false, nil
		case err != nil:
			return false, fmt.Errorf("save the turn: %w", err)
		}
		return true, nil
	})
	if t.Failed() {
		return
	}
	data, rev, err := s.Contract(ctx, "shared")
	if err != nil {
		t.Fatalf("Contract: %v", err)
	}
	var c counter
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("stored contract %s: %v", data, err)
	}
	if c.N != writers*increments || rev != int64(successes) || successes != writers*increments {
		t.Errorf("after %d successful saves (%d conflicts): n = %d, rev = %d; want both %d",
			successes, conflicts, c.N, rev, writers*increments)
	}
	for w := range writers {
		u := storage.UserKey{Platform: "slack", Team: "T1", User: fmt.Sprintf("U-writer-%d", w)}
		checkContracts(t, s, u, "shared")
	}
}

func testContractsListsEveryUser(t *testing.T, s storage.Store) {
	w := func(id string, rev int64, users ...storage.UserKey) *storage.ContractWrite {
		return &storage.ContractWrite{ID: id, Data: contract(id, "t"), Rev: rev, Users: users}
	}
	save(t, s, alice, session("a"), "c-b", w("c-b", 0, alice, bob))
	save(t, s, alice, session("a"), "c-a", w("c-a", 0, alice, alice, carol))
	save(t, s, bob, session("b"), "c-b", w("c-b", 1, bob, alice, carol))
	save(t, s, alice, session("a"), "c-c", w("c-c", 0, alice))
	save(t, s, alice, session("a"), "c-a", w("c-a", 1, carol, alice))
	// A write that names nobody adds the contract to no list.
	save(t, s, alice, session("a"), "c-d", w("c-d", 0))

	// Oldest first is the order a user was first given the contract in,
	// not the order of ids.
	checkContracts(t, s, alice, "c-b", "c-a", "c-c")
	checkContracts(t, s, bob, "c-b")
	checkContracts(t, s, carol, "c-a", "c-b")
	checkContracts(t, s, storage.UserKey{Platform: "slack", Team: "T1", User: "U-nobody"})
}

func testContractAndNotFound(t *testing.T, s storage.Store) {
	ctx := t.Context()
	if _, _, err := s.Contract(ctx, "c-missing"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Contract of a missing id: err = %v, want ErrNotFound", err)
	}
	save(t, s, alice, session("a"), "c1", &storage.ContractWrite{ID: "c1", Data: contract("c1", "v1"), Users: []storage.UserKey{alice}})
	save(t, s, alice, session("a"), "c1", &storage.ContractWrite{ID: "c1", Data: contract("c1", "v2"), Rev: 1, Users: []storage.UserKey{alice}})
	data, rev, err := s.Contract(ctx, "c1")
	if err != nil {
		t.Fatalf("Contract(c1): %v", err)
	}
	if !bytes.Equal(data, contract("c1", "v2")) || rev != 2 {
		t.Errorf("Contract(c1) = %s, rev %d; want %s, rev 2", data, rev, contract("c1", "v2"))
	}
	if _, _, err := s.Contract(ctx, "c1-suffix"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Contract(c1-suffix): err = %v, want ErrNotFound", err)
	}
}

func firstSeen(t *testing.T, s storage.Store, id string, ttl time.Duration) bool {
	t.Helper()
	first, err := s.FirstSeen(t.Context(), id, ttl)
	if err != nil {
		t.Fatalf("FirstSeen(%q): %v", id, err)
	}
	return first
}

func testFirstSeen(t *testing.T, s storage.Store) {
	if !firstSeen(t, s, "Ev1", time.Hour) {
		t.Error("FirstSeen(Ev1) = false the first time")
	}
	for range 3 {
		if firstSeen(t, s, "Ev1", time.Hour) {
			t.Error("FirstSeen(Ev1) = true again within the ttl")
		}
	}
	if !firstSeen(t, s, "Ev2", time.Hour) {
		t.Error("FirstSeen(Ev2) = false for a new id")
	}
}

func testLargeValues(t *testing.T, s storage.Store) {
	big := fmt.Appendf(nil, `{"id":"big","notes":%q}`, strings.Repeat("evidence ", 1<<20/9+1))
	if len(big) < 1<<20 {
		t.Fatalf("test contract is %d bytes, want at least 1 MiB", len(big))
	}
	sess := fmt.Appendf(nil, `{"draft":%q}`, strings.Repeat("é", 128<<10))
	save(t, s, alice, sess, "big", &storage.ContractWrite{ID: "big", Data: big, Users: []storage.UserKey{alice}})
	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{Session: sess, ContractID: "big", Contract: big, Rev: 1})
	data, rev, err := s.Contract(t.Context(), "big")
	if err != nil || !bytes.Equal(data, big) || rev != 1 {
		t.Errorf("Contract(big) = %s, rev %d, %v; want the 1 MiB contract, rev 1", show(data), rev, err)
	}
}

func testBadInput(t *testing.T, sub Subject) {
	s := sub.Turns
	ctx := context.Background()
	ok := &storage.ContractWrite{ID: "c1", Data: contract("c1", "x"), Users: []storage.UserKey{alice}}
	msg := storage.DueItem{ID: "m1", At: t0, Data: []byte("hi")}
	turn := func(w storage.TurnWrite) storage.TurnWrite {
		w.User, w.Session, w.CurrentContract, w.Contract = alice, session("x"), "c1", ok
		return w
	}
	cases := []struct {
		name string
		err  error
	}{
		{"Load without user", func() error {
			_, err := s.Load(ctx, storage.UserKey{Platform: "slack", Team: "T1"}, "", "")
			return err
		}()},
		{"Save without user", s.Save(ctx, storage.TurnWrite{User: storage.UserKey{Platform: "slack", Team: "T1"}, Session: session("x"), CurrentContract: "c1", Contract: ok})},
		{"Save with empty contract id", s.Save(ctx, storage.TurnWrite{User: alice, Session: session("x"), Contract: &storage.ContractWrite{Data: contract("", "x")}})},
		{"Save with negative rev", s.Save(ctx, storage.TurnWrite{User: alice, Session: session("x"), CurrentContract: "c1", Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "x"), Rev: -1}})},
		{"Save with empty contract data", s.Save(ctx, storage.TurnWrite{User: alice, Session: session("x"), CurrentContract: "c1", Contract: &storage.ContractWrite{ID: "c1"}})},
		{"Save with a user without id", s.Save(ctx, storage.TurnWrite{User: alice, Session: session("x"), CurrentContract: "c1", Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "x"), Users: []storage.UserKey{{Platform: "slack"}}}})},
		{"Save with an event and no ttl", s.Save(ctx, turn(storage.TurnWrite{Event: "Ev", Out: []storage.DueItem{msg}}))},
		{"Save with an event and a negative ttl", s.Save(ctx, turn(storage.TurnWrite{Event: "Ev", EventTTL: -time.Second}))},
		{"Save with an event ttl and no event", s.Save(ctx, turn(storage.TurnWrite{EventTTL: time.Hour}))},
		{"Save with a message without id", s.Save(ctx, turn(storage.TurnWrite{Event: "Ev", EventTTL: time.Hour, Out: []storage.DueItem{msg, {At: t0}}}))},
		{"Save with a message without due time", s.Save(ctx, turn(storage.TurnWrite{Event: "Ev", EventTTL: time.Hour, Out: []storage.DueItem{msg, {ID: "m2"}}}))},
		{"Save with messages for a user without platform", s.Save(ctx, storage.TurnWrite{User: storage.UserKey{Team: "T1", User: "U-alice"}, Out: []storage.DueItem{msg}})},
		{"Save with a due item without id", s.Save(ctx, turn(storage.TurnWrite{Due: storage.DueChanges{Schedule: []storage.DueItem{msg, {At: t0}}}}))},
		{"Save with a due item without due time", s.Save(ctx, turn(storage.TurnWrite{Due: storage.DueChanges{Schedule: []storage.DueItem{msg, {ID: "d2"}}}}))},
		{"Save cancelling an empty id", s.Save(ctx, turn(storage.TurnWrite{Due: storage.DueChanges{Schedule: []storage.DueItem{msg}, Cancel: []string{""}}}))},
		{"Save with a lock without name", s.Save(ctx, turn(storage.TurnWrite{Due: storage.DueChanges{Schedule: []storage.DueItem{msg}, Locks: []storage.DueLock{{TTL: time.Hour, Now: t0}}}}))},
		{"Save with a lock without ttl", s.Save(ctx, turn(storage.TurnWrite{Due: storage.DueChanges{Schedule: []storage.DueItem{msg}, Locks: []storage.DueLock{{Name: "l", Now: t0}}}}))},
		{"Save with a lock without time", s.Save(ctx, turn(storage.TurnWrite{Due: storage.DueChanges{Schedule: []storage.DueItem{msg}, Locks: []storage.DueLock{{Name: "l", TTL: time.Hour}}}}))},
		{"Save with a lock's item without id", s.Save(ctx, turn(storage.TurnWrite{Due: storage.DueChanges{Locks: []storage.DueLock{{Name: "l", TTL: time.Hour, Now: t0, Items: []storage.DueItem{{At: t0}}}}}}))},
		{"Contracts without user", func() error { _, err := s.Contracts(ctx, storage.UserKey{}); return err }()},
		{"FirstSeen with empty id", func() error { _, err := s.FirstSeen(ctx, "", time.Hour); return err }()},
		{"FirstSeen with zero ttl", func() error { _, err := s.FirstSeen(ctx, "Ev", 0); return err }()},
		{"FirstSeen with negative ttl", func() error { _, err := s.FirstSeen(ctx, "Ev", -time.Second); return err }()},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
		} else if errors.Is(c.err, storage.ErrConflict) || errors.Is(c.err, storage.ErrNotFound) || errors.Is(c.err, storage.ErrApplied) {
			t.Errorf("%s: err = %v; bad input is neither a conflict, a missing contract nor an applied event", c.name, c.err)
		}
	}
	// None of it was written.
	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{})
	checkContracts(t, s, alice)
	checkApplied(t, s, alice, "Ev", false)
	checkNoneDue(t, sub.Outbox("slack"), t0.Add(time.Hour))
	checkNoneDue(t, sub.Outbox(""), t0.Add(time.Hour))
	checkNoneDue(t, sub.Due, t0.Add(time.Hour))
	if !lock(t, sub.Due, "l", time.Hour, t0) {
		t.Error("Lock(l) = false after only rejected calls")
	}
	if !firstSeen(t, s, "Ev", time.Hour) {
		t.Error("FirstSeen(Ev) = false after only rejected calls")
	}
}

// incrementConcurrently runs writers goroutines that each make increments
// read-modify-write attempts succeed, retrying an attempt that met a
// conflict (attempt returns false, nil) up to maxTries times. An error or
// too many conflicts fail the test. It returns the successes and conflicts.
func incrementConcurrently(t *testing.T, writers, increments, maxTries int, attempt func(w, i int) (bool, error)) (successes, conflicts int) {
	t.Helper()
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for w := range writers {
		wg.Go(func() {
			for i := range increments {
				done := false
				for try := 0; try < maxTries && !done; try++ {
					ok, err := attempt(w, i)
					if err != nil {
						t.Errorf("writer %d: %v", w, err)
						return
					}
					mu.Lock()
					if ok {
						successes++
					} else {
						conflicts++
					}
					mu.Unlock()
					done = ok
				}
				if !done {
					t.Errorf("writer %d: increment %d still conflicting after %d tries", w, i, maxTries)
					return
				}
			}
		})
	}
	wg.Wait()
	return successes, conflicts
}

// testPing: an open store answers Ping, and a Ping changes nothing that
// is stored.
func testPing(t *testing.T, s storage.Store) {
	save(t, s, alice, session("before ping"), "", nil)
	for range 3 {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	}
	checkSnapshot(t, load(t, s, alice, ""), storage.Snapshot{Session: session("before ping")})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping with a cancelled context succeeded; want an error")
	}
}
