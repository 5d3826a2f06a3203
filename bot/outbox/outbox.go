// Package outbox delivers the messages turns saved in a platform's outbox
// (storage.Stores.Outbox): one drain for every platform. A platform
// supplies what differs: a Sender that reads its stored messages and
// makes its calls, and a Limiter that keeps to its published rate
// limits. Everything else is here: claiming in batches, replies first,
// one call at a time per conversation, leases renewed and messages given
// back, retries after a 429 or a failure, the turns that record what a
// later turn needs (a nudge sent, a shared draft's post), and marking
// delivered messages done in batches.
//
// # Replies first
//
// Each queued message records its lane (Head.Lane, from bot.LaneFrom of
// the context it was queued with): a reply to what a person has just
// done, or a nudge, digest or reminder that a scheduled turn sent. A reply
// takes the next free slot of the platform's budget however many nudges
// wait: a backlog of 10,000 delays it by at most one slot. The lane
// decides between conversations only. Within one conversation messages go
// in the order they were queued, whatever their lane: a conversation that
// holds a reply sends the nudges queued before it first, at the reply's
// priority, then the reply.
//
// This holds with several processes draining one store, and across
// restarts, because the priority is kept in the store and the waiting in
// memory:
//
//   - A reply is stored claimable replyLead (a day) before the time it was
//     queued, a nudge at that time. storage.DueStore.Claim returns items in
//     the order they became claimable, so any process, after any restart,
//     claims the waiting replies before the nudges, whatever the backlog.
//   - Each message is stored in its conversation's group
//     (storage.DueItem.Group, Job.Conversation), and each drain's store is
//     one holder: while a process holds messages of a conversation it has
//     not settled, no other process claims that conversation's messages,
//     so one conversation's messages are sent by one process at a time, in
//     order, across timeouts, retries and replicas. A process that queued
//     a message whose conversation another process holds looks for it
//     every groupRetry until it (or the holder) claims it. Run claims at
//     least every poll, which keeps its conversations held; a process that
//     dies gives them up storage.GroupHold after its last claim.
//   - A delivery pass claims everything due, batchSize at a time, up to
//     maxHeld messages, leased for as long as the budget needs to send what
//     the process then holds, and sends from memory: one thread per
//     conversation, one call at a time per thread, and the threads whose
//     next message may go ordered by lane, then by queue order. Waiting for
//     a slot, a conversation's rate, a 429's Retry-After or a backoff costs
//     no store write, and a reply claimed behind 10,000 held nudges goes
//     before them. A backlog of 10,000 costs 100 claims.
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
// Messages go within the Limiter's budgets; after a 429 not before its
// Retry-After has passed (the Limiter holds back what the 429 was about,
// and may cut its budget); after a failure that may clear up, again with
// exponential backoff and jitter, giving up after Config.MaxAttempts
// failed calls; never again after an error that retrying cannot mend: it
// is dropped and logged. The Sender classifies each error.
//
// Delivery is at least once. A message the platform took that names a
// nudge or a shared draft is recorded first by a turn of its own, through
// Config.Handle (bot.Confirmation, bot.Posting): when that turn fails the
// message is left unsettled, delivered again once its lease runs out, and
// recorded then. The messages delivered (and those dropped) are marked
// done together, in one store round trip (storage.DueStore.DoneAll): once
// SettleBatch of them wait, once the first has waited settleEvery (a
// second, well inside any lease), and when the delivery pass ends, so
// before the process claims again. A message whose claim was lost
// meanwhile is left to whoever holds it; the others of the batch are
// marked all the same. A process that dies before marking them (or a
// store that fails to record it) leaves them to be claimed again when
// their leases run out, and they are sent again: at most SettleBatch
// messages, taken within settleEvery before the crash; a conversation may
// then see its last few messages a second time, in order.
//
// Limits. A message held by a process that dies, a reply too, waits for
// its lease to run out (minLease or more). The budget is per process:
// several processes on one workspace together send up to that many times
// it, until the platform's 429s cut each one's share. Past maxHeld
// messages held, the rest wait unclaimed in the store, where a reply may
// overtake an earlier nudge of its conversation.
package outbox

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/storage"
)

