package teams

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
)

// The outbox makes a turn's messages durable. With Config.Outbox set, the
// engine asks Queue for each message a turn sends (a card to a person's
// chat, to a conversation or a channel thread, the update of a card after
// a decision), saves it with the turn in the store's Teams outbox, and
// calls Wake; RunOutbox (or FlushOutbox, or Shutdown) delivers it through
// the connector. A process that dies after the save loses nothing: the
// next one, or another replica, delivers what is in the outbox.
//
// It works as Slack's outbox does (bot/slack/outbox.go):
//
//   - Replies first. Each message records its lane (bot.LaneFrom). A
//     reply is stored claimable replyLead before a nudge queued at the same
//     time, so it is claimed before any backlog of nudges, and among the
//     conversations whose next message may go, those holding a reply go
//     first: a reply waits for at most one slot of appLimit however many
//     nudges wait.
//   - Order within a conversation (a chat, a channel and its threads, or
//     a person's chat before the bot knows it): one call at a time per
//     conversation, in the order the messages were queued, whatever their
//     lane. A message given back to the store (a lease about to run out,
//     Shutdown) is claimable no earlier than those of its conversation
//     queued before it.
//   - Limits (limits.go): Microsoft's published figures per conversation
//     and per app; after a 429 the conversation waits for its Retry-After
//     (the connector does not retry a 429 of the outbox itself).
//   - Failures: the connector retries transport errors and 5xx a few times
//     within one call; after that the message waits with exponential
//     backoff and is given up after maxDeliveryAttempts calls. A message
//     Teams will never take (the app was removed, the conversation is not
//     found, a bad request) is dropped and logged.
//
// Delivery is at least once: a message is marked done right after the
// connector took it, so only a process that dies between the two sends it
// twice. Effects that cannot wait in the outbox stay direct, after the
// save: forms (they answer a click) and shared drafts (whose activity id is
// recorded).
//
// Limits of this design: messages held by a process that dies wait for
// their lease to run out (outboxLease or more); the rate budget is per
// process; two processes holding messages of one conversation may send
// them out of order between them; past maxHeld messages held, a reply may
// overtake an earlier nudge of its conversation waiting in the store.
const (
	// outboxBatch is how many messages one claim takes.
	outboxBatch = 100
	// maxHeld is how many messages a process holds at most; past it, a
	// claim keeps only the replies and gives the nudges back.
	maxHeld = 20_000
	// replyLead is how much earlier than a nudge queued at the same time
	// a reply becomes claimable.
	replyLead = 24 * time.Hour
	// outboxLease is the least lease of a claim; more when the process
	// holds more than appLimit lets go in that time, up to maxLease. It is
	// short because what a process that dies held but had not recorded as
	// sent goes again once its leases run out.
	outboxLease = 10 * time.Second
	maxLease    = time.Hour
	// groupRetry is how often RunOutbox looks for the messages it queued
	// while another process holds their conversation (see the Slack
	// outbox); expectFor is how long it looks so.
	groupRetry = time.Second
	expectFor  = time.Minute
	// outboxPoll is how often RunOutbox looks for messages it was not
	// told about (queued by other processes, or left by one that died).
	outboxPoll = 5 * time.Second
	// outboxSenders is how many calls are made at once, each to a
	// different conversation.
	outboxSenders = 8
	// maxDeliveryAttempts bounds the failed calls (not 429s) of one
	// message: with the backoff below, about half an hour of failures.
	maxDeliveryAttempts = 12
	minBackoff          = time.Second
	maxBackoff          = 5 * time.Minute
	// minRateLimitWait is the least wait after a 429.
	minRateLimitWait = time.Second
	// settleTimeout bounds recording an outcome in the store, done even
	// when the delivery's context has ended.
	settleTimeout = 10 * time.Second
)

// Operations of a queued job.
const (
	opSend   = "send"   // post an activity into a conversation, or a person's chat
	opUpdate = "update" // replace an activity
)

