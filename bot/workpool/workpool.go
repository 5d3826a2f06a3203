// Package workpool runs the turns platform adapters accept: a fixed set of
// workers and a bounded queue per key (one person's events). A key's jobs
// run one at a time, in the order submitted; keys take turns, so a key with
// a long backlog delays another key's job by at most one of its own jobs
// per worker, never by its whole backlog.
//
// Submit never blocks: it refuses a job when the key already has PerKey
// jobs waiting (ErrKeyBusy) or the pool has Depth jobs waiting in all
// (ErrBusy). Adapters answer the platform non-2xx then, so nothing is
// acknowledged and dropped. PerKey is below Depth, so one person's flood
// is refused before it can fill the pool for everyone else.
package workpool

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

var (
	// ErrBusy is returned by Submit when the pool has Depth jobs waiting.
	ErrBusy = errors.New("workpool: too busy, job refused")
	// ErrKeyBusy is returned by Submit when the job's key has PerKey jobs
	// waiting; errors.Is(ErrKeyBusy, ErrBusy) holds.
	ErrKeyBusy = fmt.Errorf("workpool: too many jobs waiting for one key: %w", ErrBusy)
	// ErrClosed is returned by Submit after Shutdown.
	ErrClosed = errors.New("workpool: shut down")
)

// Limits bound the jobs waiting (not the ones running).
type Limits struct {
	// Depth is how many jobs may wait in the whole pool (at least 1).
	Depth int
	// PerKey is how many jobs may wait for one key; Depth when not
	// positive or above it.
	PerKey int
}

// Pool is a set of workers. Its zero value is not usable: call New.
type Pool struct {
	limits Limits

	mu     sync.Mutex
	cond   *sync.Cond // signalled when a key becomes ready or the pool closes
	closed bool
	keys   map[string]*keyQueue // keys with jobs waiting or running
	// ready are the keys with jobs waiting and none running, in the
	// order they became ready.
	ready   []string
	waiting int

	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
}

type keyQueue struct {
	jobs    []func(context.Context)
	running bool
}

// New starts workers (at least one).
func New(workers int, limits Limits) *Pool {
	limits.Depth = max(limits.Depth, 1)
	if limits.PerKey <= 0 || limits.PerKey > limits.Depth {
		limits.PerKey = limits.Depth
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pool{limits: limits, keys: map[string]*keyQueue{}, ctx: ctx, cancel: cancel}
	p.cond = sync.NewCond(&p.mu)
	for range max(workers, 1) {
		p.wg.Go(p.work)
	}
	return p
}

// Submit queues job without blocking: ErrKeyBusy when the key has
// PerKey jobs waiting, ErrBusy when the pool has Depth jobs waiting,
// ErrClosed after Shutdown. The job's context ends when Shutdown gives up
// waiting.
func (p *Pool) Submit(key string, job func(context.Context)) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	q := p.keys[key]
	if q != nil && len(q.jobs) >= p.limits.PerKey {
		return ErrKeyBusy
	}
	if p.waiting >= p.limits.Depth {
		return ErrBusy
	}
	if q == nil {
		q = &keyQueue{}
		p.keys[key] = q
	}
	q.jobs = append(q.jobs, job)
	p.waiting++
	if !q.running && len(q.jobs) == 1 {
		p.ready = append(p.ready, key)
		p.cond.Signal()
	}
	return nil
}

// work runs jobs until the pool is shut down and nothing waits.
func (p *Pool) work() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		for len(p.ready) == 0 && !p.closed {
			p.cond.Wait()
		}
		if len(p.ready) == 0 {
			return // closed, and nothing left
		}
		key := p.ready[0]
		p.ready[0] = ""
		p.ready = p.ready[1:]
		q := p.keys[key]
		job := q.jobs[0]
		q.jobs[0] = nil
		q.jobs = q.jobs[1:]
		q.running = true
		p.waiting--

		p.mu.Unlock()
		job(p.ctx)
		p.mu.Lock()

		q.running = false
		if len(q.jobs) > 0 {
			// To the back: the other keys' jobs go first. Another worker
			// may be idle while this one takes what is ahead.
			p.ready = append(p.ready, key)
			p.cond.Signal()
		} else {
			delete(p.keys, key)
		}
	}
}

// Shutdown stops taking jobs and waits for those queued; when ctx ends
// first, the running jobs' context is cancelled and ctx's error returned.
func (p *Pool) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		p.cancel()
		return nil
	case <-ctx.Done():
		p.cancel()
		return ctx.Err()
	}
}