const (
	// batchSize is how many messages one claim takes.
	batchSize = 100
	// maxHeld is how many messages a process holds at most. Past it, a
	// claim keeps only the replies and gives the nudges back.
	maxHeld = 20_000
	// replyLead is how much earlier than a nudge queued at the same time
	// a reply becomes claimable in the store.
	replyLead = 24 * time.Hour
	// minLease is the least lease of a claim; a claim when the process
	// holds many messages is leased for twice the time the budget needs
	// to send them as well, up to maxLease. It is short because what a
	// process that dies held but had not recorded as sent goes again once
	// its leases run out.
	minLease = 10 * time.Second
	maxLease = time.Hour
	// poll is how often Run looks for messages it was not told about:
	// queued or given back by other processes, or left by one that died.
	poll = 5 * time.Second
	// groupRetry is how often Run looks for the messages this process
	// queued while another process holds their conversation (and so
	// claims them itself when it next looks, or gives the conversation up
	// once it has delivered what it holds); expectFor is how long it looks
	// so: the turn that queued them may have failed to save them.
	groupRetry = time.Second
	expectFor  = time.Minute
	// Senders is how many calls are made at once, to different
	// conversations, unless Config.Senders says otherwise.
	Senders = 8
	// DefaultMaxAttempts is how many failed calls a message gets unless
	// Config.MaxAttempts says otherwise: with the backoff below, about an
	// hour of failures.
	DefaultMaxAttempts = 20
	minBackoff         = time.Second
	maxBackoff         = 5 * time.Minute
	// MinRateLimitWait is the least wait after a 429.
	MinRateLimitWait = time.Second
	// settleTimeout bounds recording an outcome in the store, which is
	// done even when the delivery's context has ended.
	settleTimeout = 10 * time.Second
	// SettleBatch is how many messages delivered or dropped are marked
	// done together at most, and settleEvery how long (on the wall clock)
	// the first of them waits at most while the pass still has calls in
	// flight: what a crash may send twice.
	SettleBatch = batchSize
	settleEvery = time.Second
	// drainWindow is how far ahead Shutdown waits for messages that must
	// wait.
	drainWindow = 5 * time.Second
)

// Head is what every queued message carries besides what its platform
// needs to send it. A platform's stored message embeds it, so its fields
// sit at the top of the message's JSON.
type Head struct {
	// Lane is "reply" or "nudge" (bot.Lane's String); a reply when
	// empty.
	Lane string `json:"lane,omitempty"`
	// Failures counts the failed calls so far (not 429s).
	Failures int `json:"failures,omitempty"`
	// Nudge names the scheduled item the message is, confirmed on Team
	// once the platform took it (bot.Confirmation).
	Nudge *conversation.Nudge `json:"nudge,omitempty"`
	// Shared names the shared draft the message posts, whose post is
	// recorded on Team once the platform took it (bot.Posting).
	Shared *conversation.Shared `json:"shared,omitempty"`
	Team   string               `json:"team,omitempty"`
}

// lane is the lane the message was queued in.
func (h *Head) lane() bot.Lane {
	if h.Lane == bot.LaneNudge.String() {
		return bot.LaneNudge
	}
	return bot.LaneReply
}

// Job is a platform's queued message, as its Sender reads it from the
// store. It is stored as its JSON.
type Job interface {
	// Header is the message's head, which the drain reads and changes.
	Header() *Head
	// Conversation names the conversation the message writes to as it
	// was queued: the store's group of the message.
	Conversation() string
}

// Checked is a Job that tells whether it can be sent.
type Checked interface {
	Job
	Check() error
}

// Decode reads a stored message into j and checks it, for a Sender's
// Decode.
func Decode(data []byte, j Checked) (Job, error) {
	if err := json.Unmarshal(data, j); err != nil {
		return nil, err
	}
	if err := j.Check(); err != nil {
		return nil, err
	}
	return j, nil
}

// Call is the call a message makes next: the budget it spends (Method)
// and the conversation-level limit it spends (Channel, "" for none).
type Call struct {
	Method  string
	Channel string
}

// Outcome is what a failed call means for its message.
type Outcome int

const (
	// RateLimited: wait for the 429's Retry-After.
	RateLimited Outcome = iota
	// Retryable: may work later (a 5xx, a network error).
	Retryable
	// Permanent: the platform will not take it, however often asked.
	Permanent
)

