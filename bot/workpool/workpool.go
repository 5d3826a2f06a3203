// Package workpool runs the turns platform adapters accept after they have
// answered the platform: a fixed set of workers, each with its own bounded
// queue, where jobs with the same key (one person's events) run on the same
// worker, in order.
package workpool

import (
	"context"
	"errors"
	"hash/fnv"
	"sync"
)

var (
	// ErrBusy is returned by Submit when the key's queue is full.
	ErrBusy = errors.New("workpool: too busy, job dropped")
	// ErrClosed is returned by Submit after Shutdown.
	ErrClosed = errors.New("workpool: shut down")
)

// Pool is a set of workers. Its zero value is not usable: call New.
type Pool struct {
	mu     sync.RWMutex
	closed bool
	queues []chan func(context.Context)
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
}

// New starts workers (at least one), each with a queue of depth jobs.
func New(workers, depth int) *Pool {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pool{ctx: ctx, cancel: cancel}
	for range max(workers, 1) {
		q := make(chan func(context.Context), max(depth, 0))
		p.queues = append(p.queues, q)
		p.wg.Go(func() {
			for job := range q {
				job(p.ctx)
			}
		})
	}
	return p
}

// Submit queues job without blocking: ErrBusy when the key's queue is
// full, ErrClosed after Shutdown. The job's context ends when Shutdown
// gives up waiting.
func (p *Pool) Submit(key string, job func(context.Context)) error {
	h := fnv.New32a()
	h.Write([]byte(key))
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return ErrClosed
	}
	select {
	case p.queues[h.Sum32()%uint32(len(p.queues))] <- job:
		return nil
	default:
		return ErrBusy
	}
}

// Shutdown stops taking jobs and waits for those queued; when ctx ends
// first, the running jobs' context is cancelled and ctx's error returned.
func (p *Pool) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		for _, q := range p.queues {
			close(q)
		}
	}
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
