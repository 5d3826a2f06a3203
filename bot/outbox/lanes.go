package outbox

import (
	"container/heap"
	"slices"
	"strings"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/storage"
)

// held is a queued message this process claimed and holds until it is
// sent, dropped, or given back to the store.
type held struct {
	claim  storage.Claim
	job    Job
	lane   bot.Lane
	batch  *leaseBatch
	thread *thread // the conversation's thread it is in
	// after is when it may be tried again: after a 429's Retry-After, or
	// a failed call's backoff. Zero when it may go at once.
	after time.Time
	// changed reports a job whose failures were counted since it was
	// claimed: giving it back writes the count.
	changed bool
}

func (h *held) id() string { return h.claim.Item.ID }

// leaseBatch is the claims of one Claim call, which share a lease.
type leaseBatch struct {
	// renew is when jobs of the batch still held are given back to be
	// claimed afresh: a quarter of the lease before it runs out.
	renew time.Time
	left  int // jobs of the batch still held
}

// thread is one conversation's queued messages that this process holds,
// in queue order (by id). Only the first goes, one call at a time, so a
// conversation's messages arrive in order whatever their lane.
type thread struct {
	key     string
	jobs    []*held
	replies int  // how many of jobs are replies: the thread's lane
	busy    bool // a call for jobs[0] is in flight
	// where the thread waits: in a ready heap (for method's budget) or in
	// the waiting heap (until at).
	in     *threadHeap
	index  int
	method string
	at     time.Time
}

// lane is the lane of the thread's next message: a thread that holds a
// reply goes in the reply lane, its earlier messages with it.
func (t *thread) lane() bot.Lane {
	if t.replies > 0 {
		return bot.LaneReply
	}
	return bot.LaneNudge
}

// rank orders the threads waiting for one method's budget: by lane
// (bot.LaneReply first), then by the queue order of the thread's first
// message in that lane.
func (t *thread) rank() (bot.Lane, string) {
	lane := t.lane()
	for _, h := range t.jobs {
		if h.lane == lane {
			return lane, h.id()
		}
	}
	return lane, t.jobs[0].id()
}

// add puts h in the thread in queue order; the message in flight stays
// first.
func (t *thread) add(h *held) {
	i, _ := slices.BinarySearchFunc(t.jobs, h.id(), func(x *held, id string) int { return strings.Compare(x.id(), id) })
	if t.busy && i == 0 {
		i = 1
	}
	t.jobs = slices.Insert(t.jobs, i, h)
	h.thread = t
	if h.lane == bot.LaneReply {
		t.replies++
	}
}

// remove takes h out of the thread.
func (t *thread) remove(h *held) {
	if i := slices.Index(t.jobs, h); i >= 0 {
		t.jobs = slices.Delete(t.jobs, i, i+1)
		if h.lane == bot.LaneReply {
			t.replies--
		}
	}
}

// threadHeap orders threads: by rank in a ready heap, by at in the
// waiting heap.
type threadHeap struct {
	byTime  bool
	threads []*thread
}

func (q *threadHeap) Len() int { return len(q.threads) }

func (q *threadHeap) Less(i, j int) bool {
	a, b := q.threads[i], q.threads[j]
	if q.byTime {
		return a.at.Before(b.at)
	}
	return ranksBefore(a, b)
}

// ranksBefore reports whether thread a goes before b.
func ranksBefore(a, b *thread) bool {
	la, ia := a.rank()
	lb, ib := b.rank()
	if la != lb {
		return la < lb
	}
	return ia < ib
}

func (q *threadHeap) Swap(i, j int) {
	q.threads[i], q.threads[j] = q.threads[j], q.threads[i]
	q.threads[i].index, q.threads[j].index = i, j
}

func (q *threadHeap) Push(x any) {
	t := x.(*thread)
	t.in, t.index = q, len(q.threads)
	q.threads = append(q.threads, t)
}

func (q *threadHeap) Pop() any {
	n := len(q.threads) - 1
	t := q.threads[n]
	q.threads[n] = nil
	q.threads = q.threads[:n]
	t.in, t.index = nil, -1
	return t
}

// top is the first thread, or nil.
func (q *threadHeap) top() *thread {
	if len(q.threads) == 0 {
		return nil
	}
	return q.threads[0]
}