// Sent is what a successful call did.
type Sent struct {
	// More reports a call that prepared the message (opening a person's
	// chat): it is not delivered yet, and Sender.Next names what follows.
	More bool
	// Ref is where the message went, for a later turn that needs it (a
	// shared draft's thread).
	Ref conversation.MessageRef
}

// Sender is what a platform supplies to deliver its messages.
type Sender interface {
	// Decode reads a stored message and checks that it can be sent.
	Decode(data []byte) (Job, error)
	// Key names the conversation j writes to, for its order and limits:
	// Conversation, or a better name for it the platform learnt since
	// (a person's chat once it is open).
	Key(ctx context.Context, j Job) string
	// Next is the call j makes next.
	Next(ctx context.Context, j Job) Call
	// Send makes call c for j.
	Send(ctx context.Context, j Job, c Call) (Sent, error)
	// Classify says what a failed call's error means, and a 429's
	// Retry-After.
	Classify(err error) (Outcome, time.Duration)
}

// Limiter keeps a platform's calls within its rate limits. Times are
// passed in. It is used by one delivery pass at a time.
type Limiter interface {
	// ConversationReady is when c may go as far as the limits of its
	// conversation (and holds after a 429) allow: now or later.
	ConversationReady(c Call, now time.Time) time.Time
	// MethodReady is when a call of method may go as far as its
	// platform-wide budget allows.
	MethodReady(method string, now time.Time) time.Time
	// Take counts call c made at now.
	Take(c Call, now time.Time)
	// Limited records a 429 at now to call c made at started, and
	// returns until when c must wait: at least MinRateLimitWait, and
	// retryAfter when the platform said.
	Limited(c Call, started, now time.Time, retryAfter time.Duration) time.Time
	// Every is the interval between two messages that the main budget
	// lets go at now (zero for no budget): leases are sized by it.
	Every(now time.Time) time.Duration
	// Prune forgets what no longer limits anything at now.
	Prune(now time.Time)
}

