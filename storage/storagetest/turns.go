package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/storage"
)

// eventTTL is how long the tests' events are remembered.
const eventTTL = time.Hour

// message is an outgoing message due at t0.
func message(id string) storage.DueItem {
	return storage.DueItem{ID: id, At: t0, Data: fmt.Appendf(nil, `{"text":%q}`, id)}
}

func saveTurn(t *testing.T, s storage.Store, w storage.TurnWrite) {
	t.Helper()
	if err := s.Save(t.Context(), w); err != nil {
		t.Fatalf("Save(%s, event %q): %v", w.User.User, w.Event, err)
	}
}

// checkSaveFails fails unless saving w returns want.
func checkSaveFails(t *testing.T, s storage.Store, w storage.TurnWrite, want error) {
	t.Helper()
	if err := s.Save(t.Context(), w); !errors.Is(err, want) {
		t.Fatalf("Save(%s, event %q): err = %v, want %v", w.User.User, w.Event, err, want)
	}
}

func applied(t *testing.T, s storage.Store, u storage.UserKey, contractID, event string) bool {
	t.Helper()
	snap, err := s.Load(t.Context(), u, contractID, event)
	if err != nil {
		t.Fatalf("Load(%v, %q, event %q): %v", u, contractID, event, err)
	}
	return snap.Applied
}

func checkApplied(t *testing.T, s storage.Store, u storage.UserKey, event string, want bool) {
	t.Helper()
	if got := applied(t, s, u, "", event); got != want {
		t.Errorf("Load(%s, event %q).Applied = %v, want %v", u.User, event, got, want)
	}
}

// checkOutbox claims every message of the outbox due by t0, for a day,
// and fails unless they are want, in order of their ids.
func checkOutbox(t *testing.T, out storage.DueStore, want ...storage.DueItem) {
	t.Helper()
	cs := claim(t, out, t0, 100, 24*time.Hour)
	var wantIDs []string
	for _, it := range want {
		wantIDs = append(wantIDs, it.ID)
	}
	checkClaimed(t, cs, wantIDs...)
	if len(cs) == len(want) {
		for i, c := range cs {
			checkClaim(t, c, want[i], 1)
		}
	}
}

// testOutgoingMessages: a turn's messages are claimable from the outbox
// once Save returns, due at their time, as Schedule would have put them.
func testOutgoingMessages(t *testing.T, s Subject) {
	ctx := t.Context()
	later := storage.DueItem{ID: "m3", At: t0.Add(time.Minute), Data: []byte("later")}
	checkNoneDue(t, s.Outbox("slack"), later.At)

	// An item of that id is there, claimed: the turn's message replaces it.
	schedule(t, s.Outbox("slack"), storage.DueItem{ID: "m2", At: t0.Add(-time.Hour), Data: []byte("old")})
	old := claim(t, s.Outbox("slack"), t0.Add(-time.Hour), 10, 24*time.Hour)
	checkClaimed(t, old, "m2")

	saveTurn(t, s.Turns, storage.TurnWrite{
		User: alice, Session: session("s1"), CurrentContract: "c1",
		Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "v1"), Users: []storage.UserKey{alice}},
		Out:      []storage.DueItem{message("m1"), message("m2"), later},
	})
	checkOutbox(t, s.Outbox("slack"), message("m1"), message("m2"))
	if len(old) == 1 {
		if err := s.Outbox("slack").Done(ctx, old[0]); !errors.Is(err, storage.ErrLeaseLost) {
			t.Errorf("Done of the claim the turn's message replaced: err = %v, want ErrLeaseLost", err)
		}
	}
	checkNoneDue(t, s.Outbox("slack"), later.At.Add(-time.Millisecond))
	cs := claim(t, s.Outbox("slack"), later.At, 10, time.Minute)
	checkClaimed(t, cs, "m3")
	if len(cs) == 1 {
		checkClaim(t, cs[0], later, 1)
	}
	checkNoneDue(t, s.Due, t0.Add(time.Hour))

	// A turn without messages adds none; one without session or contract
	// adds its messages all the same.
	saveTurn(t, s.Turns, storage.TurnWrite{User: alice, Session: session("s2"), CurrentContract: "c1"})
	saveTurn(t, s.Turns, storage.TurnWrite{User: bob, Out: []storage.DueItem{message("m4")}})
	checkOutbox(t, s.Outbox("slack"), message("m4"))
	checkSnapshot(t, load(t, s.Turns, alice, ""), storage.Snapshot{Session: session("s2"), ContractID: "c1", Contract: contract("c1", "v1"), Rev: 1})
	checkSnapshot(t, load(t, s.Turns, bob, ""), storage.Snapshot{})
}

