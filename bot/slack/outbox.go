package slack

import (
	"cmp"
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

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
)

// The outbox makes SendDM, Post and Update durable. With Config.Outbox
// set they render the message, queue it in the store and return at once;
// RunOutbox (or FlushOutbox, or Shutdown) delivers it:
//
//   - within Slack's rate limits (see limiter.go), putting messages off in
//     the store rather than sleeping;
//   - after a 429, not before its Retry-After has passed, holding back the
//     channel (chat.postMessage) or the method (chat.update,
//     conversations.open);
//   - after a 5xx or a network error, again with exponential backoff and
//     jitter, giving up after maxDeliveryAttempts failed calls;
//   - never again after an error that retrying cannot mend (invalid_blocks,
//     channel_not_found, not_in_channel, …): it is dropped and logged;
//   - in order within a conversation: once one message of a conversation
//     has to wait, the later ones wait behind it.
//
// A message that must wait books its slot in the rate limits and is put
// off until then, so a backlog drains in the order messages asked, with
// about one store write per wait rather than one per retry.
//
// Delivery is at least once: a message is marked done right after Slack
// accepted it, so only a process that dies between the two (or a store
// that fails to record it) sends a message twice. Messages claimed by a
// process that died are sent once their lease runs out; messages put off
// are kept in the store, so a restart loses none.
//
// Order holds within one process. After a restart, or with several
// processes on one store, a message queued while an earlier one of its
// conversation is put off for later may overtake it. SendDM to a user and
// Post to that user's DM channel id count as two conversations.
const (
	// outboxBatch is how many messages one claim takes.
	outboxBatch = 100
	// outboxLease is how long claimed messages are reserved; the rest of
	// a batch is given back when less than a quarter of it is left.
	outboxLease = 2 * time.Minute
	// outboxPoll is how often RunOutbox looks for messages it was not told
	// about: put off by other processes, or left by one that died.
	outboxPoll = 5 * time.Second
	// outboxSenders is how many conversations are written to at once.
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
	// drainWindow is how far ahead Shutdown waits for messages put off.
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

// task is a claimed job.
type task struct {
	claim  storage.Claim
	job    job
	blocks []slackapi.Block
}

type outbox struct {
	a     *Adapter
	store storage.DueStore
	now   func() time.Time
	lim   *limiter
	log   *slog.Logger
	wake  chan struct{}

	passMu sync.Mutex // one delivery pass at a time

	// pending are the jobs this process put off, by conversation: id →
	// when they come due. A later job of the conversation waits for them.
	mu         sync.Mutex
	pending    map[string]map[string]time.Time
	pendingKey map[string]string  // id → conversation
	booked     map[string]booking // id → the slot it booked

	idMu   sync.Mutex
	lastID int64
	idTag  string

	// sleep waits d or until ctx ends; tests move their clock instead.
	sleep func(ctx context.Context, d time.Duration) error

	running  atomic.Bool
	stopOnce sync.Once
	stop     chan struct{}
	stopped  chan struct{} // closed when RunOutbox returns
}

func newOutbox(a *Adapter, store storage.DueStore, now func() time.Time) *outbox {
	if now == nil {
		now = time.Now
	}
	return &outbox{
		a:          a,
		store:      store,
		now:        now,
		lim:        newLimiter(),
		log:        a.log.With("part", "outbox"),
		wake:       make(chan struct{}, 1),
		pending:    map[string]map[string]time.Time{},
		pendingKey: map[string]string{},
		booked:     map[string]booking{},
		idTag:      rand.Text()[:8],
		stop:       make(chan struct{}),
		stopped:    make(chan struct{}),
		sleep:      sleep,
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

// item is j as the store keeps it, queued now.
func (o *outbox) item(j job) (storage.DueItem, error) {
	if _, err := j.blocks(); err != nil {
		return storage.DueItem{}, fmt.Errorf("slack: queue %s: %w", j.Method, err)
	}
	data, err := json.Marshal(j)
	if err != nil {
		return storage.DueItem{}, fmt.Errorf("slack: queue %s: %w", j.Method, err)
	}
	return storage.DueItem{ID: o.newID(), At: o.now(), Data: data}, nil
}

// RunOutbox delivers queued messages until ctx ends or Shutdown is called:
// at once when one is queued, when one put off comes due, and every few
// seconds for those queued or put off by other processes, or left by one
// that died. Call it once, on a goroutine of its own, when Config.Outbox
// is set.
func (a *Adapter) RunOutbox(ctx context.Context) error {
	o := a.out
	if o == nil {
		return errors.New("slack: no outbox configured")
	}
	if !o.running.CompareAndSwap(false, true) {
		return errors.New("slack: the outbox is delivering already")
	}
	defer close(o.stopped)
	for {
		select {
		case <-o.stop:
			return nil
		default:
		}
		if _, err := o.flush(ctx); err != nil && ctx.Err() == nil {
			o.log.Error("delivering queued messages", "err", err)
		}
		wait := outboxPoll
		now := o.now()
		if next, due := o.nextPending(now); due {
			wait = 0
		} else if !next.IsZero() {
			wait = min(wait, next.Sub(now))
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-o.stop:
			timer.Stop()
			return nil
		case <-o.wake:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// FlushOutbox delivers the queued messages that are due now, as far as the
// rate limits allow, and returns how many it delivered. Messages put off
// wait for a later flush or RunOutbox. Without an outbox it does nothing.
func (a *Adapter) FlushOutbox(ctx context.Context) (int, error) {
	if a.out == nil {
		return 0, nil
	}
	return a.out.flush(ctx)
}

// shutdown stops RunOutbox and delivers what is due now, and what comes
// due within drainWindow (most often held back by a rate limit for a
// second or two), so the answers to the last turns go out before the bot
// stops. The rest stays queued for the next start.
func (o *outbox) shutdown(ctx context.Context) error {
	o.stopOnce.Do(func() { close(o.stop) })
	if o.running.Load() {
		select {
		case <-o.stopped:
		case <-ctx.Done():
			return fmt.Errorf("slack: stop the outbox: %w", ctx.Err())
		}
	}
	deadline := time.Now().Add(drainWindow)
	for {
		if _, err := o.flush(ctx); err != nil {
			return fmt.Errorf("slack: deliver queued messages before stopping: %w", err)
		}
		now := o.now()
		next, due := o.nextPending(now)
		if due {
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
}

// flush claims the messages due now, batch after batch, and delivers or
// puts off each.
func (o *outbox) flush(ctx context.Context) (int, error) {
	o.passMu.Lock()
	defer o.passMu.Unlock()
	sent := 0
	for {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		now := o.now()
		o.lim.prune(now)
		o.forgetBookings(now)
		claims, err := o.store.Claim(ctx, now, outboxBatch, outboxLease)
		if err != nil {
			return sent, fmt.Errorf("slack: outbox: %w", err)
		}
		n, more := o.deliver(ctx, claims)
		sent += n
		if len(claims) < outboxBatch && !more {
			return sent, nil
		}
	}
}

// deliver sends a batch, one goroutine per conversation (up to
// outboxSenders), each conversation's jobs in the order they were queued.
// more reports jobs given back to be claimed again at once.
func (o *outbox) deliver(ctx context.Context, claims []storage.Claim) (sent int, more bool) {
	slices.SortFunc(claims, func(a, b storage.Claim) int { return cmp.Compare(a.Item.ID, b.Item.ID) })
	o.mu.Lock()
	for _, c := range claims {
		o.unpendLocked(c.Item.ID)
	}
	o.mu.Unlock()
	groups := map[string][]task{}
	var order []string
	for _, c := range claims {
		var j job
		err := json.Unmarshal(c.Item.Data, &j)
		var blocks []slackapi.Block
		if err == nil {
			blocks, err = j.blocks()
		}
		if err != nil {
			o.log.Error("dropping an unreadable queued message", "id", c.Item.ID, "err", err)
			o.done(ctx, c)
			continue
		}
		key := j.conversation()
		if groups[key] == nil {
			order = append(order, key)
		}
		groups[key] = append(groups[key], task{claim: c, job: j, blocks: blocks})
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		slots = make(chan struct{}, outboxSenders)
	)
	for _, key := range order {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			n, m := o.conversation(ctx, key, groups[key])
			mu.Lock()
			sent += n
			more = more || m
			mu.Unlock()
		})
	}
	wg.Wait()
	return sent, more
}

// conversation sends one conversation's jobs in order. Once one is put
// off, the rest follow it.
func (o *outbox) conversation(ctx context.Context, key string, tasks []task) (sent int, more bool) {
	var after time.Time
	for i, t := range tasks {
		if !after.IsZero() {
			after = o.follow(ctx, key, t, o.takeBooking(t.claim.Item.ID), after, o.now())
			continue
		}
		if ctx.Err() != nil || !o.now().Before(t.claim.Until.Add(-outboxLease/4)) {
			// Give the rest back to be claimed afresh; what was put off
			// above keeps them behind it.
			for _, t := range tasks[i:] {
				o.giveBack(ctx, t)
			}
			return sent, ctx.Err() == nil
		}
		ok, putOff := o.send(ctx, key, t)
		if ok {
			sent++
		}
		after = putOff
	}
	return sent, false
}

// booking is a slot a job booked for a call.
type booking struct {
	method, channel string
	at              time.Time
}

// slotTolerance is how late a delivery pass may wake and still use a slot
// booked for a call due now, rather than book another.
const slotTolerance = 500 * time.Millisecond

// slot returns when job id of conversation key may call method on
// channel, no sooner than notBefore nor a 429's hold, as a booking: the
// job's own booking b if it still fits; else one booked by a later job of
// the conversation, which takes it over (that job, when it comes back,
// does the same, so a delay costs the conversation one slot, not its
// place in the workspace's queue); else a new one. A booking with a zero
// method is unpaid: only when to ask again.
func (o *outbox) slot(key, id string, b booking, method, channel string, notBefore, now time.Time) booking {
	notBefore = latest(latest(notBefore, now), o.lim.held(method, channel, now))
	earliest := notBefore
	if notBefore.Equal(now) {
		earliest = now.Add(-slotTolerance)
	}
	fits := func(b booking) bool {
		return b.method == method && b.channel == channel && !b.at.Before(earliest)
	}
	if !fits(b) {
		o.mu.Lock()
		var from string
		for pid := range o.pending[key] {
			if pb, ok := o.booked[pid]; ok && pid > id && fits(pb) && (from == "" || pb.at.Before(o.booked[from].at)) {
				from = pid
			}
		}
		b = o.booked[from]
		delete(o.booked, from)
		o.mu.Unlock()
	}
	if fits(b) {
		b.at = latest(b.at, notBefore)
		return b
	}
	at, paid := o.lim.book(method, channel, notBefore, now)
	if !paid {
		return booking{at: at}
	}
	return booking{method: method, channel: channel, at: at}
}

// send tries to deliver one job. It reports whether it was delivered and,
// when it was put off, until when (the zero time when it was delivered or
// dropped).
func (o *outbox) send(ctx context.Context, key string, t task) (bool, time.Time) {
	now := o.now()
	id := t.claim.Item.ID
	b := o.takeBooking(id)
	if w := o.waitingBefore(key, id, now); !w.IsZero() {
		return false, o.follow(ctx, key, t, b, w, now)
	}
	channel := t.job.Channel
	if channel == "" {
		if channel = o.a.knownIM(t.job.User); channel == "" {
			if s := o.slot(key, id, b, methodOpen, "", now, now); s.at.After(now) || s.method == "" {
				return false, o.release(ctx, key, t, s.at, s)
			}
			var err error
			if channel, err = o.openDM(ctx, t.job.User); err != nil {
				return false, o.failed(ctx, key, t, methodOpen, "", now, err)
			}
		}
	}
	if s := o.slot(key, id, b, t.job.Method, channel, now, now); s.at.After(now) || s.method == "" {
		return false, o.release(ctx, key, t, s.at, s)
	}
	err := o.call(ctx, channel, t)
	if err == nil {
		o.done(ctx, t.claim)
		return true, time.Time{}
	}
	return false, o.failed(ctx, key, t, t.job.Method, channel, now, err)
}

// follow puts a job off to go after one of its conversation that was put
// off until after, at its own slot when its channel is known.
func (o *outbox) follow(ctx context.Context, key string, t task, b booking, after, now time.Time) time.Time {
	channel := t.job.Channel
	if channel == "" {
		channel = o.a.knownIM(t.job.User)
	}
	if channel == "" {
		return o.release(ctx, key, t, after, booking{})
	}
	s := o.slot(key, t.claim.Item.ID, b, t.job.Method, channel, after, now)
	return o.release(ctx, key, t, s.at, s)
}

// call makes the job's Web API call.
func (o *outbox) call(ctx context.Context, channel string, t task) error {
	opts := []slackapi.MsgOption{slackapi.MsgOptionBlocks(t.blocks...), slackapi.MsgOptionText(t.job.Text, false)}
	if t.job.ThreadTS != "" {
		opts = append(opts, slackapi.MsgOptionTS(t.job.ThreadTS))
	}
	var err error
	if t.job.Method == methodUpdate {
		_, _, _, err = o.a.api.UpdateMessageContext(ctx, channel, t.job.TS, opts...)
	} else {
		_, _, err = o.a.api.PostMessageContext(ctx, channel, opts...)
	}
	if err != nil {
		return fmt.Errorf("slack %s: %w", t.job.Method, err)
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

// failed handles a failed call of method, made at now, for job t; it
// returns until when the job was put off (zero when it was dropped).
func (o *outbox) failed(ctx context.Context, key string, t task, method, channel string, now time.Time, err error) time.Time {
	log := o.log.With("id", t.claim.Item.ID, "method", method, "conversation", key)
	kind, retryAfter := classify(err)
	switch {
	case kind == rateLimited:
		until := now.Add(max(retryAfter, minRateLimitWait))
		if method == methodPost {
			o.lim.holdChannel(channel, until)
		} else {
			o.lim.holdMethod(method, until)
		}
		log.Warn("rate limited", "retry_after", retryAfter)
		s := o.slot(key, t.claim.Item.ID, booking{}, method, channel, until, now)
		return o.release(ctx, key, t, s.at, s)
	case kind == refused:
		log.Error("dropping a message Slack refused", "err", err)
		o.done(ctx, t.claim)
		return time.Time{}
	case ctx.Err() != nil:
		// Stopping: the call was cut short, which is no fault of the
		// message. It goes first when delivery resumes.
		return o.release(ctx, key, t, now, booking{})
	}
	n := t.job.Failures + 1
	if n >= maxDeliveryAttempts {
		log.Error("giving up a message after repeated failures", "attempts", n, "err", err)
		o.done(ctx, t.claim)
		return time.Time{}
	}
	at := o.later(now.Add(backoff(n)))
	log.Warn("delivery failed, will retry", "attempt", n, "at", at, "err", err)
	sctx, cancel := settleContext(ctx)
	defer cancel()
	// Release checks the claim still holds; nobody can claim the job
	// before at, so the Schedule that records the failure cannot race.
	if !o.settled(log, "put off", o.store.Release(sctx, t.claim, at)) {
		return at
	}
	t.job.Failures = n
	data, err := json.Marshal(t.job)
	if err == nil {
		err = o.store.Schedule(sctx, storage.DueItem{ID: t.claim.Item.ID, At: at, Data: data})
	}
	if err != nil {
		log.Error("cannot count a failed delivery", "err", err)
	}
	o.pend(key, t.claim.Item.ID, at, booking{})
	return at
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

// release puts the job off until at (at the earliest a millisecond from
// now, in whole milliseconds), with the slot it booked if any, and returns
// that time.
func (o *outbox) release(ctx context.Context, key string, t task, at time.Time, b booking) time.Time {
	at = o.later(at)
	sctx, cancel := settleContext(ctx)
	defer cancel()
	if o.settled(o.log.With("id", t.claim.Item.ID), "put off", o.store.Release(sctx, t.claim, at)) {
		o.pend(key, t.claim.Item.ID, at, b)
	}
	return at
}

// giveBack returns a job unhandled, to be claimed again as it was.
func (o *outbox) giveBack(ctx context.Context, t task) {
	sctx, cancel := settleContext(ctx)
	defer cancel()
	o.settled(o.log.With("id", t.claim.Item.ID), "give back", o.store.Release(sctx, t.claim, t.claim.Item.At))
}

// done removes a job delivered or dropped.
func (o *outbox) done(ctx context.Context, c storage.Claim) {
	sctx, cancel := settleContext(ctx)
	defer cancel()
	o.settled(o.log.With("id", c.Item.ID), "mark done", o.store.Done(sctx, c))
}

// settled logs a failure to record an outcome and reports success. A job
// whose outcome is not recorded is claimed again when its lease runs out:
// a message delivered may then go twice.
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

// later rounds t up to a whole millisecond (the store keeps milliseconds)
// no earlier than a millisecond from now, so a job put off is never due
// again within the same pass.
func (o *outbox) later(t time.Time) time.Time {
	if least := o.now().Add(time.Millisecond); t.Before(least) {
		t = least
	}
	if r := t.Truncate(time.Millisecond); !r.Equal(t) {
		t = r.Add(time.Millisecond)
	}
	return t
}

// pend records that job id of conversation key comes due at at, and the
// slot it booked.
func (o *outbox) pend(key, id string, at time.Time, b booking) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.unpendLocked(id)
	if o.pending[key] == nil {
		o.pending[key] = map[string]time.Time{}
	}
	o.pending[key][id] = at
	o.pendingKey[id] = key
	if b.method != "" {
		o.booked[id] = b
	}
}

func (o *outbox) unpendLocked(id string) {
	key, ok := o.pendingKey[id]
	if !ok {
		return
	}
	delete(o.pendingKey, id)
	delete(o.pending[key], id)
	if len(o.pending[key]) == 0 {
		delete(o.pending, key)
	}
}

// takeBooking returns and forgets the slot job id booked.
func (o *outbox) takeBooking(id string) booking {
	o.mu.Lock()
	defer o.mu.Unlock()
	b := o.booked[id]
	delete(o.booked, id)
	return b
}

// forgetBookings drops the bookings of jobs that did not come back to this
// process: taken by another, or cancelled.
func (o *outbox) forgetBookings(now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for id, b := range o.booked {
		if b.at.Before(now.Add(-outboxLease)) {
			delete(o.booked, id)
		}
	}
}

// waitingBefore returns when the last job of conversation key queued
// before id and put off by this process comes due, if that is after now.
// Jobs that came due and were not claimed with this batch are forgotten:
// they were taken by another process, dropped, or are next in line.
func (o *outbox) waitingBefore(key, id string, now time.Time) time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	var w time.Time
	for pid, at := range o.pending[key] {
		switch {
		case !at.After(now):
			o.unpendLocked(pid)
		case pid < id && at.After(w):
			w = at
		}
	}
	return w
}

// nextPending returns when the first job this process put off comes due,
// after now; due reports jobs that came due since the last claim. Those
// are forgotten: the next claim takes them, unless another process did.
func (o *outbox) nextPending(now time.Time) (next time.Time, due bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, ids := range o.pending {
		for id, at := range ids {
			switch {
			case !at.After(now):
				o.unpendLocked(id)
				due = true
			case next.IsZero() || at.Before(next):
				next = at
			}
		}
	}
	return next, due
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