// Config is what a Drain is built from.
type Config struct {
	// Name is the platform's, for errors and logs ("slack").
	Name    string
	Store   storage.DueStore
	Sender  Sender
	Limiter Limiter
	// Platform and Handle run the turns that record a nudge sent or a
	// shared draft posted; Handle is the engine's.
	Platform bot.Platform
	Handle   func(context.Context, bot.Turn) error
	// Now is the clock of due times and rate limits; time.Now when nil.
	Now func() time.Time
	Log *slog.Logger
	// MaxAttempts bounds the failed calls of one message;
	// DefaultMaxAttempts when zero.
	MaxAttempts int
	// Senders is how many calls are made at once; Senders when zero.
	Senders int
	// SettleEvery is how long the first message delivered waits at most
	// to be marked done while calls are in flight; a second when zero.
	SettleEvery time.Duration
	// Sleep waits d or until ctx ends, for Shutdown; a timer when nil.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Drain delivers one platform's outbox.
type Drain struct {
	cfg     Config
	store   storage.DueStore
	send    Sender
	lim     Limiter
	now     func() time.Time
	log     *slog.Logger
	wake    chan struct{}
	senders int

	// passMu is held by one delivery pass at a time, which owns q,
	// inflight and toSettle.
	passMu   sync.Mutex
	q        *lanes
	inflight int
	results  chan result
	// toSettle are the claims of the messages delivered or dropped that
	// are not yet marked done: settle marks them, at the latest when the
	// pass ends. settleBy is when the first of them came plus
	// SettleEvery.
	toSettle []storage.Claim
	settleBy time.Time

	idMu   sync.Mutex
	lastID int64
	idTag  string
	// expected are the messages this process queued and has not claimed
	// yet, by id, with when they were queued (on the wall clock): while
	// another process holds their conversation, Run looks for them every
	// groupRetry rather than every poll.
	expected map[string]time.Time

	running  atomic.Bool
	stopOnce sync.Once
	stop     chan struct{}
	stopped  chan struct{} // closed when Run returns
}

// New checks cfg and returns a Drain.
func New(cfg Config) (*Drain, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("outbox: no store")
	case cfg.Sender == nil:
		return nil, errors.New("outbox: no sender")
	case cfg.Limiter == nil:
		return nil, errors.New("outbox: no limiter")
	case cfg.Handle == nil || cfg.Platform == nil:
		return nil, errors.New("outbox: no engine to record deliveries")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Senders <= 0 {
		cfg.Senders = Senders
	}
	if cfg.SettleEvery <= 0 {
		cfg.SettleEvery = settleEvery
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	return &Drain{
		cfg:      cfg,
		store:    cfg.Store,
		send:     cfg.Sender,
		lim:      cfg.Limiter,
		now:      cfg.Now,
		log:      cfg.Log.With("part", "outbox"),
		wake:     make(chan struct{}, 1),
		senders:  cfg.Senders,
		q:        newLanes(),
		results:  make(chan result, cfg.Senders),
		idTag:    rand.Text()[:8],
		expected: map[string]time.Time{},
		stop:     make(chan struct{}),
		stopped:  make(chan struct{}),
	}, nil
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
func (d *Drain) newID() string {
	d.idMu.Lock()
	defer d.idMu.Unlock()
	d.lastID = max(d.lastID+1, time.Now().UnixNano())
	return fmt.Sprintf("%019d-%s", d.lastID, d.idTag)
}

// Item is j as the store keeps it, queued now in its lane: a reply is
// claimable replyLead before a nudge queued at the same time. Its group
// is j's conversation. A Checked job that cannot be sent is refused.
func (d *Drain) Item(j Job) (storage.DueItem, error) {
	if c, ok := j.(Checked); ok {
		if err := c.Check(); err != nil {
			return storage.DueItem{}, fmt.Errorf("%s: queue: %w", d.cfg.Name, err)
		}
	}
	data, err := json.Marshal(j)
	if err != nil {
		return storage.DueItem{}, fmt.Errorf("%s: queue: %w", d.cfg.Name, err)
	}
	at := d.now()
	if j.Header().lane() == bot.LaneReply {
		at = at.Add(-replyLead)
	}
	id := d.newID()
	d.idMu.Lock()
	d.expected[id] = time.Now()
	d.idMu.Unlock()
	return storage.DueItem{ID: id, At: at, Data: data, Group: j.Conversation()}, nil
}

// waitingElsewhere reports whether a message this process queued within
// expectFor is still unclaimed (most often because another process holds
// its conversation), forgetting older ones.
func (d *Drain) waitingElsewhere() bool {
	d.idMu.Lock()
	defer d.idMu.Unlock()
	for id, at := range d.expected {
		if time.Since(at) > expectFor {
			delete(d.expected, id)
		}
	}
	return len(d.expected) > 0
}

// claimed forgets that id is expected.
func (d *Drain) claimed(id string) {
	d.idMu.Lock()
	delete(d.expected, id)
	d.idMu.Unlock()
}

// Enqueue puts j in the outbox, due now, and wakes the drain.
func (d *Drain) Enqueue(ctx context.Context, j Job) error {
	it, err := d.Item(j)
	if err != nil {
		return err
	}
	if err := d.store.Schedule(ctx, it); err != nil {
		return fmt.Errorf("%s: queue a message to %s: %w", d.cfg.Name, j.Conversation(), err)
	}
	d.Wake()
	return nil
}

// Wake tells the drain that messages were queued: it claims at once.
func (d *Drain) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers queued messages until ctx ends or Shutdown is called: at
// once when one is queued, when one waiting may go, and every few seconds
// for those queued or given back by other processes, or left by one that
// died. Call it once, on a goroutine of its own.
func (d *Drain) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return fmt.Errorf("%s: the outbox is delivering already", d.cfg.Name)
	}
	defer close(d.stopped)
	var polled time.Time
	claim := true
	for {
		select {
		case <-d.stop:
			return nil
		default:
		}
		if _, err := d.Step(ctx, claim); err != nil && ctx.Err() == nil {
			d.log.Error("delivering queued messages", "err", err)
		}
		if claim {
			polled = time.Now()
		}
		now := d.now()
		wait := poll - time.Since(polled)
		elsewhere := d.waitingElsewhere()
		if elsewhere {
			wait = min(wait, groupRetry-time.Since(polled))
		}
		if next, due := d.NextPending(now); due {
			wait = 0
		} else if !next.IsZero() {
			wait = min(wait, next.Sub(now))
		}
		timer := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-d.stop:
			timer.Stop()
			return nil
		case <-d.wake:
			timer.Stop()
			claim = true
		case <-timer.C:
			claim = time.Since(polled) >= poll || elsewhere || d.ClaimDue(d.now())
		}
	}
}

