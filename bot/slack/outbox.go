package slack

import (
	"container/heap"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
)

// The outbox makes SendDM, Post and Update durable. With Config.Outbox
// set they render the message, queue it in the store and return at once;
// RunOutbox (or FlushOutbox, or Shutdown) delivers it.
//
// # Replies first
//
// Each queued message records its lane, bot.LaneFrom of the context it was
// queued with: a reply to what a person has just done, or a nudge, digest
// or reminder that a scheduled turn sent. A reply takes the next free slot
// of the workspace's budget however many nudges wait: a backlog of 10,000
// delays it by at most one slot. The lane decides between conversations
// only. Within one conversation messages go in the order they were queued,
// whatever their lane: a conversation that holds a reply sends the nudges
// queued before it first, at the reply's priority, then the reply.
//
// This holds with several processes draining one store, and across
// restarts, because the priority is kept in the store and the waiting in
// memory:
//
//   - A reply is stored claimable replyLead (a day) before the time it was
//     queued, a nudge at that time. storage.DueStore.Claim returns items in
//     the order they became claimable, so any process, after any restart,
//     claims the waiting replies before the nudges, whatever the backlog.
//   - A delivery pass claims everything due, outboxBatch at a time, up to
//     maxHeld messages, leased for as long as the budget needs to send what
//     the process then holds, and sends from memory: one thread per
//     conversation, one call at a time per thread, and the threads whose
//     next message may go ordered by lane, then by queue order. Waiting for
//     a slot, a channel's rate, a 429's Retry-After or a backoff costs no
//     store write, and a reply claimed behind 10,000 held nudges goes before
//     them. A backlog of 10,000 costs 100 claims.
//   - A message that cannot go before three quarters of its lease have
//     passed is given back, to be claimed afresh. So is everything held
//     when Shutdown has delivered what it could. A message given back is
//     claimable when it may next go, and never before the messages of its
//     conversation queued before it, so the next process to claim it keeps
//     the order. A process that dies leaves its messages to be claimed
//     again when their leases run out.
//
// # Delivery
//
// Messages go
//
//   - within Slack's rate limits (limiter.go): each channel's rate, and a
//     workspace budget per method (for chat.postMessage,
//     Config.MessagesPerMinute) that is cut by half after 429s (for
//     chat.postMessage, from two channels: one busy channel meets only its
//     own limit) and grows back after a quiet minute;
//   - after a 429, not before its Retry-After has passed, holding back the
//     channel (chat.postMessage) or the method (chat.update,
//     conversations.open);
//   - after a 5xx or a network error, again with exponential backoff and
//     jitter, giving up after maxDeliveryAttempts failed calls;
//   - never again after an error that retrying cannot mend (invalid_blocks,
//     channel_not_found, not_in_channel, …): it is dropped and logged.
//
// Delivery is at least once. The messages Slack took (and those dropped)
// are marked done together, in one store round trip
// (storage.DueStore.DoneAll): once settleBatch of them wait, once the first
// has waited settleEvery (a second, well inside any lease), and when the
// delivery pass ends, so before the process claims again. A message whose
// claim was lost meanwhile is left to whoever holds it; the others of the
// batch are marked all the same. A process that dies before marking them
// (or a store that fails to record it) leaves them to be claimed again when
// their leases run out, and they are sent again: at most settleBatch
// messages, taken by Slack within settleEvery before the crash; a
// conversation may then see its last few messages a second time, in
// order.
//
// Limits. A message held by a process that dies, a reply too, waits for
// its lease to run out (outboxLease or more). The budget is per process: several processes on one workspace
// together send up to that many times it, until Slack's 429s cut each
// one's share. SendDM to a user and Post to that user's DM channel are one
// conversation once the process knows the DM channel (after its first
// conversations.open for the user), two before.
//
// Several processes. Each message is stored in its conversation's group
// (storage.DueItem.Group), and each process's outbox is one holder: while
// a process holds messages of a conversation it has not settled, no other
// process claims that conversation's messages, so one conversation's
// messages are sent by one process at a time, in order, across timeouts,
// retries and replicas. A process that queued a message another process's
// conversation holds looks for it every groupRetry until it (or the
// holder) claims it. A process that dies gives its conversations up
// storage.GroupHold after its last claim. Past maxHeld messages held,
// the rest wait unclaimed in the store, where a reply may overtake an
// earlier nudge of its conversation.
const (
	// outboxBatch is how many messages one claim takes.
	outboxBatch = 100
	// maxHeld is how many messages a process holds at most. Past it, a
	// claim keeps only the replies and gives the nudges back.
	maxHeld = 20_000
	// replyLead is how much earlier than a nudge queued at the same time
	// a reply becomes claimable in the store.
	replyLead = 24 * time.Hour
	// outboxLease is the least lease of a claim; a claim when the process
	// holds many messages is leased for twice the time the budget needs
	// to send them as well, up to maxLease. It is short because what a
	// process that dies held but had not recorded as sent goes again once
	// its leases run out.
	outboxLease = 10 * time.Second
	maxLease    = time.Hour
	// outboxPoll is how often RunOutbox looks for messages it was not told
	// about: queued or given back by other processes, or left by one that
	// died.
	outboxPoll = 5 * time.Second
	// groupRetry is how often RunOutbox looks for the messages it queued
	// while another process holds their conversation (and so claims them
	// itself when it next looks, or gives the conversation up once it has
	// delivered what it holds); expectFor is how long it looks so.
	groupRetry = time.Second
	expectFor  = time.Minute
	// outboxSenders is how many calls are made at once, to different
	// conversations.
	outboxSenders = 8
	// maxDeliveryAttempts is how many failed calls (5xx, network errors) a
	// message gets: with the backoff below, about an hour of failures.
	maxDeliveryAttempts = 20
	minBackoff          = time.Second
	maxBackoff          = 5 * time.Minute
	// minRateLimitWait is the least wait after a 429.
	minRateLimitWait = time.Second
	// settleTimeout bounds recording an outcome in the store, which is
	// done even when the delivery's context has ended.
	settleTimeout = 10 * time.Second
	// settleBatch is how many messages delivered or dropped are marked done
	// together at most, and settleEvery how long (on the wall clock) the
	// first of them waits at most while the pass still has calls in
	// flight: what a crash may send twice.
	settleBatch = outboxBatch
	settleEvery = time.Second
	// drainWindow is how far ahead Shutdown waits for messages that must
	// wait.
	drainWindow = 5 * time.Second
)

