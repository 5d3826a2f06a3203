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
	for _, platform := range []string{"slack", "teams"} {
		t.Run(platform, func(t *testing.T) {
			storagetest.RunDue(t, func(t *testing.T) storage.DueStore {
				s, _ := open(t)
				return s.Outbox(platform)
			})
		})
	}
}

// TestOutboxKeysShareASlot: an outbox's scripts touch all its keys, which
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
	ctx := t.Context()
	for _, platform := range []string{"slack", "teams"} {
		keys := s.outbox(platform).keys
		for _, k := range keys[1:] {
			if slot(k) != slot(keys[0]) {
				t.Errorf("%s is in slot %d, %s in %d", k, slot(k), keys[0], slot(keys[0]))
			}
		}
		out := s.Outbox(platform)
		if err := out.Schedule(ctx, storage.DueItem{ID: "m1", At: dueT0, Data: []byte("x")}); err != nil {
			t.Fatal(err)
		}
		if cs, err := out.Claim(ctx, dueT0, 10, time.Minute); err != nil || len(cs) != 1 {
			t.Errorf("claim from %s's outbox on a cluster = %d claims, %v; want 1", platform, len(cs), err)
		}
	}
}

// TestOutboxApart: the outbox and the due items share a server but not
// their items, ids or locks.
func TestOutboxApart(t *testing.T) {
	s, _ := open(t)
	ctx := t.Context()
	out := s.Outbox("slack")
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

// TestOutboxesApart: Slack's outbox keeps the keys it had when it was the
// only one; Teams' has its own, and neither sees the other's items, ids or
// locks.
func TestOutboxesApart(t *testing.T) {
	s, _ := open(t)
	ctx := t.Context()
	storagetest.RunApart(t, s.Outbox("teams"), s.Outbox("slack"))
	for pattern, want := range map[string][]string{
		"lp:{out}*":       {"lp:{out}:lock:l"},
		"lp:{out:teams}*": {"lp:{out:teams}", "lp:{out:teams}:items", "lp:{out:teams}:leases", "lp:{out:teams}:lock:l"},
	} {
		keys, err := s.Client().Keys(ctx, pattern).Result()
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(keys)
		slices.Sort(want)
		if !slices.Equal(keys, want) {
			t.Errorf("keys %s = %q, want %q", pattern, keys, want)
		}
	}
}

func TestStores(t *testing.T) {
	s, _ := open(t)
	storagetest.CheckStores(t, s.Stores())
}