// woken reports, and takes, a wake that came since the last claim.
func (d *Drain) woken() bool {
	select {
	case <-d.wake:
		return true
	default:
		return false
	}
}

// Flush claims the queued messages that are due now and delivers what the
// rate limits let go now, and returns how many it delivered. The rest wait
// for a later flush or Run.
func (d *Drain) Flush(ctx context.Context) (int, error) {
	return d.Step(ctx, true)
}

// Shutdown stops Run and delivers what may go now, and what may go within
// drainWindow (most often held back by a rate limit for a second or two),
// so the answers to the last turns go out before the bot stops. It gives
// the rest back to the store for the next start.
func (d *Drain) Shutdown(ctx context.Context) error {
	d.stopOnce.Do(func() { close(d.stop) })
	if d.running.Load() {
		select {
		case <-d.stopped:
		case <-ctx.Done():
			return fmt.Errorf("%s: stop the outbox: %w", d.cfg.Name, ctx.Err())
		}
	}
	defer d.giveBackAll(ctx)
	deadline := time.Now().Add(drainWindow)
	for idle := 0; idle < 3; {
		n, err := d.Step(ctx, true)
		if err != nil {
			return fmt.Errorf("%s: deliver queued messages before stopping: %w", d.cfg.Name, err)
		}
		now := d.now()
		next, due := d.NextPending(now)
		if due {
			if n == 0 {
				idle++ // due, yet nothing went: do not spin
			}
			continue
		}
		if next.IsZero() || next.Sub(now) > time.Until(deadline) {
			return nil
		}
		if err := d.cfg.Sleep(ctx, next.Sub(now)); err != nil {
			return fmt.Errorf("%s: deliver queued messages before stopping: %w", d.cfg.Name, err)
		}
		if !d.now().After(now) {
			return nil // a clock that stands still: waiting cannot help
		}
	}
	return nil
}