// testOutboxPerPlatform: a turn's messages go to the outbox of its user's
// platform, and no other platform's outbox sees them, even under one id.
func testOutboxPerPlatform(t *testing.T, s Subject) {
	dana := storage.UserKey{Platform: "teams", Team: "tenant", User: "29:dana"}
	saveTurn(t, s.Turns, storage.TurnWrite{User: alice, Session: session("a"), Out: []storage.DueItem{message("m1"), message("slack-only")}})
	teams := storage.DueItem{ID: "m1", At: t0, Data: []byte(`{"text":"teams"}`)}
	saveTurn(t, s.Turns, storage.TurnWrite{User: dana, Session: session("d"), Out: []storage.DueItem{teams, message("teams-only")}})
	checkNoneDue(t, s.Outbox("sandbox"), t0.Add(time.Hour))
	checkOutbox(t, s.Outbox("teams"), teams, message("teams-only"))
	checkOutbox(t, s.Outbox("slack"), message("m1"), message("slack-only"))
	checkNoneDue(t, s.Due, t0.Add(time.Hour))
}

// testConflictWritesNothing: a turn whose contract changed meanwhile
// writes neither session, contract, lists, event nor messages.
func testConflictWritesNothing(t *testing.T, s Subject) {
	saveTurn(t, s.Turns, storage.TurnWrite{
		User: alice, Session: session("s1"), CurrentContract: "c1",
		Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "v1"), Users: []storage.UserKey{alice}},
	})
	stale := storage.TurnWrite{
		User: alice, Session: session("s2"), CurrentContract: "c9",
		Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "stale"), Users: []storage.UserKey{alice, carol}},
		Event:    "Ev1", EventTTL: eventTTL,
		Out: []storage.DueItem{message("m1")},
	}
	checkSaveFails(t, s.Turns, stale, storage.ErrConflict)
	checkSnapshot(t, load(t, s.Turns, alice, ""), storage.Snapshot{Session: session("s1"), ContractID: "c1", Contract: contract("c1", "v1"), Rev: 1})
	checkContracts(t, s.Turns, carol)
	checkApplied(t, s.Turns, alice, "Ev1", false)
	checkNoneDue(t, s.Outbox("slack"), t0.Add(time.Hour))

	// The event is still free: the turn, run again on the new revision,
	// saves.
	stale.Contract.Rev = 1
	saveTurn(t, s.Turns, stale)
	checkSnapshot(t, load(t, s.Turns, alice, ""), storage.Snapshot{Session: session("s2"), ContractID: "c9"})
	checkSnapshot(t, load(t, s.Turns, alice, "c1"), storage.Snapshot{Session: session("s2"), ContractID: "c1", Contract: contract("c1", "stale"), Rev: 2})
	checkContracts(t, s.Turns, carol, "c1")
	checkApplied(t, s.Turns, alice, "Ev1", true)
	checkOutbox(t, s.Outbox("slack"), message("m1"))
}

// testEventAppliedOnce: a second turn of an event that was applied writes
// nothing, whatever it would write, and other events are unaffected.
func testEventAppliedOnce(t *testing.T, s Subject) {
	first := storage.TurnWrite{
		User: alice, Session: session("s1"), CurrentContract: "c1",
		Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "v1"), Users: []storage.UserKey{alice}},
		Event:    "Ev1", EventTTL: eventTTL,
		Out: []storage.DueItem{message("m1")},
	}
	saveTurn(t, s.Turns, first)
	checkOutbox(t, s.Outbox("slack"), message("m1"))

	again := []struct {
		name string
		w    storage.TurnWrite
	}{
		{"the contract at its new revision", storage.TurnWrite{
			Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "v2"), Rev: 1, Users: []storage.UserKey{alice, carol}},
		}},
		{"the contract at the revision the first turn saw", storage.TurnWrite{
			Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "v2"), Users: []storage.UserKey{alice, carol}},
		}},
		{"no contract", storage.TurnWrite{}},
	}
	for _, a := range again {
		w := a.w
		w.User, w.Session, w.CurrentContract = alice, session("s2"), "c2"
		w.Event, w.EventTTL, w.Out = "Ev1", eventTTL, []storage.DueItem{message("m2")}
		if err := s.Turns.Save(t.Context(), w); !errors.Is(err, storage.ErrApplied) {
			t.Errorf("second Save of Ev1 with %s: err = %v, want ErrApplied", a.name, err)
		}
		checkSnapshot(t, load(t, s.Turns, alice, ""), storage.Snapshot{Session: session("s1"), ContractID: "c1", Contract: contract("c1", "v1"), Rev: 1})
		checkContracts(t, s.Turns, carol)
		checkNoneDue(t, s.Outbox("slack"), t0.Add(time.Hour))
	}

	// Another event saves; the same event id for another user is another
	// event.
	saveTurn(t, s.Turns, storage.TurnWrite{User: alice, Session: session("s3"), CurrentContract: "c1", Event: "Ev2", EventTTL: eventTTL})
	saveTurn(t, s.Turns, storage.TurnWrite{User: bob, Session: session("bob"), Event: "Ev1", EventTTL: eventTTL, Out: []storage.DueItem{message("m3")}})
	checkSnapshot(t, load(t, s.Turns, alice, ""), storage.Snapshot{Session: session("s3"), ContractID: "c1", Contract: contract("c1", "v1"), Rev: 1})
	checkSnapshot(t, load(t, s.Turns, bob, ""), storage.Snapshot{Session: session("bob")})
	checkOutbox(t, s.Outbox("slack"), message("m3"))
}

