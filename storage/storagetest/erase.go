package storagetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/learnpact/learnpact/storage"
)

// RunErase runs the suite of storage.Eraser against stores made by open,
// which must set Stores.Erase. Each test opens its own store.
func RunErase(t *testing.T, open func(t *testing.T) Subject) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s storage.Stores)
	}{
		{"DeleteUser", testDeleteUser},
		{"DeleteContract", testDeleteContract},
		{"EachContract", testEachContract},
		{"DeleteDoc", testDeleteDoc},
		{"EraseBadInput", testEraseBadInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t).Stores
			if s.Erase == nil {
				t.Fatalf("Stores %q has no Erase", s.Name)
			}
			t.Cleanup(func() { s.Turns.Close() })
			tc.fn(t, s)
		})
	}
}

// testDeleteUser: the session, the list and the applied events of one
// user go; the contract and everyone else's stay.
func testDeleteUser(t *testing.T, s storage.Stores) {
	ctx := t.Context()
	w := storage.TurnWrite{User: alice, Session: session("alice"), CurrentContract: "c1", Event: "ev-alice", EventTTL: time.Hour,
		Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "x"), Users: []storage.UserKey{alice, bob}}}
	if err := s.Turns.Save(ctx, w); err != nil {
		t.Fatal(err)
	}
	save(t, s.Turns, bob, session("bob"), "c1", nil)
	if err := s.Erase.DeleteUser(ctx, alice); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	snap, err := s.Turns.Load(ctx, alice, "", "ev-alice")
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, snap, storage.Snapshot{})
	checkContracts(t, s.Turns, alice)
	checkContracts(t, s.Turns, bob, "c1")
	checkSnapshot(t, load(t, s.Turns, bob, ""), storage.Snapshot{Session: session("bob"), ContractID: "c1", Contract: contract("c1", "x"), Rev: 1})
	// The applied event is gone with her: the same event applies afresh.
	w.Contract = nil
	if err := s.Turns.Save(ctx, w); err != nil {
		t.Errorf("saving the event again after DeleteUser: %v", err)
	}
	if err := s.Erase.DeleteUser(ctx, carol); err != nil {
		t.Errorf("DeleteUser of someone unknown: %v", err)
	}
}

// testDeleteContract: the contract goes, from the store and the lists of
// the users named; other contracts stay.
func testDeleteContract(t *testing.T, s storage.Stores) {
	ctx := t.Context()
	both := []storage.UserKey{alice, bob}
	save(t, s.Turns, alice, session("a"), "c1", &storage.ContractWrite{ID: "c1", Data: contract("c1", "x"), Users: both})
	save(t, s.Turns, alice, session("a"), "c2", &storage.ContractWrite{ID: "c2", Data: contract("c2", "y"), Users: both})
	if err := s.Erase.DeleteContract(ctx, "c1", both); err != nil {
		t.Fatalf("DeleteContract: %v", err)
	}
	if _, _, err := s.Turns.Contract(ctx, "c1"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Contract(c1) after DeleteContract: %v, want ErrNotFound", err)
	}
	checkContracts(t, s.Turns, alice, "c2")
	checkContracts(t, s.Turns, bob, "c2")
	checkSnapshot(t, load(t, s.Turns, bob, "c2"), storage.Snapshot{ContractID: "c2", Contract: contract("c2", "y"), Rev: 1})
	// A contract saved again after its deletion starts afresh.
	save(t, s.Turns, alice, nil, "", &storage.ContractWrite{ID: "c1", Data: contract("c1", "z"), Users: both})
	checkContracts(t, s.Turns, alice, "c2", "c1")
	if err := s.Erase.DeleteContract(ctx, "nope", nil); err != nil {
		t.Errorf("DeleteContract of an unknown id: %v", err)
	}
}

func testEachContract(t *testing.T, s storage.Stores) {
	ctx := t.Context()
	want := map[string]string{}
	for _, id := range []string{"c1", "c2", "c3"} {
		save(t, s.Turns, alice, nil, "", &storage.ContractWrite{ID: id, Data: contract(id, "t"+id), Users: []storage.UserKey{alice}})
		want[id] = string(contract(id, "t"+id))
	}
	save(t, s.Turns, alice, nil, "", &storage.ContractWrite{ID: "c2", Data: contract("c2", "again"), Rev: 1})
	want["c2"] = string(contract("c2", "again"))
	got := map[string]string{}
	revs := map[string]int64{}
	err := s.Erase.EachContract(ctx, func(id string, data []byte, rev int64) error {
		got[id], revs[id] = string(data), rev
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || got["c1"] != want["c1"] || got["c2"] != want["c2"] || got["c3"] != want["c3"] || revs["c2"] != 2 || revs["c1"] != 1 {
		t.Errorf("EachContract saw %q (revisions %v), want %q", got, revs, want)
	}
	stop := errors.New("stop")
	n := 0
	if err := s.Erase.EachContract(ctx, func(string, []byte, int64) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("EachContract after fn failed: %v after %d calls, want fn's error after 1", err, n)
	}
}

func testDeleteDoc(t *testing.T, s storage.Stores) {
	ctx := t.Context()
	for _, k := range []string{"set:slack:T1:C2", "set:slack:T1:C1", "teams:user:U1", "set:teams:X"} {
		putDoc(t, s.Docs, k, doc(k), 0)
	}
	keys, err := s.Erase.DocKeys(ctx, "set:slack:")
	if err != nil || !slices.Equal(keys, []string{"set:slack:T1:C1", "set:slack:T1:C2"}) {
		t.Errorf("DocKeys(set:slack:) = %q, %v", keys, err)
	}
	if all, err := s.Erase.DocKeys(ctx, ""); err != nil || len(all) != 4 {
		t.Errorf("DocKeys() = %q, %v; want all four", all, err)
	}
	if err := s.Erase.DeleteDoc(ctx, "set:slack:T1:C1"); err != nil {
		t.Fatalf("DeleteDoc: %v", err)
	}
	checkNoDoc(t, s.Docs, "set:slack:T1:C1")
	checkDoc(t, s.Docs, "set:slack:T1:C2", doc("set:slack:T1:C2"), 1)
	if keys, _ := s.Erase.DocKeys(ctx, "set:"); len(keys) != 2 {
		t.Errorf("DocKeys after DeleteDoc = %q", keys)
	}
	// A deleted document can be created again, from revision 0.
	putDoc(t, s.Docs, "set:slack:T1:C1", doc("new"), 0)
	if err := s.Erase.DeleteDoc(ctx, "never"); err != nil {
		t.Errorf("DeleteDoc of an unknown key: %v", err)
	}
}

func testEraseBadInput(t *testing.T, s storage.Stores) {
	ctx := t.Context()
	if err := s.Erase.DeleteUser(ctx, storage.UserKey{Platform: "slack"}); err == nil {
		t.Error("DeleteUser without a user id succeeded")
	}
	if err := s.Erase.DeleteContract(ctx, "", nil); err == nil {
		t.Error("DeleteContract without an id succeeded")
	}
	if err := s.Erase.DeleteContract(ctx, "c1", []storage.UserKey{{}}); err == nil {
		t.Error("DeleteContract with a user without id succeeded")
	}
	if err := s.Erase.DeleteDoc(ctx, ""); err == nil {
		t.Error("DeleteDoc without a key succeeded")
	}
}
