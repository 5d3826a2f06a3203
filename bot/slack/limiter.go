package slack

import (
	"sync"
	"time"

	"github.com/learnpact/learnpact/bot/outbox"
)

// rate is a limit of one call every `every`, with bursts of up to burst
// calls after a quiet spell. A zero every is no limit.
type rate struct {
	every time.Duration
	burst int
}

// DefaultMessagesPerMinute is the workspace budget for chat.postMessage
// when Config.MessagesPerMinute is not set.
//
// Slack documents chat.postMessage as allowing "1 message per second to a
// specific channel" with short bursts, and, across the workspace, "several
// hundred messages per minute" with "generous burst behavior"; it does not
// publish the workspace figure. 600 a minute is the middle of "several
// hundred". Going over costs only a 429: the budget then halves to 300, the
// low end of the range, and grows back after a quiet minute, so the outbox
// settles near whatever the workspace really allows without an operator
// having to find out.
const DefaultMessagesPerMinute = 600

// NoBudget, as Config.MessagesPerMinute, imposes no workspace budget of the
// bot's own: the outbox keeps each channel's rate and otherwise relies on
// Slack's 429s and their Retry-After.
const NoBudget = -1

// Slack's published limits for the other calls the outbox makes, and for
// each channel. chat.update and conversations.open are Tier 3, "50+ per
// minute" per workspace, with sporadic bursts welcome; chat.postMessage
// takes about one message a second per channel, with short bursts.
var (
	channelRate = rate{every: time.Second, burst: 3}
	tier3Rate   = rate{every: 1200 * time.Millisecond, burst: 10}
	// methodRates are the workspace budgets with the default
	// chat.postMessage budget.
	methodRates = methodRatesFor(DefaultMessagesPerMinute)
)

const (
	methodPost   = "chat.postMessage"
	methodUpdate = "chat.update"
	methodOpen   = "conversations.open"
)

// postRate is a chat.postMessage budget of perMinute messages a minute,
// with a burst of five seconds' worth (at least the channel's).
func postRate(perMinute int) rate {
	return rate{every: max(time.Minute/time.Duration(perMinute), time.Millisecond), burst: max(perMinute/12, channelRate.burst)}
}

// methodRatesFor returns the workspace budgets for a chat.postMessage
// budget of perMinute (NoBudget: none at all, not even Tier 3's).
func methodRatesFor(perMinute int) map[string]rate {
	if perMinute == NoBudget {
		return map[string]rate{methodPost: {}, methodUpdate: {}, methodOpen: {}}
	}
	if perMinute <= 0 {
		perMinute = DefaultMessagesPerMinute
	}
	return map[string]rate{methodPost: postRate(perMinute), methodUpdate: tier3Rate, methodOpen: tier3Rate}
}

