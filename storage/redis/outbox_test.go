package redis

import (
	"slices"
	"testing"
	"time"

	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/redis/redistest"
	"github.com/learnpact/learnpact/storage/storagetest"
)

func TestOutboxConformance(t *testing.T) {
	storagetest.RunDue(t, func(t *testing.T) storage.DueStore {
		s, _ := open(t)
		return s.Outbox()
	})
}

// TestOutboxKeysShareASlot: the outbox's scripts touch all its keys, which
// a cluster of several nodes only allows within one slot.
func TestOutboxKeysShareASlot(t *testing.T) {
	srv := redistest.StartCluster(t)
	s, err := Open("redis+cluster://" + srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	slot := func(key string) int64 {
		n, err := s.Client().ClusterKeySlot(t.Context(), key).Result()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, k := range outboxKeys[1:] {
		if slot(k) != slot(outboxKeys[0]) {
			t.Errorf("%s is in slot %d, %s in %d", k, slot(k), outboxKeys[0], slot(outboxKeys[0]))
		}
	}
	ctx := t.Context()
	if err := s.Outbox().Schedule(ctx, storage.DueItem{ID: "m1", At: dueT0, Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if cs, err := s.Outbox().Claim(ctx, dueT0, 10, time.Minute); err != nil || len(cs) != 1 {
		t.Errorf("claim on a cluster = %d claims, %v; want 1", len(cs), err)
	}
}

// TestOutboxApart: the outbox and the due items share a server but not
// their items, ids or locks.
func TestOutboxApart(t *testing.T) {
	s, _ := open(t)
	ctx := t.Context()
	out := s.Outbox()
	storagetest.RunApart(t, s, out)
	keys, err := s.Client().Keys(ctx, "lp:{out}*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	if want := []string{"lp:{out}:lock:l"}; !slices.Equal(keys, want) {
		t.Errorf("outbox keys = %q, want %q (items gone after Done)", keys, want)
	}
}

func TestStores(t *testing.T) {
	s, _ := open(t)
	storagetest.CheckStores(t, s.Stores())
}
