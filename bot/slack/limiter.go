package slack

import (
	"sync"
	"time"
)

// rate is a limit of one call every `every`, with bursts of up to burst
// calls after a quiet spell.
type rate struct {
	every time.Duration
	burst int
}

// Slack's published limits (api.slack.com/apis/rate-limits) for the calls
// the outbox makes. chat.postMessage allows about one message a second per
// channel with short bursts, and several hundred a minute per workspace
// with generous bursts; chat.update and conversations.open are Tier 3,
// 50+ a minute per workspace. Going over one only costs a 429 and a wait.
var (
	channelRate = rate{every: time.Second, burst: 3}
	methodRates = map[string]rate{
		methodPost:   {every: 200 * time.Millisecond, burst: 50},
		methodUpdate: {every: 1200 * time.Millisecond, burst: 10},
		methodOpen:   {every: 1200 * time.Millisecond, burst: 10},
	}
)

const (
	methodPost   = "chat.postMessage"
	methodUpdate = "chat.update"
	methodOpen   = "conversations.open"
)

// cell is a token bucket kept as the generic cell rate algorithm: tat is
// the theoretical arrival time of the next call at the steady rate. A call
// may go at now when tat is no more than burst-1 intervals ahead of now.
type cell struct {
	rate rate
	tat  time.Time
}

// ready returns when the next call may go: now, or later.
func (c *cell) ready(now time.Time) time.Time {
	t := c.tat.Add(-time.Duration(c.rate.burst-1) * c.rate.every)
	if t.Before(now) {
		return now
	}
	return t
}

// take counts a call made at t (now, or a slot booked ahead).
func (c *cell) take(t time.Time) {
	if c.tat.Before(t) {
		c.tat = t
	}
	c.tat = c.tat.Add(c.rate.every)
}

// limiter keeps the outbox within Slack's rate limits: a budget per channel
// (chat.postMessage), a budget per method, and the holds a 429 imposes on
// a channel or a method until its Retry-After has passed. Calls book their
// slot, now or later, so calls that must wait queue up in the order they
// asked rather than all trying again at the next free moment. Time is
// passed in, so tests need not wait. It is safe for concurrent use.
type limiter struct {
	mu           sync.Mutex
	channels     map[string]*cell
	methods      map[string]*cell
	channelHolds map[string]time.Time
	methodHolds  map[string]time.Time
}

func newLimiter() *limiter {
	return &limiter{
		channels:     map[string]*cell{},
		methods:      map[string]*cell{},
		channelHolds: map[string]time.Time{},
		methodHolds:  map[string]time.Time{},
	}
}

// book takes the first slot for a call of method to channel (empty for
// calls to no channel), no sooner than notBefore (at least now) nor a
// 429's hold, and reports it paid: the call may go then. A slot further
// ahead than the method's budget reaches (after a long Retry-After, say)
// would keep every other channel waiting until then: nothing is taken,
// and the slot returned is only when to ask again.
func (l *limiter) book(method, channel string, notBefore, now time.Time) (slot time.Time, paid bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	slot = latest(latest(notBefore, now), l.heldLocked(method, channel, now))
	m := l.methods[method]
	if m == nil {
		if r, ok := methodRates[method]; ok {
			m = &cell{rate: r}
			l.methods[method] = m
		}
	}
	var c *cell
	if channel != "" && method == methodPost {
		if c = l.channels[channel]; c == nil {
			c = &cell{rate: channelRate}
			l.channels[channel] = c
		}
	}
	for _, x := range []*cell{m, c} {
		if x != nil {
			slot = x.ready(slot)
		}
	}
	if m != nil && slot.After(latest(m.tat, now.Add(time.Duration(m.rate.burst-2)*m.rate.every))) {
		return slot, false
	}
	for _, x := range []*cell{m, c} {
		if x != nil {
			x.take(slot)
		}
	}
	return slot, true
}

// held returns until when a 429 holds back calls of method to channel:
// now when it does not.
func (l *limiter) held(method, channel string, now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.heldLocked(method, channel, now)
}

func (l *limiter) heldLocked(method, channel string, now time.Time) time.Time {
	t := latest(now, l.methodHolds[method])
	if channel != "" {
		t = latest(t, l.channelHolds[channel])
	}
	return t
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// holdChannel keeps calls to channel back until t.
func (l *limiter) holdChannel(channel string, t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.channelHolds[channel] = latest(l.channelHolds[channel], t)
}

// holdMethod keeps calls of method back until t.
func (l *limiter) holdMethod(method string, t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.methodHolds[method] = latest(l.methodHolds[method], t)
}

// prune forgets the channels whose budget is whole again at now and the
// holds that have ended, so the limiter does not keep every channel ever
// written to.
func (l *limiter) prune(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ch, c := range l.channels {
		if !c.tat.After(now) {
			delete(l.channels, ch)
		}
	}
	for ch, t := range l.channelHolds {
		if !t.After(now) {
			delete(l.channelHolds, ch)
		}
	}
	for m, t := range l.methodHolds {
		if !t.After(now) {
			delete(l.methodHolds, m)
		}
	}
}
