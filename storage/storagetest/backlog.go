package storagetest

import (
	"testing"
	"time"

	"github.com/learnpact/learnpact/storage"
)

// RunBacklog checks storage.Backlog on a new, empty DueStore made by open,
// which must implement it.
func RunBacklog(t *testing.T, open func(t *testing.T) storage.DueStore) {
	d := open(t)
	b, ok := d.(storage.Backlog)
	if !ok {
		t.Fatalf("%T does not implement storage.Backlog", d)
	}
	ctx := t.Context()
	check := func(what string, wantN int, wantFirst time.Time) {
		t.Helper()
		n, first, err := b.Backlog(ctx)
		if err != nil || n != wantN || !first.Equal(wantFirst) {
			t.Errorf("%s: Backlog = %d, %v, %v; want %d, %v", what, n, first, err, wantN, wantFirst)
		}
	}
	check("empty", 0, time.Time{})
	if err := d.Schedule(ctx,
		storage.DueItem{ID: "b", At: t0.Add(time.Minute), Data: []byte("b")},
		storage.DueItem{ID: "a", At: t0, Data: []byte("a")},
		storage.DueItem{ID: "c", At: t0.Add(2 * time.Minute), Data: []byte("c")}); err != nil {
		t.Fatal(err)
	}
	check("three scheduled", 3, t0)
	claims, err := d.Claim(ctx, t0, 1, 10*time.Minute)
	if err != nil || len(claims) != 1 {
		t.Fatalf("Claim: %v %v", claims, err)
	}
	check("the first claimed until its lease ends", 3, t0.Add(time.Minute))
	if err := d.Done(ctx, claims[0]); err != nil {
		t.Fatal(err)
	}
	check("the first done", 2, t0.Add(time.Minute))
}