// job is a message waiting in the outbox: the Data of its storage.DueItem.
type job struct {
	Op string `json:"op"`
	// Conversation is where it goes: a conversation id, or a channel
	// thread ("19:…;messageid=ID"). Empty for a person's chat, by User.
	Conversation string `json:"conversation,omitempty"`
	User         string `json:"user,omitempty"`
	// ActivityID is the activity an update replaces.
	ActivityID string `json:"activityId,omitempty"`
	// Activity is the rendered activity (Adaptive Card attachments).
	Activity json.RawMessage `json:"activity"`
	// Lane is "reply" or "nudge" (bot.Lane's String).
	Lane string `json:"lane,omitempty"`
	// Failures counts the failed calls so far (not 429s).
	Failures int `json:"failures,omitempty"`
	// Nudge names the scheduled item the message is, confirmed on Team
	// once the connector took it (see confirm.go).
	Nudge *conversation.Nudge `json:"nudge,omitempty"`
	Team  string              `json:"team,omitempty"`
}

func (j job) lane() bot.Lane {
	if j.Lane == bot.LaneNudge.String() {
		return bot.LaneNudge
	}
	return bot.LaneReply
}

// check reports a job that cannot be delivered.
func (j job) check() error {
	switch {
	case j.Op != opSend && j.Op != opUpdate:
		return fmt.Errorf("unknown operation %q", j.Op)
	case j.Conversation == "" && (j.User == "" || j.Op == opUpdate):
		return errors.New("no conversation or user")
	case j.Op == opUpdate && j.ActivityID == "":
		return errors.New("no activity to update")
	case len(j.Activity) == 0:
		return errors.New("no activity")
	}
	return nil
}

var _ bot.Queuer = (*Adapter)(nil)

// Queue implements bot.Queuer. With an outbox it queues what SendDM, Post,
// PostThread, Update and Ephemeral would send. Forms and shared drafts are
// carried out directly after the save.
func (a *Adapter) Queue(ctx context.Context, t bot.Turn, ef conversation.Effect) (storage.DueItem, bool, error) {
	if a.out == nil {
		return storage.DueItem{}, false, nil
	}
	var (
		j job
		m message.Message
	)
	switch ef := ef.(type) {
	case conversation.Send:
		j, m = job{Op: opSend, User: ef.User, Nudge: ef.Nudge}, ef.Message
		if ef.Nudge != nil {
			j.Team = t.Team // to confirm it once the connector took it
		}
	case conversation.Ephemeral:
		// Teams has no ephemeral messages: it goes to the person's chat.
		j, m = job{Op: opSend, User: t.Input.User}, ef.Message
	case conversation.Post:
		if ef.Shared != nil {
			return storage.DueItem{}, false, nil
		}
		conv := ef.Channel
		if ef.Thread != "" {
			base, _ := baseConversation(conv)
			conv = base + ";messageid=" + ef.Thread
		}
		j, m = job{Op: opSend, Conversation: conv}, ef.Message
	case conversation.Update:
		if ef.Ref.Channel == "" || ef.Ref.TS == "" {
			return storage.DueItem{}, false, nil
		}
		j, m = job{Op: opUpdate, Conversation: ef.Ref.Channel, ActivityID: ef.Ref.TS}, ef.Message
	default:
		return storage.DueItem{}, false, nil
	}
	act := a.activityFor(m)
	if j.Op == opUpdate {
		act.ID = j.ActivityID
	}
	var err error
	if j.Activity, err = json.Marshal(act); err != nil {
		return storage.DueItem{}, false, fmt.Errorf("teams: encode activity: %w", err)
	}
	j.Lane = bot.LaneFrom(ctx).String()
	it, err := a.out.item(j)
	if err != nil {
		return storage.DueItem{}, false, err
	}
	return it, true, nil
}

// Wake implements bot.Queuer: the outbox looks for messages at once.
func (a *Adapter) Wake() {
	if a.out != nil {
		a.out.poke()
	}
}

