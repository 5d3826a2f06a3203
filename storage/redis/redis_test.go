package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/redis/redistest"
	"github.com/learnpact/learnpact/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storagetest.Subject {
		s, err := Open(redistest.Start(t).URL())
		if err != nil {
			t.Fatal(err)
		}
		return subject(t, s)
	})
}

// subject is s under test, its clock moved by shortening the TTLs of its
// keys.
func subject(t *testing.T, s *Store) storagetest.Subject {
	return storagetest.Subject{Stores: s.Stores(), Advance: func(d time.Duration) { advance(t, s.Client(), d) }}
}

// advance moves the server's expiries on by d, as time passing would:
// every key with a TTL has it shortened by d, and goes when none is left.
func advance(t *testing.T, c redis.UniversalClient, d time.Duration) {
	t.Helper()
	ctx := t.Context()
	shorten := func(ctx context.Context, node *redis.Client) error {
		iter := node.Scan(ctx, 0, "*", 100).Iterator()
		for iter.Next(ctx) {
			key := iter.Val()
			ttl, err := node.PTTL(ctx, key).Result()
			switch {
			case err != nil:
				return err
			case ttl <= 0:
				continue
			case ttl <= d:
				err = node.Del(ctx, key).Err()
			default:
				err = node.PExpire(ctx, key, ttl-d).Err()
			}
			if err != nil {
				return err
			}
		}
		return iter.Err()
	}
	var err error
	switch c := c.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, shorten)
	case *redis.Client:
		err = shorten(ctx, c)
	default:
		err = fmt.Errorf("advance: a %T", c)
	}
	if err != nil {
		t.Fatalf("advance the server's clock by %s: %v", d, err)
	}
}

// TestConformanceCluster runs the suite on the Cluster code path. One
// cluster node serves all subtests (it takes seconds to become ready);
// each subtest starts from an empty database.
func TestConformanceCluster(t *testing.T) {
	srv := redistest.StartCluster(t)
	storagetest.Run(t, func(t *testing.T) storagetest.Subject {
		s, err := Open("redis+cluster://" + srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		if !s.cluster {
			t.Fatalf("Open(redis+cluster://…) made a %T, want a cluster client", s.Client())
		}
		if err := s.Client().FlushAll(t.Context()).Err(); err != nil {
			t.Fatal(err)
		}
		return subject(t, s)
	})
}

func open(t testing.TB) (*Store, *redistest.Server) {
	t.Helper()
	srv := redistest.Start(t)
	s, err := Open(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, srv
}

// roundTrips counts commands and pipelines sent: each is one round trip.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmds)
	}
}

// count returns how many round trips fn made.
func (r *roundTrips) count(fn func()) int64 {
	before := r.n.Load()
	fn()
	return r.n.Load() - before
}

var alice = storage.UserKey{Platform: "slack", Team: "T1", User: "U1"}

