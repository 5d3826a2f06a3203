package slack

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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
func BenchmarkDMTurn(b *testing.B) {
	for _, people := range []int{1, 10} {
		b.Run(fmt.Sprintf("people=%d", people), func(b *testing.B) {
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
			h := (&harness{}).start(b, Config{Workers: 2, Outbox: st.Outbox("slack"), Now: now}, st.Turns, defaultLimits, nil, nil)
			h.a.handle = h.a.engine.Handle // no recording: the turns are too many
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
			for _, text := range []string{"new", "Running design reviews", "Run three design reviews using a checklist the team adopts", "skip", "edit activities"} {
				round(text)
			}
			sent := len(h.api.Calls("chat.postMessage"))
			trips.n.Store(0)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Two turns each: answer the activities step (the
				// contract changes), then jump back to it.
				round("Shadow Ana's reviews; read the handbook", "edit activities")
			}
			b.StopTimer()
			turns := 2 * people * b.N
			if got := len(h.api.Calls("chat.postMessage")) - sent; got != turns {
				b.Fatalf("%d messages delivered for %d turns", got, turns)
			}
			b.ReportMetric(float64(trips.n.Load())/float64(turns), "roundtrips/turn")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(turns), "ns/turn")
		})
	}
}
