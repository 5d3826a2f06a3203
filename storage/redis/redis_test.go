package redis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
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

// TestConformanceCluster runs the suite on a Redis Cluster of three
// masters, where a turn's keys live on different nodes. One cluster serves
// all subtests (it takes seconds to become ready); each subtest starts
// from an empty database.
func TestConformanceCluster(t *testing.T) {
	srv := redistest.StartCluster3(t)
	storagetest.Run(t, func(t *testing.T) storagetest.Subject {
		s, err := Open(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		if !s.cluster {
			t.Fatalf("Open(redis+cluster://…) made a %T, want a cluster client", s.Client())
		}
		flushCluster(t, s)
		return subject(t, s)
	})
}

// flushCluster empties every master of s's cluster.
func flushCluster(t testing.TB, s *Store) {
	t.Helper()
	cc, ok := s.Client().(*redis.ClusterClient)
	if !ok {
		t.Fatalf("a %T, want a cluster client", s.Client())
	}
	err := cc.ForEachMaster(t.Context(), func(ctx context.Context, c *redis.Client) error { return c.FlushAll(ctx).Err() })
	if err != nil {
		t.Fatal(err)
	}
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

// TestOneRoundTripPerLoadAndSave: on a single node every Load and Save
// is one round trip, whatever it reads and writes.
func TestOneRoundTripPerLoadAndSave(t *testing.T) {
	s, _ := open(t)
	checkRoundTrips(t, s, false)
}

// TestRoundTripsCluster: on Cluster, Load takes two round trips when it
// follows the session to its current contract, and Save one per step
// (see the package comment).
func TestRoundTripsCluster(t *testing.T) {
	srv := redistest.StartCluster(t)
	s, err := Open("redis+cluster://" + srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	checkRoundTrips(t, s, true)
}

// checkRoundTrips counts the round trips of each kind of Load and Save,
// and checks what they return.
func checkRoundTrips(t *testing.T, s *Store, cluster bool) {
	ctx := t.Context()
	rt := new(roundTrips)
	s.Client().AddHook(rt)
	data := []byte(`{"id":"c1"}`)
	users := []storage.UserKey{alice, {Platform: "slack", Team: "T1", User: "U2"}}
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	out := func(ids ...string) []storage.DueItem {
		var items []storage.DueItem
		for _, id := range ids {
			items = append(items, storage.DueItem{ID: id, At: at, Data: []byte(`{"text":"hi"}`)})
		}
		return items
	}
	var rev int64
	want := func(single, clustered int64) int64 {
		if cluster {
			return clustered
		}
		return single
	}
	load := func(name, id, event string, trips int64, applied bool) {
		t.Helper()
		var (
			snap storage.Snapshot
			err  error
		)
		if n := rt.count(func() { snap, err = s.Load(ctx, alice, id, event) }); n != trips {
			t.Errorf("%s: %d round trips, want %d", name, n, trips)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if snap.Applied != applied || snap.Rev == 0 {
			t.Errorf("%s: Applied %v, rev %d; want Applied %v and a contract", name, snap.Applied, snap.Rev, applied)
		}
		rev = snap.Rev
	}
	save := func(name string, w storage.TurnWrite, trips int64, wantErr error) {
		t.Helper()
		w.User, w.Session, w.CurrentContract = alice, []byte(`{"step":"x"}`), "c1"
		if w.Event != "" {
			w.EventTTL = time.Hour
		}
		var err error
		if n := rt.count(func() { err = s.Save(ctx, w) }); n != trips {
			t.Errorf("%s: %d round trips, want %d", name, n, trips)
		}
		if !errors.Is(err, wantErr) {
			t.Fatalf("%s: err = %v, want %v", name, err, wantErr)
		}
	}
	contract := func() *storage.ContractWrite {
		return &storage.ContractWrite{ID: "c1", Data: data, Rev: rev, Users: users}
	}

	// The first run of each script loads it into the server's cache (an
	// EVALSHA that misses, then EVAL); from then on it is one EVALSHA.
	if _, err := s.Load(ctx, alice, "", "Ev0"); err != nil {
		t.Fatal(err)
	}
	w := storage.TurnWrite{User: alice, Session: []byte(`{}`), CurrentContract: "c1", Contract: contract(), Event: "Ev0", EventTTL: time.Hour, Out: out("m0")}
	if err := s.Save(ctx, w); err != nil {
		t.Fatal(err)
	}

	load("Load of the current contract", "", "", want(1, 2), false)
	load("Load of a named contract", "c1", "", want(1, 1), false)
	load("Load of the current contract and an event", "", "Ev1", want(1, 2), false)
	load("Load of a named contract and an event", "c1", "Ev1", want(1, 1), false)
	load("Load of an event applied", "", "Ev0", want(1, 2), true)
	save("Save of the session only", storage.TurnWrite{}, want(1, 1), nil)
	// On Cluster a save whose steps span slots writes a journal with its
	// first step and deletes it after its last (see journal.go): one round
	// trip more.
	save("Save of session and contract", storage.TurnWrite{Contract: contract()}, want(1, 3), nil)
	save("Save that conflicts", storage.TurnWrite{Contract: contract()}, want(1, 1), storage.ErrConflict)
	load("Load after the conflict", "", "", want(1, 2), false)
	save("Save of session and messages", storage.TurnWrite{Out: out("m1")}, want(1, 3), nil)
	save("Save of session, event and messages", storage.TurnWrite{Event: "Ev1", Out: out("m2")}, want(1, 3), nil)
	save("Save of session, contract, event and messages", storage.TurnWrite{Contract: contract(), Event: "Ev2", Out: out("m3", "m4")}, want(1, 4), nil)
	save("Save of an event applied, with its contract", storage.TurnWrite{Contract: contract(), Event: "Ev2", Out: out("m5")}, want(1, 1), storage.ErrApplied)
	save("Save of an event applied, without contract", storage.TurnWrite{Event: "Ev1", Out: out("m5")}, want(1, 1), storage.ErrApplied)
	load("Load of the event applied", "c1", "Ev2", want(1, 1), true)

	cs, err := s.Outbox("slack").Claim(ctx, at, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cs {
		got = append(got, c.Item.ID)
	}
	if want := []string{"m0", "m1", "m2", "m3", "m4"}; !slices.Equal(got, want) {
		t.Errorf("outbox holds %q, want %q", got, want)
	}
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

	// So do the events applied by turns, kept apart from them, and the
	// turn's messages are in the outbox of its platform.
	err := s.Save(ctx, storage.TurnWrite{User: teams, Session: []byte(`{}`), Event: "slack:Ev1", EventTTL: 10 * time.Minute,
		Out: []storage.DueItem{{ID: "m1", At: time.UnixMilli(1741000000000), Data: []byte(`{"text":"hi"}`)}}})
	if err != nil {
		t.Fatal(err)
	}
	applied := "lp:applied:{lp:session:teams:tenant-1:29%3A1AbC}:slack:Ev1"
	if got := c.Get(ctx, applied).Val(); got != "1" {
		t.Errorf("GET %s = %q, want \"1\"", applied, got)
	}
	if ttl := c.PTTL(ctx, applied).Val(); ttl <= 9*time.Minute || ttl > 10*time.Minute {
		t.Errorf("applied event TTL = %s, want about 10m", ttl)
	}
	if got := c.HGet(ctx, "lp:{out:teams}:items", "m1").Val(); got != `1741000000000:{"text":"hi"}` {
		t.Errorf("outbox item m1 = %q, as Schedule writes it", got)
	}
	if got := c.ZScore(ctx, "lp:{out:teams}", "m1").Val(); got != 1741000000000 {
		t.Errorf("outbox score of m1 = %v, want its due time in unix ms", got)
	}
}

// TestAppliedKeysShareSlots: in Cluster, the key of an event applied by a
// user's turn is in the slot of the user's session, and the key of an
// event applied to a contract in the contract's, whatever the ids hold.
func TestAppliedKeysShareSlots(t *testing.T) {
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
	users := []storage.UserKey{
		alice,
		{Platform: "teams", Team: "tenant", User: "29:1AbC"},
		{Platform: "teams", Team: "{x}", User: "a}b{c}"},
		{Platform: "slack", Team: "T}", User: "{"},
	}
	for _, u := range users {
		if a, b := slot(appliedKey(u, "slack:{Ev1}")), slot(sessionKey(u)); a != b {
			t.Errorf("user %+v: applied event in slot %d, session in %d", u, a, b)
		}
	}
	if a, b := slot(contractAppliedKey("c1", "{Ev1}")), slot(contractKey("c1")); a != b {
		t.Errorf("event applied to c1 in slot %d, c1 in %d", a, b)
	}
	// Distinct users get distinct sessions, braces or not.
	if sessionKey(users[2]) == sessionKey(storage.UserKey{Platform: "teams", Team: "%7Bx%7D", User: "a%7Db%7Bc%7D"}) {
		t.Error("escaped and unescaped braces share a session key")
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

// BenchmarkTurn measures one chat turn's storage work: load the session,
// contract and whether the event was applied, save both with the event and
// a reply into the outbox.
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

	if _, err := s.Load(ctx, alice, "", "Ev"); err != nil { // caches the load script
		b.Fatal(err)
	}
	reply := []byte(`{"lane":"reply","platform":"slack","team":"T1","channel":"D1","message":{"sections":[{"text":"Got it: your evidence is a 20-minute talk with slides and a recorded Q&A. How will success be judged?"}]}}`)
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

	b.ReportAllocs()
	b.ResetTimer()
	start := rt.n.Load()
	i := 0
	for b.Loop() {
		i++
		event := "slack:Ev" + strconv.Itoa(i)
		snap, err := s.Load(ctx, alice, "", event)
		if err != nil {
			b.Fatal(err)
		}
		err = s.Save(ctx, storage.TurnWrite{User: alice, Session: sess, CurrentContract: "c-bench",
			Contract: &storage.ContractWrite{ID: "c-bench", Data: contract, Rev: snap.Rev, Users: users},
			Event:    event, EventTTL: time.Hour,
			Out: []storage.DueItem{{ID: "out:" + event, At: at, Data: reply}}})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rt.n.Load()-start)/float64(b.N), "roundtrips/op")
}

func TestEraseConformance(t *testing.T) {
	storagetest.RunErase(t, func(t *testing.T) storagetest.Subject {
		s, err := Open(redistest.Start(t).URL())
		if err != nil {
			t.Fatal(err)
		}
		return subject(t, s)
	})
}

// TestEraseConformanceCluster: listing and deleting reach every master of
// a three-master cluster.
func TestEraseConformanceCluster(t *testing.T) {
	srv := redistest.StartCluster3(t)
	storagetest.RunErase(t, func(t *testing.T) storagetest.Subject {
		s, err := Open(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		flushCluster(t, s)
		return subject(t, s)
	})
}

func TestBacklog(t *testing.T) {
	open := func(t *testing.T) *Store {
		s, err := Open(redistest.Start(t).URL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	storagetest.RunBacklog(t, func(t *testing.T) storage.DueStore { return open(t).Outbox("slack") })
	storagetest.RunBacklog(t, func(t *testing.T) storage.DueStore { return open(t) })
}

func TestLibraryConformance(t *testing.T) {
	storagetest.RunLibrary(t, func(t *testing.T) storagetest.Subject {
		s, err := Open(redistest.Start(t).URL())
		if err != nil {
			t.Fatal(err)
		}
		return subject(t, s)
	})
}

// TestLibraryConformanceCluster: a team's index lives in one slot, and
// examples move between teams in other slots.
func TestLibraryConformanceCluster(t *testing.T) {
	srv := redistest.StartCluster3(t)
	storagetest.RunLibrary(t, func(t *testing.T) storagetest.Subject {
		s, err := Open(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		flushCluster(t, s)
		return subject(t, s)
	})
}
