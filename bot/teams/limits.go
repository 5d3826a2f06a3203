package teams

import (
	"time"

	"github.com/learnpact/learnpact/bot/outbox"
)

// Teams' limits for bots, from Microsoft's published figures ("Optimize
// your bot with rate limiting in Teams",
// https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit):
//
//   - per bot per thread (a personal chat, a group chat or a channel),
//     both "send to conversation" and "create conversation": 7 operations
//     in 1 s, 8 in 2 s, 60 in 30 s and 1800 in 3600 s;
//   - globally, 30 requests per second per app per tenant (older answers
//     from Microsoft say 50). The outbox keeps to 30 a second for the
//     whole process, all tenants together, which is never more than any
//     one tenant allows.
//
// Microsoft says the figures may change and that a 429 with Retry-After
// is the last word: the outbox honours it as well (bot/outbox). This is the
// one home of these figures.
var (
	threadLimits = []window{{time.Second, 7}, {2 * time.Second, 8}, {30 * time.Second, 60}, {time.Hour, 1800}}
	appLimit     = window{time.Second, 30}
)

// window allows n operations in any period of length d.
type window struct {
	d time.Duration
	n int
}

// next is when one more operation may go after the operations at times
// (oldest first, none later than now): now when the window allows it.
func (w window) next(times []time.Time, now time.Time) time.Time {
	if len(times) < w.n {
		return now
	}
	if end := times[len(times)-w.n].Add(w.d); end.After(now) {
		return end
	}
	return now
}

// limiter keeps the outbox's sends within threadLimits per conversation
// and appLimit in all, and holds back a conversation after a 429 until its
// Retry-After has passed. It is used by one delivery pass at a time.
type limiter struct {
	app     []time.Time            // sends within appLimit.d, oldest first
	threads map[string][]time.Time // per conversation, sends within the last hour
	paused  map[string]time.Time   // per conversation, the end of a 429's Retry-After
}

func newLimiter() *limiter {
	return &limiter{threads: map[string][]time.Time{}, paused: map[string]time.Time{}}
}

// appNext is when the next send may go as far as appLimit goes.
func (l *limiter) appNext(now time.Time) time.Time { return appLimit.next(l.app, now) }

// next is when the next send to conversation key may go.
func (l *limiter) next(key string, now time.Time) time.Time {
	at := now
	for _, w := range threadLimits {
		at = latest(at, w.next(l.threads[key], now))
	}
	return latest(at, l.paused[key])
}

// take records a send to key at now.
func (l *limiter) take(key string, now time.Time) {
	l.app = append(l.app, now)
	l.threads[key] = append(l.threads[key], now)
}

// limited holds key back until until, after a 429.
func (l *limiter) limited(key string, until time.Time) {
	l.paused[key] = latest(l.paused[key], until)
}

// prune forgets what no longer limits anything at now.
func (l *limiter) prune(now time.Time) {
	l.app = since(l.app, now.Add(-appLimit.d))
	longest := threadLimits[len(threadLimits)-1].d
	for k, ts := range l.threads {
		if ts = since(ts, now.Add(-longest)); len(ts) == 0 {
			delete(l.threads, k)
		} else {
			l.threads[k] = ts
		}
	}
	for k, t := range l.paused {
		if !t.After(now) {
			delete(l.paused, k)
		}
	}
}

// The limiter is the drain's (outbox.Limiter): every call is of one
// method, and its Channel is its conversation.
var _ outbox.Limiter = (*limiter)(nil)

// ConversationReady implements outbox.Limiter.
func (l *limiter) ConversationReady(c outbox.Call, now time.Time) time.Time {
	return l.next(c.Channel, now)
}

// MethodReady implements outbox.Limiter: appLimit.
func (l *limiter) MethodReady(_ string, now time.Time) time.Time { return l.appNext(now) }

// Take implements outbox.Limiter.
func (l *limiter) Take(c outbox.Call, now time.Time) { l.take(c.Channel, now) }

// Limited implements outbox.Limiter: the conversation waits out the
// Retry-After.
func (l *limiter) Limited(c outbox.Call, _, now time.Time, retryAfter time.Duration) time.Time {
	until := now.Add(max(retryAfter, outbox.MinRateLimitWait))
	l.limited(c.Channel, until)
	return until
}

// Every implements outbox.Limiter: appLimit's interval.
func (l *limiter) Every(time.Time) time.Duration { return appLimit.d / time.Duration(appLimit.n) }

// Prune implements outbox.Limiter.
func (l *limiter) Prune(now time.Time) { l.prune(now) }

// since drops the times not after from (ts is oldest first).
func since(ts []time.Time, from time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(from) {
		i++
	}
	if i == 0 {
		return ts
	}
	return append(ts[:0], ts[i:]...)
}

// latest is the later of a and b.
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
