package sandbox

import (
	"sync"
	"time"
)

// Clock is the sandbox's notion of now. The engine and scheduler take their
// time from it in sandbox mode, so a week can pass in a click. It is safe
// for concurrent use.
//
// A clock made by NewClock stands still until it is advanced or set; one
// made by NewWallClock follows the real clock, shifted by every Advance.
type Clock struct {
	mu      sync.Mutex
	now     time.Time     // frozen clocks: the time
	offset  time.Duration // running clocks: added to the real time
	running bool
	changed chan struct{}
}

// NewClock returns a clock that stands still at t.
func NewClock(t time.Time) *Clock {
	return &Clock{now: t}
}

// NewWallClock returns a clock that runs with the real time until it is
// advanced or set, and keeps running from there.
func NewWallClock() *Clock {
	return &Clock{running: true}
}

// Now returns the sandbox time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if c.running {
		return time.Now().Add(c.offset)
	}
	return c.now
}

// Advance moves the clock forward by d (backwards when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.offset += d
	} else {
		c.now = c.now.Add(d)
	}
	c.notifyLocked()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.offset = time.Until(t)
	} else {
		c.now = t
	}
	c.notifyLocked()
}

// Changed returns a channel that is closed at the next Advance or Set, so a
// scheduler can run its sweep as soon as time jumps.
func (c *Clock) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changed == nil {
		c.changed = make(chan struct{})
	}
	return c.changed
}

func (c *Clock) notifyLocked() {
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
}