type outbox struct {
	a     *Adapter
	store storage.DueStore
	now   func() time.Time
	log   *slog.Logger
	wake  chan struct{}

	// passMu is held by one delivery pass at a time, which owns what
	// follows up to results.
	passMu   sync.Mutex
	lim      *limiter
	threads  map[string]*thread
	byID     map[string]*held
	putOff   map[string]time.Time // per conversation, the latest time a message was given back for
	renewAt  time.Time            // when held claims are given back and claimed afresh
	inflight int
	results  chan result

	idMu   sync.Mutex
	lastID int64
	idTag  string
	// expected are the messages this process queued and has not claimed
	// yet, by id, with when they were queued (on the wall clock): while
	// another process holds their conversation, RunOutbox looks for them
	// every groupRetry rather than every outboxPoll.
	expected map[string]time.Time

	running  atomic.Bool
	stopOnce sync.Once
	stop     chan struct{}
	stopped  chan struct{} // closed when RunOutbox returns
}

// held is a claimed message.
type held struct {
	claim storage.Claim
	job   job
	// after is when it may be tried again (a 429, a backoff).
	after time.Time
	// changed reports a failure count not yet stored.
	changed bool
}

func (h *held) id() string { return h.claim.Item.ID }

// thread is one conversation's held messages, in queue order.
type thread struct {
	key     string
	jobs    []*held
	replies int // jobs in the reply lane
	busy    bool
}

// result is how a call went.
type result struct {
	t         *thread
	h         *held
	claim     storage.Claim
	err       error
	settleErr error
}

func newOutbox(a *Adapter, store storage.DueStore, now func() time.Time) *outbox {
	return &outbox{
		a: a, store: store, now: now, log: a.log.With("part", "outbox"),
		wake: make(chan struct{}, 1), lim: newLimiter(),
		threads: map[string]*thread{}, byID: map[string]*held{}, putOff: map[string]time.Time{},
		results:  make(chan result, outboxSenders),
		idTag:    rand.Text()[:8],
		expected: map[string]time.Time{},
		stop:     make(chan struct{}), stopped: make(chan struct{}),
	}
}

func (o *outbox) poke() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// newID returns a unique id that sorts in the order ids were made, in this
// process and, while the wall clock does not step back, across restarts.
func (o *outbox) newID() string {
	o.idMu.Lock()
	defer o.idMu.Unlock()
	o.lastID = max(o.lastID+1, time.Now().UnixNano())
	return fmt.Sprintf("%019d-%s", o.lastID, o.idTag)
}