func TestOneRoundTripPerLoadAndSave(t *testing.T) {
	s, _ := open(t)
	ctx := t.Context()
	rt := new(roundTrips)
	s.Client().AddHook(rt)

	data := []byte(`{"id":"c1"}`)
	var rev int64
	save := func(name string, c *storage.ContractWrite, wantErr error) {
		t.Helper()
		var err error
		if n := rt.count(func() {
			err = s.Save(ctx, storage.TurnWrite{User: alice, Session: []byte(`{"step":"x"}`), CurrentContract: "c1", Contract: c})
		}); n != 1 {
			t.Errorf("%s: %d round trips, want 1", name, n)
		}
		if !errors.Is(err, wantErr) {
			t.Fatalf("%s: err = %v, want %v", name, err, wantErr)
		}
	}
	load := func(name, id string) {
		t.Helper()
		var (
			snap storage.Snapshot
			err  error
		)
		if n := rt.count(func() { snap, err = s.Load(ctx, alice, id, "") }); n != 1 {
			t.Errorf("%s: %d round trips, want 1", name, n)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rev = snap.Rev
	}

	// The first run of each script loads it into the server's cache (an
	// EVALSHA that misses, then EVAL); from then on it is one EVALSHA.
	if _, err := s.Load(ctx, alice, "", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, storage.TurnWrite{User: alice, Session: []byte(`{}`), CurrentContract: "c1", Contract: &storage.ContractWrite{ID: "c1", Data: data, Users: []storage.UserKey{alice}}}); err != nil {
		t.Fatal(err)
	}

	load("Load of the current contract", "")
	if rev != 1 {
		t.Fatalf("rev = %d, want 1", rev)
	}
	load("Load of a named contract", "c1")
	save("Save of session and contract", &storage.ContractWrite{ID: "c1", Data: data, Rev: rev, Users: []storage.UserKey{alice}}, nil)
	save("Save of the session only", nil, nil)
	save("Save that conflicts", &storage.ContractWrite{ID: "c1", Data: data, Rev: rev, Users: []storage.UserKey{alice}}, storage.ErrConflict)
}

// TestScriptCacheFlushed: a server that lost its scripts (restart,
// failover, SCRIPT FLUSH) gets them again transparently.
func TestScriptCacheFlushed(t *testing.T) {
	s, _ := open(t)
	ctx := t.Context()
	w := &storage.ContractWrite{ID: "c1", Data: []byte(`{"id":"c1"}`), Users: []storage.UserKey{alice}}
	if err := s.Save(ctx, storage.TurnWrite{User: alice, Session: []byte(`{}`), CurrentContract: "c1", Contract: w}); err != nil {
		t.Fatal(err)
	}
	if err := s.Client().ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	snap, err := s.Load(ctx, alice, "", "")
	if err != nil || snap.Rev != 1 {
		t.Fatalf("Load after SCRIPT FLUSH = %+v, %v; want rev 1", snap, err)
	}
	if err := s.Client().ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	w.Rev = 1
	if err := s.Save(ctx, storage.TurnWrite{User: alice, Session: []byte(`{}`), CurrentContract: "c1", Contract: w}); err != nil {
		t.Fatalf("Save after SCRIPT FLUSH: %v", err)
	}
}

func TestKeysAndTTLs(t *testing.T) {
	s, _ := open(t)
	ctx := t.Context()
	c := s.Client()
	teams := storage.UserKey{Platform: "teams", Team: "tenant-1", User: "29:1AbC"}
	w := &storage.ContractWrite{ID: "c1", Data: []byte(`{"id":"c1"}`), Users: []storage.UserKey{teams}}
	if err := s.Save(ctx, storage.TurnWrite{User: teams, Session: []byte(`{}`), CurrentContract: "c1", Contract: w}); err != nil {
		t.Fatal(err)
	}

	// The documented layout, which other features and operators rely on.
	for key, typ := range map[string]string{
		"lp:{c:c1}:contract":                         "hash",
		"lp:session:teams:tenant-1:29%3A1AbC":        "hash",
		"lp:user:teams:tenant-1:29%3A1AbC:contracts": "zset",
	} {
		if got := c.Type(ctx, key).Val(); got != typ {
			t.Errorf("TYPE %s = %q, want %q", key, got, typ)
		}
	}
	if ttl := c.PTTL(ctx, "lp:{c:c1}:contract").Val(); ttl != -1 {
		t.Errorf("contract TTL = %s, want none", ttl)
	}

	// The session TTL is storage.SessionTTL and each save refreshes it.
	sess := sessionKey(teams)
	if ttl := c.PTTL(ctx, sess).Val(); ttl <= storage.SessionTTL-time.Minute || ttl > storage.SessionTTL {
		t.Errorf("session TTL = %s, want about %s", ttl, storage.SessionTTL)
	}
	if err := c.PExpire(ctx, sess, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, storage.TurnWrite{User: teams, Session: []byte(`{}`), CurrentContract: "c1"}); err != nil {
		t.Fatal(err)
	}
	if ttl := c.PTTL(ctx, sess).Val(); ttl <= storage.SessionTTL-time.Minute {
		t.Errorf("session TTL after another save = %s, want it refreshed to about %s", ttl, storage.SessionTTL)
	}

	// Seen event ids expire after their ttl.
	if first, err := s.FirstSeen(ctx, "Ev1", 10*time.Minute); err != nil || !first {
		t.Fatalf("FirstSeen = %v, %v", first, err)
	}
	if ttl := c.PTTL(ctx, "lp:seen:Ev1").Val(); ttl <= 9*time.Minute || ttl > 10*time.Minute {
		t.Errorf("seen TTL = %s, want about 10m", ttl)
	}
}

func TestServerDown(t *testing.T) {
	srv := redistest.Start(t)
	// No retries: each call fails at its first refused connection.
	s := New(redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1, DialerRetries: 1}))
	defer s.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	srv.Kill()
	if _, err := s.Load(ctx, alice, "", ""); err == nil {
		t.Error("Load with the server down: no error")
	}
	err := s.Save(ctx, storage.TurnWrite{User: alice, Session: []byte(`{}`)})
	if err == nil || errors.Is(err, storage.ErrConflict) {
		t.Errorf("Save with the server down: err = %v, want a connection error", err)
	}
	if _, err := s.FirstSeen(ctx, "Ev1", time.Minute); err == nil {
		t.Error("FirstSeen with the server down: no error")
	}
}

