package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/scheduler"
	"github.com/learnpact/learnpact/storage"
	redisstore "github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// roundTrips counts Redis round trips: one per command sent alone, one
// per pipeline.
type roundTrips struct{ n atomic.Int64 }

func (c *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// BenchmarkDMTurn measures DM turns from arrival to chat.postMessage: a
// signed event to the HTTP handler, acknowledged once the turn is saved
// with its reply in the outbox on a real redis-server, then the outbox's
// delivery to a local fake Web API. It reports Redis round trips per turn,
// delivery included. The outbox drains after each round of turns: of one
// person (people=1: two turns a drain) or of ten (people=10: twenty, as
// RunOutbox batches what is due when it wakes under load). The clock moves
// five seconds a round, so Slack's rate limits do not hold messages back.
// The engine is the server's, with the scheduler's planner. The people
// keep a draft's dialog going: they answer its activities step (the
// contract changes), then jump back to it.
func BenchmarkDMTurn(b *testing.B) {
	for _, people := range []int{1, 10} {
		b.Run(fmt.Sprintf("people=%d", people), func(b *testing.B) {
			benchDMTurns(b, people, nil,
				[]string{"new", "Running design reviews", "Run three design reviews using a checklist the team adopts", "skip", "edit activities"},
				[]string{"Shadow Ana's reviews; read the handbook", "edit activities"})
		})
	}
}

// BenchmarkDMTurnPlanChanges is BenchmarkDMTurn for turns that change a
// contract's plan, and so its scheduled work: each person pauses their
// active contract and resumes it, turn after turn, so that every turn
// cancels or schedules check-ins along with the approver's digest, which
// on the Monday morning the clock starts at is pending behind its lock.
func BenchmarkDMTurnPlanChanges(b *testing.B) {
	for _, people := range []int{1, 10} {
		b.Run(fmt.Sprintf("people=%d", people), func(b *testing.B) {
			benchDMTurns(b, people, activeContract, nil, []string{"pause", "resume"})
		})
	}
}

// activeContract stores an active weekly contract of user's, approved by
// UMGR at now, as the user's current contract.
func activeContract(b *testing.B, s storage.Store, user string, now time.Time) {
	b.Helper()
	const approver = "UMGR"
	id := "c-" + user
	c := contract.New(id, "slack", "T1", user, now)
	must := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	must(c.SetTerms(user, contract.Terms{
		Title:    "Running design reviews",
		Goals:    []contract.Goal{{Text: "Run three design reviews using a checklist the team adopts"}},
		Evidence: []string{"A write-up of three reviews"},
		Criteria: []contract.Criterion{{Text: "Two teammates use the checklist without help", ProposedBy: user}},
		Deadline: now.AddDate(0, 2, 0).Truncate(24 * time.Hour),
		Cadence:  contract.Weekly,
	}, now))
	must(c.SetApprover(user, approver, now))
	must(c.DoPropose(user, "", now))
	must(c.DoSign(approver, c.Version, now))
	if c.Status != contract.Active {
		b.Fatalf("contract %s is %s, want active", id, c.Status)
	}
	data, err := json.Marshal(c)
	must(err)
	key := storage.UserKey{Platform: "slack", Team: "T1", User: user}
	must(s.Save(context.Background(), storage.TurnWrite{User: key, Session: fmt.Appendf(nil, `{"user":%q,"contract_id":%q}`, user, id), CurrentContract: id,
		Contract: &storage.ContractWrite{ID: id, Data: data, Users: []storage.UserKey{key, {Platform: "slack", Team: "T1", User: approver}}}}))
}

// benchDMTurns runs people through warmUp, once each, and then loop, a
// round of turns per b.N, after setup (when not nil) stored what each of
// them starts from.
func benchDMTurns(b *testing.B, people int, setup func(b *testing.B, s storage.Store, user string, now time.Time), warmUp, loop []string) {
	srv := redistest.Start(b)
	s, err := redisstore.Open(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	var trips roundTrips
	s.Client().AddHook(&trips)
	var clock atomic.Int64
	clock.Store(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	st := s.Stores()
	engine := newEngine(bot.Config{Store: st.Turns, Docs: st.Docs, Planner: scheduler.NewPlanner(scheduler.PlannerConfig{}), Log: discardLog(), Now: now})
	h := (&harness{}).start(b, Config{Workers: 2, Outbox: st.Outbox("slack"), Now: now}, st.Turns, defaultLimits, nil, nil,
		func(a *Adapter) { a.engine = engine })
	h.a.handle = engine.Handle // no recording: the turns are too many
	if setup != nil {
		for p := range people {
			setup(b, st.Turns, fmt.Sprintf("U%d", p), now())
		}
	}
	seq := 0
	round := func(texts ...string) {
		for p := range people {
			for _, text := range texts {
				seq++
				if resp := h.postEvent(b, dmEvent(fmt.Sprintf("Ev%d", seq), fmt.Sprintf("U%d", p), text), nil); resp.StatusCode != http.StatusOK {
					b.Fatalf("%s from U%d: status %d %s", text, p, resp.StatusCode, readBody(b, resp))
				}
			}
		}
		if _, err := h.a.FlushOutbox(context.Background()); err != nil {
			b.Fatal(err)
		}
		clock.Add(int64(5 * time.Second))
	}
	for _, text := range warmUp {
		round(text)
	}
	round(loop...)
	sent := len(h.api.Calls("chat.postMessage"))
	trips.n.Store(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		round(loop...)
	}
	b.StopTimer()
	turns := len(loop) * people * b.N
	if got := len(h.api.Calls("chat.postMessage")) - sent; got != turns {
		b.Fatalf("%d messages delivered for %d turns", got, turns)
	}
	b.ReportMetric(float64(trips.n.Load())/float64(turns), "roundtrips/turn")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(turns), "ns/turn")
}
