package redis

import (
	"errors"
	"testing"

	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/redis/redistest"
	"github.com/learnpact/learnpact/storage/storagetest"
)

func TestDocsConformance(t *testing.T) {
	storagetest.RunDocs(t, func(t *testing.T) storage.Docs {
		s, _ := open(t)
		return s
	})
}

// TestDocsConformanceCluster runs the suite on a one-node cluster, where a
// script may only touch keys of one slot.
func TestDocsConformanceCluster(t *testing.T) {
	srv := redistest.StartCluster(t)
	storagetest.RunDocs(t, func(t *testing.T) storage.Docs {
		s, err := Open("redis+cluster://" + srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Client().FlushAll(t.Context()).Err(); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestDocKeys pins the documented layout, which operators rely on:
// lp:doc:KEY, a hash of rev and data, without expiry.
func TestDocKeys(t *testing.T) {
	s, _ := open(t)
	ctx := t.Context()
	c := s.Client()
	if _, err := s.PutDoc(ctx, "set:slack:T1:C01", []byte(`{"members":["U1"]}`), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutDoc(ctx, "set:slack:T1:C01", []byte(`{"members":["U1","U2"]}`), 1); err != nil {
		t.Fatal(err)
	}
	const key = "lp:doc:set:slack:T1:C01"
	if got := c.Type(ctx, key).Val(); got != "hash" {
		t.Fatalf("TYPE %s = %q, want hash", key, got)
	}
	got := c.HGetAll(ctx, key).Val()
	if len(got) != 2 || got["rev"] != "2" || got["data"] != `{"members":["U1","U2"]}` {
		t.Errorf("HGETALL %s = %q, want rev 2 and the data as written", key, got)
	}
	if ttl := c.PTTL(ctx, key).Val(); ttl != -1 {
		t.Errorf("PTTL %s = %s, want none", key, ttl)
	}
}

func TestDocOneRoundTrip(t *testing.T) {
	s, _ := open(t)
	ctx := t.Context()
	if _, err := s.PutDoc(ctx, "warm", []byte("x"), 0); err != nil { // loads the script
		t.Fatal(err)
	}
	rt := new(roundTrips)
	s.Client().AddHook(rt)

	var err error
	if n := rt.count(func() { _, err = s.PutDoc(ctx, "k", []byte("v1"), 0) }); n != 1 || err != nil {
		t.Errorf("PutDoc creating: %d round trips, %v; want 1, no error", n, err)
	}
	if n := rt.count(func() { _, err = s.PutDoc(ctx, "k", []byte("v2"), 0) }); n != 1 || !errors.Is(err, storage.ErrConflict) {
		t.Errorf("PutDoc conflicting: %d round trips, %v; want 1, ErrConflict", n, err)
	}
	if n := rt.count(func() { _, err = s.PutDoc(ctx, "k", []byte("v2"), storage.AnyRev) }); n != 1 || err != nil {
		t.Errorf("PutDoc(AnyRev): %d round trips, %v; want 1, no error", n, err)
	}
	if n := rt.count(func() { _, _, err = s.Doc(ctx, "k") }); n != 1 || err != nil {
		t.Errorf("Doc: %d round trips, %v; want 1, no error", n, err)
	}
	if n := rt.count(func() { _, _, err = s.Doc(ctx, "") }); n != 0 || err == nil {
		t.Errorf("Doc with empty key: %d round trips, %v; want 0, an error", n, err)
	}
}