// job is a message waiting in the outbox: the Data of its storage.DueItem.
type job struct {
	Method   string `json:"method"` // chat.postMessage or chat.update
	Channel  string `json:"channel,omitempty"`
	User     string `json:"user,omitempty"` // a DM's recipient, when Channel is empty
	TS       string `json:"ts,omitempty"`   // the message chat.update replaces
	ThreadTS string `json:"thread_ts,omitempty"`
	Text     string `json:"text"`
	// Blocks is the rendered Block Kit array.
	Blocks json.RawMessage `json:"blocks"`
	// Lane is "reply" or "nudge" (bot.Lane's String); a reply when
	// empty.
	Lane string `json:"lane,omitempty"`
	// Failures counts the failed calls so far (not 429s).
	Failures int `json:"failures,omitempty"`
	// Nudge names the scheduled item the message is, confirmed on Team
	// once Slack took it (see confirm.go).
	Nudge *conversation.Nudge `json:"nudge,omitempty"`
	Team  string              `json:"team,omitempty"`
}

// lane is the lane the job was queued in.
func (j job) lane() bot.Lane {
	if j.Lane == bot.LaneNudge.String() {
		return bot.LaneNudge
	}
	return bot.LaneReply
}

// conversation names the conversation the job writes to, for ordering:
// the channel, or "@USER" for a DM.
func (j job) conversation() string {
	if j.Channel != "" {
		return j.Channel
	}
	return "@" + j.User
}

