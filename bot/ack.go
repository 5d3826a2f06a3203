package bot

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrNotSaved is what Ack.Wait returns when the turn was not safe in
// time. It may still be saved: a redelivery of its event then finds it
// applied.
var ErrNotSaved = errors.New("bot: the turn was not saved in time")

// Ack is what an inbound handler waits for before it acknowledges a
// platform event: the turn's Saved reports to Settle, on the worker that
// runs it, and the handler Waits. Create it with NewAck.
type Ack struct {
	once sync.Once
	done chan error
}

// NewAck returns an Ack nobody has settled yet.
func NewAck() *Ack { return &Ack{done: make(chan error, 1)} }

// Settle reports the turn safe (nil) or failed before its save; only the
// first report counts. It never blocks. Use it as Turn.Saved.
func (a *Ack) Settle(err error) {
	a.once.Do(func() { a.done <- err })
}

// Wait waits until the turn is settled, at most d, or until ctx ends. It
// returns nil when the event may be acknowledged, the turn's error, or
// ErrNotSaved (or ctx's error) when the wait ended first.
func (a *Ack) Wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-a.done:
		return err
	case <-t.C:
		return ErrNotSaved
	case <-ctx.Done():
		return ctx.Err()
	}
}
