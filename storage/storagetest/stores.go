package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/learnpact/learnpact/storage"
)

// CheckStores checks what an implementation's Stores method returns: a
// name and every part, the parts kept in one store (each finds what the
// others wrote, and nothing of theirs), the due items apart from the
// outbox, and Turns.Close closing them all. s must be new and empty; it is
// closed when CheckStores returns.
func CheckStores(t *testing.T, s storage.Stores) {
	t.Helper()
	if s.Name == "" {
		t.Error("Stores.Name is empty")
	}
	if s.Turns == nil || s.Docs == nil || s.Due == nil || s.Erase == nil || s.Library == nil || s.Outbox == nil {
		t.Fatalf("Stores %q has a part missing: Turns %v, Docs %v, Due %v, Erase %v, Library %v, Outbox %v",
			s.Name, s.Turns != nil, s.Docs != nil, s.Due != nil, s.Erase != nil, s.Library != nil, s.Outbox != nil)
	}
	ctx := t.Context()
	save(t, s.Turns, alice, session("one store"), "c1", &storage.ContractWrite{ID: "c1", Data: contract("c1", "x"), Users: []storage.UserKey{alice}})
	putDoc(t, s.Docs, "c1", doc("doc"), 0)
	RunApart(t, s.Due, s.Outbox("slack"))
	checkDoc(t, s.Docs, "c1", doc("doc"), 1)
	checkSnapshot(t, load(t, s.Turns, alice, ""), storage.Snapshot{Session: session("one store"), ContractID: "c1", Contract: contract("c1", "x"), Rev: 1})

	if err := s.Turns.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, _, err := s.Docs.Doc(ctx, "c1"); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Docs.Doc after Turns.Close: err = %v, want the store closed", err)
	}
	for name, d := range map[string]storage.DueStore{"Due": s.Due, "Outbox(slack)": s.Outbox("slack"), "Outbox(teams)": s.Outbox("teams")} {
		if _, err := d.Claim(ctx, t0, 1, time.Minute); err == nil {
			t.Errorf("%s.Claim after Turns.Close succeeded, want the store closed", name)
		}
	}
}