// blocks decodes the job's blocks and checks that it can be sent.
func (j job) blocks() ([]slackapi.Block, error) {
	switch {
	case j.Method != methodPost && j.Method != methodUpdate:
		return nil, fmt.Errorf("unknown method %q", j.Method)
	case j.Channel == "" && (j.User == "" || j.Method == methodUpdate):
		return nil, errors.New("no channel or user")
	case j.Method == methodUpdate && j.TS == "":
		return nil, errors.New("no message to update")
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(j.Blocks, &raw); err != nil {
		return nil, fmt.Errorf("blocks: %w", err)
	}
	out := make([]slackapi.Block, len(raw))
	for i, b := range raw {
		out[i] = rawBlock(b)
	}
	return out, nil
}

// rawBlock is a Block Kit block rendered already; it is sent as it is.
type rawBlock json.RawMessage

func (b rawBlock) BlockType() slackapi.MessageBlockType { return "" }
func (b rawBlock) ID() string                           { return "" }
func (b rawBlock) MarshalJSON() ([]byte, error)         { return b, nil }

type outbox struct {
	// senders is how many calls are made at once (outboxSenders).
	senders int
	a       *Adapter
	store   storage.DueStore
	now     func() time.Time
	lim     *limiter
	log     *slog.Logger
	wake    chan struct{}

	// passMu is held by one delivery pass at a time, which owns q and
	// toSettle.
	passMu   sync.Mutex
	q        *lanes
	inflight int
	results  chan result
	// toSettle are the claims of the messages delivered or dropped that
	// are not yet marked done: settle marks them, at the latest when the
	// pass ends. settleBy is when the first of them came plus settleEvery
	// (a field, so tests may shorten it).
	toSettle    []storage.Claim
	settleBy    time.Time
	settleEvery time.Duration

	idMu   sync.Mutex
	lastID int64
	idTag  string
	// expected are the messages this process queued and has not claimed
	// yet, by id, with when they were queued (on the wall clock): while
	// another process holds their conversation, RunOutbox looks for them
	// every groupRetry rather than every outboxPoll.
	expected map[string]time.Time

	// sleep waits d or until ctx ends; tests move their clock instead.
	sleep func(ctx context.Context, d time.Duration) error

	running  atomic.Bool
	stopOnce sync.Once
	stop     chan struct{}
	stopped  chan struct{} // closed when RunOutbox returns
}

func newOutbox(a *Adapter, store storage.DueStore, now func() time.Time, perMinute int) *outbox {
	if now == nil {
		now = time.Now
	}
	return &outbox{
		a:           a,
		store:       store,
		now:         now,
		lim:         newLimiterFor(perMinute),
		log:         a.log.With("part", "outbox"),
		wake:        make(chan struct{}, 1),
		q:           newLanes(),
		results:     make(chan result, outboxSenders),
		senders:     outboxSenders,
		settleEvery: settleEvery,
		idTag:       rand.Text()[:8],
		expected:    map[string]time.Time{},
		stop:        make(chan struct{}),
		stopped:     make(chan struct{}),
		sleep:       sleep,
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// newID returns a unique id that sorts in the order ids were made, in this
// process and, as long as the wall clock does not step back, across
// restarts.
func (o *outbox) newID() string {
	o.idMu.Lock()
	defer o.idMu.Unlock()
	o.lastID = max(o.lastID+1, time.Now().UnixNano())
	return fmt.Sprintf("%019d-%s", o.lastID, o.idTag)
}

// queue renders m into j and puts it in the outbox, due now, in the lane
// ctx carries.
func (a *Adapter) queue(ctx context.Context, j job, m message.Message) error {
	j, err := a.encode(ctx, j, m)
	if err != nil {
		return err
	}
	return a.out.enqueue(ctx, j)
}

func (o *outbox) enqueue(ctx context.Context, j job) error {
	it, err := o.item(j)
	if err != nil {
		return err
	}
	if err := o.store.Schedule(ctx, it); err != nil {
		return fmt.Errorf("slack: queue %s to %s: %w", j.Method, j.conversation(), err)
	}
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return nil
}

// item is j as the store keeps it, queued now: a reply is claimable
// replyLead before a nudge queued at the same time.
func (o *outbox) item(j job) (storage.DueItem, error) {
	if _, err := j.blocks(); err != nil {
		return storage.DueItem{}, fmt.Errorf("slack: queue %s: %w", j.Method, err)
	}
	data, err := json.Marshal(j)
	if err != nil {
		return storage.DueItem{}, fmt.Errorf("slack: queue %s: %w", j.Method, err)
	}
	at := o.now()
	if j.lane() == bot.LaneReply {
		at = at.Add(-replyLead)
	}
	id := o.newID()
	o.idMu.Lock()
	o.expected[id] = time.Now()
	o.idMu.Unlock()
	return storage.DueItem{ID: id, At: at, Data: data, Group: j.conversation()}, nil
}

// waitingElsewhere reports whether a message this process queued within
// expectFor is still unclaimed (most often because another process holds
// its conversation), forgetting older ones: the turn that queued them may
// have failed to save them.
func (o *outbox) waitingElsewhere() bool {
	o.idMu.Lock()
	defer o.idMu.Unlock()
	for id, at := range o.expected {
		if time.Since(at) > expectFor {
			delete(o.expected, id)
		}
	}
	return len(o.expected) > 0
}

// claimed forgets that id is expected.
func (o *outbox) claimed(id string) {
	o.idMu.Lock()
	delete(o.expected, id)
	o.idMu.Unlock()
}

// RunOutbox delivers queued messages until ctx ends or Shutdown is called:
// at once when one is queued, when one waiting may go, and every few
// seconds for those queued or given back by other processes, or left by
// one that died. Call it once, on a goroutine of its own, when
// Config.Outbox is set.
func (a *Adapter) RunOutbox(ctx context.Context) error {
	o := a.out
	if o == nil {
		return errors.New("slack: no outbox configured")
	}
	if !o.running.CompareAndSwap(false, true) {
		return errors.New("slack: the outbox is delivering already")
	}
	defer close(o.stopped)
	var polled time.Time
	claim := true
	for {
		select {
		case <-o.stop:
			return nil
		default:
		}
		if _, err := o.flush(ctx, claim); err != nil && ctx.Err() == nil {
			o.log.Error("delivering queued messages", "err", err)
		}
		if claim {
			polled = time.Now()
		}
		now := o.now()
		wait := outboxPoll - time.Since(polled)
		elsewhere := o.waitingElsewhere()
		if elsewhere {
			wait = min(wait, groupRetry-time.Since(polled))
		}
		if next, due := o.nextPending(now); due {
			wait = 0
		} else if !next.IsZero() {
			wait = min(wait, next.Sub(now))
		}
		timer := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-o.stop:
			timer.Stop()
			return nil
		case <-o.wake:
			timer.Stop()
			claim = true
		case <-timer.C:
			claim = time.Since(polled) >= outboxPoll || elsewhere || o.claimDue(o.now())
		}
	}
}

// FlushOutbox claims the queued messages that are due now and delivers
// what the rate limits let go now, and returns how many it delivered. The
// rest wait for a later flush or RunOutbox. Without an outbox it does
// nothing.
func (a *Adapter) FlushOutbox(ctx context.Context) (int, error) {
	if a.out == nil {
		return 0, nil
	}
	return a.out.flush(ctx, true)
}

// shutdown stops RunOutbox and delivers what may go now, and what may go
// within drainWindow (most often held back by a rate limit for a second or
// two), so the answers to the last turns go out before the bot stops. It
// gives the rest back to the store for the next start.
func (o *outbox) shutdown(ctx context.Context) error {
	o.stopOnce.Do(func() { close(o.stop) })
	if o.running.Load() {
		select {
		case <-o.stopped:
		case <-ctx.Done():
			return fmt.Errorf("slack: stop the outbox: %w", ctx.Err())
		}
	}
	defer o.giveBackAll(ctx)
	deadline := time.Now().Add(drainWindow)
	for idle := 0; idle < 3; {
		n, err := o.flush(ctx, true)
		if err != nil {
			return fmt.Errorf("slack: deliver queued messages before stopping: %w", err)
		}
		now := o.now()
		next, due := o.nextPending(now)
		if due {
			if n == 0 {
				idle++ // due, yet nothing went: do not spin
			}
			continue
		}
		if next.IsZero() || next.Sub(now) > time.Until(deadline) {
			return nil
		}
		if err := o.sleep(ctx, next.Sub(now)); err != nil {
			return fmt.Errorf("slack: deliver queued messages before stopping: %w", err)
		}
		if !o.now().After(now) {
			return nil // a clock that stands still: waiting cannot help
		}
	}
	return nil
}

// flush renews and claims (when claim is set), then sends what may go now,
// and waits for the calls it made. It marks what it delivered or dropped
// done as it goes (settleBatch at a time, or settleEvery after the first)
// and before it returns.
func (o *outbox) flush(ctx context.Context, claim bool) (int, error) {
	o.passMu.Lock()
	defer o.passMu.Unlock()
	defer o.settle(ctx)
	var err error
	if claim {
		o.renew(ctx, o.now())
		err = o.claim(ctx)
	}
	sent := 0
	for {
		if ctx.Err() == nil {
			o.dispatch(ctx)
		}
		if o.inflight == 0 {
			break
		}
		var settleDue <-chan time.Time
		if len(o.toSettle) > 0 {
			settleDue = time.After(time.Until(o.settleBy))
		}
		select {
		case r := <-o.results:
			sent += o.finish(ctx, r)
			if len(o.toSettle) > 0 && !time.Now().Before(o.settleBy) {
				o.settle(ctx)
			}
		case <-settleDue:
			o.settle(ctx)
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	return sent, err
}

// claimDue reports whether a claim is needed now: a message given back
// comes due, or a lease must be renewed.
func (o *outbox) claimDue(now time.Time) bool {
	o.passMu.Lock()
	defer o.passMu.Unlock()
	return o.q.claimDue(now)
}

// nextPending returns when something held may go, a message given back
// comes due, or a lease must be renewed; due reports that this is now.
func (o *outbox) nextPending(now time.Time) (next time.Time, due bool) {
	o.passMu.Lock()
	defer o.passMu.Unlock()
	next = o.q.next(func(method string) time.Time { return o.lim.methodWait(method, now) })
	return next, !next.IsZero() && !next.After(now)
}

// claim claims what is due, batch after batch, until the store has no
// more or the process holds maxHeld messages.
func (o *outbox) claim(ctx context.Context) error {
	now := o.now()
	o.lim.prune(now)
	o.pruneBatches()
	for {
		full := len(o.q.byID) >= maxHeld
		lease := o.leaseFor(len(o.q.byID)+outboxBatch, now)
		claims, err := o.store.Claim(ctx, now, outboxBatch, lease)
		if err != nil {
			return fmt.Errorf("slack: outbox: %w", err)
		}
		if len(claims) > 0 {
			b := &leaseBatch{renew: claims[0].Until.Add(-lease / 4)}
			for _, c := range claims {
				o.hold(ctx, c, b, full, now)
			}
			if b.left > 0 {
				o.q.batches = append(o.q.batches, b)
			}
		}
		if len(claims) < outboxBatch || full {
			break
		}
	}
	o.q.forgetPutOff(now)
	return nil
}

// leaseFor is the lease for a claim when the process will hold n
// messages: outboxLease, plus twice the time the chat.postMessage budget
// needs to send n, up to maxLease.
func (o *outbox) leaseFor(n int, now time.Time) time.Duration {
	r := o.lim.rateOf(methodPost, now)
	return min(outboxLease+2*time.Duration(n)*r.every, maxLease)
}

// hold takes a claimed message into its conversation's thread. An
// unreadable one is dropped; past maxHeld (full), a nudge is given back.
func (o *outbox) hold(ctx context.Context, c storage.Claim, b *leaseBatch, full bool, now time.Time) {
	var j job
	err := json.Unmarshal(c.Item.Data, &j)
	if err == nil {
		_, err = j.blocks()
	}
	if err != nil {
		o.log.Error("dropping an unreadable queued message", "id", c.Item.ID, "err", err)
		o.done(ctx, c)
		return
	}
	id := c.Item.ID
	o.claimed(id)
	o.q.dropPutOff(id)
	if h := o.q.byID[id]; h != nil {
		// Claimed again while held: its lease ran out before it was
		// renewed. The new claim is the one that holds.
		h.batch.left--
		h.claim, h.batch = c, b
		b.left++
		return
	}
	h := &held{claim: c, job: j, lane: j.lane(), batch: b}
	if full && h.lane == bot.LaneNudge {
		o.release(ctx, h, c.Item.At)
		return
	}
	key := o.key(j)
	t := o.q.threads[key]
	if t == nil {
		t = &thread{key: key, index: -1}
		o.q.threads[key] = t
	}
	t.add(h)
	o.q.byID[id] = h
	b.left++
	o.place(t, now)
}

// key names the conversation a job writes to: its channel, the user's DM
// channel when known, or "@USER".
func (o *outbox) key(j job) string {
	if j.Channel == "" {
		if ch := o.a.knownIM(j.User); ch != "" {
			return ch
		}
	}
	return j.conversation()
}

// next is the call h's job makes next, and to which channel: to a user
// whose DM channel is not known yet, conversations.open.
func (o *outbox) next(h *held) (method, channel string) {
	channel = h.job.Channel
	if channel == "" {
		if channel = o.a.knownIM(h.job.User); channel == "" {
			return methodOpen, ""
		}
	}
	return h.job.Method, channel
}

// place files thread t by what its first message waits for: nothing but
// its method's budget (ready), or a time (waiting). A busy or empty thread
// waits nowhere; an empty one is forgotten.
func (o *outbox) place(t *thread, now time.Time) {
	switch {
	case len(t.jobs) == 0:
		o.q.unplace(t)
		if o.q.threads[t.key] == t {
			delete(o.q.threads, t.key)
		}
		return
	case t.busy:
		o.q.unplace(t)
		return
	}
	h := t.jobs[0]
	method, channel := o.next(h)
	at := latest(h.after, o.q.putOffBefore(t.key, h.id(), now))
	at = latest(at, o.lim.channelWait(method, channel, now))
	if at.After(now) {
		o.q.wait(t, at)
		return
	}
	o.q.readyFor(t, method)
}

// dispatch starts calls, best lane first, while the budgets let them go
// now and fewer than outboxSenders are in flight.
func (o *outbox) dispatch(ctx context.Context) {
	now := o.now()
	for t := o.q.waiting.top(); t != nil && !t.at.After(now); t = o.q.waiting.top() {
		heap.Pop(o.q.waiting)
		o.place(t, now)
	}
	for o.inflight < o.senders {
		var best *thread
		for method, q := range o.q.ready {
			t := q.top()
			if t == nil || o.lim.methodWait(method, now).After(now) {
				continue
			}
			if best == nil || ranksBefore(t, best) {
				best = t
			}
		}
		if best == nil {
			return
		}
		h := best.jobs[0]
		method, channel := o.next(h)
		if method != best.method {
			o.place(best, now) // its DM channel became known
			continue
		}
		if w := o.lim.channelWait(method, channel, now); w.After(now) {
			o.q.wait(best, w) // another conversation on the channel went first
			continue
		}
		o.q.unplace(best)
		best.busy = true
		o.lim.take(method, channel, now)
		o.start(ctx, best, h, method, channel, now)
	}
}

// result is how a call went.
type result struct {
	t       *thread
	h       *held
	method  string
	channel string // for conversations.open, the DM channel opened
	started time.Time
	err     error
	// confirmErr is the failure of the turn that records a delivered
	// nudge as sent: the message is then left unsettled, delivered again
	// once its lease runs out, and confirmed then.
	confirmErr error
}

// start makes h's next call on a goroutine of its own, and returns once
// that goroutine runs, so that calls go out in the order they were
// started (a reply's before the nudges started after it) however quickly
// they return; finish handles how it went.
func (o *outbox) start(ctx context.Context, t *thread, h *held, method, channel string, now time.Time) {
	o.inflight++
	r := result{t: t, h: h, method: method, channel: channel, started: now}
	j := h.job
	running := make(chan struct{})
	defer func() { <-running }()
	go func() {
		close(running)
		if method == methodOpen {
			r.channel, r.err = o.openDM(ctx, j.User)
		} else if r.err = o.call(ctx, channel, j); r.err == nil {
			sctx, cancel := settleContext(ctx)
			r.confirmErr = o.a.confirm(sctx, j)
			cancel()
		}
		o.results <- r
	}()
}

// finish records how a call went, and files its thread again.
func (o *outbox) finish(ctx context.Context, r result) (sent int) {
	o.inflight--
	t, h := r.t, r.h
	t.busy = false
	now := o.now()
	switch {
	case r.err == nil && r.method == methodOpen:
		t = o.rekey(t, r.channel)
	case r.err == nil:
		sent = 1
		if r.confirmErr == nil {
			o.done(ctx, h.claim)
		} else {
			o.settled(o.log.With("id", h.id()), "confirm delivery", r.confirmErr)
		}
		o.drop(h)
	default:
		o.failed(ctx, h, r, now)
	}
	o.place(t, now)
	return sent
}

// rekey files the thread of a DM addressed by user under the DM channel
// just opened, with the messages already filed there, in queue order.
func (o *outbox) rekey(t *thread, channel string) *thread {
	if t.key == channel {
		return t
	}
	o.q.unplace(t)
	delete(o.q.threads, t.key)
	o.q.rekeyPutOff(t.key, channel)
	into := o.q.threads[channel]
	if into == nil {
		t.key = channel
		o.q.threads[channel] = t
		return t
	}
	for _, h := range t.jobs {
		into.add(h)
	}
	return into
}

// drop forgets a message delivered or dropped.
func (o *outbox) drop(h *held) {
	h.thread.remove(h)
	o.forget(h)
}

// forget stops holding h.
func (o *outbox) forget(h *held) {
	if o.q.byID[h.id()] == h {
		delete(o.q.byID, h.id())
		h.batch.left--
	}
}

// call makes the job's Web API call to channel.
func (o *outbox) call(ctx context.Context, channel string, j job) error {
	blocks, err := j.blocks()
	if err != nil {
		return fmt.Errorf("slack %s: %w", j.Method, err)
	}
	opts := []slackapi.MsgOption{slackapi.MsgOptionBlocks(blocks...), slackapi.MsgOptionText(j.Text, false)}
	if j.ThreadTS != "" {
		opts = append(opts, slackapi.MsgOptionTS(j.ThreadTS))
	}
	if j.Method == methodUpdate {
		_, _, _, err = o.a.api.UpdateMessageContext(ctx, channel, j.TS, opts...)
	} else {
		_, _, err = o.a.api.PostMessageContext(ctx, channel, opts...)
	}
	if err != nil {
		return fmt.Errorf("slack %s: %w", j.Method, err)
	}
	return nil
}

// openDM opens the user's DM channel and remembers it.
func (o *outbox) openDM(ctx context.Context, user string) (string, error) {
	c, _, _, err := o.a.api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		return "", fmt.Errorf("slack %s: %w", methodOpen, err)
	}
	if c == nil || c.ID == "" {
		return "", fmt.Errorf("slack %s: no channel in the answer", methodOpen)
	}
	o.a.rememberIM(user, c.ID)
	return c.ID, nil
}

// outcome is what a failed call means for its message.
type outcome int

const (
	rateLimited outcome = iota // wait for Retry-After
	failed                     // 5xx, network: may work later
	refused                    // Slack will not take it, however often asked
)

// transientErrors are Slack error codes that may clear up: Slack's own
// trouble, or a token an operator can fix.
var transientErrors = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true,
	"request_timeout": true, "team_added_to_org": true,
	"invalid_auth": true, "not_authed": true, "account_inactive": true,
	"token_revoked": true, "token_expired": true,
}

// classify says what err means for the message, and the Retry-After of a
// 429.
func classify(err error) (outcome, time.Duration) {
	var limited *slackapi.RateLimitedError
	if errors.As(err, &limited) {
		return rateLimited, limited.RetryAfter
	}
	var status slackapi.StatusCodeError
	if errors.As(err, &status) {
		switch {
		case status.Code == http.StatusTooManyRequests:
			return rateLimited, 0
		case status.Code >= 500 || status.Code == http.StatusRequestTimeout:
			return failed, 0
		}
		return refused, 0
	}
	var slackErr slackapi.SlackErrorResponse
	if errors.As(err, &slackErr) {
		switch {
		case slackErr.Err == "ratelimited":
			return rateLimited, 0
		case transientErrors[slackErr.Err]:
			return failed, 0
		}
		return refused, 0
	}
	return failed, 0 // network and other errors
}

// failed handles a failed call r for message h: it waits for a 429's
// Retry-After or a backoff, or is dropped.
func (o *outbox) failed(ctx context.Context, h *held, r result, now time.Time) {
	log := o.log.With("id", h.id(), "method", r.method, "conversation", h.job.conversation())
	kind, retryAfter := classify(r.err)
	switch {
	case kind == rateLimited:
		h.after = o.lim.limited(r.method, r.channel, r.started, now, retryAfter)
		log.Warn("rate limited", "retry_after", retryAfter)
		return
	case kind == refused:
		log.Error("dropping a message Slack refused", "err", r.err)
		o.done(ctx, h.claim)
		o.drop(h)
		return
	case ctx.Err() != nil:
		// Stopping: the call was cut short, which is no fault of the
		// message. It goes first when delivery resumes.
		return
	}
	n := h.job.Failures + 1
	if n >= maxDeliveryAttempts {
		log.Error("giving up a message after repeated failures", "attempts", n, "err", r.err)
		o.done(ctx, h.claim)
		o.drop(h)
		return
	}
	h.job.Failures, h.changed = n, true
	h.after = o.later(now.Add(backoff(n)))
	log.Warn("delivery failed, will retry", "attempt", n, "at", h.after, "err", r.err)
}

// backoff is how long a message waits after its nth failed call: a second,
// doubling up to five minutes, plus up to a quarter more at random.
func backoff(n int) time.Duration {
	d := maxBackoff
	if n >= 1 && n <= 9 {
		d = min(minBackoff<<(n-1), maxBackoff)
	} else if n < 1 {
		d = minBackoff
	}
	return d + mrand.N(d/4)
}

// renew gives back the messages whose lease is three quarters gone at now,
// with the rest of their conversations, to be claimed afresh.
func (o *outbox) renew(ctx context.Context, now time.Time) {
	if !o.q.renewDue(now) {
		return
	}
	var threads []*thread
	for _, t := range o.q.threads {
		for _, h := range t.jobs {
			if !h.batch.renew.After(now) {
				threads = append(threads, t)
				break
			}
		}
	}
	for _, t := range threads {
		from := 0
		for i, h := range t.jobs {
			if !h.batch.renew.After(now) {
				from = i
				break
			}
		}
		o.giveBack(ctx, t, from, now)
	}
	o.pruneBatches()
}

// giveBackAll gives back every message held, for the next process to
// claim.
func (o *outbox) giveBackAll(ctx context.Context) {
	o.passMu.Lock()
	defer o.passMu.Unlock()
	now := o.now()
	for _, t := range o.q.threads {
		o.giveBack(ctx, t, 0, now)
	}
	o.pruneBatches()
}

// giveBack gives back thread t's messages from index from on (not one in
// flight). Each is claimable when it may next go, its own claimable time
// at the earliest (so a reply keeps its lead), and no earlier than the
// messages of its conversation queued before it, so whoever claims them
// keeps their order.
func (o *outbox) giveBack(ctx context.Context, t *thread, from int, now time.Time) {
	if t.busy && from == 0 {
		from = 1
	}
	if from >= len(t.jobs) {
		return
	}
	prev := o.q.putOffBefore(t.key, t.jobs[from].id(), now)
	for _, h := range t.jobs[from:] {
		at := latest(h.claim.Item.At, latest(h.after, prev))
		if h.changed {
			// The failure count is written after the release: nobody
			// may claim the message in between.
			at = latest(at, now.Add(minBackoff))
		}
		prev = at
		o.release(ctx, h, at)
		o.forget(h)
	}
	t.jobs = t.jobs[:from]
	t.replies = 0
	for _, h := range t.jobs {
		if h.lane == bot.LaneReply {
			t.replies++
		}
	}
	o.place(t, now)
}

// release gives h's claim back to the store, claimable from at, and
// records it as put off; a failure count is written with it. The caller
// stops holding h.
func (o *outbox) release(ctx context.Context, h *held, at time.Time) {
	at = o.later(at)
	log := o.log.With("id", h.id())
	sctx, cancel := settleContext(ctx)
	defer cancel()
	if o.settled(log, "give back", o.store.Release(sctx, h.claim, at)) {
		if h.changed {
			data, err := json.Marshal(h.job)
			if err == nil {
				err = o.store.Schedule(sctx, storage.DueItem{ID: h.id(), At: at, Data: data, Group: h.claim.Item.Group})
			}
			if err != nil {
				log.Error("cannot count a failed delivery", "err", err)
			}
		}
		if at.After(o.now()) {
			o.q.addPutOff(o.key(h.job), h.id(), at)
		}
	}
}

// pruneBatches forgets the lease batches with nothing left held.
func (o *outbox) pruneBatches() {
	kept := o.q.batches[:0]
	for _, b := range o.q.batches {
		if b.left > 0 {
			kept = append(kept, b)
		}
	}
	clear(o.q.batches[len(kept):])
	o.q.batches = kept
}

// done has a message delivered or dropped removed from the store, with
// the others of its batch: at once when the batch is full, else by the
// pass (see settle).
func (o *outbox) done(ctx context.Context, c storage.Claim) {
	if len(o.toSettle) == 0 {
		o.settleBy = time.Now().Add(o.settleEvery)
	}
	o.toSettle = append(o.toSettle, c)
	if len(o.toSettle) >= settleBatch {
		o.settle(ctx)
	}
}

// settle removes the messages delivered or dropped so far from the store,
// in one round trip.
func (o *outbox) settle(ctx context.Context) {
	claims := o.toSettle
	if len(claims) == 0 {
		return
	}
	defer func() {
		clear(claims)
		o.toSettle = claims[:0]
	}()
	sctx, cancel := settleContext(ctx)
	defer cancel()
	res, err := o.store.DoneAll(sctx, claims...)
	if err != nil {
		o.log.Error("cannot mark queued messages done", "messages", len(claims), "err", err)
		return
	}
	for i, err := range res {
		if err != nil {
			o.settled(o.log.With("id", claims[i].Item.ID), "mark done", err)
		}
	}
}

// settled logs a failure to record an outcome and reports success. A
// message whose outcome is not recorded is claimed again when its lease
// runs out: a message delivered may then go twice.
func (o *outbox) settled(log *slog.Logger, what string, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, storage.ErrLeaseLost):
		log.Warn("queued message taken over by another delivery", "op", what)
	default:
		log.Error("cannot "+what+" a queued message", "err", err)
	}
	return false
}

func settleContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
}

// later rounds t up to a whole millisecond (the store keeps
// milliseconds).
func (o *outbox) later(t time.Time) time.Time {
	if r := t.Truncate(time.Millisecond); !r.Equal(t) {
		t = r.Add(time.Millisecond)
	}
	return t
}

// knownIM returns the user's DM channel if it was opened already.
func (a *Adapter) knownIM(user string) string {
	a.imMu.Lock()
	e := a.ims[user]
	a.imMu.Unlock()
	if e == nil {
		return ""
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.channel
}

// rememberIM records the user's DM channel.
func (a *Adapter) rememberIM(user, channel string) {
	a.imMu.Lock()
	e := a.ims[user]
	if e == nil {
		e = &imEntry{}
		a.ims[user] = e
	}
	a.imMu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.channel = channel
}
