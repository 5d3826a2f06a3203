package embedded

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/storagetest"
)

func TestOutboxConformance(t *testing.T) {
	for _, platform := range []string{"slack", "teams"} {
		t.Run(platform, func(t *testing.T) {
			storagetest.RunDue(t, func(t *testing.T) storage.DueStore {
				s, err := Open(filepath.Join(t.TempDir(), "learnpact.db"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s.Outbox(platform)
			})
		})
	}
}

// TestOutboxApart: the outbox and the due items share a file but not
// their items, ids or locks.
func TestOutboxApart(t *testing.T) {
	s, _ := openWithClock(t)
	storagetest.RunApart(t, s, s.Outbox("slack"))
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketOutbox, bucketOutboxQueue} {
			if n := tx.Bucket(b).Stats().KeyN; n != 0 {
				t.Errorf("bucket %s holds %d keys after Done, want 0", b, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOutboxesApart: the platforms' outboxes share a file but not their
// items, ids or locks; Slack's keeps the buckets it had when it was the
// only one.
func TestOutboxesApart(t *testing.T) {
	s, _ := openWithClock(t)
	storagetest.RunApart(t, s.Outbox("teams"), s.Outbox("slack"))
	err := s.db.View(func(tx *bolt.Tx) error {
		for b, want := range map[string]int{"outbox": 0, "outbox-queue": 0, "outbox:teams": 1, "outbox-queue:teams": 1} {
			if n := tx.Bucket([]byte(b)).Stats().KeyN; n != want {
				t.Errorf("bucket %s holds %d keys, want %d", b, n, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOutboxSurvivesReopen: a message waiting in the outbox is there after
// the file is closed and opened again.
func TestOutboxSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "learnpact.db")
	ctx := t.Context()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Outbox("slack").Schedule(ctx, storage.DueItem{ID: "m1", At: dueT0, Data: []byte("hello")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cs, err := s.Outbox("slack").Claim(ctx, dueT0, 10, time.Minute)
	if err != nil || len(cs) != 1 || string(cs[0].Item.Data) != "hello" {
		t.Errorf("Claim after reopening = %+v, %v; want m1", cs, err)
	}
}

func TestStores(t *testing.T) {
	path := filepath.Join(t.TempDir(), "learnpact.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	stores := s.Stores()
	if want := "embedded:" + path; stores.Name != want {
		t.Errorf("Name = %q, want %q", stores.Name, want)
	}
	storagetest.CheckStores(t, stores)
}
