package memory

import (
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storagetest.Subject {
		clk := &clock{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
		return storagetest.Subject{Stores: New(WithClock(clk.Now)).Stores(), Advance: clk.Advance}
	})
}

func TestDocsConformance(t *testing.T) {
	storagetest.RunDocs(t, func(t *testing.T) storage.Docs { return New() })
}

func TestDueConformance(t *testing.T) {
	storagetest.RunDue(t, func(t *testing.T) storage.DueStore { return New() })
}

func TestOutboxConformance(t *testing.T) {
	for _, platform := range []string{"slack", "teams"} {
		t.Run(platform, func(t *testing.T) {
			storagetest.RunDue(t, func(t *testing.T) storage.DueStore { return New().Outbox(platform) })
		})
	}
}

// TestOutboxApart: the outbox and the due items share a store but not
// their items, ids or locks.
func TestOutboxApart(t *testing.T) {
	s := New()
	storagetest.RunApart(t, s, s.Outbox("slack"))
}

// TestOutboxesApart: the platforms' outboxes share a store but not their
// items, ids or locks.
func TestOutboxesApart(t *testing.T) {
	s := New()
	storagetest.RunApart(t, s.Outbox("slack"), s.Outbox("teams"))
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var alice = storage.UserKey{Platform: "slack", Team: "T1", User: "U1"}

func TestSessionExpires(t *testing.T) {
	clk := &clock{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := New(WithClock(clk.Now))
	ctx := t.Context()
	w := &storage.ContractWrite{ID: "c1", Data: []byte(`{"id":"c1"}`), Users: []storage.UserKey{alice}}
	if err := s.Save(ctx, storage.TurnWrite{User: alice, Session: []byte(`{"step":"x"}`), CurrentContract: "c1", Contract: w}); err != nil {
		t.Fatal(err)
	}

	clk.Advance(storage.SessionTTL - time.Second)
	snap, err := s.Load(ctx, alice, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Session == nil || snap.ContractID != "c1" || snap.Rev != 1 {
		t.Fatalf("just before the TTL: %+v; want the session and c1", snap)
	}

	clk.Advance(time.Second)
	snap, err = s.Load(ctx, alice, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Session != nil || snap.ContractID != "" || snap.Contract != nil {
		t.Errorf("after the TTL: %+v; want no session", snap)
	}
	// The contract itself does not expire.
	if _, rev, err := s.Contract(ctx, "c1"); err != nil || rev != 1 {
		t.Errorf("Contract(c1) after the session expired = rev %d, %v", rev, err)
	}
}

func TestFirstSeenExpires(t *testing.T) {
	clk := &clock{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := New(WithClock(clk.Now))
	ctx := t.Context()
	seen := func() bool {
		t.Helper()
		first, err := s.FirstSeen(ctx, "Ev1", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return first
	}
	if !seen() {
		t.Fatal("FirstSeen = false the first time")
	}
	clk.Advance(time.Hour - time.Millisecond)
	if seen() {
		t.Error("FirstSeen = true within the ttl")
	}
	clk.Advance(time.Millisecond)
	if !seen() {
		t.Error("FirstSeen = false once the ttl passed")
	}
	if seen() {
		t.Error("FirstSeen = true again right after being seen anew")
	}
}

func TestClosed(t *testing.T) {
	s := New()
	ctx := t.Context()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutDoc(ctx, "k", []byte("x"), 0); err == nil {
		t.Error("PutDoc after Close succeeded")
	}
	if err := s.Schedule(ctx, storage.DueItem{ID: "x", At: time.Unix(1, 0)}); err == nil {
		t.Error("Schedule after Close succeeded")
	}
	if err := s.Outbox("slack").Schedule(ctx, storage.DueItem{ID: "x", At: time.Unix(1, 0)}); err == nil {
		t.Error("Outbox Schedule after Close succeeded")
	}
}

func TestStores(t *testing.T) {
	storagetest.CheckStores(t, New().Stores())
}

func TestEraseConformance(t *testing.T) {
	storagetest.RunErase(t, func(t *testing.T) storagetest.Subject {
		return storagetest.Subject{Stores: New().Stores()}
	})
}

func TestBacklog(t *testing.T) {
	storagetest.RunBacklog(t, func(t *testing.T) storage.DueStore { return New().Outbox("slack") })
	storagetest.RunBacklog(t, func(t *testing.T) storage.DueStore { return New() })
}

func TestLibraryConformance(t *testing.T) {
	storagetest.RunLibrary(t, func(t *testing.T) storagetest.Subject { return storagetest.Subject{Stores: New().Stores()} })
}