// testLoadReportsApplied: Load reports an event applied by the user's
// turn within its ttl, and no other.
func testLoadReportsApplied(t *testing.T, s Subject) {
	checkApplied(t, s.Turns, alice, "Ev1", false)
	saveTurn(t, s.Turns, storage.TurnWrite{
		User: alice, Session: session("s1"), CurrentContract: "c1",
		Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "v1"), Users: []storage.UserKey{alice}},
		Event:    "Ev1", EventTTL: eventTTL,
	})
	checkApplied(t, s.Turns, alice, "Ev1", true)
	if !applied(t, s.Turns, alice, "c1", "Ev1") || !applied(t, s.Turns, alice, "c-other", "Ev1") {
		t.Error("Load of a named contract does not report Ev1 applied")
	}
	checkSnapshot(t, load(t, s.Turns, alice, ""), storage.Snapshot{Session: session("s1"), ContractID: "c1", Contract: contract("c1", "v1"), Rev: 1})
	checkApplied(t, s.Turns, alice, "Ev2", false)
	checkApplied(t, s.Turns, bob, "Ev1", false)

	// FirstSeen's ids are another matter.
	if !firstSeen(t, s.Turns, "Ev1", eventTTL) {
		t.Error("FirstSeen(Ev1) = false after a turn applied Ev1")
	}
	firstSeen(t, s.Turns, "Ev3", eventTTL)
	checkApplied(t, s.Turns, alice, "Ev3", false)

	if s.Advance == nil {
		t.Log("the store has no clock to move: expiry not tested")
		return
	}
	s.Advance(eventTTL - time.Second)
	checkApplied(t, s.Turns, alice, "Ev1", true)
	s.Advance(time.Second)
	checkApplied(t, s.Turns, alice, "Ev1", false)
	if applied(t, s.Turns, alice, "c1", "Ev1") {
		t.Error("Load(c1, Ev1).Applied = true once the ttl passed")
	}
	// Forgotten, the event can be applied again.
	saveTurn(t, s.Turns, storage.TurnWrite{
		User: alice, Session: session("s2"), CurrentContract: "c1",
		Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "v2"), Rev: 1, Users: []storage.UserKey{alice}},
		Event:    "Ev1", EventTTL: eventTTL,
	})
	checkApplied(t, s.Turns, alice, "Ev1", true)
}

// testConcurrentRunsOfAnEvent saves one event from many goroutines at
// once, as replicas and redeliveries would: exactly one saves, and what
// is stored is all of that one's turn.
func testConcurrentRunsOfAnEvent(t *testing.T, s Subject) {
	const runs = 8
	for _, withContract := range []bool{false, true} {
		t.Run(fmt.Sprintf("contract=%v", withContract), func(t *testing.T) {
			event := fmt.Sprintf("Ev-%v", withContract)
			turn := func(i int) storage.TurnWrite {
				w := storage.TurnWrite{
					User: alice, Session: session(fmt.Sprintf("run %d", i)), CurrentContract: "c1",
					Event: event, EventTTL: eventTTL,
					Out: []storage.DueItem{message(fmt.Sprintf("%s-run-%d", event, i))},
				}
				if withContract {
					w.Contract = &storage.ContractWrite{ID: "c1", Data: contract("c1", fmt.Sprintf("run %d", i)), Users: []storage.UserKey{alice}}
				}
				return w
			}
			var (
				wg    sync.WaitGroup
				start = make(chan struct{})
				errs  [runs]error
			)
			for i := range runs {
				wg.Go(func() {
					<-start
					errs[i] = s.Turns.Save(t.Context(), turn(i))
				})
			}
			close(start)
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil && winner >= 0:
					t.Errorf("runs %d and %d both saved", winner, i)
				case err == nil:
					winner = i
				case errors.Is(err, storage.ErrApplied), withContract && errors.Is(err, storage.ErrConflict):
				default:
					t.Errorf("run %d: %v", i, err)
				}
			}
			if winner < 0 {
				t.Fatal("no run saved")
			}
			w := turn(winner)
			snap := load(t, s.Turns, alice, "")
			if withContract {
				checkSnapshot(t, snap, storage.Snapshot{Session: w.Session, ContractID: "c1", Contract: w.Contract.Data, Rev: 1})
			} else {
				checkSnapshot(t, snap, storage.Snapshot{Session: w.Session, ContractID: "c1"})
			}
			checkApplied(t, s.Turns, alice, event, true)
			checkOutbox(t, s.Outbox("slack"), w.Out...)
		})
	}
}