// item is j as the store keeps it, queued now: a reply claimable replyLead
// before a nudge queued at the same time.
func (o *outbox) item(j job) (storage.DueItem, error) {
	if err := j.check(); err != nil {
		return storage.DueItem{}, fmt.Errorf("teams: queue: %w", err)
	}
	data, err := json.Marshal(j)
	if err != nil {
		return storage.DueItem{}, fmt.Errorf("teams: queue: %w", err)
	}
	at := o.now()
	if j.lane() == bot.LaneReply {
		at = at.Add(-replyLead)
	}
	group := "@" + j.User
	if j.Conversation != "" {
		group, _ = baseConversation(j.Conversation)
	}
	id := o.newID()
	o.idMu.Lock()
	o.expected[id] = time.Now()
	o.idMu.Unlock()
	return storage.DueItem{ID: id, At: at, Data: data, Group: group}, nil
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
// at once when a turn queued some, when one waiting may go, and every few
// seconds for those queued elsewhere. Call it once, on a goroutine of its
// own, when Config.Outbox is set.
func (a *Adapter) RunOutbox(ctx context.Context) error {
	o := a.out
	if o == nil {
		return errors.New("teams: no outbox configured")
	}
	if !o.running.CompareAndSwap(false, true) {
		return errors.New("teams: the outbox is delivering already")
	}
	defer close(o.stopped)
	polled := time.Now()
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
		if next, ok := o.nextPending(now); ok {
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

// FlushOutbox claims the queued messages due now, delivers what the limits
// let go now, and returns how many it delivered. The rest wait for a later
// flush or RunOutbox. Without an outbox it does nothing.
func (a *Adapter) FlushOutbox(ctx context.Context) (int, error) {
	if a.out == nil {
		return 0, nil
	}
	return a.out.flush(ctx, true)
}

// shutdown stops RunOutbox, delivers what may go now and gives the rest
// back to the store for the next start.
func (o *outbox) shutdown(ctx context.Context) error {
	o.stopOnce.Do(func() { close(o.stop) })
	if o.running.Load() {
		select {
		case <-o.stopped:
		case <-ctx.Done():
			return fmt.Errorf("teams: stop the outbox: %w", ctx.Err())
		}
	}
	defer o.giveBackAll(ctx)
	if _, err := o.flush(ctx, true); err != nil {
		return fmt.Errorf("teams: deliver queued messages before stopping: %w", err)
	}
	return nil
}

// flush claims (when claim is set, and whenever a turn queues more while
// calls are in flight), then sends what may go now, until no call is in
// flight.
func (o *outbox) flush(ctx context.Context, claim bool) (int, error) {
	o.passMu.Lock()
	defer o.passMu.Unlock()
	var err error
	if claim {
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
		select {
		case r := <-o.results:
			sent += o.finish(ctx, r)
		case <-o.wake:
			// A turn queued messages: a reply must not wait for the
			// calls of a long backlog.
			if cerr := o.claim(ctx); cerr != nil && err == nil {
				err = cerr
			}
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	return sent, err
}

// claimDue reports whether a claim is needed now: a message given back
// comes due, or the held claims must be renewed.
func (o *outbox) claimDue(now time.Time) bool {
	o.passMu.Lock()
	defer o.passMu.Unlock()
	if !o.renewAt.IsZero() && !now.Before(o.renewAt) {
		return true
	}
	for _, at := range o.putOff {
		if !now.Before(at) {
			return true
		}
	}
	return false
}

// nextPending returns when something held may go, a message given back
// comes due, or claims must be renewed; ok is false when nothing waits.
func (o *outbox) nextPending(now time.Time) (next time.Time, ok bool) {
	o.passMu.Lock()
	defer o.passMu.Unlock()
	consider := func(t time.Time) {
		if !ok || t.Before(next) {
			next, ok = t, true
		}
	}
	if !o.renewAt.IsZero() {
		consider(o.renewAt)
	}
	for _, at := range o.putOff {
		consider(at)
	}
	for _, t := range o.threads {
		if len(t.jobs) > 0 && !t.busy {
			consider(latest(latest(t.jobs[0].after, o.lim.next(t.key, now)), o.lim.appNext(now)))
		}
	}
	return next, ok
}

// claim renews the held claims when due, then claims what is due, batch
// after batch, until the store has no more or maxHeld are held.
func (o *outbox) claim(ctx context.Context) error {
	now := o.now()
	o.lim.prune(now)
	if !o.renewAt.IsZero() && !now.Before(o.renewAt) {
		o.giveBackIdle(ctx, now)
	}
	for k, at := range o.putOff {
		if !now.Before(at) {
			delete(o.putOff, k)
		}
	}
	for {
		full := len(o.byID) >= maxHeld
		lease := o.leaseFor(len(o.byID) + outboxBatch)
		claims, err := o.store.Claim(ctx, now, outboxBatch, lease)
		if err != nil {
			return fmt.Errorf("teams: outbox: %w", err)
		}
		for _, c := range claims {
			o.hold(ctx, c, full, now)
		}
		if len(claims) > 0 {
			renew := claims[0].Until.Add(-lease / 4)
			if o.renewAt.IsZero() || renew.Before(o.renewAt) {
				o.renewAt = renew
			}
		}
		if len(claims) < outboxBatch || full {
			return nil
		}
	}
}

// leaseFor is the lease of a claim when the process will hold n messages:
// outboxLease, plus twice the time appLimit needs to send them, up to
// maxLease.
func (o *outbox) leaseFor(n int) time.Duration {
	return min(outboxLease+2*time.Duration(n)*appLimit.d/time.Duration(appLimit.n), maxLease)
}

// hold takes a claimed message into its conversation's thread, in queue
// order. An unreadable one is dropped; past maxHeld (full) a nudge is given
// back.
func (o *outbox) hold(ctx context.Context, c storage.Claim, full bool, now time.Time) {
	o.claimed(c.Item.ID)
	var j job
	err := json.Unmarshal(c.Item.Data, &j)
	if err == nil {
		err = j.check()
	}
	if err != nil {
		o.log.Error("dropping an unreadable queued message", "id", c.Item.ID, "err", err)
		o.done(ctx, c)
		return
	}
	if h := o.byID[c.Item.ID]; h != nil {
		h.claim = c // claimed again while held: the new claim holds
		return
	}
	h := &held{claim: c, job: j}
	if full && j.lane() == bot.LaneNudge {
		o.release(ctx, h, c.Item.At, now)
		return
	}
	key := o.key(ctx, j)
	// A message queued after others of its conversation that were given
	// back waits for them.
	h.after = o.putOff[key]
	t := o.threads[key]
	if t == nil {
		t = &thread{key: key}
		o.threads[key] = t
	}
	i, _ := slices.BinarySearchFunc(t.jobs, h.id(), func(x *held, id string) int {
		switch {
		case x.id() < id:
			return -1
		case x.id() > id:
			return 1
		}
		return 0
	})
	if t.busy && i == 0 {
		i = 1 // the message in flight stays first
	}
	t.jobs = slices.Insert(t.jobs, i, h)
	if j.lane() == bot.LaneReply {
		t.replies++
	}
	o.byID[h.id()] = h
}

// key names the conversation a job writes to, for its order and limits: a
// channel with its threads, a chat, or a person's chat by its id when the
// bot has one ("@USER" before).
func (o *outbox) key(ctx context.Context, j job) string {
	if j.Conversation != "" {
		base, _ := baseConversation(j.Conversation)
		return base
	}
	if ref, ok := o.a.lookup(ctx, userKey(j.User)); ok && ref.Conversation.ID != "" {
		return ref.Conversation.ID
	}
	return "@" + j.User
}

// dispatch starts calls while the limits let them go now and fewer than
// outboxSenders are in flight: conversations holding a reply first, then
// in queue order.
func (o *outbox) dispatch(ctx context.Context) {
	now := o.now()
	for o.inflight < outboxSenders && !o.lim.appNext(now).After(now) {
		var best *thread
		for _, t := range o.threads {
			if t.busy || len(t.jobs) == 0 || t.jobs[0].after.After(now) || o.lim.next(t.key, now).After(now) {
				continue
			}
			if best == nil || ranksBefore(t, best) {
				best = t
			}
		}
		if best == nil {
			return
		}
		best.busy = true
		o.lim.take(best.key, now)
		o.start(ctx, best, best.jobs[0])
	}
}

// ranksBefore orders conversations that may send: one holding a reply
// first, then the one whose next message was queued first.
func ranksBefore(a, b *thread) bool {
	if (a.replies > 0) != (b.replies > 0) {
		return a.replies > 0
	}
	return a.jobs[0].id() < b.jobs[0].id()
}

// start delivers h on a goroutine of its own and marks it done once the
// connector took it; finish handles how it went.
func (o *outbox) start(ctx context.Context, t *thread, h *held) {
	o.inflight++
	r := result{t: t, h: h, claim: h.claim}
	j := h.job
	go func() {
		if r.err = o.deliver(ctx, j); r.err == nil {
			sctx, cancel := settleContext(ctx)
			if r.settleErr = o.a.confirm(sctx, j); r.settleErr == nil {
				r.settleErr = o.store.Done(sctx, r.claim)
			}
			cancel()
		}
		o.results <- r
	}()
}

// deliver makes the job's connector call: a 429 comes back at once, for
// the outbox to wait out.
func (o *outbox) deliver(ctx context.Context, j job) error {
	ctx = withoutRateRetry(ctx)
	a := o.a
	conv := j.Conversation
	if conv == "" {
		var err error
		if conv, err = a.personalChat(ctx, j.User); err != nil {
			return err
		}
	}
	if j.Op == opUpdate {
		target := conversationURL(a.serviceOf(a.convRef(ctx, conv)), conv, "activities", j.ActivityID)
		return a.conn.call(ctx, http.MethodPut, target, j.Activity, nil)
	}
	to, err := a.sendable(ctx, conv)
	if err != nil {
		return err
	}
	return a.conn.call(ctx, http.MethodPost, conversationURL(a.serviceOf(to), conv, "activities"), j.Activity, nil)
}

// finish records how a call went.
func (o *outbox) finish(ctx context.Context, r result) (sent int) {
	o.inflight--
	r.t.busy = false
	h := r.h
	if r.err == nil {
		if r.settleErr != nil && h.claim.Token != r.claim.Token {
			o.done(ctx, h.claim) // claimed again during the call
		} else {
			o.settled(o.log.With("id", h.id()), "mark done", r.settleErr)
		}
		o.drop(r.t, h)
		return 1
	}
	o.failed(ctx, r.t, h, r.err)
	return 0
}

// outcome is what a failed call means for its message.
type outcome int

const (
	rateLimited outcome = iota // wait for Retry-After
	failing                    // may work later
	refused                    // Teams will never take it
)

// errNoChat marks a message to a person the bot has no chat with and
// cannot start one with (no tenant known).
var errNoChat = errors.New("teams: no chat with this person and none can be started")

// classify says what err means for the message, and a 429's Retry-After.
func classify(err error) (outcome, time.Duration) {
	var ae *apiError
	switch {
	case errors.Is(err, errRemoved), errors.Is(err, errNoChat):
		return refused, 0
	case errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests:
		return rateLimited, ae.RetryAfter
	case errors.As(err, &ae) && (ae.Status >= 500 || ae.Status == http.StatusRequestTimeout ||
		ae.Status == http.StatusPreconditionFailed || ae.Status == http.StatusUnauthorized):
		return failing, 0
	case errors.As(err, &ae):
		// 400 bad request, 403 (the bot is no longer in the
		// conversation), 404 (conversation not found): asking again
		// cannot help.
		return refused, 0
	}
	return failing, 0 // network errors, a token that could not be had
}

// failed handles a failed call for h: it waits out a 429 or a backoff, or
// is dropped.
func (o *outbox) failed(ctx context.Context, t *thread, h *held, err error) {
	log := o.log.With("id", h.id(), "conversation", t.key, "op", h.job.Op)
	now := o.now()
	kind, retryAfter := classify(err)
	switch {
	case kind == rateLimited:
		h.after = now.Add(max(retryAfter, minRateLimitWait))
		o.lim.limited(t.key, h.after)
		log.Warn("rate limited", "retry_after", retryAfter)
		return
	case kind == refused:
		log.Error("dropping a message Teams will not take", "err", err)
		o.done(ctx, h.claim)
		o.drop(t, h)
		return
	case ctx.Err() != nil:
		return // stopping: no fault of the message
	}
	n := h.job.Failures + 1
	if n >= maxDeliveryAttempts {
		log.Error("giving up a message after repeated failures", "attempts", n, "err", err)
		o.done(ctx, h.claim)
		o.drop(t, h)
		return
	}
	h.job.Failures, h.changed = n, true
	h.after = now.Add(backoff(n))
	log.Warn("delivery failed, will retry", "attempt", n, "at", h.after, "err", err)
}

// backoff is how long a message waits after its nth failed call: a second,
// doubling up to five minutes, plus up to a quarter more at random.
func backoff(n int) time.Duration {
	d := maxBackoff
	if n >= 1 && n <= 9 {
		d = min(minBackoff<<(n-1), maxBackoff)
	}
	return d + mrand.N(d/4+1)
}

// drop forgets a message delivered or dropped: the first of t.
func (o *outbox) drop(t *thread, h *held) {
	if i := slices.Index(t.jobs, h); i >= 0 {
		t.jobs = slices.Delete(t.jobs, i, i+1)
		if h.job.lane() == bot.LaneReply {
			t.replies--
		}
	}
	if o.byID[h.id()] == h {
		delete(o.byID, h.id())
	}
	if len(t.jobs) == 0 && !t.busy && o.threads[t.key] == t {
		delete(o.threads, t.key)
	}
}

// giveBackIdle gives back every message held but not in flight, to be
// claimed afresh (its lease is running out).
func (o *outbox) giveBackIdle(ctx context.Context, now time.Time) {
	for _, t := range o.threads {
		o.giveBack(ctx, t, now)
	}
	o.renewAt = time.Time{}
	for _, h := range o.byID {
		if renew := h.claim.Until.Add(-outboxLease / 4); o.renewAt.IsZero() || renew.Before(o.renewAt) {
			o.renewAt = renew
		}
	}
}

// giveBackAll gives back every message held, for the next process.
func (o *outbox) giveBackAll(ctx context.Context) {
	o.passMu.Lock()
	defer o.passMu.Unlock()
	o.giveBackIdle(ctx, o.now())
}

// giveBack gives back thread t's messages (not one in flight). Each is
// claimable when it may next go, its own claimable time at the earliest
// (so a reply keeps its lead), and no earlier than the messages of its
// conversation queued before it, so whoever claims them keeps the order.
func (o *outbox) giveBack(ctx context.Context, t *thread, now time.Time) {
	from := 0
	if t.busy {
		from = 1
	}
	var prev time.Time
	for _, h := range t.jobs[from:] {
		at := latest(h.claim.Item.At, latest(h.after, prev))
		if h.changed {
			at = latest(at, now.Add(minBackoff)) // see release
		}
		prev = at
		o.release(ctx, h, at, now)
		delete(o.byID, h.id())
		if h.job.lane() == bot.LaneReply {
			t.replies--
		}
	}
	t.jobs = t.jobs[:from]
	if len(t.jobs) == 0 && !t.busy {
		delete(o.threads, t.key)
	}
}

// release gives h's claim back to the store, claimable from at, with its
// failure count; the caller stops holding h.
func (o *outbox) release(ctx context.Context, h *held, at, now time.Time) {
	at = ceilMilli(at)
	log := o.log.With("id", h.id())
	sctx, cancel := settleContext(ctx)
	defer cancel()
	if !o.settled(log, "give back", o.store.Release(sctx, h.claim, at)) {
		return
	}
	if h.changed {
		// Written after the release, which makes it claimable no sooner
		// than minBackoff: nobody claims it in between.
		data, err := json.Marshal(h.job)
		if err == nil {
			err = o.store.Schedule(sctx, storage.DueItem{ID: h.id(), At: at, Data: data, Group: h.claim.Item.Group})
		}
		if err != nil {
			log.Error("cannot count a failed delivery", "err", err)
		}
	}
	if at.After(now) {
		key := o.key(ctx, h.job)
		o.putOff[key] = latest(o.putOff[key], at)
	}
}

// done removes a message delivered or dropped from the store.
func (o *outbox) done(ctx context.Context, c storage.Claim) {
	sctx, cancel := settleContext(ctx)
	defer cancel()
	o.settled(o.log.With("id", c.Item.ID), "mark done", o.store.Done(sctx, c))
}

// settled logs a failure to record an outcome and reports success. A
// message whose outcome is not recorded is claimed again when its lease
// runs out: one delivered may then go twice.
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

// ceilMilli rounds t up to a whole millisecond (the store keeps
// milliseconds).
func ceilMilli(t time.Time) time.Time {
	if r := t.Truncate(time.Millisecond); !r.Equal(t) {
		return r.Add(time.Millisecond)
	}
	return t
}