// lanes is what the outbox holds, ready to send: a thread per
// conversation, each waiting either for its method's workspace budget
// (ready, best lane first) or until a time (its channel's rate, a 429's
// hold, a backoff, or an earlier message of its conversation put off in
// the store). Only the delivery pass that holds Drain.passMu uses it.
type lanes struct {
	threads map[string]*thread
	byID    map[string]*held
	ready   map[string]*threadHeap // by the method the thread's next call makes
	waiting *threadHeap
	batches []*leaseBatch // in the order claimed
	// putOff are the messages this process gave back to the store to be
	// claimed again later, by conversation and id, with when they come
	// due: a later message of their conversation waits for them.
	putOff    map[string]map[string]time.Time
	putOffKey map[string]string // id → conversation
}

func newLanes() *lanes {
	return &lanes{
		threads:   map[string]*thread{},
		byID:      map[string]*held{},
		ready:     map[string]*threadHeap{},
		waiting:   &threadHeap{byTime: true},
		putOff:    map[string]map[string]time.Time{},
		putOffKey: map[string]string{},
	}
}

// unplace takes t out of the heap it waits in.
func (l *lanes) unplace(t *thread) {
	if t.in != nil {
		heap.Remove(t.in, t.index)
	}
}

// wait puts t in the waiting heap until at.
func (l *lanes) wait(t *thread, at time.Time) {
	l.unplace(t)
	t.at = at
	heap.Push(l.waiting, t)
}

// readyFor puts t in the ready heap of method.
func (l *lanes) readyFor(t *thread, method string) {
	l.unplace(t)
	q := l.ready[method]
	if q == nil {
		q = &threadHeap{}
		l.ready[method] = q
	}
	t.method = method
	heap.Push(q, t)
}

// addPutOff records that message id of conversation key was given back
// to the store until at.
func (l *lanes) addPutOff(key, id string, at time.Time) {
	l.dropPutOff(id)
	if l.putOff[key] == nil {
		l.putOff[key] = map[string]time.Time{}
	}
	l.putOff[key][id] = at
	l.putOffKey[id] = key
}

// dropPutOff forgets message id given back: it was claimed again.
func (l *lanes) dropPutOff(id string) {
	key, ok := l.putOffKey[id]
	if !ok {
		return
	}
	delete(l.putOffKey, id)
	delete(l.putOff[key], id)
	if len(l.putOff[key]) == 0 {
		delete(l.putOff, key)
	}
}

// putOffBefore returns when the last message of conversation key queued
// before id and given back to the store comes due, if that is after now.
func (l *lanes) putOffBefore(key, id string, now time.Time) time.Time {
	var w time.Time
	for pid, at := range l.putOff[key] {
		if pid < id && at.After(now) && at.After(w) {
			w = at
		}
	}
	return w
}

// rekeyPutOff files the messages given back of conversation from under
// conversation to.
func (l *lanes) rekeyPutOff(from, to string) {
	for id, at := range l.putOff[from] {
		l.addPutOff(to, id, at)
	}
}

// forgetPutOff forgets the messages given back that came due by now: the
// claim made at now took them back, or another process did.
func (l *lanes) forgetPutOff(now time.Time) {
	for id, key := range l.putOffKey {
		if !l.putOff[key][id].After(now) {
			l.dropPutOff(id)
		}
	}
}

// next returns the first time after which something may change without
// a call finishing: a thread stops waiting, a method's budget lets a
// ready thread go (methodWait), a message given back comes due, or a
// lease must be renewed.
func (l *lanes) next(methodWait func(method string) time.Time) time.Time {
	var next time.Time
	earliest := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if t := l.waiting.top(); t != nil {
		earliest(t.at)
	}
	for method, q := range l.ready {
		if q.Len() > 0 {
			earliest(methodWait(method))
		}
	}
	for _, ids := range l.putOff {
		for _, at := range ids {
			earliest(at)
		}
	}
	for _, b := range l.batches {
		if b.left > 0 {
			earliest(b.renew)
		}
	}
	return next
}

// renewDue reports a lease batch to renew at now.
func (l *lanes) renewDue(now time.Time) bool {
	for _, b := range l.batches {
		if b.left > 0 && !b.renew.After(now) {
			return true
		}
	}
	return false
}

// claimDue reports what only a claim at now can move on: a message given
// back that comes due, or a lease to renew.
func (l *lanes) claimDue(now time.Time) bool {
	for _, ids := range l.putOff {
		for _, at := range ids {
			if !at.After(now) {
				return true
			}
		}
	}
	return l.renewDue(now)
}