func TestOpen(t *testing.T) {
	srv := redistest.Start(t)
	s, err := Open("redis://" + srv.Addr() + "?dial_timeout=2s&pool_size=4")
	if err != nil {
		t.Fatalf("Open with options: %v", err)
	}
	s.Close()

	srv.Kill()
	down := "redis://user:s3cret@" + srv.Addr() + "/0?max_retries=-1"
	if _, err := parseURL(down); err != nil {
		t.Fatal(err)
	}
	_, err = Open(down)
	if err == nil {
		t.Fatal("Open of a stopped server succeeded")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error shows the password: %v", err)
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		url  string
		kind string // single, failover, cluster
		// addrs are the node addresses (single), sentinels (failover)
		// or seed nodes (cluster).
		addrs  []string
		db     int
		master string
		tls    bool
	}{
		{url: "redis://localhost:6379/0", kind: "single", addrs: []string{"localhost:6379"}},
		{url: "redis://localhost", kind: "single", addrs: []string{"localhost:6379"}},
		{url: "redis://:pw@10.0.0.1:6380/3", kind: "single", addrs: []string{"10.0.0.1:6380"}, db: 3},
		{url: "rediss://cache.example.com:6380", kind: "single", addrs: []string{"cache.example.com:6380"}, tls: true},
		{url: "redis://a:7000,b:7001,c:7002", kind: "cluster", addrs: []string{"a:7000", "b:7001", "c:7002"}},
		{url: "redis://a:7000?addr=b:7001", kind: "cluster", addrs: []string{"a:7000", "b:7001"}},
		{url: "redis+cluster://cfg.example.com:6379", kind: "cluster", addrs: []string{"cfg.example.com:6379"}},
		{url: "rediss+cluster://u:pw@a:7000,b:7001/0", kind: "cluster", addrs: []string{"a:7000", "b:7001"}, tls: true},
		{url: "redis://s1:26379?master_name=mymaster", kind: "failover", addrs: []string{"s1:26379"}, master: "mymaster"},
		{url: "redis://s1:26379,s2:26379/2?master_name=mymaster", kind: "failover", addrs: []string{"s1:26379", "s2:26379"}, db: 2, master: "mymaster"},
		{url: "redis+sentinel://s1:26379,s2:26379/mymaster/1", kind: "failover", addrs: []string{"s1:26379", "s2:26379"}, db: 1, master: "mymaster"},
		{url: "redis+sentinel://s1/mymaster", kind: "failover", addrs: []string{"s1:6379"}, master: "mymaster"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			tg, err := parseURL(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			var (
				kind, master string
				addrs        []string
				db           int
				tls          bool
			)
			switch {
			case tg.single != nil:
				kind, addrs, db, tls = "single", []string{tg.single.Addr}, tg.single.DB, tg.single.TLSConfig != nil
			case tg.failover != nil:
				kind, addrs, db, tls, master = "failover", tg.failover.SentinelAddrs, tg.failover.DB, tg.failover.TLSConfig != nil, tg.failover.MasterName
			case tg.cluster != nil:
				kind, addrs, tls = "cluster", tg.cluster.Addrs, tg.cluster.TLSConfig != nil
			}
			got := fmt.Sprintf("%s %q db=%d master=%q tls=%v", kind, addrs, db, master, tls)
			want := fmt.Sprintf("%s %q db=%d master=%q tls=%v", tc.kind, tc.addrs, tc.db, tc.master, tc.tls)
			if got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func TestParseURLRejects(t *testing.T) {
	for _, u := range []string{
		"",
		"localhost:6379",
		"http://localhost:6379",
		"redis+ring://a:1",
		"redis+sentinel://s1:26379",
		"redis://a:1,,b:2",
		"redis://a:1,b:2/3",
		"redis://localhost/notanumber",
		"redis://localhost?no_such_option=1",
		"redis://user:s3cret@local host/0",
	} {
		_, err := parseURL(u)
		if err == nil {
			t.Errorf("parseURL(%q) succeeded", u)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("parseURL(%q): error shows the password: %v", u, err)
		}
	}
}

// BenchmarkTurn measures one chat turn's storage work: load the session and
// contract, save both.
func BenchmarkTurn(b *testing.B) {
	s, _ := open(b)
	ctx := b.Context()
	rt := new(roundTrips)
	s.Client().AddHook(rt)

	sess := []byte(`{"user":"U1","state":"drafting","step":"evidence","contract_id":"c-bench","draft":{"goal":"Explain the trade-offs of event sourcing to the team","evidence":"A 20-minute talk with slides and a recorded Q&A","criteria":["The team can name three trade-offs","Two colleagues apply it in a design review"]},"pending":[],"updated_at":"2025-03-01T09:00:00Z"}`)
	sess = append(sess[:len(sess)-1], fmt.Appendf(nil, `,"notes":%q}`, strings.Repeat("n", 1024-len(sess)))...)
	contract := fmt.Appendf(nil, `{"id":"c-bench","version":3,"learner":"U1","approver":"U2","title":"Event sourcing for the payments team","goals":[{"text":"Explain the trade-offs of event sourcing","mastery":"a talk the team rates useful"}],"history":%q}`,
		strings.Repeat(`{"at":"2025-03-01T09:00:00Z","actor":"U1","kind":"edit","field":"goals","old":"learn about event sourcing","new":"explain the trade-offs"}`, 20))
	if len(contract) < 3000 || len(contract) > 4000 {
		b.Fatalf("contract is %d bytes, want about 3 KB", len(contract))
	}
	users := []storage.UserKey{alice, {Platform: "slack", Team: "T1", User: "U2"}}
	if err := s.Save(ctx, storage.TurnWrite{User: alice, Session: sess, CurrentContract: "c-bench", Contract: &storage.ContractWrite{ID: "c-bench", Data: contract, Users: users}}); err != nil {
		b.Fatal(err)
	}

	if _, err := s.Load(ctx, alice, "", ""); err != nil { // caches the load script
		b.Fatal(err)
	}

	b.ReportAllocs()
	b.ResetTimer()
	start := rt.n.Load()
	for b.Loop() {
		snap, err := s.Load(ctx, alice, "", "")
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Save(ctx, storage.TurnWrite{User: alice, Session: sess, CurrentContract: "c-bench", Contract: &storage.ContractWrite{ID: "c-bench", Data: contract, Rev: snap.Rev, Users: users}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rt.n.Load()-start)/float64(b.N), "roundtrips/op")
}