// After a 429 the workspace budget of the method is cut, and grows back
// once Slack has been quiet for a while.
const (
	// quietSpell is how long after the last 429 the budget starts to grow
	// back.
	quietSpell = time.Minute
	// recoveryStep is how often it then grows, by a quarter, until it is
	// whole again.
	recoveryStep = 15 * time.Second
	// deepestCut bounds the cuts: at worst an eighth of the budget (or,
	// with none, of the rate that drew the first 429).
	deepestCut = 8
	// callWindow is how far back calls are counted to learn the rate that
	// drew a 429 when there is no budget.
	callWindow = time.Minute
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

// take counts a call made at t.
func (c *cell) take(t time.Time) {
	if c.tat.Before(t) {
		c.tat = t
	}
	c.tat = c.tat.Add(c.rate.every)
}

// budget is a method's workspace budget: the rate configured, and the rate
// in force, slower after a 429.
type budget struct {
	cell
	base rate // configured; a zero every is no budget
	// cut is when the budget was last cut; calls started before it do not
	// cut it again.
	cut time.Time
	// grow is when it next grows back, while it is cut.
	grow time.Time
	// drew is the rate that drew the first 429 when there is no budget:
	// once the budget is back to it, there is none again.
	drew time.Duration
	// limitedChannel and limitedAt are the channel of the last 429 to a
	// chat.postMessage call, and when it came.
	limitedChannel string
	limitedAt      time.Time
	// calls counts the calls of the last callWindow, a second a bucket,
	// to learn the rate that drew a 429 when there is no budget.
	calls     [60]int
	callsFrom time.Time // the second of calls[0]
}

// shift moves the call counts on to the second of now.
func (b *budget) shift(now time.Time) {
	sec := now.Truncate(time.Second)
	n := int(sec.Sub(b.callsFrom) / time.Second)
	if n <= 0 {
		return
	}
	if n >= len(b.calls) {
		b.calls = [60]int{}
	} else {
		copy(b.calls[:], b.calls[n:])
		clear(b.calls[len(b.calls)-n:])
	}
	b.callsFrom = sec
}

// count records a call at now.
func (b *budget) count(now time.Time) {
	b.shift(now)
	b.calls[len(b.calls)-1]++
}

// recent is how many calls were made in the last callWindow.
func (b *budget) recent(now time.Time) int {
	b.shift(now)
	n := 0
	for _, c := range b.calls {
		n += c
	}
	return n
}

// backOff cuts the budget after a 429 at now to a call made at started:
// to half the rate in force, or with no budget to half the rate of the
// last minute. A 429 to a call made before the
// last cut does not cut it again: that call went at the old rate.
func (b *budget) backOff(started, now time.Time) {
	if started.Before(b.cut) {
		return
	}
	if b.rate.limited() {
		slowest := deepestCut * b.base.every
		if !b.base.limited() {
			slowest = deepestCut * b.drew
		}
		b.rate.every = max(b.rate.every, min(2*b.rate.every, slowest))
	} else {
		n := max(b.recent(now), 2)
		b.drew = callWindow / time.Duration(n)
		b.rate = rate{every: 2 * b.drew, burst: max(n/12, 1)}
		b.tat = now
	}
	b.cut, b.grow = now, now.Add(quietSpell)
}

// recover grows a cut budget back by a quarter every recoveryStep after a
// quiet spell, until it is whole again.
func (b *budget) recover(now time.Time) {
	for !b.grow.IsZero() && !now.Before(b.grow) {
		b.rate.every = b.rate.every * 4 / 5
		b.grow = b.grow.Add(recoveryStep)
		whole := b.base.every
		if !b.base.limited() {
			whole = b.drew
		}
		if b.rate.every <= whole {
			b.rate, b.grow = b.base, time.Time{}
		}
	}
}

// limited reports whether r limits anything.
func (r rate) limited() bool { return r.every > 0 }

// limiter keeps the outbox within Slack's rate limits: a budget per channel
// (chat.postMessage), a workspace budget per method that backs off after a
// 429 and recovers, and the holds a 429 imposes on a channel or a method
// until its Retry-After has passed. Time is passed in, so tests need not
// wait. It is safe for concurrent use.
type limiter struct {
	mu           sync.Mutex
	channels     map[string]*cell
	methods      map[string]*budget
	channelHolds map[string]time.Time
	methodHolds  map[string]time.Time
}

// newLimiterFor is a limiter with a chat.postMessage budget of perMinute
// messages a minute (NoBudget: no workspace budgets).
func newLimiterFor(perMinute int) *limiter {
	l := &limiter{
		channels:     map[string]*cell{},
		methods:      map[string]*budget{},
		channelHolds: map[string]time.Time{},
		methodHolds:  map[string]time.Time{},
	}
	for m, r := range methodRatesFor(perMinute) {
		l.methods[m] = &budget{cell: cell{rate: r}, base: r}
	}
	return l
}

// channelWait returns when the channel lets a call of method go: its rate
// (chat.postMessage) and a 429's hold on it.
func (l *limiter) channelWait(method, channel string, now time.Time) time.Time {
	if channel == "" {
		return now
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t := latest(now, l.channelHolds[channel])
	if c := l.channels[channel]; c != nil && method == methodPost {
		t = c.ready(t)
	}
	return t
}

// methodWait returns when the workspace lets a call of method go: its
// budget and a 429's hold on the method.
func (l *limiter) methodWait(method string, now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := latest(now, l.methodHolds[method])
	if b := l.methods[method]; b != nil {
		b.recover(now)
		if b.rate.limited() {
			t = b.ready(t)
		}
	}
	return t
}

// take counts a call of method to channel made at now.
func (l *limiter) take(method, channel string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.methods[method]; b != nil {
		b.count(now)
		if b.rate.limited() {
			b.take(now)
		}
	}
	if channel != "" && method == methodPost {
		c := l.channels[channel]
		if c == nil {
			c = &cell{rate: channelRate}
			l.channels[channel] = c
		}
		c.take(now)
	}
}

// limited records a 429 at now to a call of method to channel made at
// started: the channel (chat.postMessage) or the method is held until
// retryAfter has passed, and the method's workspace budget is cut. A
// chat.postMessage 429 cuts it only when another channel had one within
// quietSpell: one busy channel meets its own limit, not the workspace's.
// It returns until when the call must wait.
func (l *limiter) limited(method, channel string, started, now time.Time, retryAfter time.Duration) time.Time {
	until := now.Add(max(retryAfter, outbox.MinRateLimitWait))
	if method == methodPost && channel != "" {
		l.holdChannel(channel, until)
	} else {
		l.holdMethod(method, until)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.methods[method]
	switch {
	case b == nil:
	case method != methodPost || channel == "":
		b.backOff(started, now)
	default:
		if channel != b.limitedChannel && !b.limitedAt.IsZero() && now.Sub(b.limitedAt) <= quietSpell {
			b.backOff(started, now)
		}
		b.limitedChannel, b.limitedAt = channel, now
	}
	if b != nil && !b.grow.IsZero() {
		b.grow = latest(b.grow, now.Add(quietSpell)) // not quiet yet
	}
	return until
}

// rateOf returns the rate of method's workspace budget in force at now; a
// zero every is none.
func (l *limiter) rateOf(method string, now time.Time) rate {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.methods[method]
	if b == nil {
		return rate{}
	}
	b.recover(now)
	return b.rate
}

// The limiter is the drain's (outbox.Limiter).
var _ outbox.Limiter = (*limiter)(nil)

// ConversationReady implements outbox.Limiter.
func (l *limiter) ConversationReady(c outbox.Call, now time.Time) time.Time {
	return l.channelWait(c.Method, c.Channel, now)
}

// MethodReady implements outbox.Limiter.
func (l *limiter) MethodReady(method string, now time.Time) time.Time {
	return l.methodWait(method, now)
}

// Take implements outbox.Limiter.
func (l *limiter) Take(c outbox.Call, now time.Time) { l.take(c.Method, c.Channel, now) }

// Limited implements outbox.Limiter.
func (l *limiter) Limited(c outbox.Call, started, now time.Time, retryAfter time.Duration) time.Time {
	return l.limited(c.Method, c.Channel, started, now, retryAfter)
}

// Every implements outbox.Limiter: the chat.postMessage budget's
// interval.
func (l *limiter) Every(now time.Time) time.Duration { return l.rateOf(methodPost, now).every }

// Prune implements outbox.Limiter.
func (l *limiter) Prune(now time.Time) { l.prune(now) }

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