// Step is one delivery pass, as Run makes them: it renews and claims
// (when claim is set, and whenever Wake is called while calls are in
// flight), then sends what may go now, and waits for the calls it made.
// It marks what it delivered or dropped done as it goes (SettleBatch at a
// time, or SettleEvery after the first) and before it returns, and
// returns how many messages it delivered.
func (d *Drain) Step(ctx context.Context, claim bool) (int, error) {
	d.passMu.Lock()
	defer d.passMu.Unlock()
	defer d.settle(ctx)
	var err error
	if claim {
		// This claim answers a wake that came before it.
		select {
		case <-d.wake:
		default:
		}
		err = d.claim(ctx)
	}
	sent := 0
	for {
		if ctx.Err() == nil {
			d.dispatch(ctx)
		}
		if d.inflight == 0 {
			if !claim || ctx.Err() != nil || !d.woken() {
				break
			}
			// A turn queued messages during the pass: they go in it too.
			if cerr := d.claim(ctx); cerr != nil && err == nil {
				err = cerr
			}
			continue
		}
		var settleDue <-chan time.Time
		if len(d.toSettle) > 0 {
			settleDue = time.After(time.Until(d.settleBy))
		}
		select {
		case r := <-d.results:
			sent += d.finish(ctx, r)
			if len(d.toSettle) > 0 && !time.Now().Before(d.settleBy) {
				d.settle(ctx)
			}
		case <-settleDue:
			d.settle(ctx)
		case <-d.wake:
			// A turn queued messages: a reply must not wait for the
			// calls of a long backlog.
			if cerr := d.claim(ctx); cerr != nil && err == nil {
				err = cerr
			}
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	return sent, err
}

// ClaimDue reports whether a claim is needed at now: a message given back
// comes due, or a lease must be renewed.
func (d *Drain) ClaimDue(now time.Time) bool {
	d.passMu.Lock()
	defer d.passMu.Unlock()
	return d.q.claimDue(now)
}

// NextPending returns when something held may go, a message given back
// comes due, or a lease must be renewed; due reports that this is now.
// The zero time: nothing waits.
func (d *Drain) NextPending(now time.Time) (next time.Time, due bool) {
	d.passMu.Lock()
	defer d.passMu.Unlock()
	next = d.q.next(func(method string) time.Time { return d.lim.MethodReady(method, now) })
	return next, !next.IsZero() && !next.After(now)
}

// claim claims what is due, batch after batch, until the store has no
// more or the process holds maxHeld messages.
func (d *Drain) claim(ctx context.Context) error {
	now := d.now()
	d.renew(ctx, now)
	d.lim.Prune(now)
	d.pruneBatches()
	for {
		full := len(d.q.byID) >= maxHeld
		lease := d.leaseFor(len(d.q.byID)+batchSize, now)
		claims, err := d.store.Claim(ctx, now, batchSize, lease)
		if err != nil {
			return fmt.Errorf("%s: outbox: %w", d.cfg.Name, err)
		}
		if len(claims) > 0 {
			b := &leaseBatch{renew: claims[0].Until.Add(-lease / 4)}
			for _, c := range claims {
				d.hold(ctx, c, b, full, now)
			}
			if b.left > 0 {
				d.q.batches = append(d.q.batches, b)
			}
		}
		if len(claims) < batchSize || full {
			break
		}
	}
	d.q.forgetPutOff(now)
	return nil
}

// leaseFor is the lease for a claim when the process will hold n
// messages: minLease, plus twice the time the budget needs to send n, up
// to maxLease.
func (d *Drain) leaseFor(n int, now time.Time) time.Duration {
	return min(minLease+2*time.Duration(n)*d.lim.Every(now), maxLease)
}

// hold takes a claimed message into its conversation's thread. An
// unreadable one is dropped; past maxHeld (full), a nudge is given back.
func (d *Drain) hold(ctx context.Context, c storage.Claim, b *leaseBatch, full bool, now time.Time) {
	id := c.Item.ID
	d.claimed(id)
	if h := d.q.byID[id]; h != nil {
		// Claimed again while held: its lease ran out before it was
		// renewed. The new claim is the one that holds.
		d.q.dropPutOff(id)
		h.batch.left--
		h.claim, h.batch = c, b
		b.left++
		return
	}
	for i, done := range d.toSettle {
		if done.Item.ID == id {
			// Delivered, and claimed again before it was marked done
			// (its lease ran out): it is marked done with the new claim.
			d.toSettle[i] = c
			return
		}
	}
	j, err := d.send.Decode(c.Item.Data)
	if err != nil {
		d.log.Error("dropping an unreadable queued message", "id", id, "err", err)
		d.done(ctx, c)
		return
	}
	d.q.dropPutOff(id)
	h := &held{claim: c, job: j, lane: j.Header().lane(), batch: b}
	if full && h.lane == bot.LaneNudge {
		d.release(ctx, h, c.Item.At)
		return
	}
	key := d.send.Key(ctx, j)
	t := d.q.threads[key]
	if t == nil {
		t = &thread{key: key, index: -1}
		d.q.threads[key] = t
	}
	t.add(h)
	d.q.byID[id] = h
	b.left++
	d.place(ctx, t, now)
}

// place files thread t by what its first message waits for: nothing but
// its method's budget (ready), or a time (waiting). A busy or empty thread
// waits nowhere; an empty one is forgotten.
func (d *Drain) place(ctx context.Context, t *thread, now time.Time) {
	switch {
	case len(t.jobs) == 0:
		d.q.unplace(t)
		if d.q.threads[t.key] == t {
			delete(d.q.threads, t.key)
		}
		return
	case t.busy:
		d.q.unplace(t)
		return
	}
	h := t.jobs[0]
	c := d.send.Next(ctx, h.job)
	at := latest(h.after, d.q.putOffBefore(t.key, h.id(), now))
	at = latest(at, d.lim.ConversationReady(c, now))
	if at.After(now) {
		d.q.wait(t, at)
		return
	}
	d.q.readyFor(t, c.Method)
}

// latest is the later of a and b.
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
