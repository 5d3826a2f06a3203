package embedded

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/storagetest"
)

func TestDueConformance(t *testing.T) {
	storagetest.RunDue(t, func(t *testing.T) storage.DueStore {
		s, err := Open(filepath.Join(t.TempDir(), "learnpact.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

var dueT0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

func TestDueSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "learnpact.db")
	ctx := t.Context()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	items := []storage.DueItem{
		{ID: "claimed", At: dueT0, Data: []byte(`{"n":1}`)},
		{ID: "waiting", At: dueT0.Add(time.Hour), Data: []byte(`{"n":2}`)},
	}
	if err := s.Schedule(ctx, items...); err != nil {
		t.Fatal(err)
	}
	cs, err := s.Claim(ctx, dueT0, 10, time.Minute)
	if err != nil || len(cs) != 1 {
		t.Fatalf("Claim = %d claims, %v; want 1", len(cs), err)
	}
	if ok, err := s.Lock(ctx, "digest", time.Hour, dueT0); err != nil || !ok {
		t.Fatalf("Lock = %v, %v", ok, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ok, err := s.Lock(ctx, "digest", time.Hour, dueT0.Add(time.Minute)); err != nil || ok {
		t.Errorf("Lock after reopening = %v, %v; want it still held", ok, err)
	}
	// The claim made before still holds; the lease and the order survive.
	if err := s.Done(ctx, cs[0]); err != nil {
		t.Errorf("Done of a claim made before reopening: %v", err)
	}
	again, err := s.Claim(ctx, dueT0.Add(time.Hour), 10, time.Minute)
	if err != nil || len(again) != 1 || again[0].Item.ID != "waiting" || string(again[0].Item.Data) != `{"n":2}` {
		t.Errorf("Claim after reopening = %+v, %v; want waiting", again, err)
	}
}

// TestLockDropsEndedLocks: locks named per period do not pile up.
func TestLockDropsEndedLocks(t *testing.T) {
	s, _ := openWithClock(t)
	ctx := t.Context()
	for day := range 30 {
		now := dueT0.Add(time.Duration(day) * 24 * time.Hour)
		if ok, err := s.Lock(ctx, now.Format("digest:2006-01-02"), time.Hour, now); err != nil || !ok {
			t.Fatalf("Lock on day %d = %v, %v", day, ok, err)
		}
	}
	var n int
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketLocks).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d locks stored after 30 daily ones, want 1 (the one held)", n)
	}
}
