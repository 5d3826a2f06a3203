package outbox

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	mrand "math/rand/v2"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/storage"
)

// dispatch starts calls, best lane first, while the budgets let them go
// now and fewer than Senders are in flight.
func (d *Drain) dispatch(ctx context.Context) {
	now := d.now()
	for t := d.q.waiting.top(); t != nil && !t.at.After(now); t = d.q.waiting.top() {
		heap.Pop(d.q.waiting)
		d.place(ctx, t, now)
	}
	for d.inflight < d.senders {
		var best *thread
		for method, q := range d.q.ready {
			t := q.top()
			if t == nil || d.lim.MethodReady(method, now).After(now) {
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
		c := d.send.Next(ctx, h.job)
		if c.Method != best.method {
			d.place(ctx, best, now) // its next call changed (a chat became known)
			continue
		}
		if w := d.lim.ConversationReady(c, now); w.After(now) {
			d.q.wait(best, w) // another conversation on the channel went first
			continue
		}
		d.q.unplace(best)
		best.busy = true
		d.lim.Take(c, now)
		d.start(ctx, best, h, c, now)
	}
}

// result is how a call went.
type result struct {
	t       *thread
	h       *held
	call    Call
	started time.Time
	sent    Sent
	err     error
	// recordErr is the failure of the turn that records what the
	// delivery means (a nudge sent, a draft posted): the message is then
	// left unsettled, delivered again once its lease runs out, and
	// recorded then.
	recordErr error
}

// start makes h's next call on a goroutine of its own, and returns once
// that goroutine runs, so that calls go out in the order they were
// started (a reply's before the nudges started after it) however quickly
// they return; finish handles how it went.
func (d *Drain) start(ctx context.Context, t *thread, h *held, c Call, now time.Time) {
	d.inflight++
	r := result{t: t, h: h, call: c, started: now}
	j := h.job
	running := make(chan struct{})
	defer func() { <-running }()
	go func() {
		close(running)
		if r.sent, r.err = d.send.Send(ctx, j, c); r.err == nil && !r.sent.More {
			sctx, cancel := settleContext(ctx)
			r.recordErr = d.record(sctx, j.Header(), r.sent)
			cancel()
		}
		d.results <- r
	}()
}

// record runs the turns that record what the delivery of a message with
// head h means for later turns: its nudge sent (bot.Confirmation), its
// shared draft posted where sent.Ref says (bot.Posting).
func (d *Drain) record(ctx context.Context, h *Head, sent Sent) error {
	if h.Nudge != nil {
		if err := d.cfg.Handle(ctx, bot.Confirmation(d.cfg.Platform, h.Team, *h.Nudge)); err != nil {
			return err
		}
	}
	if h.Shared != nil {
		return d.cfg.Handle(ctx, bot.Posting(d.cfg.Platform, h.Team, *h.Shared, sent.Ref))
	}
	return nil
}

// finish records how a call went, and files its thread again.
func (d *Drain) finish(ctx context.Context, r result) (sent int) {
	d.inflight--
	t, h := r.t, r.h
	t.busy = false
	now := d.now()
	switch {
	case r.err == nil && r.sent.More:
		t = d.rekey(t, d.send.Key(ctx, h.job))
	case r.err == nil:
		sent = 1
		if r.recordErr == nil {
			d.done(ctx, h.claim)
		} else {
			d.settled(d.log.With("id", h.id()), "record the delivery of", r.recordErr)
		}
		d.drop(h)
	default:
		d.failed(ctx, h, r, now)
	}
	d.place(ctx, t, now)
	return sent
}

// rekey files thread t under key, the better name of its conversation
// just learnt, with the messages already filed there, in queue order.
func (d *Drain) rekey(t *thread, key string) *thread {
	if t.key == key {
		return t
	}
	d.q.unplace(t)
	delete(d.q.threads, t.key)
	d.q.rekeyPutOff(t.key, key)
	into := d.q.threads[key]
	if into == nil {
		t.key = key
		d.q.threads[key] = t
		return t
	}
	for _, h := range t.jobs {
		into.add(h)
	}
	return into
}

// drop forgets a message delivered or dropped.
func (d *Drain) drop(h *held) {
	h.thread.remove(h)
	d.forget(h)
}

// forget stops holding h.
func (d *Drain) forget(h *held) {
	if d.q.byID[h.id()] == h {
		delete(d.q.byID, h.id())
		h.batch.left--
	}
}

// failed handles a failed call r for message h: it waits for a 429's
// Retry-After or a backoff, or is dropped.
func (d *Drain) failed(ctx context.Context, h *held, r result, now time.Time) {
	log := d.log.With("id", h.id(), "method", r.call.Method, "conversation", h.job.Conversation())
	kind, retryAfter := d.send.Classify(r.err)
	switch {
	case kind == RateLimited:
		h.after = d.lim.Limited(r.call, r.started, now, retryAfter)
		log.Warn("rate limited", "retry_after", retryAfter)
		return
	case kind == Permanent:
		log.Error("dropping a message the platform refused", "err", r.err)
		d.done(ctx, h.claim)
		d.drop(h)
		return
	case ctx.Err() != nil:
		// Stopping: the call was cut short, which is no fault of the
		// message. It goes first when delivery resumes.
		return
	}
	head := h.job.Header()
	n := head.Failures + 1
	if n >= d.cfg.MaxAttempts {
		log.Error("giving up a message after repeated failures", "attempts", n, "err", r.err)
		d.done(ctx, h.claim)
		d.drop(h)
		return
	}
	head.Failures, h.changed = n, true
	h.after = later(now.Add(Backoff(n)))
	log.Warn("delivery failed, will retry", "attempt", n, "at", h.after, "err", r.err)
}

// Backoff is how long a message waits after its nth failed call: a
// second, doubling up to five minutes, plus up to a quarter more at
// random.
func Backoff(n int) time.Duration {
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
func (d *Drain) renew(ctx context.Context, now time.Time) {
	if !d.q.renewDue(now) {
		return
	}
	var threads []*thread
	for _, t := range d.q.threads {
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
		d.giveBack(ctx, t, from, now)
	}
	d.pruneBatches()
}

// giveBackAll gives back every message held, for the next process to
// claim.
func (d *Drain) giveBackAll(ctx context.Context) {
	d.passMu.Lock()
	defer d.passMu.Unlock()
	now := d.now()
	for _, t := range d.q.threads {
		d.giveBack(ctx, t, 0, now)
	}
	d.pruneBatches()
}

// giveBack gives back thread t's messages from index from on (not one in
// flight). Each is claimable when it may next go, its own claimable time
// at the earliest (so a reply keeps its lead), and no earlier than the
// messages of its conversation queued before it, so whoever claims them
// keeps their order.
func (d *Drain) giveBack(ctx context.Context, t *thread, from int, now time.Time) {
	if t.busy && from == 0 {
		from = 1
	}
	if from >= len(t.jobs) {
		return
	}
	prev := d.q.putOffBefore(t.key, t.jobs[from].id(), now)
	for _, h := range t.jobs[from:] {
		at := latest(h.claim.Item.At, latest(h.after, prev))
		if h.changed {
			// The failure count is written after the release: nobody
			// may claim the message in between.
			at = latest(at, now.Add(minBackoff))
		}
		prev = at
		d.release(ctx, h, at)
		d.forget(h)
	}
	t.jobs = t.jobs[:from]
	t.replies = 0
	for _, h := range t.jobs {
		if h.lane == bot.LaneReply {
			t.replies++
		}
	}
	d.place(ctx, t, now)
}

// release gives h's claim back to the store, claimable from at, and
// records it as put off; a failure count is written with it. The caller
// stops holding h.
func (d *Drain) release(ctx context.Context, h *held, at time.Time) {
	at = later(at)
	log := d.log.With("id", h.id())
	sctx, cancel := settleContext(ctx)
	defer cancel()
	if !d.settled(log, "give back", d.store.Release(sctx, h.claim, at)) {
		return
	}
	if h.changed {
		data, err := json.Marshal(h.job)
		if err == nil {
			it := h.claim.Item
			it.At, it.Data = at, data
			err = d.store.Schedule(sctx, it)
		}
		if err != nil {
			log.Error("cannot count a failed delivery", "err", err)
		}
	}
	if at.After(d.now()) {
		d.q.addPutOff(d.send.Key(ctx, h.job), h.id(), at)
	}
}

// pruneBatches forgets the lease batches with nothing left held.
func (d *Drain) pruneBatches() {
	kept := d.q.batches[:0]
	for _, b := range d.q.batches {
		if b.left > 0 {
			kept = append(kept, b)
		}
	}
	clear(d.q.batches[len(kept):])
	d.q.batches = kept
}

// done has a message delivered or dropped removed from the store, with
// the others of its batch: at once when the batch is full, else by the
// pass (see settle).
func (d *Drain) done(ctx context.Context, c storage.Claim) {
	if len(d.toSettle) == 0 {
		d.settleBy = time.Now().Add(d.cfg.SettleEvery)
	}
	d.toSettle = append(d.toSettle, c)
	if len(d.toSettle) >= SettleBatch {
		d.settle(ctx)
	}
}

// settle removes the messages delivered or dropped so far from the store,
// in one round trip.
func (d *Drain) settle(ctx context.Context) {
	claims := d.toSettle
	if len(claims) == 0 {
		return
	}
	defer func() {
		clear(claims)
		d.toSettle = claims[:0]
	}()
	sctx, cancel := settleContext(ctx)
	defer cancel()
	res, err := d.store.DoneAll(sctx, claims...)
	if err != nil {
		d.log.Error("cannot mark queued messages done", "messages", len(claims), "err", err)
		return
	}
	for i, err := range res {
		if err != nil {
			d.settled(d.log.With("id", claims[i].Item.ID), "mark done", err)
		}
	}
}

// settled logs a failure to record an outcome and reports success. A
// message whose outcome is not recorded is claimed again when its lease
// runs out: a message delivered may then go twice.
func (d *Drain) settled(log *slog.Logger, what string, err error) bool {
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
func later(t time.Time) time.Time {
	if r := t.Truncate(time.Millisecond); !r.Equal(t) {
		t = r.Add(time.Millisecond)
	}
	return t
}
